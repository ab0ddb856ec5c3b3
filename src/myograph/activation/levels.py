"""Activation level: integrated EMG, %MVC, burst statistics, co-contraction indices.

Formulas (time on the last axis, ``dt = 1 / fs``):

* **Integrated EMG** — ``iEMG = ∫ |x(t)| dt`` by the trapezoid rule (V·s for EMG in
  V). Over the whole signal or over each ``(onset_s, offset_s)`` interval.
* **%MVC** — the amplitude signal divided by the peak ``window_s`` mean of an MVC
  trial processed the same way, × 100
  (:func:`myograph.signal.normalize_to_mvc`; Burden 2010).
* **Burst statistics** — per burst: duration, peak and mean rectified amplitude,
  RMS, iEMG and time to peak; per channel: counts, means and SDs, duty cycle.
* **Co-contraction** of an agonist/antagonist pair, from amplitude signals
  (envelopes, ideally in %MVC):

  - Falconer & Winter (1985): ``CI = 2 · I_ant / (I_ag + I_ant) · 100 %``, where
    ``I_ag`` and ``I_ant`` are the integrals of the agonist's and antagonist's
    amplitude over the period of common activity (both active). 0 % without
    antagonist activity, 100 % when both integrals are equal.
  - Rudolph, Axe & Snyder-Mackler (2000): ``CCI = mean over t of
    (lower(t) / higher(t)) · (lower(t) + higher(t))``, where at each sample
    ``lower``/``higher`` is the smaller/larger of the two amplitudes; in the unit
    of the inputs (e.g. %MVC). Large when both muscles are active at similar,
    high levels.

References
----------
.. [1] Falconer K, Winter DA. Quantitative assessment of co-contraction at the ankle
   joint in walking. Electromyogr Clin Neurophysiol 1985;25:135-149.
.. [2] Rudolph KS, Axe MJ, Snyder-Mackler L. Dynamic stability after ACL injury: who
   can hop? Knee Surg Sports Traumatol Arthrosc 2000;8:262-269.
.. [3] Burden A. How should we normalize electromyograms obtained from healthy
   participants? J Electromyogr Kinesiol 2010;20:1023-1035.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.integrate import trapezoid

from myograph.core.errors import ParameterError
from myograph.signal import Normalized, check_fs, check_signal, normalize_to_mvc

__all__ = [
    "integrated_emg", "percent_mvc", "burst_statistics", "burst_summary", "cocontraction_index",
    "interval_mask", "COCONTRACTION_METHODS",
]

COCONTRACTION_METHODS = ("falconer_winter", "rudolph")


def _intervals(intervals: Any, name: str = "intervals") -> np.ndarray:
    iv = np.asarray(intervals, dtype=np.float64)
    if iv.size == 0:
        return np.zeros((0, 2))
    iv = iv.reshape(-1, 2)
    if not np.isfinite(iv).all() or np.any(iv[:, 1] < iv[:, 0]):
        raise ParameterError(name, "rows must be finite (onset_s, offset_s) with offset_s >= onset_s")
    return iv


def _slices(iv: np.ndarray, fs: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample bounds ``[i0, i1)`` of each interval (rounded to the nearest sample, clipped to the signal)."""
    i0 = np.clip(np.round(iv[:, 0] * fs).astype(np.int64), 0, n)
    i1 = np.clip(np.round(iv[:, 1] * fs).astype(np.int64), 0, n)
    return i0, np.maximum(i1, i0)


def interval_mask(intervals: Any, fs: float, n_samples: int) -> np.ndarray:
    """Boolean mask of the samples inside any ``(onset_s, offset_s)`` row (``[round(on·fs), round(off·fs))``)."""
    iv = _intervals(intervals)
    mask = np.zeros(int(n_samples), dtype=bool)
    for a, b in zip(*_slices(iv, check_fs(fs), int(n_samples))):
        mask[a:b] = True
    return mask


def integrated_emg(x: Any, fs: float, intervals: Any = None, *, rectify: bool = True,
                   nan_policy: str = "raise") -> Any:
    """Integrated EMG ``∫ |x| dt`` (trapezoid rule), in the unit of ``x`` times seconds.

    Parameters
    ----------
    x : array_like
        EMG (1-D or ``(n_channels, n_samples)``), usually band-passed, in V.
    fs : float
        Sampling rate, Hz.
    intervals : array or list of arrays, optional
        ``(onset_s, offset_s)`` rows (one array per channel for 2-D ``x``, as
        :func:`~myograph.activation.detect_onsets` returns); each interval
        integrates the samples ``[round(onset·fs), round(offset·fs))``.
    rectify : bool, default True
        Integrate ``|x|`` (the classical iEMG); ``False`` integrates ``x``
        as given (e.g. an envelope).
    nan_policy : {"raise", "mask"}
        ``"mask"``: non-finite samples are left out of the sums (treated as
        absent, not as 0 — the trapezoids that touch them are dropped).

    Returns
    -------
    float or ndarray, or list of ndarray
        Without ``intervals``: one value per channel. With them: per channel an
        array with one value per interval.
    """
    fs = check_fs(fs)
    if nan_policy not in ("raise", "mask"):
        raise ParameterError("nan_policy", f"must be 'raise' or 'mask', got {nan_policy!r}")
    arr = check_signal(x, nan_policy=nan_policy)
    one_d = arr.ndim == 1
    X = arr[np.newaxis, :] if one_d else arr
    v = np.abs(X) if rectify else X
    dt = 1.0 / fs

    def integral(seg: np.ndarray) -> float:
        if seg.size < 2:
            return 0.0
        if nan_policy == "mask":
            pair = 0.5 * (seg[1:] + seg[:-1])
            return float(np.nansum(np.where(np.isfinite(pair), pair, np.nan)) * dt)
        return float(trapezoid(seg, dx=dt))

    if intervals is None:
        out = np.array([integral(row) for row in v])
        return float(out[0]) if one_d else out
    per = [intervals] if one_d else list(intervals)
    if len(per) != X.shape[0]:
        raise ParameterError("intervals", f"need one array of intervals per channel ({X.shape[0]}), got {len(per)}")
    res = []
    for row, iv in zip(v, per):
        a, b = _slices(_intervals(iv), fs, row.size)
        res.append(np.array([integral(row[i:j]) for i, j in zip(a, b)]))
    return res[0] if one_d else res


def percent_mvc(x: Any, mvc_x: Any, fs: float, *, window_s: float | None = 0.5, nan_policy: str = "raise") -> Normalized:
    """Amplitude in %MVC: ``100 · x / peak window_s-mean of the MVC trial``.

    ``x`` and ``mvc_x`` must be amplitude signals processed the same way
    (linear envelope or moving RMS), same channels in the same order.
    ``fs`` is the MVC trial's rate. A thin wrapper of
    :func:`myograph.signal.normalize_to_mvc`; the result also holds the
    reference amplitude and where in the MVC trial it was found.
    """
    return normalize_to_mvc(x, mvc_x, fs, window_s=window_s, percent=True, nan_policy=nan_policy)


def burst_statistics(x: Any, fs: float, intervals: Any, *, envelope: Any = None,
                     ch_names: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per burst: where it is, how long and how strong.

    Parameters
    ----------
    x : array_like
        EMG (1-D or ``(n_channels, n_samples)``), in V.
    fs : float
        Sampling rate, Hz.
    intervals : array or list of arrays
        ``(onset_s, offset_s)`` rows per channel (as from
        :func:`~myograph.activation.detect_onsets`).
    envelope : array_like, optional
        An amplitude envelope of ``x`` (same shape); when given, the peak and
        time to peak are taken from it rather than from ``|x|``.
    ch_names : sequence of str, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``burst`` (index within the channel), ``onset_s``,
        ``offset_s``, ``duration_s``, ``peak`` (max of ``|x|`` or of the
        envelope), ``time_to_peak_s`` (from the onset), ``mean_rectified``
        (ARV), ``rms``, ``iemg`` (V·s).
    """
    fs = check_fs(fs)
    arr = check_signal(x)
    X = arr[np.newaxis, :] if arr.ndim == 1 else arr
    per = [intervals] if arr.ndim == 1 else list(intervals)
    if len(per) != X.shape[0]:
        raise ParameterError("intervals", f"need one array of intervals per channel ({X.shape[0]}), got {len(per)}")
    env = None
    if envelope is not None:
        env = check_signal(envelope, name="envelope")
        env = env[np.newaxis, :] if env.ndim == 1 else env
        if env.shape != X.shape:
            raise ParameterError("envelope", f"must have the shape of x {X.shape}, got {env.shape}")
    names = [str(i) for i in range(X.shape[0])] if ch_names is None else [str(c) for c in ch_names]
    rows = []
    for c, (row, iv) in enumerate(zip(X, per)):
        ivs = _intervals(iv)
        a, b = _slices(ivs, fs, row.size)
        amp = np.abs(row)
        for k, ((on, off), i, j) in enumerate(zip(ivs, a, b)):
            seg = amp[i:j]
            if seg.size == 0:
                continue
            ref = seg if env is None else env[c, i:j]
            ipk = int(np.argmax(ref))
            rows.append({
                "channel": names[c], "burst": k, "onset_s": float(on), "offset_s": float(off),
                "duration_s": float(off - on), "peak": float(ref[ipk]), "time_to_peak_s": ipk / fs,
                "mean_rectified": float(seg.mean()), "rms": float(np.sqrt(np.mean(row[i:j] ** 2))),
                "iemg": float(trapezoid(seg, dx=1.0 / fs)) if seg.size > 1 else 0.0,
            })
    cols = ["channel", "burst", "onset_s", "offset_s", "duration_s", "peak", "time_to_peak_s", "mean_rectified",
            "rms", "iemg"]
    return pd.DataFrame(rows, columns=cols)


def burst_summary(stats: pd.DataFrame, duration_s: float | None = None) -> pd.DataFrame:
    """Per-channel summary of :func:`burst_statistics`: count, mean and SD of duration,
    peak and RMS, total active time and (given the record's ``duration_s``) the duty
    cycle (active time / duration) and burst rate (per minute)."""
    g = stats.groupby("channel", sort=False)
    out = pd.DataFrame({
        "n_bursts": g.size(),
        "duration_mean_s": g["duration_s"].mean(), "duration_sd_s": g["duration_s"].std(ddof=1),
        "peak_mean": g["peak"].mean(), "peak_sd": g["peak"].std(ddof=1),
        "rms_mean": g["rms"].mean(), "active_s": g["duration_s"].sum(), "iemg_total": g["iemg"].sum(),
    })
    if duration_s is not None:
        d = float(duration_s)
        if not d > 0:
            raise ParameterError("duration_s", f"must be > 0 s, got {duration_s!r}")
        out["duty_cycle"] = out["active_s"] / d
        out["bursts_per_min"] = out["n_bursts"] / (d / 60.0)
    return out.reset_index()


def _common_mask(n: int, fs: float, agonist_intervals: Any, antagonist_intervals: Any) -> np.ndarray:
    mask = np.ones(n, dtype=bool)
    if agonist_intervals is not None:
        mask &= interval_mask(agonist_intervals, fs, n)
    if antagonist_intervals is not None:
        mask &= interval_mask(antagonist_intervals, fs, n)
    return mask


def cocontraction_index(agonist: Any, antagonist: Any, fs: float, *, method: str = "falconer_winter",
                        agonist_intervals: Any = None, antagonist_intervals: Any = None) -> Any:
    """Co-contraction of an agonist/antagonist pair from their amplitude signals.

    Parameters
    ----------
    agonist, antagonist : array_like
        Amplitude signals (envelopes; %MVC makes muscles comparable), same
        shape, time on the last axis (1-D, or several pairs as rows).
    fs : float
        Sampling rate, Hz.
    method : {"falconer_winter", "rudolph"}
        ``"falconer_winter"``: ``2 · I_ant / (I_ag + I_ant) · 100`` (%) with
        trapezoid integrals over the common activity (Falconer & Winter 1985);
        ``"rudolph"``: mean of ``(lower/higher) · (lower + higher)`` over the
        common activity, in the unit of the inputs (Rudolph et al. 2000).
    agonist_intervals, antagonist_intervals : array of (onset_s, offset_s), optional
        Each muscle's activity (1-D inputs only). The index is computed over
        the samples where both are active; without intervals, over the whole
        signal.

    Returns
    -------
    float or ndarray
        One value per pair; 0 when there is no common activity (or both
        amplitudes are 0 throughout).
    """
    fs = check_fs(fs)
    if method not in COCONTRACTION_METHODS:
        raise ParameterError("method", f"must be one of {list(COCONTRACTION_METHODS)}, got {method!r}")
    ag = check_signal(agonist, name="agonist")
    an = check_signal(antagonist, name="antagonist")
    if ag.shape != an.shape:
        raise ParameterError("antagonist", f"must have the agonist's shape {ag.shape}, got {an.shape}")
    if np.any(ag < 0) or np.any(an < 0):
        raise ParameterError("agonist/antagonist", "co-contraction needs amplitude signals (>= 0): rectify or take the envelope first")
    n = ag.shape[-1]
    if agonist_intervals is not None or antagonist_intervals is not None:
        if ag.ndim != 1:
            raise ParameterError("agonist_intervals", "intervals are supported for one pair (1-D signals) at a time")
        mask = _common_mask(n, fs, agonist_intervals, antagonist_intervals)
    else:
        mask = np.ones(n, dtype=bool)
    if method == "falconer_winter":
        # trapezoids whose both ends lie in the common activity
        w = mask[1:] & mask[:-1]
        i_ag = 0.5 * np.sum((ag[..., 1:] + ag[..., :-1]) * w, axis=-1) / fs
        i_an = 0.5 * np.sum((an[..., 1:] + an[..., :-1]) * w, axis=-1) / fs
        total = i_ag + i_an
        out = np.where(total > 0, 200.0 * i_an / np.where(total > 0, total, 1.0), 0.0)
    else:
        lower = np.minimum(ag, an)
        higher = np.maximum(ag, an)
        term = np.where(higher > 0, lower / np.where(higher > 0, higher, 1.0) * (lower + higher), 0.0)
        count = int(mask.sum())
        out = np.sum(term * mask, axis=-1) / count if count else np.zeros(ag.shape[:-1])
    return float(out) if np.ndim(out) == 0 else out
