"""Amplitude normalisation returns the reference it used."""

from __future__ import annotations

import numpy as np
import pytest

from myograph import ParameterError, SignalError
from myograph.signal import (
    normalize_by,
    normalize_to_mvc,
    normalize_to_peak,
    normalize_to_reference,
    reference_amplitude,
)

FS = 100.0


def test_normalize_to_mvc_divides_by_the_highest_windowed_mean_of_the_mvc_trial():
    mvc = np.zeros((2, 1000))
    mvc[0, 300:350] = 2.0  # a 0.5 s plateau at 2.0 on channel 0
    mvc[0, 600] = 10.0  # a one-sample spike: averaged away by the window
    mvc[1, 100:200] = 4.0
    x = np.ones((2, 50))
    res = normalize_to_mvc(x, mvc, FS, window_s=0.5)
    np.testing.assert_allclose(res.reference, [2.0, 4.0])
    np.testing.assert_allclose(res.values, [[50.0] * 50, [25.0] * 50])
    assert res.reference_time_s[0] == pytest.approx(3.245)  # centre of samples 300..349
    assert 1.0 <= res.reference_time_s[1] <= 1.5
    values, reference, _ = res  # unpacks like a tuple
    assert reference is res.reference


def test_normalize_to_mvc_without_a_window_uses_the_largest_sample():
    mvc = np.array([[0.0, 1.0, 3.0, 1.0]])
    res = normalize_to_mvc(np.array([[1.5, 3.0]]), mvc, FS, window_s=None, percent=False)
    np.testing.assert_allclose(res.values, [[0.5, 1.0]])
    assert res.reference_time_s[0] == pytest.approx(0.02)


def test_normalize_to_peak_uses_the_signal_s_own_peak():
    x = np.array([[1.0, 4.0, 2.0], [0.5, 0.25, 1.0]])
    res = normalize_to_peak(x, FS)
    np.testing.assert_allclose(res.reference, [4.0, 1.0])
    np.testing.assert_allclose(res.values, [[25, 100, 50], [50, 25, 100]])


def test_normalize_to_reference_uses_the_mean_of_the_reference_contraction():
    ref = np.full((1, 200), 0.5) + np.sin(np.arange(200)) * 0.1
    res = normalize_to_reference(np.array([[0.25]]), ref, FS)
    assert res.reference[0] == pytest.approx(ref.mean())
    assert np.isnan(res.reference_time_s[0])


def test_normalize_by_given_values_records_them():
    res = normalize_by(np.ones((3, 4)), [1.0, 2.0, 4.0], percent=False)
    np.testing.assert_allclose(res.values[:, 0], [1.0, 0.5, 0.25])
    np.testing.assert_allclose(res.reference, [1.0, 2.0, 4.0])


def test_a_flat_or_missing_reference_is_refused_naming_the_channel():
    with pytest.raises(SignalError, match="reference: channel 1 has reference amplitude 0.0"):
        normalize_to_mvc(np.ones((2, 10)), np.vstack([np.ones(100), np.zeros(100)]), FS)
    with pytest.raises(ParameterError, match="one value per channel"):
        normalize_by(np.ones((3, 4)), [1.0, 2.0])
    with pytest.raises(SignalError, match="shorter than window_s"):
        normalize_to_mvc(np.ones((1, 10)), np.ones((1, 10)), FS, window_s=0.5)


def test_reference_amplitude_under_mask_ignores_non_finite_samples():
    ref = np.ones((1, 300))
    ref[0, 100:150] = 3.0
    ref[0, 10] = np.nan
    value, _ = reference_amplitude(ref, FS, window_s=0.2, nan_policy="mask")
    assert value[0] == pytest.approx(3.0)
    with pytest.raises(SignalError):
        reference_amplitude(ref, FS)
    with pytest.raises(ParameterError, match="statistic"):
        reference_amplitude(np.ones((1, 300)), FS, statistic="median")
