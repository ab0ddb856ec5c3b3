"""``myograph simulate``: writes a readable recording and its ground truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import myograph
import myograph.simulate as sim
from myograph.apps.cli import app

runner = CliRunner()


def test_simulate_surface_writes_a_bdf_and_truth_that_match_the_library(tmp_path):
    out, truth = tmp_path / "s.bdf", tmp_path / "s.json"
    result = runner.invoke(app, ["simulate", "surface", "--duration", "1", "--fs", "2048", "--seed", "4",
                                 "--channels", "2", "--motor-units", "20", "-o", str(out), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and (tmp_path / "s.npz").exists()
    rec = myograph.read(out)
    direct, _ = sim.surface(1.0, 2048.0, channels=2, motor_units=20, seed=4)
    assert rec.ch_names == direct.ch_names and rec.fs == 2048.0
    emg = rec.get_data(["BB", "TB"])
    assert np.allclose(emg, direct.get_data(["BB", "TB"]), atol=2 * np.ptp(direct.data[:2]) / 2 ** 24 + 1e-9)
    back = sim.Truth.from_json(truth)
    assert back.kind == "surface" and back.seed == 4 and back.ch_names == ["BB", "TB"]


@pytest.mark.parametrize("kind, extra", [("needle", ["--fs", "10000", "--pathology", "myopathic"]),
                                         ("hdemg", ["--channels", "16", "--fs", "1000"]),
                                         ("gait", ["--channels", "2", "--fs", "1000"])])
def test_every_kind_runs_from_the_command_line(tmp_path, kind, extra):
    out = tmp_path / f"{kind}.bdf"
    result = runner.invoke(app, ["simulate", kind, "--duration", "1", "--motor-units", "15", "--seed", "1",
                                 "-o", str(out), "--truth", str(tmp_path / "t.json"), *extra])
    assert result.exit_code == 0, result.output
    rec = myograph.read(out)
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["kind"] == kind and len(doc["ch_names"]) == sum(t == "EMG" for t in rec.ch_types)
    if kind == "hdemg":
        assert len(doc["ch_names"]) == 16


def test_gestures_with_snr_to_csv(tmp_path):
    out = tmp_path / "g.csv"
    result = runner.invoke(app, ["simulate", "gestures", "--duration", "6", "--fs", "1000", "--channels", "8",
                                 "--motor-units", "10", "--snr", "20", "--seed", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 0


@pytest.mark.parametrize("args, message", [
    (["needle", "--channels", "2"], "1 channel"),
    (["hdemg", "--channels", "7"], "square"),
    (["surface", "--spontaneous", "fibrillation"], "needle"),
    (["surface", "--fs", "5"], "fs"),
])
def test_bad_options_give_one_clear_line_and_exit_status_2(tmp_path, args, message):
    result = runner.invoke(app, ["simulate", *args, "-o", str(tmp_path / "x.bdf")])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
