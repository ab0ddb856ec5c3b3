"""The top of a text table: ``#`` comment lines, the header row and units row, and a stated sampling rate.

Comment lines ``key: value`` (``key = value``, ``key:= value``) are collected,
those myograph writes (``# myograph: ...``) apart; :func:`_header_fs` finds a
sampling rate among them.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from myograph.core.units import normalize_unit
from myograph.io._input import Input
from myograph.io.text.cells import _KNOWN_UNITS, _TIME_UNITS, _is_number

logger = logging.getLogger("myograph.io.text")

_KEY_VALUE = re.compile(r"^(?P<key>[^:=]+?)\s*(?::=|:|=)\s*(?P<value>.*)$")
_FS_KEYS = frozenset({"samplingrate", "samplingratehz", "samplerate", "sampleratehz", "fs", "fshz",
                      "samplingfrequency", "samplingfrequencyhz", "srate"})
_OWN = "myograph:"


@dataclass
class _Lines:
    """A table's lines split into comments and content (with 1-based line numbers)."""

    notes: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)
    content: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _split_lines(text: str) -> _Lines:
    out = _Lines()
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped[1:].strip()
            target = out.notes
            if body.startswith(_OWN):
                body = body[len(_OWN):].strip()
                target = None  # type: ignore[assignment]
            m = _KEY_VALUE.match(body)
            if m:
                (out.own if target is None else out.keys)[_norm_key(m.group("key"))] = m.group("value").strip()
            if target is not None:
                target.append(body)
            continue
        out.content.append(line)
        out.numbers.append(i)
    return out


def _is_units_row(row: Sequence[str]) -> bool:
    cells = [c for c in row if c]
    if not cells or any(_is_number(c) for c in cells):
        return False
    return all(normalize_unit(c) in _KNOWN_UNITS or c.lower() in _TIME_UNITS for c in cells)


def _header(rows: list[list[str]], names_opt: Sequence[str] | None) -> tuple[list[str] | None, list[str] | None, int]:
    """``(header cells, units cells, index of the first data row)``."""
    header = None
    units_row = None
    start = 0
    if rows and any(c and not _is_number(c) for c in rows[0]):
        header = rows[0]
        start = 1
        if len(rows) > 1 and _is_units_row(rows[1]):
            units_row = rows[1]
            start = 2
    if names_opt is not None:
        header = [str(n) for n in names_opt]
    return header, units_row, start


def _header_fs(lines: _Lines, src: Input) -> float | None:
    for store in (lines.own, lines.keys):
        for key, value in store.items():
            if key in _FS_KEYS or (key.startswith("sampl") and ("rate" in key or "freq" in key)):
                m = re.match(r"^\s*([0-9.eE+-]+)", value)
                try:
                    fs = float(m.group(1)) if m else float("nan")
                except ValueError:
                    fs = float("nan")
                if math.isfinite(fs) and fs > 0:
                    return fs
                logger.info("%s: ignored the header line %r: %r is not a rate in Hz", src.name, key, value)
    return None
