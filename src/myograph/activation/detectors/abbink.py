"""Threshold with a transition-index onset estimate (Abbink, van der Bilt & van der Glas 1998)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation._runs import clean_runs, merge_overlaps, moving_sum, runs
from myograph.activation.detectors._common import (
    as_2d, intervals_seconds, nonneg, positive, rectified_envelope, rest_mean_sd, rest_or_quietest, samples,
)
from myograph.activation.detectors._registry import register
from myograph.core.errors import ParameterError

REFERENCE = (
    "Abbink JH, van der Bilt A, van der Glas HW. Detection of onset and termination of muscle activity in surface "
    "electromyograms. J Oral Rehabil 1998;25:365-369."
)


def transition_index(below: np.ndarray, above: np.ndarray, a: int) -> np.ndarray:
    """``T(j) = #{i in (j-a, j]: below_i} + #{i in (j, j+a]: above_i}`` along the last axis.

    Large where the signal is below a level before ``j`` and above it after:
    the transition between ``j`` and ``j + 1`` (Abbink et al. 1998).
    """
    low = moving_sum(below.astype(np.float64), a, center=False)
    high_trailing = moving_sum(above.astype(np.float64), a, center=False)
    high = np.zeros_like(high_trailing)
    high[:, :-a] = high_trailing[:, a:]
    if a > 1:  # the last a samples see fewer than a samples ahead; count what exists
        c = np.concatenate([np.zeros((above.shape[0], 1)), np.cumsum(above, axis=1, dtype=np.float64)], axis=1)
        tail = np.arange(above.shape[1] - a, above.shape[1])
        high[:, tail] = c[:, -1:] - c[:, tail + 1]
    return low + high


def refine_by_index(index: np.ndarray, ch: np.ndarray, centre: np.ndarray, a: int) -> np.ndarray:
    """For each event, ``j + 1`` where ``index[ch, j]`` is largest within ``centre ± a``."""
    n = index.shape[1]
    if ch.size == 0:
        return centre
    idx = np.clip(centre[:, None] + np.arange(-a, a + 1)[None, :], 0, n - 1)
    vals = index[ch[:, None], idx]
    best = np.argmax(vals, axis=1)
    return np.minimum(idx[np.arange(ch.size), best] + 1, n)


@register(
    "abbink",
    reference=REFERENCE,
    summary="threshold alarm on the smoothed rectified EMG, onset/offset where a transition index "
            "(samples below before + above after a second level) peaks",
    parameters={
        "window_s": "moving-average window of the rectified EMG, s",
        "lowpass_hz": "low-pass of the rectified EMG before averaging, Hz (None: none)",
        "threshold_sd": "alarm threshold above the baseline mean, in baseline SDs",
        "transition_sd": "level of the transition index, in baseline SDs above the mean",
        "transition_window_s": "half-width a of the transition index window (and of the search around the alarm), s",
        "min_on_s": "drop alarms shorter than this, s (0 = as published)",
        "min_off_s": "close gaps shorter than this, s (0 = as published)",
    },
)
def abbink(x: Any, fs: float, *, rest: Any = None, window_s: float = 0.025, lowpass_hz: float | None = None,
           threshold_sd: float = 3.0, transition_sd: float = 1.5, transition_window_s: float = 0.05,
           min_on_s: float = 0.0, min_off_s: float = 0.0) -> list[np.ndarray]:
    """Abbink's detector: alarm when the test function crosses ``mean + threshold_sd·SD``;
    the onset is the ``j`` within ``±a`` of the alarm that maximises the number of
    samples below the transition level in ``(j-a, j]`` plus above it in ``(j, j+a]``;
    the offset likewise with the roles swapped.
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    positive(transition_sd, "transition_sd")
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    tf = rectified_envelope(x - dc, fs, lowpass_hz=lowpass_hz, window_s=window_s)
    mu, sd = rest_mean_sd(rectified_envelope(r - dc, fs, lowpass_hz=lowpass_hz, window_s=window_s))
    ch, start, stop = runs(tf >= (mu + threshold_sd * sd)[:, None])
    ch, start, stop = clean_runs(ch, start, stop, min_on=samples(min_on_s, fs, "min_on_s", minimum=0),
                                 min_off=samples(min_off_s, fs, "min_off_s", minimum=0))
    a = samples(nonneg(transition_window_s, "transition_window_s", "s"), fs, "transition_window_s")
    if a >= x.shape[1]:
        raise ParameterError("transition_window_s", f"{transition_window_s:g} s is not shorter than the signal")
    level = (mu + transition_sd * sd)[:, None]
    below, above = tf < level, tf > level
    on = refine_by_index(transition_index(below, above, a), ch, start - 1, a)
    off = refine_by_index(transition_index(above, below, a), ch, stop - 1, a)
    ok = off > on
    on = np.where(ok, on, start)
    off = np.where(ok, off, stop)
    ch, on, off = merge_overlaps(ch, on, off)  # refinement can make neighbours overlap
    return intervals_seconds(ch, on, off, x.shape[0], fs)
