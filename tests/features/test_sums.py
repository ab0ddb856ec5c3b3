"""The running-sum engine of the sliding twins against a direct loop over the windows."""

import numpy as np
import pytest

from myograph.features._sums import window_sums


def _loop(g, length, step, count):
    return np.array([[g[c, k * step : k * step + length].sum(dtype=np.float64) for c in range(g.shape[0])] for k in range(count)])


@pytest.mark.parametrize("length, step", [(40, 10), (39, 10), (38, 10), (199, 50), (37, 7), (10, 10), (5, 10), (1, 3), (33, 1)])
@pytest.mark.parametrize("kind", ["float", "bool"])
def test_window_sums_equal_a_loop_over_the_windows(length, step, kind):
    rng = np.random.default_rng(length * 100 + step)
    m = 1000
    g = rng.random((3, m)) < 0.4 if kind == "bool" else np.abs(rng.standard_normal((3, m))) * 1e-4
    count = (m - length) // step + 1
    got = window_sums(g, length, step, count)
    expected = _loop(g, length, step, count)
    assert got.shape == (count, 3)
    if kind == "bool":
        np.testing.assert_array_equal(got, expected)  # counts are exact
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("length, step", [(39, 10), (38, 10), (40, 10), (37, 7)])
def test_windows_of_zeros_sum_to_exactly_zero_and_sums_are_never_negative(length, step):
    rng = np.random.default_rng(3)
    g = np.abs(rng.standard_normal((2, 600))) * 1e3
    g[:, 200:400] = 0.0  # a silent stretch after large values
    count = (600 - length) // step + 1
    got = window_sums(g, length, step, count)
    inside = [k for k in range(count) if k * step >= 200 and k * step + length <= 400]
    assert inside and np.all(got[inside] == 0.0)
    assert np.all(got >= 0.0)


def test_window_sums_refuse_windows_that_do_not_fit():
    with pytest.raises(ValueError, match="do not fit"):
        window_sums(np.ones((1, 100)), 40, 10, 8)
