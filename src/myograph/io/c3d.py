"""C3D motion-capture files with analog EMG, read with ezc3d.

A C3D file holds two clocks: 3-D points (markers and model outputs) at the
point rate, and analog channels (EMG, force plates, accelerometers) at a
multiple of it. :func:`read_all` returns one Recording per rate, the analog
one first; :func:`myograph.read` picks the analog one (it holds the EMG).

Decisions, stated once:

* **Analog channels** keep the file's rate and units (``ANALOG:UNITS``);
  voltages are stored in volts, ``Nmm`` becomes N·m (both through
  :mod:`myograph.core.units`); other units (``N``, ``mm/s²``, blank) are kept.
* **Channel types** — force-plate channels (listed in ``FORCE_PLATFORM:CHANNEL``
  or labelled ``Fx``..``Mz``) are ``FORCE``, moments ``TORQUE``; labels with
  ``EMG`` are ``EMG`` (``"Delt_ant.EMG1"`` → muscle ``"Delt_ant"``;
  ``"Sensor 3.EMG3"`` → no muscle); a channel in mV or µV that is nothing else
  is ``EMG`` too (BTS labels such as ``"Left Rectus femoris"`` → side ``L``,
  muscle ``"Rectus femoris"``); then :func:`~myograph.core.channels.guess_type`.
* **All-zero analog channels** (unused inputs) are loaded with status ``bad``
  and reason ``"all samples zero"``; one repair warning lists them.
* **Points** become channels ``<label>_x/_y/_z``. Markers (and
  ``POINT:MODELED_MARKERS``) are type ``POS`` **converted to metres**; Vicon
  model outputs named in ``POINT:ANGLES/FORCES/MOMENTS/POWERS`` are ``ANGLE``
  (deg), ``FORCE``, ``TORQUE`` and ``MISC`` (W) in their ``POINT:*_UNITS``.
  ``group`` is the point's label. A marker that was not seen in a frame is
  NaN there (ezc3d's convention for a negative residual); a point never seen
  has status ``bad``.
* **Events** (``EVENT:LABELS/CONTEXTS/TIMES``) become instant annotations
  labelled ``"<context> <label>"`` (``"Left Foot Strike"``), or the label
  alone without a context (``"LHS"``). Event times count from the start of the
  capture (frame 1 at 0 s, ``TIMES`` row 0 minutes + row 1 seconds); the file
  itself may start at a later frame, so onsets are shifted by
  ``(first_frame - 1) / point_rate``. Checked against the force plates of
  kineticstoolkit's ``walk.c3d`` (frames 153-373 at 100 Hz): the foot strikes
  and foot offs on plates 2 and 4 fall within 1 ms of the vertical force
  crossing 10 N. Events outside the trial are
  dropped (counted in the ``read`` step).
* **Damaged files**: ezc3d can crash the interpreter on a damaged parameter
  section, so the header and the parameter section are checked here first
  and any inconsistency raises :class:`~myograph.FileFormatError` naming the
  field. A file that ends inside the data section is read up to the last
  complete frame, with a repair warning (strict mode refuses it).
"""

from __future__ import annotations

import logging
import math
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, guess_type
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.metadata import Device, Metadata, Subject
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import normalize_unit, is_voltage
from myograph.io._input import Input
from myograph.io.registry import Format, register

__all__ = ["read_all", "sniff", "check_structure"]

logger = logging.getLogger(__name__)

_BLOCK = 512
_KEY = 0x50
_PROCESSORS = {84: "Intel", 85: "DEC", 86: "MIPS"}
_DATA_TYPES = {-1: 1, 1: 1, 2: 2, 4: 4}
#: a C3D parameter section is at most 255 blocks
_MAX_PARAM_BLOCKS = 255
_FORCE_LABEL = re.compile(r"(?:^|[^A-Za-z])([FM])[XYZ](?=[^A-Za-z]|$)", re.IGNORECASE)
_SIDE = re.compile(r"^(left|right|l|r)[\s_.-]+(.+)$", re.IGNORECASE)
_SENSOR = re.compile(r"^sensor\s*\d+$", re.IGNORECASE)
_POINT_LENGTH_TO_M = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}
_POINT_KINDS = (  # POINT parameter listing the labels, its units parameter, channel type
    ("ANGLES", "ANGLE_UNITS", "ANGLE"),
    ("FORCES", "FORCE_UNITS", "FORCE"),
    ("MOMENTS", "MOMENT_UNITS", "TORQUE"),
    ("POWERS", "POWER_UNITS", "MISC"),
    ("MODELED_MARKERS", "MODELED_MARKER_UNITS", "POS"),
)


# --- structure checks (before ezc3d sees the bytes) -------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Where things are in a C3D file that passed :func:`check_structure`."""

    processor: str
    param_start: int
    param_end: int
    data_start: int
    n_frames: int
    params: dict[str, dict[str, tuple[int, tuple[int, ...], bytes]]]


def sniff(head: bytes, src: Input) -> bool:
    """True when ``head`` starts like a C3D file.

    Byte 1 is ``0x50``. For a file named ``.c3d`` that is enough (the reader
    then names whatever else is wrong); otherwise byte 0 must point to a
    parameter section (block >= 2) whose processor byte (84, 85 or 86) is
    inside ``head`` and valid.
    """
    if len(head) < 2 or head[1] != _KEY:
        return False
    if src.suffix == ".c3d":
        return True
    if head[0] < 2:
        return False
    start = (head[0] - 1) * _BLOCK
    if len(head) >= start + 4:
        return head[start + 3] in _PROCESSORS
    return False


def _int(raw: bytes, big: bool, signed: bool = True) -> int:
    return int.from_bytes(raw, "big" if big else "little", signed=signed)


def _walk_parameters(buf: bytes, start: int, end: int, big: bool, file: str) -> Iterator[tuple[int, str, int, tuple[int, ...], bytes]]:
    """Yield ``(group_id, name, data_type, dims, data)`` for each parameter; groups have data_type 0.

    Every length and offset is checked against the parameter section's bounds.
    """
    pos = start + 4
    index = 0
    while True:
        where = f"parameter section entry {index} (byte {pos})"
        if pos >= end:
            return  # ran to the end of the declared section without a terminator: tolerated
        n_chars = struct.unpack("b", buf[pos:pos + 1])[0]
        if n_chars == 0:
            return
        if pos + 2 > end:
            raise FileFormatError(file, where, "entry header runs past the parameter section")
        gid = struct.unpack("b", buf[pos + 1:pos + 2])[0]
        if gid == 0:
            raise FileFormatError(file, where, "group id 0 is not allowed (groups are negative, parameters positive)")
        name_end = pos + 2 + abs(n_chars)
        if name_end + 2 > end:
            raise FileFormatError(file, where, "name runs past the parameter section")
        name = buf[pos + 2:name_end].decode("latin-1").strip().upper()
        offset_pos = name_end
        offset = _int(buf[offset_pos:offset_pos + 2], big, signed=False)
        cursor = offset_pos + 2
        if gid < 0:
            dtype, dims, data = 0, (), b""
        else:
            if cursor + 2 > end:
                raise FileFormatError(file, f"{where} {name!r}", "type and dimensions run past the parameter section")
            dtype = struct.unpack("b", buf[cursor:cursor + 1])[0]
            if dtype not in _DATA_TYPES:
                raise FileFormatError(file, f"{where} {name!r}.type", f"data type must be -1, 1, 2 or 4, got {dtype}")
            n_dims = buf[cursor + 1]
            if n_dims > 7:
                raise FileFormatError(file, f"{where} {name!r}.dimensions", f"at most 7 dimensions, got {n_dims}")
            cursor += 2
            if cursor + n_dims > end:
                raise FileFormatError(file, f"{where} {name!r}.dimensions", "run past the parameter section")
            dims = tuple(buf[cursor:cursor + n_dims])
            cursor += n_dims
            size = _DATA_TYPES[dtype] * math.prod(dims)
            if cursor + size > end:
                raise FileFormatError(file, f"{where} {name!r}.data", f"{size} bytes of data run past the parameter section (ends at byte {end})")
            data = buf[cursor:cursor + size]
            cursor += size
        if cursor + 1 > end:
            raise FileFormatError(file, f"{where} {name!r}.description", "runs past the parameter section")
        cursor += 1 + buf[cursor]
        if cursor > end:
            raise FileFormatError(file, f"{where} {name!r}.description", "runs past the parameter section")
        yield gid, name, dtype, dims, data
        if offset == 0:
            return
        nxt = offset_pos + offset
        if nxt != cursor:  # ezc3d requires each entry to end where the next begins
            raise FileFormatError(file, f"{where} {name!r}.offset", f"points to byte {nxt} but the entry ends at byte {cursor}")
        pos = nxt
        index += 1


def _collect(entries, file: str) -> dict[str, dict[str, tuple[int, tuple[int, ...], bytes]]]:
    groups: dict[int, str] = {}
    pending: list[tuple[int, str, int, tuple[int, ...], bytes]] = []
    for gid, name, dtype, dims, data in entries:
        if gid < 0:
            groups[-gid] = name
        else:
            pending.append((gid, name, dtype, dims, data))
    out: dict[str, dict[str, tuple[int, tuple[int, ...], bytes]]] = {name: {} for name in groups.values()}
    for gid, name, dtype, dims, data in pending:
        if gid not in groups:
            raise FileFormatError(file, f"parameter {name!r}", f"belongs to group id {gid}, which the parameter section never defines")
        out[groups[gid]][name] = (dtype, dims, data)
    return out


def _number(params, group: str, name: str, big: bool, dec: bool) -> float | None:
    """First value of a numeric parameter, or None when absent."""
    entry = params.get(group, {}).get(name)
    if entry is None or not entry[2]:
        return None
    dtype, _dims, data = entry
    if dtype == 1:
        return float(data[0])
    if dtype == 2:
        return float(_int(data[:2], big))
    if dtype == 4:
        raw = data[:4]
        if dec:  # VAX F-float: swap the 16-bit words, then divide by 4
            return struct.unpack("<f", raw[2:4] + raw[0:2])[0] / 4.0
        return struct.unpack(">f" if big else "<f", raw)[0]
    return None


#: parameters that ezc3d reads as ``values[0]``: present ones must hold a value
_FIRST_VALUE_READ = (("POINT", "USED"), ("POINT", "RATE"), ("POINT", "FRAMES"), ("POINT", "SCALE"),
                     ("ANALOG", "USED"), ("ANALOG", "RATE"), ("ANALOG", "GEN_SCALE"))


def _count(params, group: str, name: str) -> int:
    """Number of values of ``name`` plus its continuations ``name2``, ``name3`` ... (0 when absent)."""
    total = 0
    for suffix in ("", *(str(i) for i in range(2, 100))):
        entry = params.get(group, {}).get(name + suffix)
        if entry is None:
            if suffix:
                break
            continue
        dims = entry[1]
        total += math.prod(dims[1:]) if entry[0] == -1 and dims else math.prod(dims)
    return total


def _check_values(params, big: bool, dec: bool, file: str) -> None:
    for group, name in _FIRST_VALUE_READ:
        entry = params.get(group, {}).get(name)
        if entry is not None:
            if entry[0] == -1 or not entry[2]:
                raise FileFormatError(file, f"{group}:{name}", "must hold a number, got an empty or text parameter")
            value = _number(params, group, name, big, dec)
            if value is None or not math.isfinite(value):
                raise FileFormatError(file, f"{group}:{name}", f"must be a finite number, got {value}")
    for group, name in (("POINT", "USED"), ("ANALOG", "USED")):
        value = _number(params, group, name, big, dec)
        if value is not None and value < 0:
            raise FileFormatError(file, f"{group}:{name}", f"must be >= 0, got {value:g}")


def _check_per_channel(params, n_analog: int, big: bool, file: str) -> None:
    """ezc3d indexes ANALOG:SCALE and ANALOG:OFFSET by channel without bounds checks."""
    if "SHADOW" in params:
        return  # ezc3d fills defaults for this vendor
    for name in ("SCALE", "OFFSET"):
        have = _count(params, "ANALOG", name)
        if have < n_analog:
            raise FileFormatError(file, f"ANALOG:{name}", f"needs one value per analog channel ({n_analog}), has {have}")


def _check_frame_count(buf: bytes, params, big: bool, dec: bool, file: str, file_size: int,
                       n_points: int, n_analog: int, ratio: int) -> int:
    """The number of frames the file announces; refuse counts far beyond what the file can hold."""
    first = _int(buf[6:8], big, signed=False)
    last = _int(buf[8:10], big, signed=False)
    frames_param = _number(params, "POINT", "FRAMES", big, dec) or 0.0
    if frames_param > 0:
        claimed = frames_param
    else:
        if last + 1 < first:
            raise FileFormatError(file, "header.last_frame", f"last frame {last} comes before first frame {first}")
        claimed = last - first + 1
    if ratio > 10_000:
        raise FileFormatError(file, "ANALOG:RATE", f"{ratio} analog samples per point frame is not plausible")
    scale = _number(params, "POINT", "SCALE", big, dec)
    word = 4 if scale is None or scale < 0 else 2
    frame_bytes = 4 * word * n_points + word * n_analog * max(ratio, 1)
    available = file_size // frame_bytes if frame_bytes else 0
    if claimed > 1_000_000 and claimed > 10 * available:
        raise FileFormatError(file, "POINT:FRAMES", f"claims {claimed:g} frames but the file can hold at most {available}")
    return int(claimed)


def check_structure(buf: bytes, file: str, file_size: int) -> _Layout:
    """Check the header and parameter section of a C3D file before ezc3d reads it.

    Parameters
    ----------
    buf : bytes
        The file's first bytes, at least through the parameter section.
    file : str
        Name for messages.
    file_size : int
        The file's total size in bytes.

    Raises
    ------
    FileFormatError
        Naming the header word or parameter entry that is inconsistent.
    """
    if file_size < _BLOCK:
        raise FileFormatError(file, "header", f"file is {file_size} bytes; a C3D header alone is {_BLOCK} bytes")
    if buf[1] != _KEY:
        raise FileFormatError(file, "header.key", f"byte 2 must be 0x50, got 0x{buf[1]:02x}")
    if buf[0] < 2:
        raise FileFormatError(file, "header.parameter_block", f"the parameter section must start at block 2 or later, got {buf[0]}")
    start = (buf[0] - 1) * _BLOCK
    if file_size < start + 4:
        raise FileFormatError(file, "parameter section", f"starts at byte {start} but the file ends at byte {file_size}")
    proc = buf[start + 3]
    if proc not in _PROCESSORS:
        raise FileFormatError(file, "parameter.processor_type", f"must be 84 (Intel), 85 (DEC) or 86 (MIPS), got {proc}")
    n_blocks = buf[start + 2]
    if n_blocks < 1:
        raise FileFormatError(file, "parameter.n_blocks", "the parameter section declares 0 blocks")
    end = min(start + n_blocks * _BLOCK, file_size, len(buf))
    big = proc == 86
    dec = proc == 85
    params = _collect(_walk_parameters(buf, start, end, big, file), file)
    for group in ("POINT", "ANALOG"):
        if group not in params:
            raise FileFormatError(file, group, f"the parameter section has no {group} group")
    _check_values(params, big, dec, file)
    point_used = _number(params, "POINT", "USED", big, dec)
    analog_used = _number(params, "ANALOG", "USED", big, dec)
    if point_used is None or analog_used is None:
        raise FileFormatError(file, "POINT:USED/ANALOG:USED", "the parameter section does not say how many points and analog channels there are")
    point_rate = _number(params, "POINT", "RATE", big, dec)
    if point_rate is None:
        hdr_rate = buf[20:24]
        point_rate = struct.unpack(">f" if big else "<f", hdr_rate)[0] if not dec else None
    if (point_used > 0 or analog_used > 0) and (point_rate is None or not math.isfinite(point_rate) or point_rate <= 0):
        raise FileFormatError(file, "POINT:RATE", f"must be a positive number of frames per second, got {point_rate}")
    analog_rate = _number(params, "ANALOG", "RATE", big, dec)
    if analog_used > 0 and (analog_rate is None or not math.isfinite(analog_rate) or analog_rate <= 0):
        raise FileFormatError(file, "ANALOG:RATE", f"must be a positive number of samples per second, got {analog_rate}")
    if analog_used > 0 and point_rate and analog_rate and abs(analog_rate / point_rate - round(analog_rate / point_rate)) > 1e-3 * max(1.0, analog_rate / point_rate):
        raise FileFormatError(file, "ANALOG:RATE", f"{analog_rate:g} Hz is not a whole multiple of POINT:RATE {point_rate:g} Hz")
    ratio = round(analog_rate / point_rate) if analog_used > 0 else 0
    if analog_used > 0:
        _check_per_channel(params, int(analog_used), big, file)
    n_frames = _check_frame_count(buf, params, big, dec, file, file_size, int(point_used), int(analog_used), ratio)
    data_block = _number(params, "POINT", "DATA_START", big, dec) or float(_int(buf[16:18], big))
    data_start = (int(data_block) - 1) * _BLOCK if data_block >= 1 else -1
    if data_start < start + _BLOCK:
        raise FileFormatError(file, "POINT:DATA_START", f"the data section must start after the parameter section (block {buf[0] + 1} or later), got block {int(data_block)}")
    if data_start >= file_size:
        raise FileFormatError(file, "data", f"the data section starts at byte {data_start} but the file ends at byte {file_size} (truncated before any frame)")
    return _Layout(_PROCESSORS[proc], start, end, data_start, n_frames, params)


def _read_head(src: Input) -> tuple[bytes, int]:
    size = src.size
    with src.open() as f:
        head = f.read(2)
        n = (head[0] - 1 + _MAX_PARAM_BLOCKS) * _BLOCK + _BLOCK if len(head) == 2 else 0
        f.seek(0)
        return f.read(max(n, _BLOCK)), size


# --- ezc3d access -------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """A clean string from an ezc3d string (non-UTF-8 bytes arrive as surrogates: ``mm/s\\udcb2`` → ``mm/s²``)."""
    s = str(value)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = s.encode("utf-8", "surrogateescape").decode("latin-1")
    return s.strip()


def _param(c3d: Any, group: str, name: str, default: Any = None) -> Any:
    try:
        return c3d["parameters"][group][name]["value"]
    except (KeyError, TypeError):
        return default


def _strings(c3d: Any, group: str, name: str) -> list[str]:
    value = _param(c3d, group, name, [])
    if isinstance(value, str):
        return [_text(value)]
    return [_text(v) for v in list(value)]


def _first_number(c3d: Any, group: str, name: str) -> float | None:
    value = _param(c3d, group, name)
    if value is None:
        return None
    arr = np.asarray(value, dtype=float).ravel()
    return float(arr[0]) if arr.size else None


def _open_ezc3d(path: str, file: str) -> Any:
    import ezc3d

    try:
        return ezc3d.c3d(path, extract_forceplat_data=False)
    except (RuntimeError, OSError, ValueError, IndexError) as exc:
        raise FileFormatError(file, "file", f"ezc3d could not read it: {exc}") from exc


# --- channels -------------------------------------------------------------------------------------
def _unique(names: Sequence[str], prefix: str, log: RepairLog, field: str) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    dups: list[str] = []
    for i, raw in enumerate(names):
        name = raw or f"{prefix}{i + 1}"
        if name in seen:
            dups.append(name)
            k = 2
            while f"{name}#{k}" in seen:
                k += 1
            name = f"{name}#{k}"
        seen.add(name)
        out.append(name)
    if dups:
        log.repair(field, f"labels appear more than once: {sorted(set(dups))}", "numbered the repeats '#2', '#3' ...")
    return out


def _force_plate_rows(c3d: Any, n_analog: int) -> dict[int, int]:
    """Analog index (0-based) → row in its plate's ``FORCE_PLATFORM:CHANNEL`` column."""
    chan = np.asarray(_param(c3d, "FORCE_PLATFORM", "CHANNEL", []), dtype=float)
    if chan.ndim != 2 or chan.size == 0:
        return {}
    out: dict[int, int] = {}
    for row in range(chan.shape[0]):
        for col in range(chan.shape[1]):
            idx = int(chan[row, col]) - 1
            if 0 <= idx < n_analog:
                out[idx] = row
    return out


def _emg_fields(label: str) -> tuple[str, str]:
    """``(muscle, side)`` from an EMG label: ``"Delt_ant.EMG1"``, ``"Left Rectus femoris"``."""
    muscle = ""
    if "." in label:
        prefix = label.split(".", 1)[0].strip()
        if prefix and not _SENSOR.match(prefix):
            muscle = prefix
    elif "EMG" not in label.upper():
        muscle = label.strip()
    side = ""
    m = _SIDE.match(muscle)
    if m:
        side = m.group(1)[0].upper()
        muscle = m.group(2).strip()
    return muscle, side


def _analog_type(label: str, unit: str, fp_row: int | None) -> str:
    """Channel type of one analog channel (see the module docstring for the order of rules)."""
    u = normalize_unit(unit)
    m = _FORCE_LABEL.search(label)
    if fp_row is not None:
        if u in ("N·mm", "N·m"):
            return "TORQUE"
        if u == "N":
            return "FORCE"
        if m:
            return "TORQUE" if m.group(1).upper() == "M" else "FORCE"
        return "TORQUE" if fp_row >= 3 else "FORCE"
    if "EMG" in label.upper():
        return "EMG"
    if m:
        return "TORQUE" if m.group(1).upper() == "M" else "FORCE"
    if "MAG" in label.upper() and guess_type(label) == "MISC":
        return "MAGN"
    kind = guess_type(label)
    if kind != "MISC":
        return kind
    if u in ("mV", "uV"):
        return "EMG"
    return "MISC"


def _analog_channels(c3d: Any, n: int, log: RepairLog) -> list[Channel]:
    labels = _strings(c3d, "ANALOG", "LABELS")[:n]
    labels += [""] * (n - len(labels))
    names = _unique(labels, "Analog", log, "ANALOG:LABELS")
    units = _strings(c3d, "ANALOG", "UNITS")[:n]
    units += [""] * (n - len(units))
    descs = _strings(c3d, "ANALOG", "DESCRIPTIONS")[:n]
    descs += [""] * (n - len(descs))
    fp = _force_plate_rows(c3d, n)
    out = []
    for i in range(n):
        kind = _analog_type(names[i], units[i], fp.get(i))
        muscle, side = _emg_fields(names[i]) if kind == "EMG" else ("", "")
        out.append(Channel(names[i], type=kind, units=normalize_unit(units[i]), muscle=muscle, side=side,
                           description=descs[i]))
    return out


# --- recordings -------------------------------------------------------------------------------------
def _metadata(c3d: Any, src: Input, notes: list[str]) -> Metadata:
    company = _strings(c3d, "MANUFACTURER", "COMPANY")
    software = _strings(c3d, "MANUFACTURER", "SOFTWARE")
    version = _strings(c3d, "MANUFACTURER", "VERSION_LABEL")
    subjects = [s for s in _strings(c3d, "SUBJECTS", "NAMES") if s]
    start = None
    date = np.asarray(_param(c3d, "TRIAL", "DATE", []), dtype=float).ravel()
    time = np.asarray(_param(c3d, "TRIAL", "TIME", []), dtype=float).ravel()
    if date.size >= 3:
        try:
            hms = [int(v) for v in time[:3]] if time.size >= 3 else [0, 0, 0]
            start = datetime(int(date[0]), int(date[1]), int(date[2]), *hms)
        except ValueError:
            start = None
    return Metadata(
        subject=Subject(id=subjects[0] if len(subjects) == 1 else ""),
        device=Device(manufacturer=company[0] if company else "",
                      software=" ".join(s for s in (software[:1] + version[:1]) if s)),
        start_time=start,
        source_file=src.name,
        source_format="c3d",
        notes=tuple(notes),
    )


def _events(c3d: Any, t0: float) -> tuple[list[tuple[float, str]], int]:
    """``[(seconds from the trial's first frame, label)]`` and how many events the file has."""
    labels = _strings(c3d, "EVENT", "LABELS")
    contexts = _strings(c3d, "EVENT", "CONTEXTS")
    times = np.asarray(_param(c3d, "EVENT", "TIMES", np.zeros((2, 0))), dtype=float)
    used = _first_number(c3d, "EVENT", "USED")
    if times.ndim != 2 or times.shape[0] < 2:
        return [], 0
    n = min(len(labels), times.shape[1], int(used) if used is not None else times.shape[1])
    out = []
    for i in range(n):
        seconds = 60.0 * times[0, i] + times[1, i]
        context = contexts[i] if i < len(contexts) else ""
        label = labels[i]
        if context and not label.lower().startswith(context.lower()):
            label = f"{context} {label}"
        out.append((seconds - t0, label or "event"))
    return out, n


def _annotations(events: list[tuple[float, str]], duration: float) -> tuple[Annotations, int]:
    # events are sampled at the analog or point clock: allow half a point frame of rounding at the ends
    keep = [(t, lab) for t, lab in events if -1e-6 <= t <= duration + 1e-6]
    return Annotations([t for t, _ in keep], None, [lab for _, lab in keep]), len(events) - len(keep)


def _zero_channels(data: np.ndarray, channels: list[Channel], log: RepairLog) -> list[Channel]:
    zero = np.flatnonzero(~np.any(data != 0, axis=1))
    if zero.size == 0:
        return channels
    names = [channels[i].name for i in zero]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    log.repair("ANALOG:DATA", f"{len(names)} analog channel(s) are all zero ({shown})",
               "loaded them with status 'bad' (reason 'all samples zero')")
    out = list(channels)
    for i in zero:
        out[i] = out[i].replace(status="bad", status_description="all samples zero")
    return out


def _analog_recording(c3d: Any, log: RepairLog, meta: Metadata, t0: float, events, parameters: dict) -> Recording | None:
    raw = np.asarray(c3d["data"]["analogs"], dtype=np.float64)
    if raw.ndim != 3 or raw.shape[1] == 0 or raw.shape[2] == 0:
        return None
    data = raw[0]
    fs = float(c3d["header"]["analogs"]["frame_rate"])
    channels = _analog_channels(c3d, data.shape[0], log)
    for ch in channels:
        if ch.type == "EMG" and not is_voltage(ch.units):
            logger.info("%s: EMG channel %r has unit %r (not a voltage); samples kept as they are", log.file, ch.name, ch.units)
    channels = _zero_channels(data, channels, log)
    ann, dropped = _annotations(events, data.shape[1] / fs)
    return Recording(data, fs, channels=channels, annotations=ann, metadata=meta,
                     provenance=log.provenance("c3d", part="analogs", events_outside_trial=dropped, **parameters))


def _point_kinds(c3d: Any) -> dict[str, tuple[str, str]]:
    """Point label → (channel type, unit) for Vicon model outputs listed in POINT:ANGLES etc."""
    out: dict[str, tuple[str, str]] = {}
    for listing, unit_param, kind in _POINT_KINDS:
        units = _strings(c3d, "POINT", unit_param)
        for label in _strings(c3d, "POINT", listing):
            out[label] = (kind, units[0] if units else "")
    return out


def _point_recording(c3d: Any, log: RepairLog, meta: Metadata, t0: float, events, parameters: dict) -> Recording | None:
    pts = np.asarray(c3d["data"]["points"], dtype=np.float64)
    if pts.ndim != 3 or pts.shape[1] == 0 or pts.shape[2] == 0:
        return None
    n_points, n_frames = pts.shape[1], pts.shape[2]
    fs = float(c3d["header"]["points"]["frame_rate"])
    labels = _strings(c3d, "POINT", "LABELS")[:n_points]
    labels += [""] * (n_points - len(labels))
    labels = _unique(labels, "Point", log, "POINT:LABELS")
    units = _strings(c3d, "POINT", "UNITS")
    length_unit = units[0] if units else "mm"
    kinds = _point_kinds(c3d)
    data = np.empty((3 * n_points, n_frames))
    channels: list[Channel] = []
    unknown_length = False
    for p, label in enumerate(labels):
        kind, unit = kinds.get(label, ("POS", length_unit))
        factor = 1.0
        if kind == "POS":
            if unit in _POINT_LENGTH_TO_M:
                factor, unit = _POINT_LENGTH_TO_M[unit], "m"
            else:
                unknown_length = True
        coords = pts[:3, p, :] * factor
        never_seen = bool(np.all(np.isnan(coords)))
        for axis, name in enumerate("xyz"):
            data[3 * p + axis] = coords[axis]
            channels.append(Channel(f"{label}_{name}", type=kind, units=normalize_unit(unit), group=label,
                                    status="bad" if never_seen else "good",
                                    status_description="never seen (all samples NaN)" if never_seen else ""))
    if unknown_length:
        logger.info("%s: POINT:UNITS %r is not mm, cm or m; marker positions kept in it", log.file, length_unit)
    ann, dropped = _annotations(events, n_frames / fs)
    return Recording(data, fs, channels=channels, annotations=ann, metadata=meta,
                     provenance=log.provenance("c3d", part="points", point_units_in=length_unit,
                                               events_outside_trial=dropped, **parameters))


def _check_frames(c3d: Any, expected: int, log: RepairLog) -> None:
    """Compare the frames ezc3d read with the count the file announced (ezc3d rewrites its own copy)."""
    hp = c3d["header"]["points"]
    got = int(np.asarray(c3d["data"]["points"]).shape[2])
    analogs = np.asarray(c3d["data"]["analogs"])
    ratio = c3d["header"]["analogs"]["frame_rate"] / c3d["header"]["points"]["frame_rate"] if hp["frame_rate"] else 0
    if got == 0 and analogs.ndim == 3 and ratio:
        got = int(analogs.shape[2] // round(ratio))
    if got == 0:
        raise FileFormatError(log.file, "data", f"holds no complete frame (the header announces {expected})")
    if 0 < got < expected:
        log.repair("data", f"file ends after {got} of the {expected} frames the header announces (truncated)",
                   f"kept the {got} complete frames")


def read_all(src: Input, *, log: RepairLog, fs: float | None = None, markers: bool = True, **options: Any) -> list[Recording]:
    """Read a C3D file: the analog channels, then the points, as two Recordings.

    Parameters
    ----------
    src : Input
    log : RepairLog
        Collects repairs (all-zero channels, repeated labels, truncation).
    fs : None
        C3D files state their own rates; passing ``fs`` raises :class:`ParameterError`.
    markers : bool, default True
        Also return the points (markers, model outputs) as a Recording.

    Returns
    -------
    list of Recording
        ``[analogs, points]`` (either may be absent when the file has none).
        Analog voltages are in V; marker positions in m.
    """
    if fs is not None:
        raise ParameterError("fs", f"C3D files state their own sampling rates; do not pass fs (got {fs!r})")
    if options:
        raise ParameterError(next(iter(options)), f"unknown option for C3D files; known: markers (got {sorted(options)})")
    head, size = _read_head(src)
    layout = check_structure(head, src.name, size)
    with src.as_path(".c3d") as path:
        c3d = _open_ezc3d(str(path), src.name)
    _check_frames(c3d, layout.n_frames, log)
    hp = c3d["header"]["points"]
    point_rate = float(hp["frame_rate"])
    first_frame = int(hp["first_frame"]) + 1  # ezc3d counts from 0; the file (and Vicon) from 1
    t0 = (first_frame - 1) / point_rate if point_rate > 0 else 0.0
    events, n_events = _events(c3d, t0)
    notes = [f"c3d_first_frame={first_frame}", f"c3d_trial_start_s={t0:.6g}", f"c3d_point_rate_hz={point_rate:g}",
             f"c3d_processor={layout.processor}"]
    meta = _metadata(c3d, src, notes)
    parameters = {"first_frame": first_frame, "trial_start_s": t0, "n_events_in_file": n_events}
    out = []
    rec = _analog_recording(c3d, log, meta, t0, events, parameters)
    if rec is not None:
        out.append(rec)
    if markers:
        rec = _point_recording(c3d, log, meta, t0, events, parameters)
        if rec is not None:
            out.append(rec)
    return out


register(Format("c3d", "C3D motion capture (points and analog channels)", (".c3d",), read_all=read_all, sniff=sniff))
