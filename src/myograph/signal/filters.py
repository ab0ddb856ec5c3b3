"""Filters: SOS designs, zero-phase offline filtering and streaming twins.

Every filter is a cascade of second-order sections (``sos``, the layout of
:func:`scipy.signal.sosfilt`: one row ``[b0, b1, b2, 1, a1, a2]`` per section).

* ``design_*`` functions return the SOS array, validated (cut-offs strictly
  between 0 and Nyquist, order 1–16, every pole inside the unit circle) and
  logged on the ``"myograph.signal"`` logger.
* Offline functions (:func:`bandpass`, :func:`highpass`, :func:`lowpass`,
  :func:`notch`, :func:`remove_powerline`, :func:`filter_sos`) are zero-phase
  by default (forward-backward, :func:`scipy.signal.sosfiltfilt` with odd
  padding). Zero-phase filtering squares the magnitude response: attenuation in
  dB doubles and a Butterworth cut-off is at −6 dB instead of −3 dB. With
  ``zero_phase=False`` they run the causal filter once
  (:func:`scipy.signal.sosfilt`, zero initial state) — exactly what the
  streaming twin computes.
* Streaming twins (:class:`StreamingFilter` and the ``Streaming*`` classes)
  carry the filter state ``zi`` between chunks, so a signal fed in chunks of
  any sizes gives the causal offline result to float precision.

Padding
-------
Zero-phase filtering pads each end with an odd (point-reflected) extension
whose length, :func:`filter_padlen`, is the time the filter's impulse response
takes to fall below 0.1 % of its peak (never less than scipy's default of
three times the number of taps). Signals not longer than that padding are
refused with a message stating the minimum length.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.signal as sps

from myograph.core.errors import ParameterError
from myograph.signal._validate import (
    apply_lanes,
    check_band,
    check_cutoff,
    check_fs,
    check_int,
    check_length,
    check_nan_policy,
    check_order,
    check_positive,
    check_signal,
    finite_runs,
)

__all__ = [
    "design_bandpass",
    "design_highpass",
    "design_lowpass",
    "design_notch",
    "design_powerline",
    "cascade",
    "check_sos",
    "describe_sos",
    "filter_padlen",
    "filter_sos",
    "bandpass",
    "highpass",
    "lowpass",
    "notch",
    "remove_powerline",
    "remove_dc",
    "StreamingFilter",
    "StreamingBandpass",
    "StreamingHighpass",
    "StreamingLowpass",
    "StreamingNotch",
    "StreamingPowerline",
]

logger = logging.getLogger("myograph.signal")

#: impulse-response level (relative to its peak) below which the padding ends
PAD_TOLERANCE = 1e-3
_MAX_PADLEN = 1 << 24


# --------------------------------------------------------------------------------------
# SOS validation and description
# --------------------------------------------------------------------------------------
def _pole_radii(sos: np.ndarray) -> np.ndarray:
    """Largest pole radius of each section (roots of ``z**2 + a1 z + a2``)."""
    a1 = sos[:, 4]
    a2 = sos[:, 5]
    disc = a1.astype(complex) ** 2 - 4 * a2
    root = np.sqrt(disc)
    r1 = np.abs((-a1 + root) / 2)
    r2 = np.abs((-a1 - root) / 2)
    return np.maximum(r1, r2)


def check_sos(sos: Any, name: str = "sos", *, hint: str = "") -> np.ndarray:
    """``sos`` as a validated ``(n_sections, 6)`` float64 array of a stable filter.

    Raises
    ------
    ParameterError
        Wrong shape, non-finite coefficients, ``a0 != 1``, or a pole on or
        outside the unit circle (an unstable design); the message gives the
        largest pole radius.
    """
    try:
        arr = np.array(sos, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be an (n_sections, 6) array of second-order sections, got {type(sos).__name__}") from None
    if arr.ndim != 2 or arr.shape[1] != 6 or arr.shape[0] < 1:
        raise ParameterError(name, f"must be shaped (n_sections, 6) with n_sections >= 1, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ParameterError(name, f"has non-finite coefficients{'; ' + hint if hint else ''}")
    if not np.allclose(arr[:, 3], 1.0, rtol=0, atol=1e-14):
        raise ParameterError(name, f"each section's a0 (column 3) must be 1, got {arr[:, 3].tolist()}; divide each section by its a0")
    radii = _pole_radii(arr)
    worst = int(np.argmax(radii))
    if radii[worst] >= 1.0 - 1e-12:
        raise ParameterError(
            name,
            f"unstable filter: section {worst} has a pole at radius {radii[worst]:.12g}, the limit is < 1 "
            f"(every pole strictly inside the unit circle){'; ' + hint if hint else ''}",
        )
    return arr


def filter_padlen(sos: Any, *, tolerance: float = PAD_TOLERANCE) -> int:
    """Samples of odd-extension padding used by zero-phase filtering with ``sos``.

    The length after which the causal impulse response stays below
    ``tolerance`` times its peak, and at least scipy's default padding
    (three times the number of taps).
    """
    arr = check_sos(sos)
    n_sections = arr.shape[0]
    ntaps = 2 * n_sections + 1 - min(int((arr[:, 2] == 0).sum()), int((arr[:, 5] == 0).sum()))
    scipy_default = 3 * ntaps
    length = 1024
    while True:
        impulse = np.zeros(length)
        impulse[0] = 1.0
        h = np.abs(sps.sosfilt(arr, impulse))
        level = tolerance * h.max()
        above = np.flatnonzero(h > level)
        last = int(above[-1]) if above.size else 0
        if last < length - length // 4 or length >= _MAX_PADLEN:
            break
        length *= 4
    return max(scipy_default, last + 1)


def describe_sos(sos: Any, fs: float | None = None) -> dict[str, Any]:
    """A JSON-able summary of a design, for provenance and logs.

    Keys: ``n_sections``, ``order`` (number of poles), ``max_pole_radius``,
    ``padlen`` (samples; see :func:`filter_padlen`), ``pad_s`` (when ``fs``
    is given), ``sos`` (the coefficients, one list of 6 per section).
    """
    arr = check_sos(sos)
    padlen = filter_padlen(arr)
    order = int(np.where(arr[:, 5] != 0, 2, np.where(arr[:, 4] != 0, 1, 0)).sum())
    out: dict[str, Any] = {
        "n_sections": int(arr.shape[0]),
        "order": order,
        "max_pole_radius": float(_pole_radii(arr).max()),
        "padlen": padlen,
        "sos": arr.tolist(),
    }
    if fs is not None:
        out["fs"] = check_fs(fs)
        out["pad_s"] = padlen / out["fs"]
    return out


def cascade(*sos: Any) -> np.ndarray:
    """One SOS array applying several filters in turn (their sections stacked).

    Filtering with the cascade equals filtering with each in turn (LTI filters
    commute), and costs one pass over the data instead of one per filter.
    """
    if not sos:
        raise ParameterError("sos", "cascade needs at least one SOS array")
    return np.vstack([check_sos(s, f"sos[{i}]") for i, s in enumerate(sos)])


# --------------------------------------------------------------------------------------
# designs
# --------------------------------------------------------------------------------------
def _log_design(kind: str, sos: np.ndarray, fs: float, detail: str) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s design: %s at fs %g Hz -> %d second-order sections, max pole radius %.6f, padding %d samples",
            kind, detail, fs, sos.shape[0], float(_pole_radii(sos).max()), filter_padlen(sos),
        )


def _butter(order: int, wn: Any, btype: str, fs: float, hint: str) -> np.ndarray:
    sos = sps.butter(order, wn, btype=btype, fs=fs, output="sos")
    return check_sos(sos, "order", hint=hint)


def design_bandpass(low_hz: float, high_hz: float, fs: float, *, order: int = 4) -> np.ndarray:
    """Butterworth band-pass as second-order sections.

    Parameters
    ----------
    low_hz, high_hz : float
        −3 dB edges of the pass band (causal response), Hz;
        ``0 < low_hz < high_hz < fs / 2``.
    fs : float
        Sampling rate, Hz.
    order : int, default 4
        Order of the Butterworth prototype (as in :func:`scipy.signal.butter`);
        the band-pass has ``2 * order`` poles in ``order`` sections.

    Returns
    -------
    sos : ndarray, shape (order, 6)
    """
    fs = check_fs(fs)
    lo, hi = check_band(low_hz, high_hz, fs)
    order = check_order(order)
    sos = _butter(order, [lo, hi], "bandpass", fs, f"lower order or widen the band (low_hz = {lo:g} Hz is {lo / fs:.2g} of fs)")
    _log_design("band-pass Butterworth", sos, fs, f"order {order}, {lo:g}-{hi:g} Hz")
    return sos


def design_highpass(cutoff_hz: float, fs: float, *, order: int = 4) -> np.ndarray:
    """Butterworth high-pass (−3 dB at ``cutoff_hz``, causal) as second-order sections."""
    fs = check_fs(fs)
    c = check_cutoff(cutoff_hz, fs)
    order = check_order(order)
    sos = _butter(order, c, "highpass", fs, f"lower order or raise cutoff_hz ({c:g} Hz is {c / fs:.2g} of fs)")
    _log_design("high-pass Butterworth", sos, fs, f"order {order}, {c:g} Hz")
    return sos


def design_lowpass(cutoff_hz: float, fs: float, *, order: int = 4) -> np.ndarray:
    """Butterworth low-pass (−3 dB at ``cutoff_hz``, causal) as second-order sections."""
    fs = check_fs(fs)
    c = check_cutoff(cutoff_hz, fs)
    order = check_order(order)
    sos = _butter(order, c, "lowpass", fs, f"lower order or raise cutoff_hz ({c:g} Hz is {c / fs:.2g} of fs)")
    _log_design("low-pass Butterworth", sos, fs, f"order {order}, {c:g} Hz")
    return sos


def design_notch(freq_hz: float, fs: float, *, quality: float = 30.0, harmonics: int = 1) -> np.ndarray:
    """IIR notch(es) at ``freq_hz`` and its multiples, one section each.

    Parameters
    ----------
    freq_hz : float
        Notch frequency, Hz (``0 < freq_hz < fs / 2``).
    fs : float
        Sampling rate, Hz.
    quality : float, default 30
        Quality factor of the notch at ``freq_hz``: its −3 dB bandwidth
        (causal) is ``freq_hz / quality`` Hz. Every harmonic gets the same
        bandwidth in Hz (its quality is ``k * quality``).
    harmonics : int, default 1
        How many multiples of ``freq_hz`` to notch, the fundamental counting
        as the first (3 → ``freq_hz``, ``2 freq_hz``, ``3 freq_hz``). All must
        lie below Nyquist.

    Returns
    -------
    sos : ndarray, shape (harmonics, 6)
    """
    fs = check_fs(fs)
    f0 = check_cutoff(freq_hz, fs, "freq_hz")
    q = check_positive(quality, "quality")
    k_max = check_int(harmonics, "harmonics", minimum=1)
    nyq = fs / 2
    if k_max * f0 >= nyq:
        fit = int(np.ceil(nyq / f0) - 1)
        raise ParameterError(
            "harmonics",
            f"the {k_max}th multiple of freq_hz = {f0:g} Hz is {k_max * f0:g} Hz, not below the Nyquist frequency "
            f"fs/2 = {nyq:g} Hz; at most {fit} harmonic(s) fit at fs = {fs:g} Hz",
        )
    rows = []
    for k in range(1, k_max + 1):
        b, a = sps.iirnotch(k * f0, k * q, fs=fs)
        rows.append(np.concatenate([b, a]))
    sos = check_sos(np.array(rows), "quality", hint="lower the quality factor")
    _log_design("notch", sos, fs, f"{f0:g} Hz x {k_max} harmonic(s), bandwidth {f0 / q:g} Hz")
    return sos


def design_powerline(line_hz: float, fs: float, *, n_harmonics: int | None = None, quality: float = 30.0) -> np.ndarray:
    """Notches at the power-line frequency and its harmonics.

    ``n_harmonics`` counts the fundamental as the first; ``None`` (default)
    notches every multiple of ``line_hz`` below the Nyquist frequency.
    See :func:`design_notch` for ``quality``.
    """
    fs = check_fs(fs)
    f0 = check_cutoff(line_hz, fs, "line_hz")
    if n_harmonics is None:
        n = int(np.ceil((fs / 2) / f0) - 1)
    else:
        n = check_int(n_harmonics, "n_harmonics", minimum=1)
        if n * f0 >= fs / 2:
            fit = int(np.ceil((fs / 2) / f0) - 1)
            raise ParameterError(
                "n_harmonics",
                f"the {n}th multiple of line_hz = {f0:g} Hz is {n * f0:g} Hz, not below the Nyquist frequency "
                f"fs/2 = {fs / 2:g} Hz; at most {fit} fit at fs = {fs:g} Hz (or pass n_harmonics=None)",
            )
    return design_notch(f0, fs, quality=quality, harmonics=n)


# --------------------------------------------------------------------------------------
# offline filtering
# --------------------------------------------------------------------------------------
def _sosfilt_lanes(sos: np.ndarray, x: np.ndarray, *, zero_phase: bool, padlen: int) -> np.ndarray:
    """Filter along the last axis (the caller checked lengths)."""
    if zero_phase:
        return sps.sosfiltfilt(sos, x, axis=-1, padtype="odd", padlen=padlen)
    return sps.sosfilt(sos, x, axis=-1)


def filter_sos(
    x: Any,
    sos: Any,
    *,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
    padlen: int | None = None,
) -> np.ndarray:
    """Filter ``x`` with any second-order-section filter.

    Parameters
    ----------
    x : array_like
        Samples, time along ``axis`` (1-D or ``(n_channels, n_samples)``).
    sos : array_like, shape (n_sections, 6)
        Filter, e.g. from :func:`design_bandpass` or :func:`cascade`.
    zero_phase : bool, default True
        Forward-backward (no phase shift, squared magnitude) with odd padding;
        ``False`` runs the causal filter once from a zero state — the result
        of the streaming twin :class:`StreamingFilter`.
    axis : int, default -1
        Time axis.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        See :mod:`myograph.signal`. Under ``"mask"`` each finite run is
        filtered on its own; zero-phase runs not longer than the padding stay NaN.
    padlen : int, optional
        Padding in samples at each end for zero-phase filtering; default
        :func:`filter_padlen`.

    Returns
    -------
    ndarray
        Same shape as ``x``, float64.

    Raises
    ------
    SignalError
        ``x`` is not longer than the padding (zero-phase), or has non-finite
        samples under ``nan_policy="raise"``.
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    sos = check_sos(sos)
    zero_phase = bool(zero_phase)
    pad = filter_padlen(sos) if padlen is None else check_int(padlen, "padlen", minimum=0)
    if zero_phase:
        check_length(arr.shape[axis], pad)
    return apply_lanes(
        lambda v: _sosfilt_lanes(sos, v, zero_phase=zero_phase, padlen=pad),
        arr,
        axis=axis,
        nan_policy=nan_policy,
        min_run=pad + 1 if zero_phase else 1,
        what="zero-phase filtering (more than the padding)",
    )


def bandpass(
    x: Any,
    fs: float,
    low_hz: float,
    high_hz: float,
    *,
    order: int = 4,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Butterworth band-pass, zero-phase by default.

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``), any unit.
    fs : float
        Sampling rate, Hz.
    low_hz, high_hz : float
        Pass band edges, Hz (−3 dB causal, −6 dB zero-phase).
    order : int, default 4
        Butterworth prototype order (``2 * order`` poles).
    zero_phase, axis, nan_policy
        See :func:`filter_sos`.

    Examples
    --------
    >>> import numpy as np
    >>> from myograph.signal import bandpass
    >>> x = np.random.default_rng(0).normal(size=(2, 4000))
    >>> bandpass(x, 2000.0, 20, 450).shape
    (2, 4000)
    """
    sos = design_bandpass(low_hz, high_hz, fs, order=order)
    return filter_sos(x, sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def highpass(
    x: Any,
    fs: float,
    cutoff_hz: float,
    *,
    order: int = 4,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Butterworth high-pass at ``cutoff_hz`` Hz, zero-phase by default (see :func:`bandpass`)."""
    sos = design_highpass(cutoff_hz, fs, order=order)
    return filter_sos(x, sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def lowpass(
    x: Any,
    fs: float,
    cutoff_hz: float,
    *,
    order: int = 4,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Butterworth low-pass at ``cutoff_hz`` Hz, zero-phase by default (see :func:`bandpass`)."""
    sos = design_lowpass(cutoff_hz, fs, order=order)
    return filter_sos(x, sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def notch(
    x: Any,
    fs: float,
    freq_hz: float = 50.0,
    *,
    quality: float = 30.0,
    harmonics: int = 1,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Notch filter at ``freq_hz`` (and ``harmonics - 1`` multiples), zero-phase by default.

    See :func:`design_notch` for ``quality`` and ``harmonics`` and
    :func:`filter_sos` for the rest. The default ``freq_hz`` is 50 Hz; pass 60
    where the mains is 60 Hz.
    """
    sos = design_notch(freq_hz, fs, quality=quality, harmonics=harmonics)
    return filter_sos(x, sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def remove_powerline(
    x: Any,
    fs: float,
    line_hz: float,
    *,
    n_harmonics: int | None = None,
    quality: float = 30.0,
    zero_phase: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Remove power-line interference: notches at ``line_hz`` (50 or 60 Hz) and harmonics.

    ``n_harmonics=None`` (default) notches every multiple of ``line_hz``
    below Nyquist; see :func:`design_powerline`.
    """
    sos = design_powerline(line_hz, fs, n_harmonics=n_harmonics, quality=quality)
    return filter_sos(x, sos, zero_phase=zero_phase, axis=axis, nan_policy=nan_policy)


def remove_dc(x: Any, *, axis: int = -1, nan_policy: str = "raise") -> np.ndarray:
    """Subtract each channel's mean.

    Under ``nan_policy="mask"`` the mean is taken over the finite samples and
    the non-finite ones stay NaN. A streaming alternative is a low-cut
    :class:`StreamingHighpass` (e.g. 10–20 Hz for surface EMG).
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    if nan_policy == "mask":
        fin = np.isfinite(arr)
        clean = np.where(fin, arr, np.nan)
        with np.errstate(invalid="ignore"):
            counts = fin.sum(axis=axis, keepdims=True)
            mean = np.where(counts > 0, np.nansum(clean, axis=axis, keepdims=True) / np.maximum(counts, 1), np.nan)
        return clean - mean
    return arr - arr.mean(axis=axis, keepdims=True)


# --------------------------------------------------------------------------------------
# streaming twins
# --------------------------------------------------------------------------------------
class StreamingFilter:
    """A second-order-section filter applied chunk by chunk, carrying its state.

    Feeding a signal through :meth:`process` in chunks of any sizes gives the
    causal offline result ``scipy.signal.sosfilt(sos, x)`` (equivalently
    ``filter_sos(x, sos, zero_phase=False)``) to float precision.

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
        The filter (validated: stable, ``a0 == 1``).
    n_channels : int
        Channels per chunk; chunks are ``(n_channels, n_samples)`` (or 1-D
        when ``n_channels == 1``).
    initial : {"zero", "steady"}, default "zero"
        Initial state: ``"zero"`` as :func:`scipy.signal.sosfilt`; ``"steady"``
        the steady state for the first sample of each channel
        (``sosfilt_zi(sos) * x[:, 0]``), which avoids the start-up transient of
        a signal with an offset.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        ``"mask"``: non-finite samples give NaN and the state restarts (per
        ``initial``) at the next finite sample, exactly as the offline causal
        filter restarts on each finite run. ``"propagate"``: the state becomes
        NaN and stays NaN until :meth:`reset`.

    Attributes
    ----------
    zi : ndarray, shape (n_sections, n_channels, 2)
        A copy of the current state, in :func:`scipy.signal.sosfilt`'s layout.
    n_samples_seen : int
        Samples processed since construction or :meth:`reset`.

    Examples
    --------
    >>> import numpy as np
    >>> from myograph.signal import StreamingBandpass
    >>> live = StreamingBandpass(2000.0, 20, 450, n_channels=2)
    >>> live.process(np.zeros((2, 64))).shape
    (2, 64)
    """

    def __init__(self, sos: Any, n_channels: int, *, initial: str = "zero", nan_policy: str = "raise") -> None:
        self._sos = check_sos(sos)  # private writable copy: scipy's kernel needs a writable buffer
        self.n_channels = check_int(n_channels, "n_channels", minimum=1)
        if initial not in ("zero", "steady"):
            raise ParameterError("initial", f"must be 'zero' or 'steady', got {initial!r}")
        self.initial = initial
        self.nan_policy = check_nan_policy(nan_policy)
        self._zi_unit = sps.sosfilt_zi(self._sos)  # (n_sections, 2) steady state for a unit input
        self.reset()

    @property
    def sos(self) -> np.ndarray:
        """The filter's second-order sections (read-only)."""
        view = self._sos.view()
        view.flags.writeable = False
        return view

    def reset(self) -> None:
        """Forget the state (as if no sample had been processed)."""
        self._zi = np.zeros((self._sos.shape[0], self.n_channels, 2))
        self._fresh = np.ones(self.n_channels, dtype=bool)  # channels waiting for their first sample
        self.n_samples_seen = 0

    @property
    def zi(self) -> np.ndarray:
        return self._zi.copy()

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

    def _start(self, ch: int, first_value: float) -> None:
        if self.initial == "steady":
            self._zi[:, ch, :] = self._zi_unit * first_value
        else:
            self._zi[:, ch, :] = 0.0
        self._fresh[ch] = False

    def process(self, chunk: Any) -> np.ndarray:
        """Filter one chunk ``(n_channels, n_samples)``; returns the same shape."""
        arr, one_d = self._check_chunk(chunk)
        n = arr.shape[1]
        if n == 0:
            out = arr.copy()
            return out[0] if one_d else out
        if self.nan_policy == "raise":
            if not np.isfinite(arr).all():
                check_signal(arr, name="chunk", nan_policy="raise")
        if self.nan_policy == "mask" and not np.isfinite(arr).all():
            out = self._process_masked(arr)
        else:
            for ch in np.flatnonzero(self._fresh):
                self._start(int(ch), float(arr[ch, 0]))
            out, self._zi = sps.sosfilt(self._sos, arr, axis=-1, zi=self._zi)
        self.n_samples_seen += n
        return out[0] if one_d else out

    def _process_masked(self, arr: np.ndarray) -> np.ndarray:
        out = np.full(arr.shape, np.nan)
        for ch in range(self.n_channels):
            lane = arr[ch]
            runs = finite_runs(np.isfinite(lane))
            for a, b in runs:
                if a > 0:  # a gap precedes this run: restart
                    self._fresh[ch] = True
                if self._fresh[ch]:
                    self._start(ch, float(lane[a]))
                y, zf = sps.sosfilt(self._sos, lane[a:b], zi=self._zi[:, ch, :])
                out[ch, a:b] = y
                self._zi[:, ch, :] = zf
            if not runs or runs[-1][1] < lane.size:  # ends in a gap: restart on the next finite sample
                self._fresh[ch] = True
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} | {self._sos.shape[0]} sections, {self.n_channels} channels, {self.n_samples_seen} samples seen>"


class StreamingBandpass(StreamingFilter):
    """Streaming twin of :func:`bandpass` (causal; see :class:`StreamingFilter`)."""

    def __init__(self, fs: float, low_hz: float, high_hz: float, n_channels: int, *, order: int = 4,
                 initial: str = "zero", nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        super().__init__(design_bandpass(low_hz, high_hz, fs, order=order), n_channels, initial=initial, nan_policy=nan_policy)


class StreamingHighpass(StreamingFilter):
    """Streaming twin of :func:`highpass` (causal; see :class:`StreamingFilter`)."""

    def __init__(self, fs: float, cutoff_hz: float, n_channels: int, *, order: int = 4,
                 initial: str = "zero", nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        super().__init__(design_highpass(cutoff_hz, fs, order=order), n_channels, initial=initial, nan_policy=nan_policy)


class StreamingLowpass(StreamingFilter):
    """Streaming twin of :func:`lowpass` (causal; see :class:`StreamingFilter`)."""

    def __init__(self, fs: float, cutoff_hz: float, n_channels: int, *, order: int = 4,
                 initial: str = "zero", nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        super().__init__(design_lowpass(cutoff_hz, fs, order=order), n_channels, initial=initial, nan_policy=nan_policy)


class StreamingNotch(StreamingFilter):
    """Streaming twin of :func:`notch` (causal; see :class:`StreamingFilter`)."""

    def __init__(self, fs: float, freq_hz: float, n_channels: int, *, quality: float = 30.0, harmonics: int = 1,
                 initial: str = "zero", nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        super().__init__(design_notch(freq_hz, fs, quality=quality, harmonics=harmonics), n_channels,
                         initial=initial, nan_policy=nan_policy)


class StreamingPowerline(StreamingFilter):
    """Streaming twin of :func:`remove_powerline` (causal; see :class:`StreamingFilter`)."""

    def __init__(self, fs: float, line_hz: float, n_channels: int, *, n_harmonics: int | None = None,
                 quality: float = 30.0, initial: str = "zero", nan_policy: str = "raise") -> None:
        self.fs = check_fs(fs)
        super().__init__(design_powerline(line_hz, fs, n_harmonics=n_harmonics, quality=quality), n_channels,
                         initial=initial, nan_policy=nan_policy)
