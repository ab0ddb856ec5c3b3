"""Per-channel signal-quality metrics and artefact detectors for EMG.

Plain functions over ``(n_channels, n_samples)`` arrays (or 1-D signals) with ``fs``
explicit; each returns one value per channel, or for detectors one list of
``(start, stop)`` sample spans per channel. :func:`myograph.quality.assess_quality`
runs them all on a Recording and turns their findings into ``BAD_*`` annotations.

==========================  ==================================================================
metric                      definition
==========================  ==================================================================
:func:`powerline_ratio`     Welch power within ±``half_width_hz`` of the mains frequency and its
                            harmonics, over the power in ``band_hz`` (20-450 Hz), 0-1
:func:`noise_levels`        windowed power split into rest and activity (Otsu's threshold on
                            log power); baseline noise RMS = RMS of rest windows, SNR =
                            ``10 log10((P_active - P_rest) / P_rest)``
:func:`clipping_runs`       runs of ≥ ``min_run_samples`` samples at the converter's range
                            (when known) or at the channel's own extreme value
:func:`flat_spans`          spans ≥ ``min_duration_s`` whose moving standard deviation is at
                            or below a floor (disconnected, unused or stuck channels)
:func:`motion_spans`        spans where the 1-20 Hz power exceeds the 20-450 Hz power by
                            ``ratio_db`` (motion artefacts, electrode pops), split into
                            motion and electrode pops by an abrupt step at their start
:func:`motion_power_ratio`  1-20 Hz power over 20-450 Hz power of the whole channel, dB
ECG                         :func:`myograph.quality.detect_qrs` (matched-filter QRS detection,
                            regular 42-180 bpm rhythm)
==========================  ==================================================================

References
----------
.. [1] Clancy EA, Morin EL, Merletti R. Sampling, noise-reduction and amplitude estimation
   issues in surface electromyography. J Electromyogr Kinesiol 2002;12:1-16.
.. [2] De Luca CJ, Gilmore LD, Kuznetsov M, Roy SH. Filtering the surface EMG signal:
   movement artifact and baseline noise contamination. J Biomech 2010;43:1573-1579
   (motion artefacts at 0-20 Hz; baseline noise RMS; 20-450 Hz band).
.. [3] Otsu N. A threshold selection method from gray-level histograms. IEEE Trans Syst
   Man Cybern 1979;9:62-66.
.. [4] Sinderby C, Lindström L, Grassino AE. Automatic assessment of electromyogram
   quality. J Appl Physiol 1995;79:1803-1815 (power-line and low-frequency indices).
.. [5] Mesin L, Merletti R, Rainoldi A. Surface EMG: the issue of electrode location.
   J Electromyogr Kinesiol 2009;19:719-726.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError, SignalError
from myograph.core.spans import mask_to_spans, merge_spans
from myograph.signal import StreamingBandpass, bandpass, check_fs, check_signal, psd
from myograph.signal._validate import check_positive

__all__ = [
    "EMG_BAND_HZ",
    "MOTION_BAND_HZ",
    "powerline_ratio",
    "NoiseLevels",
    "noise_levels",
    "snr_estimate",
    "baseline_noise_rms",
    "clipping_runs",
    "flat_spans",
    "MotionSpans",
    "motion_spans",
    "motion_power_ratio",
    "span_fraction",
]

#: band of surface EMG, Hz
EMG_BAND_HZ = (20.0, 450.0)
#: band of motion artefacts, Hz (De Luca et al. 2010: 0-20 Hz; above 1 Hz to leave out baseline wander)
MOTION_BAND_HZ = (1.0, 20.0)

Spans = list[tuple[int, int]]


def _as_2d(x: Any, nan_policy: str, name: str = "x") -> tuple[np.ndarray, bool]:
    arr = check_signal(x, name=name, nan_policy=nan_policy)
    if arr.ndim > 2:
        raise ParameterError(name, f"must be 1-D (n_samples,) or 2-D (n_channels, n_samples), got shape {arr.shape}")
    return (arr[np.newaxis] if arr.ndim == 1 else arr), arr.ndim == 1


def _band(band_hz: Any, fs: float, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in band_hz)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be (low_hz, high_hz), got {band_hz!r}") from None
    if not 0 <= lo < hi:
        raise ParameterError(name, f"need 0 <= low < high, got {band_hz!r}")
    if lo >= fs / 2:
        raise ParameterError(name, f"low edge {lo:g} Hz is at or above the Nyquist frequency {fs / 2:g} Hz")
    return lo, min(hi, fs / 2)


def span_fraction(spans: Spans, n_samples: int) -> float:
    """Fraction of ``n_samples`` covered by ``spans`` (overlaps counted once)."""
    if n_samples <= 0:
        return 0.0
    return sum(b - a for a, b in merge_spans(spans)) / n_samples


# --------------------------------------------------------------------------- power line


def powerline_ratio(
    x: Any,
    fs: float,
    line_hz: float = 50.0,
    *,
    half_width_hz: float = 1.0,
    band_hz: tuple[float, float] = EMG_BAND_HZ,
    window_s: float = 2.0,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Share of the band's power that lies at the mains frequency and its harmonics.

    ``P_line / P_band``: ``P_line`` is the Welch power in ``[k·line_hz ± half_width_hz]``
    for every multiple ``k`` of ``line_hz`` inside ``band_hz``; ``P_band`` the power in
    ``band_hz`` (which includes ``P_line``). 0 = no interference, 1 = nothing but
    interference. Clean EMG over 20-450 Hz with ±1 Hz windows at 50, 100 … 450 Hz
    gives about ``9 · 2 / 430 ≈ 0.04`` for a flat spectrum and less for a real EMG
    spectrum (whose power lies mostly below 150 Hz).

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D, e.g. V.
    fs : float
        Sampling rate, Hz.
    line_hz : float, default 50
        Mains frequency, Hz (50 or 60).
    half_width_hz : float, default 1
        Half-width of each line window, Hz. With the default 2-s Hann window the
        resolution is 0.5 Hz and a stable mains line falls entirely inside ±1 Hz.
    band_hz : (float, float), default (20, 450)
        Reference band, Hz (cut at Nyquist).
    window_s : float, default 2
        Welch segment, s (shortened to the signal when it is shorter).
    nan_policy : {"raise", "mask", "propagate"}
        As :func:`myograph.signal.psd`.

    Returns
    -------
    ndarray, shape (n_channels,) (a float for 1-D input)
        NaN for a channel without power in the band.
    """
    fs = check_fs(fs)
    arr, one = _as_2d(x, nan_policy)
    f0 = check_positive(line_hz, "line_hz", "Hz")
    hw = check_positive(half_width_hz, "half_width_hz", "Hz")
    lo, hi = _band(band_hz, fs, "band_hz")
    win = min(check_positive(window_s, "window_s", "s"), arr.shape[-1] / fs)
    with np.errstate(invalid="ignore", over="ignore"):  # segments holding ±Inf are left out ("mask") or NaN
        f, p = psd(arr, fs, window_s=win, nan_policy=nan_policy)
    in_band = (f >= lo) & (f <= hi)
    mult = np.arange(1, int(hi // f0) + 2) * f0
    near = np.zeros(f.size, dtype=bool)
    for m in mult:
        near |= np.abs(f - m) <= hw + 1e-9
    p_band = p[:, in_band].sum(axis=-1)
    p_line = p[:, in_band & near].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(p_band > 0, p_line / np.where(p_band > 0, p_band, 1.0), np.nan)
    return float(ratio[0]) if one else ratio


# --------------------------------------------------------------------------- noise and SNR


@dataclass(frozen=True)
class NoiseLevels:
    """Rest and activity levels of each channel, from the signal itself.

    Attributes
    ----------
    snr_db : ndarray
        ``10 log10((P_active - P_rest) / P_rest)``, dB; NaN with a reason where the
        channel shows no distinct rest and activity.
    baseline_rms : ndarray
        RMS of the rest windows (baseline noise), unit of the signal; NaN where no rest
        was found.
    active_rms : ndarray
        RMS of the activity windows, unit of the signal.
    rest_fraction : ndarray
        Fraction of the examined windows classified as rest.
    contrast_db : ndarray
        Difference of the two classes' median log power, dB.
    reason : ndarray of str
        Why a value is NaN (``""`` otherwise).
    """

    snr_db: np.ndarray
    baseline_rms: np.ndarray
    active_rms: np.ndarray
    rest_fraction: np.ndarray
    contrast_db: np.ndarray
    reason: np.ndarray


def _otsu(values: np.ndarray, bins: int = 128) -> float:
    """Otsu's threshold on 1-D values (maximises the between-class variance)."""
    hist, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    s0 = np.cumsum(hist * centres)
    m0 = s0 / np.maximum(w0, 1)
    m1 = (s0[-1] - s0) / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    k = int(np.argmax(between[:-1])) if bins > 1 else 0
    return float(edges[k + 1])


def noise_levels(
    x: Any,
    fs: float,
    *,
    window_s: float = 0.1,
    highpass_hz: float | None = 10.0,
    min_contrast_db: float = 3.0,
    exclude: np.ndarray | None = None,
    nan_policy: str = "raise",
) -> NoiseLevels:
    """Baseline noise, activity level and SNR estimated from the signal alone.

    The (high-passed) signal is cut into ``window_s`` windows; their log mean square
    is split into a low (rest) and a high (activity) class by Otsu's threshold. The
    baseline noise power ``P_rest`` is the median power of the rest windows (robust to
    windows that catch the edge of a burst), ``P_active`` the mean power of the
    activity windows, and ``SNR = 10 log10((P_active - P_rest) / P_rest)`` — the
    active signal power over the noise power, the definition used by
    :func:`myograph.simulate.noise.add_noise`. The noise is taken as broadband
    (above ``highpass_hz`` only), as amplifier noise is.

    A channel needs rest periods: when the two classes' median powers differ by less
    than ``min_contrast_db`` the distribution is unimodal (a continuous contraction,
    or no activity at all) and SNR and baseline are NaN with a reason.

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D.
    fs : float
        Sampling rate, Hz.
    window_s : float, default 0.1
    highpass_hz : float or None, default 10
        Butterworth high-pass (order 2, zero-phase) to remove offsets, baseline wander
        and most motion artefacts first; None = only the window mean is removed.
    min_contrast_db : float, default 3
        Smallest rest/activity contrast accepted, dB.
    exclude : array of bool, optional
        ``(n_channels, n_samples)`` (or ``(n_samples,)``): samples to leave out (e.g.
        bad spans); windows touching them are not used. Exactly-zero windows (flat
        spans) are always left out.
    nan_policy : {"raise", "mask", "propagate"}
        ``"mask"``: windows with non-finite samples are left out; ``"propagate"``:
        such a channel gives NaN.
    """
    fs = check_fs(fs)
    arr, one = _as_2d(x, nan_policy)
    w = int(round(check_positive(window_s, "window_s", "s") * fs))
    if w < 4:
        raise ParameterError("window_s", f"{window_s!r} s is fewer than 4 samples at {fs:g} Hz")
    n_ch, n = arr.shape
    nw = n // w
    if nw < 4:
        raise SignalError(f"x: {n} samples make {nw} windows of {window_s:g} s; noise estimation needs at least 4")
    filtered = False
    y = arr
    if highpass_hz is not None:
        try:
            y = _highpass(arr, fs, float(highpass_hz), nan_policy)
            filtered = True
        except SignalError:  # too short for the filter's padding: window means only
            y = arr
    seg = y[:, : nw * w].reshape(n_ch, nw, w)
    if not filtered:
        seg = seg - seg.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        power = np.mean(seg * seg, axis=-1)
    usable = np.isfinite(power) & (power > 0)
    raw = arr[:, : nw * w].reshape(n_ch, nw, w)
    usable &= ~np.all(raw == raw[..., :1], axis=-1)  # flat windows
    if exclude is not None:
        ex = np.asarray(exclude, dtype=bool)
        ex = np.broadcast_to(ex if ex.ndim == 2 else ex[np.newaxis], arr.shape)
        usable &= ~ex[:, : nw * w].reshape(n_ch, nw, w).any(axis=-1)
    snr = np.full(n_ch, np.nan)
    base = np.full(n_ch, np.nan)
    act = np.full(n_ch, np.nan)
    restf = np.full(n_ch, np.nan)
    contrast = np.full(n_ch, np.nan)
    reason = np.full(n_ch, "", dtype=object)
    for c in range(n_ch):
        pw = power[c, usable[c]]
        if pw.size < 4:
            reason[c] = f"fewer than 4 usable {window_s:g}-s windows (flat, excluded or non-finite)"
            continue
        lp = np.log10(pw)
        if np.ptp(lp) == 0:
            reason[c] = "every window has the same power: no rest/activity contrast"
            act[c] = float(np.sqrt(pw.mean()))
            continue
        thr = _otsu(lp)
        lo_c, hi_c = pw[lp <= thr], pw[lp > thr]
        contrast[c] = 10 * (np.median(np.log10(hi_c)) - np.median(np.log10(lo_c)))
        p_rest = float(np.median(lo_c))
        p_act = float(hi_c.mean())
        act[c] = float(np.sqrt(p_act))
        restf[c] = lo_c.size / pw.size
        if contrast[c] < min_contrast_db:
            reason[c] = (f"no distinct rest: the windowed power is unimodal (contrast {contrast[c]:.1f} dB < "
                         f"{min_contrast_db:g} dB); a continuous contraction or no activity")
            act[c] = float(np.sqrt(pw.mean()))
            continue
        base[c] = float(np.sqrt(p_rest))
        snr[c] = 10 * np.log10(max(p_act - p_rest, 0.0) / p_rest) if p_act > p_rest else -np.inf
    if one:
        return NoiseLevels(snr[:1], base[:1], act[:1], restf[:1], contrast[:1], reason[:1])
    return NoiseLevels(snr, base, act, restf, contrast, reason)


def _highpass(arr: np.ndarray, fs: float, cutoff_hz: float, nan_policy: str) -> np.ndarray:
    from myograph.signal import highpass

    return highpass(arr, fs, cutoff_hz, order=2, nan_policy="mask" if nan_policy == "mask" else "propagate")


def snr_estimate(x: Any, fs: float, **kwargs: Any) -> np.ndarray:
    """SNR of each channel, dB, from its own rest and activity periods (see :func:`noise_levels`)."""
    return noise_levels(x, fs, **kwargs).snr_db


def baseline_noise_rms(x: Any, fs: float, **kwargs: Any) -> np.ndarray:
    """Baseline (rest) noise RMS of each channel, unit of ``x`` (see :func:`noise_levels`)."""
    return noise_levels(x, fs, **kwargs).baseline_rms


# --------------------------------------------------------------------------- clipping and flat spans


def clipping_runs(
    x: Any,
    *,
    adc_range: float | tuple[float, float] | None = None,
    min_run_samples: int | None = None,
    tolerance: float = 1e-3,
    nan_policy: str = "raise",
) -> list[Spans]:
    """Runs of samples stuck at the converter's limits (clipping, saturation, rail).

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D, in the unit of ``adc_range``.
    adc_range : float or (low, high), optional
        The converter's input range: ``r`` means ``±r``. Samples within
        ``tolerance · (high - low)`` of a limit count as clipped (one code of a
        10-bit converter is 0.1 % of its span). Without it, the channel's own
        maximum and minimum are taken as its limits — saturation shows as a run of
        identical extreme values — and a channel whose samples are all equal has no
        clipping (it is flat, see :func:`flat_spans`).
    min_run_samples : int, optional
        Shortest run reported. Default 1 with ``adc_range`` (any sample at the limit
        is clipped) and 3 without: two equal extreme samples happen by chance in
        coarsely quantised signals, three or more at the extreme rarely do.
    tolerance : float, default 1e-3
        Relative tolerance with ``adc_range``.
    nan_policy : {"raise", "mask", "propagate"}
        Non-finite samples never count as clipped.

    Returns
    -------
    list of list of (start, stop)
        Per channel (a single list for 1-D input): sample spans ``[start, stop)``.
    """
    arr, one = _as_2d(x, nan_policy)
    m = (1 if adc_range is not None else 3) if min_run_samples is None else int(min_run_samples)
    if m < 1:
        raise ParameterError("min_run_samples", f"must be >= 1, got {min_run_samples!r}")
    out: list[Spans] = []
    for row in arr:
        fin = np.isfinite(row)
        if not fin.any():
            out.append([])
            continue
        if adc_range is None:
            hi, lo = float(np.max(row[fin])), float(np.min(row[fin]))
            if hi == lo:
                out.append([])
                continue
            with np.errstate(invalid="ignore"):
                at = (row == hi) | (row == lo)
        else:
            lo, hi = ((-float(adc_range), float(adc_range)) if np.ndim(adc_range) == 0
                      else (float(adc_range[0]), float(adc_range[1])))
            if not lo < hi:
                raise ParameterError("adc_range", f"need low < high (or a positive ±range), got {adc_range!r}")
            tol = float(tolerance) * (hi - lo)
            with np.errstate(invalid="ignore"):
                at = (row >= hi - tol) | (row <= lo + tol)
        at &= fin
        out.append([(a, b) for a, b in mask_to_spans(at) if b - a >= m])
    return out[0] if one else out


def flat_spans(
    x: Any,
    fs: float,
    *,
    window_s: float = 0.05,
    min_duration_s: float = 0.1,
    floor: float | None = None,
    relative_floor: float = 1e-3,
    nan_policy: str = "raise",
) -> list[Spans]:
    """Spans where the signal is (nearly) constant: disconnected, unused or stuck channels.

    A window of ``window_s`` is flat when its standard deviation is at most the floor
    ``max(floor, relative_floor × median window SD of the channel)``; the samples of
    flat windows form the spans (so an exactly constant stretch is found edge to
    edge), and spans shorter than ``min_duration_s`` are dropped. A channel that is
    constant throughout is one span.

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D.
    fs : float
        Sampling rate, Hz.
    window_s : float, default 0.05
    min_duration_s : float, default 0.1
    floor : float, optional
        Absolute SD floor in the unit of ``x`` (e.g. a fraction of one ADC code).
        Default 0 (only the relative floor).
    relative_floor : float, default 1e-3
        Floor relative to the channel's median window SD (−60 dB).
    nan_policy : {"raise", "mask", "propagate"}
        Windows with non-finite samples are never flat.

    Returns
    -------
    list of list of (start, stop)
        Per channel (a single list for 1-D input).
    """
    fs = check_fs(fs)
    arr, one = _as_2d(x, nan_policy)
    w = max(2, int(round(check_positive(window_s, "window_s", "s") * fs)))
    min_len = int(np.ceil(check_positive(min_duration_s, "min_duration_s", "s") * fs))
    fl = 0.0 if floor is None else check_positive(floor, "floor", allow_zero=True)
    rel = check_positive(relative_floor, "relative_floor", allow_zero=True)
    n = arr.shape[-1]
    out: list[Spans] = []
    for row in arr:
        if n < w:
            out.append([])
            continue
        fin = np.isfinite(row)
        z = np.where(fin, row, 0.0)
        # windowed SD via cumulative sums of the mean-removed signal (numerically safe)
        zc = z - (z[fin].mean() if fin.any() else 0.0)
        c1 = np.concatenate(([0.0], np.cumsum(zc)))
        c2 = np.concatenate(([0.0], np.cumsum(zc * zc)))
        cb = np.concatenate(([0], np.cumsum(~fin)))
        s1 = c1[w:] - c1[:-w]
        s2 = c2[w:] - c2[:-w]
        var = np.maximum(s2 / w - (s1 / w) ** 2, 0.0)
        # exact constancy, immune to the rounding of cumulative sums
        d = np.concatenate(([0], np.cumsum(np.diff(z) != 0)))
        const = (d[w - 1:] - d[: n - w + 1]) == 0
        sd = np.where(const, 0.0, np.sqrt(var))
        sd_ok = (cb[w:] - cb[:-w]) == 0
        typical = float(np.median(sd[sd_ok])) if sd_ok.any() else 0.0
        thr = max(fl, rel * typical)
        flat_win = sd_ok & (sd <= thr)
        # a sample is flat when some flat window covers it
        fw = np.concatenate(([0], np.cumsum(flat_win)))
        j = np.arange(n)
        lo = np.clip(j - w + 1, 0, flat_win.size)
        hi = np.clip(j + 1, 0, flat_win.size)
        covered = (fw[hi] - fw[lo]) > 0
        out.append([(a, b) for a, b in mask_to_spans(covered) if b - a >= min_len])
    return out[0] if one else out


# --------------------------------------------------------------------------- motion artefacts


@dataclass(frozen=True)
class MotionSpans:
    """Low-frequency artefact spans per channel.

    Attributes
    ----------
    motion : list of list of (start, stop)
        Motion artefacts (low-frequency power without an abrupt start).
    pops : list of list of (start, stop)
        Electrode pops: low-frequency episodes that begin with a step.
    """

    motion: list[Spans]
    pops: list[Spans]


def _moving_mean(v: np.ndarray, w: int) -> np.ndarray:
    """Centred moving mean along the last axis, truncated at the ends (same length)."""
    n = v.shape[-1]
    c = np.concatenate([np.zeros(v.shape[:-1] + (1,)), np.cumsum(v, axis=-1)], axis=-1)
    j = np.arange(n)
    lo = np.clip(j - w // 2, 0, n)
    hi = np.clip(j - w // 2 + w, 0, n)
    return (c[..., hi] - c[..., lo]) / (hi - lo)


def motion_spans(
    x: Any,
    fs: float,
    *,
    band_hz: tuple[float, float] = MOTION_BAND_HZ,
    emg_band_hz: tuple[float, float] = EMG_BAND_HZ,
    window_s: float = 0.2,
    ratio_db: float = 0.0,
    level_db: float = 10.0,
    min_duration_s: float = 0.1,
    merge_gap_s: float = 0.5,
    pop_jump_factor: float = 8.0,
    pop_tail_s: float = 1.5,
    nan_policy: str = "raise",
) -> MotionSpans:
    """Motion artefacts and electrode pops: spans dominated by 1-20 Hz power.

    The low band is extracted with a *causal* Butterworth band-pass (order 2), so that
    an abrupt artefact does not leak backwards in time (a zero-phase 1-Hz high-pass
    rings for about a second before a step); the EMG band with a zero-phase band-pass.
    Both powers are smoothed over ``window_s`` (centred). A sample lies in an
    artefact where

    * the low-band power exceeds the EMG-band power by ``ratio_db`` (0 dB: more power
      below 20 Hz than in 20-450 Hz, which neither EMG — a few % below 20 Hz — nor
      white noise — 19/430 of its band power — reach), and
    * the low-band power is at least ``level_db`` above its median over the channel
      (an artefact, not the noise floor's own low-frequency share).

    Runs shorter than ``min_duration_s`` are dropped and runs closer than
    ``merge_gap_s`` (0.5 s) merged: the causal filter rings briefly after an artefact.

    An episode that starts with an abrupt step is an electrode pop (a sudden change
    of the electrode-skin potential that then relaxes): the largest sample-to-sample
    jump within ``window_s`` of its start exceeds ``pop_jump_factor`` robust SDs
    (1.4826 × median |jump|) of the jumps within ±0.25 s of it, and the signal stays
    displaced — the medians of the 10 ms after and before the jump differ by at least
    half the jump. The others are motion artefacts. Episodes starting within ``pop_tail_s`` of a pop's start are
    merged into it (the relaxation back to baseline, and the causal filter's rebound,
    belong to the pop). Remove ECG first (:func:`myograph.quality.remove_ecg`): its
    P-QRS-T waves also carry 1-20 Hz power.

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D.
    fs : float
        Sampling rate, Hz.
    nan_policy : {"raise", "mask", "propagate"}
        Filtering runs on finite stretches (``"mask"``); non-finite samples are
        never in an artefact span.

    Returns
    -------
    MotionSpans
        Per channel (a list of one for 1-D input) sample spans ``[start, stop)``.
    """
    fs = check_fs(fs)
    arr, one = _as_2d(x, nan_policy)
    lo_band = _band(band_hz, fs, "band_hz")
    hi_band = _band(emg_band_hz, fs, "emg_band_hz")
    w = max(1, int(round(check_positive(window_s, "window_s", "s") * fs)))
    min_len = int(np.ceil(check_positive(min_duration_s, "min_duration_s", "s") * fs))
    gap = int(round(check_positive(merge_gap_s, "merge_gap_s", "s", allow_zero=True) * fs))
    pol = "mask" if nan_policy == "mask" else "propagate"
    # causal, started in the steady state of the first sample: no start-up step from an offset
    low = StreamingBandpass(fs, lo_band[0], lo_band[1], arr.shape[0], order=2, initial="steady",
                            nan_policy=pol).process(arr)
    high = bandpass(arr, fs, hi_band[0], min(hi_band[1], 0.499 * fs), order=2, nan_policy=pol)
    pl = _moving_mean(np.where(np.isfinite(low), low * low, 0.0), w)
    ph = _moving_mean(np.where(np.isfinite(high), high * high, 0.0), w)
    thr = 10 ** (float(ratio_db) / 10)
    level = 10 ** (float(level_db) / 10) * np.median(pl, axis=-1, keepdims=True)
    cand = (pl > thr * ph) & (pl > level) & np.isfinite(arr)
    half = int(round(0.25 * fs))
    step_m = max(2, int(round(0.01 * fs)))
    tail = int(round(check_positive(pop_tail_s, "pop_tail_s", "s", allow_zero=True) * fs))
    motion: list[Spans] = []
    pops: list[Spans] = []
    for c in range(arr.shape[0]):
        spans = merge_spans(mask_to_spans(cand[c]), gap)
        spans = [(a, b) for a, b in spans if b - a >= min_len]
        xc = np.where(np.isfinite(arr[c]), arr[c], 0.0)
        d = np.abs(np.diff(xc))
        m_list, p_list = [], []
        for a, b in spans:
            if p_list and a - p_list[-1][0] <= tail:  # the relaxation (and the filter's rebound) of a pop
                p_list[-1] = (p_list[-1][0], max(b, p_list[-1][1]))
                continue
            i0 = max(0, a - w)
            near = d[i0: min(d.size, a + w)]
            if near.size and _is_step(xc, d, i0 + int(np.argmax(near)), half, step_m, pop_jump_factor):
                p_list.append((a, b))
            else:
                m_list.append((a, b))
        motion.append(m_list)
        pops.append(p_list)
    if one:
        return MotionSpans(motion[:1], pops[:1])
    return MotionSpans(motion, pops)


def _is_step(x: np.ndarray, d: np.ndarray, i: int, half: int, m: int, factor: float) -> bool:
    """Whether ``x`` jumps between samples ``i`` and ``i + 1`` and stays displaced (an electrode pop).

    The jump must exceed ``factor`` robust SDs (1.4826 × median |jump|) of the
    sample-to-sample jumps within ``half`` samples, and the displacement between the
    medians of the ``m`` samples after and before must be at least half the jump:
    the change happens in one sample and persists (a smooth motion artefact moves as
    far through many small steps; EMG does not stay displaced).
    """
    jump = float(d[i])
    around = d[max(0, i - half): i + half]
    scale = 1.4826 * float(np.median(around)) if around.size else 0.0
    if not (scale > 0 and jump > factor * scale):
        return False
    before = x[max(0, i - m + 1): i + 1]
    after = x[i + 1: i + 1 + m]
    if before.size == 0 or after.size == 0:
        return False
    return abs(float(np.median(after)) - float(np.median(before))) >= 0.5 * jump


def motion_power_ratio(
    x: Any,
    fs: float,
    *,
    band_hz: tuple[float, float] = MOTION_BAND_HZ,
    emg_band_hz: tuple[float, float] = EMG_BAND_HZ,
    window_s: float = 1.0,
    nan_policy: str = "raise",
) -> np.ndarray:
    """Power in ``band_hz`` (1-20 Hz) over power in ``emg_band_hz`` (20-450 Hz), dB, per channel.

    A whole-channel index of low-frequency contamination (motion, cable sway,
    electrode pops, ECG): clean surface EMG lies around −15 to −25 dB, white noise at
    about ``10 log10(19/430) ≈ −13.5`` dB; values near or above 0 dB mean the
    low-frequency artefacts carry as much power as the EMG. Welch spectrum with
    ``window_s`` segments (1 Hz resolution by default).
    """
    fs = check_fs(fs)
    arr, one = _as_2d(x, nan_policy)
    lo_b = _band(band_hz, fs, "band_hz")
    hi_b = _band(emg_band_hz, fs, "emg_band_hz")
    win = min(check_positive(window_s, "window_s", "s"), arr.shape[-1] / fs)
    with np.errstate(invalid="ignore", over="ignore"):
        f, p = psd(arr, fs, window_s=win, nan_policy=nan_policy)
    pl = p[:, (f >= lo_b[0]) & (f < lo_b[1])].sum(axis=-1)
    ph = p[:, (f >= hi_b[0]) & (f <= hi_b[1])].sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ph > 0, 10 * np.log10(pl / np.where(ph > 0, ph, 1.0)), np.nan)
    return float(out[0]) if one else out
