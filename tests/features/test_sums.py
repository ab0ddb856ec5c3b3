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


# ---------------------------------------------------------------- the engine with several terms

from myograph.features._sums import RunningSums, Term  # noqa: E402


CONTRIBUTIONS = {  # key: (lag, count, contributions of a chunk x)
    "|x|": (0, False, np.abs),
    "|dx|": (1, False, lambda x: np.abs(np.diff(x, axis=1))),
    "ddx^2": (2, False, lambda x: np.diff(x, 2, axis=1) ** 2),
    "zc": (1, True, lambda x: np.signbit(x[:, 1:]) != np.signbit(x[:, :-1])),
    "ssc": (2, True, lambda x: np.diff(x, axis=1)[:, 1:] * np.diff(x, axis=1)[:, :-1] <= 0),
}


def _terms(calls):
    def fill(key, f):
        def run(x, out):
            calls[key] = calls.get(key, 0) + 1
            out[...] = f(x)
        return run

    terms = [Term(k, lag, count, fill(k, f)) for k, (lag, count, f) in CONTRIBUTIONS.items()]
    return terms + [Term("|x|", 0, False, fill("|x| again", np.abs))]  # a repeated key: computed once


@pytest.mark.parametrize("n_window, step", [(40, 10), (200, 50), (37, 7), (5, 10), (30, 30)])
def test_running_sums_of_several_terms_equal_a_loop_chunk_after_chunk(n_window, step):
    rng = np.random.default_rng(n_window)
    x = rng.standard_normal((3, 900)) * 1e-4
    x[1, ::5] = 0.0
    calls = {}
    eng = RunningSums(_terms(calls), 3, n_window, step, 600)
    # a full-length chunk, then a shorter one: the padding left by the longer must not leak into the shorter
    for start, length in [(0, 600), (100, 600), (300, 250), (0, 600)]:
        seg = x[:, start : start + length]
        count = (length - n_window) // step + 1
        got = eng.sums(seg, count)
        for key, (lag, is_count, f) in CONTRIBUTIONS.items():
            expected = _loop(np.asarray(f(seg), dtype=np.float64), n_window - lag, step, count).T
            if is_count:
                np.testing.assert_array_equal(got[key], expected, err_msg=key)
            else:
                np.testing.assert_allclose(got[key], expected, rtol=1e-12, atol=1e-300, err_msg=key)
    assert calls["|x|"] == 4 and "|x| again" not in calls


def test_running_sums_refuse_a_chunk_longer_than_their_buffers():
    eng = RunningSums(_terms({}), 2, 40, 10, 200)
    with pytest.raises(ValueError, match="do not fit"):
        eng.sums(np.ones((2, 300)), 27)
