"""From bytes to cells: decoding, telling text from binary, and guessing the table's dialect.

The delimiter and decimal mark, tokenising lines into cells, recognising a
Vicon Nexus export, and :func:`sniff_text`, the registry's content test.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence

from myograph.core.errors import FileFormatError
from myograph.core.provenance import RepairLog
from myograph.io._input import Input
from myograph.io.text.cells import _is_number

logger = logging.getLogger("myograph.io.text")

_DELIMITERS = ("\t", ";", ",", "|")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt", ".asc"})
_VICON_SECTIONS = frozenset({"devices", "trajectories", "model outputs", "joints", "segments", "events"})


# --- bytes to text ---------------------------------------------------------------------------------
def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    control = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return control > max(2, len(sample) // 100)


def _as_text(data: bytes) -> tuple[str, bool]:
    """``data`` decoded as UTF-8 (a BOM removed), else as Latin-1 (which decodes any bytes); and whether it was UTF-8."""
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.decode("latin-1"), False


def _decode(src: Input, data: bytes, log: RepairLog | None = None) -> str:
    """Text of a table; binary content is refused, trailing NUL padding removed, non-UTF-8 read as Latin-1."""
    stripped = data.rstrip(b"\x00")
    if log is not None and len(stripped) < len(data) and stripped.strip() and not _looks_binary(stripped):
        log.repair("file", f"ends in {len(data) - len(stripped)} NUL bytes (padding after an interrupted write)",
                   "ignored the padding")
        data = stripped
    if not data.strip():
        raise FileFormatError(src.name, "file", "is empty (no text)" if not data else "holds only whitespace")
    if _looks_binary(data):
        raise FileFormatError(src.name, "file", f"is binary, not a text table (starts with {data[:16]!r})")
    text, utf8 = _as_text(data)
    if not utf8:
        logger.info("%s: not UTF-8, decoded as Latin-1", src.name)
    return text


def _content_lines(lines: Iterable[str]) -> list[str]:
    """The lines that are neither blank nor ``#`` comments."""
    return [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _first_cell(line: str) -> str:
    """The first comma-separated cell of ``line``, stripped (a Vicon section title or rate)."""
    return line.split(",")[0].strip()


# --- the dialect -----------------------------------------------------------------------------------
def _sniff_delimiter(lines: Sequence[str]) -> str | None:
    """The first of tab, ``;``, ``,``, ``|`` found in 90 % of ``lines`` (or in the first and half of them).

    None means runs of whitespace.
    """
    sample = list(lines[:200])
    if not sample:
        return None
    for d in _DELIMITERS:
        hits = sum(1 for ln in sample if d in ln)
        if hits >= 0.9 * len(sample) or (d in sample[0] and hits >= 0.5 * len(sample)):
            return d
    return None


def _sniff_decimal(rows: Sequence[Sequence[str]], delimiter: str | None) -> str:
    if delimiter == ",":
        return "."
    for row in rows[:200]:
        for cell in row:
            if _DECIMAL_COMMA.match(cell):
                return ","
    return "."


def _merge_units(tokens: list[str]) -> list[str]:
    """Whitespace-split header tokens with ``[unit]`` / ``(unit)`` joined to the name before them."""
    out: list[str] = []
    for tok in tokens:
        if out and tok[:1] in "[(" and tok[-1:] in "])":
            out[-1] = f"{out[-1]} {tok}"
        else:
            out.append(tok)
    return out


def _tokenise(lines: Sequence[str], delimiter: str | None) -> list[list[str]]:
    if delimiter is None:
        return [_merge_units(ln.split()) if ("[" in ln or "(" in ln) else ln.split() for ln in lines]
    spaces = " " if delimiter == "\t" else " \t"
    rows = []
    for line, row in zip(lines, csv.reader(lines, delimiter=delimiter, skipinitialspace=True)):
        rows.append([c.strip() for c in row] if any(ch in line for ch in spaces) else row)
    return rows


def _is_vicon(text: str) -> bool:
    """True for a Vicon Nexus CSV export: a section title line, then its rate (or the events header)."""
    head = text[:4096].splitlines()[:2]
    if len(head) < 2:
        return False
    title = _first_cell(head[0]).lower()
    second = _first_cell(head[1])
    if title == "events":
        return second.lower() == "subject"
    return title in _VICON_SECTIONS and _is_number(second)


def sniff_text(head: bytes, src: Input) -> bool:
    """True when ``head`` looks like a numeric text table (any delimiter, optional header and comments)."""
    head = head.rstrip(b"\x00")
    if not head.strip() or _looks_binary(head) or head.startswith((b"0       ", b"\xffBIOSEMI")):
        return False
    text, _ = _as_text(head)
    if _is_vicon(text):
        return True
    lines = text.splitlines()
    if len(head) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    content = _content_lines(lines)
    if src.suffix in _TEXT_SUFFIXES:
        return True  # a text file named as a table: the reader gives the precise error if it is not one
    if not content or max(len(ln) for ln in content) > 100_000:
        return False
    delimiter = _sniff_delimiter(content)
    rows = _tokenise(content[:50], delimiter)
    decimal = _sniff_decimal(rows, delimiter)
    for row in rows:
        cells = [c.replace(",", ".") if decimal == "," else c for c in row if c]
        if cells and all(_is_number(c) for c in cells):
            return True
    return False
