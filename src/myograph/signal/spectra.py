"""Power spectra with windows in seconds, and spectral summary frequencies.

* :func:`psd` — Welch power spectral density (V²/Hz for a signal in V).
* :func:`spectrogram` — short-time power spectral density, one column per window.
* :func:`mean_frequency_of`, :func:`median_frequency_of` — mean (MNF) and
  median (MDF) frequency of a spectrum, the classic EMG fatigue indices
  (Merletti, Knaflitz & De Luca, J. Appl. Physiol. 69 (1990) 1810–1820).
* :func:`band_power` — power within a band.

The fatigue domain builds sliding-window MNF/MDF on :func:`spectrogram` and
the two ``*_frequency_of`` functions, whose ``axis`` names the frequency axis
(``-1`` for :func:`psd` output, ``-2`` for :func:`spectrogram` output).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.signal as sps

from myograph.core.errors import ParameterError
from myograph.signal._validate import check_fs, check_positive, check_signal

__all__ = ["psd", "spectrogram", "mean_frequency_of", "median_frequency_of", "band_power"]


def _segment(window_s: Any, fs: float, n: int, name: str = "window_s") -> int:
    w = check_positive(window_s, name, "s")
    nperseg = int(round(w * fs))
    if nperseg < 2:
        raise ParameterError(name, f"{w:g} s is fewer than 2 samples at fs = {fs:g} Hz (at least {2 / fs:g} s)")
    if nperseg > n:
        raise ParameterError(name, f"{w:g} s ({nperseg} samples) is longer than the signal ({n} samples, {n / fs:g} s)")
    return nperseg


def psd(
    x: Any,
    fs: float,
    *,
    window_s: float = 0.5,
    overlap: float = 0.5,
    window: str | tuple = "hann",
    detrend: str | bool = "constant",
    axis: int = -1,
    nan_policy: str = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectral density.

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``), e.g. in V.
    fs : float
        Sampling rate, Hz.
    window_s : float, default 0.5
        Segment length, s (frequency resolution ``1 / window_s`` Hz).
    overlap : float, default 0.5
        Fraction of a segment shared with the next, in ``[0, 1)``.
    window : str or tuple, default "hann"
        Any window :func:`scipy.signal.get_window` accepts.
    detrend : {"constant", "linear", False}, default "constant"
        Per-segment detrending.
    axis : int, default -1
        Time axis.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        ``"mask"``: segments containing non-finite samples are left out of
        the average (a channel with no finite segment gives NaN);
        ``"propagate"``: they make the channel's spectrum NaN.

    Returns
    -------
    freqs_hz : ndarray, shape (n_freqs,)
    power : ndarray, shape ``x.shape`` with the time axis replaced by ``n_freqs`` (last)
        One-sided density, unit of ``x`` squared per Hz; ``sum(power) * df``
        is the signal's variance.
    """
    fs = check_fs(fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    nperseg = _segment(window_s, fs, arr.shape[axis])
    ov = float(overlap)
    if not 0 <= ov < 1:
        raise ParameterError("overlap", f"must be a fraction in [0, 1), got {overlap!r}")
    noverlap = min(int(round(ov * nperseg)), nperseg - 1)
    moved = np.moveaxis(arr, axis, -1)
    if nan_policy != "mask" or np.isfinite(moved).all():
        return sps.welch(moved, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, detrend=detrend,
                         scaling="density", axis=-1)
    f, _, sxx = sps.spectrogram(moved, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, detrend=detrend,
                                scaling="density", mode="psd", axis=-1)
    valid = np.isfinite(sxx).all(axis=-2, keepdims=True)  # (..., 1, n_segments)
    count = valid.sum(axis=-1)
    total = np.where(valid, sxx, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        power = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return f, power


def spectrogram(
    x: Any,
    fs: float,
    *,
    window_s: float = 0.25,
    step_s: float | None = None,
    window: str | tuple = "hann",
    detrend: str | bool = "constant",
    axis: int = -1,
    nan_policy: str = "raise",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Short-time power spectral density (a spectrogram) with windows in seconds.

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``).
    fs : float
        Sampling rate, Hz.
    window_s : float, default 0.25
        Window length, s.
    step_s : float, optional
        Hop between window starts, s; default half a window.
    window, detrend, axis
        As :func:`psd`.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        Windows are independent, so under ``"mask"`` and ``"propagate"``
        alike a window containing a non-finite sample is NaN.

    Returns
    -------
    freqs_hz : ndarray, shape (n_freqs,)
    times_s : ndarray, shape (n_windows,)
        Centre of each window, s from the first sample.
    power : ndarray, shape ``x.shape[:-1] + (n_freqs, n_windows)``
        One-sided density per window (unit of ``x`` squared per Hz).
    """
    fs = check_fs(fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    nperseg = _segment(window_s, fs, arr.shape[axis])
    step = nperseg // 2 if step_s is None else int(round(check_positive(step_s, "step_s", "s") * fs))
    if not 1 <= step <= nperseg:
        raise ParameterError("step_s", f"must be between 1 sample ({1 / fs:g} s) and the window ({nperseg / fs:g} s), got {step_s!r}")
    moved = np.moveaxis(arr, axis, -1)
    f, t, sxx = sps.spectrogram(moved, fs=fs, window=window, nperseg=nperseg, noverlap=nperseg - step,
                                detrend=detrend, scaling="density", mode="psd", axis=-1)
    return f, t, sxx


def _band_select(freqs_hz: Any, power: Any, band_hz: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(freqs_hz, dtype=np.float64)
    p = np.moveaxis(np.asarray(power, dtype=np.float64), axis, -1)
    if f.ndim != 1 or p.shape[-1] != f.size:
        raise ParameterError("freqs_hz", f"need one frequency per entry of power along axis {axis}: {f.size} frequencies, power shape {np.shape(power)}")
    if band_hz is not None:
        lo, hi = (float(b) for b in band_hz)
        if not lo < hi:
            raise ParameterError("band_hz", f"need (low, high) with low < high, got {band_hz!r}")
        keep = (f >= lo) & (f <= hi)
        if keep.sum() < 1:
            raise ParameterError("band_hz", f"no frequency bin lies in {lo:g}–{hi:g} Hz (bins span {f[0]:g}–{f[-1]:g} Hz)")
        f, p = f[keep], p[..., keep]
    return f, p


def mean_frequency_of(freqs_hz: Any, power: Any, *, band_hz: tuple[float, float] | None = None, axis: int = -1) -> np.ndarray:
    """Mean frequency (MNF, spectral centroid) ``sum(f * P) / sum(P)``, Hz.

    Parameters
    ----------
    freqs_hz : array_like, shape (n_freqs,)
    power : array_like
        Spectra with frequency along ``axis`` (``-1`` for :func:`psd`,
        ``-2`` for :func:`spectrogram`).
    band_hz : (float, float), optional
        Only bins with ``low <= f <= high`` count (e.g. the band-pass band).
    axis : int, default -1
        Frequency axis of ``power``.

    Returns
    -------
    ndarray
        ``power``'s shape without the frequency axis; NaN where the total
        power is 0 (undefined) or the spectrum is NaN.
    """
    f, p = _band_select(freqs_hz, power, band_hz, axis)
    total = p.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (p * f).sum(axis=-1) / np.where(total > 0, total, 1.0), np.nan)


def median_frequency_of(freqs_hz: Any, power: Any, *, band_hz: tuple[float, float] | None = None, axis: int = -1) -> np.ndarray:
    """Median frequency (MDF): the frequency dividing the spectrum into two halves of equal power, Hz.

    The cumulative power is interpolated linearly between bins: with
    ``C[k] = P[0] + ... + P[k]`` and ``k`` the first bin where ``C[k] >=
    C[-1] / 2``, MDF ``= f[k-1] + (C[-1]/2 - C[k-1]) / P[k] * (f[k] - f[k-1])``
    (``f[0]`` when ``k == 0``). Arguments and NaN results as
    :func:`mean_frequency_of`.
    """
    f, p = _band_select(freqs_hz, power, band_hz, axis)
    c = np.cumsum(p, axis=-1)
    total = c[..., -1:]
    half = total / 2
    bad = ~(np.isfinite(total[..., 0]) & (total[..., 0] > 0))
    k = np.argmax(np.where(np.isfinite(c), c, np.inf) >= half, axis=-1)
    k_prev = np.maximum(k - 1, 0)
    c_k = np.take_along_axis(c, k[..., None], axis=-1)[..., 0]
    c_prev = np.where(k > 0, np.take_along_axis(c, k_prev[..., None], axis=-1)[..., 0], 0.0)
    f_prev = np.where(k > 0, f[k_prev], f[0])
    step = np.where(k > 0, f[k] - f[k_prev], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(c_k > c_prev, (half[..., 0] - c_prev) / (c_k - c_prev), 0.0)
        out = f_prev + frac * step
    return np.where(bad, np.nan, out)


def band_power(freqs_hz: Any, power: Any, band_hz: tuple[float, float], *, axis: int = -1) -> np.ndarray:
    """Power in ``band_hz`` (inclusive), ``sum(P) * df`` — V² for a density in V²/Hz."""
    f_all = np.asarray(freqs_hz, dtype=np.float64)
    df = float(f_all[1] - f_all[0]) if f_all.size > 1 else 1.0
    _, p = _band_select(freqs_hz, power, band_hz, axis)
    return p.sum(axis=-1) * df
