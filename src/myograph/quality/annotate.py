"""Quality assessment of a Recording: findings become ``BAD_*`` annotations and channel status.

:func:`assess_quality` runs the detectors of :mod:`myograph.quality.metrics` and
:mod:`myograph.quality.ecg` on each EMG channel and returns

* a new Recording whose annotations carry the problems found, per channel:

  ==================  ==============================================================
  label               what
  ==================  ==============================================================
  ``BAD_saturated``   clipping / saturation runs (at the ADC range, or the channel's
                      own extreme value), merged when closer than ``merge_gap_s``
  ``BAD_flat``        flat spans (disconnected, unused, stuck), not at the rail
  ``BAD_nonfinite``   NaN/Inf samples (``nan_policy="mask"``)
  ``BAD_motion``      motion artefacts (1-20 Hz power above the 20-450 Hz power)
  ``BAD_electrode_pop``  electrode pops (low-frequency episodes starting with a step)
  ``BAD_powerline``   the whole channel, when the mains carries at least
                      ``powerline_max_ratio`` of the 20-450 Hz power
  ``ECG_QRS``         QRS complexes (R peak ± 50 ms) where ECG contamination was
                      detected — not bad (remove the ECG instead, see
                      :func:`myograph.quality.remove_ecg`)
  ==================  ==============================================================

  and channel status ``bad`` with a reason where a channel is unusable (more than
  ``bad_channel_fraction`` of it flat, saturated or non-finite);
* a per-channel report table (pandas);
* the detected spans in samples.

Nothing is deleted or modified: the samples are those of the input.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from myograph.core.annotations import Annotations
from myograph.core.errors import MyographWarning, ParameterError, SignalError
from myograph.core.recording import Recording
from myograph.quality.ecg import detect_qrs, remove_ecg
from myograph.quality.metrics import (
    EMG_BAND_HZ,
    clipping_runs,
    flat_spans,
    motion_power_ratio,
    motion_spans,
    noise_levels,
    powerline_ratio,
    span_fraction,
)
from myograph.core.spans import mask_to_spans, merge_spans
from myograph.signal._validate import check_nan_policy

__all__ = ["QualityAssessment", "assess_quality", "REPORT_COLUMNS", "BAD_LABELS"]

#: the bad-span labels assess_quality writes
BAD_LABELS = ("BAD_saturated", "BAD_flat", "BAD_nonfinite", "BAD_motion", "BAD_electrode_pop", "BAD_powerline")

#: columns of the per-channel report
REPORT_COLUMNS = (
    "channel", "units", "status", "reason", "duration_s",
    "powerline_hz", "powerline_ratio", "powerline_db",
    "snr_db", "baseline_rms", "baseline_rms_uv", "active_rms", "rest_fraction",
    "clipped_fraction", "n_clipping_runs", "flat_fraction", "n_flat_spans", "nonfinite_fraction",
    "ecg_detected", "heart_rate_bpm", "ecg_template_snr_db", "n_qrs",
    "motion_power_db", "motion_fraction", "n_motion_spans", "n_electrode_pops",
    "bad_fraction", "notes",
)


class QualityAssessment(NamedTuple):
    """What :func:`assess_quality` returns (unpacks as ``rec, report, spans``).

    Attributes
    ----------
    recording : Recording
        The input with the new annotations and channel statuses (same samples).
    report : pandas.DataFrame
        One row per assessed channel, columns :data:`REPORT_COLUMNS` (index: channel).
    spans : dict
        ``{channel: {label: [(start, stop), ...]}}`` in samples.
    """

    recording: Recording
    report: pd.DataFrame
    spans: dict[str, dict[str, list[tuple[int, int]]]]


@contextlib.contextmanager
def _notes_from_warnings(notes: list[str], what: str):
    """Turn MyographWarnings raised inside into report notes (the report is where they belong)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MyographWarning)
        yield
    for w in caught:
        if issubclass(w.category, MyographWarning):
            notes.append(f"{what}: {w.message}")
        else:  # not ours: pass it on
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _outside(spans: list[tuple[int, int]], unusable: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Spans that neither touch nor come within ``gap`` samples of an unusable span."""
    return [(a, b) for a, b in spans if not any(a < ub + gap and ua < b + gap for ua, ub in unusable)]


def _at_rail(value: float, adc_range: Any, tolerance: float = 1e-3) -> bool:
    """Whether ``value`` lies at a limit of the converter range (``±r`` or ``(low, high)``)."""
    lo, hi = (-float(adc_range), float(adc_range)) if np.ndim(adc_range) == 0 else (float(adc_range[0]), float(adc_range[1]))
    tol = tolerance * (hi - lo)
    return value >= hi - tol or value <= lo + tol


def _adc_for(adc_range: Any, name: str) -> Any:
    if adc_range is None:
        return None
    if isinstance(adc_range, dict):
        return adc_range.get(name)
    return adc_range


def assess_quality(
    rec: Recording,
    *,
    channels: str | Sequence[str] | None = None,
    line_hz: float | None = None,
    adc_range: float | tuple[float, float] | dict | None = None,
    powerline_max_ratio: float = 0.5,
    clip_min_run_samples: int | None = None,
    flat_min_duration_s: float = 0.1,
    flat_floor: float | None = None,
    motion_ratio_db: float = 0.0,
    motion_min_duration_s: float = 0.1,
    detect_ecg: bool = True,
    annotate_ecg: bool = True,
    merge_gap_s: float = 0.1,
    bad_channel_fraction: float = 0.5,
    snr_window_s: float = 0.1,
    nan_policy: str = "raise",
) -> QualityAssessment:
    """Assess every EMG channel; record the problems as annotations and channel status.

    Parameters
    ----------
    rec : Recording
    channels : str or sequence of str, optional
        Channels to assess; default every EMG channel.
    line_hz : float, optional
        Mains frequency, Hz. Default ``rec.metadata.power_line_hz``; when that is
        unknown both 50 and 60 Hz are measured and the larger ratio reported (the
        report's ``powerline_hz`` says which).
    adc_range : float, (low, high), dict or None
        The converter's input range in the channel's unit (volts for EMG): ``r`` =
        ``±r``; a dict maps channel names to ranges. None: saturation is recognised as
        runs at each channel's own extreme value.
    powerline_max_ratio : float, default 0.5
        A channel whose power-line ratio (:func:`~myograph.quality.powerline_ratio`) is
        at least this gets a ``BAD_powerline`` annotation over its whole length.
    clip_min_run_samples : int, optional
        Shortest clipping run: 1 sample with ``adc_range``, 3 without (see
        :func:`~myograph.quality.clipping_runs`).
    flat_min_duration_s : float, default 0.1
    flat_floor : float, optional
        Absolute SD floor for flat spans, channel unit (see
        :func:`~myograph.quality.flat_spans`).
    motion_ratio_db, motion_min_duration_s : float
        See :func:`~myograph.quality.motion_spans`.
    detect_ecg : bool, default True
        Look for ECG contamination; where found, it is removed (template
        subtraction) from the copy used to look for motion artefacts.
    annotate_ecg : bool, default True
        Write ``ECG_QRS`` annotations (R peak ± 50 ms) for the channel with the
        strongest contamination, listing every channel where ECG was detected.
    merge_gap_s : float, default 0.1
        Saturated and flat spans of one channel closer than this are merged (motion
        and pop spans closer than 0.5 s are merged by
        :func:`~myograph.quality.motion_spans`).
    bad_channel_fraction : float, default 0.5
        A channel more than this fraction flat, saturated or non-finite gets status
        ``bad`` (an existing ``bad`` status and its reason are kept).
    snr_window_s : float, default 0.1
        Window of the rest/activity split (:func:`~myograph.quality.noise_levels`).
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        ``"raise"``: refuse non-finite samples. ``"mask"``: annotate them
        ``BAD_nonfinite`` and compute every metric on the finite samples only.
        ``"propagate"``: metrics of a channel with non-finite samples may be NaN.

    Returns
    -------
    QualityAssessment
        ``(recording, report, spans)``.

    Examples
    --------
    >>> rec2, report, _ = assess_quality(rec, line_hz=50)            # doctest: +SKIP
    >>> report[["snr_db", "powerline_ratio", "flat_fraction"]]         # doctest: +SKIP
    """
    check_nan_policy(nan_policy)
    if channels is None:
        idx = rec.channels.where(type="EMG")
        if not idx:
            raise ParameterError("channels", f"no EMG channel in the recording (types {sorted(set(rec.ch_types))}); name the channels")
        names = [rec.ch_names[i] for i in idx]
    else:
        names = [channels] if isinstance(channels, str) else list(channels)
        for nm in names:
            rec.channels.index(nm)
    fs = rec.fs
    n = rec.n_samples
    data = rec.get_data(names)
    nonfinite = ~np.isfinite(data)
    if nonfinite.any() and nan_policy == "raise":
        k, i = np.argwhere(nonfinite)[0]
        raise SignalError(
            f"{names[k]}: {int(nonfinite.sum())} non-finite sample(s) (NaN/Inf), the first at sample {i}; pass "
            "nan_policy='mask' to annotate them BAD_nonfinite and assess the finite samples, or 'propagate'"
        )
    pol = "mask" if nan_policy == "mask" else "propagate"
    if line_hz is None:
        line_hz = rec.metadata.power_line_hz
    gap = int(round(merge_gap_s * fs))
    rows = []
    all_spans: dict[str, dict[str, list[tuple[int, int]]]] = {}
    ann_rows: list[tuple[float, float, str, tuple[str, ...]]] = []
    ecg_best: tuple[float, str, np.ndarray] | None = None
    ecg_channels: list[str] = []
    new_status: dict[str, str] = {}
    for k, nm in enumerate(names):
        ch = rec.channels[nm]
        x = data[k]
        notes: list[str] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        # --- non-finite
        spans["BAD_nonfinite"] = mask_to_spans(nonfinite[k]) if nan_policy == "mask" else []
        finite_any = bool(np.isfinite(x).any())
        # --- saturation and flat spans
        rng_k = _adc_for(adc_range, nm)
        clip = clipping_runs(x, adc_range=rng_k, min_run_samples=clip_min_run_samples, nan_policy=pol)
        flats = flat_spans(x, fs, min_duration_s=flat_min_duration_s, floor=flat_floor, nan_policy=pol)
        rail: list[tuple[int, int]] = []
        plain_flat: list[tuple[int, int]] = []
        fin = x[np.isfinite(x)]
        hi = float(fin.max()) if fin.size else 0.0
        lo = float(fin.min()) if fin.size else 0.0
        for a, b in flats:
            v = float(x[a])
            if hi != lo and (v == hi or v == lo) and rng_k is None:
                rail.append((a, b))
            elif rng_k is not None and _at_rail(v, rng_k):
                rail.append((a, b))
            else:
                plain_flat.append((a, b))
        spans["BAD_saturated"] = merge_spans(clip + rail, gap)
        spans["BAD_flat"] = merge_spans(plain_flat, gap)
        unusable = merge_spans(spans["BAD_saturated"] + spans["BAD_flat"] + spans["BAD_nonfinite"])
        unusable_mask = np.zeros(n, dtype=bool)
        for a, b in unusable:
            unusable_mask[a:b] = True
        usable_frac = 1.0 - float(unusable_mask.mean()) if n else 0.0
        # --- power line
        pl_hz, pl_ratio = np.nan, np.nan
        examine = usable_frac > 0.05 and finite_any
        if examine:
            candidates = [float(line_hz)] if line_hz is not None else [50.0, 60.0]
            ratios = []
            for f0 in candidates:
                if f0 < fs / 2:
                    try:
                        ratios.append((float(powerline_ratio(x, fs, f0, nan_policy=pol)), f0))
                    except (SignalError, ParameterError) as exc:
                        notes.append(f"power line: {exc}")
            ratios = [r for r in ratios if np.isfinite(r[0])]
            if ratios:
                pl_ratio, pl_hz = max(ratios)
                if line_hz is None:
                    notes.append(f"mains frequency unknown (metadata.power_line_hz): measured at 50 and 60 Hz, "
                                 f"reported the larger ({pl_hz:g} Hz)")
        pl_db = 10 * np.log10(pl_ratio / (1 - pl_ratio)) if np.isfinite(pl_ratio) and 0 < pl_ratio < 1 else np.nan
        spans["BAD_powerline"] = [(0, n)] if np.isfinite(pl_ratio) and pl_ratio >= powerline_max_ratio else []
        # --- ECG (on the recorded samples)
        y = np.where(nonfinite[k], np.nan, x)
        det = None
        if detect_ecg and examine:
            with _notes_from_warnings(notes, "ECG"):
                try:
                    det = detect_qrs(y, fs, nan_policy=pol)
                except (SignalError, ParameterError) as exc:
                    notes.append(f"ECG: {exc}")
        ecg_found = bool(det is not None and det.detected)
        if ecg_found:
            ecg_channels.append(nm)
            if ecg_best is None or det.template_snr_db > ecg_best[0]:
                ecg_best = (det.template_snr_db, nm, det.r_peaks)
        # --- motion and pops (on the ECG-free copy)
        motion_db = np.nan
        spans["BAD_motion"], spans["BAD_electrode_pop"] = [], []
        if examine:
            with _notes_from_warnings(notes, "motion"):
                try:
                    if ecg_found:
                        y = remove_ecg(y, fs, r_peaks=det.r_peaks, nan_policy=pol)
                    ms = motion_spans(y, fs, ratio_db=motion_ratio_db, min_duration_s=motion_min_duration_s,
                                      nan_policy=pol)
                    spans["BAD_motion"] = _outside(ms.motion[0], unusable, gap)
                    spans["BAD_electrode_pop"] = _outside(ms.pops[0], unusable, gap)
                    motion_db = float(motion_power_ratio(np.where(unusable_mask, np.nan, y), fs, nan_policy="mask"))
                except (SignalError, ParameterError) as exc:
                    notes.append(f"motion: {exc}")
        # --- noise and SNR (artefact spans left out)
        snr = base = act = restf = np.nan
        if examine:
            excl = unusable_mask.copy()
            for lab in ("BAD_motion", "BAD_electrode_pop"):
                for a, b in spans[lab]:
                    excl[a:b] = True
            try:
                with _notes_from_warnings(notes, "SNR"):
                    nl = noise_levels(np.where(nonfinite[k], np.nan, x), fs, window_s=snr_window_s, exclude=excl,
                                      nan_policy=pol)
                snr, base, act, restf = (float(v[0]) for v in (nl.snr_db, nl.baseline_rms, nl.active_rms,
                                                                nl.rest_fraction))
                if nl.reason[0]:
                    notes.append(f"SNR: {nl.reason[0]}")
            except (SignalError, ParameterError) as exc:
                notes.append(f"SNR: {exc}")
        elif not finite_any:
            notes.append("no finite sample")
        else:
            notes.append("not examined further: more than 95 % flat, saturated or non-finite")
        # --- channel status
        flat_frac = span_fraction(spans["BAD_flat"], n)
        clip_frac = span_fraction(spans["BAD_saturated"], n)
        nf_frac = span_fraction(spans["BAD_nonfinite"], n)
        bad_frac = span_fraction([s for lab in spans for s in spans[lab] if lab != "BAD_powerline"], n)
        status, reason = ch.status, ch.status_description
        unusable_frac = 1.0 - usable_frac
        if unusable_frac > bad_channel_fraction and ch.status != "bad":
            parts = []
            if flat_frac:
                parts.append(f"flat {flat_frac:.0%}" + (" (all samples equal: disconnected or unused)" if flat_frac >= 0.999 else ""))
            if clip_frac:
                parts.append(f"saturated {clip_frac:.0%}")
            if nf_frac:
                parts.append(f"non-finite {nf_frac:.0%}")
            status, reason = "bad", "quality: " + ", ".join(parts)
            new_status[nm] = reason
        all_spans[nm] = spans
        for lab, sp in spans.items():
            for a, b in sp:
                ann_rows.append((a / fs, (b - a) / fs, lab, (nm,)))
        is_volt = ch.units == "V"
        rows.append({
            "channel": nm, "units": ch.units, "status": status, "reason": reason, "duration_s": n / fs,
            "powerline_hz": pl_hz, "powerline_ratio": pl_ratio, "powerline_db": pl_db,
            "snr_db": snr, "baseline_rms": base, "baseline_rms_uv": base * 1e6 if is_volt else np.nan,
            "active_rms": act, "rest_fraction": restf,
            "clipped_fraction": clip_frac, "n_clipping_runs": len(clip), "flat_fraction": flat_frac,
            "n_flat_spans": len(spans["BAD_flat"]), "nonfinite_fraction": nf_frac,
            "ecg_detected": ecg_found, "heart_rate_bpm": det.heart_rate_bpm if ecg_found else np.nan,
            "ecg_template_snr_db": det.template_snr_db if det is not None else np.nan,
            "n_qrs": int(det.r_peaks.size) if ecg_found else 0,
            "motion_power_db": motion_db, "motion_fraction": span_fraction(spans["BAD_motion"], n),
            "n_motion_spans": len(spans["BAD_motion"]), "n_electrode_pops": len(spans["BAD_electrode_pop"]),
            "bad_fraction": bad_frac, "notes": "; ".join(notes),
        })
    if annotate_ecg and ecg_best is not None:
        half = 0.05
        chans = () if len(ecg_channels) == len(names) == rec.n_channels else tuple(ecg_channels)
        for r in ecg_best[2]:
            onset = max(0.0, r / fs - half)
            ann_rows.append((onset, min(n / fs, r / fs + half) - onset, "ECG_QRS", chans))
        for nm in ecg_channels:
            all_spans[nm]["ECG_QRS"] = [(max(0, int(r - half * fs)), min(n, int(r + half * fs))) for r in ecg_best[2]]
    ann = rec.annotations + Annotations.from_rows(ann_rows) if ann_rows else rec.annotations
    table = rec.channels
    for nm, reason in new_status.items():
        table = table.replace(nm, status="bad", status_description=reason)
    params = {
        "channels": names, "line_hz": line_hz, "adc_range": adc_range if not isinstance(adc_range, dict) else dict(adc_range),
        "powerline_max_ratio": powerline_max_ratio, "clip_min_run_samples": clip_min_run_samples,
        "flat_min_duration_s": flat_min_duration_s, "flat_floor": flat_floor, "motion_ratio_db": motion_ratio_db,
        "motion_min_duration_s": motion_min_duration_s, "detect_ecg": detect_ecg, "annotate_ecg": annotate_ecg,
        "merge_gap_s": merge_gap_s, "bad_channel_fraction": bad_channel_fraction, "snr_window_s": snr_window_s,
        "nan_policy": nan_policy, "n_annotations": len(ann_rows), "bad_channels": new_status,
        "emg_band_hz": list(EMG_BAND_HZ),
    }
    out = rec.derive("quality.assess_quality", params, annotations=ann, channels=table)
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS)).set_index("channel")
    return QualityAssessment(out, report, all_spans)
