"""Running sums over windows of a continuous signal (the sliding twins' engine).

Overlapping windows share samples; a per-sample quantity (``|x|``, a
zero-crossing flag, ``dx^2`` …) is computed once over the continuous signal
and summed per block of ``step`` samples, and each window's sum is the sum
of its blocks (minus the few samples past its end when the window is not a
whole number of steps). Blocks are a strided view (no copy), so the cost is
one pass over the signal instead of one per overlapping window.

:func:`shared` lets several features reuse intermediate arrays (``diff(x)``,
``|x|`` …) of the same signal within one extraction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["window_sums", "n_win_count", "shared", "derived"]

_local = threading.local()


@contextmanager
def shared(x: np.ndarray) -> Iterator[None]:
    """Within this block, :func:`derived` caches intermediates of ``x``."""
    prev = getattr(_local, "state", None)
    _local.state = (x, {})
    try:
        yield
    finally:
        _local.state = prev


def derived(x: np.ndarray, key: str, fn: Callable[[], np.ndarray]) -> np.ndarray:
    """``fn()``, cached under ``key`` while ``x`` is the signal of the enclosing :func:`shared`."""
    state = getattr(_local, "state", None)
    if state is None or state[0] is not x:
        return fn()
    cache = state[1]
    if key not in cache:
        cache[key] = fn()
    return cache[key]


def n_win_count(n_samples: int, n_window: int, step: int) -> int:
    return 0 if n_samples < n_window else (n_samples - n_window) // step + 1


def _strided_sums(g: np.ndarray, offset: int, count: int, size: int, step: int) -> np.ndarray:
    """``out[c, k] = g[c, offset + k*step : offset + k*step + size].sum()`` through a strided view.

    The sums are products with a vector of ones (BLAS), several times faster
    than ``sum(axis=-1)`` over short blocks; when the blocks tile whole rows
    of a contiguous ``g``, one matrix-vector product covers all channels.
    float32 input holds 0/1 counts (exact: blocks are far shorter than
    2**24); results are float64.
    """
    n_ch, m = g.shape
    ones = np.ones(size, dtype=g.dtype)
    if offset == 0 and size == step and count * step == m and g.flags.c_contiguous:
        return (g.reshape(n_ch * count, step) @ ones).reshape(n_ch, count).astype(np.float64, copy=False)
    s0, s1 = g.strides
    v = as_strided(g[:, offset:], (n_ch, count, size), (s0, step * s1, s1), writeable=False)
    return (v @ ones).astype(np.float64, copy=False)


def _as_counts(g: np.ndarray, step: int) -> np.ndarray:
    """Boolean ``g`` as float32 0/1, zero-padded to a whole number of blocks of ``step``."""
    n_ch, m = g.shape
    width = -(-m // step) * step
    out = np.empty((n_ch, width), dtype=np.float32)
    out[:, :m] = g
    out[:, m:] = 0.0
    return out


def _consecutive_sums(blocks: np.ndarray, n: int, count: int) -> np.ndarray:
    """``out[:, k] = blocks[:, k : k + n].sum(axis=1)`` for ``k < count``, by doubling (about log2(n) additions)."""
    level, size, offset, out = blocks, 1, 0, None
    while n:
        if n & 1:
            part = level[:, offset : offset + count]
            if out is None:
                out = part.copy()
            else:
                out += part
            offset += size
        n >>= 1
        if n:
            level = level[:, :-size] + level[:, size:]
            size *= 2
    return out


def window_sums(g: np.ndarray, length: int, step: int, count: int) -> np.ndarray:
    """``out[k, c] = g[c, k*step : k*step + length].sum()`` for ``k < count``, shape ``(count, n_channels)``.

    ``g`` is ``(n_channels, m)``: one contribution per sample (or per pair or
    triple of samples for difference-based features, then ``length`` is
    ``n_window - 1`` or ``- 2``). Boolean ``g`` is summed exactly in
    integers and returned as float64. Sums are purely additive (whole blocks
    of ``step`` samples plus one partial block), so a window of zeros sums to
    exactly zero and non-negative contributions give non-negative sums.
    """
    n_ch, m = g.shape
    if count <= 0:
        return np.zeros((0, n_ch))
    if (count - 1) * step + length > m:
        raise ValueError(f"{count} windows of {length} every {step} do not fit in {m} samples")
    q, r = divmod(length, step)  # whole blocks per window, and the samples left over
    is_bool = g.dtype == bool
    if is_bool:
        g = _as_counts(g, step)  # counts, summed exactly by BLAS in single precision
    elif g.dtype != np.float64:
        g = g.astype(np.float64)
    tail = step - r if r else 0
    if step > length:
        acc = _strided_sums(g, 0, count, length, step)
    elif r and (is_bool or tail == 1):
        # q+1 whole blocks minus the `tail` samples past the window's end. Exact for counts; for one
        # float sample e it is fl(S + e) - e, which is 0 when the window sums to 0 and never negative
        # for non-negative g (any summation order), like the additive form.
        fast = min(count, max(0, (m - (q + 1) * step) // step + 1))
        acc = np.empty((n_ch, count))
        if fast:
            n_blocks = g.shape[1] // step if is_bool else fast + q
            a = _consecutive_sums(_strided_sums(g, 0, n_blocks, step, step), q + 1, fast)
            for j in range(tail):
                a -= g[:, length + j : length + j + (fast - 1) * step + 1 : step]
            acc[:, :fast] = a
        for k in range(fast, count):
            acc[:, k] = g[:, k * step : k * step + length].sum(axis=1, dtype=np.float64)
    else:
        acc = _consecutive_sums(_strided_sums(g, 0, count + q - 1, step, step), q, count)
        if r:
            acc += _strided_sums(g, q * step, count, r, step)
    return acc.T
