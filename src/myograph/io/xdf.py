"""XDF files (Lab Streaming Layer recordings), read with pyxdf.

One Recording per numeric stream; marker streams become annotations on every
Recording. Decisions, stated once:

* **Streams.** A stream whose ``channel_format`` is ``string``, or whose
  ``type`` is ``Markers``/``Events`` with no nominal rate, is a marker stream.
  Every other stream with samples is a Recording at its ``nominal_srate``.
  A numeric stream with ``nominal_srate`` 0 (irregular) gets
  ``fs = 1 / median(time-stamp step)`` with a repair warning, and is then
  placed on that grid like any other (so ``strict=True`` refuses it).
* **Channels** come from ``desc/channels/channel`` (``label``, ``type``,
  ``unit``) where present; otherwise ``<stream type><n>``. ``microvolts`` and
  the like become volts. A voltage-type channel (EMG, EEG, ECG, EOG) whose unit
  the file does not state is kept as ``a.u.`` with a repair warning, unless
  ``units=`` states it.
* **Time.** Samples are placed on a regular grid of period ``1/fs`` that starts
  at the stream's first time stamp (kept as ``lsl_first_timestamp=...`` in
  ``Metadata.notes``, full precision, LSL clock in s, after the ClockOffset
  correction when that is on). Clock offsets
  (``synchronize_clocks=True``, pyxdf's ClockOffset correction, so that streams
  recorded on different computers share one clock) and dejittering
  (``dejitter=False`` by default: time stamps are used as recorded) are
  separate options, both recorded in provenance and notes.
* **Gaps** (see :func:`place_samples`). A gap is where the stream's timing
  baseline jumps by more than half a sample period, i.e. where consecutive time
  stamps are more than ~1.5 periods apart *and* the lost time is not made up by
  the samples that follow (chunked or late-arriving samples are jitter, not
  gaps). The missing span is **filled with NaN and annotated ``BAD_gap``**
  (onset and duration in s); nothing is interpolated. We fill rather than join
  because joining would shift every later sample, and with it every marker and
  every comparison with another stream, by the length of the gap; NaN makes any
  use of the missing span fail loudly, and the annotation says where it is.
  A jump longer than ``max_gap_s`` (default 60 s) or a clock going backwards
  by more than 1 s (a clock reset) is not filled: the samples after it follow
  on directly, a zero-length ``BAD_gap`` marks the joint, and the warning says
  how much time was skipped. Markers after such a joint are placed relative to
  the first time stamp of their own segment.
* **Markers** are instant annotations labelled with the marker string (several
  channels are joined with ``" | "``), onset = marker time − the Recording's
  first time stamp; markers outside a Recording are dropped (counted in its
  ``read`` step).
* **Damage.** The chunk structure is checked before pyxdf reads it: a file
  that ends inside a chunk, or a chunk with an impossible length, is read up to
  the last whole chunk; a Samples chunk whose size does not fit its stream's
  format is dropped (its samples then show as a ``BAD_gap``); all with repair
  warnings. A bad magic number, an empty file or a file with no stream header
  raises :class:`~myograph.FileFormatError`.
"""

from __future__ import annotations

import gzip
import logging
import math
import struct
import tempfile
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from myograph.core.annotations import Annotations
from myograph.core.channels import CHANNEL_TYPES, Channel, guess_type
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.metadata import Device, Metadata
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import normalize_unit
from myograph.io._input import Input
from myograph.io.registry import Format, register

__all__ = ["read_all", "sniff", "place_samples", "Placement"]

logger = logging.getLogger(__name__)

_MAGIC = b"XDF:"
_GZIP = b"\x1f\x8b"
_TAGS = {1: "FileHeader", 2: "StreamHeader", 3: "Samples", 4: "ClockOffset", 5: "Boundary", 6: "StreamFooter"}
_VALUE_BYTES = {"float32": 4, "double64": 8, "int8": 1, "int16": 2, "int32": 4, "int64": 8}
_VOLTAGE_TYPES = {"EMG", "EEG", "ECG", "EOG"}
_MARKER_TYPES = {"markers", "marker", "events", "event"}
_OPTIONS = ("dejitter", "synchronize_clocks", "units", "max_gap_s")


# --- sample placement -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    """Where the samples of one stream go on a regular grid.

    Attributes
    ----------
    index : ndarray of int
        Grid position of each sample.
    n_grid : int
        Length of the grid (samples + filled gaps).
    gaps : list of (int, int)
        ``(first missing grid position, number missing)`` for each filled gap.
    joints : list of (int, float)
        ``(grid position of the first sample after the joint, seconds skipped)`` for
        each unfilled jump (``max_gap_s`` exceeded) or clock reset (negative seconds).
    segments : list of (float, int)
        ``(first time stamp, its grid position)`` of each stretch between joints.
    """

    index: np.ndarray
    n_grid: int
    gaps: list[tuple[int, int]]
    joints: list[tuple[int, float]]
    segments: list[tuple[float, int]]


def _segment_shifts(ts: np.ndarray, fs: float, window: int) -> np.ndarray:
    """Missing samples before each sample of one segment (0 for the first).

    The baseline ``o_k = t_k - k/fs`` is flat for a regular stream, dips inside chunks that
    share a time stamp and bumps up for late-arriving samples, but rises *for good* after lost
    samples. Its forward minimum over ``window`` samples ignores late arrivals; a rise of that
    minimum by more than half a period is a gap of ``round(rise * fs)`` samples.

    In the last ``window`` samples the minimum sees fewer samples, so lateness there cannot be
    told from a gap; a rise there counts only when it exceeds the largest lateness seen in the
    rest of the segment.
    """
    n = ts.size
    k = np.arange(n)
    o = ts - k / fs
    env = pd.Series(o[::-1]).rolling(window, min_periods=1).min().to_numpy()[::-1]
    missing = np.zeros(n, dtype=np.int64)
    if n > 1:
        body = n - window + 1  # samples whose forward window is complete
        jitter = float(np.max(o[:body] - env[:body])) * fs if body > 0 else 0.0
        threshold = np.where(k[1:] < body, 0.5, 0.5 + jitter)
        rise = np.diff(env) * fs
        missing[1:] = np.where(rise > threshold, np.rint(rise), 0).astype(np.int64)
    return missing


def place_samples(timestamps: Any, fs: float, *, max_gap_s: float = 60.0, window_s: float = 1.0) -> Placement:
    """Place time-stamped samples on a regular grid at ``fs``, finding gaps and clock jumps.

    Parameters
    ----------
    timestamps : array-like of float
        Time stamps, s, in recording order.
    fs : float
        Sampling rate, Hz.
    max_gap_s : float, default 60.0
        Longest gap that is filled; a longer jump is a joint (not filled).
    window_s : float, default 1.0
        How long, s, late-arriving samples may take to catch up before their delay counts
        as a gap (pyxdf's ``jitter_break_threshold_seconds`` has the same default).

    Returns
    -------
    Placement
    """
    ts = np.asarray(timestamps, dtype=np.float64).ravel()
    if ts.size == 0:
        return Placement(np.zeros(0, dtype=np.int64), 0, [], [], [])
    window = max(1, int(round(window_s * fs)))
    step = np.diff(ts)
    cut = np.flatnonzero((step > max_gap_s) | (step < -window_s)) + 1
    bounds = [0, *cut.tolist(), ts.size]
    index = np.empty(ts.size, dtype=np.int64)
    gaps: list[tuple[int, int]] = []
    joints: list[tuple[int, float]] = []
    segments: list[tuple[float, int]] = []
    offset = 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        seg = ts[a:b]
        missing = _segment_shifts(seg, fs, window)
        big = missing * (1.0 / fs) > max_gap_s  # a jump beyond max_gap_s hidden by a slow catch-up
        missing[big] = 0
        pos = offset + np.arange(seg.size) + np.cumsum(missing)
        index[a:b] = pos
        for i in np.flatnonzero(missing):
            gaps.append((int(pos[i] - missing[i]), int(missing[i])))
        if a > 0:
            joints.append((offset, float(ts[a] - ts[a - 1] - 1.0 / fs)))
        segments.append((float(seg[0]), offset))
        offset = int(pos[-1]) + 1
    return Placement(index, offset, gaps, joints, segments)


# --- chunk structure ------------------------------------------------------------------------------------
@dataclass
class _Chunk:
    tag: int
    start: int
    end: int
    stream_id: int | None


def _read_varlen(data: bytes, pos: int) -> tuple[int, int] | None:
    """``(value, next position)`` of a variable-length integer, or None when impossible."""
    if pos >= len(data):
        return None
    nb = data[pos]
    if nb not in (1, 4, 8) or pos + 1 + nb > len(data):
        return None
    return int.from_bytes(data[pos + 1:pos + 1 + nb], "little"), pos + 1 + nb


def _scan_chunks(data: bytes) -> tuple[list[_Chunk], str | None, int]:
    """The whole chunks of an XDF file, the structural problem that stopped the scan, and where."""
    chunks: list[_Chunk] = []
    pos = len(_MAGIC)
    while pos < len(data):
        where = f"chunk {len(chunks)} (byte {pos})"
        nb = data[pos]
        if nb not in (1, 4, 8):
            return chunks, f"{where}: the length field must have 1, 4 or 8 bytes, got {nb}", pos
        head = _read_varlen(data, pos)
        if head is None:
            return chunks, f"{where}: the file ends inside the chunk's length field", pos
        length, body = head
        if length < 2:
            return chunks, f"{where}: chunk length {length} is too short for a tag", pos
        if body + length > len(data):
            return chunks, f"{where}: the chunk needs {length} bytes but the file ends after {len(data) - body} (truncated)", pos
        tag = struct.unpack("<H", data[body:body + 2])[0]
        if tag not in _TAGS:
            return chunks, f"{where}: unknown chunk tag {tag} (XDF tags are 1-6)", pos
        sid = None
        if tag in (2, 3, 4, 6):
            if length < 6:
                return chunks, f"{where}: a {_TAGS[tag]} chunk of {length} bytes has no stream id", pos
            sid = struct.unpack("<I", data[body + 2:body + 6])[0]
        chunks.append(_Chunk(tag, pos, body + length, sid))
        pos = body + length
    return chunks, None, pos


def _header_fields(xml: bytes) -> dict[str, str]:
    root = ET.fromstring(xml.decode("utf-8", "replace"))
    return {child.tag: (child.text or "").strip() for child in root}


def _samples_fit(data: bytes, c: _Chunk, fmt: str, n_channels: int) -> bool:
    """Whether a Samples chunk's size is possible for its stream's format."""
    body = c.start + 1 + data[c.start] + 2 + 4  # after length, tag and stream id
    head = _read_varlen(data, body)
    if head is None:
        return False
    n, pos = head
    if fmt != "string":
        rest = c.end - pos - n * (1 + _VALUE_BYTES[fmt] * n_channels)
        return rest >= 0 and rest % 8 == 0 and rest // 8 <= n
    for _ in range(n):  # marker streams are small: walk them
        if pos >= c.end:
            return False
        flag = data[pos]
        if flag not in (0, 8):
            return False
        pos += 1 + flag
        for _ in range(n_channels):
            item = _read_varlen(data, pos)
            if item is None:
                return False
            pos = item[1] + item[0]
    return pos == c.end


def _clean(data: bytes, log: RepairLog) -> bytes:
    """The bytes pyxdf may safely read: whole, well-formed chunks only (repairs logged)."""
    chunks, problem, stop = _scan_chunks(data)
    if problem is not None:
        log.repair(f"chunk {len(chunks)}", problem, f"read the {len(chunks)} whole chunks before byte {stop}")
    streams: dict[int, tuple[str, int]] = {}
    keep: list[_Chunk] = []
    dropped_streams: set[int] = set()
    for i, c in enumerate(chunks):
        body = c.start + 1 + data[c.start] + 2
        if c.tag in (3, 4, 6) and c.stream_id not in streams:
            if c.stream_id not in dropped_streams:
                log.repair(f"chunk {i} {_TAGS[c.tag]}", f"belongs to stream {c.stream_id}, which has no header before it",
                           "skipped the chunk")
            continue
        if c.tag in (1, 6):
            try:  # pyxdf parses these bytes as they are
                root = ET.fromstring(data[body + (4 if c.tag == 6 else 0):c.end])
                if c.tag == 6:  # pyxdf uses these numbers when it checks clock offsets
                    for key, kind in (("sample_count", int), ("first_timestamp", float), ("last_timestamp", float)):
                        text = root.findtext(key)
                        if text is not None:
                            kind(text)
            except (ET.ParseError, ValueError) as exc:
                log.repair(f"chunk {i} {_TAGS[c.tag]}", f"is not well-formed ({exc})", "skipped the chunk")
                continue
        elif c.tag == 2:
            try:
                fields = _header_fields(data[body + 4:c.end])
                fmt = fields.get("channel_format", "")
                n_ch = int(fields.get("channel_count", ""))
                rate = float(fields.get("nominal_srate", ""))
                if fmt not in _VALUE_BYTES and fmt != "string" or n_ch < 1 or not math.isfinite(rate) or rate < 0:
                    raise ValueError(f"channel_format {fmt!r}, channel_count {n_ch}, nominal_srate {rate}")
            except (ET.ParseError, ValueError) as exc:
                log.repair(f"chunk {i} StreamHeader (stream {c.stream_id})", f"unusable stream header ({exc})",
                           "skipped this stream")
                dropped_streams.add(c.stream_id)
                continue
            streams[c.stream_id] = (fmt, n_ch)
        elif c.tag == 3 and not _samples_fit(data, c, *streams[c.stream_id]):
            log.repair(f"chunk {i} Samples (stream {c.stream_id})", "its size does not fit the stream's channel format",
                       "skipped the chunk (its samples show as a BAD_gap)")
            continue
        elif c.tag == 4 and c.end - body != 4 + 16:
            log.repair(f"chunk {i} ClockOffset", f"holds {c.end - body - 4} bytes instead of 16", "skipped the chunk")
            continue
        keep.append(c)
    if not streams:
        raise FileFormatError(log.file, "StreamHeader", "the file holds no usable stream header")
    if len(keep) == len(chunks) and problem is None:
        return data
    return _MAGIC + b"".join(data[c.start:c.end] for c in keep)


def _decompress(raw: bytes, log: RepairLog) -> bytes:
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = d.decompress(raw)
        except zlib.error as exc:
            raise FileFormatError(log.file, "gzip", f"the compressed file is damaged ({exc})") from exc
        log.repair("gzip", "the compressed stream ends early (truncated .xdfz)", "read what could be decompressed")
        return out


# --- pyxdf ------------------------------------------------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _bytes_as_path(data: bytes):
    with tempfile.TemporaryDirectory(prefix="myograph-xdf-") as tmp:
        path = Path(tmp) / "recording.xdf"
        path.write_bytes(data)
        yield path


def _load(data: bytes, log: RepairLog, *, synchronize_clocks: bool, dejitter: bool) -> tuple[list[dict], dict]:
    import pyxdf

    handler = _Collect()
    pyxdf_logger = logging.getLogger("pyxdf")
    pyxdf_logger.addHandler(handler)
    propagate, pyxdf_logger.propagate = pyxdf_logger.propagate, False  # reported below, once
    try:
        with _bytes_as_path(data) as path:
            streams, header = pyxdf.load_xdf(str(path), synchronize_clocks=synchronize_clocks,
                                             dejitter_timestamps=dejitter, handle_clock_resets=True)
    finally:
        pyxdf_logger.removeHandler(handler)
        pyxdf_logger.propagate = propagate
    for rec in handler.records:
        message = rec.getMessage()
        if rec.levelno >= logging.ERROR:
            log.repair("pyxdf", message, "pyxdf skipped ahead to the next readable chunk")
        else:
            logger.info("%s: pyxdf: %s", log.file, message)
    return streams, header or {}


# --- streams to recordings ----------------------------------------------------------------------------------
def _first(info: dict, key: str, default: str = "") -> str:
    value = info.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    return default if value is None or isinstance(value, (dict, list)) else str(value).strip()


def _desc_channels(info: dict) -> list[dict[str, str]]:
    try:
        desc = info["desc"][0]
        rows = desc["channels"][0]["channel"]
    except (KeyError, IndexError, TypeError):
        return []
    return [{k: _first(row, k) for k in ("label", "type", "unit")} for row in rows if isinstance(row, dict)]


def _is_markers(info: dict) -> bool:
    fmt = _first(info, "channel_format")
    rate = float(_first(info, "nominal_srate", "0") or 0)
    return fmt == "string" or (_first(info, "type").lower() in _MARKER_TYPES and rate == 0)


def _marker_list(stream: dict) -> list[tuple[float, str]]:
    out = []
    ts = np.asarray(stream["time_stamps"], dtype=float)
    values = stream["time_series"]
    for t, row in zip(ts, values):
        if not math.isfinite(t):
            continue
        cells = [v if isinstance(v, str) else f"{float(v):g}" for v in np.atleast_1d(np.asarray(row, dtype=object))]
        out.append((float(t), " | ".join(cells)))
    return out


def _channel_type(label: str, declared: str, stream_type: str) -> str:
    for candidate in (declared.upper(), stream_type.upper()):
        if candidate in CHANNEL_TYPES:
            return candidate
    return guess_type(label, "MISC")


def _channels(stream: dict, n: int, units: Any, log: RepairLog, where: str) -> list[Channel]:
    info = stream["info"]
    stype = _first(info, "type")
    desc = _desc_channels(info)
    given = [units] * n if units is None or isinstance(units, str) else list(units)
    if len(given) != n:
        raise ParameterError("units", f"need one unit per channel ({n}) of stream {_first(info, 'name')!r}, got {len(given)}")
    names: list[str] = []
    out: list[Channel] = []
    unstated: list[str] = []
    prefix = stype if stype and stype.isidentifier() else "ch"
    for i in range(n):
        row = desc[i] if i < len(desc) else {}
        label = row.get("label") or f"{prefix}{i + 1}"
        if label in names:
            k = 2
            while f"{label}#{k}" in names:
                k += 1
            label = f"{label}#{k}"
        names.append(label)
        kind = _channel_type(label, row.get("type", ""), stype)
        stated = normalize_unit(row.get("unit", ""))
        if given[i] is not None:
            wanted = normalize_unit(given[i])
            if stated and stated != wanted:
                raise ParameterError("units", f"stream {_first(info, 'name')!r} channel {label!r} states unit {stated!r}; units= says {given[i]!r}")
            unit = wanted
        elif stated:
            unit = stated
        elif kind in _VOLTAGE_TYPES:
            unit = "a.u."
            unstated.append(label)
        else:
            unit = ""
        out.append(Channel(label, type=kind, units=unit))
    if unstated:
        log.repair(f"{where} desc/channels/channel/unit", f"no unit stated for {len(unstated)} {out[0].type} channel(s)",
                   "kept the values as they are with units 'a.u.'; pass units='uV' (or 'mV', 'V') to state it")
    if len(desc) not in (0, n):
        logger.info("%s: %s describes %d channels for %d", log.file, where, len(desc), n)
    return out


def _rate(stream: dict, log: RepairLog, where: str) -> float:
    info = stream["info"]
    nominal = float(_first(info, "nominal_srate", "0") or 0)
    if math.isfinite(nominal) and nominal > 0:
        return nominal
    ts = np.asarray(stream["time_stamps"], dtype=float)
    steps = np.diff(ts)
    steps = steps[steps > 0]
    if steps.size == 0:
        raise FileFormatError(log.file, f"{where} nominal_srate", "is 0 (irregular) and the time stamps do not advance, so no rate can be estimated")
    fs = float(1.0 / np.median(steps))
    log.repair(f"{where} nominal_srate", "is 0 (an irregularly sampled numeric stream)",
               f"used fs = {fs:.6g} Hz from the median time-stamp step; samples placed on that grid with gaps marked")
    return fs


def _gap_annotations(p: Placement, fs: float, log: RepairLog, where: str) -> Annotations:
    on = [start / fs for start, _ in p.gaps] + [pos / fs for pos, _ in p.joints]
    du = [n / fs for _, n in p.gaps] + [0.0] * len(p.joints)
    if p.gaps:
        total = sum(n for _, n in p.gaps) / fs
        longest = max(p.gaps, key=lambda g: g[1])
        log.repair(f"{where} time_stamps",
                   f"{len(p.gaps)} gap(s) in the time stamps, {total:.6g} s in all (longest {longest[1] / fs:.6g} s at {longest[0] / fs:.6g} s)",
                   "filled the missing samples with NaN and annotated them 'BAD_gap'")
    for pos, skipped in p.joints:
        what = f"the clock jumps forward by {skipped:.6g} s" if skipped > 0 else f"the clock goes back by {-skipped:.6g} s (clock reset)"
        log.repair(f"{where} time_stamps", f"{what} at {pos / fs:.6g} s",
                   "joined the samples without filling; a zero-length 'BAD_gap' marks the joint")
    return Annotations(on, du, ["BAD_gap"] * len(on))


def _marker_annotations(markers: list[tuple[float, str]], p: Placement, fs: float, n_grid: int) -> tuple[Annotations, int]:
    on: list[float] = []
    lab: list[str] = []
    bounds = [*(g for _, g in p.segments[1:]), n_grid]
    for t, label in markers:
        for (t0, g0), g1 in zip(p.segments, bounds):
            onset = t - t0 + g0 / fs
            if g0 / fs - 1e-9 <= onset < g1 / fs:
                on.append(onset)
                lab.append(label)
                break
    return Annotations(on, None, lab), len(markers) - len(on)


def _recording(stream: dict, markers: list[tuple[float, str]], log: RepairLog, src: Input, header: dict,
               options: dict) -> Recording | None:
    info = stream["info"]
    sid = info.get("stream_id")
    name = _first(info, "name")
    where = f"stream {sid} ({name!r})"
    ts = np.asarray(stream["time_stamps"], dtype=float)
    if ts.size == 0:
        logger.info("%s: %s holds no samples", log.file, where)
        return None
    values = np.asarray(stream["time_series"], dtype=np.float64)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    finite = np.isfinite(ts)
    if not finite.all():
        log.repair(f"{where} time_stamps", f"{int((~finite).sum())} time stamp(s) are not finite numbers", "dropped those samples")
        ts, values = ts[finite], values[finite]
        if ts.size == 0:
            return None
    n_ch = values.shape[1]
    channels = _channels(stream, n_ch, options["units"], log, where)
    fs = _rate(stream, log, where)
    p = place_samples(ts, fs, max_gap_s=options["max_gap_s"])
    data = np.full((n_ch, p.n_grid), np.nan)
    data[:, p.index] = values.T
    ann, outside = _marker_annotations(markers, p, fs, p.n_grid)
    ann = ann + _gap_annotations(p, fs, log, where)
    notes = [
        f"lsl_stream_name={name}", f"lsl_stream_type={_first(info, 'type')}", f"lsl_stream_id={sid}",
        f"lsl_first_timestamp={float(ts[0])!r}", f"lsl_source_id={_first(info, 'source_id')}",
        f"lsl_hostname={_first(info, 'hostname')}", f"lsl_nominal_srate={_first(info, 'nominal_srate')}",
        f"lsl_effective_srate={float(info.get('effective_srate') or 0.0):.6g}", f"lsl_clock_offsets={len(stream.get('clock_values', []))}",
        f"lsl_synchronize_clocks={options['synchronize_clocks']}", f"lsl_dejitter={options['dejitter']}",
    ]
    file_time = _first(header.get("info", {}), "datetime")
    if file_time:
        notes.append(f"xdf_datetime={file_time}")
    meta = Metadata(device=Device(model=name), source_file=src.name, source_format="xdf", notes=tuple(notes))
    prov = log.provenance("xdf", stream_id=sid, stream_name=name, synchronize_clocks=options["synchronize_clocks"],
                          dejitter=options["dejitter"], fs_source="nominal_srate" if float(_first(info, "nominal_srate", "0") or 0) > 0 else "median time-stamp step",
                          lsl_first_timestamp=float(ts[0]), n_gaps=len(p.gaps), n_joints=len(p.joints), markers_outside=outside)
    return Recording(data, fs, channels=channels, annotations=ann, metadata=meta, provenance=prov)


def sniff(head: bytes, src: Input) -> bool:
    """True for ``XDF:`` at the start, or gzip bytes in a file named ``.xdfz``/``.xdf.gz``."""
    if head.startswith(_MAGIC):
        return True
    return head.startswith(_GZIP) and (src.suffix == ".xdfz" or src.name.lower().endswith(".xdf.gz"))


def read_all(src: Input, *, log: RepairLog, fs: float | None = None, dejitter: bool = False,
             synchronize_clocks: bool = True, units: str | Sequence[str] | None = None,
             max_gap_s: float = 60.0, **options: Any) -> list[Recording]:
    """Read an XDF file: one Recording per numeric stream, marker streams as annotations.

    Parameters
    ----------
    src : Input
    log : RepairLog
    fs : None
        XDF streams state their own rates; passing ``fs`` raises :class:`ParameterError`.
    dejitter : bool, default False
        Let pyxdf replace the recorded time stamps by a linear fit per segment.
    synchronize_clocks : bool, default True
        Apply the ClockOffset chunks (pyxdf), putting all streams on the recording computer's clock.
    units : str or sequence of str, optional
        Unit of channels whose unit the file does not state (``"uV"``, ``"mV"``, ``"V"``, ...).
    max_gap_s : float, default 60.0
        Longest gap filled with NaN; longer jumps are joints (see the module docstring).

    Returns
    -------
    list of Recording
        In the order of the streams in the file.
    """
    if fs is not None:
        raise ParameterError("fs", f"XDF streams state their own sampling rates; do not pass fs (got {fs!r})")
    if options:
        raise ParameterError(next(iter(options)), f"unknown option for XDF files; known: {', '.join(_OPTIONS)}")
    if not (isinstance(max_gap_s, (int, float)) and max_gap_s > 0):
        raise ParameterError("max_gap_s", f"must be a positive number of seconds, got {max_gap_s!r}")
    raw = src.read_bytes()
    if raw.startswith(_GZIP):
        raw = _decompress(raw, log)
    if not raw.startswith(_MAGIC):
        raise FileFormatError(src.name, "magic", f"an XDF file starts with b'XDF:', got {raw[:4]!r}")
    streams, header = _load(_clean(raw, log), log, synchronize_clocks=synchronize_clocks, dejitter=dejitter)
    opts = {"dejitter": dejitter, "synchronize_clocks": synchronize_clocks, "units": units, "max_gap_s": float(max_gap_s)}
    markers = sorted(m for s in streams if _is_markers(s["info"]) for m in _marker_list(s))
    out = []
    for stream in streams:
        if _is_markers(stream["info"]):
            continue
        rec = _recording(stream, markers, log, src, header, opts)
        if rec is not None:
            out.append(rec)
    if not out:
        kinds = [f"{_first(s['info'], 'name')!r} ({'markers' if _is_markers(s['info']) else 'no samples'})" for s in streams]
        raise FileFormatError(src.name, "streams", f"no numeric stream with samples; streams: {', '.join(kinds) or 'none'}")
    return out


register(Format("xdf", "XDF (Lab Streaming Layer recording)", (".xdf", ".xdfz"), read_all=read_all, sniff=sniff))
