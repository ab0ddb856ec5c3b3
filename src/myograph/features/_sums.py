"""Running sums over windows of a continuous signal (the engine of the sliding twins).

Overlapping windows share samples. A feature that is a function of sums over
the window of per-sample contributions (``|x|``, a zero-crossing flag,
``dx^2`` …) declares those contributions as :class:`Term` s and how it is
made from their sums as a :class:`SumForm`. :class:`RunningSums` writes the
contributions of every term of every requested feature, chunk by chunk,
straight into reused buffers (float64 values, float32 0/1 counts), sums each
block of ``step`` samples of all of them with one matrix-vector product per
buffer, and makes each window's sum from its blocks by doubling, corrected
by the few samples where a window is not a whole number of steps. The cost
is one pass over the signal per contribution instead of one per overlapping
window, and a fixed number of numpy calls per chunk whatever the number of
features.

:func:`shared` lets contributions reuse intermediate arrays (``diff(x)``,
``signbit(x)`` …) of the same chunk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Term", "SumForm", "RunningSums", "window_sums", "n_win_count", "shared", "derived"]

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


@dataclass(frozen=True)
class Term:
    """One per-sample contribution summed over every window.

    Attributes
    ----------
    key : hashable
        Identity: features asking for the same key share one computation
        (include parameters, e.g. ``("|dx|>=", threshold_v)``).
    lag : int
        Samples each contribution spans beyond the first: 0 for ``|x_i|``,
        1 for first differences, 2 for second; a window of ``N`` samples
        holds ``N - lag`` contributions.
    count : bool
        The contributions are 0/1 flags: summed exactly (float32 blocks).
    fill : callable
        ``fill(x, out)`` writes the contributions of the chunk ``x``
        ``(n_channels, m)`` into ``out`` ``(n_channels, m - lag)`` (float64,
        or float32 for counts), in place.
    """

    key: Hashable
    lag: int
    count: bool
    fill: Callable[[np.ndarray, np.ndarray], None]


@dataclass(frozen=True)
class SumForm:
    """A feature made from window sums of its terms.

    ``terms(**parameters)`` gives the :class:`Term` s; ``finish(sums,
    n_window)`` makes the feature ``(n_channels, n_windows)`` from their
    sums (a tuple of ``(n_channels, n_windows)`` arrays in the order of the
    terms) and the window length in samples. Features that share their
    terms and intermediate results (the six TD-PSD features) also name a
    ``family(sums, n_window, names) -> {name: feature}`` that the extractor
    calls once for all of them.
    """

    terms: Callable[..., Sequence[Term]]
    finish: Callable[[tuple[np.ndarray, ...], int], np.ndarray]
    family: Callable[[tuple[np.ndarray, ...], int, tuple[str, ...]], dict[str, np.ndarray]] | None = None

    def sliding(self, x: np.ndarray, fs: float, n_window: int, step: int, **params: object) -> np.ndarray:
        """The feature of every window of the continuous ``x``, ``(n_windows, n_channels)``."""
        terms = self.terms(**params)
        count = n_win_count(x.shape[-1], n_window, step)
        with shared(x):
            sums = RunningSums(terms, x.shape[0], n_window, step, x.shape[-1]).sums(x, count)
        return self.finish(tuple(sums[t.key] for t in terms), n_window).T


def n_win_count(n_samples: int, n_window: int, step: int) -> int:
    """Windows of ``n_window`` samples every ``step`` that fit in ``n_samples``."""
    return 0 if n_samples < n_window else (n_samples - n_window) // step + 1


def _strided_sums(g: np.ndarray, offset: int, count: int, size: int, step: int) -> np.ndarray:
    """``out[c, k] = g[c, offset + k*step : offset + k*step + size].sum()``, ``(n_channels, count)`` float64.

    Products of a strided view with a vector of ones (BLAS), several times
    faster than ``sum(axis=-1)`` over short runs; float32 input holds 0/1
    counts (exact: runs are far shorter than 2**24).
    """
    n_ch = g.shape[0]
    s0, s1 = g.strides
    v = as_strided(g[:, offset:], (n_ch, count, size), (s0, step * s1, s1), writeable=False)
    return (v @ np.ones(size, dtype=g.dtype)).astype(np.float64, copy=False)


def _consecutive_sums(blocks: np.ndarray, n: int, out: np.ndarray) -> None:
    """``out[:, k] = blocks[:, k : k + n].sum(axis=1)`` for every column ``k`` of ``out``, by doubling.

    About log2(n) additions; the last level needed is summed straight into ``out``.
    """
    count = out.shape[1]
    level, size, offset, started = blocks, 1, 0, False
    while n:
        if n & 1:
            part = level[:, offset : offset + count]
            if started:
                out += part
            else:
                out[...] = part
                started = True
            offset += size
        n >>= 1
        if n == 1 and not started:  # the last level: only the columns needed, into out
            np.add(level[:, offset : offset + count], level[:, offset + size : offset + size + count], out=out)
            return
        if n:
            level = level[:, :-size] + level[:, size:]
            size *= 2


@dataclass(frozen=True)
class _Plan:
    """How the windows of ``length`` contributions every ``step`` are summed from blocks of ``step``.

    ``blocks`` whole blocks from the window's start; minus the contributions
    at the offsets ``minus`` (past the window's end), or plus the ``plus``
    contributions from ``blocks * step`` on. ``blocks == 0``: windows shorter
    than a step are summed directly.
    """

    length: int
    blocks: int
    minus: tuple[int, ...] = ()
    plus: int = 0


def _plan(length: int, step: int, count: bool) -> _Plan:
    q, r = divmod(length, step)
    if step > length:
        return _Plan(length, 0)
    if r == 0:
        return _Plan(length, q)
    if count or step - r == 1:
        # q+1 blocks minus the samples past the end. Exact for counts; for one float sample e it is
        # fl(S + e) - e, which is 0 when the window sums to 0 and never negative for non-negative
        # contributions (any summation order), like the additive form.
        return _Plan(length, q + 1, minus=tuple(range(length, (q + 1) * step)))
    return _Plan(length, q, plus=r)


class RunningSums:
    """Window sums of :class:`Term` s of a signal, chunk after chunk, in buffers reused between chunks.

    Parameters
    ----------
    terms : sequence of Term
        Repeated keys are computed once.
    n_channels, n_window, step : int
        Channels; window length and step in samples.
    max_samples : int
        The longest chunk :meth:`sums` will be given (sizes the buffers).
    """

    def __init__(self, terms: Sequence[Term], n_channels: int, n_window: int, step: int, max_samples: int) -> None:
        unique: dict[Hashable, Term] = {}
        for t in terms:
            unique.setdefault(t.key, t)
        plans = {k: _plan(n_window - t.lag, step, t.count) for k, t in unique.items()}
        # rows: the value terms, then the count terms, each in order of blocks per window (runs share the doubling)
        order = sorted(unique.values(), key=lambda t: (t.count, plans[t.key].blocks))
        n_values = sum(not t.count for t in order) * n_channels
        per = max(1, n_win_count(max_samples, n_window, step))
        n_blocks = max(-(-max_samples // step), per - 1 + max(p.blocks for p in plans.values()))
        self.n_window, self.step, self.max_samples = n_window, step, max_samples
        self.values = np.zeros((n_values, n_blocks * step))
        self.counts = np.zeros((len(order) * n_channels - n_values, n_blocks * step), dtype=np.float32)
        self.blocks = np.empty((len(order) * n_channels, n_blocks))
        self._sums = np.empty((len(order) * n_channels, per))
        self._ones = (np.ones(step), np.ones(step, dtype=np.float32))
        self._m = max_samples  # the chunk length the buffers are zero-padded for
        # per term: (term, its rows in the value or count buffer, its first row in blocks/sums, plan)
        self.rows = []
        for i, t in enumerate(order):
            r0 = i * n_channels
            buf = self.counts[r0 - n_values : r0 - n_values + n_channels] if t.count else self.values[r0 : r0 + n_channels]
            self.rows.append((t, buf, r0, plans[t.key]))
        self.runs = []  # (blocks per window, first row, end row) of rows with the same number of blocks
        for i, (_, _, r0, p) in enumerate(self.rows):
            if i and self.runs[-1][0] == p.blocks:
                self.runs[-1][2] = r0 + n_channels
            else:
                self.runs.append([p.blocks, r0, r0 + n_channels])

    def sums(self, x: np.ndarray, count: int) -> dict[Hashable, np.ndarray]:
        """``{key: (n_channels, count)}``: each term summed over the first ``count`` windows of the chunk ``x``.

        The arrays are views into a buffer that the next call overwrites.
        """
        n_ch, m = x.shape
        step = self.step
        if count <= 0:
            return {t.key: np.zeros((n_ch, 0)) for t, *_ in self.rows}
        if m > self.max_samples or count > self._sums.shape[1] or (count - 1) * step + self.n_window > m:
            raise ValueError(f"{count} windows of {self.n_window} every {step} do not fit in {m} samples "
                             f"(or more than these buffers of {self.max_samples} samples hold)")
        for t, buf, _, _ in self.rows:
            t.fill(x, buf[:, : m - t.lag])
            if m < self._m:  # a shorter chunk than before: zero what the longer one left, so whole blocks cover every window
                buf[:, m - t.lag : self._m - t.lag] = 0.0
        self._m = m
        n_values = self.values.shape[0]
        if n_values:
            np.matmul(self.values.reshape(-1, step), self._ones[0], out=self.blocks[:n_values].reshape(-1))
        if self.counts.shape[0]:
            self.blocks[n_values:] = (self.counts.reshape(-1, step) @ self._ones[1]).reshape(self.counts.shape[0], -1)
        out = self._sums[:, :count]
        for blocks, a, b in self.runs:
            if blocks:
                _consecutive_sums(self.blocks[a:b], blocks, out[a:b])
        result = {}
        for t, g, r0, p in self.rows:
            s = out[r0 : r0 + n_ch]
            if p.blocks == 0:
                s[...] = _strided_sums(g, 0, count, p.length, step)
            for j in p.minus:
                s -= g[:, j : j + (count - 1) * step + 1 : step]
            if p.plus:
                s += _strided_sums(g, p.blocks * step, count, p.plus, step)
            result[t.key] = s
        return result


def _copy_into(x: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, x)


def window_sums(g: np.ndarray, length: int, step: int, count: int) -> np.ndarray:
    """``out[k, c] = g[c, k*step : k*step + length].sum()`` for ``k < count``, shape ``(count, n_channels)``.

    ``g`` is ``(n_channels, m)``: one contribution per sample (or per pair or
    triple of samples for difference-based features, then ``length`` is
    ``n_window - 1`` or ``- 2``). Boolean ``g`` is summed exactly and
    returned as float64. A window of zeros sums to exactly zero and
    non-negative contributions give non-negative sums. This is
    :class:`RunningSums` with one term copied from ``g``.
    """
    n_ch, m = g.shape
    if count <= 0:
        return np.zeros((0, n_ch))
    if (count - 1) * step + length > m:
        raise ValueError(f"{count} windows of {length} every {step} do not fit in {m} samples")
    term = Term("g", 0, g.dtype == bool, _copy_into)
    return RunningSums([term], n_ch, length, step, m).sums(g, count)["g"].copy().T
