"""Text tables — CSV, TSV and plain text — read and written.

Reading
-------
One reader handles ``.csv``, ``.tsv``/``.tab`` and ``.txt`` files (and text
bytes). It recognises

* the delimiter (tab, ``;``, ``,``, ``|`` or runs of whitespace) and decimal
  commas (``0,5`` in a ``;``- or tab-separated file);
* comment lines starting with ``#`` (kept in :attr:`Metadata.notes`), with
  ``key: value`` / ``key = value`` / ``key:= value`` sampling-rate and label
  lines such as BioSPPy's "Simple Text Format" header;
* a header row (any non-numeric cell) and an optional units row; units in
  header cells as ``biceps [mV]``, ``biceps (uV)`` or ``biceps_uV``;
* a time column (named ``time``, ``t``, ``seconds``, ``time_s``, ``Time [ms]``
  ... or, in a header-less file, a strictly increasing first column) that
  gives the sampling rate; a sample-index column (``sample``, ``index``,
  ``frame`` or a header-less first column counting 0, 1, 2 ...) is dropped;
* a per-sample label column (``label_column=``, or a column headed ``label``,
  ``labels``, ``class`` or ``gesture``) that becomes annotations, one per
  constant-label segment, labelled ``"<prefix><value>"``;
* Vicon Nexus CSV exports (``Devices`` / ``Trajectories`` sections, each at its
  own rate → one Recording per section).

Repairs (each a :class:`~myograph.MyographWarning` and a ``repair`` step in
provenance; ``strict=True`` refuses them instead): empty or non-numeric cells
become NaN and are marked with ``BAD_gap`` annotations; a short last row is
dropped as truncated; other short rows are padded with NaN; duplicate column
names get ``_2``, ``_3`` suffixes; a jittered time column is replaced by a
uniform grid at ``1 / median step``; a unit that the file does not state is
assumed to be volts. Errors (:class:`~myograph.FileFormatError` naming file and
field): binary content, no data rows, rows longer than the header, a time
column that is not increasing or whose steps vary by more than
:data:`JITTER_TOLERANCE`.

Writing
-------
:func:`write_text` writes a ``time [s]`` column and one column per channel
headed ``name [unit]`` (voltages in µV by default), preceded by ``#`` comment
lines holding the sampling rate, channel types and the metadata notes.
Annotations go to a sidecar ``<stem>.annotations.csv`` (columns ``onset``,
``duration``, ``label``, ``channels``) that the reader picks up again. Numbers
are written as Python's shortest round-trip ``repr``: with ``units="V"`` the
samples read back bit-identical; with the default µV they read back within
2 units in the last place (relative error < 5e-16).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from myograph._version import __version__
from myograph.core.annotations import Annotations
from myograph.core.channels import CHANNEL_TYPES, Channel, guess_type
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.metadata import Metadata
from myograph.core.provenance import RepairLog, Step
from myograph.core.recording import Recording
from myograph.core.units import VOLTAGE_SCALE, normalize_unit, scale_to_si
from myograph.io._input import Input, as_input
from myograph.io.atomic import atomic_open
from myograph.io.registry import Format, register

__all__ = [
    "read_text", "write_text", "read_events_csv", "write_events_csv", "first_time_s", "sniff_text",
    "sidecar_path", "split_unit", "label_annotations", "gap_annotations", "JITTER_TOLERANCE",
]

logger = logging.getLogger(__name__)

#: largest relative deviation of a time step from the median step still read as jitter
JITTER_TOLERANCE = 0.5

#: header names (lower case, units removed) taken as the time column
TIME_NAMES = frozenset({"time", "t", "times", "seconds", "secs", "sec", "elapsed", "elapsed_time", "time_s",
                        "t_s", "time_ms", "t_ms", "time_sec"})
#: header names (lower case) taken as a sample-index column when they count 0, 1, 2 ... or 1, 2, 3 ...
INDEX_NAMES = frozenset({"", "sample", "samples", "index", "idx", "frame", "frames", "n", "sample_index",
                         "sample_number", "unnamed: 0"})
#: header names (lower case) taken as a per-sample label column without ``label_column=``
LABEL_NAMES = frozenset({"label", "labels", "class", "gesture"})

_TIME_UNITS = {"s": 1.0, "sec": 1.0, "secs": 1.0, "seconds": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6,
               "μs": 1e-6, "min": 60.0}
_UNIT_TYPES = {"N": "FORCE", "N·m": "TORQUE", "g": "ACC", "m/s²": "ACC", "deg": "ANGLE", "°": "ANGLE",
               "rad": "ANGLE", "mm": "POS", "m": "POS", "deg/s": "GYRO", "rad/s": "GYRO"}
_KNOWN_UNITS = frozenset(VOLTAGE_SCALE) | frozenset(_UNIT_TYPES) | {"a.u.", "%MVC", "%", "N·mm"}
_DELIMITERS = ("\t", ";", ",", "|")
_BRACKET = re.compile(r"^(?P<name>.*?)\s*(?:\[(?P<u1>[^\[\]]*)\]|\((?P<u2>[^()]*)\))\s*$")
_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<unit>mV|uV|µV|μV|V|nV)$")
_TIME_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<unit>s|ms|us|sec)$", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_KEY_VALUE = re.compile(r"^(?P<key>[^:=]+?)\s*(?::=|:|=)\s*(?P<value>.*)$")
_FS_KEYS = frozenset({"samplingrate", "samplingratehz", "samplerate", "sampleratehz", "fs", "fshz",
                      "samplingfrequency", "samplingfrequencyhz", "srate"})
_OWN = "myograph:"
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt", ".asc"})
_VICON_SECTIONS = frozenset({"devices", "trajectories", "model outputs", "joints", "segments", "events"})
_SIDECAR_COLUMNS = ["onset", "duration", "label", "channels"]
_OPTIONS = frozenset({"time_column", "label_column", "label_prefix", "units", "ch_types", "names",
                      "delimiter", "decimal", "sidecar"})


# --- small helpers ---------------------------------------------------------------------------------
def split_unit(cell: str) -> tuple[str, str | None]:
    """Split a header cell into ``(name, unit)``; ``unit`` is None when the cell states none.

    ``"biceps [mV]"``, ``"biceps (mV)"`` and ``"biceps_mV"`` all give
    ``("biceps", "mV")``; ``"time_s"`` gives ``("time", "s")``; ``"x []"`` gives
    ``("x", "")`` (explicitly unitless). Units are returned in their canonical
    spelling (see :func:`myograph.core.units.normalize_unit`).
    """
    text = cell.strip()
    m = _BRACKET.match(text)
    if m and m.group("name"):
        unit = m.group("u1") if m.group("u1") is not None else m.group("u2")
        return m.group("name").strip(), normalize_unit(unit)
    m = _SUFFIX.match(text)
    if m:
        return m.group("name"), normalize_unit(m.group("unit"))
    m = _TIME_SUFFIX.match(text)
    if m and m.group("name").lower() in TIME_NAMES:
        return m.group("name"), m.group("unit").lower()
    return text, None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return "_" not in cell


def _dedupe(names: list[str], log: RepairLog) -> list[str]:
    """Unique names: a repeated name gets ``_2``, ``_3`` ... (a repair)."""
    seen: dict[str, int] = {}
    out = []
    for nm in names:
        if nm in seen:
            k = seen[nm] + 1
            while f"{nm}_{k}" in seen:
                k += 1
            seen[nm] = k
            new = f"{nm}_{k}"
            log.repair(f"column {nm!r}", f"the column name {nm!r} appears more than once", f"renamed the repeat to {new!r}")
            seen[new] = 1
            out.append(new)
        else:
            seen[nm] = 1
            out.append(nm)
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the runs of True in a 1-D boolean array."""
    if not mask.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def gap_annotations(mask: np.ndarray, fs: float, names: Sequence[str], label: str = "BAD_gap") -> Annotations:
    """One ``label`` annotation per run of True in each row of ``mask``.

    Parameters
    ----------
    mask : ndarray of bool, shape (n_channels, n_samples)
        Samples to mark (e.g. cells that could not be read).
    fs : float
        Sampling rate, Hz.
    names : sequence of str
        Channel name of each row; each annotation concerns its channel only.
    label : str, default ``"BAD_gap"``
    """
    rows = [(a / fs, (b - a) / fs, label, (names[i],)) for i in range(mask.shape[0]) for a, b in _runs(mask[i])]
    return Annotations.from_rows(rows)


def label_annotations(values: Sequence[str], fs: float, prefix: str) -> Annotations:
    """One annotation per constant-label segment of a per-sample label sequence.

    Parameters
    ----------
    values : sequence of str
        One label per sample; empty strings are unlabelled samples (no annotation).
    fs : float
        Sampling rate, Hz.
    prefix : str
        Prepended to each value (``"gesture:"`` gives ``"gesture:3"``).

    Returns
    -------
    Annotations
        Onset (s) at the segment's first sample, duration (s) = its number of samples / ``fs``.
    """
    vals = np.asarray([str(v).strip() for v in values], dtype=object)
    if vals.size == 0:
        return Annotations()
    change = np.flatnonzero(vals[1:] != vals[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [vals.size]])
    rows = [(a / fs, (b - a) / fs, f"{prefix}{vals[a]}") for a, b in zip(starts.tolist(), stops.tolist()) if vals[a] != ""]
    return Annotations.from_rows(rows)


def sidecar_path(path: str | Path) -> Path:
    """The annotations sidecar of a table: ``trial.csv`` → ``trial.annotations.csv``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.annotations.csv")


def first_time_s(recording: Recording) -> float:
    """Time of the first sample (s) in the source file's own time base (0.0 when unknown).

    A table whose time column starts at 20.671 s is read with onsets relative to
    its first sample; this returns 20.671, e.g. to shift event times of the same
    file (``read_events_csv(path, t0_s=first_time_s(rec))``).
    """
    for step in recording.provenance:
        if step.operation == "read" and "first_time_s" in step.parameters:
            return float(step.parameters["first_time_s"])
    return 0.0


# --- decoding and tokenising --------------------------------------------------------------------
def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    control = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return control > max(2, len(sample) // 100)


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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.info("%s: not UTF-8, decoded as Latin-1", src.name)
        return data.decode("latin-1")


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


# --- the table -----------------------------------------------------------------------------------
@dataclass
class _Column:
    """One column of the table as the reader understands it."""

    index: int
    name: str
    unit: str | None
    role: str = "data"  # "data", "time", "index", "label"


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


def _rectangular(rows: list[list[str]], numbers: list[int], n_cols: int, src: Input, log: RepairLog,
                 ) -> tuple[list[list[str]], list[int]]:
    """Rows of exactly ``n_cols`` cells: short last row dropped, short rows padded, long rows refused."""
    if len(rows) == 1 and len(rows[0]) < n_cols:
        raise FileFormatError(src.name, f"line {numbers[0]}", f"the only data row has {len(rows[0])} of {n_cols} cells "
                              "(a truncated file); no complete row to read")
    if rows and len(rows[-1]) < n_cols:
        log.repair(f"line {numbers[-1]}", f"the last row has {len(rows[-1])} of {n_cols} cells (a truncated file)",
                   "dropped the last row")
        rows, numbers = rows[:-1], numbers[:-1]
    short = [i for i, r in enumerate(rows) if len(r) < n_cols]
    long = [i for i, r in enumerate(rows) if len(r) > n_cols]
    if long:
        i = long[0]
        raise FileFormatError(src.name, f"line {numbers[i]}",
                              f"has {len(rows[i])} cells but the table has {n_cols} columns ({len(long)} such rows)")
    if short:
        i = short[0]
        log.repair(f"line {numbers[i]}", f"{len(short)} row(s) have fewer than {n_cols} cells, first line {numbers[i]} "
                   f"with {len(rows[i])}", "padded the missing cells with NaN")
        rows = [r + [""] * (n_cols - len(r)) if len(r) < n_cols else r for r in rows]
    return rows, numbers


def _drop_trailing_empty(header: list[str] | None, rows: list[list[str]]) -> tuple[list[str] | None, list[list[str]]]:
    """Drop a last column that is empty everywhere (a trailing delimiter)."""
    while rows and all(len(r) > 1 and r[-1] == "" for r in rows) and (header is None or len(header) < len(rows[0])
                                                                       or header[-1] == ""):
        rows = [r[:-1] for r in rows]
        if header is not None and len(header) > len(rows[0]):
            header = header[:len(rows[0])]
    return header, rows


def _to_float(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Floats and a mask of cells that are not numbers (empty or text)."""
    try:
        return np.array(cells, dtype=np.float64), np.zeros(len(cells), dtype=bool)
    except ValueError:
        pass
    out = np.empty(len(cells))
    bad = np.zeros(len(cells), dtype=bool)
    for i, c in enumerate(cells):
        try:
            out[i] = float(c)
        except ValueError:
            out[i] = np.nan
            bad[i] = True
    return out, bad


def _numeric_columns(rows: list[list[str]], cols: list[_Column], numbers: list[int], log: RepairLog) -> tuple[np.ndarray, np.ndarray]:
    """Float array (n_columns, n_rows) of ``cols`` and the mask of repaired cells."""
    data = np.empty((len(cols), len(rows)))
    mask = np.zeros((len(cols), len(rows)), dtype=bool)
    for k, col in enumerate(cols):
        data[k], mask[k] = _to_float([r[col.index] for r in rows])
        bad = np.flatnonzero(mask[k])
        if bad.size:
            first = int(bad[0])
            hint = " — a text column? pass label_column= to read it as labels" if bad.size == len(rows) else ""
            log.repair(f"column {col.name!r}", f"{bad.size} cell(s) are empty or not numbers, first at line "
                       f"{numbers[first]} ({rows[first][col.index]!r}){hint}", "set to NaN and marked BAD_gap")
    return data, mask


# --- time column -> sampling rate ------------------------------------------------------------------
def _resolution(cells: Sequence[str]) -> float:
    """The finest decimal step the numbers are written with (``"20.67162"`` → 1e-5)."""
    exp = 0
    for c in cells:
        if "e" in c or "E" in c:
            try:
                e = Decimal(c.strip()).as_tuple().exponent
            except InvalidOperation:
                continue
            if isinstance(e, int):
                exp = min(exp, e)
        else:
            c = c.strip()
            dot = c.find(".")
            if dot >= 0:
                exp = min(exp, dot + 1 - len(c))
    return 10.0 ** exp


def _snap(fs: float, rel_uncertainty: float) -> float:
    """The shortest decimal within ``fs * (1 ± rel_uncertainty)`` (1000.0000001 → 1000.0)."""
    for digits in range(0, 13):
        cand = round(fs, digits)
        if abs(cand - fs) <= fs * rel_uncertainty:
            return cand
    return fs


@dataclass
class _TimeAxis:
    fs: float | None
    first_s: float
    jitter: bool = False


def _time_axis(t: np.ndarray, cells: Sequence[str], scale: float, name: str, numbers: list[int], src: Input,
               log: RepairLog) -> _TimeAxis:
    """Sampling rate and start time from a time column (already in seconds)."""
    if not np.all(np.isfinite(t)):
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise FileFormatError(src.name, f"column {name!r}", f"time at line {numbers[i]} is not a number ({cells[i]!r})")
    if t.size < 2:
        return _TimeAxis(None, float(t[0]) if t.size else 0.0)
    steps = np.diff(t)
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise FileFormatError(src.name, f"column {name!r}", f"time is not increasing at line {numbers[i]} "
                              f"({cells[i - 1]!r} then {cells[i]!r})")
    n = t.size
    idx = np.arange(n, dtype=np.float64)
    tc = t - t[0]
    slope, intercept = np.polyfit(idx, tc, 1)
    q = _resolution(cells) * scale
    span = tc[-1]
    # within the printing precision of a uniform grid: one quantum when the quantum is small against the step,
    # the strict rounding bound (half a quantum) when the times are printed too coarsely to tell more
    quantum = q if q <= slope / 10 else q / 2
    tol = quantum * (1 + 1e-9) + 16 * np.finfo(float).eps * max(abs(t[0]), abs(t[-1]), span)
    if np.max(np.abs(tc - (intercept + slope * idx))) <= tol:
        return _TimeAxis(_snap(1.0 / slope, tol / span), float(t[0]))
    median = float(np.median(steps))
    dev = np.abs(steps / median - 1.0)
    if np.max(dev) > JITTER_TOLERANCE:
        i = int(np.argmax(dev)) + 1
        raise FileFormatError(src.name, f"column {name!r}", f"time steps are irregular: the step to line {numbers[i]} "
                              f"is {steps[i - 1]:.6g} s against a median of {median:.6g} s (more than "
                              f"{JITTER_TOLERANCE:.0%} off); a gap or a mixed-rate table — resample it first")
    fs = 1.0 / median
    worst = float(np.max(np.abs(tc - idx * median)))
    log.repair(f"column {name!r}", f"time steps jitter by up to {np.max(dev):.1%} of the median step",
               f"samples placed on a uniform grid at fs = 1 / median step = {fs:.6g} Hz (largest shift {worst * 1e3:.3g} ms)")
    return _TimeAxis(fs, float(t[0]), jitter=True)


def _time_scale(col: _Column, src: Input) -> float:
    """Seconds per unit of a time column (``s`` when it states none)."""
    unit = (col.unit or "s").lower()
    if unit not in _TIME_UNITS:
        raise FileFormatError(src.name, f"column {col.name!r}", f"time unit {col.unit!r} is not one of {sorted(_TIME_UNITS)}")
    return _TIME_UNITS[unit]


def _agree(fs_a: float, fs_b: float, n: int) -> bool:
    """True when the two rates place the last of ``n`` samples within half a sample of each other."""
    return abs(fs_a - fs_b) * max(n - 1, 0) / max(fs_a, fs_b) <= 0.5


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


def _resolve_fs(fs_opt: float | None, fs_header: float | None, axis: _TimeAxis | None, time_name: str | None,
                n: int, src: Input) -> tuple[float, str]:
    """The sampling rate and where it came from; refuses disagreeing sources."""
    fs_time = axis.fs if axis is not None else None
    if fs_header is not None and fs_time is not None and not _agree(fs_header, fs_time, n):
        raise FileFormatError(src.name, f"column {time_name!r}", f"the time column gives {fs_time:.6g} Hz but the header "
                              f"says {fs_header:g} Hz")
    file_fs, source = (fs_header, "header") if fs_header is not None else (fs_time, f"time column {time_name!r}")
    if fs_opt is not None:
        fs = float(fs_opt)
        if not (math.isfinite(fs) and fs > 0):
            raise ParameterError("fs", f"sampling rate must be a positive number of Hz, got {fs_opt!r}")
        if file_fs is not None and not _agree(fs, file_fs, n):
            raise ParameterError("fs", f"fs={fs:g} Hz disagrees with the file's {source}, which gives {file_fs:.6g} Hz; "
                                 "omit fs= to use the file's rate, or fix the file")
        return fs, "argument"
    if file_fs is None:
        if axis is not None:
            raise FileFormatError(src.name, f"column {time_name!r}", "a single row cannot give a sampling rate; "
                                  "pass fs= in Hz")
        raise ParameterError("fs", "the file has no time column and states no sampling rate; pass fs= in Hz, "
                             "e.g. myograph.read(path, fs=2000.0)")
    return file_fs, source


# --- columns: roles, units, types ------------------------------------------------------------------
def _column_index(spec: str | int, cols: list[_Column], what: str) -> int:
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        i = int(spec) + (len(cols) if spec < 0 else 0)
        if not 0 <= i < len(cols):
            raise ParameterError(what, f"column index {spec} is outside the table's {len(cols)} columns")
        return i
    for c in cols:
        if c.name == spec or (isinstance(spec, str) and split_unit(spec)[0] == c.name):
            return c.index
    raise ParameterError(what, f"no column named {spec!r}; columns are {[c.name for c in cols]}")


def _auto_time(cols: list[_Column]) -> int | None:
    for c in cols:
        if c.name.lower() in TIME_NAMES and (c.unit is None or c.unit in _TIME_UNITS or c.unit.lower() in _TIME_UNITS):
            return c.index
    return None


def _is_counter(x: np.ndarray) -> bool:
    return x.size > 1 and bool(np.all(np.isfinite(x))) and x[0] in (0.0, 1.0) and bool(np.all(np.diff(x) == 1.0))


def _assign_roles(cols: list[_Column], rows: list[list[str]], has_header: bool,
                  options: Mapping[str, Any]) -> None:
    """Mark the time, index and label columns in place."""
    label_opt = options.get("label_column")
    if label_opt is not None:
        cols[_column_index(label_opt, cols, "label_column")].role = "label"
    else:
        for c in cols:
            if c.name.lower() in LABEL_NAMES and c.unit is None and has_header:
                c.role = "label"
                logger.info("column %r read as per-sample labels", c.name)
                break
    time_opt = options.get("time_column")
    if time_opt is not None and time_opt is not False:
        i = _column_index(time_opt, cols, "time_column")
        if cols[i].role == "label":
            raise ParameterError("time_column", f"column {cols[i].name!r} is already the label column")
        cols[i].role = "time"
        return
    if time_opt is False:
        return
    i = _auto_time(cols)
    if i is not None and cols[i].role == "data":
        cols[i].role = "time"
        return
    first = cols[0] if cols else None
    if first is None or first.role != "data" or sum(c.role == "data" for c in cols) < 2 or len(rows) < 2:
        return
    if has_header and (first.name.lower() not in INDEX_NAMES or first.unit is not None):
        return
    x, bad = _to_float([r[0] for r in rows])
    if bad.any() or not np.all(np.isfinite(x)):
        return
    if _is_counter(x):
        first.role = "index"
    elif (not has_header or first.name == "") and np.all(np.diff(x) > 0) and len(rows) >= 3:
        steps = np.diff(x)
        if np.max(np.abs(steps / np.median(steps) - 1.0)) <= JITTER_TOLERANCE:
            first.role = "time"


def _per_channel_option(value: Any, names: list[str], what: str) -> list[Any]:
    """Expand a str / sequence / mapping option to one entry (or None) per channel."""
    if value is None:
        return [None] * len(names)
    if isinstance(value, str):
        return [value] * len(names)
    if isinstance(value, Mapping):
        unknown = set(value) - set(names)
        if unknown:
            raise ParameterError(what, f"names {sorted(unknown)} are not channels of the file; channels are {names}")
        return [value.get(n) for n in names]
    vals = list(value)
    if len(vals) != len(names):
        raise ParameterError(what, f"need one entry per data channel ({len(names)}: {names}), got {len(vals)}")
    return vals


def _units(data_cols: list[_Column], options: Mapping[str, Any], raw_adc: str | None, log: RepairLog) -> list[str]:
    """One canonical unit per data column: option, else file, else a.u. (raw ADC) or volts (assumed, warned)."""
    names = [c.name for c in data_cols]
    given = _per_channel_option(options.get("units"), names, "units")
    out: list[str] = []
    unknown: list[str] = []
    for c, g in zip(data_cols, given):
        if g is not None:
            g = normalize_unit(str(g))
            if c.unit is not None and c.unit != g:
                raise ParameterError("units", f"units={g!r} for channel {c.name!r} contradicts the file, which says {c.unit!r}")
            out.append(g)
        elif c.unit is not None:
            out.append(c.unit)
        elif raw_adc is not None:
            out.append("a.u.")
        else:
            out.append("V")
            unknown.append(c.name)
    if raw_adc is not None and any(g is None and c.unit is None for c, g in zip(data_cols, given)):
        log.repair("units", f"the file holds raw {raw_adc} ADC counts and states no gain",
                   "kept the counts as 'a.u.' (not volts); pass units= once you know the conversion")
    if unknown:
        shown = unknown if len(unknown) <= 6 else unknown[:6] + ["..."]
        log.repair("units", f"the file states no unit for {len(unknown)} channel(s) {shown}",
                   "assumed volts; pass units= (e.g. units='uV') to state it")
    return out


def _types(data_cols: list[_Column], units: list[str], options: Mapping[str, Any], own_types: list[str] | None,
           descriptions: list[str]) -> list[str]:
    names = [c.name for c in data_cols]
    given = _per_channel_option(options.get("ch_types"), names, "ch_types")
    out = []
    for k, (c, u, g) in enumerate(zip(data_cols, units, given)):
        if g is None and own_types is not None and k < len(own_types) and own_types[k] in CHANNEL_TYPES:
            g = own_types[k]
        if g is None:
            si = scale_to_si(u)[0]
            g = _UNIT_TYPES.get(si) or guess_type(c.name, default="") or guess_type(descriptions[k], default="EMG")
        if g not in CHANNEL_TYPES:
            raise ParameterError("ch_types", f"channel {c.name!r}: type must be one of {sorted(CHANNEL_TYPES)}, got {g!r}")
        out.append(g)
    return out


# --- assembling a Recording --------------------------------------------------------------------------
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


# --- generic tables -----------------------------------------------------------------------------------
def _parse_generic(text: str, src: Input, log: RepairLog, options: Mapping[str, Any]) -> _Parsed:
    lines = _split_lines(text)
    if not lines.content:
        raise FileFormatError(src.name, "data", "holds only comments, no data rows")
    delimiter = options.get("delimiter")
    if delimiter is None:
        delimiter = _sniff_delimiter(lines.content)
    elif delimiter in (" ", "whitespace"):
        delimiter = None
    rows = _tokenise(lines.content, delimiter)
    decimal = options.get("decimal") or _sniff_decimal(rows[1:] if len(rows) > 1 else rows, delimiter)
    if decimal not in (".", ","):
        raise ParameterError("decimal", f"must be '.' or ',', got {decimal!r}")
    numbers = list(lines.numbers)
    if decimal == ",":
        rows = [[c.replace(",", ".") if _DECIMAL_COMMA.match(c) else c for c in r] for r in rows]
    header, units_row, start = _header(rows, options.get("names"))
    if header is not None and [h.lower() for h in header[:3]] == _SIDECAR_COLUMNS[:3]:
        raise FileFormatError(src.name, "header", "is an annotations table (onset, duration, label), not a signal; "
                              "read it with myograph.io.text.read_events_csv")
    body, body_numbers = rows[start:], numbers[start:]
    header, body = _drop_trailing_empty(header, body)
    n_cols = len(header) if header is not None else _mode_width(body)
    if options.get("names") is not None and body and n_cols != _mode_width(body):
        raise ParameterError("names", f"{n_cols} names for a table of {_mode_width(body)} columns")
    body, body_numbers = _rectangular(body, body_numbers, n_cols, src, log)
    raw_adc = None
    labels = lines.keys.get("labels")
    if header is None and labels is not None:
        cand = [s.strip() for s in re.split(r"[\t,;]", labels) if s.strip()]
        if len(cand) == n_cols:
            header = cand
    bits = re.match(r"^\s*(\d+)\s*(?:bits?)?\s*$", lines.keys.get("resolution", ""))
    if bits:
        raw_adc = f"{int(bits.group(1))}-bit"
    cols = []
    for k in range(n_cols):
        cell = header[k] if header is not None and k < len(header) else ""
        name, unit = split_unit(cell) if header is not None else ("", None)
        if units_row is not None and k < len(units_row) and units_row[k] and unit is None:
            unit = normalize_unit(units_row[k]) if units_row[k].lower() not in _TIME_UNITS else units_row[k].lower()
        cols.append(_Column(k, name, unit))
    if header is None:
        for k, c in enumerate(cols):
            c.name = ""
    _assign_roles(cols, body, header is not None, options)
    data_k = 0
    for c in cols:
        if c.role == "data" and not c.name:
            data_k += 1
            c.name = f"EMG{data_k}"
        elif c.role == "data":
            data_k += 1
        elif c.role == "label" and not c.name:
            c.name = "label"
        elif not c.name:
            c.name = c.role
    own_types = [t.strip() for t in lines.own["types"].split(",")] if "types" in lines.own else None
    return _Parsed(cols, body, body_numbers, decimal, delimiter, lines.notes, _header_fs(lines, src), raw_adc, own_types)


def _mode_width(rows: list[list[str]]) -> int:
    if not rows:
        return 0
    widths = np.bincount([len(r) for r in rows])
    return int(np.argmax(widths))


# --- Vicon Nexus CSV -------------------------------------------------------------------------------------
def _is_vicon(text: str) -> bool:
    """True for a Vicon Nexus CSV export: a section title line, then its rate (or the events header)."""
    head = text[:4096].splitlines()[:2]
    if len(head) < 2:
        return False
    title = head[0].split(",")[0].strip().lower()
    second = head[1].split(",")[0].strip()
    if title == "events":
        return second.lower() == "subject"
    return title in _VICON_SECTIONS and _is_number(second)


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
    title = block[0][1].split(",")[0].strip()
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
        title = block[0][1].split(",")[0].strip()
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


# --- the reader entry point ----------------------------------------------------------------------------
def read_text(src: Input, *, log: RepairLog, fs: float | None = None, format_name: str = "csv",
              **options: Any) -> list[Recording]:
    """Read a text table (CSV, TSV, plain text, Vicon Nexus CSV) into Recordings.

    Parameters
    ----------
    src : Input
        The file or bytes.
    log : RepairLog
        Collects repairs (or refuses them when strict).
    fs : float, optional
        Sampling rate in Hz; required when the file has neither a time column
        nor a sampling-rate header line. When both are present they must agree
        (the last sample placed within half a sample period), else
        :class:`~myograph.ParameterError`.
    format_name : str
        Name recorded as ``Metadata.source_format``.
    **options
        time_column : str, int or False
            The time column (name or 0-based index); ``False`` for none. Default: detected.
        label_column : str or int
            A per-sample label column, turned into annotations (not a channel).
        label_prefix : str
            Prefix of each label annotation; default ``"<label column name>:"``.
        units : str, sequence or mapping
            Unit of the data columns (one for all, one per data column, or by
            name), e.g. ``"uV"``. Must not contradict a unit the file states.
        ch_types : str, sequence or mapping
            Channel types (default: from the unit or the name, else EMG).
        names : sequence of str
            Column names for a header-less file (all columns, including time and label).
        delimiter : str
            Force ``","``, ``";"``, ``"\\t"``, ``"|"`` or ``"whitespace"``.
        decimal : str
            Force ``"."`` or ``","``.
        sidecar : bool, default True
            Read ``<stem>.annotations.csv`` beside the file when present.

    Returns
    -------
    list of Recording
        One per sampling rate (one, except Vicon exports with several sections).
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ParameterError(sorted(unknown)[0], f"unknown option for text tables; options are {sorted(_OPTIONS)}")
    text = _decode(src, src.read_bytes(), log)
    if _is_vicon(text):
        return _read_vicon(text, src, log, fs, options, format_name)
    parsed = _parse_generic(text, src, log, options)
    return [_build(parsed, src, log, fs, options, format_name)]


def sniff_text(head: bytes, src: Input) -> bool:
    """True when ``head`` looks like a numeric text table (any delimiter, optional header and comments)."""
    head = head.rstrip(b"\x00")
    if not head.strip() or _looks_binary(head) or head.startswith((b"0       ", b"\xffBIOSEMI")):
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes anything
            return False
    if _is_vicon(text):
        return True
    lines = text.splitlines()
    if len(head) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    content = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
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


# --- events tables -------------------------------------------------------------------------------------
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
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
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


# --- writer ----------------------------------------------------------------------------------------------
def _display(unit: str, units: str) -> tuple[str, float]:
    """Unit to write a channel in and the divisor from SI."""
    if unit == "V":
        u = normalize_unit(units)
        if u not in VOLTAGE_SCALE:
            raise ParameterError("units", f"must be a voltage unit {sorted(VOLTAGE_SCALE)}, got {units!r}")
        return u, VOLTAGE_SCALE[u]
    return unit, 1.0


def write_text(recording: Recording, path: str | Path, *, delimiter: str = ",", units: str = "uV",
               significant_digits: int | None = None, sidecar: bool = True) -> None:
    """Write ``recording`` as a text table, atomically.

    Parameters
    ----------
    recording : Recording
    path : path-like
    delimiter : str, default ``","``
        ``","`` for CSV, ``"\\t"`` for TSV/TXT.
    units : str, default ``"uV"``
        Unit in which voltage channels are written (``"V"``, ``"mV"``, ``"uV"``);
        other channels are written in their SI unit.
    significant_digits : int, optional
        Digits per number (``"%.{n}g"``); default: Python's shortest repr, which
        reads back exactly (within 2 ulp after a unit change).
    sidecar : bool, default True
        Write annotations to ``<stem>.annotations.csv``. An existing sidecar is
        replaced (by an empty table when the Recording has no annotations).
    """
    if len(delimiter) != 1 or delimiter in "\"#\n\r.":
        raise ParameterError("delimiter", f"must be one character other than '\"', '#', '.' or a newline, got {delimiter!r}")
    if significant_digits is not None and not (isinstance(significant_digits, int) and 1 <= significant_digits <= 17):
        raise ParameterError("significant_digits", f"must be an integer 1..17 or None, got {significant_digits!r}")
    fmt = repr if significant_digits is None else (lambda x, _f=f"%.{significant_digits}g": _f % x)
    shown = [_display(c.units, units) for c in recording.channels]
    header = ["time [s]"] + [f"{c.name} [{u}]" for c, (u, _) in zip(recording.channels, shown)]
    block = np.empty((recording.n_samples, recording.n_channels + 1))
    block[:, 0] = recording.times
    for i, (_, div) in enumerate(shown):
        block[:, i + 1] = recording.data[i] / div if div != 1.0 else recording.data[i]
    buf = io.StringIO()
    buf.write(f"# {_OWN} text table written by myograph {__version__}\n")
    buf.write(f"# {_OWN} fs_hz = {recording.fs!r}\n")
    buf.write(f"# {_OWN} types = {','.join(recording.ch_types)}\n")
    for note in recording.metadata.notes:
        for line in str(note).splitlines() or [""]:
            buf.write(f"# {line}\n")
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(header)
    buf.write("".join(delimiter.join(map(fmt, row)) + "\n" for row in block.tolist()))
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    side = sidecar_path(path)
    if sidecar and (len(recording.annotations) or side.exists()):
        write_events_csv(recording.annotations, side)


# --- registration ----------------------------------------------------------------------------------------
def _reader(name: str):
    def read_all(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> list[Recording]:
        return read_text(src, log=log, fs=fs, format_name=name, **options)

    read_all.__doc__ = f"Read a {name.upper()} table; see :func:`read_text`."
    return read_all


def _writer(delimiter: str):
    def write(recording: Recording, path: str | Path, **options: Any) -> None:
        options.setdefault("delimiter", delimiter)
        write_text(recording, path, **options)

    write.__doc__ = "Write a text table; see :func:`write_text`."
    return write


register(Format("csv", "CSV text table", (".csv",), _reader("csv"), _writer(","), sniff_text))
register(Format("tsv", "tab-separated text table", (".tsv", ".tab"), _reader("tsv"), _writer("\t"), sniff_text))
register(Format("txt", "plain text table", (".txt", ".asc"), _reader("txt"), _writer("\t"), sniff_text))
