"""What each column is: roles (time, sample index, label, data), units and channel types.

Options name columns by name or index; otherwise the time column is found by
name or, in a header-less table, as a strictly increasing first column, and a
first column counting 0, 1, 2 ... is a sample index.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from myograph.core.channels import CHANNEL_TYPES, guess_type
from myograph.core.errors import ParameterError
from myograph.core.provenance import RepairLog
from myograph.core.units import normalize_unit, scale_to_si
from myograph.io.text.cells import _TIME_UNITS, _UNIT_TYPES, INDEX_NAMES, LABEL_NAMES, TIME_NAMES, _to_float, split_unit
from myograph.io.text.table import _Column
from myograph.io.text.timebase import JITTER_TOLERANCE

logger = logging.getLogger("myograph.io.text")


# --- roles -----------------------------------------------------------------------------------------
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


# --- units and types -------------------------------------------------------------------------------
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
