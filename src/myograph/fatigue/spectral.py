"""Sliding-window spectral fatigue indices and their regression slopes.

* :func:`sliding_spectrum` — one power spectrum per window for every channel at once
  (one STFT, or Welch averaging inside each window).
* :func:`mean_frequency`, :func:`median_frequency` — MNF and MDF over sliding windows,
  ``(times_s, values_hz)``.
* :func:`fatigue_slopes` — least-squares slope of any index against time, in its unit
  per second and in % of the initial value per second, with r², confidence interval
  and p-value.
* :func:`check_band_for_fs` — the band the indices are computed over, checked against
  the sampling rate.

During a sustained contraction the EMG power spectrum compresses towards low
frequencies as muscle-fibre conduction velocity falls and motor-unit synchronisation
rises; MNF and MDF decrease roughly linearly, and the slope (normalised to the
initial value) is the classic myoelectric manifestation of fatigue (Merletti,
Knaflitz & De Luca 1990; Merletti & Parker 2004, ch. 9).

References
----------
.. [1] Merletti R, Knaflitz M, De Luca CJ. Myoelectric manifestations of fatigue in
   voluntary and electrically elicited contractions. J Appl Physiol 1990;69:1810-1820.
.. [2] Merletti R, Parker PA (eds). Electromyography: Physiology, Engineering, and
   Non-Invasive Applications. IEEE Press / Wiley, 2004.
.. [3] Welch PD. The use of fast Fourier transform for the estimation of power spectra.
   IEEE Trans Audio Electroacoust 1967;15:70-73.
.. [4] Stulen FB, De Luca CJ. Frequency parameters of the myoelectric signal as a
   measure of muscle conduction velocity. IEEE Trans Biomed Eng 1981;28:515-523.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.signal as sps
import scipy.stats

from myograph.core.errors import ParameterError, warn
from myograph.signal import check_fs, check_signal, mean_frequency_of, median_frequency_of, spectrogram
from myograph.signal._validate import check_positive

__all__ = [
    "DEFAULT_BAND_HZ",
    "MIN_FS_HZ",
    "check_band_for_fs",
    "sliding_spectrum",
    "sliding_indices",
    "mean_frequency",
    "median_frequency",
    "SlopeFit",
    "fatigue_slopes",
]

#: surface EMG band for the spectral indices, Hz (the usual 20-450 Hz band-pass)
DEFAULT_BAND_HZ = (20.0, 450.0)
#: sampling rates below this are refused by default, Hz (see :func:`check_band_for_fs`)
MIN_FS_HZ = 400.0
#: windows per Welch chunk (bounds the memory of the segment copies)
_CHUNK_WINDOWS = 512


def check_band_for_fs(band_hz: Any, fs: float, *, min_fs_hz: float = MIN_FS_HZ,
                      name: str = "band_hz") -> tuple[float, float]:
    """The analysis band ``(low_hz, high_hz)``, checked against the sampling rate.

    Rules, in order:

    1. ``fs < min_fs_hz`` is refused (:class:`~myograph.ParameterError`): the power of
       surface EMG extends to 400-500 Hz, so at lower rates a large share lies above
       Nyquist (and has aliased below it), and MNF/MDF are biased low and not
       comparable with other studies. SENIAM and Merletti & Parker recommend
       ``fs >= 1000 Hz``. Pass ``min_fs_hz=0`` to analyse anyway.
    2. ``low_hz >= fs / 2`` is refused: nothing of the band is sampled.
    3. ``high_hz > fs / 2``: the band is cut at Nyquist with a
       :class:`~myograph.MyographWarning` that says so.

    Returns the band actually used.
    """
    fs = check_fs(fs)
    try:
        lo, hi = (float(b) for b in band_hz)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be (low_hz, high_hz), got {band_hz!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0 or hi <= lo:
        raise ParameterError(name, f"need 0 <= low_hz < high_hz (finite), got {band_hz!r}")
    min_fs = check_positive(min_fs_hz, "min_fs_hz", "Hz", allow_zero=True)
    nyq = fs / 2.0
    if fs < min_fs:
        raise ParameterError(
            "fs",
            f"{fs:g} Hz is below min_fs_hz = {min_fs:g} Hz: surface EMG has power up to 400-500 Hz, so spectral "
            f"fatigue indices at fs/2 = {nyq:g} Hz are biased low and not comparable (>= 1000 Hz is recommended); "
            "pass min_fs_hz=0 to analyse anyway",
        )
    if lo >= nyq:
        raise ParameterError(name, f"low edge {lo:g} Hz is at or above the Nyquist frequency fs/2 = {nyq:g} Hz (fs = {fs:g} Hz)")
    if hi > nyq:
        warn(f"{name}: high edge {hi:g} Hz is above the Nyquist frequency fs/2 = {nyq:g} Hz; the band is cut to "
             f"{lo:g}-{nyq:g} Hz, so spectral indices miss the power above {nyq:g} Hz and are biased low")
        hi = nyq
    return lo, hi


def _window_params(window_s: Any, step_s: Any, fs: float, n: int) -> tuple[int, int]:
    w = check_positive(window_s, "window_s", "s")
    nperseg = int(round(w * fs))
    if nperseg < 8:
        raise ParameterError("window_s", f"{w:g} s is {nperseg} samples at fs = {fs:g} Hz; need at least 8")
    if nperseg > n:
        raise ParameterError("window_s", f"{w:g} s ({nperseg} samples) is longer than the signal ({n} samples, {n / fs:g} s)")
    step = int(round(check_positive(step_s, "step_s", "s") * fs))
    if step < 1:
        raise ParameterError("step_s", f"{step_s!r} s is shorter than one sample at fs = {fs:g} Hz")
    return nperseg, step


def window_starts(n_samples: int, window_samples: int, step_samples: int) -> np.ndarray:
    """First sample of each full window (``scipy.signal.spectrogram``'s placement)."""
    if window_samples > n_samples:
        return np.zeros(0, dtype=np.int64)
    return np.arange(0, n_samples - window_samples + 1, step_samples, dtype=np.int64)


def sliding_spectrum(
    x: Any,
    fs: float,
    window_s: float = 0.5,
    step_s: float = 0.25,
    *,
    segment_s: float | None = None,
    window: str | tuple = "hann",
    detrend: str | bool = "constant",
    axis: int = -1,
    nan_policy: str = "raise",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power spectral density of every sliding window of every channel.

    Parameters
    ----------
    x : array_like
        Samples, 1-D or ``(n_channels, n_samples)`` (any leading dimensions), e.g. V.
    fs : float
        Sampling rate, Hz.
    window_s : float, default 0.5
        Analysis window, s. 0.5-1 s windows are usual for fatigue (stationarity of
        isometric contractions over about 1 s; Merletti & Parker 2004).
    step_s : float, default 0.25
        Hop between window starts, s (may exceed ``window_s``: gaps between windows).
    segment_s : float, optional
        None: one Hann-windowed periodogram per window (one STFT, via
        :func:`myograph.signal.spectrogram`). A length shorter than ``window_s``:
        Welch's method inside each window (segments of ``segment_s`` with 50 %
        overlap, averaged) — lower variance, coarser resolution ``1 / segment_s`` Hz.
    window, detrend
        As :func:`scipy.signal.welch`.
    axis : int, default -1
        Time axis.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        ``"mask"`` and ``"propagate"``: a window containing a non-finite sample
        gives a NaN spectrum (windows are independent); others are unaffected.

    Returns
    -------
    freqs_hz : ndarray, shape (n_freqs,)
    times_s : ndarray, shape (n_windows,)
        Window centres, s from the first sample.
    power : ndarray, shape ``leading + (n_freqs, n_windows)``
        One-sided density (unit of ``x`` squared per Hz), frequency on axis -2 as in
        :func:`myograph.signal.spectrogram`.
    """
    fs = check_fs(fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    with np.errstate(invalid="ignore", over="ignore"):  # windows with NaN/Inf become NaN
        return _sliding_spectrum(arr, fs, window_s, step_s, segment_s, window, detrend, axis)


def _sliding_spectrum(arr, fs, window_s, step_s, segment_s, window, detrend, axis):
    moved = np.moveaxis(arr, axis, -1)
    n = moved.shape[-1]
    nperseg, step = _window_params(window_s, step_s, fs, n)
    if segment_s is None:
        if step <= nperseg:
            f, t, p = spectrogram(moved, fs, window_s=nperseg / fs, step_s=step / fs, window=window,
                                  detrend=detrend, nan_policy="propagate")
            p[~np.isfinite(p)] = np.nan
            return f, t, p
        nseg = nperseg
    else:
        nseg = int(round(check_positive(segment_s, "segment_s", "s") * fs))
        if not 8 <= nseg <= nperseg:
            raise ParameterError("segment_s", f"must be between 8 samples ({8 / fs:g} s) and window_s ({nperseg / fs:g} s), got {segment_s!r}")
    starts = window_starts(n, nperseg, step)
    views = np.lib.stride_tricks.sliding_window_view(moved, nperseg, axis=-1)[..., starts, :]
    f = np.fft.rfftfreq(nseg, 1.0 / fs)
    power = np.empty(moved.shape[:-1] + (f.size, starts.size))
    for c0 in range(0, starts.size, _CHUNK_WINDOWS):
        c1 = min(starts.size, c0 + _CHUNK_WINDOWS)
        _, p = sps.welch(views[..., c0:c1, :], fs=fs, window=window, nperseg=nseg, noverlap=nseg // 2,
                         detrend=detrend, scaling="density", axis=-1)
        power[..., c0:c1] = np.moveaxis(p, -1, -2)
    times = (starts + nperseg / 2) / fs
    power[~np.isfinite(power)] = np.nan
    return f, times, power


def sliding_indices(
    x: Any,
    fs: float,
    window_s: float,
    step_s: float,
    funcs: dict[str, Any],
    *,
    segment_s: float | None = None,
    window: str | tuple = "hann",
    axis: int = -1,
    nan_policy: str = "raise",
    max_block_values: int = 2 ** 24,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Reduce each window's spectrum with ``funcs`` in bounded memory.

    Computes :func:`sliding_spectrum` over consecutive blocks of windows, so that the
    spectra held at once stay below ``max_block_values`` numbers (128 MiB by default),
    and applies every ``funcs[name](freqs_hz, power)`` (``power`` with frequency on
    axis -2) to each block. An hour of 64 channels at 2048 Hz in 0.5-s windows would
    otherwise hold 3.8 GB of spectra.

    Returns
    -------
    times_s : ndarray, shape (n_windows,)
    values : dict of ndarray
        ``name -> leading + (n_windows,)``.
    """
    fs = check_fs(fs)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    moved = np.moveaxis(arr, axis, -1)
    n = moved.shape[-1]
    nperseg, step = _window_params(window_s, step_s, fs, n)
    starts = window_starts(n, nperseg, step)
    nseg = nperseg if segment_s is None else int(round(check_positive(segment_s, "segment_s", "s") * fs))
    per_window = max(1, int(np.prod(moved.shape[:-1]))) * (nseg // 2 + 1)
    block = max(1, int(max_block_values) // per_window)
    times, parts = [], {k: [] for k in funcs}
    for b0 in range(0, starts.size, block):
        b1 = min(starts.size, b0 + block)
        s0, s1 = int(starts[b0]), int(starts[b1 - 1]) + nperseg
        f, t, p = sliding_spectrum(moved[..., s0:s1], fs, nperseg / fs, step / fs, segment_s=segment_s, window=window,
                                   nan_policy="propagate")
        times.append(t + s0 / fs)
        for k, fn in funcs.items():
            parts[k].append(fn(f, p))
    if not times:
        return np.zeros(0), {k: np.zeros(moved.shape[:-1] + (0,)) for k in funcs}
    return np.concatenate(times), {k: np.concatenate(v, axis=-1) for k, v in parts.items()}


def _sliding_index(func, x, fs, window_s, step_s, band_hz, segment_s, window, axis, nan_policy, min_fs_hz):
    band = check_band_for_fs(band_hz, check_fs(fs), min_fs_hz=min_fs_hz)
    t, v = sliding_indices(x, fs, window_s, step_s, {"v": lambda f, p: func(f, p, band_hz=band, axis=-2)},
                           segment_s=segment_s, window=window, axis=axis, nan_policy=nan_policy)
    return t, v["v"]


def mean_frequency(
    x: Any,
    fs: float,
    window_s: float = 0.5,
    step_s: float = 0.25,
    *,
    band_hz: tuple[float, float] = DEFAULT_BAND_HZ,
    segment_s: float | None = None,
    window: str | tuple = "hann",
    axis: int = -1,
    nan_policy: str = "raise",
    min_fs_hz: float = MIN_FS_HZ,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (power) frequency MNF ``= Σ f P(f) / Σ P(f)`` over ``band_hz``, per sliding window.

    Parameters
    ----------
    x, fs, window_s, step_s, segment_s, window, axis, nan_policy
        As :func:`sliding_spectrum`.
    band_hz : (float, float), default (20, 450)
        Frequencies counted, Hz; checked by :func:`check_band_for_fs` (refused below
        ``min_fs_hz``, cut at Nyquist with a warning).
    min_fs_hz : float, default 400
        Lowest sampling rate accepted, Hz.

    Returns
    -------
    times_s : ndarray, shape (n_windows,)
        Window centres, s.
    values_hz : ndarray, shape ``leading + (n_windows,)``
        MNF per channel and window, Hz; NaN for a window without power in the band
        (no activity, e.g. an all-zero channel) or with a non-finite sample.

    Examples
    --------
    >>> t, mnf = mean_frequency(emg, fs=2000.0, window_s=0.5, step_s=0.25)   # doctest: +SKIP
    """
    return _sliding_index(mean_frequency_of, x, fs, window_s, step_s, band_hz, segment_s, window, axis, nan_policy,
                          min_fs_hz)


def median_frequency(
    x: Any,
    fs: float,
    window_s: float = 0.5,
    step_s: float = 0.25,
    *,
    band_hz: tuple[float, float] = DEFAULT_BAND_HZ,
    segment_s: float | None = None,
    window: str | tuple = "hann",
    axis: int = -1,
    nan_policy: str = "raise",
    min_fs_hz: float = MIN_FS_HZ,
) -> tuple[np.ndarray, np.ndarray]:
    """Median frequency MDF (half the band's power below, half above) per sliding window.

    Arguments and results as :func:`mean_frequency`; the cumulative power is
    interpolated linearly between bins (:func:`myograph.signal.median_frequency_of`).
    """
    return _sliding_index(median_frequency_of, x, fs, window_s, step_s, band_hz, segment_s, window, axis, nan_policy,
                          min_fs_hz)


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares line ``value = intercept + slope * t`` per channel.

    All arrays have the shape of the values without their time axis.

    Attributes
    ----------
    slope : ndarray
        Unit of the values per second (Hz/s for MNF/MDF).
    intercept : ndarray
        Value of the line at ``t = 0``.
    initial : ndarray
        Value of the line at ``t0_s`` (the first time by default): the reference
        for the relative slope.
    slope_pct_per_s : ndarray
        ``100 * slope / initial``, % of the initial value per second (NaN when the
        initial value is not positive).
    ci_low, ci_high : ndarray
        Confidence interval of ``slope`` (t distribution, ``n - 2`` degrees of freedom).
    ci_low_pct_per_s, ci_high_pct_per_s : ndarray
        The same divided by ``initial`` (the intercept's own uncertainty is not propagated).
    r2 : ndarray
        Coefficient of determination.
    p_value : ndarray
        Two-sided p-value of ``slope != 0``.
    n : ndarray of int
        Finite values used.
    t0_s : float
        Time of ``initial``, s.
    confidence : float
    reason : ndarray of str
        ``""`` when the fit exists, else why it does not (fewer than 3 finite values,
        no spread in time).
    """

    slope: np.ndarray
    intercept: np.ndarray
    initial: np.ndarray
    slope_pct_per_s: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_low_pct_per_s: np.ndarray
    ci_high_pct_per_s: np.ndarray
    r2: np.ndarray
    p_value: np.ndarray
    n: np.ndarray
    t0_s: float
    confidence: float
    reason: np.ndarray

    def to_dataframe(self, names: list[str] | None = None, prefix: str = "") -> pd.DataFrame:
        """One row per channel (flattened), columns prefixed by ``prefix``."""
        cols = ("slope", "slope_pct_per_s", "ci_low", "ci_high", "ci_low_pct_per_s", "ci_high_pct_per_s",
                "intercept", "initial", "r2", "p_value", "n", "reason")
        data = {prefix + c: np.asarray(getattr(self, c)).reshape(-1) for c in cols}
        index = pd.Index(names, name="channel") if names is not None else None
        return pd.DataFrame(data, index=index)


def fatigue_slopes(
    times_s: Any,
    values: Any,
    *,
    t0_s: float | None = None,
    confidence: float = 0.95,
    axis: int = -1,
) -> SlopeFit:
    """Regression slope of a fatigue index against time, absolute and relative.

    Ordinary least squares of ``values`` on ``times_s`` per channel, using only the
    finite values (skipped and NaN windows drop out). The relative slope divides by
    the regression line's value at ``t0_s`` — the initial value "from the
    regression intercept" (Merletti et al. 1990), which is less noisy than the
    first window's own value.

    Parameters
    ----------
    times_s : array_like, shape (n_windows,)
        Times of the values, s (window centres).
    values : array_like, shape ``leading + (n_windows,)`` along ``axis``
        e.g. MNF or MDF in Hz, RMS in V, FInsm5.
    t0_s : float, optional
        Time of the initial value, s; default ``times_s[0]``. With times measured from
        the start of the contraction, ``t0_s=0`` makes it the intercept.
    confidence : float, default 0.95
        Level of the slope's confidence interval.
    axis : int, default -1
        Time axis of ``values``.

    Returns
    -------
    SlopeFit
        NaN fields with a ``reason`` for a channel with fewer than 3 finite values.

    Examples
    --------
    >>> t, mdf = median_frequency(emg, fs, 0.5, 0.25)                   # doctest: +SKIP
    >>> fit = fatigue_slopes(t, mdf)                                     # doctest: +SKIP
    >>> fit.slope, fit.slope_pct_per_s                                   # Hz/s, %/s  # doctest: +SKIP
    """
    t = np.asarray(times_s, dtype=np.float64).reshape(-1)
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    if v.shape[-1] != t.size:
        raise ParameterError("times_s", f"need one time per value along axis {axis}: {t.size} times, values shape {np.shape(values)}")
    if not np.isfinite(t).all():
        raise ParameterError("times_s", "times must be finite")
    c = float(confidence)
    if not 0 < c < 1:
        raise ParameterError("confidence", f"must be in (0, 1), got {confidence!r}")
    t_ref = (float(t[0]) if t.size else 0.0) if t0_s is None else float(t0_s)
    w = np.isfinite(v)
    n = w.sum(axis=-1)
    vz = np.where(w, v, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = (w * t).sum(axis=-1) / n
        vm = vz.sum(axis=-1) / n
        dt = np.where(w, t - tm[..., None], 0.0)
        dv = np.where(w, v - vm[..., None], 0.0)
        sxx = (dt * dt).sum(axis=-1)
        sxy = (dt * dv).sum(axis=-1)
        syy = (dv * dv).sum(axis=-1)
        slope = sxy / sxx
        intercept = vm - slope * tm
        ss_res = np.maximum(syy - slope * sxy, 0.0)
        r2 = np.where(syy > 0, 1.0 - ss_res / syy, np.nan)
        dof = n - 2
        se = np.sqrt(ss_res / np.maximum(dof, 1) / sxx)
        q = scipy.stats.t.ppf(0.5 + c / 2, np.maximum(dof, 1))
        tstat = slope / se
        p = np.where(se > 0, 2 * scipy.stats.t.sf(np.abs(tstat), np.maximum(dof, 1)), np.where(slope != 0, 0.0, 1.0))
        initial = intercept + slope * t_ref
        rel = np.where(initial > 0, 100.0 / initial, np.nan)
    ok = (n >= 3) & (sxx > 0)
    reason = np.where(n < 3, "fewer than 3 finite values to fit", np.where(sxx > 0, "", "all values at one time"))
    reason = np.asarray(np.broadcast_to(reason, n.shape), dtype=object)

    def keep(a):
        return np.where(ok, a, np.nan)

    slope, intercept, initial = keep(slope), keep(intercept), keep(initial)
    lo, hi = keep(slope - q * se), keep(slope + q * se)
    return SlopeFit(
        slope=slope, intercept=intercept, initial=initial, slope_pct_per_s=slope * rel,
        ci_low=lo, ci_high=hi, ci_low_pct_per_s=lo * rel, ci_high_pct_per_s=hi * rel,
        r2=keep(r2), p_value=keep(p), n=n.astype(int), t0_s=t_ref, confidence=c, reason=reason,
    )
