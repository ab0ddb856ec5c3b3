"""Where data records and annotations sit in time, relative to the first sample.

Record time stamps of EDF+C (must sit on the record grid) and EDF+D files
(gaps kept, marked ``BAD_gap``), the ``BAD_padding`` mark of a zero-padded last
record that myograph's writer leaves, and each group's length in samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.provenance import RepairLog
from myograph.io.edf.annotations import _annotations, _scan_tals
from myograph.io.edf.channels import _Group
from myograph.io.edf.header import EdfHeader
from myograph.io.edf.records import _RecordSource
from myograph.io.edf.spec import _GAP_LABEL, _MAX_TIMELINE_S, _PAD_LABEL


@dataclass(frozen=True)
class _Timeline:
    """Where records and annotations sit in time, relative to the first sample."""

    t0: float  # s: the first sample after the header's start time (sub-second EDF+ offset)
    rel: np.ndarray | None  # s: each record's start (EDF+D with gaps), None when contiguous
    annotations: Annotations
    stop_s: float | None  # s: end of real data when the writer padded the last record


def _discontinuous(rel: np.ndarray, duration: float, tol: float, log: RepairLog) -> np.ndarray | None:
    if not np.all(np.isfinite(rel)):
        log.repair("annotations", "an EDF+D data record lacks its time stamp", "read the records as contiguous")
        return None
    steps = np.diff(rel)
    if np.any(steps < duration - tol):
        k = int(np.argmax(steps < duration - tol)) + 1
        log.repair("annotations", f"EDF+D data record {k} starts at {rel[k]:g} s, before record {k - 1} ends "
                   f"({rel[k - 1] + duration:g} s)", "read the records as contiguous")
        return None
    if rel[-1] + duration > _MAX_TIMELINE_S:
        log.repair("annotations", f"EDF+D data record time stamps reach {rel[-1]:g} s", "read the records as contiguous")
        return None
    return rel if np.any(steps > duration + tol) else None


def _padding_stop(annotations: Annotations, total_s: float, duration: float, tol: float,
                  groups: Sequence[_Group]) -> tuple[Annotations, float | None]:
    """Remove myograph's ``BAD_padding`` mark of a zero-padded last record; return the real end."""
    for i in range(len(annotations) - 1, -1, -1):
        a = annotations[i]
        if a.label != _PAD_LABEL or a.channels:
            continue
        end_ok = abs(a.onset + a.duration - total_s) <= tol
        in_last = total_s - duration - tol <= a.onset < total_s
        whole = all(abs(a.onset * g.fs - round(a.onset * g.fs)) < 1e-6 for g in groups)
        if end_ok and in_last and whole and a.onset > 0:
            keep = [j for j in range(len(annotations)) if j != i]
            return annotations._take(keep), a.onset
    return annotations, None


def _timeline(header: EdfHeader, groups: Sequence[_Group], source: _RecordSource, log: RepairLog) -> _Timeline:
    if not any(s.is_annotation for s in header.signals):
        return _Timeline(0.0, None, Annotations(), None)
    rows, onsets = _scan_tals(header, source, log)
    t0 = float(onsets[0]) if onsets.size and math.isfinite(onsets[0]) else 0.0
    rel: np.ndarray | None = onsets - t0
    duration = header.record_duration_s
    gaps: list[tuple[float, float, list[str]]] = []
    tol = 0.5 / max(g.fs for g in groups) if groups else 0.0
    if groups:
        if header.discontinuous:
            rel = _discontinuous(rel, duration, tol, log)
        else:
            expected = np.arange(header.n_records) * duration
            off = np.isfinite(rel) & (np.abs(rel - expected) > tol)
            if off.any():
                k = int(np.argmax(off))
                log.repair("annotations", f"the time stamp of data record {k} says {onsets[k]:g} s, but in a contiguous "
                           f"file it starts at {t0 + expected[k]:g} s", "read the records as contiguous")
            rel = None
        if rel is not None:
            ends = rel[:-1] + duration
            gaps = [(float(e), float(s - e), [_GAP_LABEL]) for e, s in zip(ends, rel[1:]) if s - e > tol]
    else:
        rel = None
    names = {c.name for g in groups for c in g.channels}
    table = _annotations([(o - t0, d, t) for o, d, t in rows] + gaps, names)
    stop = None
    if groups and rel is None:
        table, stop = _padding_stop(table, header.n_records * duration, duration, tol, groups)
    return _Timeline(t0, rel, table, stop)


def _n_samples(header: EdfHeader, group: _Group, timeline: _Timeline, positions: np.ndarray | None) -> int:
    if positions is not None:
        return int(positions[-1]) + group.spr
    if timeline.stop_s is not None:
        return int(round(timeline.stop_s * group.fs))
    return header.n_records * group.spr
