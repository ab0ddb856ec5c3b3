"""Every file of ../shared/data in a format myograph reads, through the public API, against its PROVENANCE.txt.

Sources (see each folder's PROVENANCE.txt): PhysioNet "Examples of Electromyograms" (emgdb);
edfio test data (Sleep-EDF SC4001); ezc3d-testFiles (BTS, Qualisys); pyomeca; kineticstoolkit;
BioSPPy examples; musclesyneRgies (Santuz et al. 2020); emgGO; myo-readings-dataset; openhdemg.
The per-format test files check the details; this table checks the headline figures in one place.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

import myograph
from myograph.apps.cli import app

# path, fs (Hz), n_channels of the EMG-rate part, n_samples, extra read options
CASES = [
    ("emgdb/emg_healthy.hea", 4000.0, 1, 50860, {}),
    ("emgdb/emg_myopathy.hea", 4000.0, 1, 110337, {}),
    ("emgdb/emg_neuropathy.dat", 4000.0, 1, 147858, {}),
    # the submental EMG is a 1 Hz envelope here, so the EMG-rate part is the 1 Hz one
    ("edfio-short-psg/short_psg.edf", 1.0, 4, 300, {}),
    ("edfio-short-psg/short_psg.bdf", 1.0, 4, 300, {}),
    ("ezc3d-testfiles/BTS.c3d", 1000.0, 44, 6750, {}),
    ("ezc3d-testfiles/Qualisys.c3d", 2000.0, 69, 3400, {}),
    ("pyomeca-vicon-c3d/markers_analogs.c3d", 2000.0, 38, 11600, {}),
    ("pyomeca-vicon-c3d/analogs.csv", 2000.0, 38, 11600, {}),
    ("biosppy-examples/emg_1.txt", 1000.0, 1, 63880, {}),
    ("biosppy-examples/emg.txt", 1000.0, 1, 100000, {}),
    ("musclesynergies-gait/RAW_DATA_ID0012_TW_01_emg.csv", 1000.0, 13, 7618, {"units": "uV"}),
    ("ktk-walk-c3d/emg_biceps_brachii.csv", None, 1, 6534, {"units": "V"}),
    ("myo-readings/12345-1/1.txt", 200.0, 8, None, {"fs": 200.0, "label_column": 8}),
    ("openhdemg-otb/otb_testfile.mat", 2048.0, None, 66560, {}),
    ("emggo-sample/Sample Data.mat", 250.0, 1, 137420, {}),
]


@pytest.mark.parametrize(("rel", "fs", "n_channels", "n_samples", "options"), CASES, ids=[c[0] for c in CASES])
def test_every_shared_recording_reads_with_its_documented_rate_and_size(shared_data, rel, fs, n_channels, n_samples, options, recwarn):
    rec = myograph.read(shared_data / rel, **options)
    if fs is not None:
        assert rec.fs == pytest.approx(fs)
    if n_channels is not None:
        assert rec.n_channels == n_channels
    if n_samples is not None:
        assert rec.n_samples == n_samples
    assert rec.provenance[0].operation == "read"
    # every warning a reader gave is a recorded repair, never a stray library warning
    assert all(issubclass(w.category, myograph.MyographWarning) for w in recwarn)


def test_the_walking_c3d_inside_its_zip_reads_with_events(shared_data, tmp_path):
    with zipfile.ZipFile(shared_data / "ktk-walk-c3d/walk.c3d.zip") as z:
        z.extractall(tmp_path)
    path = next(tmp_path.rglob("*.c3d"))
    with pytest.warns(myograph.MyographWarning):  # 174 all-zero analog channels are flagged
        rec = myograph.read(path)
    assert rec.fs == 2000.0 and rec.n_channels == 248
    assert len(rec.annotations) == 8


@pytest.mark.parametrize("rel", ["emgdb/emg_healthy.hea", "ezc3d-testfiles/Qualisys.c3d", "edfio-short-psg/short_psg.bdf"])
def test_info_json_agrees_with_the_library(shared_data, rel, recwarn):
    result = CliRunner().invoke(app, ["info", str(shared_data / rel), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    rec = myograph.read(shared_data / rel)
    assert info["fs_hz"] == rec.fs and info["n_channels"] == rec.n_channels
    assert info["duration_s"] == pytest.approx(rec.duration)
    assert info["n_annotations"] == len(rec.annotations)
