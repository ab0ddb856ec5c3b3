"""Fatigue analysis of a Recording: windowed indices per channel, then trends and JASA.

:func:`analyze_fatigue` computes, for every EMG channel at once, one spectrum per
window and from it MNF, MDF, FInsm5 and the in-band RMS; windows in ``BAD_*``
annotations are skipped (and counted), rest windows are told apart from active ones,
and channels that cannot be analysed (status ``bad``, no power at all, nothing left
after skipping) give no rows but a reason. :func:`summarize_fatigue` turns the
windows table into one row per channel: slopes (Hz/s and %/s, r², confidence
interval), the JASA class and how much was skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.fatigue.dimitrov import dimitrov_index
from myograph.fatigue.jasa import jasa_quadrant
from myograph.fatigue.spectral import (
    DEFAULT_BAND_HZ,
    MIN_FS_HZ,
    _window_params,
    check_band_for_fs,
    fatigue_slopes,
    sliding_indices,
    window_starts,
)
from myograph.core.spans import BAD_PREFIX, good_windows, skip_bad_spans
from myograph.signal import band_power, check_signal, mean_frequency_of, median_frequency_of

__all__ = ["WINDOW_STATUSES", "analyze_fatigue", "summarize_fatigue"]

#: ``status`` of a window in :func:`analyze_fatigue`'s table
WINDOW_STATUSES = ("ok", "rest", "bad_span", "nonfinite", "no_power")

_INDICES = ("mnf_hz", "mdf_hz", "finsm5", "rms")


def _emg_channels(rec: Recording, channels: str | Sequence[str] | None) -> list[str]:
    if channels is None:
        idx = rec.channels.where(type="EMG")
        if not idx:
            raise ParameterError("channels", f"no EMG channel in the recording (types {sorted(set(rec.ch_types))}); name the channels")
        return [rec.ch_names[i] for i in idx]
    names = [channels] if isinstance(channels, str) else list(channels)
    for nm in names:
        rec.channels.index(nm)
    return names


def analyze_fatigue(
    rec: Recording,
    window_s: float = 0.5,
    step_s: float = 0.25,
    *,
    channels: str | Sequence[str] | None = None,
    band_hz: tuple[float, float] = DEFAULT_BAND_HZ,
    finsm5_band_hz: tuple[float, float] | None = None,
    segment_s: float | None = None,
    skip_bad: bool = True,
    bad_prefix: str = BAD_PREFIX,
    include_bad_channels: bool = False,
    min_relative_rms: float | None = 0.2,
    min_rms: float | None = None,
    nan_policy: str = "raise",
    min_fs_hz: float = MIN_FS_HZ,
) -> pd.DataFrame:
    """Sliding-window fatigue indices of a Recording's EMG channels.

    Parameters
    ----------
    rec : Recording
    window_s, step_s : float, default 0.5, 0.25
        Analysis windows, s.
    channels : str or sequence of str, optional
        Default: every EMG channel.
    band_hz : (float, float), default (20, 450)
        Band of MNF, MDF and RMS, Hz (see :func:`~myograph.fatigue.check_band_for_fs`).
    finsm5_band_hz : (float, float), optional
        Band of FInsm5; default ``band_hz`` (one band for every index; Dimitrov et
        al. used 8-500 Hz — pass it to reproduce them).
    segment_s : float, optional
        Welch segments inside each window (see :func:`~myograph.fatigue.sliding_spectrum`).
    skip_bad : bool, default True
        Windows touching a ``bad_prefix`` annotation of the channel (or of all
        channels) get status ``"bad_span"`` and NaN indices.
    include_bad_channels : bool, default False
        Analyse channels whose status is ``bad`` too.
    min_relative_rms : float or None, default 0.2
        A window whose in-band RMS is below this fraction of the channel's 90th
        percentile window RMS is ``"rest"`` (kept in the table, left out of the
        trends) — so repeated contractions can be analysed as they are.
    min_rms : float, optional
        Absolute rest threshold in the channel's unit (V for EMG), e.g. a few times
        the baseline noise RMS from :func:`myograph.quality.assess_quality`.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        ``"mask"``/``"propagate"``: windows holding a non-finite sample get status
        ``"nonfinite"`` and NaN indices.
    min_fs_hz : float, default 400

    Returns
    -------
    pandas.DataFrame
        One row per channel and window: ``channel``, ``time_s`` (window centre),
        ``mnf_hz``, ``mdf_hz``, ``finsm5`` (s⁶), ``rms`` (in-band RMS, channel unit),
        ``status`` (one of :data:`WINDOW_STATUSES`), ``used`` (``status == "ok"``).
        Channels that cannot be analysed have no rows. ``df.attrs`` holds the
        parameters (``band_hz`` actually used …) and ``"channels"``:
        ``{name: {"fraction_skipped", "reason", "units"}}`` for every requested
        channel — the reason is non-empty where a channel was left out.
        :func:`summarize_fatigue` gives the per-channel trends.
    """
    names = _emg_channels(rec, channels)
    fs = rec.fs
    band = check_band_for_fs(band_hz, fs, min_fs_hz=min_fs_hz)
    fband = band if finsm5_band_hz is None else check_band_for_fs(finsm5_band_hz, fs, min_fs_hz=min_fs_hz,
                                                                  name="finsm5_band_hz")
    if fband[0] <= 0:
        raise ParameterError("finsm5_band_hz", f"the low edge must be above 0 Hz (f^-1 diverges), got {fband[0]:g}")
    idx = [rec.channels.index(nm) for nm in names]
    rows = rec.data if idx == list(range(rec.n_channels)) else rec.data[idx]  # no copy when all channels are used
    data = check_signal(rows, name="rec.data", nan_policy=nan_policy)
    w, step = _window_params(window_s, step_s, fs, rec.n_samples)
    starts = window_starts(rec.n_samples, w, step)
    if skip_bad:
        good = skip_bad_spans(rec, names, prefix=bad_prefix, include_bad_channels=include_bad_channels)
        mask, frac, reasons = good.mask, good.fraction_skipped, good.reasons
    else:
        mask = np.ones((len(names), rec.n_samples), dtype=bool)
        frac = np.zeros(len(names))
        reasons = [""] * len(names)
        if not include_bad_channels:
            for k, nm in enumerate(names):
                ch = rec.channels[nm]
                if ch.status == "bad":
                    mask[k] = False
                    frac[k] = 1.0
                    reasons[k] = f"channel status bad: {ch.status_description or 'no reason given'}"
    t, ix = sliding_indices(data, fs, w / fs, step / fs, {
        "mnf": lambda f, p: mean_frequency_of(f, p, band_hz=band, axis=-2),
        "mdf": lambda f, p: median_frequency_of(f, p, band_hz=band, axis=-2),
        "fin": lambda f, p: dimitrov_index(f, p, band_hz=fband, axis=-2),
        "rms": lambda f, p: np.sqrt(band_power(f, p, band, axis=-2)),
    }, segment_s=segment_s, nan_policy="propagate")
    mnf, mdf, fin, rms = ix["mnf"], ix["mdf"], ix["fin"], ix["rms"]
    in_good = good_windows(mask, starts, w)
    finite = np.isfinite(rms)
    status = np.full(rms.shape, "ok", dtype=object)
    status[finite & (rms <= 0)] = "no_power"
    status[~finite] = "nonfinite"
    status[~in_good] = "bad_span"
    for arr in (mnf, mdf, fin, rms):
        arr[~in_good] = np.nan
    for k in range(len(names)):
        cand = status[k] == "ok"
        if not cand.any():
            continue
        thr = 0.0
        if min_relative_rms is not None:
            thr = max(thr, float(min_relative_rms) * float(np.percentile(rms[k, cand], 90)))
        if min_rms is not None:
            thr = max(thr, float(min_rms))
        status[k, cand & (rms[k] < thr)] = "rest"

    rows = []
    info: dict[str, dict[str, Any]] = {}
    for k, nm in enumerate(names):
        units = rec.channels[nm].units
        reason = reasons[k]
        st = status[k]
        usable = (st == "ok") | (st == "rest")
        examined = st != "bad_span"
        if not mask[k].any():
            why = reason or "every sample lies in a bad span"
        elif usable.any():
            why = ""
        elif examined.any() and (st[examined] == "no_power").all():
            why = f"no activity: no power in {band[0]:g}-{band[1]:g} Hz (flat or all-zero signal)"
        else:
            counts = zip(*np.unique(st.astype(str), return_counts=True))
            why = "no usable window (" + ", ".join(f"{n} {s}" for s, n in counts) + ")"
        info[nm] = {"fraction_skipped": float(frac[k]), "reason": why or reason, "units": units,
                    "excluded": bool(why)}
        if why:
            continue
        rows.append(pd.DataFrame({
            "channel": nm, "time_s": t, "mnf_hz": mnf[k], "mdf_hz": mdf[k], "finsm5": fin[k], "rms": rms[k],
            "status": st.astype(str), "used": st == "ok",
        }))
    cols = ["channel", "time_s", "mnf_hz", "mdf_hz", "finsm5", "rms", "status", "used"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({c: [] for c in cols})
    out.attrs.update({
        "window_s": w / fs, "step_s": step / fs, "band_hz": list(band), "finsm5_band_hz": list(fband),
        "fs": fs, "skip_bad": bool(skip_bad), "bad_prefix": bad_prefix, "min_relative_rms": min_relative_rms,
        "min_rms": min_rms, "channels": info,
    })
    return out


def summarize_fatigue(
    windows: pd.DataFrame,
    *,
    t0_s: float | None = None,
    confidence: float = 0.95,
    significant_only: bool = False,
) -> pd.DataFrame:
    """One row per channel: trends of the windowed indices, JASA class, what was skipped.

    Parameters
    ----------
    windows : DataFrame
        :func:`analyze_fatigue`'s result (only ``used`` windows enter the trends).
    t0_s : float, optional
        Time of the initial value for the relative slopes (default: each channel's
        first used window; see :func:`~myograph.fatigue.fatigue_slopes`).
    confidence : float, default 0.95
    significant_only : bool, default False
        JASA: treat slopes whose confidence interval contains 0 as no trend.

    Returns
    -------
    DataFrame indexed by channel
        ``n_windows``, ``n_used``, ``n_rest``, ``n_bad_span``, ``fraction_skipped``
        (samples in bad spans, 0-1), for MNF and MDF ``*_slope_hz_per_s``,
        ``*_slope_pct_per_s``, ``*_ci_low_hz_per_s``, ``*_ci_high_hz_per_s``,
        ``*_initial_hz``, ``*_r2``, ``*_p_value``; ``finsm5_slope_pct_per_s``,
        ``rms_slope_pct_per_s``, ``jasa`` (from RMS and MNF), ``reason``
        (non-empty where there is no result).
    """
    info: dict[str, dict[str, Any]] = dict(windows.attrs.get("channels", {}))
    names = list(info) if info else list(pd.unique(windows["channel"]))
    recs = []
    for nm in names:
        sub = windows[windows["channel"] == nm]
        meta = info.get(nm, {})
        row: dict[str, Any] = {"channel": nm, "n_windows": len(sub), "n_used": int(sub["used"].sum()) if len(sub) else 0,
                               "n_rest": int((sub["status"] == "rest").sum()) if len(sub) else 0,
                               "n_bad_span": int((sub["status"] == "bad_span").sum()) if len(sub) else 0,
                               "fraction_skipped": float(meta.get("fraction_skipped", 0.0))}
        reason = str(meta.get("reason", "")) if meta.get("excluded") else ""
        used = sub[sub["used"]] if len(sub) else sub
        t = used["time_s"].to_numpy(float) if len(used) else np.zeros(0)
        fits = {}
        for col, name in (("mnf_hz", "mnf"), ("mdf_hz", "mdf"), ("finsm5", "finsm5"), ("rms", "rms")):
            v = used[col].to_numpy(float) if len(used) else np.zeros(0)
            fits[name] = fatigue_slopes(t, v, t0_s=t0_s, confidence=confidence)
        for name in ("mnf", "mdf"):
            fit = fits[name]
            row.update({
                f"{name}_slope_hz_per_s": float(fit.slope), f"{name}_slope_pct_per_s": float(fit.slope_pct_per_s),
                f"{name}_ci_low_hz_per_s": float(fit.ci_low), f"{name}_ci_high_hz_per_s": float(fit.ci_high),
                f"{name}_initial_hz": float(fit.initial), f"{name}_r2": float(fit.r2),
                f"{name}_p_value": float(fit.p_value),
            })
        row["finsm5_slope_pct_per_s"] = float(fits["finsm5"].slope_pct_per_s)
        row["rms_slope_pct_per_s"] = float(fits["rms"].slope_pct_per_s)
        a, fq = fits["rms"].slope_pct_per_s, fits["mnf"].slope_pct_per_s
        if significant_only:
            a = a if (fits["rms"].ci_low > 0 or fits["rms"].ci_high < 0) else 0.0
            fq = fq if (fits["mnf"].ci_low > 0 or fits["mnf"].ci_high < 0) else 0.0
        row["jasa"] = str(jasa_quadrant(a, fq)[()])
        if not reason and fits["mnf"].reason[()]:
            reason = f"{fits['mnf'].reason[()]} (used windows: {row['n_used']})"
        row["reason"] = reason
        recs.append(row)
    return pd.DataFrame(recs).set_index("channel") if recs else pd.DataFrame()
