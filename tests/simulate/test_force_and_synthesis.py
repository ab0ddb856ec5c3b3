"""Twitch force and template synthesis: exact against direct sums and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.simulate.force import muscle_force, steady_force, twitch, twitch_gain
from myograph.simulate.synth import sum_templates


def test_a_single_twitch_peaks_at_the_contraction_time_with_the_peak_force():
    fs = 2000.0
    f = muscle_force([np.array([0.1])], np.array([2.0]), np.array([0.05]), fs, 2000)
    assert f.max() == pytest.approx(2.0, rel=0.01)
    assert np.argmax(f) / fs == pytest.approx(0.15, abs=0.005)
    assert np.allclose(f, twitch(np.arange(2000) / fs - 0.1, 2.0, 0.05), atol=0.02)


def test_fused_tetanus_matches_the_steady_force_with_fuglevands_gain():
    fs, p, ct, rate = 2000.0, 1.0, 0.05, 40.0
    times = np.arange(0, 4, 1 / rate)
    f = muscle_force([times], np.array([p]), np.array([ct]), fs, int(4 * fs))
    assert f[int(2 * fs):].mean() == pytest.approx(steady_force(p, ct, rate), rel=0.03)
    # the force-rate relation is sigmoidal: linear up to T/ISI = 0.4, saturated by T/ISI = 2
    assert twitch_gain(np.array([0.2]))[0] == 1.0
    assert steady_force(p, ct, 2.0 / ct) == pytest.approx(steady_force(p, ct, 4.0 / ct), rel=1e-6)
    assert steady_force(p, ct, 1.0 / ct) > 1.5 * steady_force(p, ct, 0.5 / ct)


@pytest.mark.parametrize("method", ["lags", "sparse", "fft"])
def test_every_synthesis_method_equals_the_direct_sum(method):
    rng = np.random.default_rng(0)
    units, chans, lags, n = 5, 3, 30, 5000
    tm = rng.standard_normal((units, chans, lags))
    trains = [np.sort(rng.choice(n, 60, replace=False)) for _ in range(units)]
    ref = np.zeros((chans, n + 2 * lags))
    for u in range(units):
        for s in trains[u]:
            ref[:, s + lags - 2:s + 2 * lags - 2] += tm[u]
    ref = ref[:, lags:lags + n]
    out = sum_templates(trains, tm, n, lag0=2, method=method)
    assert np.allclose(out, ref, atol=1e-12)


def test_fractional_discharges_split_between_neighbouring_samples():
    tm = np.zeros((1, 1, 3))
    tm[0, 0, 0] = 1.0
    out = sum_templates([np.array([10.25])], tm, 20, fractional=True)
    assert out[0, 10] == pytest.approx(0.75) and out[0, 11] == pytest.approx(0.25) and out.sum() == pytest.approx(1.0)
