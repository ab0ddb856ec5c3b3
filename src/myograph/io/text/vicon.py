"""Vicon Nexus CSV exports: ``Devices`` / ``Trajectories`` sections, one Recording each, and the ``Events`` section."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import normalize_unit
from myograph.io._input import Input
from myograph.io.text.build import _build, _Parsed
from myograph.io.text.cells import _is_number
from myograph.io.text.sniff import _first_cell
from myograph.io.text.table import _Column, _rectangular
from myograph.io.text.timebase import _agree


def _vicon_sections(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Blocks of non-blank lines: ``(first line number, [(line number, line), ...])``."""
    blocks: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip().strip(","):
            current.append((i, line))
        elif current:
            blocks.append((current[0][0], current))
            current = []
    if current:
        blocks.append((current[0][0], current))
    return blocks


def _short_device(device: str) -> str:
    return device.rsplit(" - ", 1)[-1].strip() if " - " in device else device.strip()


def _vicon_events(block: list[tuple[int, str]]) -> list[tuple[float, str]]:
    rows = list(csv.reader([ln for _, ln in block[1:]]))
    if not rows:
        return []
    head = [h.strip().lower() for h in rows[0]]
    try:
        it = next(i for i, h in enumerate(head) if h.startswith("time"))
    except StopIteration:
        return []
    out = []
    for r in rows[1:]:
        if len(r) > it and _is_number(r[it].strip()):
            parts = [r[i].strip() for i in range(min(it, len(r))) if head[i] in ("context", "name") and r[i].strip()]
            out.append((float(r[it]), " ".join(parts) or "event"))
    return out


def _parse_vicon_section(block: list[tuple[int, str]], src: Input, log: RepairLog) -> _Parsed:
    title = _first_cell(block[0][1])
    if len(block) < 5:
        raise FileFormatError(src.name, f"section {title!r}", f"needs a rate, device, column and units row, got {len(block) - 1} rows")
    rows = list(csv.reader([ln for _, ln in block]))
    rows = [[c.strip() for c in r] for r in rows]
    numbers = [i for i, _ in block]
    try:
        rate = float(rows[1][0])
    except ValueError:
        raise FileFormatError(src.name, f"section {title!r}", f"line {numbers[1]}: rate {rows[1][0]!r} is not a number") from None
    devices_row, columns, units_row = rows[2], rows[3], rows[4]
    body, body_numbers = rows[5:], numbers[5:]
    n_cols = len(columns)
    while n_cols > 0 and not columns[n_cols - 1]:
        n_cols -= 1
    body = [r[:n_cols] if len(r) > n_cols and not any(r[n_cols:]) else r for r in body]
    body, body_numbers = _rectangular(body, body_numbers, n_cols, src, log)
    device = ""
    descriptions: list[str] = []
    for k in range(n_cols):
        if k < len(devices_row) and devices_row[k]:
            device = devices_row[k]
        descriptions.append(device)
    span = {d: descriptions.count(d) for d in set(descriptions)}
    lower = [c.lower() for c in columns[:n_cols]]
    cols = [_Column(k, columns[k], normalize_unit(units_row[k]) if k < len(units_row) and units_row[k] else None)
            for k in range(n_cols)]
    counts: dict[str, int] = {}
    for c in cols:
        counts[c.name] = counts.get(c.name, 0) + 1
    for k, c in enumerate(cols):
        if lower[k] in ("frame", "sub frame"):
            c.role = "index"
        elif _is_number(c.name) or counts[c.name] > 1 or not c.name or span[descriptions[k]] > 1:
            c.name = f"{_short_device(descriptions[k])}.{c.name}" if descriptions[k] else c.name or f"col{k + 1}"
    first_time = _vicon_first_time(body, body_numbers, lower, rate, src, title)
    data_desc = [descriptions[c.index] for c in cols if c.role == "data"]
    return _Parsed(cols, body, body_numbers, ".", ",", [f"Vicon Nexus CSV section {title!r} at {rate:g} Hz"], rate,
                   descriptions=data_desc, first_time_s=first_time, extra={"vicon_section": title})


def _vicon_first_time(body: list[list[str]], numbers: list[int], lower: list[str], rate: float, src: Input,
                      title: str) -> float:
    """Start time from Frame/Sub Frame; refuses missing rows."""
    if "frame" not in lower or not body:
        return 0.0
    fi = lower.index("frame")
    si = lower.index("sub frame") if "sub frame" in lower else None
    try:
        frame = np.array([float(r[fi]) for r in body])
        sub = np.array([float(r[si]) for r in body]) if si is not None else np.zeros(len(body))
    except ValueError:
        raise FileFormatError(src.name, f"section {title!r}: Frame", "frame numbers are not all numbers") from None
    n_sub = int(sub.max()) + 1
    idx = (frame - frame[0]) * n_sub + sub
    steps = np.diff(idx)
    if steps.size and np.any(steps != 1):
        i = int(np.flatnonzero(steps != 1)[0]) + 1
        raise FileFormatError(src.name, f"section {title!r}: Frame", f"frames are not consecutive at line {numbers[i]} "
                              f"(frame {body[i][fi]}, sub frame {body[i][si] if si is not None else 0})")
    return float(((frame[0] - 1) * n_sub + sub[0]) / rate)


def _read_vicon(text: str, src: Input, log: RepairLog, fs_opt: float | None, options: Mapping[str, Any],
                fmt_name: str) -> list[Recording]:
    """One Recording per Vicon section; ``fs=`` must agree with one section's rate and applies to it."""
    events: list[tuple[float, str]] = []
    parsed: list[tuple[_Parsed, RepairLog]] = []
    for _, block in _vicon_sections(text):
        title = _first_cell(block[0][1])
        if title.lower() == "events":
            events += _vicon_events(block)
            continue
        section_log = RepairLog(log.file, strict=log.strict)
        parsed.append((_parse_vicon_section(block, src, section_log), section_log))
    if not parsed:
        raise FileFormatError(src.name, "data", "the Vicon export holds no Devices or Trajectories section")
    rates = [p.fs_header for p, _ in parsed]
    target = None
    if fs_opt is not None:
        target = next((k for k, (p, _) in enumerate(parsed) if _agree(float(fs_opt), p.fs_header, len(p.rows))), None)
        if target is None:
            raise ParameterError("fs", f"fs={fs_opt!r} Hz matches none of the Vicon sections' rates {rates} Hz; omit fs=")
    recs = []
    for k, (p, section_log) in enumerate(parsed):
        opts = options if k == 0 else {kk: v for kk, v in options.items() if kk not in ("units", "ch_types")}
        rec = _build(p, src, section_log, fs_opt if k == target else None, opts, fmt_name)
        if events:
            t0 = p.first_time_s or 0.0
            ev = Annotations.from_rows([(t - t0, 0.0, lab) for t, lab in events])
            rec = rec.derive("read_events", {"n": len(ev)}, annotations=rec.annotations + ev)
        recs.append(rec)
    return recs
