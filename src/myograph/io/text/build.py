"""A Recording from a parsed table: the sampling rate, channels, annotations, metadata and provenance."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel
from myograph.core.errors import FileFormatError
from myograph.core.metadata import Metadata
from myograph.core.provenance import RepairLog, Step
from myograph.core.recording import Recording
from myograph.io._input import Input
from myograph.io.text.cells import _to_float
from myograph.io.text.columns import _types, _units
from myograph.io.text.events import read_events_csv, sidecar_path
from myograph.io.text.labels import gap_annotations, label_annotations
from myograph.io.text.table import _Column, _dedupe, _numeric_columns
from myograph.io.text.timebase import _resolve_fs, _time_axis, _time_scale

logger = logging.getLogger("myograph.io.text")


@dataclass
class _Parsed:
    """What the tokeniser found, for :func:`_build`."""

    cols: list[_Column]
    rows: list[list[str]]
    numbers: list[int]
    decimal: str
    delimiter: str | None
    notes: list[str]
    fs_header: float | None = None
    raw_adc: str | None = None
    own_types: list[str] | None = None
    descriptions: list[str] | None = None
    first_time_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _build(p: _Parsed, src: Input, log: RepairLog, fs_opt: float | None, options: Mapping[str, Any],
           fmt_name: str) -> Recording:
    """A Recording from a parsed table."""
    if not p.rows:
        raise FileFormatError(src.name, "data", "has no data rows" + (" after the header" if p.cols and p.cols[0].name else ""))
    time_col = next((c for c in p.cols if c.role == "time"), None)
    axis = None
    if time_col is not None:
        cells = [r[time_col.index] for r in p.rows]
        scale = _time_scale(time_col, src)
        t, _ = _to_float(cells)
        axis = _time_axis(t * scale, cells, scale, time_col.name, p.numbers, src, log)
    n = len(p.rows)
    fs, fs_source = _resolve_fs(fs_opt, p.fs_header, axis, time_col.name if time_col else None, n, src)
    data_cols = [c for c in p.cols if c.role == "data"]
    if not data_cols:
        raise FileFormatError(src.name, "columns", f"no data column besides {[c.name for c in p.cols]}")
    names = _dedupe([c.name or f"EMG{k + 1}" for k, c in enumerate(data_cols)], log)
    for c, nm in zip(data_cols, names):
        c.name = nm
    data, mask = _numeric_columns(p.rows, data_cols, p.numbers, log)
    units = _units(data_cols, options, p.raw_adc, log)
    descriptions = p.descriptions or [""] * len(data_cols)
    types = _types(data_cols, units, options, p.own_types, descriptions)
    channels = [Channel(nm, type=t, units=u, description=d) for nm, t, u, d in zip(names, types, units, descriptions)]
    annotations = gap_annotations(mask, fs, names)
    label_col = next((c for c in p.cols if c.role == "label"), None)
    if label_col is not None:
        prefix = options.get("label_prefix")
        prefix = f"{label_col.name or 'label'}:" if prefix is None else str(prefix)
        annotations = annotations + label_annotations([r[label_col.index] for r in p.rows], fs, prefix)
    annotations = annotations + _sidecar_annotations(src, options, log)
    first = p.first_time_s if p.first_time_s is not None else (axis.first_s if axis is not None else 0.0)
    notes = list(p.notes)
    if time_col is not None and first != 0.0:
        notes.append(f"first sample at {first!r} s in the file's time column {time_col.name!r}")
    params: dict[str, Any] = {
        "fs_hz": fs, "fs_source": fs_source, "first_time_s": first, "delimiter": p.delimiter or "whitespace",
        "decimal": p.decimal, "time_column": time_col.name if time_col else None,
        "label_column": label_col.name if label_col else None,
        "dropped_columns": [c.name for c in p.cols if c.role == "index"], **p.extra,
    }
    metadata = Metadata(source_file=src.name, source_format=fmt_name, notes=tuple(notes))
    return Recording(data, fs, channels=channels, annotations=annotations, metadata=metadata,
                     provenance=log.provenance(fmt_name, **params))


def _sidecar_annotations(src: Input, options: Mapping[str, Any], log: RepairLog) -> Annotations:
    if not options.get("sidecar", True) or src.path is None or src.path.name.endswith(".annotations.csv"):
        return Annotations()
    side = sidecar_path(src.path)
    if not side.is_file():
        return Annotations()
    logger.info("%s: annotations from %s", src.name, side.name)
    log.steps.append(Step("read_sidecar", {"file": str(side)}))
    return read_events_csv(side)
