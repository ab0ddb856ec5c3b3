"""Spatial filters on synthetic grids against hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from myograph import Channel, ParameterError, Recording
from myograph.signal import double_differential, from_grid, grid_positions, laplacian, single_differential, to_grid


def grid_3x4():
    # value at (r, c) = 10 r + c squared pattern, 2 samples (second = first * -1)
    g = np.array([[(10 * r + c) ** 2 for c in range(4)] for r in range(3)], dtype=float)
    return np.stack([g, -g], axis=-1)


def test_laplacian_matches_hand_computation_on_a_3x4_grid():
    g = grid_3x4()
    out = laplacian(g)
    assert out.shape == (1, 2, 2)
    v = lambda r, c: (10 * r + c) ** 2  # noqa: E731
    for j, c in enumerate((1, 2)):
        hand = 4 * v(1, c) - v(0, c) - v(2, c) - v(1, c - 1) - v(1, c + 1)
        assert out[0, j, 0] == hand
        assert out[0, j, 1] == -hand
    # for (10r + c)^2 the discrete Laplacian is 2*100 + 2*1 everywhere, so the NDD is -202
    np.testing.assert_array_equal(out[..., 0], -202.0)


def test_laplacian_of_a_linear_field_is_zero():
    r, c = np.mgrid[0:5, 0:6]
    g = (3.0 * r - 2.0 * c + 7.0)[..., np.newaxis]
    np.testing.assert_allclose(laplacian(g), 0.0)


def test_single_and_double_differentials_along_rows_and_columns():
    g = grid_3x4()
    sd_rows = single_differential(g, axis=0)
    assert sd_rows.shape == (2, 4, 2)
    assert sd_rows[0, 1, 0] == (10 + 1) ** 2 - 1 ** 2  # x[1, 1] - x[0, 1]
    sd_cols = single_differential(g, axis=1)
    assert sd_cols.shape == (3, 3, 2)
    assert sd_cols[2, 0, 0] == 21 ** 2 - 20 ** 2
    dd = double_differential(g, axis=1)
    assert dd.shape == (3, 2, 2)
    assert dd[1, 0, 0] == 10 ** 2 - 2 * 11 ** 2 + 12 ** 2  # = 2


def test_to_grid_places_channels_by_row_and_col_and_marks_missing_positions_nan():
    x = np.arange(10.0).reshape(5, 2)
    rows = np.array([0, 0, 1, 1, 2])
    cols = np.array([0, 1, 0, 1, 1])  # position (2, 0) has no electrode
    g = to_grid(x, rows, cols)
    assert g.shape == (3, 2, 2)
    np.testing.assert_array_equal(g[1, 0], x[2])
    assert np.isnan(g[2, 0]).all()
    back, r, c = from_grid(g)
    np.testing.assert_array_equal(back, x)
    np.testing.assert_array_equal(r, rows)
    np.testing.assert_array_equal(c, cols)
    sd = single_differential(g, axis=0)
    assert np.isnan(sd[1, 0]).all()  # a missing electrode is never interpolated


def test_bad_grids_are_refused():
    with pytest.raises(ParameterError, match="share grid position row 0, col 0"):
        to_grid(np.zeros((2, 3)), np.array([0, 0]), np.array([0, 0]))
    with pytest.raises(ParameterError, match="at least 3 rows and 3 columns"):
        laplacian(np.zeros((2, 5, 10)))
    with pytest.raises(ParameterError, match="axis"):
        single_differential(np.zeros((3, 3, 4)), axis=2)


def test_grid_positions_come_from_the_channel_table():
    chans = [Channel(f"e{r}{c}", group="grid1", row=r, col=c) for r in range(3) for c in range(3)]
    data = np.array([[10.0 * ch.row + ch.col] for ch in chans])
    rec = Recording(data, fs=1000.0, channels=chans)
    g = to_grid(rec.data, *grid_positions(rec.channels))
    assert g.shape == (3, 3, 1) and g[2, 1, 0] == 21.0
    assert laplacian(g)[0, 0, 0] == 4 * 11 - 1 - 21 - 10 - 12
    with pytest.raises(ParameterError, match="'x' has no grid position"):
        grid_positions([Channel("x")])
