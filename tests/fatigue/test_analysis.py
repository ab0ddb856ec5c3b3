"""analyze_fatigue / summarize_fatigue on Recordings: bad spans skipped and counted, empty channels with a reason."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import myograph
from myograph import ParameterError, SignalError
from myograph.fatigue import analyze_fatigue, fatigue_slopes, median_frequency, summarize_fatigue
from tests.quality.synth import burst_envelope, compressing_emg, shaped_noise

FS = 2048.0


def _recording(seed=0):
    y = compressing_emg(30.0, FS, 0.005, seed=seed, n_channels=2)
    flat = np.zeros((1, y.shape[1]))
    rec = myograph.Recording(np.vstack([y, flat]), FS, ch_names=["vl", "rf", "unused"])
    return rec


def test_windows_table_matches_the_array_functions_and_skips_nothing_on_a_clean_recording():
    rec = _recording()
    w = analyze_fatigue(rec, 0.5, 0.25, channels=["vl", "rf"])
    t, mdf = median_frequency(rec.data[:2], FS, 0.5, 0.25)
    for k, nm in enumerate(["vl", "rf"]):
        sub = w[w.channel == nm]
        np.testing.assert_allclose(sub.time_s, t)
        np.testing.assert_allclose(sub.mdf_hz, mdf[k], rtol=1e-12)
        assert sub.used.all() and set(sub.status) == {"ok"}
    s = summarize_fatigue(w)
    fit = fatigue_slopes(t, mdf)
    np.testing.assert_allclose(s.loc[["vl", "rf"], "mdf_slope_hz_per_s"], fit.slope, rtol=1e-12)
    assert (s.fraction_skipped == 0).all() and (s.reason == "").all()
    assert set(s.jasa) <= {"fatigue", "force_decrease"}  # MNF falls; RMS constant by construction
    assert w.attrs["band_hz"] == [20.0, 450.0]


def test_bad_spans_are_skipped_and_the_skipped_fraction_is_reported():
    rec = _recording().annotate(10.0, 5.0, "BAD_motion", ["vl"]).annotate(20.0, 1.0, "BAD_flat")
    w = analyze_fatigue(rec, 0.5, 0.25, channels=["vl", "rf"])
    vl = w[w.channel == "vl"]
    inside = (vl.time_s - 0.25 < 15.0) & (vl.time_s + 0.25 > 10.0) | (vl.time_s - 0.25 < 21.0) & (vl.time_s + 0.25 > 20.0)
    assert (vl.status[inside] == "bad_span").all() and vl.mdf_hz[inside].isna().all()
    assert (vl.status[~inside] == "ok").all()
    s = summarize_fatigue(w)
    assert s.loc["vl", "fraction_skipped"] == pytest.approx(6.0 / 30.0, abs=1e-3)
    assert s.loc["rf", "fraction_skipped"] == pytest.approx(1.0 / 30.0, abs=1e-3)
    assert s.loc["vl", "n_bad_span"] == inside.sum()
    kept = analyze_fatigue(rec, 0.5, 0.25, channels=["vl"], skip_bad=False)
    assert kept.used.all()


def test_a_channel_with_no_activity_gives_no_rows_and_a_reason():
    rec = _recording()
    w = analyze_fatigue(rec, 0.5, 0.25)
    assert "unused" not in set(w.channel)
    s = summarize_fatigue(w)
    assert s.loc["unused", "reason"].startswith("no activity")
    assert np.isnan(s.loc["unused", "mdf_slope_hz_per_s"]) and s.loc["unused", "n_windows"] == 0


def test_a_bad_channel_is_left_out_with_its_reason_unless_asked():
    rec = _recording().mark_bad("rf", "electrode fell off")
    s = summarize_fatigue(analyze_fatigue(rec, 0.5, 0.25))
    assert s.loc["rf", "reason"] == "channel status bad: electrode fell off"
    assert s.loc["rf", "fraction_skipped"] == 1.0
    s2 = summarize_fatigue(analyze_fatigue(rec, 0.5, 0.25, include_bad_channels=True, channels=["rf"]))
    assert s2.loc["rf", "reason"] == "" and np.isfinite(s2.loc["rf", "mdf_slope_hz_per_s"])


def test_rest_windows_of_repeated_contractions_are_left_out_of_the_trends():
    n = int(40 * FS)
    x = shaped_noise(1, n, FS, np.random.default_rng(4)) * burst_envelope(n, FS, period_s=4.0, on_s=2.0)
    x += np.random.default_rng(5).normal(0, 1e-6, x.shape)
    rec = myograph.Recording(x, FS, ch_names=["ta"])
    w = analyze_fatigue(rec, 0.5, 0.25)
    assert 0.3 < (w.status == "rest").mean() < 0.6
    assert (w.rms[w.status == "rest"] < 0.2 * w.rms[w.used].quantile(0.9)).all()
    s = summarize_fatigue(w)
    assert abs(s.loc["ta", "mdf_slope_pct_per_s"]) < 0.2  # stationary bursts: no trend


def test_nan_samples_are_refused_by_default_and_marked_under_mask():
    data = _recording().get_data()
    data[0, 5000] = np.nan
    rec = myograph.Recording(data, FS, ch_names=["vl", "rf", "unused"])
    with pytest.raises(SignalError, match="non-finite"):
        analyze_fatigue(rec)
    w = analyze_fatigue(rec, nan_policy="mask", channels=["vl"])
    assert (w.status == "nonfinite").sum() == 2 and w.loc[w.status == "nonfinite", "mdf_hz"].isna().all()


def test_recordings_sampled_too_slowly_are_refused():
    rec = myograph.Recording(np.random.default_rng(0).normal(size=(1, 4000)), 200.0)
    with pytest.raises(ParameterError, match="min_fs_hz"):
        analyze_fatigue(rec)
    with pytest.raises(ParameterError, match="no EMG channel"):
        analyze_fatigue(myograph.Recording(np.zeros((1, 4000)), 2000.0, ch_types="FORCE"))


@pytest.mark.shared_data
def test_vicon_c3d_unused_channels_give_empty_results_with_reasons(shared_data):
    path = shared_data / "pyomeca-vicon-c3d" / "markers_analogs.c3d"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", myograph.MyographWarning)  # the reader reports the all-zero channels
        rec = myograph.read(path)
    s = summarize_fatigue(analyze_fatigue(rec, 0.5, 0.25))
    # EMG12-16 of the Trigno sensors and 14 of the 16 IMU-sensor channels are all zero (PROVENANCE.txt)
    zero = [f"Sensor {i}.EMG{i}" for i in range(12, 17)] + [f"Sensor {i}.IM EMG{i}" for i in range(1, 17) if i not in (12, 13)]
    assert all("all samples zero" in s.loc[nm, "reason"] for nm in zero)
    assert (s.loc[zero, "n_windows"] == 0).all()
    active = s[s.reason == ""]
    assert len(active) == 13 and (active.n_used > 5).all()
    assert active.mdf_initial_hz.between(20, 250).all()
