"""Surface EMG against published ranges (not the simulator's constants)."""

from __future__ import annotations

import numpy as np
import pytest

import myograph.simulate as sim
from myograph.core.errors import ParameterError
from tests.simulate.helpers import median_frequency, spike_triggered_average


def test_median_frequency_at_moderate_force_is_50_to_150_hz():
    # Merletti & Parker 2004 (Electromyography, ch. 9) and De Luca 1997 (J Appl Biomech
    # 13:135-163): bipolar surface EMG at moderate force has a median frequency of about
    # 50-150 Hz (most muscles 70-120 Hz).
    for level in (0.3, 0.5):
        rec, _ = sim.surface(4.0, 2048.0, excitation=level, seed=11)
        mdf = median_frequency(rec.data[0], rec.fs)
        assert 50.0 <= mdf <= 150.0, (level, mdf)


def test_amplitude_grows_monotonically_with_force():
    # RMS amplitude increases monotonically with force (Lawrence & De Luca 1983)
    rms, force = [], []
    for level in (0.1, 0.25, 0.4, 0.6, 0.8):
        rec, _ = sim.surface(2.0, 2048.0, excitation=level, motor_units=60, seed=12)
        rms.append(np.sqrt(np.mean(rec.data[0, 1024:] ** 2)))
        force.append(rec.data[1, 1024:].mean())
    assert np.all(np.diff(force) > 0) and np.all(np.diff(rms) > 0)
    assert 10e-6 < rms[0] and rms[-1] < 5e-3  # tens of µV to a few mV


def test_spike_triggered_averages_of_the_output_reproduce_the_truth_templates():
    rec, truth = sim.surface(8.0, 2048.0, excitation=0.1, motor_units=50, seed=13)
    x = rec.get_data(truth.ch_names)
    amp = np.array([np.ptp(t) if d.size > 30 else 0.0 for t, d in zip(truth.templates, truth.discharges)])
    n_lags = truth.templates.shape[-1]
    for u in np.argsort(amp)[::-1][:3]:
        sta, n = spike_triggered_average(x, truth.discharges[u], -truth.template_lag0, n_lags - truth.template_lag0)
        assert n > 30
        assert np.corrcoef(sta.ravel(), truth.templates[u].ravel())[0, 1] > 0.9


def test_discharge_statistics_in_the_truth_match_the_units_rate_coding():
    rec, truth = sim.surface(10.0, 2048.0, excitation=0.4, motor_units=40, seed=14)
    table = truth.units_table()
    active = table[table.threshold < 0.4]
    assert (table[table.threshold >= 0.4].n_discharges == 0).all()
    assert np.all(active.mean_rate_hz >= active.min_rate_hz - 1) and np.all(active.mean_rate_hz <= active.peak_rate_hz + 1)
    # recruitment order: lower threshold → discharging no slower (Henneman; onion skin)
    assert np.all(np.diff(active.mean_rate_hz.to_numpy()) <= 1.0)


def test_a_recording_has_the_channel_table_annotations_metadata_and_provenance():
    rec, truth = sim.surface(2.0, 1000.0, muscles=["BB", "tibialis_anterior"], excitation={"BB": 0.2, "TA": 0.0}, seed=15)
    assert rec.ch_names == ["BB", "TA", "F_BB", "F_TA"] and rec.ch_types == ["EMG", "EMG", "FORCE", "FORCE"]
    bb = rec.channels["BB"]
    assert bb.muscle == "biceps_brachii" and bb.interelectrode_distance_mm == 20.0 and bb.units == "V"
    assert rec.channels["F_BB"].units == "N"
    assert not np.any(rec.data[1]) and truth.activation_for("TA") == []
    act = rec.annotations.select("activation", channel="BB")
    assert len(act) == 1 and act[0].onset == 0.0 and act[0].duration == pytest.approx(2.0, abs=0.01)
    assert rec.metadata.device.model == "myograph simulator" and "SENIAM" in rec.metadata.placement_scheme
    step = rec.provenance[-1]
    assert step.operation == "simulate.surface" and step.parameters["seed"] == 15
    assert step.parameters["excitation"] == {"BB": 0.2, "TA": 0.0} and step.parameters["muscles"] == ["BB", "TA"]


def test_activation_intervals_follow_the_recruitment_of_the_first_unit():
    exc = ("bursts", {"onsets_s": [0.5, 2.0], "durations_s": 1.0, "level": 0.3, "rise_s": 0.05})
    rec, truth = sim.surface(3.5, 1000.0, excitation=exc, motor_units=30, seed=16)
    spans = truth.activation_for("BB")
    assert len(spans) == 2
    for (on, off), want in zip(spans, (0.5, 2.0)):
        assert want <= on < want + 0.05 and want + 0.95 < off <= want + 1.0
    # no discharge outside the activation spans
    t = np.concatenate(truth.discharge_times_s)
    inside = np.zeros(t.size, dtype=bool)
    for on, off in spans:
        inside |= (t >= on - 1e-3) & (t <= off + 1e-3)
    assert inside.all()


def test_snr_adds_amplifier_noise_at_the_requested_level_and_noise_events_become_annotations():
    clean, _ = sim.surface(2.0, 2048.0, excitation=0.3, seed=17)
    noisy, truth = sim.surface(2.0, 2048.0, excitation=0.3, seed=17, snr_db=10.0,
                               noise=sim.NoiseSpec(electrode_pops_per_min=600.0))
    resid = noisy.data[0] - clean.data[0]
    assert np.all(noisy.data[1] == clean.data[1])  # force untouched
    assert 10 * np.log10(np.mean(clean.data[0] ** 2) / np.mean(resid ** 2)) < 12.0
    assert len(noisy.annotations.select("BAD_electrode_pop")) == len(truth.noise_events) > 0


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ParameterError, match="muscles"):
        sim.surface(1.0, 1000.0, muscles=["nope"])
    with pytest.raises(ParameterError, match="fs"):
        sim.surface(1.0, 10.0)
    with pytest.raises(ParameterError, match="snr_db"):
        sim.surface(1.0, 1000.0, excitation=0.0, snr_db=10.0)
