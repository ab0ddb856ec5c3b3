"""Amplitude normalisation that reports the reference it used.

Every function returns a :class:`Normalized` ``(values, reference,
reference_time_s)``: the normalised signal *and*, per channel, the reference
amplitude it was divided by and when that reference occurred, so that a
Recording's provenance can say exactly what 100 % means.

Normalise amplitude signals (envelopes, moving RMS) — not raw EMG — and process
the reference trial the same way as the signal (SENIAM; Burden, J.
Electromyogr. Kinesiol. 20 (2010) 1023–1035).

* :func:`normalize_to_mvc` — reference: the peak of the MVC trial, averaged
  over a window (default 0.5 s).
* :func:`normalize_to_peak` — reference: the signal's own peak (peak dynamic
  method).
* :func:`normalize_to_reference` — reference: a reference (e.g. submaximal)
  contraction, its mean (default) or windowed peak.
* :func:`normalize_by` — reference: given values.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from myograph.core.errors import ParameterError, SignalError
from myograph.signal._validate import apply_lanes, check_fs, check_signal
from myograph.signal.envelopes import _moving_mean, window_samples

__all__ = [
    "Normalized",
    "reference_amplitude",
    "normalize_to_mvc",
    "normalize_to_peak",
    "normalize_to_reference",
    "normalize_by",
]


class Normalized(NamedTuple):
    """Result of a normalisation.

    Attributes
    ----------
    values : ndarray
        The normalised signal, in % of the reference (``percent=True``) or as
        a fraction of it.
    reference : ndarray, shape (n_channels,) (or ``()`` for a 1-D signal)
        The amplitude each channel was divided by, in the unit of the input.
    reference_time_s : ndarray
        Centre of the window where the reference peak was found, s from the
        start of the reference signal; NaN for ``statistic="mean"`` and for
        :func:`normalize_by`.
    """

    values: np.ndarray
    reference: np.ndarray
    reference_time_s: np.ndarray


def reference_amplitude(
    ref_x: Any,
    fs: float,
    *,
    statistic: str = "peak",
    window_s: float | None = 0.5,
    axis: int = -1,
    nan_policy: str = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel reference amplitude of a reference trial.

    Parameters
    ----------
    ref_x : array_like
        The reference trial (an amplitude signal), time along ``axis``.
    fs : float
        Its sampling rate, Hz.
    statistic : {"peak", "mean"}, default "peak"
        ``"peak"``: the largest mean over any ``window_s`` window (the plain
        maximum when ``window_s`` is None); ``"mean"``: the mean of the whole
        trial.
    window_s : float or None, default 0.5
        Averaging window for ``"peak"``, s.
    nan_policy : {"raise", "mask", "propagate"}
        ``"mask"``: non-finite samples are left out (windows are taken within
        the finite runs).

    Returns
    -------
    reference : ndarray
        One value per channel (shape of ``ref_x`` without the time axis).
    time_s : ndarray
        Centre of the peak window, s (NaN for ``"mean"``).
    """
    fs = check_fs(fs)
    arr = check_signal(ref_x, name="reference signal", axis=axis, nan_policy=nan_policy)
    moved = np.moveaxis(arr, axis, -1)
    if statistic == "mean":
        ref = np.nanmean(moved, axis=-1) if nan_policy == "mask" else moved.mean(axis=-1)
        return ref, np.full(ref.shape, np.nan)
    if statistic != "peak":
        raise ParameterError("statistic", f"must be 'peak' or 'mean', got {statistic!r}")
    centre_offset = 0.0
    if window_s is None:
        smooth = moved
    else:
        w = window_samples(window_s, fs)
        if w > moved.shape[-1]:
            raise SignalError(f"reference signal: {moved.shape[-1]} samples ({moved.shape[-1] / fs:g} s) is shorter than "
                              f"window_s = {window_s:g} s ({w} samples)")
        # full windows only: the centred mean, with truncated edge windows set aside
        half = w // 2
        smooth = apply_lanes(lambda v: _moving_mean(v, w, half), moved, nan_policy=nan_policy)
        n = moved.shape[-1]
        edge = np.ones(n, dtype=bool)
        edge[half:n - (w - 1 - half)] = False
        smooth = np.where(edge, np.nan, smooth)
        centre_offset = (w - 1) / 2 - half
    with np.errstate(invalid="ignore"):
        filled = np.where(np.isfinite(smooth), smooth, -np.inf)
        idx = np.argmax(filled, axis=-1)
    ref = np.take_along_axis(filled, idx[..., None], axis=-1)[..., 0]
    ref = np.where(np.isfinite(ref), ref, np.nan)
    if nan_policy == "propagate":
        ref = np.where(np.isfinite(moved).all(axis=-1), ref, np.nan)
    time_s = np.where(np.isfinite(ref), (idx + centre_offset) / fs, np.nan)
    return ref, time_s


def _divide(x: np.ndarray, reference: np.ndarray, axis: int, percent: bool) -> np.ndarray:
    ref = np.asarray(reference, dtype=np.float64)
    flat = np.atleast_1d(ref)
    bad = ~(np.isfinite(flat) & (flat > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SignalError(
            f"reference: channel {i} has reference amplitude {float(flat[i])!r}; a reference must be a finite number > 0 "
            f"(a flat or missing reference trial?)"
        )
    scale = (100.0 if percent else 1.0) / ref
    return np.moveaxis(np.moveaxis(x, axis, -1) * scale[..., None], -1, axis)


def normalize_by(x: Any, reference: Any, *, percent: bool = True, axis: int = -1, nan_policy: str = "raise") -> Normalized:
    """Divide each channel by a given reference amplitude.

    ``reference`` has one positive value per channel (the shape of ``x``
    without the time axis), in the unit of ``x``. With ``percent=True``
    (default) the result is in % of the reference.
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    expected = np.moveaxis(arr, axis, -1).shape[:-1]
    ref = np.asarray(reference, dtype=np.float64)
    if ref.shape != expected:
        ref = np.broadcast_to(ref, expected) if ref.size == 1 else ref
    if ref.shape != expected:
        raise ParameterError("reference", f"need one value per channel, shape {expected}, got shape {np.shape(reference)}")
    values = _divide(arr, ref, axis, bool(percent))
    if nan_policy == "mask":
        values[~np.isfinite(arr)] = np.nan  # excluded samples are NaN, never ±Inf
    return Normalized(values, ref.copy(), np.full(expected, np.nan))


def normalize_to_mvc(
    x: Any,
    mvc_x: Any,
    fs: float,
    *,
    window_s: float | None = 0.5,
    percent: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> Normalized:
    """Normalise to a maximal voluntary contraction (%MVC).

    Parameters
    ----------
    x : array_like
        The amplitude signal to normalise (envelope / moving RMS).
    mvc_x : array_like
        The MVC trial processed the same way, same channels in the same
        order (its length may differ).
    fs : float
        Sampling rate of ``mvc_x``, Hz (for the window).
    window_s : float or None, default 0.5
        The reference is the highest mean over any ``window_s`` window of
        ``mvc_x``; ``None`` takes its single largest sample.
    percent : bool, default True
        Output in %MVC; ``False``: as a fraction.
    axis, nan_policy
        Time axis; NaN handling (applies to both signals).

    Returns
    -------
    Normalized
        ``values``, ``reference`` (per channel, unit of ``x``),
        ``reference_time_s`` (centre of the peak window in ``mvc_x``).
    """
    ref, t = reference_amplitude(mvc_x, fs, statistic="peak", window_s=window_s, axis=axis, nan_policy=nan_policy)
    out = normalize_by(x, ref, percent=percent, axis=axis, nan_policy=nan_policy)
    return Normalized(out.values, out.reference, t)


def normalize_to_peak(
    x: Any,
    fs: float,
    *,
    window_s: float | None = None,
    percent: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> Normalized:
    """Normalise each channel to its own peak (peak dynamic method).

    ``window_s`` (s, default None = the single largest sample) averages the
    peak as in :func:`normalize_to_mvc`.
    """
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    ref, t = reference_amplitude(arr, fs, statistic="peak", window_s=window_s, axis=axis, nan_policy=nan_policy)
    out = normalize_by(arr, ref, percent=percent, axis=axis, nan_policy=nan_policy)
    return Normalized(out.values, out.reference, t)


def normalize_to_reference(
    x: Any,
    reference_x: Any,
    fs: float,
    *,
    statistic: str = "mean",
    window_s: float | None = 0.5,
    percent: bool = True,
    axis: int = -1,
    nan_policy: str = "raise",
) -> Normalized:
    """Normalise to a reference contraction (e.g. a submaximal held contraction).

    ``statistic="mean"`` (default) divides by the mean of ``reference_x``
    (crop it to the plateau first); ``"peak"`` by its highest ``window_s``
    mean. See :func:`reference_amplitude`.
    """
    ref, t = reference_amplitude(reference_x, fs, statistic=statistic, window_s=window_s, axis=axis, nan_policy=nan_policy)
    out = normalize_by(x, ref, percent=percent, axis=axis, nan_policy=nan_policy)
    return Normalized(out.values, out.reference, t)
