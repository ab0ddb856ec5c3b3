"""WFDB (PhysioNet) records: a ``.hea`` header plus the signal files it names — read only.

Samples are read with the `wfdb <https://wfdb.readthedocs.io>`_ library in
physical units and stored in volts (``mV``, ``uV``, ``V`` — also the lower-case
``mv`` found in real headers). A record may be opened from its ``.hea`` path or
from one of its signal files (``.dat``); the other files must lie beside it.

* Header comments are kept, line by line, in :attr:`Metadata.notes`; age, sex
  and diagnosis are parsed into :class:`~myograph.Subject` where a comment says
  so plainly (``<age>: 44 <sex>: M``, ``<diagnoses>: ...``, ``Age: 44``,
  ``44 M`` at the start of a comment).
* The channel type follows the signal description (``EMG``, ``ECG`` ...), else
  EMG for voltage signals and MISC for the rest.
* Multi-frequency records (signals with different samples per frame) give
  one Recording per rate — never a silent resample.
* Invalid samples (WFDB's reserved "no data" value) are NaN and marked with
  ``BAD_gap`` annotations.
* ``annotators=("atr",)`` also reads WFDB annotation files beside the record.

A header alone (bytes, or a path without its signal file) cannot be read: the
error names the missing signal file (field ``"signal_file"``).
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, guess_type
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.metadata import Metadata, Subject
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import is_voltage, normalize_unit
from myograph.io._input import Input
from myograph.io.registry import Format, register
from myograph.io.text import gap_annotations

__all__ = ["read_wfdb", "sniff_wfdb", "parse_subject", "parse_header"]

logger = logging.getLogger(__name__)

#: WFDB's sampling frequency when a header states none (WFDB header specification)
WFDB_DEFAULT_FS = 250.0

_FORMATS = frozenset({8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524})
_RECORD_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9_][\w.\-]*)(?:/(?P<nseg>\d+))?\s+(?P<nsig>\d+)"
    r"(?:\s+(?P<fs>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)(?:/[0-9.eE+-]+)?(?:\([^)]*\))?)?"
    r"(?:\s+(?P<len>\d+))?(?:\s+.*)?$"
)
_SIGNAL_FORMAT = re.compile(r"^(?P<fmt>\d+)(?:x\d+)?(?::\d+)?(?:\+\d+)?$")
_OPTIONS = frozenset({"annotators"})
#: bytes per sample of each WFDB storage format (for the truncation check)
_BYTES_PER_SAMPLE = {"8": 1.0, "16": 2.0, "24": 3.0, "32": 4.0, "61": 2.0, "80": 1.0, "160": 2.0, "212": 1.5,
                     "310": 4 / 3, "311": 4 / 3}


def _quiet_wfdb(call, *args, **kwargs):
    """Call into wfdb with its own deprecation warnings (pandas API changes it has not followed) silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"wfdb(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"wfdb(\.|$)")
        return call(*args, **kwargs)


def _wfdb() -> Any:
    """The wfdb library, imported lazily (its import itself raises pandas deprecation warnings)."""
    import importlib

    return _quiet_wfdb(importlib.import_module, "wfdb")


# --- header text ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Header:
    """What :func:`parse_header` reads from a ``.hea`` text (without the wfdb library).

    Attributes
    ----------
    record : str
        Record name.
    n_sig : int
        Number of signals (of each segment, for a multi-segment record).
    fs : float or None
        Frame rate (Hz) as stated; None when the header omits it.
    n_segments : int or None
        Number of segments of a multi-segment record, else None.
    files : tuple of str
        Signal files (single-segment) or segment names (multi-segment), in order, without repeats.
    comments : tuple of str
        Comment lines, ``#`` removed, with their leading spaces kept.
    """

    record: str
    n_sig: int
    fs: float | None
    n_segments: int | None
    files: tuple[str, ...]
    comments: tuple[str, ...]


def _signal_line_ok(line: str) -> bool:
    parts = line.split()
    if len(parts) < 2 or parts[0].replace(".", "").isdigit():
        return False
    m = _SIGNAL_FORMAT.match(parts[1])
    return bool(m) and int(m.group("fmt")) in _FORMATS


def parse_header(text: str) -> Header | None:
    """Parse a WFDB header's record line, signal/segment lines and comments; None if it is not one."""
    comments = []
    content = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            comments.append(line.lstrip()[1:].rstrip())
        elif s:
            content.append(s)
    if not content:
        return None
    m = _RECORD_LINE.match(content[0])
    if m is None:
        return None
    n_sig = int(m.group("nsig"))
    nseg = int(m.group("nseg")) if m.group("nseg") else None
    lines = content[1:]
    if nseg is None:
        lines = lines[:n_sig]
        if len(lines) < n_sig or not all(_signal_line_ok(ln) for ln in lines):
            return None
    else:
        lines = lines[:nseg]
        if len(lines) < nseg or not all(len(ln.split()) >= 2 and ln.split()[1].isdigit() for ln in lines):
            return None
    files = tuple(dict.fromkeys(ln.split()[0] for ln in lines))
    fs = float(m.group("fs")) if m.group("fs") else None
    return Header(m.group("name"), n_sig, fs, nseg, files, tuple(comments))


def sniff_wfdb(head: bytes, src: Input) -> bool:
    """True for a WFDB header (record line then signal lines), or a signal file named by the ``.hea`` beside it."""
    if src.suffix not in ("", ".hea"):
        hea = src.sibling(".hea")
        if hea is None or src.path is None or not hea.is_file():
            return False
        header = parse_header(hea.read_bytes()[:65536].decode("latin-1"))
        return header is not None and src.path.name in header.files
    if b"\x00" in head:
        return False
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    return parse_header(text) is not None


# --- subject from comments --------------------------------------------------------------------------
_TAG = re.compile(r"<(?P<tag>[^>]+)>:?\s*(?P<value>[^<]*)")
_PLAIN_AGE_SEX = re.compile(r"^\s*(?P<age>\d{1,3})\s*(?:y|yrs?|years?|yo)?\s*[,/ ]\s*(?P<sex>[MF]|male|female)\b", re.I)
_AGE = re.compile(r"\bage\s*[:=]\s*(?P<age>\d{1,3}(?:\.\d+)?)", re.I)
_SEX = re.compile(r"\b(?:sex|gender)\s*[:=]\s*(?P<sex>[MF]|male|female)\b", re.I)
_DIAG = re.compile(r"\bdiagnos[ie]s\s*[:=]\s*(?P<diag>.+)$", re.I)


def _sex(value: str) -> str:
    v = value.strip().lower()
    return {"m": "M", "male": "M", "f": "F", "female": "F"}.get(v, "")


def _tagged(comments: Sequence[str]) -> dict[str, str]:
    """``<tag>: value`` pairs; a comment indented by two or more spaces continues the previous one."""
    out: dict[str, str] = {}
    last = None
    for raw in comments:
        if last is not None and (raw.startswith("  ") or raw.startswith("\t")) and "<" not in raw:
            out[last] = f"{out[last]} {raw.strip()}".strip()
            continue
        last = None
        for m in _TAG.finditer(raw):
            last = m.group("tag").strip().lower()
            out[last] = m.group("value").strip()
    return out


def parse_subject(comments: Sequence[str]) -> Subject:
    """Age, sex and diagnosis from header comments, where they are stated plainly.

    Understands PhysioNet's tagged style (``<age>: 57 <sex>: M``,
    ``<diagnoses>: ...`` continued on indented lines), ``Age: 57, Sex: M``,
    ``Diagnosis: ...``, and MIT-BIH's leading ``69 M``. Anything else stays
    only in the notes.

    Parameters
    ----------
    comments : sequence of str
        Comment lines without the ``#``, leading spaces kept.

    Returns
    -------
    Subject
        ``age_years`` in years (None when not stated).
    """
    tags = _tagged(comments)
    age: float | None = None
    sex = ""
    diagnosis = ""
    if tags.get("age", "").replace(".", "", 1).isdigit():
        age = float(tags["age"])
    sex = _sex(tags.get("sex", ""))
    diagnosis = tags.get("diagnoses", tags.get("diagnosis", ""))
    for line in comments:
        text = line.strip()
        if age is None and (m := _AGE.search(text) or _PLAIN_AGE_SEX.match(text)):
            age = float(m.group("age"))
        if not sex and (m := _SEX.search(text) or _PLAIN_AGE_SEX.match(text)):
            sex = _sex(m.group("sex"))
        if not diagnosis and "<" not in text and (m := _DIAG.search(text)):
            diagnosis = m.group("diag").strip()
    return Subject(age_years=age, sex=sex, diagnosis=diagnosis)


# --- locating the files ------------------------------------------------------------------------------
def _header_path(src: Input) -> Path:
    assert src.path is not None
    if src.suffix == ".hea":
        return src.path
    hea = src.path.with_suffix(".hea")
    if not hea.is_file():
        raise FileFormatError(src.name, "header", f"a WFDB signal file needs its header {hea.name} beside it; "
                              "it is missing")
    return hea


def _check_files(hea: Path, header: Header) -> None:
    """Every signal file (or segment header) the header names must exist beside it."""
    names = header.files if header.n_segments is None else tuple(f"{s}.hea" for s in header.files if s != "~")
    for name in names:
        if name == "~":
            continue
        if not (hea.parent / name).is_file():
            kind = "signal file" if header.n_segments is None else "segment header"
            raise FileFormatError(str(hea), "signal_file", f"the {kind} {name!r} named by the header is missing "
                                  f"(looked in {hea.parent})")


def _refuse_bytes(src: Input) -> None:
    try:
        header = parse_header(src.head(65536).decode("ascii"))
    except UnicodeDecodeError:
        header = None
    if header is None:
        raise FileFormatError(src.name, "header", "is not a WFDB header, and WFDB signal files cannot be read "
                              "without one; read the .hea file from disk")
    raise FileFormatError(src.name, "signal_file", f"a WFDB header alone holds no samples: its signal file(s) "
                          f"{list(header.files)} cannot be found from bytes; read the .hea path with them beside it")


# --- building Recordings ---------------------------------------------------------------------------------
def _names(sig_name: Sequence[str] | None, n: int, log: RepairLog) -> list[str]:
    names = [str(s).strip() or f"sig{i}" for i, s in enumerate(sig_name or [f"sig{i}" for i in range(n)])]
    seen: dict[str, int] = {}
    out = []
    for i, nm in enumerate(names):
        if nm in seen:
            new = f"{nm}_{i}"
            log.repair(f"signal[{i}].description", f"the description {nm!r} repeats", f"renamed to {new!r}")
            nm = new
        seen[nm] = i
        out.append(nm)
    return out


def _channel(name: str, unit: str) -> Channel:
    u = normalize_unit(unit)
    return Channel(name, type=guess_type(name, default="EMG" if is_voltage(u) else "MISC"), units=u)


def _start_time(rec: Any) -> datetime | None:
    if rec.base_date is not None and rec.base_time is not None:
        return datetime.combine(rec.base_date, rec.base_time)
    return None


def _groups(record: Any) -> list[tuple[int, list[int], list[np.ndarray]]]:
    """``(samples per frame, channel indices, per-channel physical arrays)`` for each rate."""
    if getattr(record, "e_p_signal", None) is not None:
        spf = list(record.samps_per_frame)
        out = []
        for k in sorted(set(spf)):
            idx = [i for i, s in enumerate(spf) if s == k]
            out.append((k, idx, [np.asarray(record.e_p_signal[i], dtype=np.float64) for i in idx]))
        return out
    sig = np.asarray(record.p_signal, dtype=np.float64)
    return [(1, list(range(sig.shape[1])), [sig[:, i] for i in range(sig.shape[1])])]


def _annotations(record_path: Path, annotators: Sequence[str], frame_fs: float) -> Annotations:
    wfdb = _wfdb()
    rows = []
    for ext in annotators:
        if not record_path.with_suffix(f".{ext}").is_file():
            raise FileFormatError(str(record_path) + ".hea", f"annotator {ext!r}",
                                  f"the annotation file {record_path.name}.{ext} is missing")
        ann = _quiet_wfdb(wfdb.rdann, str(record_path), ext)
        fs = float(ann.fs) if ann.fs else frame_fs
        aux = ann.aux_note or [""] * len(ann.sample)
        for s, sym, note, ch in zip(ann.sample, ann.symbol, aux, ann.chan):
            label = f"{sym} {note.strip()}".strip() if note and note.strip() else str(sym)
            rows.append((float(s) / fs, 0.0, label))
    return Annotations.from_rows(rows)


def read_wfdb(src: Input, *, log: RepairLog, fs: float | None = None, annotators: Sequence[str] = (),
              **options: Any) -> list[Recording]:
    """Read a WFDB record: one Recording per sampling rate.

    Parameters
    ----------
    src : Input
        The ``.hea`` header or a signal file beside it (bytes are refused: see below).
    log : RepairLog
    fs : float, optional
        Frame rate in Hz, only for headers that state none (else it must agree
        with the header); without it such a header gets WFDB's default 250 Hz,
        with a warning.
    annotators : sequence of str, default ()
        Annotation file extensions to read as annotations (``("atr",)``).

    Raises
    ------
    FileFormatError
        Bytes input or a missing signal file (field ``"signal_file"``), a signal
        file without its header (field ``"header"``).
    """
    if options:
        raise ParameterError(sorted(options)[0], f"unknown option for WFDB; options are {sorted(_OPTIONS)} and fs")
    if src.path is None:
        _refuse_bytes(src)
    hea = _header_path(src)
    header = parse_header(hea.read_text(encoding="latin-1"))
    if header is None:
        raise FileFormatError(str(hea), "record line", "is not a WFDB header (expected 'name n_sig [fs [n_samples]]' "
                              "followed by one line per signal)")
    _check_files(hea, header)
    frame_fs = _frame_fs(header, fs, log, hea)
    record_path = hea.with_suffix("")
    wfdb = _wfdb()
    hdr = _quiet_wfdb(wfdb.rdheader, str(record_path))
    spf = getattr(hdr, "samps_per_frame", None) or [1]
    sampto = _complete_frames(hdr, hea, log) if header.n_segments is None else None
    record = _quiet_wfdb(wfdb.rdrecord, str(record_path), physical=True, smooth_frames=all(s == 1 for s in spf),
                         sampto=sampto)
    names = _names(record.sig_name, record.n_sig, log)
    units = list(record.units or ["mV"] * record.n_sig)
    notes = tuple(c.strip() for c in header.comments)
    meta = Metadata(subject=parse_subject(header.comments), start_time=_start_time(record),
                    source_file=str(hea), source_format="wfdb", notes=notes)
    events = _annotations(record_path, tuple(annotators), frame_fs)
    recs = []
    for k, idx, arrays in _groups(record):
        rate = frame_fs * k
        data = np.vstack(arrays) if arrays else np.empty((0, 0))
        channels = [_channel(names[i], units[i]) for i in idx]
        ann = gap_annotations(~np.isfinite(data), rate, [names[i] for i in idx]) + events
        steps = log.provenance("wfdb", record=header.record, fs_hz=rate, samples_per_frame=k,
                               signal_files=list(header.files), annotators=list(annotators))
        recs.append(Recording(data, rate, channels=channels, annotations=ann, metadata=meta, provenance=steps))
    return recs


def _complete_frames(hdr: Any, hea: Path, log: RepairLog) -> int | None:
    """Frames actually present in the signal files; a shortfall is repaired by reading fewer (warned)."""
    sig_len = int(getattr(hdr, "sig_len", 0) or 0)
    if sig_len <= 0 or not hdr.file_name:
        return None
    per_file: dict[str, tuple[float, int]] = {}
    for name, fmt, spf, offset in zip(hdr.file_name, hdr.fmt, hdr.samps_per_frame or [1] * hdr.n_sig,
                                      hdr.byte_offset or [None] * hdr.n_sig):
        if str(fmt) not in _BYTES_PER_SAMPLE:
            return None
        width, off = per_file.get(name, (0.0, int(offset or 0)))
        per_file[name] = (width + _BYTES_PER_SAMPLE[str(fmt)] * (spf or 1), off)
    frames = sig_len
    short = ""
    for name, (width, off) in per_file.items():
        size = (hea.parent / name).stat().st_size
        have = int(math.floor(max(size - off, 0) / width + 1e-9))
        if have < frames:
            frames, short = have, name
    if frames >= sig_len:
        return None
    if frames == 0:
        raise FileFormatError(str(hea.parent / short), "signal_file", f"holds no complete sample of the {sig_len} the "
                              "header announces")
    log.repair("signal_file", f"{short} holds {frames} of the {sig_len} samples the header announces (a truncated file)",
               f"read the {frames} complete samples")
    return frames


def _frame_fs(header: Header, fs: float | None, log: RepairLog, hea: Path) -> float:
    """The record's frame rate: the header's, else ``fs=``, else WFDB's default (warned)."""
    if header.fs is not None and header.fs > 0:
        if fs is not None and abs(float(fs) - header.fs) > 1e-9 * header.fs:
            raise ParameterError("fs", f"fs={fs:g} Hz disagrees with the header of {hea.name}, which says "
                                 f"{header.fs:g} Hz; omit fs=")
        return header.fs
    if fs is not None:
        return float(fs)
    log.repair("sampling frequency", "the header states no sampling frequency",
               f"used WFDB's documented default of {WFDB_DEFAULT_FS:g} Hz; pass fs= to set it")
    return WFDB_DEFAULT_FS


register(Format("wfdb", "WFDB record (.hea header with its signal files)", (".hea", ".dat"), read_wfdb, None, sniff_wfdb))
