"""Spatial filters for electrode arrays (HD-EMG grids, linear arrays).

Arrays are handled as grids shaped ``(n_rows, n_cols, n_samples)``;
:func:`to_grid` builds one from channels and their grid row/column
(:func:`grid_positions` reads the ``row``/``col`` fields of the channel
table), with NaN where a position has no electrode, and :func:`from_grid`
goes back.

* :func:`single_differential` — ``SD[i] = x[i + 1] - x[i]`` along one grid axis
  (the orientation of :func:`numpy.diff`).
* :func:`double_differential` — ``DD[i] = x[i] - 2 x[i + 1] + x[i + 2]``.
* :func:`laplacian` — the normal double differential (NDD, discrete Laplacian
  filter): ``4 x[i, j] - x[i-1, j] - x[i+1, j] - x[i, j-1] - x[i, j+1]``
  (Disselhorst-Klug, Silny & Rau, IEEE Trans. Biomed. Eng. 44 (1997) 567–574).

Missing electrodes (NaN) make every output that uses them NaN; nothing is
interpolated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.core.errors import ParameterError

__all__ = ["grid_positions", "to_grid", "from_grid", "single_differential", "double_differential", "laplacian"]


def grid_positions(channels: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)`` of channels from their ``row``/``col`` fields (a ChannelTable or Channels).

    Raises :class:`~myograph.ParameterError` naming the first channel without a grid position.

    Examples
    --------
    >>> grid = to_grid(rec.select(group="grid1").data, *grid_positions(rec.select(group="grid1").channels))  # doctest: +SKIP
    """
    rows, cols = [], []
    for ch in channels:
        if ch.row is None or ch.col is None:
            raise ParameterError("channels", f"channel {ch.name!r} has no grid position (row={ch.row}, col={ch.col})")
        rows.append(int(ch.row))
        cols.append(int(ch.col))
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def to_grid(x: Any, rows: Any, cols: Any, *, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Arrange channels ``(n_channels, n_samples)`` on a grid ``(n_rows, n_cols, n_samples)``.

    Parameters
    ----------
    x : array_like, shape (n_channels, n_samples)
    rows, cols : array_like of int, shape (n_channels,)
        0-based grid position of each channel.
    shape : (int, int), optional
        Grid size; default ``(max(rows) + 1, max(cols) + 1)``.

    Returns
    -------
    ndarray
        Positions without a channel are NaN.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ParameterError("x", f"must be (n_channels, n_samples), got shape {arr.shape}")
    r = np.asarray(rows)
    c = np.asarray(cols)
    n = arr.shape[0]
    for name, v in (("rows", r), ("cols", c)):
        if v.shape != (n,) or v.dtype.kind not in "iu" or (v < 0).any():
            raise ParameterError(name, f"need one non-negative integer per channel ({n}), got {v.tolist()!r}")
    n_rows, n_cols = (int(r.max()) + 1, int(c.max()) + 1) if shape is None else (int(shape[0]), int(shape[1]))
    if (r >= n_rows).any() or (c >= n_cols).any():
        raise ParameterError("shape", f"grid {n_rows}x{n_cols} is too small for rows up to {r.max()} and cols up to {c.max()}")
    flat = r * n_cols + c
    if np.unique(flat).size != n:
        dup = int(np.flatnonzero(np.bincount(flat) > 1)[0])
        raise ParameterError("rows/cols", f"two channels share grid position row {dup // n_cols}, col {dup % n_cols}")
    grid = np.full((n_rows, n_cols, arr.shape[1]), np.nan)
    grid[r, c] = arr
    return grid


def from_grid(grid: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channels back from a grid: ``(x, rows, cols)`` for the positions that are not all-NaN, row-major."""
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 3:
        raise ParameterError("grid", f"must be (n_rows, n_cols, n_samples), got shape {g.shape}")
    present = ~np.isnan(g).all(axis=-1)
    r, c = np.nonzero(present)
    return g[r, c], r, c


def _grid(grid: Any, min_rows: int, min_cols: int, what: str) -> np.ndarray:
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 3:
        raise ParameterError("grid", f"must be (n_rows, n_cols, n_samples), got shape {g.shape}")
    if g.shape[0] < min_rows or g.shape[1] < min_cols:
        raise ParameterError("grid", f"{what} needs at least {min_rows} rows and {min_cols} columns, got {g.shape[0]}x{g.shape[1]}")
    return g


def _spatial_axis(axis: int) -> int:
    if axis not in (0, 1, -3, -2):
        raise ParameterError("axis", f"must be 0 (along rows: down the columns) or 1 (along columns: across each row), got {axis}")
    return axis % 3


def single_differential(grid: Any, *, axis: int = 0) -> np.ndarray:
    """Single differential along a grid axis: ``x[i + 1] - x[i]``.

    Parameters
    ----------
    grid : array_like, shape (n_rows, n_cols, n_samples)
    axis : {0, 1}, default 0
        0: between consecutive rows (output ``(n_rows - 1, n_cols, n)``);
        1: between consecutive columns (output ``(n_rows, n_cols - 1, n)``).
        Output ``[i]`` is the dipole between electrodes ``i`` and ``i + 1``.
    """
    ax = _spatial_axis(axis)
    g = _grid(grid, 2 if ax == 0 else 1, 2 if ax == 1 else 1, "a single differential along this axis")
    return np.diff(g, axis=ax)


def double_differential(grid: Any, *, axis: int = 0) -> np.ndarray:
    """Double differential along a grid axis: ``x[i] - 2 x[i + 1] + x[i + 2]``.

    Output ``[i]`` is centred on electrode ``i + 1``; the axis shrinks by 2.
    """
    ax = _spatial_axis(axis)
    g = _grid(grid, 3 if ax == 0 else 1, 3 if ax == 1 else 1, "a double differential along this axis")
    return np.diff(g, n=2, axis=ax)


def laplacian(grid: Any) -> np.ndarray:
    """Normal double differential (discrete Laplacian filter, NDD).

    ``4 x[i, j] - x[i-1, j] - x[i+1, j] - x[i, j-1] - x[i, j+1]`` for every
    electrode with four neighbours: output shape ``(n_rows - 2, n_cols - 2,
    n_samples)``, entry ``[i, j]`` centred on electrode ``(i + 1, j + 1)``.
    (This is minus the discrete Laplacian, the sign used for EMG.)
    """
    g = _grid(grid, 3, 3, "the Laplacian")
    centre = g[1:-1, 1:-1]
    return 4 * centre - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
