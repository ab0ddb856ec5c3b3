"""What single cells of a text table mean: numbers, header cells with units, and the known names.

The vocabularies that mark time, sample-index and label columns, the time and
physical units the reader knows, :func:`split_unit` for header cells such as
``biceps [mV]``, and the conversion of cells to floats.
"""

from __future__ import annotations

import re

import numpy as np

from myograph.core.units import VOLTAGE_SCALE, normalize_unit

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
_BRACKET = re.compile(r"^(?P<name>.*?)\s*(?:\[(?P<u1>[^\[\]]*)\]|\((?P<u2>[^()]*)\))\s*$")
_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<unit>mV|uV|µV|μV|V|nV)$")
_TIME_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<unit>s|ms|us|sec)$", re.IGNORECASE)


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
