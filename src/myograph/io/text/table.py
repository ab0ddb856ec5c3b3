"""The table body: columns, rectangular rows and their numbers.

:class:`_Column` (a column and its role), unique column names, rows padded or
refused to the table's width, a trailing empty column dropped, and the data
columns as floats with the mask of cells that were not numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from myograph.core.errors import FileFormatError
from myograph.core.provenance import RepairLog
from myograph.io._input import Input
from myograph.io.text.cells import _to_float


@dataclass
class _Column:
    """One column of the table as the reader understands it."""

    index: int
    name: str
    unit: str | None
    role: str = "data"  # "data", "time", "index", "label"


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


def _mode_width(rows: list[list[str]]) -> int:
    if not rows:
        return 0
    widths = np.bincount([len(r) for r in rows])
    return int(np.argmax(widths))


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
