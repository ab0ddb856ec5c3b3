"""Spontaneous activity: published shapes and firing patterns, measured on the signal.

Criteria from Preston & Shapiro 2013 (Electromyography and Neuromuscular Disorders,
3rd ed., ch. 14), Daube & Rubin 2009 (Muscle Nerve 39:244-270) and the AANEM
glossary (2015): fibrillation potentials 1-5 ms, 20-200 µV (up to 1 mV), initial
positive, regular at 0.5-15 Hz (Conrad et al. 1972, J Neurol Neurosurg Psychiatry
35:834-840); positive sharp waves positive then long negative, 10-30 ms (up to
100 ms); fasciculations irregular and slow (Mills 2010, Brain 133:3458-3469);
myotonic discharges 20-150 Hz waxing and waning in rate and amplitude; complex
repetitive discharges polyphasic, strikingly regular at 5-100 Hz with abrupt onset
and cessation (Trontelj & Stålberg 1983, J Neurol Neurosurg Psychiatry 46:310-316).

Sign: stored voltage is active minus reference; positive = active electrode positive.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks

from myograph.core.errors import ParameterError
from myograph.simulate.spontaneous import (
    SPONTANEOUS_KINDS,
    discharge_bursts,
    rosenfalck_vm_mv,
    simulate_spontaneous,
    single_fibre_potential,
)

FS = 20000.0
UV = 1e-6


def _potentials(x: np.ndarray, fs: float, *, fraction: float = 0.05, min_gap_s: float = 2e-3) -> list[tuple[int, int]]:
    """(start, stop) of the stretches where |x| >= fraction of its maximum, merging gaps < min_gap_s."""
    idx = np.flatnonzero(np.abs(x) >= fraction * np.abs(x).max())
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap_s * fs)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    stops = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _phases(w: np.ndarray, fraction: float = 0.05) -> int:
    """Phases = sign changes + 1 among the samples at >= fraction of the peak magnitude."""
    s = np.sign(w[np.abs(w) >= fraction * np.abs(w).max()])
    return 1 + int(np.count_nonzero(np.diff(s)))


def _cv(intervals: np.ndarray) -> float:
    return float(np.std(intervals) / np.mean(intervals))


def _depth(v: np.ndarray) -> float:
    return float((v.max() - v.min()) / (v.max() + v.min()))


# --------------------------------------------------------------------------- building blocks


def test_rosenfalck_action_potential_rests_at_minus_90_mv_and_peaks_at_39_mv_3_mm_behind_the_front():
    z = np.linspace(-5, 20, 25001)
    vm = rosenfalck_vm_mv(z)
    assert vm[0] == -90.0 and vm[z <= 0].max() == -90.0
    assert z[np.argmax(vm)] == pytest.approx(3.0, abs=1e-3)
    assert vm.max() == pytest.approx(96 * 27 * np.exp(-3) - 90, abs=1e-6)


def test_single_fibre_potential_is_positive_negative_positive_and_falls_steeply_with_distance():
    t = np.arange(-0.01, 0.015, 1 / FS)
    pp = []
    for r in (0.05, 0.1, 0.2, 0.5, 1.0):
        w = single_fibre_potential(t, radius_mm=r)
        big = w[np.abs(w) >= 0.05 * np.abs(w).max()]
        assert big[0] > 0 and big[-1] > 0 and w.min() < 0
        pp.append(np.ptp(w))
    assert all(a > b for a, b in zip(pp, pp[1:], strict=False))
    assert pp[1] / pp[4] > 10  # near-field decay
    assert 0.2e-3 < pp[0] < 10e-3  # mV order close to a fibre (SFEMG)


# --------------------------------------------------------------------------- fibrillation


@pytest.mark.parametrize("seed", range(4))
def test_fibrillation_potentials_are_brief_small_and_start_with_a_positive_phase(seed):
    x, events = simulate_spontaneous("fibrillation", 4.0, FS, np.random.default_rng(seed))
    found = _potentials(x, FS)
    assert len(found) == len(events) >= 2
    for (a, b), e in zip(found, events, strict=True):
        w = x[a:b]
        assert 1e-3 <= (b - a) / FS <= 5e-3
        assert 20 * UV <= np.ptp(w) <= 1000 * UV
        assert w[0] > 0  # initial positivity (drawn downward on a negative-up display)
        assert _phases(w) in (2, 3)
        assert abs(a / FS - e.onset_s) <= 1 / FS and abs((b - a) / FS - e.duration_s) <= 1 / FS
        assert e.amplitude_uv == pytest.approx(np.ptp(w) / UV, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_fibrillation_fires_very_regularly_at_half_to_fifteen_hertz(seed):
    x, _ = simulate_spontaneous("fibrillation", 10.0, 10000.0, np.random.default_rng(seed))
    onsets = np.array([a for a, _ in _potentials(x, 10000.0)]) / 10000.0
    isi = np.diff(onsets)
    assert _cv(isi) < 0.1
    assert 0.5 <= 1 / isi.mean() <= 15.0


def test_fibrillation_can_decelerate_slowly():
    x, _ = simulate_spontaneous("fibrillation", 20.0, 10000.0, np.random.default_rng(1),
                                rate_hz=8.0, deceleration_per_s=0.05, isi_cv=0.01)
    onsets = np.array([a for a, _ in _potentials(x, 10000.0)]) / 10000.0
    early = 1 / np.diff(onsets[onsets < 4]).mean()
    late = 1 / np.diff(onsets[onsets > 16]).mean()
    assert late / early == pytest.approx(np.exp(-0.05 * 16), rel=0.08)


def test_regular_trains_run_to_the_end_of_the_record():
    _, events = simulate_spontaneous("complex_repetitive", 20.0, 5000.0, np.random.default_rng(0), rate_hz=100.0,
                                     span_ms=4.0, isi_cv=0.05, burst_duration_s=30.0, gap_s=0.01)
    on = np.array([e.onset_s for e in events])
    assert on[-1] > 20.0 - 0.03 and on.size == pytest.approx(100 * 20, rel=0.01)


def test_several_fibrillating_fibres_each_fire_regularly_at_their_own_rate():
    _, events = simulate_spontaneous("fibrillation", 10.0, 10000.0, np.random.default_rng(5), n_sources=3)
    for k in range(3):
        on = np.array([e.onset_s for e in events if e.source == k])
        assert on.size >= 4 and _cv(np.diff(on)) < 0.1


# --------------------------------------------------------------------------- positive sharp waves


@pytest.mark.parametrize("duration_ms", [None, 10.0, 30.0, 90.0])
def test_positive_sharp_waves_are_a_sharp_positive_spike_then_a_long_low_negative_phase(duration_ms):
    params = {} if duration_ms is None else {"duration_ms": duration_ms}
    x, events = simulate_spontaneous("positive_sharp_wave", 5.0, FS, np.random.default_rng(2), rate_hz=4.0, **params)
    found = _potentials(x, FS, min_gap_s=20e-3)
    assert len(found) == len(events) >= 10
    for a, b in found:
        w = x[a:b]
        peak, trough = int(np.argmax(w)), int(np.argmin(w))
        assert w[0] > 0 and peak < trough
        assert peak / FS < 2e-3  # sharp: positive peak within 2 ms of onset
        assert w.max() > 2 * -w.min()  # negative phase low ...
        assert np.count_nonzero(w < -0.05 * w.max()) / FS > 5e-3  # ... and long
        assert 10e-3 <= (b - a) / FS <= 100e-3
        if duration_ms is not None:
            assert (b - a) / FS == pytest.approx(duration_ms * 1e-3, rel=0.1)
    isi = np.diff([a for a, _ in found]) / FS
    assert _cv(isi) < 0.1 and 1 / isi.mean() == pytest.approx(4.0, rel=0.05)


# --------------------------------------------------------------------------- fasciculations


def test_fasciculations_fire_irregularly_and_slowly_with_a_normal_muap_shape():
    fs = 5000.0
    x, events = simulate_spontaneous("fasciculation", 200.0, fs, np.random.default_rng(3), rate_hz=0.3)
    found = _potentials(x, fs, min_gap_s=20e-3)
    assert len(found) == len(events) >= 30
    isi = np.diff([a for a, _ in found]) / fs
    assert _cv(isi) > 0.5  # irregular (Poisson-like: about 1)
    assert 1 / isi.mean() < 1.0 and isi.mean() > 1.5  # slow: mean interval of seconds
    a, b = found[0]
    w = x[a:b]
    assert 3e-3 <= (b - a) / fs <= 15e-3  # MUAP duration
    assert 200 * UV <= np.ptp(w) <= 2000 * UV
    assert all(np.array_equal(x[p:q], w) for p, q in found[1:] if q - p == b - a)  # the same unit


def test_fasciculations_use_the_given_muaps_one_unit_per_row():
    fs = 10000.0
    t = np.arange(80) / fs
    muaps = np.vstack([np.sin(2 * np.pi * 300 * t) * np.hanning(80) * 400 * UV,
                       -np.sin(2 * np.pi * 150 * t) * np.hanning(80) * 900 * UV])
    x, events = simulate_spontaneous("fasciculation", 60.0, fs, np.random.default_rng(0), muap_v=muaps, rate_hz=0.5)
    assert {e.source for e in events} == {0, 1}
    isolated = [e for e in events if all(abs(o.onset_s - e.onset_s) > 0.02 for o in events if o is not e)]
    assert len(isolated) >= 10
    for e in isolated:  # each discharge is its unit's waveform, unchanged
        m = muaps[e.source]
        j = np.flatnonzero(np.abs(m) >= 0.05 * np.abs(m).max())[0]
        i0 = int(round(e.onset_s * fs)) - j
        assert np.allclose(x[i0 : i0 + 80], m, rtol=0, atol=1e-12)
        assert e.amplitude_uv == pytest.approx(np.ptp(m) / UV)


# --------------------------------------------------------------------------- myotonic discharges


@pytest.mark.parametrize("seed", range(3))
def test_myotonic_discharges_fire_at_20_to_150_hz_waxing_and_waning_in_rate_and_amplitude(seed):
    x, events = simulate_spontaneous("myotonic", 8.0, FS, np.random.default_rng(seed))
    peaks, _ = find_peaks(-x, height=0.1 * np.abs(x).max(), distance=int(4e-3 * FS))
    t = peaks / FS
    gaps = np.flatnonzero(np.diff(t) > 0.2)  # silent gaps between bursts
    bursts = np.split(np.arange(t.size), gaps + 1)
    complete = [b for b in bursts if t[b[-1]] < 8.0 - 0.2 and b.size > 10]
    assert complete
    for b in complete:
        rate = 1 / np.diff(t[b])
        assert rate.min() >= 20.0 - 1 and rate.max() <= 150.0
        assert _depth(rate) > 0.2  # frequency waxes and wanes
        amp = -x[peaks[b]]
        assert _depth(amp) > 0.15  # amplitude waxes and wanes
        assert 0.3 <= t[b[-1]] - t[b[0]] <= 3.5  # bursts of several hundred ms to seconds
        # wax then wane: the fastest discharge is neither the first nor the last
        assert 0 < int(np.argmax(rate)) < rate.size - 1
    assert len(discharge_bursts(events)) == len(bursts)


def test_myotonic_discharges_can_be_made_of_positive_sharp_waves():
    x, events = simulate_spontaneous("myotonic", 3.0, FS, np.random.default_rng(0), waveform="positive_sharp_wave",
                                     peak_rate_hz=60.0, min_rate_hz=20.0)
    assert events and all(e.duration_s > 5e-3 for e in events)
    e = events[0]
    seg = x[int(round(e.onset_s * FS)) : int(round(e.onset_s * FS)) + 40]
    assert seg[0] > 0 and seg.max() > -seg.min()


# --------------------------------------------------------------------------- complex repetitive discharges


def test_complex_repetitive_discharges_repeat_with_striking_regularity_and_a_polyphasic_shape():
    x, events = simulate_spontaneous("complex_repetitive", 6.0, FS, np.random.default_rng(4),
                                     rate_hz=30.0, n_spikes=5, span_ms=10.0)
    found = _potentials(x, FS, min_gap_s=5e-3)
    assert len(found) == len(events) >= 20
    onsets = np.array([a for a, _ in found]) / FS
    bursts = np.split(np.arange(onsets.size), np.flatnonzero(np.diff(onsets) > 0.2) + 1)
    for b in bursts:
        if b.size > 3:
            isi = np.diff(onsets[b])
            assert _cv(isi) < 0.05
            assert 1 / isi.mean() == pytest.approx(30.0, rel=0.02)
    first = x[found[0][0] : found[0][1]]
    assert _phases(first) >= 3
    spikes, _ = find_peaks(-first, height=0.1 * np.abs(first).max())
    assert spikes.size >= 3  # several time-locked single-fibre spikes
    # abrupt onset and cessation: the first and last complex of a burst are full size
    for b in bursts:
        amps = [np.ptp(x[found[i][0] : found[i][1]]) for i in b]
        assert min(amps) == pytest.approx(max(amps), rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_complex_repetitive_discharges_by_default_run_at_5_to_100_hz_with_cv_below_005(seed):
    _, events = simulate_spontaneous("complex_repetitive", 4.0, 10000.0, np.random.default_rng(seed))
    bursts = discharge_bursts(events)
    assert bursts and all(b.kind == "complex_repetitive" for b in bursts)
    for b in bursts:
        on = np.array([e.onset_s for e in events if e.burst == b.burst])
        if on.size > 3:
            isi = np.diff(on)
            assert _cv(isi) < 0.05 and 5.0 <= 1 / isi.mean() <= 100.0
        assert b.onset_s == pytest.approx(on[0])


# --------------------------------------------------------------------------- contract


@pytest.mark.parametrize("kind", SPONTANEOUS_KINDS)
def test_the_same_seed_gives_the_same_signal_and_events(kind):
    a, ea = simulate_spontaneous(kind, 3.0, 10000.0, np.random.default_rng(7))
    b, eb = simulate_spontaneous(kind, 3.0, 10000.0, np.random.default_rng(7))
    c, _ = simulate_spontaneous(kind, 3.0, 10000.0, np.random.default_rng(8))
    assert a.shape == (30000,) and np.array_equal(a, b) and ea == eb
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("kind", SPONTANEOUS_KINDS)
def test_the_baseline_between_discharges_is_exactly_zero(kind):
    x, events = simulate_spontaneous(kind, 3.0, 10000.0, np.random.default_rng(1))
    covered = np.zeros(x.size, dtype=bool)
    for e in events:  # the whole template, a little beyond the 5% span
        i0 = int(round(e.onset_s * 10000.0))
        covered[max(0, i0 - 200) : i0 + int(round(e.duration_s * 10000.0)) + 2000] = True
    assert np.all(x[~covered] == 0.0)


def test_unknown_kind_raises_parameter_error_naming_kind_and_the_allowed_kinds():
    with pytest.raises(ParameterError) as info:
        simulate_spontaneous("cramp", 1.0, FS, np.random.default_rng(0))
    assert info.value.name == "kind" and "fibrillation" in str(info.value)


@pytest.mark.parametrize(
    ("kind", "kwargs", "name"),
    [
        ("fibrillation", {"rate": 5.0}, "rate"),
        ("fibrillation", {"rate_hz": -1.0}, "rate_hz"),
        ("fibrillation", {"n_sources": 0}, "n_sources"),
        ("positive_sharp_wave", {"duration_ms": 1.0}, "duration_ms"),
        ("myotonic", {"peak_rate_hz": 400.0}, "peak_rate_hz"),
        ("myotonic", {"waveform": "square"}, "waveform"),
        ("complex_repetitive", {"n_spikes": 1}, "n_spikes"),
        ("fibrillation", {"muap_v": np.ones(10)}, "muap_v"),
        ("fasciculation", {"muap_v": np.zeros(10)}, "muap_v"),
        ("fasciculation", {"rate_hz": 5.0, "min_interval_s": 0.5}, "min_interval_s"),
    ],
)
def test_bad_parameters_raise_parameter_error_naming_the_parameter(kind, kwargs, name):
    with pytest.raises(ParameterError) as info:
        simulate_spontaneous(kind, 1.0, FS, np.random.default_rng(0), **kwargs)
    assert info.value.name == name


@pytest.mark.parametrize(("duration_s", "fs", "name"), [(0.0, FS, "duration_s"), (1.0, 500.0, "fs")])
def test_bad_duration_or_sampling_rate_raise_parameter_error(duration_s, fs, name):
    with pytest.raises(ParameterError) as info:
        simulate_spontaneous("fibrillation", duration_s, fs, np.random.default_rng(0))
    assert info.value.name == name
