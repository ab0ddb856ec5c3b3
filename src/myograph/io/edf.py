"""EDF, EDF+ (C and D), BDF and BDF+: a tolerant reader, a strict writer, lazy access.

Reading
-------
The header is parsed by this module's own tolerant parser and the samples are
decoded with numpy (16-bit EDF, 24-bit BDF), so a damaged file is mended where
the repair is unambiguous and refused with a :class:`~myograph.FileFormatError`
naming the file and header field where it is not. Every repair goes through
:meth:`RepairLog.repair <myograph.core.provenance.RepairLog.repair>`: it warns
(:class:`~myograph.MyographWarning`), is recorded as a ``repair`` step in each
Recording's provenance, and is refused under ``strict=True``.

=====================================  ===================================================
problem                                decision
=====================================  ===================================================
empty file, file < 256 bytes           error (``file`` / ``header``)
version is neither ``0`` nor BIOSEMI   error (``version``); the registry refuses a text
                                       file named ``.edf`` before it gets here
NUL padding in header fields           repair: read up to the first NUL
non-ASCII / control bytes in a field   repair: decode UTF-8, else Latin-1
decimal comma (``0,5``)                repair: read as ``0.5``
integer field written as ``2047.0``    repair: use the integer
``n_signals`` unreadable               repair from ``header_bytes`` if that is consistent,
                                       else error (``n_signals``)
``header_bytes`` ≠ 256·(n_signals+1)   repair: use 256·(n_signals+1)
``n_records`` -1, unreadable, too      repair: use the number of complete records in the
large or too small                     file (the file size wins over the header)
truncated last data record             repair: drop the partial record
no complete data record                error (``data``)
``samples_per_record`` < 1 / junk      error (``signal[i].samples_per_record``)
physical/digital min/max unreadable    error (``signal[i].physical_min`` ...)
``digital_min == digital_max``         error (``signal[i].digital_min``): the calibration
                                       is undefined, any repair would invent amplitudes
``physical_min == physical_max``       repair: the channel reads as that constant
record duration 0 with data signals    error (``record_duration``)
empty label                            repair: named ``signal<i+1>``
duplicate labels                       repair: renamed ``X``, ``X-2``, ``X-3``
start date/time unreadable             repair: ``start_time`` left unknown
unparsable TAL / missing time stamp    repair: skipped / record placed by its index
EDF+C time stamps off the record grid  repair: records read as contiguous
EDF+D records overlapping/unordered    repair: records read as contiguous
=====================================  ===================================================

Units ``uV``/``µV``/``mV``/``V`` become volts (:func:`~myograph.core.units.scale_to_si`);
other units are kept. Channel types: a transducer field that is exactly a
channel type (``EMG``, or ``EMG: description`` as myograph writes it) wins;
else the label is asked (EDF+ convention ``EMG chin``), then the transducer;
else voltage channels are ``EMG`` and the rest ``MISC``. The prefilter field
(``HP:20Hz LP:500Hz N:50Hz``) fills ``low_cutoff_hz``/``high_cutoff_hz``/``notch_hz``.

Signals at different rates give one Recording each (never a resample); every
Recording carries the file's annotations (channel-specific ones only where
their channels are). EDF+ annotation signals are not data channels. An EDF+D
file keeps true time: gaps between records are zero-filled and marked with
``BAD_gap`` annotations. A file without data signals (an EDF+ annotation file
such as a hypnogram) gives one Recording with **zero channels** whose time base
(1 Hz unless ``fs=`` is given) spans the annotations; :func:`read_annotations`
returns the table directly.

Writing
-------
:func:`write` uses **edfio**, the field's strict writer: ``.edf`` → 16-bit EDF+C,
``.bdf`` → 24-bit BDF+C, atomically. Each channel's physical range is its data
range (voltages written in µV), so quantisation is range/65535 (EDF) or
range/16777215 (BDF). Labels longer than 16 characters (or not printable
ASCII) are refused with a :class:`~myograph.ParameterError` naming the channel.
The channel type (and description) go to the transducer field as
``TYPE[: description]``; hardware filters to the prefilter field. Annotations
are EDF+ TALs; a channel-specific annotation is one TAL holding ``label@@channel``
for each of its channels (the ``@@`` convention MNE-Python reads), grouped back
into one row on reading.
Records are at most 1 s long and must hold whole samples with a duration that
fits the 8-character field; when the length cannot be split so, the last record
is zero-padded and the padding marked with a ``BAD_padding`` annotation, which
this reader removes again (so ``read(write(rec))`` has ``rec``'s length). Other
channel fields (muscle, side, positions, status) have no EDF field and are not
written.

:class:`EdfWriter` is a streaming writer (this module's own, because edfio holds
a whole signal in memory): records are appended as data arrives, with fixed
physical ranges given up front, and the file appears atomically on ``close()``.

Lazy reading
------------
:func:`open_lazy` (``myograph.open``) parses the header and annotations, then
reads only the data records a span needs (``os.preadv`` into a numpy buffer;
no memory map, so resident memory stays bounded). 24-bit samples are decoded
by a strided int32 view that starts one byte early followed by an arithmetic
shift by 8 — one vectorised pass — then scaled to SI units.
"""

from __future__ import annotations

import logging
import math
import os
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import CHANNEL_TYPES, Channel, ChannelTable, guess_type
from myograph.core.errors import FileFormatError, ParameterError, warn
from myograph.core.metadata import Device, Metadata, Subject
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import VOLTAGE_SCALE, is_voltage, scale_to_si
from myograph.io._input import Input, as_input
from myograph.io.atomic import atomic_path
from myograph.io.lazy import InMemoryLazy, LazyRecording
from myograph.io.registry import Format, register

__all__ = [
    "SignalHeader", "EdfHeader", "EdfLazyRecording", "EdfWriter",
    "read_all", "read_header", "read_annotations", "open_lazy", "write", "sniff", "parse_prefilter",
]

logger = logging.getLogger(__name__)

_EDF_VERSION = b"0       "
_BDF_VERSION = b"\xffBIOSEMI"
_MAIN_FIELDS = (("version", 8), ("patient", 80), ("recording", 80), ("startdate", 8), ("starttime", 8),
                ("header_bytes", 8), ("reserved", 44), ("n_records", 8), ("record_duration", 8), ("n_signals", 4))
_SIGNAL_FIELDS = (("label", 16), ("transducer", 80), ("physical_dimension", 8), ("physical_min", 8),
                  ("physical_max", 8), ("digital_min", 8), ("digital_max", 8), ("prefiltering", 80),
                  ("samples_per_record", 8), ("reserved", 32))
_ANNOTATION_LABELS = frozenset({"EDF Annotations", "BDF Annotations"})
_DIGITAL_RANGE = {False: (-32768, 32767), True: (-8388608, 8388607)}
_PAD_LABEL = "BAD_padding"
_GAP_LABEL = "BAD_gap"
_CHANNEL_SEP = "@@"
_MAX_RECORD_S = 1.0
_MAX_TIMELINE_S = 1e9
_READ_OPTIONS = frozenset({"rate_hz"})
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_TAL_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)")
_DATE_OR_TIME = re.compile(r"\s*(\d{1,2})\s*[.:/\-' ]\s*(\d{1,2})\s*[.:/\-' ]\s*(\d{1,2})\s*")
_FILTER = re.compile(r"(?<![A-Za-z])(HP|LP|NOTCH|N)\s*:\s*(\d+(?:[.,]\d*)?|[.,]\d+)\s*(kHz|Hz)?", re.IGNORECASE)
_TYPE_TOKEN = re.compile(r"([A-Z]+)(?::\s?(.*))?", re.DOTALL)

# Repairs that are gathered over many fields and reported once per kind.
_NOTE_TEXT = {
    "nul": ("padded with NUL bytes instead of spaces", "read each up to its first NUL"),
    "text": ("holds bytes outside printable ASCII", "decoded them as UTF-8, else Latin-1"),
    "comma": ("uses a decimal comma", "read it as a decimal point"),
    "intfloat": ("holds a decimal number where an integer is expected", "used its integer value"),
}
_TAL_NOTE_TEXT = {
    "bad_tal": ("{n} time-stamped annotation lists (TALs) could not be parsed", "skipped them"),
    "unsigned": ("{n} TAL onsets lack the leading '+' or '-'", "read them as positive"),
    "comma": ("{n} TAL numbers use a decimal comma", "read it as a decimal point"),
    "tal_text": ("{n} annotation texts are not UTF-8", "decoded them as Latin-1"),
    "no_timekeeping": ("{n} data records lack the time-keeping TAL", "placed those records by their index"),
}


# ---------------------------------------------------------------------------------------------
# header model
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignalHeader:
    """One signal's header, as read (after repairs).

    Attributes
    ----------
    index : int
        Position in the file's signal list (0-based, annotation signals included).
    label : str
        The label as written; ``name`` is the unique channel name made from it.
    physical_min, physical_max : float
        Physical range in ``physical_dimension`` units (NaN for annotation signals).
    digital_min, digital_max : int
        Digital range (0 for annotation signals).
    samples_per_record : int
        Samples (annotation signals: 2- or 3-byte words) per data record.
    byte_offset : int
        Offset of this signal's samples inside a data record, bytes.
    """

    index: int
    label: str
    name: str
    transducer: str
    physical_dimension: str
    physical_min: float
    physical_max: float
    digital_min: int
    digital_max: int
    prefiltering: str
    samples_per_record: int
    reserved: str
    byte_offset: int

    @property
    def is_annotation(self) -> bool:
        """True for an EDF+/BDF+ annotation signal (``EDF Annotations``)."""
        return self.label in _ANNOTATION_LABELS

    def calibration(self) -> tuple[float, float]:
        """``(gain, offset)`` in SI units such that ``value_si = gain * digital + offset``."""
        _, factor = scale_to_si(self.physical_dimension)
        gain = (self.physical_max - self.physical_min) / (self.digital_max - self.digital_min)
        return gain * factor, (self.physical_min - gain * self.digital_min) * factor


@dataclass(frozen=True)
class EdfHeader:
    """An EDF/BDF file's header, as read (after repairs).

    Attributes
    ----------
    file : str
        File name for messages.
    bdf : bool
        24-bit BDF (True) or 16-bit EDF.
    variant : str
        ``"EDF"``, ``"EDF+C"``, ``"EDF+D"``, ``"BDF"``, ``"BDF+C"`` or ``"BDF+D"``.
    patient, recording, reserved : str
        The local patient and recording identification fields and the reserved field.
    start_time : datetime or None
        Header start date and time (to the second); None when unreadable or anonymised.
    header_bytes : int
        Length of the header, bytes (256 · (n_signals + 1)).
    n_records : int
        Complete data records in the file (which this reader uses).
    record_duration_s : float
        Duration of a data record, s (0 for annotation-only files).
    record_duration_text : str
        The field as written, for exact sampling rates (``spr / duration``).
    signals : tuple of SignalHeader
    """

    file: str
    bdf: bool
    variant: str
    patient: str
    recording: str
    reserved: str
    start_time: datetime | None
    header_bytes: int
    n_records: int
    record_duration_s: float
    record_duration_text: str
    signals: tuple[SignalHeader, ...]

    @property
    def bytes_per_sample(self) -> int:
        return 3 if self.bdf else 2

    @property
    def record_bytes(self) -> int:
        """Bytes per data record."""
        return sum(s.samples_per_record for s in self.signals) * self.bytes_per_sample

    @property
    def discontinuous(self) -> bool:
        return self.variant.endswith("+D")

    @property
    def data_signals(self) -> tuple[SignalHeader, ...]:
        return tuple(s for s in self.signals if not s.is_annotation)

    def fs(self, signal: SignalHeader) -> float:
        """Sampling rate of ``signal`` in Hz (exact decimal ``spr / duration``)."""
        return _rate(signal.samples_per_record, self.record_duration_text, self.record_duration_s)


# ---------------------------------------------------------------------------------------------
# small parsing functions
# ---------------------------------------------------------------------------------------------
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


def _rate(spr: int, duration_text: str, duration_s: float) -> float:
    """``spr / duration`` in Hz, exact in decimal where the field allows."""
    try:
        return float(Decimal(spr) / Decimal(duration_text.replace(",", ".")))
    except (InvalidOperation, ZeroDivisionError, ValueError):
        return spr / duration_s


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


# ---------------------------------------------------------------------------------------------
# header parsing
# ---------------------------------------------------------------------------------------------
def _n_signals(ns: int | None, hb: int | None, text: str, size: int, log: RepairLog) -> int:
    if ns is not None and ns >= 1 and 256 * (ns + 1) <= size:
        return ns
    from_hb = (hb - 256) // 256 if hb is not None and hb >= 512 and hb % 256 == 0 else None
    if from_hb is not None and 256 * (from_hb + 1) <= size:
        log.repair("n_signals", f"is {text!r}, which does not fit this file", f"used {from_hb}, from header_bytes")
        return from_hb
    if ns is None:
        raise log.error("n_signals", f"is {text!r}, not a number of signals")
    if ns < 1:
        raise log.error("n_signals", f"is {ns}; a file needs at least one signal")
    raise log.error("n_signals", f"says {ns} signals, whose headers need {256 * (ns + 1)} bytes, but the file has {size}")


def _unique_names(labels: list[str], annotation: list[bool], log: RepairLog) -> list[str]:
    """Channel names from labels: empty ones named ``signal<i+1>``, repeats ``X-2``, ``X-3``."""
    seen: set[str] = set()
    names: list[str] = []
    renamed: dict[str, list[tuple[int, str]]] = {}
    for i, (label, ann) in enumerate(zip(labels, annotation)):
        if ann:
            names.append(label)
            continue
        name = label
        if not name:
            name = f"signal{i + 1}"
            log.repair(f"signal[{i}].label", "is empty", f"named the channel {name!r}")
        if name in seen:
            k = 2
            while f"{name}-{k}" in seen:
                k += 1
            renamed.setdefault(name, []).append((i, f"{name}-{k}"))
            name = f"{name}-{k}"
        seen.add(name)
        names.append(name)
    for label, items in renamed.items():
        first = items[0][0]
        log.repair(f"signal[{first}].label", f"duplicate channel label {label!r} (signals {[i for i, _ in items]} repeat it)",
                   f"renamed the repeats {[n for _, n in items]}")
    return names


def _signal_headers(raw: bytes, ns: int, bdf: bool, notes: dict[str, list[str]], log: RepairLog) -> tuple[SignalHeader, ...]:
    fields: dict[str, list[str]] = {}
    off = 256
    for name, width in _SIGNAL_FIELDS:
        fields[name] = [_text(raw[off + i * width: off + (i + 1) * width], f"signal[{i}].{name}", notes) for i in range(ns)]
        off += ns * width
    labels = fields["label"]
    annotation = [lab in _ANNOTATION_LABELS for lab in labels]
    names = _unique_names(labels, annotation, log)
    bps = 3 if bdf else 2
    out = []
    byte_offset = 0
    for i in range(ns):
        spr = _int(fields["samples_per_record"][i], f"signal[{i}].samples_per_record", notes)
        if spr is None or spr < 1:
            raise log.error(f"signal[{i}].samples_per_record", f"is {fields['samples_per_record'][i]!r}; need a positive integer")
        if annotation[i]:
            pmin = pmax = math.nan
            dmin = dmax = 0
        else:
            pmin, pmax, dmin, dmax = _calibration_fields(fields, i, bdf, notes, log)
        out.append(SignalHeader(
            index=i, label=labels[i], name=names[i], transducer=fields["transducer"][i],
            physical_dimension=fields["physical_dimension"][i], physical_min=pmin, physical_max=pmax,
            digital_min=dmin, digital_max=dmax, prefiltering=fields["prefiltering"][i], samples_per_record=spr,
            reserved=fields["reserved"][i], byte_offset=byte_offset,
        ))
        byte_offset += spr * bps
    return tuple(out)


def _calibration_fields(fields: dict[str, list[str]], i: int, bdf: bool, notes: dict[str, list[str]],
                        log: RepairLog) -> tuple[float, float, int, int]:
    label = fields["label"][i]
    values: dict[str, Any] = {}
    for key, parse in (("physical_min", _float), ("physical_max", _float), ("digital_min", _int), ("digital_max", _int)):
        v = parse(fields[key][i], f"signal[{i}].{key}", notes)
        if v is None:
            kind = "an integer" if key.startswith("digital") else "a finite number"
            raise log.error(f"signal[{i}].{key}", f"is {fields[key][i]!r} for channel {label!r}; need {kind}")
        values[key] = v
    pmin, pmax, dmin, dmax = values["physical_min"], values["physical_max"], values["digital_min"], values["digital_max"]
    if dmin == dmax:
        raise log.error(f"signal[{i}].digital_min", f"equals digital_max ({dmin}) for channel {label!r}: the calibration "
                        "from digital to physical values is undefined")
    if pmin == pmax:
        log.repair(f"signal[{i}].physical_min", f"equals physical_max ({pmin}) for channel {label!r}",
                   f"the channel reads as the constant {pmin}")
    return pmin, pmax, dmin, dmax


def _variant(bdf: bool, reserved: str, signals: Sequence[SignalHeader], log: RepairLog) -> str:
    base = "BDF" if bdf else "EDF"
    plus = reserved[:5].upper()
    has_ann = any(s.is_annotation for s in signals)
    if plus in ("EDF+C", "EDF+D", "BDF+C", "BDF+D"):
        if not has_ann:
            log.repair("reserved", f"says {reserved[:5]!r} but no signal is labelled '{base} Annotations'", f"read as plain {base}")
            return base
        return base + plus[3:]
    return base + "+C" if has_ann else base


def _parse_header(src: Input, log: RepairLog) -> EdfHeader:
    size = src.size
    if size == 0:
        raise log.error("file", "is empty (0 bytes)")
    head = src.head(256)
    version = head[:8]
    bdf = version == _BDF_VERSION
    if not bdf and not sniff(head, src):
        raise log.error("version", f"expected '0' (EDF) or '\\xffBIOSEMI' (BDF), got {version!r}: not an EDF/BDF file")
    if size < 256:
        raise log.error("header", f"the file has {size} bytes; an EDF/BDF header needs at least 256")
    notes: dict[str, list[str]] = {}
    if not bdf and b"\x00" in version:
        _note(notes, "nul", "version")
    main: dict[str, str] = {}
    pos = 8
    for name, width in _MAIN_FIELDS[1:]:
        main[name] = _text(head[pos:pos + width], name, notes)
        pos += width
    ns = _n_signals(_int(main["n_signals"], "n_signals", notes), _int(main["header_bytes"], "header_bytes", notes),
                    main["n_signals"], size, log)
    header_len = 256 * (ns + 1)
    if main["header_bytes"] != str(header_len):
        log.repair("header_bytes", f"is {main['header_bytes']!r} but {ns} signals make a {header_len}-byte header",
                   f"used {header_len}")
    signals = _signal_headers(src.head(header_len), ns, bdf, notes, log)
    duration, duration_text = _record_duration(main["record_duration"], signals, notes, log)
    n_records = _n_records(main["n_records"], size - header_len, signals, bdf, notes, log)
    variant = _variant(bdf, main["reserved"], signals, log)
    start = _start_time(main["startdate"], main["starttime"], main["recording"], log)
    _flush_notes(notes, log)
    return EdfHeader(
        file=src.name, bdf=bdf, variant=variant, patient=main["patient"], recording=main["recording"],
        reserved=main["reserved"], start_time=start, header_bytes=header_len, n_records=n_records,
        record_duration_s=duration, record_duration_text=duration_text, signals=signals,
    )


def _record_duration(text: str, signals: Sequence[SignalHeader], notes: dict[str, list[str]],
                     log: RepairLog) -> tuple[float, str]:
    duration = _float(text, "record_duration", notes)
    if duration is None or duration < 0:
        raise log.error("record_duration", f"is {text!r}; need a duration in seconds >= 0")
    data = [s for s in signals if not s.is_annotation]
    if data and duration == 0:
        raise log.error("record_duration", f"is 0 s but the file has {len(data)} data signals; their sampling rates are undefined")
    for s in data:
        fs = _rate(s.samples_per_record, text, duration)
        if not (math.isfinite(fs) and fs > 0):
            raise log.error("record_duration", f"is {text!r}: signal {s.label!r} would have a sampling rate of {fs} Hz")
    return duration, text.replace(",", ".")


def _n_records(text: str, data_bytes: int, signals: Sequence[SignalHeader], bdf: bool,
               notes: dict[str, list[str]], log: RepairLog) -> int:
    record_bytes = sum(s.samples_per_record for s in signals) * (3 if bdf else 2)
    avail, rem = divmod(max(data_bytes, 0), record_bytes)
    stated = _int(text, "n_records", notes)
    if avail == 0:
        raise log.error("data", f"holds no complete data record: a record needs {record_bytes} bytes, "
                        f"the file has {max(data_bytes, 0)} after the header")
    if rem:
        log.repair("data", f"ends with {rem} bytes that do not make a whole {record_bytes}-byte data record "
                   "(a truncated last record)", "dropped them")
    if stated is None:
        log.repair("n_records", f"is {text!r}, not a number", f"used {avail}, the complete records in the file")
    elif stated == -1:
        log.repair("n_records", "is -1 (the recording was not closed)", f"used {avail}, the complete records in the file")
    elif stated != avail and not (rem and stated == avail + 1):
        log.repair("n_records", f"says {stated} but the file holds {avail} complete data records", f"read {avail}")
    return avail


# ---------------------------------------------------------------------------------------------
# reading records from disk or bytes
# ---------------------------------------------------------------------------------------------
def _pread_into(fd: int, buf: np.ndarray, offset: int, name: str) -> None:
    """Fill ``buf`` from ``fd`` at byte ``offset`` (positional reads, no shared file position)."""
    view = memoryview(buf).cast("B")
    got = 0
    while got < len(view):
        if hasattr(os, "preadv"):
            n = os.preadv(fd, [view[got:]], offset + got)
        else:  # pragma: no cover - platforms without preadv
            os.lseek(fd, offset + got, os.SEEK_SET)
            n = os.readv(fd, [view[got:]])
        if n == 0:
            raise FileFormatError(name, "data", f"the file ended at byte {offset + got} while reading; was it changed meanwhile?")
        got += n


class _RecordSource:
    """Raw data records of one file: reads only what is asked (path) or views the bytes."""

    def __init__(self, src: Input, header: EdfHeader) -> None:
        self.name = src.name
        self._header_bytes = header.header_bytes
        self._rb = header.record_bytes
        self._n = header.n_records
        self._lead = 1 if header.bdf else 0  # BDF decoding views 4 bytes starting one byte early
        self._fd: int | None = None
        self._buf: np.ndarray | None = None
        self._base0 = 0
        if src.path is not None:
            self._fd = os.open(src.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            self._finalizer = weakref.finalize(self, os.close, self._fd)
        else:
            self._buf = np.frombuffer(src.read_bytes(), dtype=np.uint8)
            self._base0 = header.header_bytes

    def span(self, k0: int, k1: int) -> tuple[np.ndarray, int]:
        """Records ``[k0, k1)``: a byte buffer and the index of record ``k0``'s first byte in it."""
        if self._buf is not None:
            return self._buf, self._base0 + k0 * self._rb
        if self._fd is None:
            raise ParameterError("recording", f"{self.name} was closed; open it again with myograph.open()")
        buf = np.empty((k1 - k0) * self._rb + self._lead, dtype=np.uint8)
        _pread_into(self._fd, buf, self._header_bytes + k0 * self._rb - self._lead, self.name)
        return buf, self._lead

    def preload(self) -> None:
        """Read every record now (one read), for whole-file decoding."""
        if self._buf is None:
            self._buf, self._base0 = self.span(0, self._n)

    def columns(self, byte_offset: int, length: int) -> np.ndarray:
        """Bytes ``[byte_offset, byte_offset + length)`` of every record, shape ``(n_records, length)``."""
        if self._buf is not None:
            return np.ndarray((self._n, length), dtype=np.uint8, buffer=self._buf, offset=self._base0 + byte_offset,
                              strides=(self._rb, 1))
        out = np.empty((self._n, length), dtype=np.uint8)
        if self._rb <= 65536:
            per = max(1, (8 << 20) // self._rb)
            for k0 in range(0, self._n, per):
                k1 = min(self._n, k0 + per)
                buf, base = self.span(k0, k1)
                block = buf[base:base + (k1 - k0) * self._rb].reshape(k1 - k0, self._rb)
                out[k0:k1] = block[:, byte_offset:byte_offset + length]
        else:
            for k in range(self._n):
                _pread_into(self._fd, out[k], self._header_bytes + k * self._rb + byte_offset, self.name)  # type: ignore[arg-type]
        return out

    def close(self) -> None:
        if self._fd is not None:
            self._finalizer()
            self._fd = None
        self._buf = None


# ---------------------------------------------------------------------------------------------
# channel groups (one per sampling rate) and sample decoding
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Group:
    """Signals sharing one sampling rate: one Recording."""

    fs: float
    spr: int
    channels: ChannelTable
    gain: np.ndarray  # SI units per digital step
    offset: np.ndarray  # SI units
    runs: tuple[tuple[int, int, int], ...]  # (first row, row count, byte offset in a record)


def _channel_type(label: str, transducer: str, si_unit: str) -> tuple[str, str]:
    """``(type, description)`` from the label and transducer fields."""
    m = _TYPE_TOKEN.fullmatch(transducer)
    if m and m.group(1) in CHANNEL_TYPES:
        return m.group(1), (m.group(2) or "").strip()
    kind = guess_type(label, "") or guess_type(transducer, "")
    return kind or ("EMG" if si_unit == "V" else "MISC"), transducer


def _channel(sig: SignalHeader) -> Channel:
    unit, _ = scale_to_si(sig.physical_dimension)
    kind, description = _channel_type(sig.label, sig.transducer, unit)
    high_pass, low_pass, notch = parse_prefilter(sig.prefiltering)
    return Channel(sig.name, type=kind, units=unit, description=description,
                   low_cutoff_hz=high_pass, high_cutoff_hz=low_pass, notch_hz=notch)


def _groups(header: EdfHeader) -> list[_Group]:
    by_spr: dict[int, list[SignalHeader]] = {}
    for s in header.data_signals:
        by_spr.setdefault(s.samples_per_record, []).append(s)
    groups = []
    for spr, sigs in by_spr.items():
        cal = np.array([s.calibration() for s in sigs], dtype=float).reshape(-1, 2)
        runs: list[tuple[int, int, int]] = []
        for row, s in enumerate(sigs):
            if runs and sigs[row - 1].index == s.index - 1:
                r0, count, off = runs[-1]
                runs[-1] = (r0, count + 1, off)
            else:
                runs.append((row, 1, s.byte_offset))
        groups.append(_Group(header.fs(sigs[0]), spr, ChannelTable(_channel(s) for s in sigs),
                             np.ascontiguousarray(cal[:, 0]), np.ascontiguousarray(cal[:, 1]), tuple(runs)))
    return groups


def _decode(buf: np.ndarray, base: int, n_records: int, header: EdfHeader, group: _Group) -> np.ndarray:
    """Samples of ``group`` in ``n_records`` records starting at ``buf[base]``, SI, ``(n_ch, n_records*spr)``.

    BDF: an int32 view that starts one byte before each 3-byte sample holds
    ``sample << 8 | previous byte``; an arithmetic shift by 8 leaves the
    sign-extended sample. EDF: an int16 view. Then ``gain * digital + offset``.
    """
    spr, rb = group.spr, header.record_bytes
    out = np.empty((len(group.channels), n_records * spr), dtype=np.float64)
    if n_records == 0:
        return out
    for row0, count, byte_offset in group.runs:
        if header.bdf:
            words = np.ndarray((n_records, count, spr), dtype="<i4", buffer=buf, offset=base + byte_offset - 1,
                               strides=(rb, 3 * spr, 3))
            digital = np.empty((count, n_records, spr), dtype=np.int32)
            np.right_shift(words.transpose(1, 0, 2), 8, out=digital)
        else:
            digital = np.ndarray((n_records, count, spr), dtype="<i2", buffer=buf, offset=base + byte_offset,
                                 strides=(rb, 2 * spr, 2)).transpose(1, 0, 2)
        block = out[row0:row0 + count].reshape(count, n_records, spr)
        np.multiply(digital, group.gain[row0:row0 + count, None, None], out=block)
        block += group.offset[row0:row0 + count, None, None]
    return out


def _positions(rel: np.ndarray | None, group: _Group) -> np.ndarray | None:
    """First sample of each record on the true time line (EDF+D), or None when contiguous."""
    if rel is None:
        return None
    pos = np.round(rel * group.fs).astype(np.int64)
    k = np.arange(pos.size, dtype=np.int64) * group.spr
    return np.maximum.accumulate(pos - k) + k  # never overlap after rounding


def _read_span(source: _RecordSource, header: EdfHeader, group: _Group, positions: np.ndarray | None,
               start: int, stop: int) -> np.ndarray:
    """Samples ``[start, stop)`` of ``group`` on its time line, SI units."""
    spr = group.spr
    if positions is None:
        k0, k1 = start // spr, -(-stop // spr)
        buf, base = source.span(k0, k1)
        data = _decode(buf, base, k1 - k0, header, group)
        return data[:, start - k0 * spr: stop - k0 * spr]
    out = np.zeros((len(group.channels), stop - start))
    ka = int(np.searchsorted(positions + spr, start, side="right"))
    kb = int(np.searchsorted(positions, stop, side="left"))
    if kb > ka:
        buf, base = source.span(ka, kb)
        data = _decode(buf, base, kb - ka, header, group)
        for j, k in enumerate(range(ka, kb)):
            a, b = max(int(positions[k]), start), min(int(positions[k]) + spr, stop)
            if b > a:
                src0 = j * spr + a - int(positions[k])
                out[:, a - start:b - start] = data[:, src0:src0 + b - a]
    return out


# ---------------------------------------------------------------------------------------------
# EDF+ annotations and the time line
# ---------------------------------------------------------------------------------------------
def _tal_number(raw: bytes, counts: Counter, *, signed: bool) -> float | None:
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    m = _TAL_NUMBER.fullmatch(text)
    if m is None or (not signed and m.group(1)):
        return None
    if signed and not m.group(1):
        counts["unsigned"] += 1
    number = m.group(2)
    if "," in number:
        counts["comma"] += 1
        number = number.replace(",", ".")
    value = float(number) * (-1.0 if m.group(1) == "-" else 1.0)
    return value if math.isfinite(value) else None


def _tal_text(raw: bytes, counts: Counter) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        counts["tal_text"] += 1
        return raw.decode("latin-1")


def _parse_tals(raw: bytes, counts: Counter) -> list[tuple[float, float, list[str]]]:
    """The TALs of one record's annotation bytes: ``(onset s, duration s, texts)``."""
    out = []
    for piece in raw.split(b"\x00"):
        if not piece:
            continue
        parts = piece.split(b"\x14")
        if len(parts) < 2:
            counts["bad_tal"] += 1
            continue
        if parts[-1] == b"":
            parts = parts[:-1]
        timing = parts[0].split(b"\x15")
        onset = _tal_number(timing[0], counts, signed=True)
        duration = _tal_number(timing[1], counts, signed=False) if len(timing) == 2 and timing[1] else 0.0
        if onset is None or duration is None or len(timing) > 2:
            counts["bad_tal"] += 1
            continue
        out.append((onset, duration, [_tal_text(p, counts) for p in parts[1:]]))
    return out


def _scan_tals(header: EdfHeader, source: _RecordSource,
               log: RepairLog) -> tuple[list[tuple[float, float, list[str]]], np.ndarray]:
    """Every TAL ``(onset, duration, texts)`` in file time, and each record's time stamp (NaN when missing)."""
    ann = [s for s in header.signals if s.is_annotation]
    onsets = np.full(header.n_records, np.nan)
    rows: list[tuple[float, float, list[str]]] = []
    counts: Counter = Counter()
    for j, sig in enumerate(ann):
        cols = source.columns(sig.byte_offset, sig.samples_per_record * header.bytes_per_sample)
        for k in range(header.n_records):
            tals = _parse_tals(cols[k].tobytes(), counts)
            if j == 0:
                if tals and tals[0][2] and tals[0][2][0] == "":
                    onsets[k] = tals[0][0]
                    tals[0] = (tals[0][0], tals[0][1], tals[0][2][1:])
                else:
                    counts["no_timekeeping"] += 1
            rows.extend((onset, duration, [t for t in texts if t]) for onset, duration, texts in tals)
    for kind, n in counts.items():
        problem, action = _TAL_NOTE_TEXT[kind]
        log.repair("annotations", problem.format(n=n), action)
    return rows, onsets


def _annotations(tals: Iterable[tuple[float, float, list[str]]], names: set[str]) -> Annotations:
    """TALs to a table. Within one TAL, consecutive texts ``label@@channel`` with the same label
    are one row concerning those channels (how :func:`write` stores a channel-specific row)."""
    out: list[tuple[float, float, str, tuple[str, ...]]] = []
    for onset, duration, texts in tals:
        group: list[str] = []
        label = ""
        for text in texts:
            head, sep, channel = text.rpartition(_CHANNEL_SEP)
            if sep and head and channel in names:
                if group and head == label and channel not in group:
                    group.append(channel)
                    continue
                if group:
                    out.append((onset, duration, label, tuple(group)))
                label, group = head, [channel]
            else:
                if group:
                    out.append((onset, duration, label, tuple(group)))
                    group = []
                out.append((onset, duration, text, ()))
        if group:
            out.append((onset, duration, label, tuple(group)))
    return Annotations([r[0] for r in out], [r[1] for r in out], [r[2] for r in out], [r[3] for r in out])


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
    if groups:
        tol = 0.5 / max(g.fs for g in groups)
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
        table, stop = _padding_stop(table, header.n_records * duration, duration, 0.5 / max(g.fs for g in groups), groups)
    return _Timeline(t0, rel, table, stop)


def _n_samples(header: EdfHeader, group: _Group, timeline: _Timeline, positions: np.ndarray | None) -> int:
    if positions is not None:
        return int(positions[-1]) + group.spr
    if timeline.stop_s is not None:
        return int(round(timeline.stop_s * group.fs))
    return header.n_records * group.spr


# ---------------------------------------------------------------------------------------------
# metadata
# ---------------------------------------------------------------------------------------------
def _subject(patient: str, start: datetime | None) -> Subject:
    tokens = patient.split()
    if len(tokens) >= 4 and tokens[1] in ("M", "F", "X"):  # EDF+: code sex birthdate name ...
        code = "" if tokens[0] == "X" else tokens[0]
        birth = _edfplus_date(tokens[2])
        age = None
        if birth is not None and start is not None:
            age = float(start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day)))
        return Subject(id=code, sex="" if tokens[1] == "X" else tokens[1], age_years=age)
    return Subject(id=patient)


def _recording_fields(recording: str) -> tuple[str, Device]:
    tokens = recording.split()
    if len(tokens) >= 5 and tokens[0] == "Startdate":  # EDF+: Startdate date admin-code technician equipment
        session = "" if tokens[2] == "X" else tokens[2]
        return session, Device(model="" if tokens[4] == "X" else tokens[4])
    return "", Device()


def _metadata(src: Input, header: EdfHeader, timeline: _Timeline) -> Metadata:
    start = header.start_time
    if start is not None and timeline.t0:
        start = start + timedelta(seconds=timeline.t0)
    session, device = _recording_fields(header.recording)
    return Metadata(
        subject=_subject(header.patient, header.start_time), session=session, device=device, start_time=start,
        source_file=src.name, source_format=header.variant,
        notes=(f"patient: {header.patient}", f"recording: {header.recording}"),
    )


# ---------------------------------------------------------------------------------------------
# public reading functions
# ---------------------------------------------------------------------------------------------
def _check_options(options: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(unknown[0], f"unknown EDF/BDF reading option; options are {sorted(allowed)}")


def _pick_group(groups: Sequence[_Group], rate_hz: float | None) -> _Group:
    if rate_hz is None:
        return max(groups, key=lambda g: (sum(t == "EMG" for t in g.channels.types), len(g.channels), g.fs))
    for g in groups:
        if math.isclose(g.fs, float(rate_hz), rel_tol=1e-9):
            return g
    raise ParameterError("rate_hz", f"no channel group at {rate_hz} Hz; the file has {[g.fs for g in groups]} Hz")


def _annotation_only(header: EdfHeader, timeline: _Timeline, metadata: Metadata, log: RepairLog,
                     fs: float | None) -> Recording:
    rate = 1.0 if fs is None else float(fs)
    if not (math.isfinite(rate) and rate > 0):
        raise ParameterError("fs", f"time base of an annotation-only file must be a positive rate in Hz, got {fs!r}")
    ann = timeline.annotations
    end = float(np.max(ann.onset + ann.duration, initial=0.0))
    if end > _MAX_TIMELINE_S:
        raise log.error("annotations", f"an annotation ends {end:g} s after the start; implausible")
    n = max(0, math.ceil(end * rate))
    return Recording._trusted(np.zeros((0, n)), rate, ChannelTable([]), ann, metadata,
                              log.provenance("edf", variant=header.variant, fs=rate, channels=[], annotation_only=True))


def _prepare(src: Input, log: RepairLog) -> tuple[EdfHeader, list[_Group], _RecordSource, _Timeline, Metadata]:
    header = _parse_header(src, log)
    groups = _groups(header)
    source = _RecordSource(src, header)
    try:
        timeline = _timeline(header, groups, source, log)
    except BaseException:
        source.close()
        raise
    return header, groups, source, timeline, _metadata(src, header, timeline)


def read_all(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> list[Recording]:
    """Read an EDF/EDF+/BDF/BDF+ file: one Recording per sampling rate.

    Parameters
    ----------
    src : Input
        The file (path or bytes), see :func:`myograph.io.as_input`.
    log : RepairLog
        Collects repairs (warns) or refuses them (``strict``).
    fs : float, optional
        Time base in Hz for a file without data signals (default 1 Hz); ignored otherwise.
    rate_hz : float, optional
        Return only the channel group at this sampling rate (Hz).

    Returns
    -------
    list of Recording
        In order of each rate's first signal; samples in SI units (volts).

    Raises
    ------
    FileFormatError
        The file is not EDF/BDF or a field is unusable; the message names file and field.
    """
    _check_options(options, _READ_OPTIONS)
    header, groups, source, timeline, metadata = _prepare(src, log)
    try:
        if not groups:
            return [_annotation_only(header, timeline, metadata, log, fs)]
        if options.get("rate_hz") is not None:
            groups = [_pick_group(groups, options["rate_hz"])]
        source.preload()
        data_bytes = header.n_records * header.record_bytes
        recs = []
        for g in groups:
            positions = _positions(timeline.rel, g)
            n = _n_samples(header, g, timeline, positions)
            if positions is not None and n * len(g.channels) * 8 > max(4 * data_bytes, 1 << 30):
                raise log.error("data", f"EDF+D gaps span {n / g.fs:g} s; zero-filling them at {g.fs:g} Hz would need "
                                f"{n * len(g.channels) * 8 / 1e9:.1f} GB: read spans with myograph.open() instead")
            data = np.ascontiguousarray(_read_span(source, header, g, positions, 0, n))
            recs.append(Recording._trusted(
                data, g.fs, g.channels, timeline.annotations.restrict_channels(g.channels.names), metadata,
                log.provenance("edf", variant=header.variant, fs=g.fs, channels=g.channels.names),
            ))
        return recs
    finally:
        source.close()


def read_header(source: Any, *, strict: bool = False) -> EdfHeader:
    """The header of an EDF/BDF file (path or bytes), after the tolerant parser's repairs.

    Repairs warn (:class:`~myograph.MyographWarning`); ``strict=True`` refuses them.
    """
    src = as_input(source)
    return _parse_header(src, RepairLog(src.name, strict=strict))


def read_annotations(source: Any, *, strict: bool = False) -> Annotations:
    """The EDF+/BDF+ annotations of a file, onsets in s from its first sample.

    Reads only the header and the annotation signal; works for annotation-only
    files (hypnograms) and for files with data alike. Empty for plain EDF/BDF.
    """
    src = as_input(source)
    log = RepairLog(src.name, strict=strict)
    header, groups, rs, timeline, _ = _prepare(src, log)
    rs.close()
    return timeline.annotations


class EdfLazyRecording(LazyRecording):
    """One channel group of an EDF/BDF file, read record by record on demand.

    Only the data records that cover a requested span are read (positional
    reads into a fresh buffer), so ``iter_chunks`` streams files larger than
    memory. EDF+D gaps read as zeros (marked ``BAD_gap``). Close it (or use it
    as a context manager) to release the file; it is also released when
    garbage-collected.
    """

    def __init__(self, source: _RecordSource, header: EdfHeader, group: _Group, timeline: _Timeline,
                 metadata: Metadata, log: RepairLog) -> None:
        self._source = source
        self._header = header
        self._group = group
        self._positions = _positions(timeline.rel, group)
        self.fs = group.fs
        self.channels = group.channels
        self.n_samples = _n_samples(header, group, timeline, self._positions)
        self.metadata = metadata
        self.annotations = timeline.annotations.restrict_channels(group.channels.names)
        self.provenance = log.provenance("edf", variant=header.variant, fs=group.fs, channels=group.channels.names, lazy=True)

    @property
    def header(self) -> EdfHeader:
        return self._header

    def read_samples(self, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)`` of all channels, SI units, shape ``(n_channels, stop - start)``."""
        start, stop = max(0, int(start)), min(self.n_samples, int(stop))
        if stop <= start:
            return np.empty((self.n_channels, 0))
        return _read_span(self._source, self._header, self._group, self._positions, start, stop)

    def close(self) -> None:
        self._source.close()


def open_lazy(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> LazyRecording:
    """Open an EDF/BDF file lazily (what :func:`myograph.open` calls).

    Parameters
    ----------
    src : Input
    log : RepairLog
    fs : float, optional
        Time base in Hz for a file without data signals; ignored otherwise.
    rate_hz : float, optional
        Sampling rate (Hz) of the channel group to serve; default: the group
        with the most EMG channels (ties: more channels, then the higher rate).
    """
    _check_options(options, _READ_OPTIONS)
    header, groups, source, timeline, metadata = _prepare(src, log)
    if not groups:
        source.close()
        return InMemoryLazy(_annotation_only(header, timeline, metadata, log, fs))
    try:
        group = _pick_group(groups, options.get("rate_hz"))
    except BaseException:
        source.close()
        raise
    return EdfLazyRecording(source, header, group, timeline, metadata, log)


def sniff(head: bytes, src: Input) -> bool:
    """True when the first bytes are an EDF (``0``) or BDF (``\\xffBIOSEMI``) version field."""
    version = head[:8]
    return version == _BDF_VERSION or (version[:1] == b"0" and not version[1:].strip(b" \x00"))


# ---------------------------------------------------------------------------------------------
# writing: fields
# ---------------------------------------------------------------------------------------------
def _check_label(name: str) -> None:
    if not (name.isascii() and name.isprintable()):
        raise ParameterError("channels", f"channel {name!r}: EDF labels must be printable ASCII; rename the channel "
                             "(rec.with_channel_info(old, name=new))")
    if len(name) > 16:
        raise ParameterError("channels", f"channel {name!r}: EDF labels hold at most 16 characters, got {len(name)}; "
                             "rename the channel (rec.with_channel_info(old, name=new))")
    if name != name.strip() or name in _ANNOTATION_LABELS:
        raise ParameterError("channels", f"channel {name!r}: a label cannot start or end with spaces or be an annotation label")


def _unit_field(channel: Channel) -> tuple[str, float]:
    """``(physical dimension, factor SI → file unit)``: volts are written in µV."""
    if is_voltage(channel.units):
        return "uV", 1.0 / VOLTAGE_SCALE["uV"] * scale_to_si(channel.units)[1]
    text = channel.units.replace("·", ".").replace("²", "^2").replace("³", "^3").replace("µ", "u").replace("μ", "u")
    if not (text.isascii() and text.isprintable()) or len(text) > 8:
        raise ParameterError("channels", f"channel {channel.name!r}: unit {channel.units!r} does not fit the 8-character "
                             "ASCII EDF physical-dimension field")
    return text, 1.0


def _ascii_field(value: str, width: int, what: str) -> str:
    """``value`` fitted to an ASCII header field (non-ASCII → ``?``, cut to ``width``), warning if changed."""
    text = "".join(c if (c.isascii() and c.isprintable()) else "?" for c in value)[:width]
    if text != value:
        warn(f"{what}: {value!r} does not fit a {width}-character ASCII EDF field; written as {text!r}")
    return text


def _transducer_field(channel: Channel) -> str:
    text = channel.type + (f": {channel.description}" if channel.description else "")
    return _ascii_field(text, 80, f"channel {channel.name!r} transducer")


def _number_text(value: float) -> str:
    return np.format_float_positional(value, trim="-")


def _prefilter_field(channel: Channel) -> str:
    parts = []
    for key, value in (("HP", channel.low_cutoff_hz), ("LP", channel.high_cutoff_hz), ("N", channel.notch_hz)):
        if value is not None:
            parts.append(f"{key}:{_number_text(float(value))}Hz")
    return _ascii_field(" ".join(parts), 80, f"channel {channel.name!r} prefiltering")


def _fit8(value: float, up: bool) -> float | None:
    """The nearest number at or beyond ``value`` (above if ``up``) whose ``str`` has ≤ 8 characters, no exponent."""
    if value == 0:
        return 0.0
    if abs(value) < 1e-4:
        if up:
            return 1e-4 if value > 0 else 0.0
        return 0.0 if value > 0 else -1e-4
    for decimals in range(7, -1, -1):
        scale = 10 ** decimals
        q = math.ceil(value * scale) if up else math.floor(value * scale)
        v = q / scale
        if up and v < value:
            v = (q + 1) / scale
        if not up and v > value:
            v = (q - 1) / scale
        text = str(int(v)) if float(v).is_integer() else str(v)
        if len(text) <= 8 and "e" not in text:
            return float(v)
    return None


def _physical_range(x: np.ndarray, name: str) -> tuple[float, float]:
    """The 8-character physical range that holds ``x`` (file units)."""
    lo, hi = float(np.min(x)), float(np.max(x))
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    pmin, pmax = _fit8(lo, up=False), _fit8(hi, up=True)
    if pmin is None or pmax is None:
        raise ParameterError("channels", f"channel {name!r}: values from {lo:g} to {hi:g} do not fit the 8-character "
                             "EDF physical range fields; rescale the channel")
    return pmin, pmax


def _duration_for(spr: int, fs: float) -> float | None:
    """A record duration (s) whose 8-character text gives exactly ``spr / duration == fs``."""
    d = spr / fs
    texts = [str(d)] + [f"{d:.{k}f}".rstrip("0").rstrip(".") for k in range(7, -1, -1)]
    for text in texts:
        if not text or len(text) > 8 or "e" in text:
            continue
        value = float(text)
        if value <= 0 or "e" in str(value) or len(_number_text(value)) > 8:
            continue
        if _rate(spr, _number_text(value), value) == fs:
            return value
    return None


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _record_layout(n_samples: int, fs: float) -> tuple[int, float, int]:
    """``(samples per record, record duration s, samples of padding)`` for one rate.

    Records last at most 1 s (or one sample, below 1 Hz). Exact layouts (no
    padding) are preferred; else the layout with the least padding.
    """
    limit = max(1, math.floor(fs * _MAX_RECORD_S + 1e-9))
    if n_samples > 0:
        for spr in reversed(_divisors(n_samples)):
            if spr <= limit:
                d = _duration_for(spr, fs)
                if d is not None:
                    return spr, d, 0
    best: tuple[int, int, float] | None = None  # (pad, -spr, duration)
    for spr in range(limit, 0, -1):
        pad = (-n_samples) % spr
        if best is not None and (pad, -spr) >= best[:2]:
            continue
        d = _duration_for(spr, fs)
        if d is not None:
            best = (pad, -spr, d)
    if best is None:
        raise ParameterError("fs", f"{fs!r} Hz cannot be written as EDF: no record duration fits the 8-character field exactly")
    return -best[1], best[2], best[0]


def _subfield(value: str, what: str) -> str:
    """An EDF+ identification subfield: ``X`` when empty, spaces → ``_``, ASCII."""
    if not value:
        return "X"
    return _ascii_field(re.sub(r"\s+", "_", value.strip()), 80, what)


def _edfplus_identification(metadata: Metadata) -> tuple[str, str, str, str, date | None, time]:
    """(patient code, sex, session, equipment, start date, start time) for EDF+ headers."""
    start = metadata.start_time
    if start is not None and not 1985 <= start.year <= 2084:
        raise ParameterError("metadata.start_time", f"EDF stores start dates from 1985 to 2084, got {start.isoformat()}")
    sex = metadata.subject.sex if metadata.subject.sex in ("M", "F") else "X"
    equipment = metadata.device.model or metadata.device.manufacturer
    return (_subfield(metadata.subject.id, "subject.id"), sex, _subfield(metadata.session, "session"),
            _subfield(equipment, "device"), start.date() if start else None,
            start.time().replace(tzinfo=None) if start else time(0, 0, 0))


def _annotation_texts(annotations: Annotations, names: Sequence[str]) -> list[tuple[float, float, str]]:
    """``(onset, duration, text)`` per TAL; a channel-specific row is one TAL whose texts are
    ``label@@channel`` for each of its channels (joined by the TAL separator ``\\x14``)."""
    out = []
    name_set = set(names)
    for a in annotations:
        if not a.label or any(c in a.label for c in "\x00\x14\x15"):
            raise ParameterError("annotations", f"annotation at {a.onset:g} s: label {a.label!r} is empty or holds "
                                 "the EDF+ separators \\x00, \\x14, \\x15")
        if not a.channels:
            _, sep, tail = a.label.rpartition(_CHANNEL_SEP)
            if sep and tail in name_set:
                raise ParameterError("annotations", f"annotation label {a.label!r} ends in '@@<channel>', which EDF+ "
                                     "readers take for a channel-specific annotation")
            out.append((a.onset, a.duration, a.label))
        else:
            out.append((a.onset, a.duration, "\x14".join(f"{a.label}{_CHANNEL_SEP}{c}" for c in a.channels)))
    return out


def _check_writable(recording: Recording) -> None:
    for i, ch in enumerate(recording.channels):
        _check_label(ch.name)
        _unit_field(ch)
        if not np.all(np.isfinite(recording.data[i])):
            raise ParameterError("data", f"channel {ch.name!r} holds NaN or infinite samples, which EDF cannot store")


def write(recording: Recording, path: str | os.PathLike[str], *, bdf: bool | None = None) -> None:
    """Write ``recording`` as EDF+C (``.edf``, 16-bit) or BDF+C (``.bdf``, 24-bit), atomically, with edfio.

    Parameters
    ----------
    recording : Recording
        Voltage channels are written in µV; each channel's physical range is its data range.
    path : path-like
        Target file; written to a temporary file beside it, then renamed.
    bdf : bool, optional
        24-bit BDF instead of 16-bit EDF; default from the extension (``.bdf``).

    Raises
    ------
    ParameterError
        A label longer than 16 characters or not printable ASCII, a unit or range
        that does not fit its 8-character field, NaN samples, an annotation label
        holding TAL separators, or a start date outside 1985–2084.
    """
    import edfio

    target = Path(path)
    use_bdf = target.suffix.lower() == ".bdf" if bdf is None else bool(bdf)
    _check_writable(recording)
    names = recording.ch_names
    annotations = recording.annotations
    data = recording.data
    signals = []
    duration: float | None = None
    if recording.n_channels:
        spr, duration, pad = _record_layout(recording.n_samples, recording.fs)
        if pad:
            logger.info("%s: %d samples are not whole %d-sample records; padded %d samples marked %s",
                        target, recording.n_samples, spr, pad, _PAD_LABEL)
            data = np.concatenate([data, np.zeros((recording.n_channels, pad))], axis=1)
            annotations = annotations.add(recording.n_samples / recording.fs, pad / recording.fs, _PAD_LABEL)
        signal_class = edfio.BdfSignal if use_bdf else edfio.EdfSignal
        for i, ch in enumerate(recording.channels):
            unit, factor = _unit_field(ch)
            x = data[i] * factor if factor != 1.0 else data[i]
            signals.append(signal_class(
                x, recording.fs, label=ch.name, transducer_type=_transducer_field(ch), physical_dimension=unit,
                physical_range=_physical_range(x, ch.name), prefiltering=_prefilter_field(ch),
            ))
    tals = [edfio.EdfAnnotation(o, d if d > 0 else None, t) for o, d, t in _annotation_texts(annotations, names)]
    code, sex, session, equipment, startdate, starttime = _edfplus_identification(recording.metadata)
    cls = edfio.Bdf if use_bdf else edfio.Edf
    try:
        edf = cls(signals, patient=edfio.Patient(code=code, sex=sex),  # type: ignore[arg-type]
                  recording=edfio.Recording(startdate=startdate, hospital_administration_code=session, equipment_code=equipment),
                  starttime=starttime, data_record_duration=duration, annotations=tals)
    except ValueError as exc:
        raise ParameterError("recording", f"cannot be written as {'BDF' if use_bdf else 'EDF'}+: {exc}") from exc
    with atomic_path(target) as tmp:
        edf.write(tmp)


# ---------------------------------------------------------------------------------------------
# streaming writer
# ---------------------------------------------------------------------------------------------
def _tal_bytes(onset: float, duration: float | None, text: str) -> bytes:
    timing = ("+" if onset >= 0 else "-") + _number_text(abs(onset))
    if duration:
        timing += "\x15" + _number_text(duration)
    return f"{timing}\x14{text}\x14\x00".encode()


def _field(value: str | int | float, width: int) -> bytes:
    text = value if isinstance(value, str) else (str(int(value)) if float(value).is_integer() else str(value))
    raw = text.encode("ascii")
    if len(raw) > width:
        raise ParameterError("header", f"{text!r} exceeds its {width}-character EDF field")
    return raw.ljust(width, b" ")


def _encode_header(*, bdf: bool, patient: str, recording: str, start: datetime | None, n_records: int,
                   duration: float, signals: Sequence[dict[str, Any]]) -> bytes:
    """A complete EDF+C/BDF+C header (256 · (n_signals + 1) bytes)."""
    ns = len(signals)
    start_date = start.strftime("%d.%m.%y") if start else "01.01.85"
    start_time = start.strftime("%H.%M.%S") if start else "00.00.00"
    main = [
        _BDF_VERSION if bdf else _EDF_VERSION, _field(patient, 80), _field(recording, 80), _field(start_date, 8),
        _field(start_time, 8), _field(256 * (ns + 1), 8), _field("BDF+C" if bdf else "EDF+C", 44),
        _field(n_records, 8), _field(duration, 8), _field(ns, 4),
    ]
    parts = [b"".join(main)]
    for name, width in _SIGNAL_FIELDS:
        parts.append(b"".join(_field(s.get(name, ""), width) for s in signals))
    return b"".join(parts)


class EdfWriter:
    """Write an EDF+C/BDF+C file incrementally; it appears atomically on :meth:`close`.

    edfio holds whole signals in memory, so long recordings (a recorder, a
    benchmark file larger than memory) are written with this writer. Physical
    ranges are fixed up front; samples beyond them are clipped (one warning at
    close). Use it as a context manager: an exception discards the file.

    Parameters
    ----------
    path : path-like
        Target; ``.bdf`` → 24-bit BDF+ unless ``bdf`` says otherwise.
    channels : sequence of Channel or str
        Channel descriptions (names ≤ 16 printable ASCII characters).
    fs : float
        Sampling rate, Hz.
    physical_range : (float, float) or sequence of them
        Expected range of each channel in its SI unit (volts for EMG), e.g. ``(-0.01, 0.01)``.
    bdf : bool, optional
        24-bit BDF instead of 16-bit EDF; default from the extension.
    record_s : float, default 1.0
        Data record duration, s; ``fs * record_s`` must be a whole number.
    metadata : Metadata, optional
        Subject, session, device and start time for the header.
    annotation_bytes : int, default 96
        Room per data record for annotations (TALs), bytes.
    """

    def __init__(self, path: str | os.PathLike[str], channels: Sequence[Channel | str], fs: float,
                 physical_range: tuple[float, float] | Sequence[tuple[float, float]], *, bdf: bool | None = None,
                 record_s: float = 1.0, metadata: Metadata | None = None, annotation_bytes: int = 96) -> None:
        self._path = Path(path)
        self._bdf = self._path.suffix.lower() == ".bdf" if bdf is None else bool(bdf)
        self._channels = ChannelTable(c if isinstance(c, Channel) else Channel(str(c)) for c in channels)
        if not len(self._channels):
            raise ParameterError("channels", "need at least one channel")
        for ch in self._channels:
            _check_label(ch.name)
        fs = float(fs)
        if not (math.isfinite(fs) and fs > 0):
            raise ParameterError("fs", f"sampling rate must be a positive number of Hz, got {fs!r}")
        self._fs = fs
        self._spr = int(round(fs * record_s))
        if self._spr < 1 or not math.isclose(self._spr, fs * record_s, rel_tol=1e-9):
            raise ParameterError("record_s", f"fs * record_s must be a whole number of samples, got {fs} Hz * {record_s} s")
        duration = _duration_for(self._spr, fs)
        if duration is None:
            raise ParameterError("record_s", f"{record_s} s at {fs} Hz has no exact 8-character record duration")
        self._duration = duration
        ranges = [tuple(physical_range)] * len(self._channels) if np.ndim(physical_range) == 1 else list(physical_range)
        if len(ranges) != len(self._channels):
            raise ParameterError("physical_range", f"need one (min, max) per channel ({len(self._channels)}), got {len(ranges)}")
        self._metadata = metadata or Metadata()
        self._setup_signals(ranges, annotation_bytes)
        self._n_records = 0
        self._carry = np.empty((len(self._channels), 0))
        self._pending: list[tuple[float, float, str]] = []
        self._used: list[int] = []
        self._clipped = 0
        self._closed = False
        self._stack = ExitStack()
        try:
            tmp = self._stack.enter_context(atomic_path(self._path))
            self._fh = self._stack.enter_context(tmp.open("wb"))
            self._fh.write(self._header(-1))
        except BaseException:
            self._stack.close()
            raise

    def _setup_signals(self, ranges: list, annotation_bytes: int) -> None:
        dmin, dmax = _DIGITAL_RANGE[self._bdf]
        bps = 3 if self._bdf else 2
        self._signals: list[dict[str, Any]] = []
        scale, shift = [], []
        for ch, (lo, hi) in zip(self._channels, ranges):
            unit, factor = _unit_field(ch)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ParameterError("physical_range", f"channel {ch.name!r}: need finite min < max, got ({lo}, {hi})")
            pmin, pmax = _fit8(lo * factor, up=False), _fit8(hi * factor, up=True)
            if pmin is None or pmax is None:
                raise ParameterError("physical_range", f"channel {ch.name!r}: ({lo}, {hi}) does not fit 8-character fields")
            gain = (pmax - pmin) / (dmax - dmin)
            scale.append(factor / gain)
            shift.append(dmin - pmin / gain)
            self._signals.append(dict(label=ch.name, transducer=_transducer_field(ch), physical_dimension=unit,
                                      physical_min=pmin, physical_max=pmax, digital_min=dmin, digital_max=dmax,
                                      prefiltering=_prefilter_field(ch), samples_per_record=self._spr))
        self._scale, self._shift = np.array(scale), np.array(shift)
        self._ann_len = max(bps, math.ceil(annotation_bytes / bps) * bps)
        self._signals.append(dict(label="BDF Annotations" if self._bdf else "EDF Annotations", physical_min=-1,
                                  physical_max=1, digital_min=dmin, digital_max=dmax,
                                  samples_per_record=self._ann_len // bps))
        self._data_len = len(self._channels) * self._spr * bps
        self._record_bytes = self._data_len + self._ann_len

    def _header(self, n_records: int) -> bytes:
        code, sex, session, equipment, startdate, starttime = _edfplus_identification(self._metadata)
        day = f"{startdate.day:02d}-{_MONTH_NAMES[startdate.month - 1]}-{startdate.year}" if startdate else "X"
        start = datetime.combine(startdate, starttime) if startdate else None
        return _encode_header(bdf=self._bdf, patient=f"{code} {sex} X X", recording=f"Startdate {day} {session} X {equipment}",
                              start=start, n_records=n_records, duration=self._duration, signals=self._signals)

    @property
    def n_samples(self) -> int:
        """Samples per channel written so far (including any not yet in a whole record)."""
        return self._n_records * self._spr + self._carry.shape[1]

    def write(self, data: np.ndarray) -> None:
        """Append samples, shape ``(n_channels, n)``, in each channel's SI unit (volts)."""
        if self._closed:
            raise ParameterError("writer", "is closed")
        x = np.asarray(data, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != len(self._channels):
            raise ParameterError("data", f"need shape ({len(self._channels)}, n), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ParameterError("data", "holds NaN or infinite samples, which EDF cannot store")
        if self._carry.shape[1]:
            x = np.concatenate([self._carry, x], axis=1)
        n_full = x.shape[1] // self._spr
        per = max(1, (4 << 20) // (self._spr * len(self._channels)))  # ≈ 4 M samples per block: bounded temporaries
        for k0 in range(0, n_full, per):
            k1 = min(n_full, k0 + per)
            self._fh.write(self._encode(x[:, k0 * self._spr:k1 * self._spr]).data)
        self._carry = x[:, n_full * self._spr:].copy()

    def annotate(self, onset: float, duration: float, label: str, channels: Iterable[str] = ()) -> None:
        """Add an annotation (onset and duration in s from the first sample); written on close."""
        ann = Annotations([onset], [duration], [label], [tuple(channels)])
        for o, d, text in _annotation_texts(ann, self._channels.names):
            if len(_tal_bytes(o, d, text)) > self._ann_len - 24:
                raise ParameterError("label", f"annotation {text!r} does not fit annotation_bytes={self._ann_len}")
            self._pending.append((o, d, text))

    def _encode(self, x: np.ndarray) -> np.ndarray:
        n_rec = x.shape[1] // self._spr
        ns = len(self._channels)
        dmin, dmax = _DIGITAL_RANGE[self._bdf]
        d = x * self._scale[:, None]
        d += self._shift[:, None]
        np.rint(d, out=d)
        self._clipped += int(np.count_nonzero((d < dmin) | (d > dmax)))
        np.clip(d, dmin, dmax, out=d)
        digital = np.ascontiguousarray(d.astype("<i4").reshape(ns, n_rec, self._spr).transpose(1, 0, 2))
        out = np.zeros((n_rec, self._record_bytes), dtype=np.uint8)
        width = 3 if self._bdf else 2
        out[:, :self._data_len].reshape(n_rec, ns * self._spr, width)[...] = (
            digital.view(np.uint8).reshape(n_rec, ns * self._spr, 4)[:, :, :width])
        for j in range(n_rec):
            k = self._n_records + j
            tal = _tal_bytes(float(Decimal(k) * Decimal(_number_text(self._duration))), None, "")
            out[j, self._data_len:self._data_len + len(tal)] = np.frombuffer(tal, dtype=np.uint8)
            self._used.append(len(tal))
        self._n_records += n_rec
        return out

    def _place_annotations(self) -> None:
        free = np.array([self._ann_len - u for u in self._used])
        for onset, duration, text in sorted(self._pending):
            tal = _tal_bytes(onset, duration, text)
            k0 = min(max(int(onset // self._duration), 0), self._n_records - 1)
            room = np.flatnonzero(free[k0:] >= len(tal))
            k = k0 + int(room[0]) if room.size else (int(np.flatnonzero(free >= len(tal))[-1]) if np.any(free >= len(tal)) else -1)
            if k < 0:
                raise ParameterError("annotation_bytes", f"no room left for annotation {text!r}; raise annotation_bytes")
            self._fh.seek(self._header_len + k * self._record_bytes + self._data_len + self._ann_len - free[k])
            self._fh.write(tal)
            free[k] -= len(tal)

    @property
    def _header_len(self) -> int:
        return 256 * (len(self._signals) + 1)

    def close(self) -> None:
        """Write the last (zero-padded) record, the annotations and the record count; publish the file."""
        if self._closed:
            return
        try:
            pad = (-self._carry.shape[1]) % self._spr
            if pad:
                self._pending.append((self.n_samples / self._fs, pad / self._fs, _PAD_LABEL))
                self.write(np.zeros((len(self._channels), pad)))
            if self._n_records == 0:
                raise ParameterError("data", "no samples were written; an EDF file needs at least one data record")
            self._place_annotations()
            self._fh.seek(0)
            self._fh.write(self._header(self._n_records))
        except BaseException as exc:
            self._closed = True
            self._stack.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._closed = True
        self._stack.close()
        if self._clipped:
            warn(f"{self._path}: {self._clipped} samples were outside the physical range and were clipped")

    def abort(self) -> None:
        """Discard the file (nothing appears under the target name)."""
        if not self._closed:
            self._closed = True
            exc = RuntimeError("EdfWriter aborted")
            self._stack.__exit__(RuntimeError, exc, None)

    def __enter__(self) -> "EdfWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


register(Format(
    name="edf",
    description="EDF/EDF+/BDF/BDF+",
    extensions=(".edf", ".bdf", ".rec"),
    read_all=read_all,
    write=write,
    sniff=sniff,
    open=open_lazy,
))
