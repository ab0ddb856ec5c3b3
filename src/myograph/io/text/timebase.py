"""The sampling rate: fitted to a time column, stated by the header or given as ``fs=``, and reconciled.

A time column on a uniform grid (within its printing precision) gives its rate
exactly; a jittered one is placed on a uniform grid at ``1 / median step`` (a
repair); larger irregularities are refused. :func:`first_time_s` returns the
file's own time of the first sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.io._input import Input
from myograph.io.text.cells import _TIME_UNITS
from myograph.io.text.table import _Column

#: largest relative deviation of a time step from the median step still read as jitter
JITTER_TOLERANCE = 0.5


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
