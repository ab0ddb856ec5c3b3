"""Tolerant decoding of single EDF header fields.

Text (NUL padding, non-ASCII bytes), numbers (decimal commas, integers written
as ``2047.0``), the prefilter field and the start date and time. Repairs that
recur over many fields are gathered as *notes* and reported once per kind.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from myograph.core.provenance import RepairLog
from myograph.io.edf.spec import _MONTHS

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE_OR_TIME = re.compile(r"\s*(\d{1,2})\s*[.:/\-' ]\s*(\d{1,2})\s*[.:/\-' ]\s*(\d{1,2})\s*")
_FILTER = re.compile(r"(?<![A-Za-z])(HP|LP|NOTCH|N)\s*:\s*(\d+(?:[.,]\d*)?|[.,]\d+)\s*(kHz|Hz)?", re.IGNORECASE)

# Repairs that are gathered over many fields and reported once per kind.
_NOTE_TEXT = {
    "nul": ("padded with NUL bytes instead of spaces", "read each up to its first NUL"),
    "text": ("holds bytes outside printable ASCII", "decoded them as UTF-8, else Latin-1"),
    "comma": ("uses a decimal comma", "read it as a decimal point"),
    "intfloat": ("holds a decimal number where an integer is expected", "used its integer value"),
}


def _note(notes: dict[str, list[str]], kind: str, field: str) -> None:
    notes.setdefault(kind, []).append(field)


def _flush_notes(notes: dict[str, list[str]], log: RepairLog) -> None:
    for kind, fields in notes.items():
        problem, action = _NOTE_TEXT[kind]
        if len(fields) > 1:
            shown = ", ".join(fields[:6]) + (f" and {len(fields) - 6} more" if len(fields) > 6 else "")
            problem = f"{problem} ({len(fields)} fields: {shown})"
        log.repair(fields[0], problem, action)


def _text(raw: bytes, field: str, notes: dict[str, list[str]]) -> str:
    """A header field as text: NUL-terminated, decoded tolerantly, stripped."""
    if b"\x00" in raw:
        _note(notes, "nul", field)
        raw = raw.split(b"\x00", 1)[0]
    if raw.isascii():
        text = raw.decode("ascii")
        if text.isprintable():
            return text.strip()
    _note(notes, "text", field)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return "".join(c if c.isprintable() else " " for c in text).strip()


def _float(text: str, field: str, notes: dict[str, list[str]]) -> float | None:
    """A finite number from ``text`` (decimal comma repaired), or None."""
    t = text
    if "," in t and "." not in t and t.count(",") == 1:
        candidate = t.replace(",", ".")
        if _NUMBER.fullmatch(candidate):
            _note(notes, "comma", field)
            t = candidate
    if not _NUMBER.fullmatch(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


def _int(text: str, field: str, notes: dict[str, list[str]]) -> int | None:
    """An integer from ``text`` (``2047.0`` repaired), or None."""
    if _INTEGER.fullmatch(text):
        return int(text)
    value = _float(text, field, notes)
    if value is not None and value.is_integer() and abs(value) < 2**53:
        _note(notes, "intfloat", field)
        return int(value)
    return None


def parse_prefilter(text: str) -> tuple[float | None, float | None, float | None]:
    """Hardware filters from an EDF prefilter field.

    Parameters
    ----------
    text : str
        E.g. ``"HP:20Hz LP:500Hz N:50Hz"`` (case, spaces, ``kHz`` and decimal
        commas tolerated; ``HP:DC`` means none).

    Returns
    -------
    (high-pass, low-pass, notch) : float or None each, Hz
        In Channel terms ``(low_cutoff_hz, high_cutoff_hz, notch_hz)``.
    """
    found: dict[str, float] = {}
    for kind, number, unit in _FILTER.findall(text or ""):
        key = "N" if kind.upper() in ("N", "NOTCH") else kind.upper()
        if key in found:
            continue
        value = float(number.replace(",", "."))
        found[key] = value * (1000.0 if unit.lower() == "khz" else 1.0)
    return found.get("HP"), found.get("LP"), found.get("N")


def _two_digit_year(yy: int) -> int:
    return 1900 + yy if yy >= 85 else 2000 + yy


def _edfplus_date(token: str) -> date | None:
    """``24-APR-1989`` → date, or None (``X`` or junk)."""
    parts = token.split("-")
    if len(parts) != 3 or parts[1].upper() not in _MONTHS or not (parts[0].isdigit() and parts[2].isdigit()):
        return None
    try:
        return date(int(parts[2]), _MONTHS[parts[1].upper()], int(parts[0]))
    except ValueError:
        return None


def _start_time(date_text: str, time_text: str, recording: str, log: RepairLog) -> datetime | None:
    """Header start date-time; an EDF+ ``Startdate`` gives the full year (and ``X`` anonymity)."""
    tokens = recording.split()
    if len(tokens) >= 2 and tokens[0] == "Startdate" and tokens[1] == "X":
        return None  # EDF+ anonymised start date
    d = _DATE_OR_TIME.fullmatch(date_text)
    t = _DATE_OR_TIME.fullmatch(time_text)
    try:
        if d is None or t is None:
            raise ValueError
        day, month, yy = (int(g) for g in d.groups())
        start = datetime(_two_digit_year(yy), month, day, *(int(g) for g in t.groups()))
    except ValueError:
        log.repair("startdate", f"start date/time {date_text!r} {time_text!r} is not 'dd.mm.yy' 'hh.mm.ss'",
                   "left start_time unknown")
        return None
    full = _edfplus_date(tokens[1]) if len(tokens) >= 2 and tokens[0] == "Startdate" else None
    if full is not None and (full.day, full.month, full.year % 100) == (start.day, start.month, start.year % 100):
        start = start.replace(year=full.year)
    return start
