"""Per-channel quality metrics against injected ground truth (myograph.simulate.noise.add_noise)."""

from __future__ import annotations

import numpy as np
import pytest

import myograph
from myograph import ParameterError, SignalError
from myograph.quality import (
    assess_quality,
    baseline_noise_rms,
    clipping_runs,
    flat_spans,
    motion_power_ratio,
    noise_levels,
    powerline_ratio,
    snr_estimate,
)
from myograph.simulate.noise import NoiseSpec, add_noise
from tests.quality.synth import bursts, shaped_noise

FS = 2048.0


def test_powerline_ratio_rises_with_the_injected_level_and_only_at_the_line_frequency():
    clean = bursts(2, 20.0, FS, seed=1)
    r50, r60 = [], []
    levels = [0, 1, 3, 10, 30, 100, 300]
    for uv in levels:
        y, _ = add_noise(clean, FS, NoiseSpec(amplifier_uv_rms=2, powerline_hz=50, powerline_uv=uv), np.random.default_rng(0))
        r50.append(powerline_ratio(y, FS, 50))
        r60.append(powerline_ratio(y, FS, 60))
    r50, r60 = np.array(r50), np.array(r60)
    assert np.all(np.diff(r50, axis=0) > 0)  # strictly monotone on every channel
    assert np.all(r50[-1] > 0.95) and np.all(r50[0] < 0.08)
    assert np.all(np.diff(r60, axis=0) <= 1e-12)  # a 50 Hz line does not raise the 60 Hz ratio
    # the ratio is P_line / P_band: check one value against the injected powers
    y, _ = add_noise(np.zeros((1, int(20 * FS))), FS, NoiseSpec(amplifier_uv_rms=2, powerline_hz=50, powerline_uv=10,
                                                                 powerline_harmonics=0), np.random.default_rng(1))
    p_line = (10e-6) ** 2 / 2
    p_noise_band = (2e-6) ** 2 * (450 - 20) / (FS / 2)
    assert powerline_ratio(y, FS, 50)[0] == pytest.approx(p_line / (p_line + p_noise_band), rel=0.03)


@pytest.mark.parametrize("snr_db", [5.0, 10.0, 20.0, 30.0])
def test_snr_estimate_is_within_3_db_of_the_injected_snr_on_simulated_bursts(snr_db):
    clean = bursts(4, 30.0, FS, seed=2, rms_v=50e-6)
    y, _ = add_noise(clean, FS, NoiseSpec(), np.random.default_rng(3), snr_db=snr_db)
    est = snr_estimate(y, FS)
    # measured: within 0.4 dB at 5-40 dB
    np.testing.assert_allclose(est, snr_db, atol=3.0)


def test_baseline_noise_rms_recovers_the_amplifier_noise():
    clean = bursts(3, 30.0, FS, seed=4, rms_v=80e-6)
    y, _ = add_noise(clean, FS, NoiseSpec(amplifier_uv_rms=3.0), np.random.default_rng(5))
    # broadband white noise above the 10 Hz high-pass keeps 1 - 10/1024 of its power
    np.testing.assert_allclose(baseline_noise_rms(y, FS) * 1e6, 3.0, rtol=0.05)


def test_signals_without_rest_give_nan_snr_with_a_reason():
    steady = shaped_noise(2, int(20 * FS), FS, np.random.default_rng(6))
    nl = noise_levels(steady, FS)
    assert np.all(np.isnan(nl.snr_db)) and np.all(np.isnan(nl.baseline_rms))
    assert all("no distinct rest" in r for r in nl.reason)
    assert np.all(nl.active_rms > 0)
    flat = noise_levels(np.zeros((1, int(5 * FS))), FS)
    assert np.isnan(flat.snr_db[0]) and "fewer than 4 usable" in flat.reason[0]


def test_clipping_runs_at_a_stated_range_and_at_the_extreme_value():
    x = np.sin(np.linspace(0, 20 * np.pi, 4000)) * 2.0
    clipped = np.clip(x, -1.5, 1.5)
    runs = clipping_runs(clipped, adc_range=1.5)
    assert len(runs) == 20  # 10 cycles, each clipped at the top and the bottom
    mask = np.zeros(x.size, bool)
    for a, b in runs:
        mask[a:b] = True
    np.testing.assert_array_equal(mask, np.abs(clipped) >= 1.5 - 3e-3)
    # without the range: runs at the channel's own extremes (exactly equal samples)
    assert clipping_runs(clipped) == clipping_runs(clipped, adc_range=1.5, tolerance=0.0)
    assert clipping_runs(x) == []  # a clean sine touches its maximum in single samples only
    assert clipping_runs(np.zeros(100)) == []  # constant: flat, not clipped
    with pytest.raises(ParameterError, match="adc_range"):
        clipping_runs(x, adc_range=(1.0, -1.0))


def test_flat_spans_are_found_edge_to_edge_and_short_ones_ignored():
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1e-5, (2, int(10 * FS)))
    x[0, 2048:6144] = 0.0          # 2 s at 0 V
    x[0, 10000:10100] = 3e-5       # 49 ms stuck: shorter than 0.1 s
    x[1] = 0.0                     # a whole unused channel
    spans = flat_spans(x, FS)
    assert spans[0] == [(2048, 6144)]
    assert spans[1] == [(0, x.shape[1])]
    noisy_quiet = rng.normal(0, 1e-9, int(2 * FS))  # very quiet but not flat: no span
    assert flat_spans(noisy_quiet, FS) == []


def test_motion_power_ratio_is_low_for_emg_and_high_with_motion_artefacts():
    clean = bursts(2, 30.0, FS, seed=8)
    y0, _ = add_noise(clean, FS, NoiseSpec(amplifier_uv_rms=2), np.random.default_rng(9))
    y1, _ = add_noise(clean, FS, NoiseSpec(amplifier_uv_rms=2, motion_artifacts_per_min=20, motion_artifact_uv=300),
                      np.random.default_rng(9))
    assert np.all(motion_power_ratio(y0, FS) < -20)
    assert np.all(motion_power_ratio(y1, FS) > -10)


def test_nan_policies_of_the_metrics_and_of_assess_quality():
    clean = bursts(2, 20.0, FS, seed=10)
    y, _ = add_noise(clean, FS, NoiseSpec(amplifier_uv_rms=2), np.random.default_rng(11))
    y[0, 3000:3100] = np.nan
    y[1, 5000] = np.inf
    with pytest.raises(SignalError, match="non-finite"):
        powerline_ratio(y, FS)
    with pytest.raises(SignalError, match="non-finite"):
        snr_estimate(y, FS)
    assert np.all(np.isfinite(powerline_ratio(y, FS, nan_policy="mask")))
    est = snr_estimate(y, FS, nan_policy="mask")
    ref = snr_estimate(np.where(np.isfinite(y), y, 0.0), FS)  # (only to compare: the masked run is short)
    np.testing.assert_allclose(est, ref, atol=0.5)
    assert np.isnan(snr_estimate(y, FS, nan_policy="propagate")).all()
    rec = myograph.Recording(y, FS, ch_names=["a", "b"])
    with pytest.raises(SignalError, match="nan_policy='mask'"):
        assess_quality(rec)
    out, report, spans = assess_quality(rec, nan_policy="mask")
    nonfinite = out.annotations.select("BAD_nonfinite")
    assert len(nonfinite) == 2
    assert nonfinite[0].channels == ("a",) and nonfinite[0].duration == pytest.approx(100 / FS)
    assert report.loc["a", "nonfinite_fraction"] == pytest.approx(100 / y.shape[1])
    assert np.isfinite(report.loc["a", "snr_db"]) and np.isfinite(report.loc["b", "powerline_ratio"])
    assert set(out.annotations.label) == {"BAD_nonfinite"}
    out_p, report_p, _ = assess_quality(rec, nan_policy="propagate")
    assert "BAD_nonfinite" not in set(out_p.annotations.label)


def test_assess_quality_of_a_channel_with_no_activity_reports_it_flat_not_an_exception():
    rec = myograph.Recording(np.zeros((2, int(5 * FS))), FS, ch_names=["a", "b"])
    out, report, _ = assess_quality(rec)
    assert (report.flat_fraction == 1.0).all() and (report.status == "bad").all()
    assert all("all samples equal" in r for r in report.reason)
    assert all("not examined further" in n for n in report.notes)
    assert np.isnan(report.snr_db).all()
