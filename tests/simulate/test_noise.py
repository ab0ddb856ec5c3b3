"""Noise and artefacts: every level measured back with simple independent code.

References for the expected behaviour: power-line interference and amplifier noise
(Clancy et al. 2002, J Electromyogr Kinesiol 12:1-16), movement artefact below
~10-20 Hz (De Luca et al. 2010, J Biomech 43:1573-1579), ECG contamination (Drake &
Callaghan 2006, J Electromyogr Kinesiol 16:175-187), quantisation step = full
scale / 2**bits (Widrow & Kollár 2008, Quantization Noise).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from myograph.core.errors import ParameterError, SignalError
from myograph.simulate.noise import NoiseEvent, NoiseSpec, add_noise, noise_events_to_annotations

FS = 2000.0
UV = 1e-6


def _emg(n_ch: int, seconds: float, rms_uv, seed: int = 0) -> np.ndarray:
    """Band-limited random 'EMG' with the given RMS per channel, volts."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    white = rng.standard_normal((n_ch, n))
    k = np.ones(5) / 5
    x = np.array([np.convolve(w, k, mode="same") for w in white])
    x /= x.std(axis=1, keepdims=True)
    return x * np.asarray(rms_uv, dtype=float).reshape(-1, 1) * UV


def _only(spec_on: NoiseSpec, spec_off: NoiseSpec, x: np.ndarray, seed: int = 3):
    """The contribution of one component: same seed with and without it."""
    y_on, ev = add_noise(x, FS, spec_on, np.random.default_rng(seed))
    y_off, _ = add_noise(x, FS, spec_off, np.random.default_rng(seed))
    return y_on - y_off, ev


def _mask(events, kind: str, n: int, channel: int | None = None) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for e in events:
        if e.kind == kind and (channel is None or e.channel in (None, channel)):
            m[int(round(e.onset_s * FS)) : int(round((e.onset_s + e.duration_s) * FS))] = True
    return m


def _isolated(events):
    """Events that overlap no other event of the list."""
    return [
        e for e in events
        if not any(o is not e and o.onset_s < e.onset_s + e.duration_s and e.onset_s < o.onset_s + o.duration_s for o in events)
    ]


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a**2)))


# --------------------------------------------------------------------------- amplifier noise / SNR


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 10.0, 20.0])
def test_achieved_snr_equals_requested_within_half_a_db_on_every_channel(snr_db):
    x = _emg(3, 10.0, [50.0, 200.0, 1000.0])
    y, _ = add_noise(x, FS, NoiseSpec(amplifier_uv_rms=999.0), np.random.default_rng(1), snr_db=snr_db)
    noise = y - x
    achieved = 10 * np.log10(np.mean(x**2, axis=1) / np.mean(noise**2, axis=1))
    assert np.all(np.abs(achieved - snr_db) < 0.5), achieved


def test_snr_counts_the_active_burst_not_the_silent_rest():
    x = _emg(1, 4.0, [300.0])
    x[:, : int(1.5 * FS)] = 0.0
    x[:, int(2.5 * FS) :] = 0.0  # one-second burst in four seconds
    y, _ = add_noise(x, FS, NoiseSpec(), np.random.default_rng(2), snr_db=6.0)
    burst = slice(int(1.5 * FS), int(2.5 * FS))
    p_signal = np.mean(x[0, burst] ** 2)
    p_noise = np.mean((y - x)[0] ** 2)
    assert abs(10 * np.log10(p_signal / p_noise) - 6.0) < 0.5


def test_amplifier_noise_has_the_requested_rms_and_is_white():
    x = np.zeros((2, int(20 * FS)))
    y, ev = add_noise(x, FS, NoiseSpec(amplifier_uv_rms=7.0), np.random.default_rng(0))
    assert ev == []
    assert np.allclose(y.std(axis=1), 7.0 * UV, rtol=0.03)
    f, p = welch(y[0], fs=FS, nperseg=1024)
    low, high = p[(f > 10) & (f < 400)].mean(), p[(f > 600) & (f < 990)].mean()
    assert abs(10 * np.log10(low / high)) < 1.0


def test_snr_on_a_silent_channel_raises_signal_error():
    x = _emg(2, 1.0, [100.0, 100.0])
    x[1] = 0.0
    with pytest.raises(SignalError, match="snr_db"):
        add_noise(x, FS, NoiseSpec(), np.random.default_rng(0), snr_db=10.0)


# --------------------------------------------------------------------------- power line


@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_powerline_peaks_at_the_fundamental_and_decreasing_harmonics_in_a_welch_spectrum(f0):
    x = np.zeros((1, int(20 * FS)))
    spec = NoiseSpec(amplifier_uv_rms=2.0, powerline_hz=f0, powerline_uv=40.0, powerline_harmonics=3)
    y, _ = add_noise(x, FS, spec, np.random.default_rng(0))
    f, p = welch(y[0], fs=FS, nperseg=int(FS))  # 1-Hz bins, Hann window
    floor = np.median(p)

    def amplitude_uv(freq):  # sinusoid amplitude from the power in the peak's bins
        band = np.abs(f - freq) <= 3
        return np.sqrt(2 * (p[band] - floor).sum() * (f[1] - f[0])) / UV

    amps = [amplitude_uv(h * f0) for h in (1, 2, 3, 4)]
    for h in (1, 2, 3, 4):
        assert p[np.argmin(np.abs(f - h * f0))] > 100 * floor, f"no peak at {h * f0} Hz"
    assert abs(amps[0] - 40.0) < 4.0
    assert amps[0] > amps[1] > amps[2] > amps[3] > 0
    assert p[np.argmin(np.abs(f - 5 * f0))] < 3 * floor  # only 3 harmonics asked for


def test_powerline_above_nyquist_raises_parameter_error():
    with pytest.raises(ParameterError, match="powerline_hz"):
        add_noise(np.zeros(100), 80.0, NoiseSpec(powerline_hz=50.0, powerline_uv=5.0), np.random.default_rng(0))


# --------------------------------------------------------------------------- ADC


def test_quantisation_step_is_the_full_span_over_two_to_the_bits_and_values_clip_at_the_range():
    ramp = np.linspace(-1500.0, 1500.0, 200_001) * UV  # passes every code, beyond both ends
    spec = NoiseSpec(adc_bits=8, adc_range_uv=1000.0)
    y, ev = add_noise(ramp, FS, spec, np.random.default_rng(0))
    levels = np.unique(y)
    step = np.diff(levels)
    assert np.allclose(step, 2000.0 / 2**8 * UV, rtol=1e-9)
    assert levels.size == 2**8
    assert y.min() == pytest.approx(-1000.0 * UV) and y.max() <= 1000.0 * UV
    assert np.max(np.abs(y - ramp)[np.abs(ramp) < 990 * UV]) <= step[0] / 2 + 1e-15
    clipped = [e for e in ev if e.kind == "clipping"]
    assert len(clipped) == 2
    low, high = sorted(clipped, key=lambda e: e.onset_s)
    # clipped: beyond the outermost codes' quantisation cells (code ± half a step)
    t = np.arange(ramp.size) / FS
    half = 2000.0 / 2**8 / 2 * UV
    assert low.onset_s == 0.0
    assert low.duration_s == pytest.approx(t[np.flatnonzero(ramp >= -1000.0 * UV - half)[0]], abs=2 / FS)
    assert high.onset_s + high.duration_s == pytest.approx(ramp.size / FS)
    assert high.onset_s == pytest.approx(t[np.flatnonzero(ramp > 1000.0 * UV - half)[0]], abs=2 / FS)


def test_clipping_without_bits_holds_values_at_plus_minus_range():
    x = np.sin(2 * np.pi * 5 * np.arange(int(FS)) / FS) * 800 * UV
    y, ev = add_noise(x, FS, NoiseSpec(adc_range_uv=500.0), np.random.default_rng(0))
    assert y.max() == pytest.approx(500 * UV) and y.min() == pytest.approx(-500 * UV)
    inside = np.abs(x) < 500 * UV
    assert np.array_equal(y[inside], x[inside])
    m = _mask(ev, "clipping", x.size)
    assert np.array_equal(m, np.abs(x) >= 500 * UV)


# --------------------------------------------------------------------------- time-located artefacts


def test_motion_artifacts_lie_exactly_inside_their_events_with_low_frequency_content():
    x = _emg(3, 60.0, [100.0, 100.0, 100.0])
    on = NoiseSpec(amplifier_uv_rms=3.0, motion_artifacts_per_min=20.0, motion_artifact_uv=400.0)
    off = NoiseSpec(amplifier_uv_rms=3.0)
    d, ev = _only(on, off, x)
    motion = [e for e in ev if e.kind == "motion"]
    assert 8 <= len(motion) <= 35 and all(e.channel is None for e in motion)
    m = _mask(ev, "motion", x.shape[1])
    assert np.all(d[:, ~m] == 0.0)
    alone = _isolated(motion)
    assert len(alone) >= 3
    for e in alone:  # peak = 400 µV times a channel gain in [0.5, 1]
        seg = d[:, int(round(e.onset_s * FS)) : int(round((e.onset_s + e.duration_s) * FS))]
        assert 0.5 * 400 * UV <= np.abs(seg).max() <= 400 * UV * (1 + 1e-9)
    f, p = welch(d[0], fs=FS, nperseg=4096)
    cum = np.cumsum(p) / p.sum()
    assert 1.0 <= f[np.searchsorted(cum, 0.5)] <= 10.0  # median frequency
    assert cum[np.searchsorted(f, 20.0)] > 0.95
    # the full noisy signal shows them too: RMS of y - x inside >> outside
    y, _ = add_noise(x, FS, on, np.random.default_rng(3))
    assert _rms((y - x)[:, m]) > 10 * _rms((y - x)[:, ~m])


def test_ecg_qrs_complexes_lie_inside_their_events_at_the_heart_rate():
    x = _emg(2, 30.0, [50.0, 50.0])
    spec = NoiseSpec(ecg_uv=300.0, heart_rate_bpm=75.0, ecg_channel_gains=(1.0, -0.5))
    d, ev = _only(spec, NoiseSpec(), x)
    qrs = [e for e in ev if e.kind == "ecg"]
    assert abs(len(qrs) - 75.0 / 60.0 * 30.0) <= 3
    m = _mask(ev, "ecg", x.shape[1])
    assert _rms(d[0, m]) > 3 * _rms(d[0, ~m])
    assert np.abs(d[0]).max() == pytest.approx(300.0 * UV, rel=1e-6)
    assert np.allclose(d[1], -0.5 * d[0])
    # every R peak (local maximum above half the R amplitude) is inside a QRS event
    r = np.flatnonzero((d[0, 1:-1] > 150 * UV) & (d[0, 1:-1] >= d[0, :-2]) & (d[0, 1:-1] > d[0, 2:])) + 1
    assert len(r) == len(qrs) and np.all(m[r])
    rr = np.diff(r) / FS
    assert 60.0 / rr.mean() == pytest.approx(75.0, rel=0.05)


def test_electrode_pop_is_a_step_on_one_channel_decaying_exponentially_inside_its_event():
    x = _emg(4, 120.0, [50.0] * 4)
    spec = NoiseSpec(electrode_pops_per_min=6.0, electrode_pop_uv=800.0, electrode_pop_tau_s=0.1)
    d, ev = _only(spec, NoiseSpec(), x)
    pops = [e for e in ev if e.kind == "electrode_pop"]
    assert 4 <= len(pops) <= 25
    covered = np.zeros(d.shape, dtype=bool)
    for e in pops:
        i0 = int(round(e.onset_s * FS))
        covered[e.channel, i0 : i0 + int(round(e.duration_s * FS))] = True
    alone = [e for e in _isolated(pops) if e.onset_s + 0.5 < x.shape[1] / FS]
    assert len(alone) >= 3
    for e in alone:
        i0 = int(round(e.onset_s * FS))
        assert abs(d[e.channel, i0]) == pytest.approx(800 * UV)  # abrupt step
        assert d[e.channel, i0 + int(0.1 * FS)] / d[e.channel, i0] == pytest.approx(np.exp(-1), rel=0.02)  # tau
        assert e.duration_s == pytest.approx(0.1 * np.log(100), abs=2 / FS)  # until 1% is left
        assert np.all(d[np.arange(4) != e.channel, i0 : i0 + int(0.46 * FS)] == 0.0)  # one channel only
    assert np.all(d[~covered] == 0.0)


def test_disconnections_flat_line_or_rail_for_exactly_the_given_span():
    x = _emg(3, 5.0, [100.0, 100.0, 100.0])
    spec = NoiseSpec(amplifier_uv_rms=5.0, disconnects=((0, 1.0, 2.0), (2, 3.0, 4.5, "rail")), adc_range_uv=5000.0)
    y, ev = add_noise(x, FS, spec, np.random.default_rng(0), ch_names=["a", "b", "c"])
    span0, span2 = slice(int(1.0 * FS), int(2.0 * FS)), slice(int(3.0 * FS), int(4.5 * FS))
    assert np.all(y[0, span0] == 0.0)
    assert np.all(y[0, : int(FS)] != 0.0) and np.all(y[0, int(2 * FS) :] != 0.0)
    assert np.all(y[2, span2] == 5000.0 * UV)
    assert np.all(np.abs(y[2, : int(3 * FS)]) < 5000 * UV)
    flat = [e for e in ev if e.kind == "disconnect_flat"]
    rail = [e for e in ev if e.kind == "disconnect_rail"]
    assert [(e.channel, e.channel_name, e.onset_s, e.duration_s) for e in flat] == [(0, "a", 1.0, 1.0)]
    assert [(e.channel, e.onset_s, e.duration_s) for e in rail] == [(2, 3.0, 1.5)]


def test_baseline_wander_lies_below_one_hertz_with_the_requested_peak():
    x = _emg(2, 60.0, [100.0, 100.0])
    d, ev = _only(NoiseSpec(baseline_wander_uv=150.0), NoiseSpec(), x)
    assert ev == []
    assert np.allclose(np.abs(d).max(axis=1), 150.0 * UV)
    spectrum = np.abs(np.fft.rfft(d[0])) ** 2
    f = np.fft.rfftfreq(d.shape[1], 1 / FS)
    assert spectrum[f < 1.0].sum() / spectrum.sum() > 0.99


# --------------------------------------------------------------------------- contract


def test_add_noise_never_modifies_its_input_and_accepts_read_only_arrays():
    x = _emg(2, 2.0, [100.0, 100.0])
    x.setflags(write=False)
    before = x.copy()
    spec = NoiseSpec(amplifier_uv_rms=5, powerline_hz=50, powerline_uv=10, baseline_wander_uv=20, ecg_uv=50,
                     motion_artifacts_per_min=60, motion_artifact_uv=100, electrode_pops_per_min=60,
                     disconnects=((1, 0.5, 1.0),), adc_bits=12, adc_range_uv=300.0)
    y, _ = add_noise(x, FS, spec, np.random.default_rng(0))
    assert np.array_equal(x, before)
    assert y is not x and not np.shares_memory(x, y)


def test_same_seed_gives_identical_output_and_another_seed_differs():
    x = _emg(2, 5.0, [100.0, 100.0])
    spec = NoiseSpec(amplifier_uv_rms=5, ecg_uv=50, motion_artifacts_per_min=30, motion_artifact_uv=100,
                     electrode_pops_per_min=30)
    y1, e1 = add_noise(x, FS, spec, np.random.default_rng(42))
    y2, e2 = add_noise(x, FS, spec, np.random.default_rng(42))
    y3, _ = add_noise(x, FS, spec, np.random.default_rng(43))
    assert np.array_equal(y1, y2) and e1 == e2
    assert not np.allclose(y1, y3)


def test_one_dimensional_input_gives_one_dimensional_output_and_channel_zero_events():
    x = _emg(1, 3.0, [100.0])[0]
    spec = NoiseSpec(electrode_pops_per_min=120, disconnects=((0, 1.0, 1.5),))
    y, ev = add_noise(x, FS, spec, np.random.default_rng(0))
    assert y.shape == x.shape
    assert {e.channel for e in ev} == {0}


def test_events_become_annotations_with_bad_labels_and_channel_names():
    events = [NoiseEvent("clipping", 1, 0.5, 0.1), NoiseEvent("disconnect_flat", 0, 1.0, 1.0), NoiseEvent("ecg", None, 2.0, 0.1)]
    ann = noise_events_to_annotations(events, ["m1", "m2"])
    rows = list(ann)
    assert [(r.label, r.channels) for r in rows] == [("BAD_saturated", ("m2",)), ("BAD_flat", ("m1",)), ("ECG_QRS", ())]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"amplifier_uv_rms": -1.0}, "amplifier_uv_rms"),
        ({"powerline_hz": 0.0}, "powerline_hz"),
        ({"powerline_harmonics": -1}, "powerline_harmonics"),
        ({"heart_rate_bpm": 400.0}, "heart_rate_bpm"),
        ({"adc_bits": 12}, "adc_bits"),
        ({"adc_bits": 0, "adc_range_uv": 100.0}, "adc_bits"),
        ({"adc_range_uv": 0.0}, "adc_range_uv"),
        ({"disconnects": ((0, 2.0, 1.0),)}, "disconnects"),
        ({"disconnects": ((0, 1.0, 2.0, "open"),)}, "disconnects"),
        ({"ecg_uv": float("nan")}, "ecg_uv"),
    ],
)
def test_invalid_spec_fields_raise_parameter_error_naming_the_field(kwargs, name):
    with pytest.raises(ParameterError) as info:
        NoiseSpec(**kwargs)
    assert info.value.name == name


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: add_noise(np.zeros((2, 10)), 0.0, NoiseSpec(), np.random.default_rng(0)), "fs"),
        (lambda: add_noise(np.zeros((2, 10)), FS, NoiseSpec(disconnects=((5, 0.0, 0.001),)), np.random.default_rng(0)), "disconnects"),
        (lambda: add_noise(np.zeros((2, 10)), FS, NoiseSpec(disconnects=((0, 0.0, 0.001, "rail"),)), np.random.default_rng(0)), "disconnects"),
        (lambda: add_noise(np.zeros((2, 10)), FS, NoiseSpec(), np.random.default_rng(0), ch_names=["a"]), "ch_names"),
        (lambda: add_noise(np.zeros((2, 10)), FS, NoiseSpec(), 0), "rng"),
    ],
)
def test_arguments_that_do_not_fit_the_signal_raise_parameter_error(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name


def test_non_finite_or_three_dimensional_signals_raise_signal_error():
    with pytest.raises(SignalError):
        add_noise(np.array([0.0, np.nan]), FS, NoiseSpec(), np.random.default_rng(0))
    with pytest.raises(SignalError):
        add_noise(np.zeros((1, 2, 3)), FS, NoiseSpec(), np.random.default_rng(0))
