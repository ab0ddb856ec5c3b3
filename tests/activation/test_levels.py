"""Activation level: iEMG, %MVC, burst statistics and co-contraction indices against hand computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import trapezoid

from myograph.activation import burst_statistics, burst_summary, cocontraction_index, integrated_emg, percent_mvc
from myograph.core.errors import ParameterError

FS = 1000.0


def test_iemg_equals_the_trapezoid_integral_of_the_rectified_signal():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5000))
    got = integrated_emg(x, FS)
    assert got == pytest.approx([trapezoid(np.abs(r), dx=1 / FS) for r in x], rel=1e-12)
    assert integrated_emg(np.full(1001, -2e-3), FS) == pytest.approx(2e-3 * 1.0)


def test_iemg_per_interval_integrates_the_samples_of_each_interval():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(5000)
    iv = np.array([[0.5, 1.25], [2.0, 2.001], [3.0, 4.5]])
    got = integrated_emg(x, FS, iv)
    want = [trapezoid(np.abs(x[500:1250]), dx=1e-3), trapezoid(np.abs(x[2000:2001]), dx=1e-3),
            trapezoid(np.abs(x[3000:4500]), dx=1e-3)]
    assert got == pytest.approx(want, rel=1e-12)


def test_iemg_under_mask_leaves_non_finite_samples_out():
    x = np.ones(11)
    x[5] = np.nan
    assert integrated_emg(x, 10.0, nan_policy="mask") == pytest.approx(0.8)


def test_percent_mvc_divides_by_the_peak_window_mean_of_the_mvc_trial():
    mvc = np.r_[np.zeros(1000), np.full(1000, 4.0), np.zeros(1000)]
    env = np.full(500, 1.0)
    res = percent_mvc(env, mvc, FS, window_s=0.5)
    assert res.values == pytest.approx(np.full(500, 25.0))
    assert float(res.reference) == pytest.approx(4.0)


def test_burst_statistics_measure_each_burst_and_summaries_count_them():
    x = np.zeros((2, 4000))
    x[0, 1000:1500] = 2.0
    x[0, 2000:2250] = -1.0
    x[1, 3000:3100] = 3.0
    iv = [np.array([[1.0, 1.5], [2.0, 2.25]]), np.array([[3.0, 3.1]])]
    df = burst_statistics(x, FS, iv, ch_names=["a", "b"])
    assert df["channel"].tolist() == ["a", "a", "b"]
    assert df["duration_s"].tolist() == pytest.approx([0.5, 0.25, 0.1])
    assert df["peak"].tolist() == pytest.approx([2.0, 1.0, 3.0])
    assert df["rms"].tolist() == pytest.approx([2.0, 1.0, 3.0])
    assert df["mean_rectified"].tolist() == pytest.approx([2.0, 1.0, 3.0])
    assert df["iemg"].tolist() == pytest.approx([2.0 * 0.499, 1.0 * 0.249, 3.0 * 0.099])
    summ = burst_summary(df, duration_s=4.0)
    a = summ.set_index("channel").loc["a"]
    assert a["n_bursts"] == 2 and a["active_s"] == pytest.approx(0.75)
    assert a["duty_cycle"] == pytest.approx(0.75 / 4.0) and a["bursts_per_min"] == pytest.approx(30.0)


def test_falconer_winter_index_matches_hand_computation_over_common_activity():
    ag = np.full(2001, 2.0)
    an = np.full(2001, 1.0)
    # 2 * I_ant / (I_ag + I_ant) * 100 = 2 * 1 / 3 * 100
    assert cocontraction_index(ag, an, FS) == pytest.approx(200.0 / 3.0)
    assert cocontraction_index(ag, ag, FS) == pytest.approx(100.0)
    # antagonist active only in [0.5, 1.0) s; agonist throughout; outside the common span nothing counts
    an2 = np.where((np.arange(2001) >= 500) & (np.arange(2001) < 1000), 1.0, 5.0)
    ci = cocontraction_index(ag, an2, FS, agonist_intervals=[[0.0, 2.0]], antagonist_intervals=[[0.5, 1.0]])
    assert ci == pytest.approx(200.0 / 3.0)
    assert cocontraction_index(ag, an, FS, agonist_intervals=[[0.0, 0.5]], antagonist_intervals=[[1.0, 2.0]]) == 0.0


def test_rudolph_index_matches_hand_computation():
    ag = np.array([10.0, 20.0, 40.0, 0.0])
    an = np.array([10.0, 10.0, 10.0, 0.0])
    # (lower/higher)*(lower+higher): 1*20, 0.5*30, 0.25*50, 0 -> mean = (20 + 15 + 12.5 + 0) / 4
    assert cocontraction_index(ag, an, FS, method="rudolph") == pytest.approx(47.5 / 4)
    assert cocontraction_index(an, ag, FS, method="rudolph") == pytest.approx(47.5 / 4)  # symmetric


def test_cocontraction_works_on_several_pairs_and_refuses_signed_signals():
    ag = np.vstack([np.full(100, 2.0), np.full(100, 1.0)])
    an = np.vstack([np.full(100, 1.0), np.full(100, 1.0)])
    assert cocontraction_index(ag, an, FS) == pytest.approx([200 / 3, 100.0])
    with pytest.raises(ParameterError, match="amplitude"):
        cocontraction_index(np.array([1.0, -1.0]), np.array([1.0, 1.0]), FS)
    with pytest.raises(ParameterError, match="method"):
        cocontraction_index(ag, an, FS, method="x")
