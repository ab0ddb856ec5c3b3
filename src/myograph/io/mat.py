"""MATLAB ``.mat`` files (v4, v5/v7), read with :func:`scipy.io.loadmat`.

Two layouts are understood:

**OTBioLab+ export** (variables ``Data``, ``Description``, ``SamplingFrequency``,
``Time``; one column of ``Data`` per line of ``Description``):

* ``"<muscle> - <input> - <grid code> (<n>)[uV]"`` → ``EMG`` channel ``<grid>_<n>``
  in volts, muscle from the description, ``group`` = the grid code, hardware
  inter-electrode distance from the code (``GR08MM1305`` → 8 mm) and, for the
  grids below, ``row``/``col`` and ``x_mm``/``y_mm`` (= col·IED, row·IED);
* ``"… Decomposition of …"`` → ``SPIKES`` channels ``MU1``, ``MU2`` … (binary
  discharge trains, 1 at each discharge; the original label is the channel's
  description), so decomposition code can be compared against them;
* ``"… Source for decomposition of …"`` → ``IPT`` channels ``IPT1`` … (a.u.),
  in the same order as the ``MU`` channels (in the openhdemg sample file each
  IPT peaks 8 samples, 3.9 ms, before the discharges marked in its train;
  nothing is shifted here);
* ``"… [%MVC]"`` (the force/reference signal) → ``FORCE`` in ``%MVC``; other
  units as the description states.

Grid layout. ``GR08MM1305`` and ``GR04MM1305`` are OT Bioelettronica grids of
13 rows × 5 columns (8 or 4 mm inter-electrode distance; 64 electrodes, one
corner empty) — not 8 × 8. The electrode order is the one openhdemg documents
for these codes (``openhdemg.library.electrodes.sort_rawemg``, orientation
180): column 0 holds electrodes 1-12 in rows 1-12 (row 0 is the empty corner),
column 1 holds 13-25 from row 12 up to row 0, column 2 26-38 downwards,
column 3 39-51 upwards, column 4 52-64 downwards. Rows and columns are in the
grid's own frame; how the grid lay on the muscle is not in the file. The order
is checked on the openhdemg sample recording: neighbouring electrodes in this
layout correlate more (mean r 0.96) than in an 8 × 8 layout (0.84). Other grid
codes get ``group`` and the inter-electrode distance but no positions.

**Generic layout**: a samples matrix plus a sampling-rate field, at the top
level or inside a struct (e.g. ``EMG.channelData`` with ``EMG.fs``). The rate
field is found by name (``fs``, ``Fs``, ``fsamp``, ``SamplingFrequency``,
``sampling_rate``, ``srate`` …, any case); without one, ``fs=`` is required.
The matrix is the largest real numeric array beside the rate field (or
``variable="EMG.channelData"``). Orientation: the longer axis is time
(``orientation="auto"``; say ``"samples_x_channels"`` or
``"channels_x_samples"`` to override); the choice is recorded in provenance.
Units: ``units=`` or a ``units``/``unit`` field; otherwise the values are kept
as they are with units ``a.u.`` and a repair warning. Channel labels come from a
``labels``/``channel_names``/``names`` field of the right length, else
``EMG1`` ….

MATLAB v7.3 files are HDF5 and need h5py, which myograph does not depend on;
they are refused with a :class:`~myograph.FileFormatError` that says so. A
file that ends inside a variable names that variable.
"""

from __future__ import annotations

import io
import logging
import math
import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, guess_type
from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.metadata import Device, Metadata
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import normalize_unit
from myograph.io._input import Input
from myograph.io.registry import Format, register

__all__ = ["read_all", "sniff", "grid_position", "GRID_LAYOUTS"]

logger = logging.getLogger(__name__)

_V5 = b"MATLAB 5.0 MAT-file"
_V73 = b"MATLAB 7.3 MAT-file"
_HDF5 = b"\x89HDF\r\n\x1a\n"
_RATE_NAMES = {"fs", "fsamp", "fsample", "samplingfrequency", "sampling_frequency", "samplingrate", "sampling_rate",
               "samplerate", "sample_rate", "srate", "samplingfreq", "sampfreq", "rate"}
_TIME_NAMES = {"time", "t", "times", "timestamps", "time_s", "timestamp"}
_LABEL_NAMES = {"labels", "label", "channel_names", "channelnames", "channels", "names", "chnames", "ch_names"}
_UNIT_NAMES = {"units", "unit"}
_ORIENTATIONS = ("auto", "samples_x_channels", "channels_x_samples")
_GRID_CODE = re.compile(r"\b(?:GR|HD)(\d{2})MM(\d{2})(\d{2})\b")
_UNIT_TAIL = re.compile(r"\[\s*([^\]]*?)\s*\]\s*$")
_NUMBER = re.compile(r"\((\d+)\)\s*(?:\[[^\]]*\])?\s*$")

#: grid code → (rows, cols, electrode number → (row, col)), see the module docstring
GRID_LAYOUTS: dict[str, tuple[int, int, dict[int, tuple[int, int]]]] = {}


def _serpentine_13x5() -> dict[int, tuple[int, int]]:
    pos = {k: (k, 0) for k in range(1, 13)}
    pos.update({k: (25 - k, 1) for k in range(13, 26)})
    pos.update({k: (k - 26, 2) for k in range(26, 39)})
    pos.update({k: (51 - k, 3) for k in range(39, 52)})
    pos.update({k: (k - 52, 4) for k in range(52, 65)})
    return pos


for _code in ("GR08MM1305", "GR04MM1305"):
    GRID_LAYOUTS[_code] = (13, 5, _serpentine_13x5())


def grid_position(code: str, electrode: int) -> tuple[int, int] | None:
    """``(row, col)`` (0-based) of electrode number ``electrode`` (1-based) of grid ``code``, or None."""
    layout = GRID_LAYOUTS.get(code)
    return None if layout is None else layout[2].get(electrode)


# --- detection -----------------------------------------------------------------------------------
def _looks_like_v4(head: bytes) -> bool:
    """A MATLAB v4 matrix header: MOPT, rows, cols, imagf, name length, then the NUL-ended name."""
    if len(head) < 21:
        return False
    for order in ("<", ">"):
        mopt, mrows, ncols, imagf, namlen = np.frombuffer(head[:20], dtype=f"{order}i4")
        m, o, p, t = mopt // 1000, (mopt // 100) % 10, (mopt // 10) % 10, mopt % 10
        if (0 <= mopt < 5000 and m in (0, 1) and o == 0 and p <= 5 and t <= 2 and mrows >= 0 and ncols >= 0
                and imagf in (0, 1) and 1 < namlen < 64 and len(head) >= 20 + namlen):
            name = head[20:20 + namlen]
            if name[-1] == 0 and all(32 < b < 127 for b in name[:-1]):
                return True
    return False


def sniff(head: bytes, src: Input) -> bool:
    """True for a MATLAB v5/v7 or v7.3 header, or (for ``.mat`` files) a plausible v4 matrix header."""
    if head.startswith((_V5, _V73, b"MATLAB 5.0", b"MATLAB 7.3")):
        return True
    if src.suffix != ".mat":
        return False
    return head.startswith(_HDF5) or head[512:520] == _HDF5 or _looks_like_v4(head)


# --- v5 structure check --------------------------------------------------------------------------------
#: MAT v5 data types → bytes per value (14 miMATRIX and 15 miCOMPRESSED hold elements)
_MI_SIZES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
_MX_CELL, _MX_STRUCT, _MX_OBJECT, _MX_SPARSE = 1, 2, 3, 5
_MX_NUMERIC = {4, 5, *range(6, 16)}  # char, sparse, double ... uint64
_MAX_DEPTH = 64


class _Damaged(Exception):
    """A structural problem in a v5 variable (message says what and where)."""


def _elements(buf: bytes, start: int, end: int, order: str) -> list[tuple[int, int, int]]:
    """``(data type, data start, data end)`` of the tagged elements filling ``buf[start:end]``."""
    out = []
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise _Damaged(f"element tag at byte {pos} runs past its parent (ends at byte {end})")
        first, second = struct.unpack(order + "II", buf[pos:pos + 8])
        if first >> 16:  # small data element: size and type in one word, data in the next four bytes
            mdtype, nbytes, data = first & 0xFFFF, first >> 16, pos + 4
            if nbytes > 4:
                raise _Damaged(f"small element at byte {pos} claims {nbytes} bytes (at most 4)")
            nxt = pos + 8
        else:
            mdtype, nbytes, data = first, second, pos + 8
            nxt = data + nbytes + (-nbytes % 8)
        if mdtype not in _MI_SIZES and mdtype != _MI_MATRIX:
            raise _Damaged(f"element at byte {pos} has data type {mdtype}, which MAT v5 does not define")
        if data + nbytes > end:
            raise _Damaged(f"element at byte {pos} needs {nbytes} bytes but its parent ends at byte {end}")
        out.append((mdtype, data, data + nbytes))
        pos = min(nxt, end)
    return out


def _check_matrix(buf: bytes, start: int, end: int, order: str, depth: int = 0) -> str:
    """Check one miMATRIX content (``buf[start:end]``); return the array's name."""
    if depth > _MAX_DEPTH:
        raise _Damaged(f"arrays nested more than {_MAX_DEPTH} deep")
    if start == end:
        return ""
    parts = _elements(buf, start, end, order)
    if len(parts) < 3 or parts[0][0] != 6 or parts[1][0] != 5 or parts[2][0] not in (1, 2):
        raise _Damaged(f"array at byte {start} lacks its flags, dimensions and name")
    flags = struct.unpack(order + "I", buf[parts[0][1]:parts[0][1] + 4])[0]
    n_dims = (parts[1][2] - parts[1][1]) // 4
    dims = struct.unpack(order + f"{n_dims}i", buf[parts[1][1]:parts[1][1] + 4 * n_dims])
    if n_dims < 2 or any(d < 0 for d in dims):
        raise _Damaged(f"array at byte {start} has dimensions {dims}")
    name = buf[parts[2][1]:parts[2][2]].decode("latin-1")
    count = math.prod(dims)
    rest = parts[3:]
    cls = flags & 0xFF
    if cls in (_MX_CELL, _MX_STRUCT, _MX_OBJECT):
        skip = {_MX_CELL: 0, _MX_STRUCT: 2, _MX_OBJECT: 3}[cls]
        if len(rest) < skip:
            raise _Damaged(f"{name or 'array'} at byte {start}: struct field names missing")
        n_fields = 1
        if cls != _MX_CELL:
            width_el, names_el = rest[skip - 2], rest[skip - 1]
            width = struct.unpack(order + "i", buf[width_el[1]:width_el[1] + 4])[0] if width_el[2] - width_el[1] >= 4 else 0
            length = names_el[2] - names_el[1]
            if width <= 0 or length % width:
                raise _Damaged(f"{name or 'struct'} at byte {start}: field names of {length} bytes in slots of {width}")
            n_fields = length // width
        children = rest[skip:]
        if len(children) != count * n_fields or any(t != _MI_MATRIX for t, _, _ in children):
            raise _Damaged(f"{name or 'array'} at byte {start}: {dims} x {n_fields} field(s) need {count * n_fields} "
                           f"arrays, found {len(children)}")
        for _, a, b in children:
            _check_matrix(buf, a, b, order, depth + 1)
    else:
        complex_flag = bool(flags & 0x800)
        need = (4 if complex_flag else 3) if cls == _MX_SPARSE else (2 if complex_flag else 1)
        if cls in _MX_NUMERIC and (len(rest) < need or any(t == _MI_MATRIX for t, _, _ in rest[:need])):
            raise _Damaged(f"{name or 'array'} at byte {start}: class {cls}{' (complex)' if complex_flag else ''} "
                           f"needs {need} data element(s), found {len(rest)}")
        for t, a, b in rest:
            if t == _MI_MATRIX:
                _check_matrix(buf, a, b, order, depth + 1)
    return name


def _variables_v5(raw: bytes, file: str, log: RepairLog) -> bytes:
    """The header plus the variables whose structure is sound; damaged ones are logged as repairs.

    scipy's reader trusts element types and sizes and can crash the interpreter on a damaged
    file, so each top-level variable is checked here first.
    """
    if len(raw) < 128:
        raise FileFormatError(file, "header", f"a MAT v5 file has a 128-byte header; the file is {len(raw)} bytes")
    endian = raw[126:128]
    if endian not in (b"IM", b"MI"):
        raise FileFormatError(file, "header.endian", f"must be b'IM' or b'MI', got {endian!r}")
    order = "<" if endian == b"IM" else ">"
    keep = [raw[:128]]
    problems: list[tuple[str, str, str]] = []
    pos, index = 128, 0
    while pos < len(raw):
        where = f"variable {index} (byte {pos})"
        if pos + 8 > len(raw):
            problems.append((where, f"the file ends inside its tag ({len(raw) - pos} bytes)", "ignored the trailing bytes"))
            break
        mdtype, nbytes = struct.unpack(order + "II", raw[pos:pos + 8])
        end = pos + 8 + nbytes
        if mdtype not in (_MI_MATRIX, _MI_COMPRESSED):
            problems.append((where, f"data type {mdtype} is not an array (14) or a compressed array (15)",
                             "ignored the rest of the file"))
            break
        if end > len(raw):
            problems.append((where, f"needs {nbytes} bytes but the file ends after {len(raw) - pos - 8} (truncated)",
                             "read the variables before it"))
            break
        try:
            if mdtype == _MI_COMPRESSED:
                inner = zlib.decompress(raw[pos + 8:end])
                parts = _elements(inner, 0, len(inner), order)
                if len(parts) != 1 or parts[0][0] != _MI_MATRIX:
                    raise _Damaged("the compressed data is not one array")
                name = _check_matrix(inner, parts[0][1], parts[0][2], order)
            else:
                name = _check_matrix(raw, pos + 8, end, order)
        except (_Damaged, zlib.error, struct.error) as exc:
            problems.append((where, f"is damaged: {exc}", "skipped this variable"))
        else:
            keep.append(raw[pos:end + ((-nbytes % 8) if mdtype == _MI_MATRIX else 0)])
            logger.debug("%s: variable %r passed the structure check", file, name)
        pos = end + ((-nbytes % 8) if mdtype == _MI_MATRIX else 0)
        index += 1
    if problems and len(keep) == 1:
        raise FileFormatError(file, problems[0][0], problems[0][1] + "; no variable is left to read")
    for where, problem, action in problems:
        log.repair(where, problem, action)
    return b"".join(keep)


# --- loading -------------------------------------------------------------------------------------------
def _load(src: Input, log: RepairLog) -> dict[str, Any]:
    import scipy.io

    raw = src.read_bytes()
    if raw.startswith((_V73, b"MATLAB 7.3")) or raw.startswith(_HDF5) or raw[512:520] == _HDF5:
        raise FileFormatError(src.name, "format", "MATLAB v7.3 files are HDF5 and need the h5py package, which myograph "
                                                   "does not install; save the file with save(..., '-v7') or export it "
                                                   "to another format")
    if raw.startswith(b"MATLAB 5.0") or (len(raw) >= 128 and raw[126:128] in (b"IM", b"MI") and raw[124:126] in (b"\x00\x01", b"\x01\x00")):
        raw = _variables_v5(raw, src.name, log)
    try:
        names = [w[0] for w in scipy.io.whosmat(io.BytesIO(raw))]
    except Exception as exc:  # scipy raises many kinds on damaged headers
        raise FileFormatError(src.name, "header", f"scipy.io could not list the variables ({type(exc).__name__}: {exc})") from exc
    try:
        return scipy.io.loadmat(io.BytesIO(raw), simplify_cells=True)
    except Exception as exc:
        whole = exc
    out: dict[str, Any] = {}
    for name in names:  # find the damaged variable and keep the others
        try:
            out.update(scipy.io.loadmat(io.BytesIO(raw), variable_names=[name], simplify_cells=True))
        except Exception as exc:
            log.repair(f"variable {name!r}", f"cannot be read ({type(exc).__name__}: {exc}); the file is probably truncated",
                       "read the other variables")
    if not any(not k.startswith("__") for k in out):
        raise FileFormatError(src.name, "variables", f"no variable could be read ({type(whole).__name__}: {whole}); "
                                                      f"the file is probably truncated or damaged")
    return out


def _walk(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(container path, name, value)`` for every field, through structs (dicts) up to 4 deep."""
    if depth > 4 or not isinstance(value, dict):
        return
    for key, item in value.items():
        if key.startswith("__"):
            continue
        yield path, key, item
        if isinstance(item, dict):
            yield from _walk(item, f"{path}.{key}" if path else key, depth + 1)


def _scalar(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
    elif isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        f = float(value.reshape(-1)[0])
    else:
        return None
    return f if math.isfinite(f) and f > 0 else None


def _matrix(value: Any) -> np.ndarray | None:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf" or value.size < 2:
        return None
    arr = np.squeeze(value)
    return arr if arr.ndim in (1, 2) else None


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.dtype.kind in "OU"):
        items = list(np.asarray(value, dtype=object).ravel())
        if items and all(isinstance(v, str) for v in items):
            return [v.strip() for v in items]
    return None


# --- OTBioLab+ ----------------------------------------------------------------------------------------
def _is_otb(m: dict[str, Any]) -> bool:
    data, desc = m.get("Data"), _strings(m.get("Description"))
    return (isinstance(data, np.ndarray) and data.ndim == 2 and desc is not None and len(desc) in data.shape
            and _scalar(m.get("SamplingFrequency")) is not None)


def _unit_of(label: str) -> str:
    match = _UNIT_TAIL.search(label)
    if not match:
        return ""
    unit = match.group(1).replace("(", "").replace(")", "").replace(" ", "")
    return "a.u." if unit.lower() in ("a.u", "au", "a.u.") else normalize_unit(unit)


def _otb_channel(label: str, counters: dict[str, int]) -> Channel:
    unit = _unit_of(label)
    base = _UNIT_TAIL.sub("", label).strip()
    lower = base.lower()
    grid = _GRID_CODE.search(base)
    number = _NUMBER.search(label)
    if "source for decomposition" in lower:
        counters["IPT"] += 1
        return Channel(f"IPT{counters['IPT']}", type="IPT", units="a.u.", description=label, muscle=_muscle_after(base))
    if "decomposition of" in lower:
        counters["MU"] += 1
        return Channel(f"MU{counters['MU']}", type="SPIKES", units="", description=label, muscle=_muscle_after(base))
    if grid and number and unit in ("V", "mV", "uV"):
        code, ied = grid.group(0), float(int(grid.group(1)))
        k = int(number.group(1))
        pos = grid_position(code, k)
        muscle = base.split(" - ")[0].strip()
        row, col = pos if pos else (None, None)
        return Channel(f"{code}_{k}", type="EMG", units=unit, muscle=muscle, group=code, description=label,
                       interelectrode_distance_mm=ied, row=row, col=col,
                       x_mm=None if col is None else col * ied, y_mm=None if row is None else row * ied)
    name = base or f"AUX{counters['AUX'] + 1}"
    counters["AUX"] += 1
    if unit == "%MVC" or "force" in lower or "torque" in lower:
        kind = "TORQUE" if "torque" in lower or unit in ("N·m", "N·mm") else "FORCE"
    else:
        kind = guess_type(name, "MISC")
    return Channel(name, type=kind, units=unit, description=label)


def _muscle_after(base: str) -> str:
    """``"1 - 4 - Decomposition of Vastus Lateralis - AUX 3 …"`` → ``"Vastus Lateralis"``."""
    tail = re.split(r"(?i)decomposition of", base, maxsplit=1)[-1]
    return tail.split(" - ")[0].strip()


def _otb_recording(m: dict[str, Any], src: Input, log: RepairLog, fs_arg: float | None, orientation: str) -> Recording:
    labels = _strings(m["Description"]) or []
    data = np.asarray(m["Data"], dtype=np.float64)
    if orientation == "auto":
        orientation = "samples_x_channels" if data.shape[1] == len(labels) else "channels_x_samples"
    arr = data.T if orientation == "samples_x_channels" else data
    if arr.shape[0] != len(labels):
        raise FileFormatError(src.name, "Description", f"{len(labels)} channel descriptions for {arr.shape[0]} channels of Data")
    fs = _scalar(m["SamplingFrequency"])
    _check_fs_arg(fs, fs_arg, "SamplingFrequency")
    counters = {"IPT": 0, "MU": 0, "AUX": 0}
    channels = [_otb_channel(lab, counters) for lab in labels]
    seen: dict[str, int] = {}
    for i, ch in enumerate(channels):  # two grids of the same code, or two aux channels of the same name
        if ch.name in seen:
            channels[i] = ch.replace(name=f"{ch.name}#{i}")
        seen[ch.name] = i
    grids = sorted({c.group for c in channels if c.group})
    notes = []
    time = m.get("Time")
    if isinstance(time, np.ndarray) and time.size == arr.shape[1]:
        t = time.astype(float).ravel()
        notes.append(f"otb_time_start_s={t[0]:.6g}")
        if t.size > 1 and abs(np.median(np.diff(t)) * fs - 1.0) > 1e-3:
            log.repair("Time", f"its step {np.median(np.diff(t)):.6g} s disagrees with SamplingFrequency {fs:g} Hz",
                       "used SamplingFrequency")
    if isinstance(m.get("OTBFile"), str):
        notes.append(f"otb_file={m['OTBFile']}")
    schemes = []
    for code in grids:
        rows_cols = GRID_LAYOUTS.get(code)
        ied = int(_GRID_CODE.search(code).group(1))
        shape = f"{rows_cols[0]} x {rows_cols[1]} grid, " if rows_cols else ""
        schemes.append(f"{code} ({shape}{ied} mm, OT Bioelettronica)")
        if not rows_cols:
            logger.info("%s: grid %s has no known electrode layout; no positions set", src.name, code)
    meta = Metadata(device=Device(manufacturer="OT Bioelettronica", software="OTBioLab+"),
                    placement_scheme="; ".join(schemes), source_file=src.name, source_format="mat", notes=tuple(notes))
    prov = log.provenance("mat", layout="OTBioLab+", variable="Data", fs_field="SamplingFrequency",
                          orientation=_describe(orientation, data.shape), grid_layout_source="openhdemg sort_rawemg, orientation 180")
    return Recording(arr, fs, channels=channels, annotations=Annotations(), metadata=meta, provenance=prov)


# --- generic layout ------------------------------------------------------------------------------------
def _describe(orientation: str, shape: tuple[int, ...]) -> str:
    dims = " x ".join(str(s) for s in shape)
    return f"rows are samples ({dims})" if orientation == "samples_x_channels" else f"rows are channels ({dims})"


def _check_fs_arg(fs_file: float | None, fs_arg: float | None, field: str) -> None:
    if fs_arg is None or fs_file is None:
        return
    if not math.isclose(float(fs_arg), fs_file, rel_tol=1e-9):
        raise ParameterError("fs", f"the file's {field} says {fs_file:g} Hz; fs={fs_arg!r} contradicts it")


def _find(fields: list[tuple[str, str, Any]], container: str, names: set[str], convert) -> tuple[str, Any] | None:
    """A field named like ``names`` in ``container`` (then anywhere), converted; ``(path, value)``."""
    ranked = sorted(fields, key=lambda f: f[0] != container)
    for path, key, value in ranked:
        if key.lower() in names:
            got = convert(value)
            if got is not None:
                return (f"{path}.{key}" if path else key), got
    return None


def _pick_matrix(fields, variable: str | None, rate_path: str | None, file: str) -> tuple[str, str, np.ndarray, tuple]:
    """``(container, dotted path, squeezed array, shape in the file)`` of the samples matrix."""
    if variable is not None:
        for path, key, value in fields:
            full = f"{path}.{key}" if path else key
            if full == variable:
                arr = _matrix(value)
                if arr is None:
                    raise ParameterError("variable", f"{variable!r} is not a real numeric vector or matrix")
                return path, full, arr, value.shape
        known = [f"{p}.{k}" if p else k for p, k, _ in fields]
        raise ParameterError("variable", f"no variable {variable!r} in the file; it holds {known}")
    container = rate_path.rpartition(".")[0] if rate_path else None
    candidates = []
    for path, key, value in fields:
        arr = _matrix(value)
        if arr is None or key.lower() in _TIME_NAMES or key.lower() in _RATE_NAMES:
            continue
        candidates.append((path != container, -arr.size, f"{path}.{key}" if path else key, path, arr, value.shape))
    if not candidates:
        found = ", ".join(f"{p + '.' if p else ''}{k} ({type(v).__name__})" for p, k, v in fields) or "nothing"
        raise FileFormatError(file, "variables", f"no real numeric vector or matrix to read as samples; found {found}")
    candidates.sort(key=lambda c: (c[0], c[1]))
    _, _, full, path, arr, shape = candidates[0]
    return path, full, arr, shape


def _generic_recording(m: dict[str, Any], src: Input, log: RepairLog, fs_arg: float | None, orientation: str,
                       variable: str | None, units: Any) -> Recording:
    fields = list(_walk(m, ""))
    rate = _find(fields, "", _RATE_NAMES, _scalar)
    container, var_path, arr, shape = _pick_matrix(fields, variable, rate[0] if rate else None, src.name)
    rate = _find(fields, container, _RATE_NAMES, _scalar) or rate
    if rate is None and fs_arg is None:
        raise ParameterError("fs", f"{src.name}: no sampling-rate field (looked for {', '.join(sorted(_RATE_NAMES))} in any "
                                   f"case, in structs too); pass fs= in Hz")
    if rate is not None:
        _check_fs_arg(rate[1], fs_arg, rate[0])
    fs = rate[1] if rate is not None else float(fs_arg)
    if orientation == "auto":
        if arr.ndim == 2 and arr.shape[0] == arr.shape[1]:
            raise ParameterError("orientation", f"{var_path} is square {arr.shape}; say orientation='samples_x_channels' or 'channels_x_samples'")
        orientation = "channels_x_samples" if arr.ndim == 2 and arr.shape[1] > arr.shape[0] else "samples_x_channels"
    data = np.atleast_2d(arr.astype(np.float64))
    if arr.ndim == 1:
        data = data if orientation == "channels_x_samples" else data.T
    samples = data.T if orientation == "samples_x_channels" else data
    n_ch = samples.shape[0]
    labels = _find(fields, container, _LABEL_NAMES, lambda v: (s := _strings(v)) and len(s) == n_ch and s or None)
    names = labels[1] if labels else [f"EMG{i + 1}" for i in range(n_ch)]
    unit_list = _channel_units(fields, container, units, n_ch, log)
    channels = [Channel(str(n), type=guess_type(str(n), "EMG"), units=u) for n, u in zip(_unique(names), unit_list)]
    meta = Metadata(source_file=src.name, source_format="mat")
    prov = log.provenance("mat", layout="generic", variable=var_path, fs_field=rate[0] if rate else "fs argument",
                          orientation=_describe(orientation, shape), labels_field=labels[0] if labels else None)
    return Recording(samples, fs, channels=channels, metadata=meta, provenance=prov)


def _unique(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, n in enumerate(names):
        name = n or f"EMG{i + 1}"
        out.append(name if name not in out else f"{name}#{i}")
    return out


def _channel_units(fields, container: str, units: Any, n_ch: int, log: RepairLog) -> list[str]:
    if units is not None:
        given = [units] * n_ch if isinstance(units, str) else list(units)
        if len(given) != n_ch:
            raise ParameterError("units", f"need one unit per channel ({n_ch}), got {len(given)}")
        return [normalize_unit(u) for u in given]
    found = _find(fields, container, _UNIT_NAMES, lambda v: (s := _strings(v)) and len(s) in (1, n_ch) and s or None)
    if found:
        values = found[1] * n_ch if len(found[1]) == 1 else found[1]
        return [normalize_unit(u) for u in values]
    log.repair("units", "the file states no unit for the samples",
               "kept the values as they are with units 'a.u.'; pass units='uV' (or 'mV', 'V') to state it")
    return ["a.u."] * n_ch


def read_all(src: Input, *, log: RepairLog, fs: float | None = None, variable: str | None = None,
             units: str | Sequence[str] | None = None, orientation: str = "auto", **options: Any) -> list[Recording]:
    """Read a MATLAB ``.mat`` file (OTBioLab+ export or a generic samples matrix).

    Parameters
    ----------
    src : Input
    log : RepairLog
    fs : float, optional
        Sampling rate, Hz; required when the file has no rate field, and must agree with one it has.
    variable : str, optional
        Dotted path of the samples matrix (``"EMG.channelData"``); default: the largest numeric matrix
        beside the rate field.
    units : str or sequence of str, optional
        Unit of the samples (``"uV"``, ``"mV"``, ``"V"`` ...) when the file does not state it.
    orientation : {"auto", "samples_x_channels", "channels_x_samples"}
        How the matrix is laid out; ``"auto"`` takes the longer axis as time.

    Returns
    -------
    list of Recording
        One Recording (voltages in V).
    """
    if options:
        raise ParameterError(next(iter(options)), "unknown option for .mat files; known: variable, units, orientation")
    if orientation not in _ORIENTATIONS:
        raise ParameterError("orientation", f"must be one of {_ORIENTATIONS}, got {orientation!r}")
    m = _load(src, log)
    if variable is None and units is None and _is_otb(m):
        return [_otb_recording(m, src, log, fs, orientation)]
    return [_generic_recording(m, src, log, fs, orientation, variable, units)]


register(Format("mat", "MATLAB .mat file", (".mat",), read_all=read_all, sniff=sniff))
