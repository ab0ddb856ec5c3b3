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


def _block_sums(g: np.ndarray, step: int, nb: int) -> np.ndarray:
    n_ch = g.shape[0]
    if g.dtype == bool:
        g = g.view(np.uint8)
        v = as_strided(g, (n_ch, nb, step), (g.strides[0], step * g.strides[1], g.strides[1]), writeable=False)
        return v.sum(axis=2, dtype=np.int64 if step >= 2**31 else np.int32).astype(np.int64)
    v = as_strided(g, (n_ch, nb, step), (g.strides[0], step * g.strides[1], g.strides[1]), writeable=False)
    return v.sum(axis=2)


def window_sums(g: np.ndarray, length: int, step: int, count: int) -> np.ndarray:
    """``out[k, c] = g[c, k*step : k*step + length].sum()`` for ``k < count``, shape ``(count, n_channels)``.

    ``g`` is ``(n_channels, m)``: one contribution per sample (or per pair or
    triple of samples for difference-based features, then ``length`` is
    ``n_window - 1`` or ``- 2``). Boolean ``g`` is summed exactly in
    integers and returned as float64.
    """
    n_ch, m = g.shape
    q = -(-length // step)  # blocks per window (the last one may stick out)
    extra = q * step - length  # samples of the last block past the window's end
    starts = np.arange(count) * step
    # windows whose q blocks lie inside g
    fast = min(count, max(0, (m - q * step) // step + 1))
    is_bool = g.dtype == bool
    out = np.empty((n_ch, count), dtype=np.int64 if is_bool else np.float64)
    if fast > 0:
        nb = fast + q - 1
        blocks = _block_sums(g, step, nb)
        acc = blocks[:, :fast].copy()
        for j in range(1, q):
            acc += blocks[:, j : j + fast]
        for j in range(extra):
            acc -= g[:, starts[:fast] + length + j]
        out[:, :fast] = acc
    for k in range(fast, count):
        out[:, k] = g[:, starts[k] : starts[k] + length].sum(axis=1)
    return out.T.astype(np.float64) if is_bool else out.T
