"""Teager–Kaiser energy operator conditioning + threshold (Solnik et al. 2010)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation.detectors._common import (
    as_2d, finish, nonneg, positive, rectified_envelope, rest_mean_sd, rest_or_quietest,
)
from myograph.activation.detectors._registry import register
from myograph.signal import teager_kaiser

REFERENCE = (
    "Solnik S, Rider P, Steinweg K, DeVita P, Hortobágyi T. Teager-Kaiser energy operator signal conditioning "
    "improves EMG onset detection. Eur J Appl Physiol 2010;110:489-498."
)


@register(
    "solnik",
    reference=REFERENCE,
    summary="TKEO of the EMG, rectified and low-passed, above baseline mean + h·SD",
    parameters={
        "lowpass_hz": "low-pass of the rectified TKEO output, Hz (2nd-order Butterworth, zero-phase)",
        "threshold_sd": "threshold above the baseline mean of the conditioned signal, in baseline SDs",
        "min_on_s": "drop bursts shorter than this, s",
        "min_off_s": "close gaps shorter than this, s",
    },
)
def solnik(x: Any, fs: float, *, rest: Any = None, lowpass_hz: float = 50.0, threshold_sd: float = 8.0,
           min_on_s: float = 0.025, min_off_s: float = 0.025) -> list[np.ndarray]:
    """Solnik's conditioning: ``psi[n] = x[n]**2 - x[n-1] x[n+1]`` (Kaiser 1990), full-wave
    rectified and low-passed, then a threshold of baseline mean + ``threshold_sd`` SD.

    TKEO sharpens the amplitude *and* frequency rise of a motor-unit burst,
    so the conditioned signal jumps at the onset. Apply to band-passed EMG
    (the paper: 30–300 Hz). The paper evaluates thresholds of the baseline
    mean plus multiples of its SD; the default 8 SD and the 25 ms duration
    rule are myograph's (the TKEO output is heavy-tailed, so low multiples
    give many false alarms on long records).
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    tf = rectified_envelope(teager_kaiser(x - dc), fs, lowpass_hz=lowpass_hz, window_s=None)
    mu, sd = rest_mean_sd(rectified_envelope(teager_kaiser(r - dc), fs, lowpass_hz=lowpass_hz, window_s=None))
    active = tf >= (mu + threshold_sd * sd)[:, None]
    return finish(active, fs, min_on_s=nonneg(min_on_s, "min_on_s", "s"), min_off_s=nonneg(min_off_s, "min_off_s", "s"))
