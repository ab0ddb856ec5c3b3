"""all_finite (the finiteness check every signal function runs) against testing each value."""

import numpy as np
import pytest

from myograph.signal._validate import all_finite


@pytest.mark.parametrize("shape", [(5,), (3, 400), (2, 3, 50)])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf, "both infinities"])
def test_all_finite_equals_testing_every_value(shape, bad):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape) * 1e-4
    if bad == "both infinities":  # +inf and -inf in one row would sum to NaN; in separate rows to +-inf
        x.flat[0], x.flat[-1] = np.inf, -np.inf
    elif bad is not None:
        x.flat[rng.integers(x.size)] = bad
    assert all_finite(x) == bool(np.isfinite(x).all())
    assert all_finite(x[..., ::2]) == bool(np.isfinite(x[..., ::2]).all())  # not contiguous


def test_large_finite_values_that_overflow_a_sum_are_still_finite():
    x = np.full((2, 10), 1e308)
    with np.errstate(over="ignore"):
        assert np.isinf(x.sum(axis=-1)).all()
    assert all_finite(x)
    x[1, 3] = np.nan
    assert not all_finite(x)


def test_empty_and_other_dtypes():
    assert all_finite(np.zeros((2, 0)))
    assert all_finite(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert not all_finite(np.array([1.0, np.nan], dtype=np.float32))
