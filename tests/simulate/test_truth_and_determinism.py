"""Ground truth files and determinism: same seed, same output; other seed, other output."""

from __future__ import annotations

import json

import numpy as np
import pytest

import myograph.simulate as sim
from myograph.core.errors import FileFormatError

KINDS = {
    "surface": lambda seed: sim.surface(1.0, 1000.0, channels=2, motor_units=20, seed=seed),
    "needle": lambda seed: sim.needle(0.3, 10000.0, motor_units=20, seed=seed),
    "hdemg": lambda seed: sim.hdemg(1.0, 1000.0, rows=3, cols=3, motor_units=20, excitation=0.3, seed=seed),
    "gestures": lambda seed: sim.gestures(gesture_names=["hand_close", "hand_open"], repetitions=1, hold_s=1.0,
                                          rest_s=0.3, fs=1000.0, channels=4, motor_units=10, seed=seed),
    "gait": lambda seed: sim.gait(2.5, 1000.0, channels=2, motor_units=15, seed=seed),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_same_seed_gives_identical_output_and_another_seed_a_different_one(kind):
    a, ta = KINDS[kind](5)
    b, tb = KINDS[kind](5)
    c, tc = KINDS[kind](6)
    assert np.array_equal(a.data, b.data) and a.annotations == b.annotations
    assert all(np.array_equal(x, y) for x, y in zip(ta.discharges, tb.discharges))
    assert np.array_equal(ta.templates, tb.templates)
    assert not np.array_equal(a.data, c.data)
    assert a.provenance[-1].operation == f"simulate.{kind}" and a.provenance[-1].parameters["seed"] == 5


def test_no_global_random_state_is_used_or_changed():
    np.random.seed(123)
    before = np.random.random(3)
    np.random.seed(123)
    sim.surface(0.5, 1000.0, motor_units=10, seed=1)
    assert np.array_equal(np.random.random(3), before)


def test_a_generator_can_be_passed_instead_of_a_seed():
    a, _ = sim.surface(0.5, 1000.0, motor_units=10, seed=np.random.default_rng(9))
    b, _ = sim.surface(0.5, 1000.0, motor_units=10, seed=np.random.default_rng(9))
    assert np.array_equal(a.data, b.data)


def test_truth_round_trips_through_json_and_npz(tmp_path):
    rec, truth = sim.gestures(gesture_names=["hand_close", "hand_open"], repetitions=1, hold_s=1.0, rest_s=0.3,
                              fs=1000.0, channels=4, motor_units=10, seed=3, snr_db=20.0)
    side = truth.to_json(tmp_path / "truth.json")
    assert side == tmp_path / "truth.npz" and sorted(p.name for p in tmp_path.iterdir()) == ["truth.json", "truth.npz"]
    doc = json.loads((tmp_path / "truth.json").read_text())
    assert doc["kind"] == "gestures" and doc["seed"] == 3 and doc["arrays"]["file"] == "truth.npz"
    back = sim.Truth.from_json(tmp_path / "truth.json")
    assert back.ch_names == truth.ch_names and back.fs == truth.fs and back.n_samples == truth.n_samples
    assert all(np.array_equal(x, y) for x, y in zip(back.discharges, truth.discharges))
    assert np.array_equal(back.templates, truth.templates) and np.array_equal(back.gesture_labels, truth.gesture_labels)
    assert np.array_equal(back.units["threshold"], truth.units["threshold"])
    assert list(back.units["muscle"]) == list(truth.units["muscle"])
    assert back.activation == truth.activation and back.gesture_names == truth.gesture_names
    assert back.parameters["channels"] == 4 and back.pathology["name"] == "normal"
    assert set(back.excitation) == set(truth.excitation)


def test_a_tampered_array_sidecar_is_refused(tmp_path):
    _, truth = sim.surface(0.5, 1000.0, motor_units=10, seed=1)
    truth.to_json(tmp_path / "t.json")
    raw = bytearray((tmp_path / "t.npz").read_bytes())
    raw[-10] ^= 0xFF
    (tmp_path / "t.npz").write_bytes(bytes(raw))
    with pytest.raises(FileFormatError, match="sha256"):
        sim.Truth.from_json(tmp_path / "t.json")


def test_truth_records_thresholds_force_and_pathology():
    rec, truth = sim.surface(1.0, 1000.0, motor_units=30, pathology="neurogenic", excitation=0.5, seed=2)
    assert truth.n_units == 12 and truth.recruitment_thresholds.shape == (12,)
    assert truth.pathology["name"] == "neurogenic" and truth.parameters["pathology"] == "neurogenic"
    assert np.array_equal(truth.force["BB"], rec.data[rec.ch_names.index("F_BB")])
    assert truth.templates.shape == (12, 1, truth.templates.shape[-1])
