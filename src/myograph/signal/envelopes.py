"""Rectification and amplitude envelopes, offline and streaming.

* :func:`rectify` — full-wave rectification ``|x|``.
* :func:`linear_envelope` — low-pass filtered full-wave rectified signal
  (Winter, *Biomechanics and Motor Control of Human Movement*, 2009).
* :func:`moving_rms` / :func:`moving_average` — root-mean-square and average
  (rectified) value over a sliding window given in seconds.
* :func:`teager_kaiser` — Teager–Kaiser energy operator
  ``x[n]**2 - x[n-1] * x[n+1]`` (Kaiser 1990; used before onset detection by
  Solnik et al. 2010).

Offline envelopes are zero-phase/centred by default; each has a causal variant
(``zero_phase=False`` / ``center=False``) that its streaming twin
(:class:`StreamingEnvelope`, :class:`StreamingMovingRMS`,
:class:`StreamingMovingAverage`, :class:`StreamingTeagerKaiser`) reproduces
chunk by chunk to float precision.

Windows at the ends of a signal are truncated: the first and last outputs
average the samples that exist, so the output has the signal's length and no
zero-padding bias.

References
----------
J. F. Kaiser, "On a simple algorithm to calculate the 'energy' of a signal",
Proc. IEEE ICASSP 1990, 381–384.
S. Solnik, P. Rider, K. Steinweg, P. DeVita, T. Hortobágyi, "Teager–Kaiser
energy operator signal conditioning improves EMG onset detection", Eur. J.
Appl. Physiol. 110 (2010) 489–498.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.signal._validate import (
    apply_lanes,
    check_fs,
    check_int,
    check_nan_policy,
    check_positive,
    check_signal,
    finite_runs,
)
from myograph.signal.filters import StreamingFilter, design_lowpass, filter_sos

__all__ = [
    "rectify",
    "linear_envelope",
    "moving_rms",
    "moving_average",
    "teager_kaiser",
    "window_samples",
    "StreamingEnvelope",
    "StreamingMovingRMS",
    "StreamingMovingAverage",
    "StreamingTeagerKaiser",
    "RMSMeter",
]

def window_samples(window_s: Any, fs: float, name: str = "window_s") -> int:
    """A window length in seconds as a whole number of samples (rounded, at least 1)."""
    fs = check_fs(fs)
    w = check_positive(window_s, name, "s")
    n = int(round(w * fs))
    if n < 1:
        raise ParameterError(name, f"{w:g} s is less than one sample at fs = {fs:g} Hz (at least {1 / fs:g} s)")
    return n


def rectify(x: Any, *, nan_policy: str = "raise") -> np.ndarray:
    """Full-wave rectification, ``|x|``.

    Under ``nan_policy="mask"`` every non-finite sample (NaN or ±Inf) is NaN
    in the output; under ``"propagate"`` ``|±Inf|`` is Inf.
    """
    arr = check_signal(x, nan_policy=nan_policy)
    out = np.abs(arr)
    if nan_policy == "mask":
        out[~np.isfinite(arr)] = np.nan
    return out


def linear_envelope(
    x: Any,
    fs: float,
    cutoff_hz: float = 6.0,
    *,
    order: int = 4,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Linear envelope: Butterworth low-pass of the full-wave rectified signal.

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``), usually band-passed EMG in V.
    fs : float
        Sampling rate, Hz.
    cutoff_hz : float, default 6
        Low-pass cut-off, Hz (3–10 Hz is usual for movement analysis).
    order : int, default 4
        Butterworth order.
    zero_phase : bool, default True
        Zero-phase (no lag, squared response). ``False``: causal, as
        :class:`StreamingEnvelope`.
    axis, nan_policy
        See :func:`myograph.signal.filter_sos`.

    Returns
    -------
    ndarray
        Same shape and unit as ``x``. The low-pass can undershoot slightly
        below zero right after abrupt bursts; values are not clipped.
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    sos = design_lowpass(cutoff_hz, fs, order=order)
    return filter_sos(np.abs(arr), sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def _moving_mean(v: np.ndarray, w: int, left: int) -> np.ndarray:
    """Mean of ``v[..., i-left : i-left+w]`` (truncated at the ends) along the last axis.

    Short windows (up to 32 samples) are summed directly. Longer ones are
    differences of cumulative sums that restart every block of
    ``max(w, 256)`` samples, so that a window's rounding error is relative to
    at most two blocks around it — never to the sum over the whole recording
    (a quiet stretch after a loud one keeps its precision).
    """
    n = v.shape[-1]
    right = w - 1 - left
    i = np.arange(n)
    lo = np.maximum(i - left, 0)
    hi = np.minimum(i + right + 1, n)
    count = hi - lo
    if w <= 32:
        padded = np.zeros(v.shape[:-1] + (n + w - 1,))
        padded[..., left:left + n] = v
        total = padded[..., 0:n].copy()
        for k in range(1, w):
            total += padded[..., k:k + n]
        return total / count
    block = max(w, 256)
    n_blocks = -(-n // block)
    lead = v.shape[:-1]
    tiles = np.zeros(lead + (n_blocks * block,))
    tiles[..., :n] = v
    prefix = np.zeros(lead + (n_blocks, block + 1))
    np.cumsum(tiles.reshape(lead + (n_blocks, block)), axis=-1, out=prefix[..., 1:])
    prefix = prefix.reshape(lead + (n_blocks * (block + 1),))
    # the prefix sum up to global position p within block b sits at flat index p + b
    b_lo = lo // block
    b_hi = (hi - 1) // block
    p_lo = prefix[..., lo + b_lo]
    same = prefix[..., np.minimum(hi + b_lo, prefix.shape[-1] - 1)] - p_lo  # window inside one block
    block_total = prefix[..., (b_lo + 1) * block + b_lo]
    split = (block_total - p_lo) + prefix[..., hi + b_hi]  # window across a block boundary
    return np.where(b_lo == b_hi, same, split) / count


def _window_left(w: int, center: bool) -> int:
    return w // 2 if center else w - 1


def moving_average(
    x: Any,
    fs: float,
    window_s: float,
    *,
    center: bool = True,
    rectify: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Moving average over ``window_s`` seconds — by default of ``|x|`` (average rectified value, ARV).

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``).
    fs : float
        Sampling rate, Hz.
    window_s : float
        Window length, s (rounded to ``w = round(window_s * fs)`` samples).
    center : bool, default True
        Centred window ``[n - w//2, n + w - 1 - w//2]``; ``False``: trailing
        window ``[n - w + 1, n]`` (causal, as :class:`StreamingMovingAverage`).
    rectify : bool, default True
        Average ``|x|``; ``False`` averages ``x`` itself.
    axis, nan_policy
        Time axis; NaN handling (see :mod:`myograph.signal`).

    Returns
    -------
    ndarray
        Same shape as ``x``; windows are truncated at the signal's ends.
    """
    fs = check_fs(fs)
    w = window_samples(window_s, fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    left = _window_left(w, bool(center))
    do_abs = bool(rectify)
    return apply_lanes(lambda v: _moving_mean(np.abs(v) if do_abs else v, w, left), arr, axis=axis, nan_policy=nan_policy)


def moving_rms(
    x: Any,
    fs: float,
    window_s: float,
    *,
    center: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Root mean square over a sliding window of ``window_s`` seconds.

    ``sqrt(mean(x[k]**2))`` over the window; see :func:`moving_average` for
    ``center`` (``False`` = trailing, as :class:`StreamingMovingRMS`), the
    window rounding and the truncated ends.
    """
    fs = check_fs(fs)
    w = window_samples(window_s, fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    left = _window_left(w, bool(center))
    return apply_lanes(lambda v: np.sqrt(np.maximum(_moving_mean(v * v, w, left), 0.0)), arr, axis=axis,
                       nan_policy=nan_policy)


def _tkeo(v: np.ndarray) -> np.ndarray:
    padded = np.zeros(v.shape[:-1] + (v.shape[-1] + 2,))
    padded[..., 1:-1] = v
    return v * v - padded[..., :-2] * padded[..., 2:]


def teager_kaiser(x: Any, *, axis: int = -1, nan_policy: str = "raise") -> np.ndarray:
    """Teager–Kaiser energy operator ``psi[n] = x[n]**2 - x[n-1] * x[n+1]`` (Kaiser 1990).

    Samples outside the signal are taken as 0, so ``psi[0] = x[0]**2`` and
    ``psi[-1] = x[-1]**2``; apply it to band-passed (zero-mean) EMG. The
    output has the unit of ``x`` squared. :class:`StreamingTeagerKaiser`
    gives the same values one sample later.
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    return apply_lanes(_tkeo, arr, axis=axis, nan_policy=nan_policy)


# --------------------------------------------------------------------------------------
# streaming twins
# --------------------------------------------------------------------------------------
class _Stream:
    """Chunk-shape checks shared by the streaming envelopes."""

    n_channels: int

    def _check_chunk(self, chunk: Any) -> tuple[np.ndarray, bool]:
        arr = np.asarray(chunk, dtype=np.float64)
        one_d = arr.ndim == 1
        if one_d:
            if self.n_channels != 1:
                raise ParameterError("chunk", f"expected shape ({self.n_channels}, n_samples), got a 1-D chunk of {arr.shape[0]} samples")
            arr = arr[np.newaxis, :]
        if arr.ndim != 2 or arr.shape[0] != self.n_channels:
            raise ParameterError("chunk", f"expected shape ({self.n_channels}, n_samples), got {arr.shape}")
        return arr, one_d


class StreamingEnvelope(_Stream):
    """Streaming twin of :func:`linear_envelope` (causal): rectify, then a carried-state low-pass.

    Chunks in, envelope chunks out; equals
    ``linear_envelope(x, fs, cutoff_hz, zero_phase=False)`` to float precision.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    cutoff_hz : float
        Low-pass cut-off, Hz.
    n_channels : int
    order : int, default 4
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        See :class:`~myograph.signal.StreamingFilter`.
    """

    def __init__(self, fs: float, cutoff_hz: float, n_channels: int, *, order: int = 4, nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        self.cutoff_hz = cutoff_hz
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        self._lowpass = StreamingFilter(design_lowpass(cutoff_hz, fs, order=order), n_channels, nan_policy=nan_policy)

    def reset(self) -> None:
        self._lowpass.reset()

    @property
    def n_samples_seen(self) -> int:
        return self._lowpass.n_samples_seen

    def process(self, chunk: Any) -> np.ndarray:
        arr, one_d = self._check_chunk(chunk)
        out = self._lowpass.process(np.abs(arr))
        return out[0] if one_d else out


class _StreamingWindow(_Stream):
    """Trailing-window mean of ``f(x)`` with a carried tail of ``w - 1`` samples."""

    def __init__(self, fs: float, window_s: float, n_channels: int, *, nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        self.window_s = window_s
        self.window = window_samples(window_s, fs)
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        self.nan_policy = check_nan_policy(nan_policy)
        self.reset()

    def reset(self) -> None:
        self._tail = [np.empty(0) for _ in range(self.n_channels)]  # f(x) of the last <= w-1 finite samples
        self.n_samples_seen = 0

    def _f(self, v: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _finish(self, m: np.ndarray) -> np.ndarray:
        return m

    def _lane(self, ch: int, v: np.ndarray) -> np.ndarray:
        tail = self._tail[ch]
        ext = np.concatenate([tail, self._f(v)])
        means = _moving_mean(ext[np.newaxis, :], self.window, self.window - 1)[0, tail.size:]
        keep = self.window - 1
        self._tail[ch] = ext[max(0, ext.size - keep):] if keep else np.empty(0)
        return means

    def process(self, chunk: Any) -> np.ndarray:
        arr, one_d = self._check_chunk(chunk)
        n = arr.shape[1]
        out = np.full(arr.shape, np.nan)
        if n:
            finite = np.isfinite(arr)
            if not finite.all() and self.nan_policy == "raise":
                check_signal(arr, name="chunk", nan_policy="raise")
            for ch in range(self.n_channels):
                lane = arr[ch]
                if self.nan_policy != "mask" or finite[ch].all():
                    out[ch] = self._lane(ch, lane)
                    continue
                runs = finite_runs(finite[ch])
                for a, b in runs:
                    if a > 0:
                        self._tail[ch] = np.empty(0)  # a gap: the window restarts
                    out[ch, a:b] = self._lane(ch, lane[a:b])
                if not runs or runs[-1][1] < n:
                    self._tail[ch] = np.empty(0)
        self.n_samples_seen += n
        out = self._finish(out)
        return out[0] if one_d else out


class StreamingMovingRMS(_StreamingWindow):
    """Streaming twin of :func:`moving_rms` with ``center=False`` (trailing window).

    Parameters: ``fs`` (Hz), ``window_s`` (s), ``n_channels``, ``nan_policy``
    (``"mask"``: the window restarts after a gap, as the offline function does
    on each finite run).
    """

    def _f(self, v: np.ndarray) -> np.ndarray:
        return v * v

    def _finish(self, m: np.ndarray) -> np.ndarray:
        return np.sqrt(np.maximum(m, 0.0))


class StreamingMovingAverage(_StreamingWindow):
    """Streaming twin of :func:`moving_average` with ``center=False`` (trailing window).

    ``rectify=True`` (default) averages ``|x|``, as the offline function.
    """

    def __init__(self, fs: float, window_s: float, n_channels: int, *, rectify: bool = True, nan_policy: str = "raise") -> None:
        self.rectify = bool(rectify)
        super().__init__(fs, window_s, n_channels, nan_policy=nan_policy)

    def _f(self, v: np.ndarray) -> np.ndarray:
        return np.abs(v) if self.rectify else v


class StreamingTeagerKaiser(_Stream):
    """Streaming twin of :func:`teager_kaiser`, one sample late.

    ``psi[n]`` needs ``x[n + 1]``, so the output for the k-th sample fed in is
    ``psi[k - 1]`` (the first output is 0, the operator applied to the zero
    before the signal). Concatenated outputs equal ``teager_kaiser(x)``
    shifted right by one sample.
    """

    def __init__(self, n_channels: int, *, nan_policy: str = "raise") -> None:
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        self.nan_policy = check_nan_policy(nan_policy, ("raise", "propagate"))
        self.reset()

    def reset(self) -> None:
        self._prev = np.zeros((self.n_channels, 2))  # x[n-2], x[n-1] (zeros before the signal)
        self.n_samples_seen = 0

    def process(self, chunk: Any) -> np.ndarray:
        arr, one_d = self._check_chunk(chunk)
        if self.nan_policy == "raise" and not np.isfinite(arr).all():
            check_signal(arr, name="chunk", nan_policy="raise")
        ext = np.concatenate([self._prev, arr], axis=1)
        out = ext[:, 1:-1] ** 2 - ext[:, :-2] * ext[:, 2:]
        self._prev = ext[:, -2:].copy()
        self.n_samples_seen += arr.shape[1]
        return out[0] if one_d else out


class RMSMeter:
    """The current RMS level of each channel: the trailing ``window_s`` window, one value per block.

    What a level bar or an activity meter shows. Equal to the last output of
    :class:`StreamingMovingRMS` for the same block once a window has been seen, but it
    computes only that value (vectorised over channels) instead of one per sample.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    window_s : float
        Window, s (rounded to whole samples, at least one).
    n_channels : int
    """

    def __init__(self, fs: float, window_s: float, n_channels: int) -> None:
        self.fs = check_fs(fs)
        self.window = window_samples(window_s, self.fs)
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        self.reset()

    def reset(self) -> None:
        self._tail = np.zeros((self.n_channels, 0))

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Feed ``(n_channels, n_samples)``; the RMS of the last ``window`` samples per channel (same units)."""
        sq = np.square(np.asarray(chunk)[:, -self.window:], dtype=np.float64)
        if sq.shape[1] < self.window:
            sq = np.concatenate([self._tail, sq], axis=1)[:, -self.window:]
        self._tail = sq
        return np.sqrt(sq.mean(axis=1)) if sq.shape[1] else np.zeros(sq.shape[0])
