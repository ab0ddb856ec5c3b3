"""The EDF/BDF header: its model (:class:`EdfHeader`, :class:`SignalHeader`) and its tolerant parser.

:func:`_parse_header` reads the fixed and per-signal fields, repairs what can be
repaired unambiguously (through the :class:`~myograph.core.provenance.RepairLog`)
and refuses the rest naming the field. :func:`sniff` recognises the version
field; :func:`read_header` is the public entry point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from myograph.core.provenance import RepairLog
from myograph.core.units import scale_to_si
from myograph.io._input import Input, as_input
from myograph.io.edf.fields import _float, _flush_notes, _int, _note, _start_time, _text
from myograph.io.edf.spec import _ANNOTATION_LABELS, _BDF_VERSION, _MAIN_FIELDS, _SIGNAL_FIELDS, _rate, _sample_bytes


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
        return _sample_bytes(self.bdf)

    @property
    def record_bytes(self) -> int:
        """Bytes per data record."""
        return _record_bytes(self.signals, self.bdf)

    @property
    def discontinuous(self) -> bool:
        return self.variant.endswith("+D")

    @property
    def data_signals(self) -> tuple[SignalHeader, ...]:
        return tuple(s for s in self.signals if not s.is_annotation)

    def fs(self, signal: SignalHeader) -> float:
        """Sampling rate of ``signal`` in Hz (exact decimal ``spr / duration``)."""
        return _rate(signal.samples_per_record, self.record_duration_text, self.record_duration_s)


def _record_bytes(signals: Sequence[SignalHeader], bdf: bool) -> int:
    """Bytes per data record of ``signals``."""
    return sum(s.samples_per_record for s in signals) * _sample_bytes(bdf)


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
    bps = _sample_bytes(bdf)
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
    record_bytes = _record_bytes(signals, bdf)
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


def sniff(head: bytes, src: Input) -> bool:
    """True when the first bytes are an EDF (``0``) or BDF (``\\xffBIOSEMI``) version field."""
    version = head[:8]
    return version == _BDF_VERSION or (version[:1] == b"0" and not version[1:].strip(b" \x00"))


def read_header(source: Any, *, strict: bool = False) -> EdfHeader:
    """The header of an EDF/BDF file (path or bytes), after the tolerant parser's repairs.

    Repairs warn (:class:`~myograph.MyographWarning`); ``strict=True`` refuses them.
    """
    src = as_input(source)
    return _parse_header(src, RepairLog(src.name, strict=strict))
