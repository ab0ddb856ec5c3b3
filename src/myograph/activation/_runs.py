"""Runs of active samples → intervals, vectorised over channels.

Every detector ends the same way: a boolean "active" array shaped
``(n_channels, n)`` becomes runs ``[start, stop)`` per channel, short runs are
dropped, short gaps are closed, and the runs are split into one array per
channel. The helpers here do that without a Python loop over samples or
bursts: runs are kept as three flat arrays ``(channel, start, stop)`` sorted by
channel then start.
"""

from __future__ import annotations

import numpy as np

__all__ = ["runs", "clean_runs", "merge_overlaps", "split_channels", "hysteresis", "moving_sum", "to_seconds"]


def runs(active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along the last axis of a 2-D boolean array.

    Returns ``(channel, start, stop)`` (int64 arrays), ``stop`` exclusive,
    sorted by channel then start.
    """
    a = np.asarray(active, dtype=bool)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    n_ch, n = a.shape
    padded = np.zeros((n_ch, n + 2), dtype=np.int8)
    padded[:, 1:-1] = a
    d = np.diff(padded, axis=1)
    ch_on, start = np.nonzero(d == 1)
    _, stop = np.nonzero(d == -1)
    return ch_on.astype(np.int64), start.astype(np.int64), stop.astype(np.int64)


def _drop_short(ch, start, stop, min_len):
    if min_len <= 1 or ch.size == 0:
        return ch, start, stop
    keep = (stop - start) >= min_len
    return ch[keep], start[keep], stop[keep]


def _close_gaps(ch, start, stop, min_gap):
    if min_gap <= 1 or ch.size < 2:
        return ch, start, stop
    new = np.ones(ch.size, dtype=bool)  # True where a run starts a new merged group
    same = ch[1:] == ch[:-1]
    new[1:] = ~same | ((start[1:] - stop[:-1]) >= min_gap)
    first = np.flatnonzero(new)
    last = np.append(first[1:], ch.size) - 1
    return ch[first], start[first], stop[last]


def clean_runs(ch: np.ndarray, start: np.ndarray, stop: np.ndarray, *, min_on: int = 0,
               min_off: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop runs shorter than ``min_on`` samples and close gaps shorter than ``min_off``.

    Order: isolated short runs (noise blips) are dropped first, so that they
    cannot bridge into a neighbouring burst and move its onset; then short
    gaps are closed (a burst that dips briefly stays one burst); then runs
    still shorter than ``min_on`` are dropped.
    """
    ch, start, stop = _drop_short(ch, start, stop, min_on)
    ch, start, stop = _close_gaps(ch, start, stop, min_off)
    return _drop_short(ch, start, stop, min_on)


def merge_overlaps(ch: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by channel then start and merge intervals of a channel that overlap or touch."""
    if ch.size == 0:
        return ch, start, stop
    order = np.lexsort((start, ch))
    ch, start, stop = ch[order], start[order], stop[order]
    big = int(max(stop.max(), start.max())) + 1
    reach = np.maximum.accumulate(ch * big + stop) - ch * big  # running max of stop within each channel
    new = np.ones(ch.size, dtype=bool)
    new[1:] = (ch[1:] != ch[:-1]) | (start[1:] > reach[:-1])
    first = np.flatnonzero(new)
    last = np.append(first[1:], ch.size) - 1
    return ch[first], start[first], reach[last]


def split_channels(ch: np.ndarray, start: np.ndarray, stop: np.ndarray, n_channels: int) -> list[np.ndarray]:
    """One ``(k, 2)`` int64 array ``[start, stop)`` per channel."""
    counts = np.bincount(ch, minlength=n_channels) if ch.size else np.zeros(n_channels, dtype=np.int64)
    pairs = np.stack([start, stop], axis=1).astype(np.int64) if ch.size else np.zeros((0, 2), dtype=np.int64)
    return [p.reshape(-1, 2) for p in np.split(pairs, np.cumsum(counts)[:-1])]


def to_seconds(intervals: list[np.ndarray], fs: float, scale: int = 1) -> list[np.ndarray]:
    """Sample (or block of ``scale`` samples) intervals → seconds (float64 ``(k, 2)``)."""
    return [np.asarray(iv, dtype=np.float64).reshape(-1, 2) * (scale / fs) for iv in intervals]


def hysteresis(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Two-threshold state along the last axis, vectorised.

    The state turns on where ``high`` is True, turns off where ``low`` is
    True (``low`` means "below the lower threshold"), and otherwise keeps its
    previous value; it starts off. Where both are True, ``high`` wins.
    """
    h = np.asarray(high, dtype=bool)
    lo = np.asarray(low, dtype=bool) & ~h
    n = h.shape[-1]
    defined = h | lo
    pos = np.where(defined, np.arange(n), -1)
    np.maximum.accumulate(pos, axis=-1, out=pos)
    state = np.take_along_axis(h, np.maximum(pos, 0), axis=-1)
    state &= pos >= 0
    return state


def moving_sum(v: np.ndarray, w: int, *, center: bool = True) -> np.ndarray:
    """Sum over a window of ``w`` samples along the last axis (truncated at the ends).

    Centred: the window for output ``i`` is ``[i - w//2, i - w//2 + w)``;
    trailing (``center=False``): ``[i - w + 1, i]``. Computed from one
    cumulative sum; meant for short (decimated) arrays or well-scaled data.
    """
    v = np.asarray(v, dtype=np.float64)
    n = v.shape[-1]
    c = np.zeros(v.shape[:-1] + (n + 1,))
    np.cumsum(v, axis=-1, out=c[..., 1:])
    left = w // 2 if center else w - 1
    i = np.arange(n)
    lo = np.clip(i - left, 0, n)
    hi = np.clip(i - left + w, 0, n)
    return c[..., hi] - c[..., lo]
