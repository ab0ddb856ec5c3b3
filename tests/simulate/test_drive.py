"""Excitation profiles: shapes, bounds and the ways a user can pass a drive."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.core.errors import ParameterError
from myograph.simulate import drive

T = np.arange(0, 10, 0.002)


def test_constant_ramp_and_trapezoid_have_the_stated_levels_and_times():
    assert np.all(drive.constant(T, level=0.4) == 0.4)
    r = drive.ramp(T, start_s=2.0, stop_s=4.0, start_level=0.1, stop_level=0.5)
    assert r[T < 2].max() == pytest.approx(0.1) and r[T > 4].min() == pytest.approx(0.5)
    assert r[np.searchsorted(T, 3.0)] == pytest.approx(0.3, abs=1e-3)
    z = drive.trapezoid(T, level=0.6, onset_s=1.0, rise_s=1.0, hold_s=2.0, fall_s=1.0)
    assert z[T < 1].max() == 0 and z[(T >= 2) & (T <= 4)].min() == pytest.approx(0.6)
    assert z[T >= 5].max() == pytest.approx(0.0, abs=1e-12)


def test_sinusoid_bursts_and_sequence_stay_in_zero_to_one():
    for x in (drive.sinusoid(T, mean=0.5, amplitude=0.8, frequency_hz=1.0),
              drive.bursts(T, onsets_s=[1, 1.5], durations_s=1.0, level=0.7),
              drive.sequence(T, [(1, 3, 0.4), (2, 5, 0.9)])):
        assert x.min() >= 0 and x.max() <= 1


def test_bursts_are_at_level_inside_and_zero_outside():
    b = drive.bursts(T, onsets_s=[2.0, 6.0], durations_s=[1.0, 2.0], level=0.5, rise_s=0.1)
    assert b[(T > 2.2) & (T < 2.8)].min() == pytest.approx(0.5)
    assert b[(T > 3.01) & (T < 5.99)].max() == 0.0 and b[(T > 6.2) & (T < 7.8)].min() == pytest.approx(0.5)


def test_periodic_pattern_repeats_with_each_cycle():
    x = drive.periodic(T, period_s=1.0, pattern=[(0.1, 0.4, 0.8)])
    one = x[(T >= 2) & (T < 3)]
    two = x[(T >= 5) & (T < 6)]
    assert np.allclose(one, two, atol=1e-9) and one.max() == pytest.approx(0.8, abs=1e-3)
    assert one[:int(0.1 / 0.002)].max() == 0


def test_as_excitation_accepts_number_array_callable_and_named_profile():
    assert np.all(drive.as_excitation(0.2, T) == 0.2)
    assert np.allclose(drive.as_excitation(np.full(T.size, 0.3), T), 0.3)
    assert np.allclose(drive.as_excitation(lambda t: 0.1 + 0 * t, T), 0.1)
    x = drive.as_excitation(("trapezoid", {"level": 0.5, "onset_s": 1, "rise_s": 1, "hold_s": 1, "fall_s": 1}), T)
    assert x.max() == pytest.approx(0.5)
    short = drive.as_excitation(np.array([0.0, 1.0]), T[:501], fs=1.0)  # 2 samples at 1 Hz, resampled
    assert short[250] == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("bad", [1.5, -0.1, ("nope", {}), ("trapezoid", {"levle": 0.3}), np.array([0.0, 2.0])])
def test_as_excitation_refuses_out_of_range_or_unknown_drives(bad):
    with pytest.raises(ParameterError):
        drive.as_excitation(bad, T[:2])
