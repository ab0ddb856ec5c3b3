"""The simulated amplifier: deterministic, seamless, paced, and faults where the ground truth says."""

from __future__ import annotations

import time

import numpy as np
import pytest

from myograph.acquire import GapDetector, SimulatedAmplifier
from myograph.core.errors import ParameterError
from tests.acquire.helpers import joined, read_samples, sim


def stream(n_samples: int, mode: str = "surface", **kw) -> np.ndarray:
    with sim(mode, **kw) as amp:
        return joined(read_samples(amp, n_samples))[:, :n_samples]


def test_the_same_seed_gives_the_same_stream_and_another_seed_another():
    a = stream(4096, seed=3)
    b = stream(4096, seed=3)
    c = stream(4096, seed=4)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_modes_have_their_montage_and_rate():
    s, h, n = sim("surface", channels=3), sim("hdemg"), sim("needle")
    assert (s.info.n_channels, s.info.fs) == (3, 2048.0)
    assert (h.info.n_channels, h.info.fs) == (64, 2048.0)
    assert h.info.channels.names[:2] == ["R1C1", "R1C2"]
    assert (n.info.n_channels, n.info.fs) == (1, 20000.0)
    assert all(c.units == "V" and c.type == "EMG" for c in h.info.channels)
    assert h.info.physical_range == (-0.01, 0.01) and h.info.has_counter


def test_the_stream_does_not_depend_on_where_the_chunks_join():
    # chunks of 0.1 s and of 0.37 s (and other block sizes) give the same samples: joins leave no trace
    for mode in ("hdemg", "needle"):
        kw = dict(channels=8) if mode == "hdemg" else dict(spontaneous=["fibrillation"])
        n = int(1.5 * (2048 if mode == "hdemg" else 20000))
        a = stream(n, mode, chunk_s=0.1, **kw)
        b = stream(n, mode, chunk_s=0.37, block_s=0.01, **kw)
        assert np.allclose(a, b, rtol=0, atol=1e-15), mode


@pytest.mark.parametrize("mode,kw", [("hdemg", {}), ("needle", {"spontaneous": ["fibrillation", "positive_sharp_wave"],
                                                                  "spontaneous_segment_s": 0.5})])
def test_the_first_difference_at_chunk_joins_is_like_elsewhere(mode, kw):
    amp = sim(mode, chunk_s=0.05, **kw)
    n = int(3 * amp.fs)
    with amp:
        x = joined(read_samples(amp, n))[:, :n]
    d = np.diff(x, axis=1)
    step = amp._chunk  # noqa: SLF001 - the generation chunk, whose joins are tested
    joins = np.arange(step, n, step) - 1  # d[:, j] spans the join between samples j and j + 1
    if mode == "needle":  # spontaneous segments join too
        seg = int(0.5 * amp.fs)
        joins = np.union1d(joins, np.arange(seg, n, seg) - 1)
    ratio = np.sqrt(np.mean(d[:, joins] ** 2)) / np.sqrt(np.mean(d ** 2))
    assert 0.8 < ratio < 1.2, ratio


def test_blocks_are_consecutive_with_a_running_counter_and_regular_timestamps():
    with sim() as amp:
        blocks = read_samples(amp, 2048)
    firsts = [b.first_sample for b in blocks]
    assert firsts[0] == 0
    assert all(b.first_sample == a.first_sample + a.n_samples for a, b in zip(blocks, blocks[1:]))
    assert all(b.n_samples == amp.block_samples for b in blocks)
    assert np.allclose([b.timestamp_s for b in blocks], np.array(firsts) / amp.fs)
    assert all(b.data.dtype == np.float64 for b in blocks)
    assert 20e-6 < np.sqrt(np.mean(joined(blocks) ** 2)) < 2e-3  # tens to hundreds of µV at excitation 0.2


def test_a_dropout_is_a_counter_jump_of_exactly_its_length():
    with sim() as amp:
        ev = amp.inject_dropout(0.1, at_sample=1000)
        blocks = read_samples(amp, 3000)
    assert (ev.kind, ev.start_sample, ev.n_samples) == ("dropout", 1000, round(0.1 * amp.fs))
    det = GapDetector(amp.fs)
    for b in blocks:
        det.feed(b)
    assert len(det.gaps) == 1 and not det.clock_steps
    g = det.gaps[0]
    assert (g.start_sample, g.n_missing, g.kind) == (1000, ev.n_samples, "counter")
    ann = det.to_annotations()
    assert ann.label == ("BAD_gap",) and ann.onset[0] == pytest.approx(1000 / amp.fs)
    # the samples around the dropout are the ones a clean stream has there
    clean = stream(3000 + ev.n_samples)
    got = {b.first_sample: b.data for b in blocks}
    after = got[1000 + ev.n_samples]
    assert np.array_equal(after, clean[:, 1000 + ev.n_samples:1000 + ev.n_samples + after.shape[1]])


def test_saturation_and_disconnect_are_flat_where_the_truth_says():
    with sim() as amp:
        sat = amp.inject_saturation("TB", 0.05, at_sample=500)
        off = amp.inject_disconnect(0, 0.1, at_sample=1500)
        x = joined(read_samples(amp, 2500))
    assert sat.channel == "TB" and off.channel == "BB"
    s0, s1 = sat.start_sample, sat.start_sample + sat.n_samples
    assert np.all(x[1, s0:s1] == amp.range_v)
    assert not np.any(x[1, s1:s1 + 50] == amp.range_v) and not np.any(x[1, s0 - 50:s0] == amp.range_v)
    d0, d1 = off.start_sample, off.start_sample + off.n_samples
    assert np.all(x[0, d0:d1] == 0.0) and np.all(x[0, d0 - 20:d0] != 0) and np.all(x[0, d1:d1 + 20] != 0)
    assert np.all(x[1, d0:d1] != 0)  # the other channel is untouched
    assert [e.kind for e in amp.events] == ["saturation", "disconnect"]


def test_a_clock_step_moves_the_timestamps_and_loses_no_sample():
    with sim() as amp:
        ev = amp.inject_clock_step(0.25, at_sample=640)
        blocks = read_samples(amp, 2000)
    det = GapDetector(amp.fs)
    for b in blocks:
        det.feed(b)
    assert not det.gaps
    assert len(det.clock_steps) == 1
    step = det.clock_steps[0]
    assert step.sample == ev.start_sample == 640 and step.step_s == pytest.approx(0.25)
    after = [b for b in blocks if b.first_sample >= 640]
    assert all(b.timestamp_s == pytest.approx(b.first_sample / amp.fs + 0.25) for b in after)


def test_raising_the_excitation_contracts_the_muscle():
    with sim(excitation=0.05) as amp:
        amp.set_excitation(0.6, ramp_s=0.0, at_sample=4096)
        x = joined(read_samples(amp, 8192))
    rest, work = np.sqrt(np.mean(x[:, 1024:4096] ** 2)), np.sqrt(np.mean(x[:, 5120:8192] ** 2))
    assert work > 3 * rest
    ev = [e for e in amp.events if e.kind == "excitation"]
    assert ev and ev[0].start_sample == 4096 and ev[0].value == 0.6
    # discharges are ground truth: more units fire, faster, after the change
    d = amp.discharges()
    before = sum(int(np.count_nonzero((u >= 0) & (u < 4096))) for u in d)
    after = sum(int(np.count_nonzero((u >= 4096) & (u < 8192))) for u in d)
    assert after > 2 * before > 0


def test_discharge_truth_matches_the_templates_in_the_signal():
    # a noise-free single-muscle stream is exactly the sum of the truth's templates at the truth's discharges
    from myograph.simulate.synth import sum_templates

    amp = sim("surface", channels=1, noise_uv_rms=0.0, motor_units=20, excitation=0.5)
    n = 4096
    with amp:
        x = joined(read_samples(amp, n))[:, :n]
    tr = amp.truth
    y = sum_templates(amp.discharges(), tr.templates, n, lag0=tr.template_lag0)
    lag = tr.templates.shape[-1]
    # away from the start (MUAP tails of discharges before sample 0 are in x, not in y)
    assert np.allclose(x[:, lag:n - lag], y[:, lag:n - lag], atol=1e-12)


def test_needle_spontaneous_activity_is_in_the_truth_and_the_signal():
    amp = sim("needle", spontaneous=["fibrillation"], spontaneous_params={"fibrillation": {"rate_hz": 8.0}},
              noise_uv_rms=0.0)
    n = int(1.0 * amp.fs)
    with amp:
        x = joined(read_samples(amp, n))[0, :n]
    ev = [e for e in amp.events if e.kind == "spontaneous:fibrillation" and e.start_sample + e.n_samples <= n]
    assert 4 <= len(ev) <= 12
    assert amp._gen_kw["excitation"] == 0.0  # noqa: SLF001 - at rest by default with spontaneous activity
    for e in ev:  # each potential is where the truth puts it and baseline is silent elsewhere at rest
        assert np.ptp(x[e.start_sample:e.start_sample + e.n_samples]) == pytest.approx(e.value * 1e-6, rel=0.05)


def test_realtime_blocks_are_never_delivered_before_their_time():
    amp = SimulatedAmplifier("surface", channels=2, seed=1, realtime=True)
    with amp:
        t0 = amp._t0  # noqa: SLF001
        blocks = read_samples(amp, 512, timeout_s=2.0)
    for b in blocks:
        assert b.received_s >= t0 + (b.first_sample + b.n_samples) / amp.fs - 1e-6
        assert b.timestamp_s == pytest.approx(t0 + b.first_sample / amp.fs)
    assert amp.clock_is_monotonic


def test_a_reader_that_falls_behind_loses_the_oldest_samples_as_a_device_would():
    amp = SimulatedAmplifier("surface", channels=2, seed=1, realtime=True, buffer_s=0.2, lookahead_s=0.05, chunk_s=0.05)
    with amp:
        first = amp.read(timeout_s=2.0)
        time.sleep(0.6)
        later = amp.read(timeout_s=2.0)
    assert first.first_sample == 0
    over = [e for e in amp.events if e.kind == "overflow"]
    assert over and later.first_sample == over[0].start_sample + sum(e.n_samples for e in over)
    assert later.first_sample > first.n_samples


def test_reading_before_start_and_bad_parameters_are_refused():
    amp = sim()
    with pytest.raises(ParameterError, match="source"):
        amp.read()
    with pytest.raises(ParameterError, match="mode"):
        SimulatedAmplifier("ecg")
    with pytest.raises(ParameterError, match="channels"):
        SimulatedAmplifier("hdemg", channels=10)
    with pytest.raises(ParameterError, match="spontaneous"):
        SimulatedAmplifier("surface", spontaneous=["fibrillation"])
    with pytest.raises(ParameterError, match="channel"):
        amp.inject_saturation("XX", 0.1)
    with pytest.raises(ParameterError, match="level"):
        amp.set_excitation(1.5)
    with pytest.raises(ParameterError, match="duration_s"):
        amp.inject_dropout(-1.0)


def test_a_stopped_amplifier_restarts_from_the_beginning():
    amp = sim()
    with amp:
        a = joined(read_samples(amp, 1024))
    with amp:
        b = joined(read_samples(amp, 1024))
    assert np.array_equal(a, b)
