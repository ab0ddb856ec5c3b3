"""Every registered detector against ground truth on synthetic bursts, plus each paper's own numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from myograph.activation import DETECTORS, detect_onsets, detect_onsets_report
from myograph.activation._runs import clean_runs, hysteresis, merge_overlaps, runs
from myograph.activation.detectors import bonato_threshold, quietest_segment
from myograph.activation.detectors.abbink import transition_index
from myograph.activation.detectors.aglr import glr_statistic
from myograph.activation.detectors.londral import _moving_variance
from myograph.core.errors import ParameterError
from tests.activation.synth import make_bursts, score

FS = 2000.0

#: per detector: parameters for this test, the lowest F1 and the largest median |onset error| (ms) accepted
#: on 4 channels x 20 s of bursts at 20 dB (raw white noise, no band-pass). Detectors published without a
#: duration rule (Hodges & Bui, Abbink) count every noise crossing as a burst, so they are held to their
#: recall with the published defaults and to F1 with a 50 ms duration rule added.
EXPECTED = {
    "hodges_bui": ({"min_on_s": 0.05, "min_off_s": 0.05}, 0.97, 20.0),
    "bonato": ({}, 0.97, 15.0),
    "lidierth": ({}, 0.97, 20.0),
    "abbink": ({"min_on_s": 0.05, "min_off_s": 0.05}, 0.95, 25.0),
    "solnik": ({}, 0.97, 15.0),
    "silva": ({}, 0.97, 10.0),
    "londral": ({}, 0.97, 40.0),
    "aglr": ({}, 0.99, 5.0),
    "auto": ({}, 0.99, 5.0),
}


@pytest.fixture(scope="module")
def bursts20():
    return make_bursts(4, 20.0, FS, 20.0, seed=11)


def test_every_registered_detector_has_an_expectation_a_reference_and_documented_parameters():
    assert set(DETECTORS) == set(EXPECTED)
    for name, det in DETECTORS.items():
        assert det.reference and det.summary
        assert set(det.parameters) == set(det.defaults), name
        for p in det.defaults:
            assert "samples" not in p and p not in ("size", "m", "r0", "fail_size", "threshold"), (name, p)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_detector_finds_synthetic_bursts_at_20_db_within_its_stated_tolerance(name, bursts20):
    x, truth = bursts20
    params, min_f1, max_ms = EXPECTED[name]
    rest = None if name == "auto" else (0.1, 0.9)
    got = detect_onsets(x, FS, name, rest_s=rest, **params)
    s = score(got, truth)
    assert s["f1"] >= min_f1, s
    assert s["median_abs_error_s"] * 1e3 <= max_ms, s
    assert all(np.all(iv[:, 1] > iv[:, 0]) for iv in got)


@pytest.mark.parametrize("name", ["hodges_bui", "abbink"])
def test_detectors_without_a_duration_rule_find_every_burst_with_published_defaults(name, bursts20):
    x, truth = bursts20
    s = score(detect_onsets(x, FS, name, rest_s=(0.1, 0.9)), truth)
    assert s["recall"] >= 0.97, s


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parameters_in_seconds_give_the_same_onsets_at_1_and_2_khz(name):
    truth = [np.array([[1.2, 2.0], [3.1, 3.9], [5.0, 6.2]])] * 2
    params = EXPECTED[name][0]
    rest = None if name == "auto" else (0.1, 0.9)
    found = {}
    for fs in (1000.0, 2000.0):
        x, _ = make_bursts(2, 7.5, fs, 20.0, seed=3, truth=truth)
        found[fs] = detect_onsets(x, fs, name, rest_s=rest, **params)
        s = score(found[fs], truth)
        assert s["recall"] == 1.0, (fs, s)
    for a, b in zip(found[1000.0], found[2000.0]):
        s = score([a], [b], tol_s=0.1)
        assert s["recall"] == 1.0
        assert s["median_abs_error_s"] <= 0.015, s


def test_auto_meets_the_default_goal_at_6_10_and_20_db_without_a_rest_segment():
    for snr in (6.0, 10.0, 20.0):
        x, truth = make_bursts(4, 30.0, FS, snr, seed=int(snr))
        s = score(detect_onsets(x, FS), truth)
        assert s["f1"] >= 0.99, (snr, s)
        assert s["median_abs_error_s"] <= 0.005, (snr, s)


def test_auto_finds_simulated_motor_unit_bursts_late_by_the_physiological_build_up_only():
    from myograph.simulate import surface

    on = [1.0, 3.2, 5.5, 7.4]
    exc = ("bursts", {"onsets_s": on, "durations_s": 1.0, "level": 0.5})
    rec, truth = surface(10.0, FS, muscles=["BB", "TA"], excitation=exc, force=False, snr_db=10.0, seed=2)
    x = rec.get_data()
    tr = [np.array(truth.activation_for(c)) for c in rec.ch_names]
    s = score(detect_onsets(x, FS), tr)
    assert s["f1"] == 1.0, s
    assert s["median_abs_error_s"] <= 0.06, s  # EMG power builds up tens of ms after recruitment starts


def test_bonato_first_threshold_follows_the_papers_false_alarm_formula():
    # P(at least r0 of m windows exceed zeta) = Pfa with P(g > zeta) = exp(-zeta / 2) (chi-square, 2 dof)
    assert bonato_threshold(0.05, 5, 1) == pytest.approx(-2 * math.log(1 - 0.95 ** (1 / 5)), rel=1e-9)
    assert bonato_threshold(0.05, 1, 1) == pytest.approx(-2 * math.log(0.05), rel=1e-9)
    with pytest.raises(ParameterError):
        bonato_threshold(1.5, 5, 1)


def test_bonato_false_alarm_rate_on_noise_matches_its_design():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 400_000))
    # one window of m = 5 pairs at fs = 1000 Hz: window_s = 0.01; no duration rule
    iv = DETECTORS["bonato"].function(x, 1000.0, rest=x[:, :100_000], pfa=0.05, window_s=0.01, min_duration_s=0)[0]
    n_windows = 400_000 // 2
    # alarms start where a window turns active; with r0 = 1 a window is active with probability Pfa
    active = np.sum(np.diff(iv, axis=1)) * 1000.0 / 2
    assert active / n_windows == pytest.approx(0.05, rel=0.1)


def test_aglr_statistic_is_the_log_likelihood_ratio_of_a_variance_change():
    assert glr_statistic(np.array(1.0), 100) == 0.0
    r = 4.0
    # n/2 (r - 1 - ln r): log-likelihood of N(0, r s^2) vs N(0, s^2) for n samples of variance r s^2, at the MLE
    assert glr_statistic(np.array(r), 10) == pytest.approx(5 * (r - 1 - math.log(r)))


def test_aglr_and_auto_place_a_clean_variance_step_within_a_few_samples():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 8000))
    x[:, 3000:6000] *= 4.0
    for name in ("aglr", "auto"):
        iv = detect_onsets(x, 1000.0, name, rest_s=(0.1, 2.0) if name == "aglr" else None)
        for row in iv:
            assert row.shape == (1, 2)
            assert abs(row[0, 0] - 3.0) <= 0.004 and abs(row[0, 1] - 6.0) <= 0.01


def test_abbink_transition_index_peaks_at_the_step():
    v = np.r_[np.zeros(50), np.ones(50)][None, :]
    t = transition_index(v < 0.5, v > 0.5, 10)
    assert int(np.argmax(t[0])) == 49 and t[0, 49] == 20


def test_lidierth_ignores_short_excursions_and_drops_short_states():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 6000)) * 0.1
    x[0, 1000:1004] = 5.0          # a 4 ms spike: above threshold for ~30 ms once averaged, shorter than T1
    x[0, 3000:4500] = rng.standard_normal(1500) * 2.0
    x[0, 3700:3730] = 0.0          # a 30 ms dip inside the burst: below threshold for less than T1
    iv = detect_onsets(x[0], 1000.0, "lidierth", rest_s=(0.1, 0.9))
    assert iv.shape == (1, 2)
    assert abs(iv[0, 0] - 3.0) < 0.05 and abs(iv[0, 1] - 4.5) < 0.05


def test_londral_test_function_is_the_moving_variance():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1000))
    mv = _moving_variance(x, 1000.0, 0.05)
    assert mv[0, 500] == pytest.approx(np.var(x[0, 475:525]), rel=1e-9)


def test_silva_needs_an_adaptive_window_longer_than_the_test_window(bursts20):
    x, _ = bursts20
    with pytest.raises(ParameterError, match="threshold_window_s"):
        detect_onsets(x, FS, "silva", window_s=0.05, threshold_window_s=0.04)


def test_solnik_conditioning_uses_the_teager_kaiser_energy_of_a_sinusoid():
    # Kaiser 1990: psi[A cos(W n)] = A^2 sin^2(W)
    from myograph.signal import teager_kaiser

    n = np.arange(200)
    psi = teager_kaiser(3.0 * np.cos(0.3 * n))
    assert psi[1:-1] == pytest.approx(np.full(198, 9.0 * math.sin(0.3) ** 2))


def test_the_quietest_segment_stands_in_for_a_rest_segment():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 10_000))
    x[:, :4000] *= 10
    x[:, 6000:] *= 10
    q = quietest_segment(x, 1000.0, 0.5)
    assert q.shape == (2, 500)
    assert np.std(q) < 1.5


def test_vectorised_runs_hysteresis_and_merging_agree_with_hand_results():
    ch, a, b = runs(np.array([[0, 1, 1, 0, 1], [1, 0, 0, 1, 1]], dtype=bool))
    assert ch.tolist() == [0, 0, 1, 1] and a.tolist() == [1, 4, 0, 3] and b.tolist() == [3, 5, 1, 5]
    state = hysteresis(np.array([[0, 1, 0, 0, 0, 1]], bool), np.array([[1, 0, 0, 1, 1, 0]], bool))
    assert state[0].tolist() == [False, True, True, False, False, True]
    ch, a, b = clean_runs(np.array([0, 0, 0]), np.array([0, 12, 30]), np.array([10, 20, 31]), min_on=3, min_off=5)
    assert a.tolist() == [0] and b.tolist() == [20]
    ch, a, b = merge_overlaps(np.array([0, 0, 1]), np.array([5, 0, 0]), np.array([9, 6, 2]))
    assert ch.tolist() == [0, 1] and a.tolist() == [0, 0] and b.tolist() == [9, 2]


def test_unknown_methods_and_parameters_are_refused_with_the_allowed_names(bursts20):
    x, _ = bursts20
    with pytest.raises(ParameterError, match="must be one of"):
        detect_onsets(x, FS, "nope")
    with pytest.raises(ParameterError, match="its parameters are"):
        detect_onsets(x, FS, "auto", threshold=3)
    with pytest.raises(ParameterError, match="rest_s"):
        detect_onsets(x, FS, "bonato", rest_s=(5.0, 1.0))
    with pytest.raises(ParameterError, match="on_db"):
        detect_onsets(x, FS, on_db=3.0, off_db=6.0)


def test_a_1d_signal_gives_one_array_and_a_report_gives_tables(bursts20):
    x, truth = bursts20
    iv = detect_onsets(x[0], FS)
    assert isinstance(iv, np.ndarray) and iv.shape[1] == 2
    rep = detect_onsets_report(x, FS, ch_names=["a", "b", "c", "d"])
    df = rep.to_dataframe()
    assert set(df["channel"]) == {"a", "b", "c", "d"}
    assert (df["duration_s"] > 0).all()
    assert rep.summary()["status"].tolist() == ["ok"] * 4
    assert rep["b"].n_bursts == len(rep.intervals[1])
