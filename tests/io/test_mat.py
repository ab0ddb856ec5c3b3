"""MATLAB .mat reader (myograph.io.mat): OTBioLab+ HD-EMG exports, generic layouts, damaged files.

Real recordings (see each folder's PROVENANCE.txt under ../shared/data):

* ``openhdemg-otb/otb_testfile.mat`` — OTBioLab+ export shipped in PyPI openhdemg 0.1.2 (GPL-3.0):
  64 monopolar channels of a GR08MM1305 grid on vastus lateralis (µV), OTBioLab+ decomposition
  results, and a %MVC reference, 2048 Hz.
* ``emggo-sample/Sample Data.mat`` — GitHub GallVp/emgGO @ 2e71bc9 (MIT): struct ``EMG`` with
  ``channelData`` (137420 x 1) and ``fs`` = 250 Hz, units not stated.

Small files are written with :func:`scipy.io.savemat`.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import scipy.io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import butter, sosfiltfilt

import myograph
from myograph import FileFormatError, MyographWarning, ParameterError
from myograph.io.mat import GRID_LAYOUTS, grid_position

OTB = "openhdemg-otb/otb_testfile.mat"
EMGGO = "emggo-sample/Sample Data.mat"


def _savemat(path, variables, **kwargs):
    scipy.io.savemat(path, variables, **kwargs)
    return path


@pytest.fixture(scope="module")
def otb():
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / OTB
    if not path.is_file():
        pytest.skip(f"real recordings not available: {path} is absent (see ../shared/data/README.md)")
    return myograph.read(path)


# --- OTBioLab+ export ----------------------------------------------------------------------------------
def test_otb_export_has_75_channels_at_2048_hz_for_32_5_s(otb):
    assert (otb.n_channels, otb.fs, otb.n_samples) == (75, 2048.0, 66560)
    assert otb.duration == pytest.approx(32.5)
    assert sorted(set(otb.ch_types)) == ["EMG", "FORCE", "IPT", "SPIKES"]
    assert "otb_time_start_s=7" in otb.metadata.notes
    assert otb.metadata.device.software == "OTBioLab+"


def test_otb_grid_channels_are_emg_in_volts_with_group_muscle_and_spacing(otb):
    emg = otb.select(type="EMG")
    assert emg.n_channels == 64
    assert emg.ch_names[0] == "GR08MM1305_1" and emg.ch_names[-1] == "GR08MM1305_64"
    df = emg.channels.to_dataframe()
    assert set(df["units"]) == {"V"} and set(df["group"]) == {"GR08MM1305"}
    assert set(df["muscle"]) == {"Vastus Lateralis"} and set(df["interelectrode_distance_mm"]) == {8.0}
    peak = np.abs(emg.data).max()  # PROVENANCE: about -1270 ... 1500 µV
    assert 1.0e-3 < peak < 2.0e-3
    assert otb.metadata.placement_scheme.startswith("GR08MM1305 (13 x 5 grid, 8 mm")


def test_otb_grid_positions_follow_the_documented_13_by_5_serpentine_order(otb):
    emg = otb.select(type="EMG")
    pos = {c.name: (c.row, c.col) for c in emg.channels}
    assert pos["GR08MM1305_1"] == (1, 0) and pos["GR08MM1305_12"] == (12, 0)
    assert pos["GR08MM1305_13"] == (12, 1) and pos["GR08MM1305_25"] == (0, 1)
    assert pos["GR08MM1305_26"] == (0, 2) and pos["GR08MM1305_38"] == (12, 2)
    assert pos["GR08MM1305_39"] == (12, 3) and pos["GR08MM1305_51"] == (0, 3)
    assert pos["GR08MM1305_52"] == (0, 4) and pos["GR08MM1305_64"] == (12, 4)
    assert len(set(pos.values())) == 64 and (0, 0) not in pos.values()  # one corner is empty
    ch = emg.channels["GR08MM1305_13"]
    assert (ch.x_mm, ch.y_mm) == (8.0, 96.0)


def test_neighbours_in_the_grid_layout_correlate_more_than_in_an_8_by_8_layout(otb):
    """The layout check: adjacent electrodes see nearly the same signal (20-450 Hz band, 10 s)."""
    emg = otb.select(type="EMG").crop(10.0, 20.0)
    x = sosfiltfilt(butter(4, [20, 450], "bandpass", fs=emg.fs, output="sos"), emg.data, axis=1)
    c = np.corrcoef(x)
    rc = np.array([(ch.row, ch.col) for ch in emg.channels])
    dist = np.abs(rc[:, None, :] - rc[None, :, :]).sum(-1)
    k = np.arange(64)
    rc8 = np.stack([k % 8, k // 8], axis=1)
    dist8 = np.abs(rc8[:, None, :] - rc8[None, :, :]).sum(-1)
    assert c[dist == 1].mean() > 0.93
    assert c[dist == 1].mean() > c[dist8 == 1].mean() + 0.08
    np.fill_diagonal(c, -1.0)
    assert (dist[k, c.argmax(axis=1)] == 1).mean() > 0.8  # each electrode's best match is a neighbour


def test_otb_decomposition_trains_become_spike_channels_with_their_discharge_counts(otb):
    spikes = otb.select(type="SPIKES")
    assert spikes.ch_names == ["MU1", "MU2", "MU3", "MU4", "MU5"]
    assert set(np.unique(spikes.data)) == {0.0, 1.0}
    assert (spikes.data > 0).sum(axis=1).tolist() == [137, 154, 197, 293, 292]
    assert "Decomposition of Vastus Lateralis" in spikes.channels["MU1"].description
    assert spikes.channels["MU1"].muscle == "Vastus Lateralis"


def test_each_ipt_channel_peaks_at_the_discharges_of_its_motor_unit(otb):
    """IPTk, shifted by 8 samples, is high exactly at the discharges of MUk (and not of the others)."""
    ipt = otb.select(type="IPT")
    assert ipt.ch_names == ["IPT1", "IPT2", "IPT3", "IPT4", "IPT5"]
    z = (ipt.data - ipt.data.mean(axis=1, keepdims=True)) / ipt.data.std(axis=1, keepdims=True)
    for k in range(5):
        fires = np.flatnonzero(otb.get_data(f"MU{k + 1}")[0] > 0) - 8
        scores = z[:, fires].mean(axis=1)
        assert scores.argmax() == k and scores[k] > 8.0


def test_otb_reference_signal_is_force_in_percent_mvc(otb):
    force = otb.select(type="FORCE")
    assert force.ch_names == ["acquired data"]
    assert force.channels[0].units == "%MVC"
    assert force.data.min() == pytest.approx(0.867, abs=1e-3) and force.data.max() == pytest.approx(27.17, abs=1e-2)


def test_grid_position_knows_the_two_13_by_5_grids():
    assert set(GRID_LAYOUTS) == {"GR08MM1305", "GR04MM1305"}
    assert grid_position("GR04MM1305", 26) == (0, 2)
    assert grid_position("GR10MM0808", 1) is None


def test_a_small_otb_style_export_is_recognised(tmp_path):
    data = np.zeros((100, 3), dtype=np.float32)
    data[:, 0] = 10.0  # µV
    data[5, 1] = 1.0
    path = _savemat(tmp_path / "otb.mat", {
        "Data": np.array([data], dtype=object),
        "Description": np.array([["Biceps - MULTIPLE IN 1 - GR04MM1305 (26)[uV]"],
                                 ["1 - 1 - Decomposition of Biceps - MULTIPLE IN 1 - GR04MM1305 (1)[a.u]"],
                                 ["torque[Nm]"]], dtype=object),
        "SamplingFrequency": np.uint16(2048),
        "Time": np.array([np.arange(100) / 2048.0], dtype=object),
    })
    rec = myograph.read(path)
    assert rec.ch_names == ["GR04MM1305_26", "MU1", "torque"]
    assert rec.ch_types == ["EMG", "SPIKES", "TORQUE"]
    assert rec.channels[0].muscle == "Biceps" and (rec.channels[0].row, rec.channels[0].col) == (0, 2)
    assert rec.channels[0].x_mm == 8.0 and rec.channels[0].interelectrode_distance_mm == 4.0
    np.testing.assert_allclose(rec.data[0], 10e-6)


# --- generic layout --------------------------------------------------------------------------------------
def test_emggo_struct_with_channel_data_and_fs_reads_with_a_units_warning(shared_data):
    with pytest.warns(MyographWarning, match="no unit"):
        rec = myograph.read(shared_data / EMGGO)
    assert (rec.n_channels, rec.fs, rec.n_samples) == (1, 250.0, 137420)
    assert rec.duration == pytest.approx(549.68)
    assert rec.channels[0].units == "a.u."
    step = rec.provenance[0].parameters
    assert step["variable"] == "EMG.channelData" and step["fs_field"] == "EMG.fs"
    assert step["orientation"] == "rows are samples (137420)"  # a column vector
    raw = scipy.io.loadmat(shared_data / EMGGO, simplify_cells=True)["EMG"]["channelData"]
    np.testing.assert_array_equal(rec.data[0], raw)
    assert raw.min() == pytest.approx(-1729, abs=1) and raw.max() == pytest.approx(1994, abs=1)  # PROVENANCE


def test_emggo_units_can_be_stated_and_then_there_is_no_warning(shared_data):
    rec = myograph.read(shared_data / EMGGO, units="uV")
    assert rec.channels[0].units == "V"
    assert np.abs(rec.data).max() == pytest.approx(1994e-6, rel=1e-3)


def test_channels_by_samples_is_recognised_from_the_longer_axis(tmp_path):
    x = np.random.default_rng(0).normal(size=(3, 5000))
    path = _savemat(tmp_path / "g.mat", {"emg": x, "Fs": 1000.0, "labels": np.array(["bic", "tri", "delt"], dtype=object),
                                          "units": "mV"})
    rec = myograph.read(path)
    assert rec.fs == 1000.0 and rec.ch_names == ["bic", "tri", "delt"]
    np.testing.assert_allclose(rec.data, x * 1e-3)
    assert rec.provenance[0].parameters["orientation"] == "rows are channels (3 x 5000)"


@pytest.mark.parametrize("name", ["fs", "Fs", "fsamp", "SamplingFrequency", "sampling_rate", "srate"])
def test_the_sampling_rate_field_is_found_by_any_of_its_usual_names(tmp_path, name):
    path = _savemat(tmp_path / "r.mat", {"signal": np.zeros((1000, 2)), name: 512})
    assert myograph.read(path, units="V").fs == 512.0


def test_without_a_rate_field_fs_is_required(tmp_path):
    path = _savemat(tmp_path / "nofs.mat", {"signal": np.zeros((1000, 2))})
    with pytest.raises(ParameterError, match="fs"):
        myograph.read(path, units="V")
    assert myograph.read(path, fs=100.0, units="V").fs == 100.0


def test_fs_that_contradicts_the_file_is_refused(tmp_path):
    path = _savemat(tmp_path / "r.mat", {"signal": np.zeros((1000, 2)), "fs": 1000})
    with pytest.raises(ParameterError, match="1000 Hz"):
        myograph.read(path, fs=2000.0, units="V")


def test_a_square_matrix_needs_an_explicit_orientation(tmp_path):
    x = np.arange(16.0).reshape(4, 4)
    path = _savemat(tmp_path / "sq.mat", {"signal": x, "fs": 10})
    with pytest.raises(ParameterError, match="orientation"):
        myograph.read(path, units="V")
    rec = myograph.read(path, units="V", orientation="samples_x_channels")
    np.testing.assert_array_equal(rec.data, x.T)


def test_variable_picks_the_matrix_and_an_unknown_one_is_refused(tmp_path):
    path = _savemat(tmp_path / "two.mat", {"big": np.zeros((2000, 1)), "small": np.ones((300, 2)), "fs": 100})
    assert myograph.read(path, units="V").n_samples == 2000
    assert myograph.read(path, units="V", variable="small").n_samples == 300
    with pytest.raises(ParameterError, match="no variable 'nope'"):
        myograph.read(path, units="V", variable="nope")


def test_a_matlab_v4_file_is_read(tmp_path):
    path = _savemat(tmp_path / "v4.mat", {"x": np.arange(10.0)[:, None]}, format="4")
    rec = myograph.read(path, fs=10.0, units="uV")
    np.testing.assert_allclose(rec.data[0], np.arange(10.0) * 1e-6)


# --- damaged and unsupported files ------------------------------------------------------------------------------
def test_a_matlab_v73_file_is_refused_saying_h5py_is_needed(tmp_path):
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    p = tmp_path / "v73.mat"
    p.write_bytes(header.ljust(512, b" ") + b"\x89HDF\r\n\x1a\n" + b"\x00" * 512)
    with pytest.raises(FileFormatError, match="v7.3.*h5py") as info:
        myograph.read(p)
    assert str(p) in str(info.value)


def _v5_bytes(compress: bool) -> bytes:
    buf = io.BytesIO()
    scipy.io.savemat(buf, {"EMG": {"data": np.arange(3000.0).reshape(1000, 3), "fs": 1000.0}}, do_compression=compress)
    return buf.getvalue()


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
def test_a_truncated_mat_is_refused_naming_the_variable(tmp_path, compress):
    p = tmp_path / "cut.mat"
    raw = _v5_bytes(compress)
    p.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(FileFormatError, match=r"variable 0 \(byte 128\).*truncated") as info:
        myograph.read(p)
    assert str(p) in str(info.value)


def test_a_damaged_variable_is_skipped_with_a_warning_and_the_others_are_read(tmp_path):
    good = io.BytesIO()
    scipy.io.savemat(good, {"a_first": np.array([[1.0]]), "signal": np.zeros((500, 2)), "fs": 100})
    raw = bytearray(good.getvalue())
    # the first variable's numeric element type (miDOUBLE = 9) set to 200, which crashed scipy before the check
    first_data_tag = raw.index(b"a_first") + 8
    assert raw[first_data_tag] == 9
    raw[first_data_tag] = 200
    p = tmp_path / "damaged.mat"
    p.write_bytes(bytes(raw))
    with pytest.warns(MyographWarning, match="data type 200"):
        rec = myograph.read(p, units="V")
    assert rec.n_samples == 500
    with pytest.raises(FileFormatError, match="data type 200.*strict"):
        myograph.read(p, units="V", strict=True)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", "empty"),
        (b"time,emg\n0,1\n0.001,2\n" * 20, "."),  # content beats extension: the text reader refuses it
        (_v5_bytes(False)[:128], "no real numeric"),
        (_v5_bytes(False)[:10], "not MATLAB|header"),
    ],
    ids=["empty", "text_named_mat", "header_only", "ten_bytes"],
)
def test_bad_mat_files_are_refused_naming_the_file(tmp_path, payload, match):
    p = tmp_path / "bad.mat"
    p.write_bytes(payload)
    with pytest.raises(FileFormatError, match=match) as info:
        myograph.read(p)
    assert str(p) in str(info.value)


def test_a_mat_with_no_numeric_matrix_is_refused(tmp_path):
    p = _savemat(tmp_path / "text.mat", {"note": "hello", "names": np.array(["a", "b"], dtype=object), "fs": 100})
    with pytest.raises(FileFormatError, match="no real numeric vector or matrix"):
        myograph.read(p)


def test_unknown_options_and_orientations_are_refused(tmp_path):
    p = _savemat(tmp_path / "r.mat", {"signal": np.zeros((100, 2)), "fs": 10})
    with pytest.raises(ParameterError, match="orientation"):
        myograph.read(p, orientation="sideways")
    with pytest.raises(ParameterError, match="colour"):
        myograph.read(p, colour="red")


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(compress=st.booleans(), cut=st.integers(0, 400),
       edits=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6))
def test_any_damage_gives_a_recording_or_a_typed_error(compress, cut, edits):
    data = bytearray(_v5_bytes(compress)[:2400])  # the struct, cut inside its data
    data = bytearray(_v5_bytes(compress)) if cut == 0 else data
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)
        try:
            recs = myograph.read_all(bytes(data), format="mat")
        except (FileFormatError, ParameterError):
            return
    assert all(isinstance(r, myograph.Recording) for r in recs)
