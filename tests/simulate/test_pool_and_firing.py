"""Motor unit pool and discharges against Fuglevand et al. (1993) and published ISI variability."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.simulate.firing import DRIVE_FS_HZ, discharge_times, renewal_times
from myograph.simulate.pool import discharge_rate, fuglevand_thresholds, make_pool


def test_thresholds_are_exponential_with_the_stated_range():
    # Fuglevand, Winter & Patla 1993: RTE(i) = exp(a i), a = ln(RR)/n; here normalised so
    # that the last unit is recruited at max_threshold
    thr = fuglevand_thresholds(120, recruitment_range=30.0, max_threshold=0.6)
    assert thr[-1] / thr[0] == pytest.approx(30.0)
    assert thr[-1] == pytest.approx(0.6)
    slope, intercept = np.polyfit(np.arange(120), np.log(thr), 1)
    assert np.allclose(np.log(thr), intercept + slope * np.arange(120), atol=1e-12)
    # most units have low thresholds: the median unit is recruited at RR**-0.5 of the top
    assert np.median(thr) == pytest.approx(0.6 * 30 ** -0.5, rel=0.02)


def test_rate_coding_goes_from_minimum_to_peak_and_is_zero_below_threshold():
    e = np.linspace(0, 1, 101)
    r = discharge_rate(e, 0.2, 8.0, 30.0, 40.0)
    assert np.all(r[e < 0.2] == 0) and r[e >= 0.2][0] == pytest.approx(8.0)
    assert np.all(np.diff(r[e >= 0.2]) >= 0) and r.max() == pytest.approx(30.0)


def test_pool_force_calibration_and_size_ordering():
    pool = make_pool(80, np.random.default_rng(0), max_force_n=50.0)
    assert pool.max_force() == pytest.approx(50.0, rel=1e-9)
    # larger units: more fibres, stronger, faster twitches, faster fibres (size principle)
    assert np.all(np.diff(pool.n_fibres) >= 0) and np.all(np.diff(pool.twitch_n) > 0)
    assert np.all(np.diff(pool.contraction_time_s) < 0) and np.all(np.diff(pool.conduction_velocity_m_s) > 0)
    # Fuglevand: peak twitch range 100, contraction times 90 -> 30 ms
    assert pool.twitch_n[-1] / pool.twitch_n[0] == pytest.approx(100.0, rel=0.05)
    assert pool.contraction_time_s[0] == pytest.approx(0.09) and pool.contraction_time_s[-1] == pytest.approx(0.03)
    # conduction velocities ~3-5 m/s (Andreassen & Arendt-Nielsen 1987)
    assert 3.0 <= pool.conduction_velocity_m_s.min() and pool.conduction_velocity_m_s.max() <= 5.0


def test_pathology_changes_the_pool_in_the_stated_directions():
    rng = np.random.default_rng(1)
    normal = make_pool(100, rng)
    myo = make_pool(100, rng, pathology="myopathic")
    neuro = make_pool(100, rng, pathology="neurogenic")
    assert neuro.n_units < 0.6 * normal.n_units and neuro.n_fibres.mean() > normal.n_fibres.mean()
    assert neuro.peak_rate_hz.max() > normal.peak_rate_hz.max()
    assert np.all(myo.thresholds < normal.thresholds)  # early recruitment
    assert myo.max_force() < 0.5 * normal.max_force()  # fewer, smaller fibres: a weak muscle


def test_isi_coefficient_of_variation_is_within_published_range():
    # steady contractions: ISI CV 0.1-0.25 (Moritz et al. 2005; Fuglevand et al. 1993 used 0.2)
    pool = make_pool(40, np.random.default_rng(2))
    times = discharge_times(pool, np.full(int(30 * DRIVE_FS_HZ), 0.4), DRIVE_FS_HZ, np.random.default_rng(3))
    cvs = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in times if t.size > 50]
    assert len(cvs) > 20
    assert 0.1 <= np.median(cvs) <= 0.25 and all(0.08 <= c <= 0.3 for c in cvs)


def test_mean_rates_follow_rate_coding_under_constant_drive():
    pool = make_pool(30, np.random.default_rng(4))
    e = 0.3
    times = discharge_times(pool, np.full(int(40 * DRIVE_FS_HZ), e), DRIVE_FS_HZ, np.random.default_rng(5))
    expected = pool.rates(np.array([e]))[:, 0]
    measured = np.array([t.size / 40.0 for t in times])
    active = expected > 0
    assert np.all(measured[~active] == 0)
    assert np.allclose(measured[active], expected[active], rtol=0.05)


def test_a_unit_is_silent_below_threshold_and_fires_when_the_drive_rises():
    fs = DRIVE_FS_HZ
    rate = np.concatenate([np.zeros(int(2 * fs)), np.full(int(2 * fs), 20.0)])
    t = renewal_times(rate, fs, 0.15, np.random.default_rng(6))
    assert t.min() >= 2.0 and t.size == pytest.approx(40, abs=4)
