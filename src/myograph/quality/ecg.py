"""ECG contamination of EMG: QRS detection, and removal by template subtraction or high-pass.

Electrodes on trunk and proximal muscles pick up the heart's activity: a P-QRS-T
complex once per beat, whose power (mostly below 40 Hz, but reaching 100 Hz)
overlaps the EMG band.

Detection (:func:`detect_qrs`) — on the signal band-passed to 5-25 Hz (where the QRS
complex carries most of its power and EMG little):

1. candidate beats: peaks of the 100-ms moving power, at least one shortest RR
   interval apart (180 bpm);
2. a QRS template is averaged from the strongest candidates and correlated with the
   signal (a matched filter, which lifts QRS complexes out of EMG bursts);
3. beats are the matched-filter peaks above a fraction of the confident beats'
   level, again at least one shortest RR interval apart;
4. the rhythm must look cardiac: median rate within 42-180 bpm (0.7-3 Hz) and most RR
   intervals within ±25 % of the median; the beats must be coherent: the
   ensemble-average template must stand out of the beat-to-beat residual (template
   SNR, dB); and they must stand out of the matched filter's output between them
   (contrast), which a periodic interference does not.

Removal (:func:`remove_ecg`):

``"template"`` (default)
    Template subtraction: R peaks (detected, or given), each beat re-aligned to the
    ensemble average by cross-correlation (5-40 Hz band), the P-QRS-T template
    averaged with each beat weighted by the inverse of its residual power (beats
    during strong EMG count little), detrended to start and end at zero, and
    subtracted at every beat (optionally with a per-beat gain).
    Removes the ECG without touching the EMG spectrum between beats (Drake &
    Callaghan 2006 found template subtraction among the methods that best preserve
    the EMG).
``"highpass"``
    Butterworth high-pass at ``cutoff_hz`` (default 30 Hz, order 4, zero-phase): simple,
    no detection needed, removes most of the QRS power but also the EMG below the
    cut-off and leaves the ECG's higher-frequency part (Drake & Callaghan 2006; Hof
    2009 discusses simple removal for trunk muscles).

References
----------
.. [1] Drake JDM, Callaghan JP. Elimination of electrocardiogram contamination from
   electromyogram signals: an evaluation of currently used removal techniques.
   J Electromyogr Kinesiol 2006;16:175-187.
.. [2] Hof AL. A simple method to remove ECG artifacts from trunk muscle EMG signals.
   J Electromyogr Kinesiol 2009;19:e554-e555.
.. [3] Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng
   1985;32:230-236 (band-pass, squaring, moving-window integration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.signal as sps

from myograph.core.errors import ParameterError
from myograph.signal import bandpass, check_fs, check_signal, highpass
from myograph.signal._validate import check_positive

__all__ = ["QrsDetection", "detect_qrs", "ecg_template", "remove_ecg", "clean_ecg", "HEART_RATE_BPM"]

#: plausible heart rates, beats per minute (0.7-3 Hz)
HEART_RATE_BPM = (42.0, 180.0)
_QRS_BAND_HZ = (5.0, 25.0)
_ENVELOPE_S = 0.1
_QRS_HALF_S = 0.06


@dataclass(frozen=True)
class QrsDetection:
    """Result of :func:`detect_qrs` for one channel.

    Attributes
    ----------
    detected : bool
        Whether the channel carries ECG (enough regular, coherent beats).
    r_peaks : ndarray of int
        Sample index of each detected beat (the QRS peak); also when ``detected`` is
        False, for inspection.
    heart_rate_bpm : float
        ``60 / median RR``; NaN with fewer than two beats.
    regularity : float
        Fraction of RR intervals within ±25 % of the median (0-1).
    template_snr_db : float
        Power of the ensemble-average QRS over the power of the beat-to-beat residual
        within ±60 ms of the peaks, dB (band-passed signal).
    reason : str
        Why ``detected`` is False (``""`` when True).
    contrast : float
        Median matched-filter output at the beats over the robust SD (1.4826 × median
        absolute value) of the output away from them.
    """

    detected: bool
    r_peaks: np.ndarray
    heart_rate_bpm: float
    regularity: float
    template_snr_db: float
    reason: str = field(default="")
    contrast: float = field(default=np.nan)


def _segments(y: np.ndarray, centres: np.ndarray, before: int, after: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``y[c - before : c + after]`` for centres far enough from the ends, and which centres those are."""
    ok = (centres - before >= 0) & (centres + after <= y.size)
    c = centres[ok]
    idx = c[:, None] + np.arange(-before, after)[None, :]
    return y[idx], ok


def _align(y: np.ndarray, peaks: np.ndarray, template: np.ndarray, before: int, max_shift: int) -> np.ndarray:
    """Move each peak by up to ``max_shift`` samples to maximise its correlation with ``template``."""
    out = peaks.copy()
    after = template.size - before
    for i, p in enumerate(peaks):
        a, b = p - before - max_shift, p + after + max_shift
        if a < 0 or b > y.size:
            continue
        corr = np.correlate(y[a:b], template, mode="valid")
        out[i] = p - max_shift + int(np.argmax(corr))
    return out


def detect_qrs(
    x: Any,
    fs: float,
    *,
    band_hz: tuple[float, float] = _QRS_BAND_HZ,
    rate_bpm: tuple[float, float] = HEART_RATE_BPM,
    min_regularity: float = 0.6,
    min_template_snr_db: float = 6.0,
    min_beats: int = 4,
    level_fraction: float = 0.35,
    min_contrast: float = 3.0,
    nan_policy: str = "raise",
) -> QrsDetection:
    """Detect QRS complexes of ECG contamination in one EMG channel.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel (V or any unit).
    fs : float
        Sampling rate, Hz (at least 100 Hz).
    band_hz : (float, float), default (5, 25)
        QRS band, Hz.
    rate_bpm : (float, float), default (42, 180)
        Plausible heart rates, beats per minute.
    min_regularity : float, default 0.6
        Smallest fraction of RR intervals within ±25 % of the median.
    min_template_snr_db : float, default 6
        Smallest template SNR (see :class:`QrsDetection`), dB. Peaks picked from EMG
        without ECG average to about 0-2 dB.
    min_beats : int, default 4
    level_fraction : float, default 0.35
        Matched-filter peaks below this fraction of the confident beats' median level
        are not beats.
    min_contrast : float, default 3
        Smallest ratio of the beats' matched-filter level to the output's robust SD
        away from the beats. A periodic interference (mains leaking into the QRS band)
        locks the template onto its own period and passes the other tests, but its
        matched-filter output is as large between "beats" as on them (contrast ≈ 1).
    nan_policy : {"raise", "mask", "propagate"}
        Filtering runs on finite stretches (``"mask"``); no beat is placed on a
        non-finite sample.

    Returns
    -------
    QrsDetection
    """
    fs = check_fs(fs)
    arr = check_signal(x, nan_policy=nan_policy)
    if arr.ndim != 1:
        raise ParameterError("x", f"detect_qrs takes one channel (1-D), got shape {arr.shape}")
    lo_bpm, hi_bpm = (float(r) for r in rate_bpm)
    if not 0 < lo_bpm < hi_bpm:
        raise ParameterError("rate_bpm", f"need 0 < low < high, got {rate_bpm!r}")
    empty = np.zeros(0, dtype=np.int64)
    n = arr.size
    min_rr = int(round(60.0 / hi_bpm * fs))
    if n < 2 * int(round(60.0 / lo_bpm * fs)):
        return QrsDetection(False, empty, np.nan, np.nan, np.nan, "shorter than two of the longest RR intervals")
    pol = "mask" if nan_policy == "mask" else "propagate"
    y = bandpass(arr, fs, band_hz[0], min(band_hz[1], 0.45 * fs), order=2, nan_policy=pol)
    y = np.where(np.isfinite(y), y, 0.0)
    if not np.any(y):
        return QrsDetection(False, empty, np.nan, np.nan, np.nan, "no power in the QRS band (flat signal)")
    w = max(1, int(round(_ENVELOPE_S * fs)))
    env = np.convolve(y * y, np.ones(w) / w, mode="same")
    cand, props = sps.find_peaks(env, distance=min_rr, height=0)
    if cand.size < min_beats:
        return QrsDetection(False, cand, np.nan, np.nan, np.nan, f"fewer than {min_beats} candidate beats")
    h = props["peak_heights"]
    strong = cand[h >= 0.5 * np.percentile(h, 90)]
    half = int(round(_QRS_HALF_S * fs))
    # refine each strong candidate to the largest |y| within ±half, then build and apply the template
    strong = np.array([c - half + int(np.argmax(np.abs(y[max(0, c - half): c + half + 1]))) if c - half >= 0 else c
                       for c in strong], dtype=np.int64)
    segs, _ = _segments(y, strong, half, half + 1)
    if segs.shape[0] < 2:
        return QrsDetection(False, strong, np.nan, np.nan, np.nan, "too few complete candidate beats")
    tpl = np.median(segs, axis=0)
    strong = _align(y, strong, tpl, half, half // 2)
    segs, _ = _segments(y, strong, half, half + 1)
    tpl = segs.mean(axis=0)
    if not np.any(tpl):
        return QrsDetection(False, strong, np.nan, np.nan, np.nan, "no coherent QRS template")
    mf = np.correlate(y, tpl, mode="same") / float(np.dot(tpl, tpl))
    level = float(np.median(mf[np.clip(strong, 0, n - 1)]))
    if not level > 0:
        return QrsDetection(False, strong, np.nan, np.nan, np.nan, "no coherent QRS template")
    peaks, _ = sps.find_peaks(mf, distance=min_rr, height=level_fraction * level)
    if not np.isfinite(arr).all():
        peaks = peaks[np.isfinite(arr[peaks])]
    if peaks.size < min_beats:
        return QrsDetection(False, peaks, np.nan, np.nan, np.nan, f"fewer than {min_beats} beats")
    outside = np.ones(n, dtype=bool)
    for p in peaks:
        outside[max(0, p - half): p + half + 1] = False
    background = 1.4826 * float(np.median(np.abs(mf[outside]))) if outside.any() else 0.0
    contrast = float(np.median(mf[peaks])) / background if background > 0 else np.inf
    rr = np.diff(peaks) / fs
    med = float(np.median(rr))
    rate = 60.0 / med
    regular = float(np.mean(np.abs(rr - med) <= 0.25 * med))
    segs, _ = _segments(y, peaks, half, half + 1)
    if segs.shape[0] >= 2:
        t_avg = segs.mean(axis=0)
        resid = float(np.mean((segs - t_avg) ** 2))
        snr = 10 * np.log10(float(np.mean(t_avg ** 2)) / resid) if resid > 0 else np.inf
    else:
        snr = np.nan
    reasons = []
    if not lo_bpm <= rate <= hi_bpm:
        reasons.append(f"median rate {rate:.0f} bpm outside {lo_bpm:g}-{hi_bpm:g} bpm")
    if regular < min_regularity:
        reasons.append(f"irregular rhythm ({regular:.0%} of RR intervals within ±25 % of the median, "
                       f"need {min_regularity:.0%})")
    if not snr >= min_template_snr_db:
        reasons.append(f"incoherent beats (template SNR {snr:.1f} dB < {min_template_snr_db:g} dB)")
    if not contrast >= min_contrast:
        reasons.append(f"beats do not stand out of the matched-filter background (contrast {contrast:.1f} < "
                       f"{min_contrast:g}); a periodic interference rather than QRS complexes")
    return QrsDetection(not reasons, peaks.astype(np.int64), rate, regular, float(snr), "; ".join(reasons),
                        float(contrast))


def ecg_template(x: Any, r_peaks: Any, fs: float, *, before_s: float = 0.25, after_s: float = 0.45) -> np.ndarray:
    """Ensemble average of ``x`` around the R peaks: ``round(before_s·fs) + round(after_s·fs)`` samples.

    Beats too close to either end for a whole segment are left out.
    """
    fs = check_fs(fs)
    y = check_signal(x)
    if y.ndim != 1:
        raise ParameterError("x", f"one channel (1-D) expected, got shape {y.shape}")
    b = int(round(check_positive(before_s, "before_s", "s") * fs))
    a = int(round(check_positive(after_s, "after_s", "s") * fs))
    segs, _ = _segments(y, np.asarray(r_peaks, dtype=np.int64), b, a)
    if segs.shape[0] == 0:
        raise ParameterError("r_peaks", "no beat lies far enough from both ends for a whole template segment")
    return segs.mean(axis=0)


def _weighted_template(segs: np.ndarray, n_iter: int = 3) -> np.ndarray:
    """Ensemble average weighting each beat by the inverse of its residual power.

    Beats recorded during strong EMG contribute little, beats at rest much: the
    template's error variance falls from ``mean(σ_i²) / N`` to ``1 / Σ (1 / σ_i²)``.
    """
    tpl = segs.mean(axis=0)
    for _ in range(n_iter):
        var = np.mean((segs - tpl) ** 2, axis=1)
        floor = max(float(np.median(var)) * 1e-3, np.finfo(float).tiny)
        w = 1.0 / np.maximum(var, floor)
        tpl = (w[:, None] * segs).sum(axis=0) / w.sum()
    return tpl


def _subtract_template(y: np.ndarray, peaks: np.ndarray, fs: float, before_s: float, after_s: float,
                       align_s: float, valid: np.ndarray | None = None, scale_per_beat: bool = False) -> np.ndarray:
    """Subtract the (weighted) ensemble-average beat at every R peak.

    ``valid`` marks usable samples: only beats whose whole segment is valid enter the
    template. Beats are first re-aligned (up to ``align_s``) on the 5-40 Hz band,
    where the QRS complex dominates. When ``before_s + after_s`` is shorter than the
    median RR interval the segments end on the isoelectric line and the template is
    detrended to begin and end at zero (no steps at the segment edges); otherwise
    (fast heart rates) each beat's segment is one RR interval, ``-0.35 RR … +0.65 RR``,
    so that the segments tile the signal and a T wave reaching into the next
    interval is part of the next template. With ``scale_per_beat`` the template's
    gain is fitted to each beat (least squares, with an offset).
    """
    tiled = False
    if peaks.size >= 2:
        rr = float(np.median(np.diff(peaks))) / fs
        if before_s + after_s >= rr:  # fast heart: one segment per RR interval, tiling the signal
            before_s, after_s, tiled = 0.35 * rr, 0.65 * rr, True
    b = max(1, int(round(before_s * fs)))
    a = max(1, int(round(after_s * fs)))
    shift = max(0, int(round(align_s * fs)))
    valid = np.ones(y.size, dtype=bool) if valid is None else valid
    peaks = np.asarray(peaks, dtype=np.int64).copy()

    def complete(pk: np.ndarray) -> np.ndarray:
        vsegs, ok = _segments(valid, pk, b, a)
        keep = np.zeros(pk.size, dtype=bool)
        keep[np.flatnonzero(ok)[vsegs.all(axis=1)]] = True
        return keep

    full = complete(peaks)
    if full.sum() < 2:
        return y.copy()
    if shift:
        q = int(round(_QRS_HALF_S * fs))
        yq = bandpass(np.where(valid, y, 0.0), fs, 5.0, min(40.0, 0.45 * fs), order=2)
        for _ in range(2):
            tq = _weighted_template(_segments(yq, peaks[full], q, q + 1)[0])
            peaks[full] = _align(yq, peaks[full], tq, q, shift)
            full = complete(peaks)
            if full.sum() < 2:
                return y.copy()
    tpl = _weighted_template(_segments(y, peaks[full], b, a)[0])
    if not tiled:  # segments end on the isoelectric line: take the baseline out of the template
        edge = max(1, int(round(0.01 * fs)))
        tpl = tpl - np.linspace(tpl[:edge].mean(), tpl[-edge:].mean(), tpl.size)
    out = y.copy()
    for p in peaks:
        i0, i1 = p - b, p + a
        lo, hi = max(0, i0), min(y.size, i1)
        if hi <= lo:
            continue
        part = tpl[lo - i0: hi - i0]
        gain = 1.0
        if scale_per_beat:
            v = valid[lo:hi]
            if v.sum() >= 3:
                d = np.column_stack([part[v], np.ones(int(v.sum()))])
                gain = float(np.linalg.lstsq(d, y[lo:hi][v], rcond=None)[0][0])
        out[lo:hi] -= gain * part
    return out


def remove_ecg(
    x: Any,
    fs: float,
    *,
    method: str = "template",
    r_peaks: Any = None,
    cutoff_hz: float = 30.0,
    before_s: float = 0.25,
    after_s: float = 0.45,
    align_s: float = 0.01,
    scale_per_beat: bool = False,
    nan_policy: str = "raise",
    **detect_kwargs: Any,
) -> np.ndarray:
    """Remove ECG contamination from EMG channels.

    Parameters
    ----------
    x : array_like
        ``(n_channels, n_samples)`` or 1-D, e.g. V.
    fs : float
        Sampling rate, Hz.
    method : {"template", "highpass"}, default "template"
        See the module docstring.
    r_peaks : array of int, optional
        Beat positions (samples) to use on every channel (e.g. from an ECG lead or
        the channel with the strongest contamination). Default: :func:`detect_qrs`
        per channel; channels where no ECG is detected are returned unchanged.
    cutoff_hz : float, default 30
        ``"highpass"`` cut-off, Hz (Butterworth order 4, zero-phase).
    before_s, after_s : float, default 0.25, 0.45
        Template span around the R peak, s (P wave to the end of T); when they add up
        to more than the median RR interval (above about 86 bpm) each segment is one
        RR interval instead, 35 % before and 65 % after the R peak.
    align_s : float, default 0.01
        Largest re-alignment of a beat onto the template (on the 5-40 Hz band), s.
    scale_per_beat : bool, default False
        Fit the template's gain to each beat (follows amplitude changes with
        respiration, but with strong EMG the fitted gains are noisy).
    nan_policy : {"raise", "mask", "propagate"}
        ``"highpass"`` as :func:`myograph.signal.highpass`. ``"template"``: with
        ``"mask"``/``"propagate"`` a channel holding non-finite samples is detected on
        its finite stretches and the template is averaged over beats whose segment is
        finite; non-finite samples stay as they are.
    **detect_kwargs
        Passed to :func:`detect_qrs`.

    Returns
    -------
    ndarray
        Same shape as ``x``.
    """
    fs = check_fs(fs)
    arr = check_signal(x, nan_policy=nan_policy)
    if method == "highpass":
        return highpass(arr, fs, check_positive(cutoff_hz, "cutoff_hz", "Hz"), order=4, nan_policy=nan_policy)
    if method != "template":
        raise ParameterError("method", f"must be 'template' or 'highpass', got {method!r}")
    one = arr.ndim == 1
    rows = arr[np.newaxis] if one else arr.reshape(-1, arr.shape[-1])
    given = None if r_peaks is None else np.asarray(r_peaks, dtype=np.int64).reshape(-1)
    out = rows.copy()
    for i, row in enumerate(rows):
        if given is None:
            det = detect_qrs(row, fs, nan_policy="mask" if nan_policy != "raise" else "raise", **detect_kwargs)
            if not det.detected:
                continue
            peaks = det.r_peaks
        else:
            peaks = given[(given >= 0) & (given < row.size)]
        finite = np.isfinite(row)
        if finite.all():
            out[i] = _subtract_template(row, peaks, fs, before_s, after_s, align_s, scale_per_beat=scale_per_beat)
        else:  # non-finite samples take no part in the template or the fits and stay as they are
            cleaned = _subtract_template(np.where(finite, row, 0.0), peaks, fs, before_s, after_s, align_s, finite,
                                         scale_per_beat)
            out[i] = np.where(finite, cleaned, row)
    return out[0] if one else out.reshape(arr.shape)


def clean_ecg(
    rec: Any,
    *,
    channels: Any = None,
    method: str = "template",
    r_peaks: Any = None,
    reference: str | None = None,
    cutoff_hz: float = 30.0,
    nan_policy: str = "raise",
    **kwargs: Any,
) -> Any:
    """A copy of ``rec`` with ECG removed from its EMG channels (:func:`remove_ecg`).

    Parameters
    ----------
    rec : Recording
    channels : str or sequence of str, optional
        Default: every EMG channel. Other channels are left as they are.
    method : {"template", "highpass"}, default "template"
    r_peaks : array of int, optional
        Beat positions (samples) for every channel.
    reference : str, optional
        A channel (e.g. an ECG lead, or the EMG channel with the strongest
        contamination) whose detected R peaks are used for every channel.
    cutoff_hz, nan_policy, **kwargs
        As :func:`remove_ecg`.

    The provenance step ``quality.remove_ecg`` records the method, the channels and
    the number of beats used.
    """
    from myograph.core.recording import Recording

    if not isinstance(rec, Recording):
        raise ParameterError("rec", f"expected a Recording, got {type(rec).__name__}")
    if channels is None:
        idx = rec.channels.where(type="EMG")
        if not idx:
            raise ParameterError("channels", "no EMG channel in the recording; name the channels")
    else:
        names = [channels] if isinstance(channels, str) else list(channels)
        idx = [rec.channels.index(c) for c in names]
    peaks = r_peaks
    if reference is not None and peaks is None:
        det = detect_qrs(rec.data[rec.channels.index(reference)], rec.fs, nan_policy=nan_policy)
        if not det.detected:
            raise ParameterError("reference", f"no ECG detected on {reference!r}: {det.reason}")
        peaks = det.r_peaks
    out = np.array(rec.data, dtype=np.float64, copy=True)
    out[idx] = remove_ecg(rec.data[idx], rec.fs, method=method, r_peaks=peaks, cutoff_hz=cutoff_hz,
                          nan_policy=nan_policy, **kwargs)
    params = {"method": method, "channels": [rec.ch_names[i] for i in idx], "reference": reference,
              "n_beats_given": None if peaks is None else int(np.size(peaks)),
              "cutoff_hz": cutoff_hz if method == "highpass" else None, "nan_policy": nan_policy}
    return rec.derive("quality.remove_ecg", params, data=out)
