"""The myograph command line: info, convert, plot, formats, and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import myograph
from myograph.apps.cli import app
from tests.conftest import make_recording

runner = CliRunner()


@pytest.fixture
def bdf(tmp_path):
    rec = make_recording(3, n_samples=4000, fs=2000.0).with_channel_info("ch1", muscle="biceps brachii", side="R")
    path = tmp_path / "rec.bdf"
    myograph.write(rec, path)
    return path


def test_info_prints_format_duration_rate_channels_and_annotations(bdf):
    result = runner.invoke(app, ["info", str(bdf)])
    assert result.exit_code == 0, result.output
    assert "edf" in result.stdout.lower() or "bdf" in result.stdout.lower()
    assert "2.000 s" in result.stdout and "2000 Hz" in result.stdout
    assert "ch0" in result.stdout and "EMG" in result.stdout and "1 annotations" in result.stdout


def test_info_json_is_machine_readable(bdf):
    result = runner.invoke(app, ["info", str(bdf), "--json"])
    info = json.loads(result.stdout)
    assert info["fs_hz"] == 2000.0 and info["n_channels"] == 3 and info["n_samples"] == 4000
    assert [c["name"] for c in info["channels"]] == ["ch0", "ch1", "ch2"]
    assert info["annotation_labels"] == ["burst"]
    assert info["parts"] == [{"fs_hz": 2000.0, "n_channels": 3, "duration_s": 2.0, "types": ["EMG"]}]


def test_convert_writes_the_target_format_and_keeps_the_samples(bdf, tmp_path):
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["convert", str(bdf), str(target), "--channels", "ch2,ch0"])
    assert result.exit_code == 0, result.output
    back = myograph.read(target)
    src = myograph.read(bdf)
    assert back.ch_names == ["ch2", "ch0"]
    np.testing.assert_allclose(back.data, src.data[[2, 0]], rtol=0, atol=1e-12)
    assert list(back.annotations.label) == ["burst"]


def test_plot_draws_one_trace_per_channel_into_a_png(bdf, tmp_path):
    import matplotlib.image

    png = tmp_path / "plot.png"
    result = runner.invoke(app, ["plot", str(bdf), "-o", str(png), "--channels", "ch0,ch1", "--start", "0.5", "--duration", "1"])
    assert result.exit_code == 0, result.output
    img = matplotlib.image.imread(png)
    assert img.shape[0] > 200 and img.shape[1] > 600
    # traces are drawn in dark blue (#1f4e79): a blank or failed plot would have none
    blue = (np.abs(img[..., 0] - 0x1F / 255) < 0.1) & (np.abs(img[..., 2] - 0x79 / 255) < 0.1)
    assert blue.sum() > 1000


def test_plot_handles_many_channels_in_one_stacked_panel(tmp_path):
    rec = make_recording(20, n_samples=500, fs=500.0)
    path = tmp_path / "many.bdf"
    myograph.write(rec, path)
    result = runner.invoke(app, ["plot", str(path), "-o", str(tmp_path / "many.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "many.png").stat().st_size > 10_000


def test_a_missing_file_is_one_clear_line_and_exit_status_2(tmp_path):
    result = runner.invoke(app, ["info", str(tmp_path / "nope.edf")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr and "Traceback" not in result.output


def test_a_damaged_file_names_file_and_field_and_exits_2(tmp_path):
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"0       " + b"x" * 10)
    result = runner.invoke(app, ["info", str(bad)])
    assert result.exit_code == 2
    assert "bad.edf" in result.stderr and "Traceback" not in result.output


def test_repairs_are_shown_as_warnings_not_errors(bdf, tmp_path):
    damaged = tmp_path / "truncated.bdf"
    damaged.write_bytes(bdf.read_bytes()[:-100])  # cut into the last data record
    result = runner.invoke(app, ["info", str(damaged)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr


def test_formats_lists_readers_and_writers():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0
    for name in ("edf", "wfdb", "c3d", "csv", "xdf", "mat"):
        assert name in result.stdout


def test_demo_writes_a_bdf_that_reads_back_and_a_plot(tmp_path):
    result = runner.invoke(app, ["demo", "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rec = myograph.read(tmp_path / "demo.bdf")
    assert rec.fs == 2048.0 and rec.duration == 10.0
    assert rec.select(type="EMG").ch_names == ["BB", "TB", "FCR", "ECR"]
    assert rec.channels["BB"].muscle == "biceps_brachii"
    assert "activation" in rec.annotations.label
    assert (tmp_path / "demo.png").stat().st_size > 50_000
    assert "BB" in result.stdout and "demo.png" in result.stdout
