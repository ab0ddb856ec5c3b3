"""Moving-variance threshold (Londral et al. 2013)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation.detectors._common import as_2d, finish, nonneg, positive, rest_mean_sd, rest_or_quietest
from myograph.activation.detectors._registry import register
from myograph.signal import moving_average

REFERENCE = (
    "Londral A, Silva H, Nunes N, Carvalho M, Azevedo L. A wireless user-computer interface to explore various "
    "sources of biosignals and visual biofeedback for severe motor impairment. J Access Des All 2013;3:118-134."
)


def _moving_variance(v: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    m = moving_average(v, fs, window_s, rectify=False)
    return np.maximum(moving_average(v * v, fs, window_s, rectify=False) - m * m, 0.0)


@register(
    "londral",
    reference=REFERENCE,
    summary="moving variance of the EMG above baseline mean + h·SD, states lasting a minimum time",
    parameters={
        "window_s": "moving-variance window, s",
        "threshold_sd": "threshold above the baseline mean of the moving variance, in baseline SDs",
        "min_on_s": "minimum active-state duration, s",
        "min_off_s": "minimum inactive-state duration, s",
    },
)
def londral(x: Any, fs: float, *, rest: Any = None, window_s: float = 0.050, threshold_sd: float = 3.0,
            min_on_s: float = 0.050, min_off_s: float = 0.050) -> list[np.ndarray]:
    """Londral's detector: test function ``(1/N) (sum x² - (sum x)²/N)`` over a centred window
    of ``window_s``; active above baseline mean + ``threshold_sd`` SD of that function,
    with a minimum state duration (``active_state_duration`` in the reference
    implementation). The reference implementation compares the variance with
    the mean and SD of the raw rest samples; here both sides are variances.
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    r = rest_or_quietest(x, fs, rest)
    tf = _moving_variance(x, fs, window_s)
    mu, sd = rest_mean_sd(_moving_variance(r, fs, window_s))
    active = tf >= (mu + threshold_sd * sd)[:, None]
    return finish(active, fs, min_on_s=nonneg(min_on_s, "min_on_s", "s"), min_off_s=nonneg(min_off_s, "min_off_s", "s"))
