"""Events tables: the ``<stem>.annotations.csv`` sidecar and columns of event times, read and written."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from myograph.core.annotations import Annotations
from myograph.core.errors import FileFormatError
from myograph.io._input import Input, as_input
from myograph.io.atomic import atomic_open
from myograph.io.text.cells import _TIME_UNITS, split_unit
from myograph.io.text.sniff import _content_lines, _decode, _sniff_delimiter

_SIDECAR_COLUMNS = ["onset", "duration", "label", "channels"]


def sidecar_path(path: str | Path) -> Path:
    """The annotations sidecar of a table: ``trial.csv`` → ``trial.annotations.csv``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.annotations.csv")


def _split_channels(cell: str) -> tuple[str, ...]:
    cell = cell.strip()
    if not cell:
        return ()
    if cell.startswith("["):
        return tuple(str(c) for c in json.loads(cell))
    return tuple(c for c in cell.split(";"))


def _event_name(cell: str) -> tuple[str, float]:
    name, unit = split_unit(cell)
    m = re.match(r"^(?P<name>.+?)_(?P<unit>s|ms|sec)$", name)
    if unit is None and m:
        name, unit = m.group("name"), m.group("unit")
    return name, _TIME_UNITS.get((unit or "s").lower(), 1.0)


def read_events_csv(source: Any, *, t0_s: float = 0.0) -> Annotations:
    """Read an events table into :class:`~myograph.Annotations`.

    Two layouts are understood:

    * ``onset, duration, label[, channels]`` (what :func:`write_text` writes as
      ``<stem>.annotations.csv``; channels ``;``-separated or a JSON list) →
      one annotation per row;
    * columns of event times, e.g. ``touchdown_s, liftoff_s`` (musclesyneRgies'
      gait cycles) → instant annotations labelled by the column name
      (``"touchdown"``), one per non-empty cell.

    Parameters
    ----------
    source : path, bytes or binary file object
    t0_s : float, default 0.0
        Subtracted from every time (s), e.g. :func:`first_time_s` of the
        Recording when the times are in the file's own time base.

    Raises
    ------
    FileFormatError
        A cell that is not a time, naming the line and column.
    """
    src = as_input(source)
    text = _decode(src, src.read_bytes())
    lines = _content_lines(text.splitlines())
    delimiter = _sniff_delimiter(lines[:20]) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(reader.line_num, r) for r in reader if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise FileFormatError(src.name, "header", "an events table needs a header row")
    head = [h.strip() for h in rows[0][1]]
    lower = [h.lower() for h in head]
    if {"onset", "duration", "label"} <= set(lower):
        return _span_events(rows[1:], lower, src, t0_s)
    return _time_events(rows[1:], head, src, t0_s)


def _cell_time(cell: str, src: Input, line: int, column: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise FileFormatError(src.name, f"line {line}, column {column!r}", f"{cell!r} is not a time in seconds") from None


def _span_events(rows: list[tuple[int, list[str]]], lower: list[str], src: Input, t0_s: float) -> Annotations:
    io_, idu, il = lower.index("onset"), lower.index("duration"), lower.index("label")
    ic = lower.index("channels") if "channels" in lower else None
    out = []
    for k, r in rows:
        if len(r) <= max(io_, idu, il):
            raise FileFormatError(src.name, f"line {k}", f"has {len(r)} cells, needs onset, duration and label")
        chans = _split_channels(r[ic]) if ic is not None and ic < len(r) else ()
        out.append((_cell_time(r[io_], src, k, "onset") - t0_s, _cell_time(r[idu], src, k, "duration"), r[il], chans))
    return Annotations.from_rows(out)


def _time_events(rows: list[tuple[int, list[str]]], head: list[str], src: Input, t0_s: float) -> Annotations:
    names = [_event_name(h) for h in head]
    out = []
    for k, r in rows:
        for j, cell in enumerate(r[:len(head)]):
            if cell.strip() and cell.strip().lower() != "nan":
                name, scale = names[j]
                out.append((_cell_time(cell.strip(), src, k, head[j]) * scale - t0_s, 0.0, name))
    return Annotations.from_rows(out)


def write_events_csv(annotations: Annotations, path: str | Path) -> None:
    """Write annotations as ``onset, duration, label, channels`` (atomically; times in s, repr-exact)."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(_SIDECAR_COLUMNS)
        for a in annotations:
            chans = list(a.channels)
            if any(";" in c or c.startswith("[") for c in chans):
                cell = json.dumps(chans, ensure_ascii=False)
            else:
                cell = ";".join(chans)
            w.writerow([repr(float(a.onset)), repr(float(a.duration)), a.label, cell])
