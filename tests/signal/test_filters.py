"""Filter designs, zero-phase offline filtering, refusals and NaN policies."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipy.signal as sps

from myograph import MyographWarning, ParameterError, SignalError
from myograph.signal import (
    bandpass,
    cascade,
    check_sos,
    describe_sos,
    design_bandpass,
    design_highpass,
    design_lowpass,
    design_notch,
    design_powerline,
    filter_padlen,
    filter_sos,
    highpass,
    lowpass,
    notch,
    remove_dc,
    remove_powerline,
)

FS = 2000.0


def gain_db(sos, f_hz, fs=FS):
    _, h = sps.sosfreqz(sos, worN=np.atleast_1d(np.asarray(f_hz, dtype=float)), fs=fs)
    return 20 * np.log10(np.abs(h))


def sine_gain_db(filtered_fn, f_hz, fs=FS, seconds=6.0):
    """Steady-state gain of an offline filter, measured on a sinusoid (middle third)."""
    t = np.arange(int(seconds * fs)) / fs
    x = np.sin(2 * np.pi * f_hz * t)
    y = filtered_fn(x)
    mid = slice(len(t) // 3, 2 * len(t) // 3)
    basis = np.stack([np.sin(2 * np.pi * f_hz * t[mid]), np.cos(2 * np.pi * f_hz * t[mid])])
    coef = np.linalg.lstsq(basis.T, y[mid], rcond=None)[0]
    return 20 * np.log10(np.hypot(*coef))


# --- designs ---------------------------------------------------------------------------
def test_butterworth_designs_are_minus_3_db_at_their_cutoffs():
    np.testing.assert_allclose(gain_db(design_bandpass(20, 450, FS), [20, 450]), -3.0103, atol=0.01)
    np.testing.assert_allclose(gain_db(design_highpass(20, FS), 20), -3.0103, atol=0.01)
    np.testing.assert_allclose(gain_db(design_lowpass(6, FS), 6), -3.0103, atol=0.01)


def test_butterworth_pass_band_is_flat_and_stop_band_falls_at_the_order_s_rate():
    sos = design_bandpass(20, 450, FS, order=4)
    assert np.all(np.abs(gain_db(sos, [60, 100, 200, 300])) < 0.1)
    # order 4: at least 24 dB per octave outside the band (two octaves below 20 Hz: 48 dB)
    assert gain_db(sos, 5)[0] < -48
    assert gain_db(sos, 1.25)[0] < -96
    assert sos.shape == (4, 6)  # the band-pass has 2 * order poles in `order` sections


@pytest.mark.parametrize("f_hz", [5.0, 10.0, 20.0, 100.0, 450.0, 700.0])
def test_zero_phase_band_pass_doubles_the_attenuation_in_db(f_hz):
    sos = design_bandpass(20, 450, FS)
    causal = gain_db(sos, f_hz)[0]
    measured = sine_gain_db(lambda x: bandpass(x, FS, 20, 450), f_hz)
    assert measured == pytest.approx(2 * causal, abs=0.05)


def test_zero_phase_filtering_has_no_phase_shift():
    t = np.arange(int(4 * FS)) / FS
    x = np.sin(2 * np.pi * 80 * t)
    y = bandpass(x, FS, 20, 450)
    mid = slice(2000, 6000)
    assert np.corrcoef(x[mid], y[mid])[0, 1] > 0.99999


def test_low_pass_and_high_pass_zero_phase_are_minus_6_db_at_the_cutoff():
    assert sine_gain_db(lambda x: lowpass(x, FS, 50), 50) == pytest.approx(-6.02, abs=0.05)
    assert sine_gain_db(lambda x: highpass(x, FS, 20), 20) == pytest.approx(-6.02, abs=0.05)


def test_notch_removes_50_hz_and_harmonics_by_40_db_and_keeps_the_rest_within_1_db():
    sos = design_notch(50, FS, quality=30, harmonics=3)
    assert sos.shape == (3, 6)
    for f in (50, 100, 150):
        assert sine_gain_db(lambda x: notch(x, FS, 50, harmonics=3), f) < -40
    for f in (80, 120, 30, 300):  # 100 ± 20 Hz and elsewhere in the EMG band
        assert abs(sine_gain_db(lambda x: notch(x, FS, 50, harmonics=3), f)) < 1.0
    # broadband EMG-band power away from the notches is kept within 1 dB
    rng = np.random.default_rng(3)
    x = bandpass(rng.normal(size=int(20 * FS)), FS, 20, 450)
    y = notch(x, FS, 50, harmonics=3)
    f, px = sps.welch(x, FS, nperseg=4096)
    _, py = sps.welch(y, FS, nperseg=4096)
    away = (f >= 20) & (f <= 450) & np.all([np.abs(f - k * 50) > 5 for k in (1, 2, 3)], axis=0)
    assert abs(10 * np.log10(py[away].sum() / px[away].sum())) < 1.0


def test_every_notch_harmonic_has_the_same_bandwidth_in_hz():
    sos = design_notch(50, FS, quality=25, harmonics=3)
    for k, row in enumerate(sos, start=1):
        f = np.linspace(k * 50 - 10, k * 50 + 10, 20001)
        g = gain_db(row[np.newaxis, :], f)
        below = f[g < -3.0103]
        assert below.max() - below.min() == pytest.approx(50 / 25, rel=0.02)


def test_remove_powerline_notches_every_harmonic_below_nyquist_by_default():
    sos = design_powerline(50, 1000.0)
    assert sos.shape[0] == 9  # 50 … 450 Hz below 500 Hz
    sos60 = design_powerline(60, 1000.0, n_harmonics=2)
    assert sos60.shape[0] == 2
    x = np.sin(2 * np.pi * 150 * np.arange(4000) / 1000.0)
    y = remove_powerline(x, 1000.0, 50)
    assert np.abs(y[1500:2500]).max() < 0.01


def test_cascade_stacks_sections_and_filters_like_the_parts_in_turn():
    bp = design_bandpass(20, 450, FS)
    nt = design_notch(50, FS)
    both = cascade(bp, nt)
    assert both.shape == (5, 6)
    x = np.random.default_rng(0).normal(size=3000)
    np.testing.assert_allclose(sps.sosfilt(both, x), sps.sosfilt(nt, sps.sosfilt(bp, x)), rtol=1e-10, atol=1e-12)


def test_describe_sos_summarises_a_design_as_json_types():
    d = describe_sos(design_bandpass(20, 450, FS), FS)
    assert d["n_sections"] == 4 and d["order"] == 8
    assert 0 < d["max_pole_radius"] < 1
    assert d["padlen"] == filter_padlen(design_bandpass(20, 450, FS))
    assert d["pad_s"] == pytest.approx(d["padlen"] / FS)
    assert np.array(d["sos"]).shape == (4, 6)


def test_padding_covers_the_impulse_response_decay():
    sos = design_lowpass(6, FS)
    pad = filter_padlen(sos)
    impulse = np.zeros(20000)
    impulse[0] = 1
    h = np.abs(sps.sosfilt(sos, impulse))
    assert h[pad:].max() <= 1e-3 * h.max()
    assert h[pad - 50:pad].max() > 1e-3 * h.max() * 0.5


def test_offline_zero_phase_equals_scipy_sosfiltfilt_with_the_same_padding():
    x = np.random.default_rng(1).normal(size=(3, 5000))
    sos = design_bandpass(20, 450, FS)
    expected = sps.sosfiltfilt(sos, x, padlen=filter_padlen(sos))
    np.testing.assert_allclose(bandpass(x, FS, 20, 450), expected, rtol=1e-12, atol=1e-15)


def test_causal_offline_equals_scipy_sosfilt():
    x = np.random.default_rng(1).normal(size=(2, 3000))
    np.testing.assert_allclose(lowpass(x, FS, 30, zero_phase=False), sps.sosfilt(design_lowpass(30, FS), x), rtol=1e-12)


def test_filters_work_along_any_axis():
    x = np.random.default_rng(2).normal(size=(4000, 3))
    np.testing.assert_allclose(bandpass(x, FS, 20, 450, axis=0), bandpass(x.T, FS, 20, 450).T, rtol=1e-12, atol=1e-15)


def test_one_dimensional_and_two_dimensional_inputs_agree():
    x = np.random.default_rng(4).normal(size=3000)
    np.testing.assert_allclose(highpass(x, FS, 20), highpass(x[np.newaxis], FS, 20)[0], rtol=1e-12)


def test_remove_dc_subtracts_each_channel_s_mean():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 13.0]])
    np.testing.assert_allclose(remove_dc(x), [[-1, 0, 1], [-1, -1, 2]])


def test_every_design_is_logged(caplog):
    with caplog.at_level(logging.INFO, logger="myograph.signal"):
        design_bandpass(20, 450, FS)
        design_notch(50, FS)
    text = caplog.text
    assert "band-pass Butterworth design: order 4, 20-450 Hz at fs 2000 Hz" in text
    assert "notch design: 50 Hz" in text


# --- refusals --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "name", "limit"),
    [
        (lambda: design_lowpass(1000, FS), "cutoff_hz", "Nyquist frequency fs/2 = 1000 Hz"),
        (lambda: design_lowpass(1500, FS), "cutoff_hz", "1000 Hz"),
        (lambda: design_highpass(0, FS), "cutoff_hz", "> 0"),
        (lambda: design_bandpass(20, 1000, FS), "high_hz", "Nyquist frequency fs/2 = 1000 Hz"),
        (lambda: design_bandpass(450, 20, FS), "low_hz/high_hz", "low_hz < high_hz"),
        (lambda: design_bandpass(20, 20, FS), "low_hz/high_hz", "low_hz < high_hz"),
        (lambda: design_bandpass(20, 450, FS, order=0), "order", "between 1 and 16"),
        (lambda: design_bandpass(20, 450, FS, order=2.5), "order", "integer"),
        (lambda: design_bandpass(20, 450, 0), "fs", "positive"),
        (lambda: design_notch(50, FS, harmonics=20), "harmonics", "at most 19 harmonic"),
        (lambda: design_notch(50, FS, quality=0), "quality", "> 0"),
        (lambda: design_powerline(50, 1000.0, n_harmonics=10), "n_harmonics", "at most 9"),
    ],
)
def test_bad_designs_are_refused_naming_the_parameter_and_the_limit(call, name, limit):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name
    assert limit in str(info.value)


def test_an_unstable_filter_is_refused_with_its_pole_radius():
    unstable = np.array([[1.0, 0.0, 0.0, 1.0, -2.1, 1.2]])  # poles at radius sqrt(1.2)
    with pytest.raises(ParameterError, match=r"unstable filter: section 0 has a pole at radius 1\.09.*limit is < 1"):
        check_sos(unstable)
    with pytest.raises(ParameterError, match="unstable"):
        filter_sos(np.zeros(100), unstable)


def test_malformed_sos_is_refused():
    with pytest.raises(ParameterError, match=r"shaped \(n_sections, 6\)"):
        check_sos(np.zeros((2, 5)))
    with pytest.raises(ParameterError, match="a0"):
        check_sos(np.array([[1.0, 0, 0, 2.0, 0, 0]]))


def test_a_signal_shorter_than_the_padding_is_refused_with_the_minimum_length():
    pad = filter_padlen(design_lowpass(6, FS))
    with pytest.raises(SignalError) as info:
        lowpass(np.zeros(pad), FS, 6)
    msg = str(info.value)
    assert f"{pad} samples" in msg and f"at least {pad + 1}" in msg and msg.startswith("x:")
    lowpass(np.zeros(pad + 1), FS, 6)  # one more sample is enough
    lowpass(np.zeros(10), FS, 6, zero_phase=False)  # causal filtering needs no padding


def test_non_numeric_input_is_refused():
    with pytest.raises(ParameterError, match="x: must be a real numeric array"):
        bandpass(np.array(["a", "b"]), FS, 20, 450)
    with pytest.raises(ParameterError, match="axis"):
        bandpass(np.zeros((2, 5000)), FS, 20, 450, axis=2)


# --- NaN policies ------------------------------------------------------------------------
def _with_gap(n=6000, gap=(2500, 2600), seed=5):
    x = np.random.default_rng(seed).normal(size=(2, n))
    x[0, gap[0]:gap[1]] = np.nan
    return x


def test_nan_is_refused_by_default_saying_where():
    x = _with_gap()
    x[0, 10] = np.inf
    with pytest.raises(SignalError, match=r"101 non-finite sample\(s\).*first at sample 10 of channel 0.*nan_policy='mask'"):
        bandpass(x, FS, 20, 450)


def test_nan_policy_must_be_one_of_three():
    with pytest.raises(ParameterError, match="nan_policy"):
        bandpass(np.zeros(5000), FS, 20, 450, nan_policy="fill")


def test_propagate_spreads_nan_causally_to_the_end_and_zero_phase_to_the_whole_channel():
    x = _with_gap()
    causal = bandpass(x, FS, 20, 450, zero_phase=False, nan_policy="propagate")
    assert np.isfinite(causal[0, :2500]).all() and np.isnan(causal[0, 2500:]).all()
    zp = bandpass(x, FS, 20, 450, nan_policy="propagate")
    assert np.isnan(zp[0]).all()
    assert np.isfinite(zp[1]).all()  # other channels unaffected


def test_mask_filters_each_finite_run_on_its_own_and_keeps_nan_where_it_was():
    x = _with_gap()
    y = bandpass(x, FS, 20, 450, nan_policy="mask")
    assert np.isnan(y[0, 2500:2600]).all()
    np.testing.assert_allclose(y[0, :2500], bandpass(x[0, :2500], FS, 20, 450), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(y[0, 2600:], bandpass(x[0, 2600:], FS, 20, 450), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(y[1], bandpass(x[1], FS, 20, 450), rtol=1e-12)


def test_mask_leaves_runs_shorter_than_the_padding_nan_and_warns():
    x = np.random.default_rng(0).normal(size=5000)
    x[100] = np.nan  # a 100-sample run before it: shorter than the padding
    with pytest.warns(MyographWarning, match=r"1 finite run\(s\).*left NaN"):
        y = bandpass(x, FS, 20, 450, nan_policy="mask")
    assert np.isnan(y[:101]).all() and np.isfinite(y[101:]).all()


def test_mask_never_fills_in_missing_samples():
    x = _with_gap()
    for fn in (lambda v: lowpass(v, FS, 30, nan_policy="mask"), lambda v: remove_dc(v, nan_policy="mask"),
               lambda v: notch(v, FS, nan_policy="mask", zero_phase=False)):
        y = fn(x)
        assert np.array_equal(np.isnan(y), np.isnan(x))
