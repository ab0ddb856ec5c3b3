"""One call from a surface EMG recording to a per-channel table of results.

:func:`analyze_recording` chains the library's pieces in the order a
physiotherapist or sports scientist would, and keeps every intermediate and
every parameter so that a report can show how each number was made:

1. **quality** — :func:`myograph.quality.assess_quality`: ``BAD_*`` spans and
   channel status (flat, saturated, missing channels are reported, never
   crashed on);
2. **conditioning** — Butterworth band-pass (default 20–450 Hz, the high edge
   capped at 95 % of Nyquist), zero-phase;
3. **onsets/offsets** — :func:`myograph.activation.annotate_onsets` on the
   band-passed EMG (``BAD_*`` spans left out), one ``activation`` annotation
   per burst and, per channel, a status and the reason when nothing was found;
4. **power-line notch** at ``line_hz`` (when known) — *after* the onsets: a
   zero-phase notch rings for about ``Q / (π f)`` ≈ 0.2 s on both sides of every
   burst edge, which moved onsets by up to 0.2 s in our tests, while stationary
   mains is simply part of the noise floor that the ``auto`` detector estimates;
5. **activation level** — RMS and integrated EMG (iEMG) of the conditioned EMG
   over the usable samples and inside the bursts, the linear envelope
   (default 6 Hz) and, given an MVC recording processed the same way, %MVC
   (:meth:`Recording.normalize` with ``method="mvc"``: the envelope divided by
   the MVC envelope's highest 0.5-s mean);
6. **burst statistics** — :func:`myograph.activation.burst_statistics` and
   :func:`~myograph.activation.burst_summary`;
7. **fatigue** — :func:`myograph.fatigue.analyze_fatigue` (MNF, MDF, FInsm5 and
   in-band RMS over sliding windows, ``BAD_*`` spans and rests skipped) and
   :func:`~myograph.fatigue.summarize_fatigue` (slopes in Hz/s and %/s, r²,
   JASA).

The result (:class:`AnalysisResult`) holds the processed Recording with all
annotations and its provenance, the envelope, the tables, and
``parameters``; :meth:`AnalysisResult.to_frame` gives one row per channel
(:data:`COLUMNS` documents every column and its unit) and
:meth:`AnalysisResult.to_json` everything as JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from myograph.activation import annotate_onsets, burst_statistics, burst_summary, integrated_emg
from myograph.activation._result import OnsetReport
from myograph.activation.levels import interval_mask
from myograph.core.errors import ChannelError, ParameterError
from myograph.core.recording import Recording
from myograph.fatigue import MIN_FS_HZ, analyze_fatigue, summarize_fatigue
from myograph.quality import assess_quality, skip_bad_spans
from myograph.signal import reference_amplitude

__all__ = ["analyze_recording", "AnalysisResult", "COLUMNS", "BURST_COLUMNS", "DEFAULTS"]

#: defaults of :func:`analyze_recording` (also what the CLI uses)
DEFAULTS: dict[str, Any] = {
    "band_hz": (20.0, 450.0),
    "filter_order": 4,
    "envelope_hz": 6.0,
    "envelope_order": 4,
    "onset_method": "auto",
    "fatigue_window_s": 0.5,
    "fatigue_step_s": 0.25,
    "mvc_window_s": 0.5,
    "nan_policy": "raise",
}

#: fraction of Nyquist the band-pass high edge may reach
_MAX_NYQUIST_FRACTION = 0.95

#: one row per channel: column → meaning (unit in the name where there is one)
COLUMNS: dict[str, str] = {
    "channel": "channel name",
    "muscle": "target muscle (channel table)",
    "side": "L / R (channel table)",
    "quality_status": "good or bad (myograph.quality)",
    "quality_reason": "why the channel is bad (flat, saturated, missing …); empty when good",
    "snr_db": "signal-to-noise ratio estimated from the record's own rest and activity, dB",
    "baseline_rms_uv": "baseline (rest) noise RMS, µV",
    "powerline_ratio": "power within ±1 Hz of the mains and its harmonics over the 20–450 Hz power (0–1)",
    "clipped_fraction": "fraction of samples clipped (0–1)",
    "flat_fraction": "fraction of samples in flat spans (0–1)",
    "bad_fraction": "fraction of samples inside BAD_* spans, left out of every analysis (0–1)",
    "quality_notes": "notes of the quality assessment",
    "onset_status": "ok, no_activity, flat, saturated, missing, nonfinite or too_short (myograph.activation)",
    "onset_reason": "why no burst was found; empty when bursts were found",
    "n_bursts": "number of detected bursts",
    "onsets_s": "burst onsets, s from the start of the record (';'-separated in CSV, a list in JSON)",
    "offsets_s": "burst offsets, s (same order as onsets_s)",
    "active_s": "total time inside bursts, s",
    "duty_cycle_pct": "active_s over the record's duration, %",
    "bursts_per_min": "bursts per minute of record",
    "burst_duration_mean_s": "mean burst duration, s",
    "burst_duration_sd_s": "SD of the burst durations, s (NaN below two bursts)",
    "burst_peak_mean_uv": "mean over bursts of the envelope's peak, µV",
    "rms_uv": "RMS of the conditioned EMG over the usable samples (whole record), µV",
    "active_rms_uv": "RMS of the conditioned EMG inside the bursts, µV",
    "iemg_uv_s": "integrated EMG ∫|x|dt over the usable samples, µV·s",
    "active_iemg_uv_s": "integrated EMG inside the bursts, µV·s",
    "active_envelope_mean_uv": "mean linear envelope inside the bursts, µV",
    "envelope_peak_uv": "highest value of the linear envelope over the usable samples, µV",
    "mvc_reference_uv": "MVC reference: highest mvc_window_s mean of the MVC trial's envelope, µV",
    "mvc_reference_time_s": "centre of that window in the MVC trial, s",
    "active_mean_pct_mvc": "mean envelope inside the bursts, %MVC",
    "peak_pct_mvc": "highest envelope value over the usable samples, %MVC",
    "mvc_reason": "why %MVC is missing although an MVC recording was given",
    "mnf_initial_hz": "mean frequency at the first used window (regression line), Hz",
    "mnf_slope_hz_per_s": "mean-frequency trend, Hz/s",
    "mnf_slope_pct_per_s": "mean-frequency trend, % of the initial value per s",
    "mnf_r2": "r² of the mean-frequency regression",
    "mdf_initial_hz": "median frequency at the first used window (regression line), Hz",
    "mdf_slope_hz_per_s": "median-frequency trend, Hz/s",
    "mdf_slope_pct_per_s": "median-frequency trend, % of the initial value per s",
    "mdf_r2": "r² of the median-frequency regression",
    "mdf_p_value": "two-sided p of median-frequency slope ≠ 0",
    "finsm5_slope_pct_per_s": "Dimitrov's FInsm5 trend, % of the initial value per s",
    "rms_slope_pct_per_s": "in-band RMS trend, % of the initial value per s",
    "jasa": "JASA class from RMS and MNF trends: fatigue, recovery, force_increase, force_decrease, undetermined",
    "fatigue_windows_used": "analysis windows that entered the trends (active, no bad span)",
    "fatigue_reason": "why there is no fatigue result, or a caution about it (no burst detected)",
}

#: one row per burst: column → meaning
BURST_COLUMNS: dict[str, str] = {
    "channel": "channel name",
    "burst": "index of the burst within its channel (0-based)",
    "onset_s": "onset, s",
    "offset_s": "offset, s",
    "duration_s": "duration, s",
    "peak_uv": "peak of the linear envelope, µV",
    "time_to_peak_s": "from onset to the envelope's peak, s",
    "mean_rectified_uv": "mean rectified value (ARV) of the conditioned EMG, µV",
    "rms_uv": "RMS of the conditioned EMG, µV",
    "iemg_uv_s": "integrated EMG, µV·s",
    "mean_pct_mvc": "mean envelope, %MVC (with an MVC recording)",
    "peak_pct_mvc": "peak envelope, %MVC (with an MVC recording)",
}

_UV = 1e6


def _jsonable(value: Any) -> Any:
    """Plain JSON types; NaN/Inf become null."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


@dataclass(frozen=True)
class AnalysisResult:
    """What :func:`analyze_recording` found, and how.

    Attributes
    ----------
    channels : list of str
        The analysed channels, in order.
    raw : Recording
        The input's analysed channels as recorded (V), with the file's own annotations.
    recording : Recording
        The processed Recording: conditioned EMG (band-pass, then notch) in V with
        every annotation (``BAD_*`` from quality, ``activation`` per burst) and the
        full provenance.
    envelope : Recording
        Linear envelope of ``recording`` (V), same annotations.
    envelope_pct_mvc : Recording or None
        The envelope in %MVC for the channels with a valid MVC reference (others
        NaN); None without an MVC recording.
    quality : DataFrame
        :func:`myograph.quality.assess_quality`'s report, one row per channel.
    onsets : OnsetReport
        Per channel the ``(onset_s, offset_s)`` rows, status and reason.
    bursts : DataFrame
        One row per burst (:data:`BURST_COLUMNS`).
    levels : DataFrame
        Per channel activation level and burst summary (indexed by channel).
    fatigue_windows : DataFrame
        :func:`myograph.fatigue.analyze_fatigue`'s windows (empty when skipped).
    fatigue : DataFrame
        :func:`myograph.fatigue.summarize_fatigue`'s summary, indexed by channel.
    mvc : dict
        Per channel ``{"reference_uv", "reference_time_s", "reason"}`` (empty without MVC).
    parameters : dict
        Every parameter used (see ``docs/analysis.md``).
    """

    channels: list[str]
    raw: Recording
    recording: Recording
    envelope: Recording
    envelope_pct_mvc: Recording | None
    quality: pd.DataFrame
    onsets: OnsetReport
    bursts: pd.DataFrame
    levels: pd.DataFrame
    fatigue_windows: pd.DataFrame
    fatigue: pd.DataFrame
    mvc: dict[str, dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def fs(self) -> float:
        return self.recording.fs

    @property
    def provenance(self) -> list[dict[str, Any]]:
        """Every step that made :attr:`envelope` (and before it :attr:`recording`), oldest first."""
        steps = self.envelope_pct_mvc.provenance if self.envelope_pct_mvc is not None else self.envelope.provenance
        return [s.to_dict() for s in steps]

    def _bad_labels(self, name: str) -> list[str]:
        """The ``BAD_*`` labels that concern ``name`` (sorted, each once)."""
        return sorted({a.label for a in self.recording.annotations.select(prefix="BAD_", channel=name)})

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        q = self.quality
        for k, name in enumerate(self.channels):
            ch = self.raw.channels[self.raw.ch_names.index(name)]
            c = self.onsets[name]
            qr = q.loc[name] if name in q.index else pd.Series(dtype=object)
            lv = self.levels.loc[name]
            ft = self.fatigue.loc[name] if name in self.fatigue.index else None
            mv = self.mvc.get(name, {})

            def fget(col: str, ft=ft) -> Any:
                return ft[col] if ft is not None and col in ft.index else np.nan

            row = {
                "channel": name,
                "muscle": getattr(ch, "muscle", ""),
                "side": getattr(ch, "side", ""),
                "quality_status": str(qr.get("status", "")),
                "quality_reason": str(qr.get("reason", "") or ""),
                "snr_db": float(qr.get("snr_db", np.nan)),
                "baseline_rms_uv": float(qr.get("baseline_rms_uv", np.nan)),
                "powerline_ratio": float(qr.get("powerline_ratio", np.nan)),
                "clipped_fraction": float(qr.get("clipped_fraction", np.nan)),
                "flat_fraction": float(qr.get("flat_fraction", np.nan)),
                "bad_fraction": float(lv["bad_fraction"]),
                "quality_notes": str(qr.get("notes", "") or ""),
                "onset_status": c.status,
                "onset_reason": _onset_reason(c, qr, self._bad_labels(name), float(lv["bad_fraction"])),
                "n_bursts": int(c.n_bursts),
                "onsets_s": [round(float(v), 4) for v in c.intervals[:, 0]],
                "offsets_s": [round(float(v), 4) for v in c.intervals[:, 1]],
            }
            for col in ("active_s", "duty_cycle_pct", "bursts_per_min", "burst_duration_mean_s", "burst_duration_sd_s",
                        "burst_peak_mean_uv", "rms_uv", "active_rms_uv", "iemg_uv_s", "active_iemg_uv_s",
                        "active_envelope_mean_uv", "envelope_peak_uv", "active_mean_pct_mvc", "peak_pct_mvc"):
                row[col] = float(lv[col])
            row["mvc_reference_uv"] = float(mv.get("reference_uv", np.nan))
            row["mvc_reference_time_s"] = float(mv.get("reference_time_s", np.nan))
            row["mvc_reason"] = str(mv.get("reason", ""))
            for col in ("mnf_initial_hz", "mnf_slope_hz_per_s", "mnf_slope_pct_per_s", "mnf_r2", "mdf_initial_hz",
                        "mdf_slope_hz_per_s", "mdf_slope_pct_per_s", "mdf_r2", "mdf_p_value", "finsm5_slope_pct_per_s",
                        "rms_slope_pct_per_s"):
                row[col] = float(fget(col))
            jasa = fget("jasa")
            row["jasa"] = jasa if isinstance(jasa, str) and math.isfinite(row["mnf_slope_hz_per_s"]) else ""
            used = fget("n_used")
            row["fatigue_windows_used"] = int(used) if isinstance(used, (int, np.integer)) or (
                isinstance(used, float) and math.isfinite(used)) else 0
            reason = fget("reason")
            reason = reason if isinstance(reason, str) else self.parameters.get("fatigue", {}).get("skipped", "")
            if not reason and c.status != "ok" and math.isfinite(row["mdf_slope_hz_per_s"]):
                # no burst found: the windows above the rest level may be noise, or a contraction held throughout
                row["jasa"] = ""
                reason = ("caution: no burst detected — these trends mean something only if the muscle contracted "
                          "throughout (no JASA class given)")
            row["fatigue_reason"] = reason
            rows.append({col: row[col] for col in COLUMNS})
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per channel, the columns of :data:`COLUMNS` (onsets/offsets ``';'``-joined)."""
        rows = self._rows()
        for r in rows:
            r["onsets_s"] = ";".join(f"{v:.4f}" for v in r["onsets_s"])
            r["offsets_s"] = ";".join(f"{v:.4f}" for v in r["offsets_s"])
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def bursts_frame(self) -> pd.DataFrame:
        """One row per burst (:data:`BURST_COLUMNS`)."""
        return self.bursts.copy()

    def to_dict(self, *, windows: bool = False) -> dict[str, Any]:
        """Everything as plain JSON types: channels, bursts, quality, parameters, provenance.

        ``windows=True`` also includes the fatigue windows (one row per channel and window).
        """
        rec = self.recording
        doc: dict[str, Any] = {
            "file": rec.metadata.source_file,
            "fs_hz": rec.fs,
            "duration_s": rec.duration,
            "columns": COLUMNS,
            "channels": self._rows(),
            "bursts": self.bursts.to_dict(orient="records"),
            "burst_columns": BURST_COLUMNS,
            "quality": self.quality.reset_index().to_dict(orient="records"),
            "parameters": self.parameters,
            "provenance": self.provenance,
        }
        if windows:
            doc["fatigue_windows"] = self.fatigue_windows.to_dict(orient="records")
        return _jsonable(doc)

    def to_json(self, *, windows: bool = False, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string (NaN → null)."""
        return json.dumps(self.to_dict(windows=windows), indent=indent, ensure_ascii=False, allow_nan=False)


def _onset_reason(c: Any, quality_row: pd.Series, bad_labels: Sequence[str] = (), bad_fraction: float = 0.0) -> str:
    """The detector's reason, with what the quality assessment adds: a bad channel, BAD spans, no distinct rest."""
    reason = c.reason or ""
    if c.status == "ok":
        return reason
    if str(quality_row.get("status", "good")) == "bad" and quality_row.get("reason"):
        return f"{reason} — channel bad: {quality_row.get('reason')}" if reason else f"channel bad: {quality_row.get('reason')}"
    if c.status in ("too_short", "missing") and bad_labels and math.isfinite(bad_fraction) and bad_fraction >= 0.5:
        return f"{reason} — {bad_fraction * 100:.0f} % of the channel lies in {', '.join(bad_labels)} spans"
    snr = quality_row.get("snr_db", np.nan)
    if c.status == "no_activity" and not (isinstance(snr, (int, float)) and math.isfinite(snr)):
        reason += "; no distinct rest in the record either: a contraction held throughout would look the same"
    return reason


# --- the analysis ------------------------------------------------------------------------------

def _pick_channels(rec: Recording, channels: str | Sequence[str] | None) -> list[str]:
    if channels is None:
        idx = rec.channels.where(type="EMG")
        if not idx:
            raise ParameterError("channels", f"the recording has no EMG channel (channels: {', '.join(rec.ch_names)}); "
                                             "name the channels to analyse")
        names = [rec.ch_names[i] for i in idx]
    else:
        names = [channels] if isinstance(channels, str) else [str(c) for c in channels]
        if not names:
            raise ParameterError("channels", "name at least one channel")
        for n in names:
            if n not in rec.ch_names:
                raise ChannelError("channels", f"no channel named {n!r} (the recording has {', '.join(rec.ch_names)})")
        if len(set(names)) != len(names):
            raise ParameterError("channels", f"each channel once, got {names}")
    not_volts = [n for n in names if rec.channels[rec.ch_names.index(n)].units != "V"]
    if not_volts:
        units = ", ".join(f"{n} in {rec.channels[rec.ch_names.index(n)].units or 'no unit'}" for n in not_volts)
        raise ParameterError("channels", f"EMG analysis needs volts, got {units}")
    return names


def _band(band_hz: Sequence[float], fs: float, name: str = "band_hz") -> tuple[tuple[float, float], str]:
    try:
        low, high = (float(v) for v in band_hz)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be (low_hz, high_hz), got {band_hz!r}") from None
    note = ""
    cap = _MAX_NYQUIST_FRACTION * fs / 2
    if high > cap:
        note = f"high edge {high:g} Hz lowered to {cap:g} Hz (95 % of Nyquist at {fs:g} Hz)"
        high = cap
    if not (0 < low < high):
        raise ParameterError(name, f"need 0 < low_hz < high_hz ≤ {cap:g} Hz at {fs:g} Hz, got ({low:g}, {high:g})")
    return (low, high), note


def _nan_stat(fn, values: np.ndarray) -> float:
    return float(fn(values)) if values.size else float("nan")


def _levels(x: np.ndarray, env: np.ndarray, pct: np.ndarray | None, fs: float, usable: np.ndarray,
            intervals: np.ndarray) -> dict[str, float]:
    """Activation level of one channel (V in, µV out)."""
    m = usable & np.isfinite(x)
    active = interval_mask(intervals, fs, x.size) & m
    env_ok = m & np.isfinite(env)
    out = {
        "rms_uv": _nan_stat(lambda v: np.sqrt(np.mean(v ** 2)), x[m]) * _UV,
        "active_rms_uv": _nan_stat(lambda v: np.sqrt(np.mean(v ** 2)), x[active]) * _UV,
        "iemg_uv_s": float(integrated_emg(np.where(m, x, np.nan), fs, nan_policy="mask")) * _UV if m.sum() > 1 else float("nan"),
        "active_iemg_uv_s": float(integrated_emg(np.where(active, x, np.nan), fs, nan_policy="mask")) * _UV
        if active.sum() > 1 else float("nan"),
        "active_envelope_mean_uv": _nan_stat(np.mean, env[active & env_ok]) * _UV,
        "envelope_peak_uv": _nan_stat(np.max, env[env_ok]) * _UV,
        "active_mean_pct_mvc": float("nan"),
        "peak_pct_mvc": float("nan"),
    }
    if pct is not None:
        p_ok = m & np.isfinite(pct)
        out["active_mean_pct_mvc"] = _nan_stat(np.mean, pct[active & p_ok])
        out["peak_pct_mvc"] = _nan_stat(np.max, pct[p_ok])
    return out


def _condition(rec: Recording, band: tuple[float, float], notch_hz: float | None, order: int, nan_policy: str,
               channels: list[str]) -> Recording:
    out = rec.bandpass(band[0], band[1], order=order, nan_policy=nan_policy, channels=channels)
    if notch_hz is not None:
        out = out.notch(notch_hz, nan_policy=nan_policy, channels=channels)
    return out


def analyze_recording(
    rec: Recording,
    *,
    channels: str | Sequence[str] | None = None,
    mvc: Recording | None = None,
    line_hz: float | None = None,
    band_hz: tuple[float, float] = DEFAULTS["band_hz"],
    filter_order: int = DEFAULTS["filter_order"],
    envelope_hz: float = DEFAULTS["envelope_hz"],
    envelope_order: int = DEFAULTS["envelope_order"],
    onset_method: str = DEFAULTS["onset_method"],
    onset_params: Mapping[str, Any] | None = None,
    fatigue_window_s: float = DEFAULTS["fatigue_window_s"],
    fatigue_step_s: float = DEFAULTS["fatigue_step_s"],
    mvc_window_s: float = DEFAULTS["mvc_window_s"],
    nan_policy: str = DEFAULTS["nan_policy"],
) -> AnalysisResult:
    """Quality, onsets/offsets, activation level, burst statistics and fatigue of each EMG channel.

    Parameters
    ----------
    rec : Recording
        The recording (EMG in V).
    channels : str or sequence of str, optional
        Channels to analyse (volts); default every ``EMG`` channel. An unknown
        name raises :class:`~myograph.ChannelError`.
    mvc : Recording, optional
        A maximal voluntary contraction trial with the same channel names
        (any length and rate). It is processed exactly like ``rec``
        (band-pass, notch, envelope); the reference per channel is its
        envelope's highest ``mvc_window_s`` mean. Channels missing from it, or
        flat in it, get NaN %MVC and a ``mvc_reason``.
    line_hz : float, optional
        Power-line frequency, Hz (50 or 60). Default ``rec.metadata.power_line_hz``;
        when both are unknown no notch is applied (quality measures 50 and 60 Hz).
    band_hz : (float, float), default (20, 450)
        Band-pass, Hz; the high edge is lowered to 95 % of Nyquist when needed (noted).
    filter_order : int, default 4
        Butterworth order of the band-pass.
    envelope_hz : float, default 6
        Linear-envelope low-pass cut-off, Hz.
    envelope_order : int, default 4
        Butterworth order of the envelope low-pass.
    onset_method : str, default "auto"
        A key of :data:`myograph.activation.DETECTORS`; ``onset_params`` its
        parameters (seconds, dB, SDs).
    fatigue_window_s, fatigue_step_s : float, default 0.5, 0.25
        Sliding windows of the spectral fatigue indices, s.
    mvc_window_s : float, default 0.5
        Averaging window of the MVC reference, s.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        Non-finite samples: refuse (:class:`~myograph.SignalError`), leave out
        (annotated ``BAD_nonfinite``; each finite stretch analysed on its own),
        or let them spread (the channel's results become empty/NaN).

    Returns
    -------
    AnalysisResult
    """
    if not isinstance(rec, Recording):
        raise ParameterError("rec", f"must be a Recording, got {type(rec).__name__}")
    if nan_policy not in ("raise", "mask", "propagate"):
        raise ParameterError("nan_policy", f"must be 'raise', 'mask' or 'propagate', got {nan_policy!r}")
    if mvc is not None and not isinstance(mvc, Recording):
        raise ParameterError("mvc", f"must be a Recording (the MVC trial), got {type(mvc).__name__}")
    for nm, v in (("envelope_hz", envelope_hz), ("fatigue_window_s", fatigue_window_s),
                  ("fatigue_step_s", fatigue_step_s), ("mvc_window_s", mvc_window_s)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ParameterError(nm, f"must be a number > 0, got {v!r}")
    names = _pick_channels(rec, channels)
    fs = rec.fs
    raw = rec.select(names)
    line = float(line_hz) if line_hz is not None else (
        float(rec.metadata.power_line_hz) if rec.metadata.power_line_hz is not None else None)
    band, band_note = _band(band_hz, fs)
    notes: list[str] = [band_note] if band_note else []
    if line is None:
        notes.append("power-line frequency unknown (not in the recording): no notch applied; give it as line_hz (--line-hz)")
    elif line >= fs / 2:
        notes.append(f"power-line frequency {line:g} Hz at or above Nyquist: no notch applied")
        line = None

    # 1. quality -> BAD_* annotations and channel status
    rec_q, quality, _spans = assess_quality(raw, channels=names, line_hz=line, nan_policy=nan_policy)
    quality = quality.copy()
    if "channel" in quality.columns:
        quality = quality.set_index("channel")

    # 2-3. band-pass, onsets on the band-passed EMG
    bp = rec_q.bandpass(band[0], band[1], order=filter_order, nan_policy=nan_policy, channels=names)
    rec_on, onsets = annotate_onsets(bp, onset_method, channels=names, nan_policy=nan_policy, return_report=True,
                                     **dict(onset_params or {}))
    # 4. notch after the onsets
    processed = rec_on.notch(line, nan_policy=nan_policy, channels=names) if line is not None else rec_on
    # 5. envelope
    envelope = processed.envelope(envelope_hz, order=envelope_order, nan_policy=nan_policy, channels=names)

    # %MVC
    mvc_info: dict[str, dict[str, Any]] = {}
    env_pct: Recording | None = None
    mvc_params: dict[str, Any] | None = None
    if mvc is not None:
        present = [n for n in names if n in mvc.ch_names]
        mvc_band, mvc_note = _band(band_hz, mvc.fs, "band_hz (MVC recording)")
        mvc_env = None
        if present:
            mvc_notch = line if line is not None and line < mvc.fs / 2 else None
            mvc_env = _condition(mvc.select(present), mvc_band, mvc_notch, filter_order, nan_policy, present).envelope(
                envelope_hz, order=envelope_order, nan_policy=nan_policy, channels=present)
            ref, ref_t = reference_amplitude(mvc_env.get_data(present), mvc.fs, window_s=mvc_window_s,
                                             nan_policy="mask" if nan_policy == "mask" else "propagate")
        for n in names:
            if n not in present:
                mvc_info[n] = {"reference_uv": float("nan"), "reference_time_s": float("nan"),
                               "reason": f"the MVC recording has no channel {n!r}"}
        valid = []
        for k, n in enumerate(present):
            r = float(np.atleast_1d(ref)[k])
            if math.isfinite(r) and r > 0:
                valid.append(n)
                mvc_info[n] = {"reference_uv": r * _UV, "reference_time_s": float(np.atleast_1d(ref_t)[k]), "reason": ""}
            else:
                mvc_info[n] = {"reference_uv": float("nan"), "reference_time_s": float("nan"),
                               "reason": "the MVC trial of this channel is flat or missing (no reference amplitude)"}
        if valid:
            env_pct = envelope.normalize("mvc", mvc_env, window_s=mvc_window_s, nan_policy=nan_policy, channels=valid)
            # channels without a valid reference stay in V there: mark them NaN so that nothing reads them as %MVC
            if len(valid) < len(names):
                data = env_pct.get_data()
                for n in names:
                    if n not in valid:
                        data[env_pct.ch_names.index(n)] = np.nan
                env_pct = env_pct.derive("analysis.mask_without_mvc", {"channels": [n for n in names if n not in valid]},
                                         data=data)
        mvc_params = {"file": mvc.metadata.source_file, "fs_hz": mvc.fs, "duration_s": mvc.duration,
                      "window_s": mvc_window_s, "statistic": "highest window mean of the envelope",
                      "band_hz": list(mvc_band), "band_note": mvc_note,
                      "notch_hz": line if line is not None and line < mvc.fs / 2 else None,
                      "provenance": [s.to_dict() for s in (mvc_env.provenance if mvc_env is not None else mvc.provenance)]}

    # 5-6. levels and bursts on the usable samples
    good = skip_bad_spans(processed, names, include_bad_channels=True)
    usable = good.mask
    x_all = processed.get_data(names)
    e_all = envelope.get_data(names)
    p_all = env_pct.get_data(names) if env_pct is not None else None
    status = {c.name: c.status for c in processed.channels}
    level_rows, burst_frames = [], []
    duration = rec.duration
    for k, n in enumerate(names):
        iv = onsets[n].intervals
        lv = _levels(x_all[k], e_all[k], None if p_all is None else p_all[k], fs, usable[k], iv)
        if status.get(n) == "bad":
            lv = {key: float("nan") for key in lv}
        finite = np.isfinite(x_all[k]) & np.isfinite(e_all[k])
        stats = burst_statistics(np.where(finite, x_all[k], 0.0), fs, iv, envelope=np.where(finite, e_all[k], 0.0),
                                 ch_names=[n])
        if len(stats):
            i0 = np.clip(np.round(stats["onset_s"].to_numpy() * fs).astype(int), 0, x_all.shape[1])
            i1 = np.clip(np.round(stats["offset_s"].to_numpy() * fs).astype(int), 0, x_all.shape[1])
            broken = np.array([not finite[a:b].all() for a, b in zip(i0, i1)])
            for col in ("peak", "time_to_peak_s", "mean_rectified", "rms", "iemg"):
                stats.loc[broken, col] = np.nan
            if p_all is not None:
                pk = p_all[k]
                stats["mean_pct_mvc"] = [float(np.mean(pk[a:b])) if b > a else np.nan for a, b in zip(i0, i1)]
                stats["peak_pct_mvc"] = [float(np.max(pk[a:b])) if b > a else np.nan for a, b in zip(i0, i1)]
            burst_frames.append(stats)
        summ = burst_summary(stats, duration) if len(stats) else None
        if summ is not None:
            s = summ.iloc[0]
            lv.update({"active_s": float(s["active_s"]), "duty_cycle_pct": float(s["duty_cycle"]) * 100.0,
                       "bursts_per_min": float(s["bursts_per_min"]), "burst_duration_mean_s": float(s["duration_mean_s"]),
                       "burst_duration_sd_s": float(s["duration_sd_s"]), "burst_peak_mean_uv": float(s["peak_mean"]) * _UV})
        else:
            lv.update({"active_s": 0.0, "duty_cycle_pct": 0.0, "bursts_per_min": 0.0,
                       "burst_duration_mean_s": float("nan"), "burst_duration_sd_s": float("nan"),
                       "burst_peak_mean_uv": float("nan")})
        lv["channel"] = n
        lv["bad_fraction"] = float(good.fraction_skipped[k])
        level_rows.append(lv)
    levels = pd.DataFrame(level_rows).set_index("channel")
    bursts = _burst_table(burst_frames, with_mvc=p_all is not None)

    # 7. fatigue
    fatigue_params: dict[str, Any] = {"window_s": fatigue_window_s, "step_s": fatigue_step_s, "band_hz": list(band)}
    if fs < MIN_FS_HZ:
        reason = (f"sampling rate {fs:g} Hz below {MIN_FS_HZ:g} Hz: MNF/MDF would be biased low and not comparable "
                  "(myograph.fatigue refuses it)")
        windows = pd.DataFrame(columns=["channel", "time_s", "mnf_hz", "mdf_hz", "finsm5", "rms", "status", "used"])
        fatigue = pd.DataFrame(index=pd.Index(names, name="channel"))
        fatigue["reason"] = reason
        fatigue_params["skipped"] = reason
    else:
        windows = analyze_fatigue(processed, fatigue_window_s, fatigue_step_s, channels=names, band_hz=band,
                                  nan_policy=nan_policy)
        fatigue = summarize_fatigue(windows)
        if "channel" in fatigue.columns:
            fatigue = fatigue.set_index("channel")
        fatigue_params.update({k: v for k, v in windows.attrs.items() if k != "channels"})

    parameters: dict[str, Any] = {
        "channels": names,
        "fs_hz": fs,
        "duration_s": duration,
        "line_hz": line,
        "notch_hz": line,
        "notch_quality": 30.0,
        "band_hz": list(band),
        "band_hz_requested": [float(v) for v in band_hz],
        "filter": f"Butterworth band-pass order {filter_order}, zero-phase"
                  + (f"; notch {line:g} Hz (Q 30), zero-phase, after onset detection" if line is not None else ""),
        "filter_order": filter_order,
        "envelope_hz": envelope_hz,
        "envelope_order": envelope_order,
        "onset_method": onsets.method,
        "onset_parameters": dict(onsets.parameters),
        "onset_input": "band-passed EMG (before the notch), BAD_* spans left out",
        "fatigue": fatigue_params,
        "mvc": mvc_params,
        "nan_policy": nan_policy,
        "notes": notes,
    }
    return AnalysisResult(
        channels=names, raw=raw, recording=processed, envelope=envelope, envelope_pct_mvc=env_pct, quality=quality,
        onsets=onsets, bursts=bursts, levels=levels, fatigue_windows=windows, fatigue=fatigue, mvc=mvc_info,
        parameters=_jsonable(parameters),
    )


def _burst_table(frames: list[pd.DataFrame], *, with_mvc: bool) -> pd.DataFrame:
    cols = list(BURST_COLUMNS) if with_mvc else [c for c in BURST_COLUMNS if "pct_mvc" not in c]
    if not frames:
        return pd.DataFrame(columns=cols)
    b = pd.concat(frames, ignore_index=True)
    out = pd.DataFrame({
        "channel": b["channel"], "burst": b["burst"].astype(int), "onset_s": b["onset_s"], "offset_s": b["offset_s"],
        "duration_s": b["duration_s"], "peak_uv": b["peak"] * _UV, "time_to_peak_s": b["time_to_peak_s"],
        "mean_rectified_uv": b["mean_rectified"] * _UV, "rms_uv": b["rms"] * _UV, "iemg_uv_s": b["iemg"] * _UV,
    })
    if with_mvc:
        out["mean_pct_mvc"] = b["mean_pct_mvc"]
        out["peak_pct_mvc"] = b["peak_pct_mvc"]
    return out[cols]
