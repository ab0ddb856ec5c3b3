"""Single threshold over baseline (Hodges & Bui 1996)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation.detectors._common import (
    as_2d, finish, nonneg, positive, rectified_envelope, rest_mean_sd, rest_or_quietest,
)
from myograph.activation.detectors._registry import register

REFERENCE = (
    "Hodges PW, Bui BH. A comparison of computer-based methods for the determination of onset of muscle "
    "contraction using electromyography. Electroencephalogr Clin Neurophysiol 1996;101:511-519."
)


@register(
    "hodges_bui",
    reference=REFERENCE,
    summary="single threshold: moving average of the rectified, low-passed EMG above baseline mean + h·SD",
    parameters={
        "lowpass_hz": "low-pass of the rectified EMG, Hz (2nd-order Butterworth, zero-phase)",
        "window_s": "moving-average window, s",
        "threshold_sd": "threshold above the baseline mean, in baseline SDs",
        "min_on_s": "drop bursts shorter than this, s (0 = as published)",
        "min_off_s": "close gaps shorter than this, s (0 = as published)",
    },
)
def hodges_bui(x: Any, fs: float, *, rest: Any = None, lowpass_hz: float = 50.0, window_s: float = 0.025,
               threshold_sd: float = 3.0, min_on_s: float = 0.0, min_off_s: float = 0.0) -> list[np.ndarray]:
    """Active where the moving average of the rectified, low-passed EMG exceeds baseline mean + h·SD.

    The test function is ``MA_W(LP(|x - mean_rest|))``; its mean and SD over
    the rest segment define the threshold ``mean + threshold_sd * SD``. The
    defaults (50 Hz low-pass, 25 ms window, 3 SD) are one of the combinations
    Hodges & Bui compared. The published method has no duration rule: every
    crossing counts, so on long records with many bursts set ``min_on_s`` /
    ``min_off_s`` (an extension).
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    tf = rectified_envelope(x - dc, fs, lowpass_hz=lowpass_hz, window_s=window_s)
    mu, sd = rest_mean_sd(rectified_envelope(r - dc, fs, lowpass_hz=lowpass_hz, window_s=window_s))
    active = tf >= (mu + threshold_sd * sd)[:, None]
    return finish(active, fs, min_on_s=nonneg(min_on_s, "min_on_s", "s"), min_off_s=nonneg(min_off_s, "min_off_s", "s"))
