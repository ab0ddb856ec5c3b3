"""Concentric needle MUAPs against published normal ranges and pathological directions.

MUAPs are measured by simple rules that do not use the simulator's constants
(:func:`tests.simulate.helpers.muap_measures`): duration from the first to the last
departure from baseline beyond ±20 µV, peak-to-peak amplitude, phases as baseline
crossings + 1 between excursions beyond ±20 µV. As in clinical MUAP analysis only
MUAPs recorded close to their fibres are accepted: rise time ≤ 1 ms and amplitude
≥ 0.1 mV (the clinical rise-time criterion is 0.5 ms; the model's near-fibre spikes,
from Rosenfalck's action potential at ~3.5-4 m/s, rise in ~0.4-0.6 ms, so 1 ms admits
MUAPs whose nearest fibres are within ~0.3 mm). Six needle positions (seeds) per pool.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import myograph.simulate as sim
from tests.simulate.helpers import muap_measures, spike_triggered_average

FS = 20000.0


@functools.lru_cache(maxsize=None)
def _muaps(pathology: str) -> dict[str, np.ndarray]:
    rows = []
    for seed in range(6):
        _, truth = sim.needle(0.1, FS, motor_units=50, pathology=pathology, excitation=0.0, seed=seed)
        for x in truth.templates[:, 0, :]:
            if np.ptp(x) >= 40e-6:
                m = muap_measures(x, FS)
                if m["rise_ms"] <= 1.0 and m["amplitude_mv"] >= 0.1:
                    rows.append(m)
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_normal_muaps_have_published_normal_duration_amplitude_and_phases():
    # Buchthal, Pinelli & Rosenfalck 1954 (Acta Physiol Scand 32:219-229); Stålberg et
    # al. 1986 (Muscle Nerve 9:539-551; reference values); Preston & Shapiro 2013, ch. 15:
    # normal MUAPs last 5-15 ms, have 0.1-2 mV amplitude and 2-4 phases (a minority,
    # up to 10-15% in limb muscles, with more).
    m = _muaps("normal")
    assert m["duration_ms"].size >= 40
    assert 5.0 <= m["duration_ms"].mean() <= 15.0 and np.mean((m["duration_ms"] >= 5) & (m["duration_ms"] <= 15)) >= 0.7
    assert 0.1 <= m["amplitude_mv"].mean() <= 2.0 and np.mean(m["amplitude_mv"] <= 2.0) >= 0.9
    assert 2.0 <= np.median(m["phases"]) <= 4.0 and np.mean(m["phases"] <= 4) >= 0.75


def test_myopathic_muaps_are_shorter_smaller_and_more_often_polyphasic():
    # Buchthal & Kamieniecka 1982 (Muscle Nerve 5:265-280); Daube & Rubin 2009 (Muscle
    # Nerve 39:244-270): in myopathy mean MUAP duration is reduced (typically by more than
    # 20%), amplitude reduced, and polyphasic MUAPs increased. Asserted here: duration
    # at most 90% of normal, amplitude at most 70% of normal, more polyphasic MUAPs.
    normal, myo = _muaps("normal"), _muaps("myopathic")
    assert myo["duration_ms"].mean() <= 0.9 * normal["duration_ms"].mean()
    assert myo["amplitude_mv"].mean() <= 0.7 * normal["amplitude_mv"].mean()
    assert np.mean(myo["phases"] > 4) > np.mean(normal["phases"] > 4)


def test_neurogenic_muaps_are_longer_larger_and_more_often_polyphasic():
    # Buchthal & Kamieniecka 1982; Daube & Rubin 2009: after reinnervation MUAPs are
    # longer (often by more than 20%), larger (often 2-5x) and often polyphasic.
    # Asserted here: duration at least 110% and amplitude at least 120% of normal.
    normal, neuro = _muaps("normal"), _muaps("neurogenic")
    assert neuro["duration_ms"].mean() >= 1.1 * normal["duration_ms"].mean()
    assert neuro["amplitude_mv"].mean() >= 1.2 * normal["amplitude_mv"].mean()
    assert np.mean(neuro["phases"] > 4) > np.mean(normal["phases"] > 4)


def test_near_units_dominate_and_far_units_are_absent():
    _, truth = sim.needle(0.1, FS, motor_units=50, excitation=0.0, seed=3)
    near = truth.units["fibres_within_pickup"]
    amp = np.ptp(truth.templates[:, 0, :], axis=1)
    assert np.all(amp[near == 0] == 0) and np.count_nonzero(near) >= 5
    assert np.count_nonzero(amp > 0.5 * amp.max()) <= 0.3 * np.count_nonzero(near)


def test_spike_triggered_averages_reproduce_the_mean_muaps_despite_jitter():
    rec, truth = sim.needle(4.0, FS, motor_units=50, excitation=0.1, seed=4)
    x = rec.data[0]
    amp = np.array([np.ptp(t) if d.size > 20 else 0.0 for t, d in zip(truth.templates, truth.discharges)])
    n_lags = truth.templates.shape[-1]
    for u in np.argsort(amp)[::-1][:2]:
        sta, n = spike_triggered_average(x, truth.discharges[u], -truth.template_lag0, n_lags - truth.template_lag0)
        assert np.corrcoef(sta.ravel(), truth.templates[u].ravel())[0, 1] > 0.9


def test_jitter_moves_the_largest_fibre_potentials_from_discharge_to_discharge():
    rec, truth = sim.needle(3.0, FS, motor_units=50, excitation=0.1, seed=5, pathology="neurogenic")
    u = int(np.argmax([np.ptp(t) if d.size > 20 else 0 for t, d in zip(truth.templates, truth.discharges)]))
    d = truth.discharges[u][5:-5]
    lag0 = truth.template_lag0
    sweeps = np.stack([rec.data[0, s - lag0:s - lag0 + truth.templates.shape[-1]] for s in d])
    assert np.std(sweeps, axis=0).max() > 0  # not identical sweeps
    assert truth.extra["jitter_us"] == pytest.approx(sim.get_pathology("neurogenic").jitter_us)


def test_at_rest_with_spontaneous_activity_the_events_are_in_truth_and_annotations():
    rec, truth = sim.needle(3.0, FS, motor_units=30, spontaneous=["fibrillation", "fasciculation"], seed=6)
    assert all(d.size == 0 for d in truth.discharges)  # rest: no voluntary discharges
    kinds = {e["kind"] for e in truth.spontaneous_events}
    assert "fibrillation" in kinds
    ann = rec.annotations.select(prefix="spontaneous:")
    assert len(ann) == len(truth.spontaneous_events)
    assert rec.metadata.task == "rest" and np.any(rec.data[0] != 0)
