"""The standard surface-EMG chain in one call, offline and streaming.

``band-pass → power-line notch → full-wave rectification → low-pass envelope``

:func:`surface_pipeline` runs it zero-phase on a whole signal;
:class:`StreamingSurfacePipeline` runs the same designs causally, chunk by
chunk, with carried state (equal to ``surface_pipeline(..., zero_phase=False)``
to float precision).

The band-pass and the notch are applied as one cascade of second-order
sections (:func:`~myograph.signal.cascade`): for linear time-invariant
filters that is the same filter as applying them in turn, in one pass over
the data instead of two. With zero-phase filtering the two orders differ only
in the edge transients, within the padding (:func:`~myograph.signal.filter_padlen`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.signal._validate import apply_lanes, check_fs, check_int, check_length, check_positive, check_signal
from myograph.signal.filters import (
    StreamingFilter,
    _sosfilt_lanes,
    cascade,
    design_bandpass,
    design_lowpass,
    design_notch,
    filter_padlen,
)

__all__ = ["design_surface_pipeline", "surface_pipeline", "surface_pipeline_blocks", "StreamingSurfacePipeline"]


def _band(band_hz: Any) -> tuple[Any, Any]:
    try:
        lo, hi = band_hz
    except (TypeError, ValueError):
        raise ParameterError("band_hz", f"must be (low_hz, high_hz), got {band_hz!r}") from None
    return lo, hi


def design_surface_pipeline(
    fs: float,
    band_hz: tuple[float, float] = (20.0, 450.0),
    notch_hz: float | None = 50.0,
    envelope_hz: float = 6.0,
    *,
    order: int = 4,
    envelope_order: int = 4,
    notch_quality: float = 30.0,
    notch_harmonics: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """The two SOS filters of the chain: ``(conditioning, envelope)``.

    ``conditioning`` is the band-pass cascaded with the notch(es) (the notch
    is left out when ``notch_hz`` is None); ``envelope`` is the low-pass
    applied after rectification. Arguments as :func:`surface_pipeline`.
    """
    fs = check_fs(fs)
    lo, hi = _band(band_hz)
    try:
        bp = design_bandpass(lo, hi, fs, order=order)
    except ParameterError as exc:
        raise ParameterError("band_hz", exc.problem) from None
    parts = [bp]
    if notch_hz is not None:
        try:
            parts.append(design_notch(notch_hz, fs, quality=notch_quality, harmonics=notch_harmonics))
        except ParameterError as exc:
            name = "notch_hz" if exc.name == "freq_hz" else ("notch_quality" if exc.name == "quality" else "notch_harmonics")
            raise ParameterError(name, exc.problem) from None
    try:
        env = design_lowpass(envelope_hz, fs, order=envelope_order)
    except ParameterError as exc:
        raise ParameterError("envelope_hz" if exc.name == "cutoff_hz" else "envelope_order", exc.problem) from None
    return cascade(*parts), env


def surface_pipeline(
    x: Any,
    fs: float,
    band_hz: tuple[float, float] = (20.0, 450.0),
    notch_hz: float | None = 50.0,
    envelope_hz: float = 6.0,
    *,
    order: int = 4,
    envelope_order: int = 4,
    notch_quality: float = 30.0,
    notch_harmonics: int = 1,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Surface EMG to linear envelope in one call.

    Band-pass ``band_hz`` (Butterworth, ``order``), notch at ``notch_hz``
    (and ``notch_harmonics - 1`` multiples), full-wave rectification, then a
    Butterworth low-pass at ``envelope_hz`` — each filter zero-phase.

    Parameters
    ----------
    x : array_like
        Raw EMG (1-D or ``(n_channels, n_samples)``), V.
    fs : float
        Sampling rate, Hz.
    band_hz : (float, float), default (20, 450)
        Pass band, Hz; both edges below Nyquist.
    notch_hz : float or None, default 50
        Power-line frequency, Hz (60 in the Americas); None skips the notch.
    envelope_hz : float, default 6
        Envelope low-pass cut-off, Hz.
    order, envelope_order : int, default 4
        Butterworth orders of the band-pass (prototype) and the envelope low-pass.
    notch_quality : float, default 30
        Notch quality (bandwidth ``notch_hz / notch_quality`` Hz).
    notch_harmonics : int, default 1
        Multiples of ``notch_hz`` to notch, the fundamental counting as the first.
    zero_phase : bool, default True
        ``False`` runs each filter causally once — what
        :class:`StreamingSurfacePipeline` computes.
    axis, nan_policy
        Time axis; NaN handling (see :mod:`myograph.signal`).

    Returns
    -------
    ndarray
        The envelope, same shape and unit as ``x``.

    Raises
    ------
    ParameterError
        A band edge or the envelope cut-off at or above Nyquist, ``low >= high`` …
    SignalError
        The signal is not longer than the filters' padding (zero-phase).

    Examples
    --------
    >>> import numpy as np
    >>> from myograph.signal import surface_pipeline
    >>> emg = np.random.default_rng(0).normal(0, 1e-4, size=(8, 20000))
    >>> surface_pipeline(emg, 2000.0).shape
    (8, 20000)
    """
    conditioning, envelope = design_surface_pipeline(
        fs, band_hz, notch_hz, envelope_hz, order=order, envelope_order=envelope_order,
        notch_quality=notch_quality, notch_harmonics=notch_harmonics,
    )
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    zp = bool(zero_phase)
    pad_c = filter_padlen(conditioning)
    pad_e = filter_padlen(envelope)
    if zp:
        check_length(arr.shape[axis], max(pad_c, pad_e), what="the surface pipeline's zero-phase filters")

    def run(v: np.ndarray) -> np.ndarray:
        y = _sosfilt_lanes(conditioning, v, zero_phase=zp, padlen=pad_c)
        np.abs(y, out=y)
        return _sosfilt_lanes(envelope, y, zero_phase=zp, padlen=pad_e)

    return apply_lanes(run, arr, axis=axis, nan_policy=nan_policy, min_run=max(pad_c, pad_e) + 1 if zp else 1,
                       what="the surface pipeline's zero-phase filters")


def surface_pipeline_blocks(
    read: Callable[[int, int], Any],
    n_samples: int,
    fs: float,
    band_hz: tuple[float, float] = (20.0, 450.0),
    notch_hz: float | None = 50.0,
    envelope_hz: float = 6.0,
    *,
    block_s: float = 60.0,
    tolerance: float = 1e-9,
    order: int = 4,
    envelope_order: int = 4,
    notch_quality: float = 30.0,
    notch_harmonics: int = 1,
    nan_policy: str = "raise",
) -> Iterator[tuple[int, np.ndarray]]:
    """The zero-phase :func:`surface_pipeline` over a long signal, block by block, in bounded memory.

    Overlap-save: each block of output ``[start, stop)`` is computed from the
    input ``[start - margin, stop + margin]`` (clipped to the signal), and only
    the block itself is kept. The margin is the time the conditioning and
    envelope filters' impulse responses take to fall below ``tolerance`` of
    their peaks, so every block equals the whole-signal zero-phase result to
    about ``tolerance`` of the envelope's scale, while memory holds one block
    plus two margins.

    Parameters
    ----------
    read : callable ``(start, stop) -> array``
        Samples ``[start, stop)`` shaped ``(n_channels, stop - start)`` — e.g.
        ``myograph.open(path).read_samples``.
    n_samples : int
        Length of the whole signal, samples.
    fs : float
        Sampling rate, Hz.
    band_hz, notch_hz, envelope_hz, order, envelope_order, notch_quality, notch_harmonics, nan_policy
        As :func:`surface_pipeline`.
    block_s : float, default 60
        Output block length, s.
    tolerance : float, default 1e-9
        Impulse-response level that sets the margin.

    Yields
    ------
    start : int
        First sample of the block.
    envelope : ndarray, shape (n_channels, n_block)
    """
    fs = check_fs(fs)
    n_total = check_int(n_samples, "n_samples", minimum=1)
    block = max(1, int(round(check_positive(block_s, "block_s", "s") * fs)))
    tol = check_positive(tolerance, "tolerance")
    conditioning, envelope = design_surface_pipeline(
        fs, band_hz, notch_hz, envelope_hz, order=order, envelope_order=envelope_order,
        notch_quality=notch_quality, notch_harmonics=notch_harmonics,
    )
    margin = filter_padlen(conditioning, tolerance=tol) + filter_padlen(envelope, tolerance=tol)
    for start in range(0, n_total, block):
        stop = min(n_total, start + block)
        a, b = max(0, start - margin), min(n_total, stop + margin)
        x = read(a, b)
        env = surface_pipeline(x, fs, band_hz, notch_hz, envelope_hz, order=order, envelope_order=envelope_order,
                               notch_quality=notch_quality, notch_harmonics=notch_harmonics, nan_policy=nan_policy)
        yield start, np.ascontiguousarray(env[..., start - a:stop - a])


class StreamingSurfacePipeline:
    """Streaming twin of :func:`surface_pipeline`: causal, chunk by chunk, carried state.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    n_channels : int
        Channels per chunk (chunks are ``(n_channels, n_samples)``).
    band_hz, notch_hz, envelope_hz, order, envelope_order, notch_quality, notch_harmonics
        As :func:`surface_pipeline`.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        See :class:`~myograph.signal.StreamingFilter`.

    Notes
    -----
    The output equals ``surface_pipeline(x, ..., zero_phase=False)`` for any
    chunking. It lags the zero-phase envelope by the filters' group delay
    (for the default 6 Hz fourth-order envelope low-pass, about 70 ms at low frequencies).
    """

    def __init__(
        self,
        fs: float,
        n_channels: int,
        band_hz: tuple[float, float] = (20.0, 450.0),
        notch_hz: float | None = 50.0,
        envelope_hz: float = 6.0,
        *,
        order: int = 4,
        envelope_order: int = 4,
        notch_quality: float = 30.0,
        notch_harmonics: int = 1,
        nan_policy: str = "raise",
    ) -> None:
        self.fs = check_fs(fs)
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        conditioning, envelope = design_surface_pipeline(
            fs, band_hz, notch_hz, envelope_hz, order=order, envelope_order=envelope_order,
            notch_quality=notch_quality, notch_harmonics=notch_harmonics,
        )
        self.conditioning = StreamingFilter(conditioning, self.n_channels, nan_policy=nan_policy)
        self.envelope = StreamingFilter(envelope, self.n_channels, nan_policy=nan_policy)

    def reset(self) -> None:
        self.conditioning.reset()
        self.envelope.reset()

    @property
    def n_samples_seen(self) -> int:
        return self.envelope.n_samples_seen

    def process(self, chunk: Any) -> np.ndarray:
        """Raw chunk ``(n_channels, n_samples)`` in, envelope chunk out."""
        y = self.conditioning.process(chunk)
        np.abs(y, out=y)
        return self.envelope.process(y)

    def __repr__(self) -> str:
        return f"<StreamingSurfacePipeline | {self.n_channels} channels at {self.fs:g} Hz, {self.n_samples_seen} samples seen>"
