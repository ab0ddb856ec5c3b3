"""Adaptive threshold (Silva et al. 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation._runs import hysteresis
from myograph.activation.detectors._common import (
    as_2d, finish, nonneg, positive, rectified_envelope, rest_mean_sd, rest_or_quietest,
)
from myograph.activation.detectors._registry import register
from myograph.core.errors import ParameterError

REFERENCE = (
    "Silva H, Scherer R, Sousa J, Londral A. Towards improving the usability of electromyographic interfaces. "
    "J Oral Rehabil 2012;39(Suppl 1):1-2."
)


@register(
    "silva",
    reference=REFERENCE,
    summary="adaptive threshold: a short moving average must exceed both a longer moving average and a fixed level",
    parameters={
        "window_s": "moving average of the rectified EMG (test function), s",
        "threshold_window_s": "longer moving average (adaptive threshold), s; must exceed window_s",
        "threshold_sd": "fixed level above the baseline mean of the test function, in baseline SDs",
        "min_on_s": "drop bursts shorter than this, s",
        "min_off_s": "close gaps shorter than this, s",
    },
)
def silva(x: Any, fs: float, *, rest: Any = None, window_s: float = 0.020, threshold_window_s: float = 0.022,
          threshold_sd: float = 3.0, min_on_s: float = 0.050, min_off_s: float = 0.050) -> list[np.ndarray]:
    """Silva's adaptive double criterion.

    Test function ``tf = MA_W(|x|)`` and adaptive threshold ``MA_T(|x|)``
    (``T > W``), both windows starting at the same sample as in the
    reference implementation (BioSPPy). Onset when ``tf`` is at or above both
    the adaptive threshold and a fixed level; offset when it is below both.
    The published fixed level is an absolute amplitude; here it is the
    baseline mean + ``threshold_sd`` SD of ``tf`` so that it needs no unit.
    Defaults: the windows of BioSPPy/NeuroKit2's example (20 and 22 samples
    at 1 kHz) and NeuroKit2's 50 ms minimum activation/rest duration.
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    if not positive(threshold_window_s, "threshold_window_s", "s") > positive(window_s, "window_s", "s"):
        raise ParameterError("threshold_window_s", f"must exceed window_s ({window_s:g} s), got {threshold_window_s:g} s")
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    w = max(1, int(round(window_s * fs)))
    t = max(w + 1, int(round(threshold_window_s * fs)))
    rect = np.abs(x - dc)
    c = np.zeros((x.shape[0], x.shape[1] + 1))
    np.cumsum(rect, axis=1, out=c[:, 1:])
    n = x.shape[1]
    i = np.arange(n)
    tf = (c[:, np.minimum(i + w, n)] - c[:, i]) / np.minimum(w, n - i)  # window starting at i
    adaptive = (c[:, np.minimum(i + t, n)] - c[:, i]) / np.minimum(t, n - i)
    # the test function labels the window's centre (BioSPPy adds size // 2)
    shift = w // 2
    tf = np.concatenate([np.repeat(tf[:, :1], shift, axis=1), tf[:, : n - shift]], axis=1)
    adaptive = np.concatenate([np.repeat(adaptive[:, :1], shift, axis=1), adaptive[:, : n - shift]], axis=1)
    mu, sd = rest_mean_sd(rectified_envelope(r - dc, fs, lowpass_hz=None, window_s=window_s))
    fixed = (mu + threshold_sd * sd)[:, None]
    state = hysteresis((tf >= adaptive) & (tf >= fixed), (tf < adaptive) & (tf < fixed))
    return finish(state, fs, min_on_s=nonneg(min_on_s, "min_on_s", "s"), min_off_s=nonneg(min_off_s, "min_off_s", "s"))
