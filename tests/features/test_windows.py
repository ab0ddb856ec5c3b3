"""Windowing: shape, count, timing, zero-copy read-only views, bad parameters."""

import numpy as np
import pytest

from myograph import ParameterError
from myograph.features import label_windows, window_lengths, windows


def test_shape_count_and_times():
    fs = 1000.0
    x = np.arange(2 * 1234, dtype=float).reshape(2, 1234)
    w, start = windows(x, fs, 0.2, 0.05)
    assert w.shape == ((1234 - 200) // 50 + 1, 2, 200)
    np.testing.assert_allclose(start, np.arange(w.shape[0]) * 0.05)
    for k in (0, 3, w.shape[0] - 1):
        np.testing.assert_array_equal(w[k], x[:, k * 50 : k * 50 + 200])
    # the last window ends inside the signal and one more would not fit
    assert (w.shape[0] - 1) * 50 + 200 <= 1234 < w.shape[0] * 50 + 200


def test_view_no_copy_read_only():
    x = np.random.default_rng(0).standard_normal((3, 500))
    w, _ = windows(x, 500.0, 0.1, 0.02)
    assert np.shares_memory(w, x)
    assert not w.flags.writeable
    with pytest.raises(ValueError):
        w[0, 0, 0] = 1.0


def test_one_dimensional_is_one_channel():
    w, _ = windows(np.ones(100), 100.0, 0.5, 0.25)
    assert w.shape == (3, 1, 50)


def test_exact_fit_and_rounding():
    w, _ = windows(np.zeros((1, 200)), 1000.0, 0.2, 0.05)
    assert w.shape == (1, 1, 200)
    assert window_lengths(200.0, 0.2, 0.05) == (40, 10)


@pytest.mark.parametrize(
    "window_s, step_s, name",
    [(2.0, 0.05, "window_s"), (0.0, 0.05, "window_s"), (-0.1, 0.05, "window_s"), (0.2, 0.0, "step_s"),
     (0.2, -0.05, "step_s"), (0.2, float("nan"), "step_s"), (0.0001, 0.05, "window_s"), (0.2, 0.0001, "step_s")],
)
def test_bad_parameters_name_themselves(window_s, step_s, name):
    with pytest.raises(ParameterError) as e:
        windows(np.zeros((2, 1000)), 1000.0, window_s, step_s)
    assert e.value.name == name


def test_bad_fs():
    with pytest.raises(ParameterError) as e:
        windows(np.zeros((2, 1000)), 0.0, 0.2, 0.05)
    assert e.value.name == "fs"


def test_label_windows():
    labels = np.array([0] * 150 + [1] * 100 + [2] * 50)
    maj = label_windows(labels, 1000.0, 0.1, 0.05)
    last = label_windows(labels, 1000.0, 0.1, 0.05, how="last")
    assert maj.shape == last.shape == ((300 - 100) // 50 + 1,)
    # window [100, 200): 50 zeros, 50 ones -> tie -> smallest; [150, 250): all ones
    np.testing.assert_array_equal(maj, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(last, [0, 0, 1, 1, 2])
