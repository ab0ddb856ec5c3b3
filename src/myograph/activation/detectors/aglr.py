"""Approximate generalised likelihood ratio (AGLR; Staude & Wolf 1999, Staude et al. 2001)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation._changepoint import change_known
from myograph.activation._runs import clean_runs, merge_overlaps, runs
from myograph.activation.detectors._common import as_2d, intervals_seconds, nonneg, positive, rest_or_quietest, samples
from myograph.activation.detectors._registry import register
from myograph.signal import moving_average

REFERENCE = (
    "Staude G, Flachenecker C, Daumer M, Wolf W. Onset detection in surface electromyographic signals: "
    "a systematic comparison of methods. EURASIP J Appl Signal Process 2001;2:67-81."
)


def glr_statistic(ratio: np.ndarray, n: float) -> np.ndarray:
    """Log generalised likelihood ratio of ``n`` Gaussian samples whose variance estimate is
    ``ratio`` times the rest variance: ``g = n/2 * (ratio - 1 - ln ratio)`` (0 at ratio 1)."""
    r = np.maximum(ratio, 1e-300)
    return 0.5 * n * (r - 1.0 - np.log(r))


@register(
    "aglr",
    reference=REFERENCE,
    summary="variance-change likelihood ratio in a sliding window against the rest variance, "
            "then the maximum-likelihood change time around each alarm",
    parameters={
        "window_s": "sliding window of the likelihood-ratio test, s",
        "threshold_db": "alarm when the window's variance exceeds the rest variance by this much, dB",
        "refine_s": "half-width of the maximum-likelihood change-time search around each edge, s",
        "min_on_s": "drop bursts shorter than this, s",
        "min_off_s": "close gaps shorter than this, s",
    },
)
def aglr(x: Any, fs: float, *, rest: Any = None, window_s: float = 0.025, threshold_db: float = 3.0,
         refine_s: float = 0.05, min_on_s: float = 0.025, min_off_s: float = 0.025) -> list[np.ndarray]:
    """AGLR step detector.

    The log-GLR of a variance increase over a window of ``L`` samples is
    ``g = L/2 (r - 1 - ln r)`` with ``r`` the window variance over the rest
    variance (Staude et al. 2001). An alarm threshold ``h`` on ``g`` depends
    on ``L`` in samples (so on ``fs``); it is given here as the variance
    ratio ``r`` at which ``g`` reaches ``h`` (``threshold_db = 10 log10 r``),
    which is the same test with an fs-independent parameter. After each
    alarm, the change time is the maximum-likelihood change from the rest
    variance to the burst variance within ``±refine_s`` (and symmetrically at
    the offset). The paper pre-whitens the EMG with an AR model; here the
    signal is used as given (band-pass it first).
    """
    x = as_2d(x)
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    v = x - dc
    var0 = np.maximum(((r - dc) ** 2).mean(axis=1), 1e-300)
    power = moving_average(v * v, fs, window_s, rectify=False)
    ratio = power / var0[:, None]
    active = ratio >= 10 ** (positive(threshold_db, "threshold_db", "dB") / 10)
    ch, start, stop = runs(active)
    ch, start, stop = clean_runs(ch, start, stop, min_on=samples(min_on_s, fs, "min_on_s", minimum=0),
                                 min_off=samples(min_off_s, fs, "min_off_s", minimum=0))
    if ch.size:
        half = samples(nonneg(refine_s, "refine_s", "s"), fs, "refine_s")
        # burst variance: mean power over the detected run (clipped to the refine window)
        c = np.zeros((v.shape[0], v.shape[1] + 1))
        np.cumsum(v * v, axis=1, out=c[:, 1:])
        a, b = start, np.minimum(stop, start + 4 * half)
        var1 = (c[ch, b] - c[ch, a]) / np.maximum(b - a, 1)
        same = np.r_[False, ch[1:] == ch[:-1]]
        prev_stop = np.where(same, np.r_[0, stop[:-1]], 0)
        next_start = np.where(np.r_[ch[1:] == ch[:-1], False], np.r_[start[1:], x.shape[1]], x.shape[1])
        on = change_known(v, ch, start, half, prev_stop, stop, var0[ch], var1)
        off = change_known(v, ch, stop, half, on + 1, next_start, var1, var0[ch])
        ch, start, stop = merge_overlaps(ch, on, np.maximum(off, on + 1))
    return intervals_seconds(ch, start, stop, x.shape[0], fs)
