"""C3D reader (myograph.io.c3d): analog EMG, markers, events, units, damaged files.

Real recordings (see each folder's PROVENANCE.txt under ../shared/data):

* ``ezc3d-testfiles/BTS.c3d`` and ``Qualisys.c3d`` — GitHub pyomeca/ezc3d-testFiles @ e40a8f8 (GPL-3.0).
* ``pyomeca-vicon-c3d/markers_analogs.c3d`` and ``analogs.csv`` — GitHub pyomeca/pyomeca @ 3594512 (MIT).
* ``ktk-walk-c3d/walk.c3d.zip`` — GitHub kineticstoolkit/kineticstoolkit @ 169a99d (Apache-2.0).

Small synthetic files are written with ezc3d's own writer, so these tests also run without the shared data.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

import ezc3d
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myograph
from myograph import FileFormatError, MyographWarning, ParameterError
from myograph.io.c3d import check_structure

BTS = "ezc3d-testfiles/BTS.c3d"
QUALISYS = "ezc3d-testfiles/Qualisys.c3d"
VICON = "pyomeca-vicon-c3d/markers_analogs.c3d"
VICON_CSV = "pyomeca-vicon-c3d/analogs.csv"


def _read_all_quietly(path, **kwargs):
    """read_all, collecting the MyographWarnings (all-zero channels) instead of failing on them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MyographWarning)
        recs = myograph.read_all(path, **kwargs)
    return recs, [str(w.message) for w in caught if issubclass(w.category, MyographWarning)]


@pytest.fixture(scope="module")
def real():
    """Read each real file once per module: {name: (recordings, warnings)}."""
    cache: dict = {}

    def get(shared: Path, rel: str):
        if rel not in cache:
            cache[rel] = _read_all_quietly(shared / rel)
        return cache[rel]

    return get


@pytest.fixture(scope="module")
def walk_c3d(tmp_path_factory):
    from tests.conftest import SHARED_DATA

    archive = SHARED_DATA / "ktk-walk-c3d" / "walk.c3d.zip"
    if not archive.is_file():
        pytest.skip(f"real recordings not available: {archive} is absent (see ../shared/data/README.md)")
    out = tmp_path_factory.mktemp("walk")
    with zipfile.ZipFile(archive) as z:
        z.extract("walk.c3d", out)
    return _read_all_quietly(out / "walk.c3d")


def _write_c3d(path: Path, *, n_frames=50, first_frame=None, zero_channel=True, events=True, nan_marker=False) -> Path:
    """A small C3D: 2 markers at 100 Hz (mm), 3 analogs at 1000 Hz (EMG in mV, EMG in V, force in N)."""
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["POINT"]["LABELS"]["value"] = ("LASI", "RASI")
    c["parameters"]["ANALOG"]["RATE"]["value"] = [1000]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = ("Biceps.EMG1", "Sensor 2.EMG2", "Fz1")
    c["parameters"]["ANALOG"]["UNITS"]["value"] = ("mV", "V", "N")
    pts = np.ones((4, 2, n_frames))
    pts[0, 0] = np.arange(n_frames)  # LASI x = frame index, mm
    pts[1] = 2.0
    pts[2] = 3.0
    if nan_marker:
        pts[:3, 1, 10:20] = np.nan
    c["data"]["points"] = pts
    an = np.zeros((1, 3, n_frames * 10))
    an[0, 0] = np.sin(np.arange(n_frames * 10) / 10.0)  # ±1 mV
    an[0, 2] = 100.0
    if not zero_channel:
        an[0, 1] = 1e-4
    c["data"]["analogs"] = an
    if events:
        c.add_parameter("EVENT", "USED", [2])
        c.add_parameter("EVENT", "LABELS", ["Foot Strike", "Foot Off"])
        c.add_parameter("EVENT", "CONTEXTS", ["Left", "Right"])
        c.add_parameter("EVENT", "TIMES", np.array([[0.0, 0.0], [0.21, 0.35]]))
    c.write(str(path))
    if first_frame is not None:  # shift the trial: header words 4 and 5 (1-based frame numbers)
        buf = bytearray(path.read_bytes())
        struct.pack_into("<HH", buf, 6, first_frame, first_frame + n_frames - 1)
        path.write_bytes(bytes(buf))
    return path


@pytest.fixture
def small_c3d(tmp_path) -> Path:
    return _write_c3d(tmp_path / "small.c3d", zero_channel=False)


# --- synthetic files -----------------------------------------------------------------------------
def test_read_all_returns_the_analog_channels_then_the_markers_each_at_its_own_rate(small_c3d):
    analog, points = myograph.read_all(small_c3d)
    assert analog.fs == 1000.0 and analog.n_samples == 500
    assert points.fs == 100.0 and points.n_samples == 50
    assert analog.ch_names == ["Biceps.EMG1", "Sensor 2.EMG2", "Fz1"]
    assert analog.ch_types == ["EMG", "EMG", "FORCE"]
    assert points.ch_names == ["LASI_x", "LASI_y", "LASI_z", "RASI_x", "RASI_y", "RASI_z"]
    assert set(points.ch_types) == {"POS"}


def test_read_gives_the_analog_recording(small_c3d):
    assert myograph.read(small_c3d).fs == 1000.0


def test_analog_millivolts_are_stored_in_volts_and_newtons_are_kept(small_c3d):
    analog = myograph.read(small_c3d)
    np.testing.assert_allclose(analog.data[0], 1e-3 * np.sin(np.arange(500) / 10.0), rtol=1e-6, atol=1e-12)
    assert analog.channels["Biceps.EMG1"].units == "V"
    assert analog.channels["Fz1"].units == "N"
    np.testing.assert_allclose(analog.data[2], 100.0)


def test_muscle_names_are_parsed_from_delsys_style_labels(small_c3d):
    analog = myograph.read(small_c3d)
    assert analog.channels["Biceps.EMG1"].muscle == "Biceps"
    assert analog.channels["Sensor 2.EMG2"].muscle == ""


def test_marker_positions_are_converted_from_millimetres_to_metres(small_c3d):
    points = myograph.read_all(small_c3d)[1]
    assert points.channels["LASI_x"].units == "m"
    assert points.channels["LASI_x"].group == "LASI"
    np.testing.assert_allclose(points.data[0], np.arange(50) * 1e-3, rtol=1e-6)
    np.testing.assert_allclose(points.data[1], 2e-3, rtol=1e-6)


def test_a_marker_not_seen_in_some_frames_is_nan_there_and_nowhere_else(tmp_path):
    points = myograph.read_all(_write_c3d(tmp_path / "gap.c3d", zero_channel=False, nan_marker=True))[1]
    rasi_x = points.data[points.ch_names.index("RASI_x")]
    assert np.isnan(rasi_x[10:20]).all()
    assert np.isfinite(rasi_x[:10]).all() and np.isfinite(rasi_x[20:]).all()
    assert points.channels["RASI_x"].status == "good"


def test_events_become_annotations_labelled_with_their_context(small_c3d):
    for rec in myograph.read_all(small_c3d):
        ann = rec.annotations
        assert ann.label == ("Left Foot Strike", "Right Foot Off")
        np.testing.assert_allclose(ann.onset, [0.21, 0.35], atol=1e-6)
        assert np.all(ann.duration == 0)


def test_event_times_count_from_frame_one_so_onsets_shift_by_the_trial_start(tmp_path):
    # trial starts at frame 11 at 100 Hz = 0.10 s after frame 1; events at 0.21 s and 0.35 s of the capture
    path = _write_c3d(tmp_path / "late.c3d", first_frame=11, zero_channel=False)
    analog, points = myograph.read_all(path)
    np.testing.assert_allclose(analog.annotations.onset, [0.11, 0.25], atol=1e-6)
    np.testing.assert_allclose(points.annotations.onset, [0.11, 0.25], atol=1e-6)
    assert "c3d_first_frame=11" in analog.metadata.notes
    assert analog.provenance[0].parameters["trial_start_s"] == pytest.approx(0.10)


def test_events_outside_the_trial_are_dropped_and_counted(tmp_path):
    # trial frames 31-80 = 0.30-0.80 s: the 0.21 s event lies before it
    analog = myograph.read(_write_c3d(tmp_path / "out.c3d", first_frame=31, zero_channel=False))
    assert analog.annotations.label == ("Right Foot Off",)
    assert analog.provenance[0].parameters["events_outside_trial"] == 1


def test_an_all_zero_analog_channel_is_loaded_as_bad_with_a_repair_warning(tmp_path):
    path = _write_c3d(tmp_path / "zero.c3d", zero_channel=True)
    with pytest.warns(MyographWarning, match="all zero.*Sensor 2.EMG2"):
        analog = myograph.read(path)
    ch = analog.channels["Sensor 2.EMG2"]
    assert (ch.status, ch.status_description) == ("bad", "all samples zero")
    assert analog.channels["Biceps.EMG1"].status == "good"
    assert [s.operation for s in analog.provenance] == ["read", "repair"]


def test_strict_reading_refuses_all_zero_analog_channels(tmp_path):
    with pytest.raises(FileFormatError, match="ANALOG:DATA.*strict"):
        myograph.read(_write_c3d(tmp_path / "zero.c3d", zero_channel=True), strict=True)


def test_the_same_file_reads_the_same_from_bytes(small_c3d):
    from_bytes = myograph.read_all(small_c3d.read_bytes())
    from_path = myograph.read_all(small_c3d)
    for a, b in zip(from_bytes, from_path):
        np.testing.assert_array_equal(a.data, b.data)
        assert a.ch_names == b.ch_names


def test_passing_fs_to_a_c3d_file_is_refused(small_c3d):
    with pytest.raises(ParameterError, match="fs"):
        myograph.read(small_c3d, fs=1000.0)


def test_markers_can_be_left_out(small_c3d):
    assert len(myograph.read_all(small_c3d, markers=False)) == 1


# --- damaged files ---------------------------------------------------------------------------------
def _damaged(raw: bytes, case: str) -> bytes:
    buf = bytearray(raw)
    start = (buf[0] - 1) * 512
    if case == "ten_bytes":
        return bytes(buf[:10])
    if case == "header_only":
        return bytes(buf[:512])
    if case == "inside_parameters":
        return bytes(buf[:start + 300])
    if case == "garbage":
        return bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8))
    if case == "text":
        return b"this is not a c3d file, just text\n" * 40
    if case == "bad_key":
        buf[1] = 0x51
        return bytes(buf)
    if case == "bad_processor":
        buf[start + 3] = 99
        return bytes(buf)
    if case == "parameters_overwritten":  # crashed ezc3d (segfault) before the structure check existed
        buf[start + 90:start + 390] = b"\xff" * 300
        return bytes(buf)
    if case == "parameter_turned_into_group":  # also a former ezc3d segfault
        pos = start + 4
        while True:  # find the first parameter entry (positive group id) and make its id negative
            n, gid = struct.unpack("bb", buf[pos:pos + 2])
            if gid > 0:
                buf[pos + 1] = 256 - 30
                return bytes(buf)
            offset_pos = pos + 2 + abs(n)
            pos = offset_pos + struct.unpack("<H", buf[offset_pos:offset_pos + 2])[0]
    if case == "group_id_zero":
        buf[start + 5] = 0
        return bytes(buf)
    if case == "no_data":
        return bytes(buf[:(struct.unpack("<H", buf[16:18])[0] - 1) * 512])
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("ten_bytes", "header"),
        ("header_only", "parameter"),
        ("inside_parameters", "parameter section"),
        ("bad_key", "header"),
        ("bad_processor", "processor_type"),
        ("parameters_overwritten", "parameter section entry"),
        ("parameter_turned_into_group", "parameter section entry"),
        ("group_id_zero", "group id 0"),
        ("no_data", "data"),
    ],
)
def test_a_damaged_c3d_is_refused_naming_the_file_and_field(small_c3d, tmp_path, case, field):
    bad = tmp_path / f"{case}.c3d"
    bad.write_bytes(_damaged(small_c3d.read_bytes(), case))
    with pytest.raises(FileFormatError, match=field) as info:
        myograph.read_all(bad)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("case", ["garbage", "text"])
def test_bytes_that_are_not_c3d_named_c3d_are_refused(small_c3d, tmp_path, case):
    bad = tmp_path / f"{case}.c3d"
    bad.write_bytes(_damaged(small_c3d.read_bytes(), case))
    with pytest.raises(FileFormatError, match="c3d|C3D|unknown format") as info:
        myograph.read(bad)
    assert str(bad) in str(info.value)


def test_an_empty_c3d_is_refused(tmp_path):
    bad = tmp_path / "empty.c3d"
    bad.write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty"):
        myograph.read(bad)


def test_a_file_cut_inside_the_data_keeps_the_complete_frames_with_a_repair_warning(small_c3d, tmp_path):
    raw = small_c3d.read_bytes()
    data_start = (struct.unpack("<H", raw[16:18])[0] - 1) * 512
    frame_bytes = 2 * 16 + 3 * 10 * 4  # 2 float markers (x, y, z, residual) + 3 analogs x 10 subframes
    cut = tmp_path / "cut.c3d"
    cut.write_bytes(raw[:data_start + 20 * frame_bytes + 7])
    with pytest.warns(MyographWarning, match="truncated"):
        analog, points = myograph.read_all(cut)
    assert points.n_samples == 20 and analog.n_samples == 200
    with pytest.raises(FileFormatError, match="truncated"):
        myograph.read_all(cut, strict=True)


def test_the_structure_check_accepts_the_files_ezc3d_writes(small_c3d):
    raw = small_c3d.read_bytes()
    layout = check_structure(raw, "small.c3d", len(raw))
    assert layout.processor == "Intel"
    assert {"POINT", "ANALOG", "EVENT"} <= set(layout.params)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 2047), st.integers(0, 255)), min_size=1, max_size=12))
def test_any_damage_to_the_header_or_parameters_gives_recordings_or_a_file_format_error(small_c3d, edits):
    buf = bytearray(small_c3d.read_bytes())
    for pos, value in edits:
        buf[pos] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)
        try:
            recs = myograph.read_all(bytes(buf), format="c3d")
        except FileFormatError:
            return
    assert all(isinstance(r, myograph.Recording) for r in recs)


# --- real files ------------------------------------------------------------------------------------
def test_bts_has_44_analogs_at_1000_hz_with_8_emg_channels_in_volts(shared_data, real):
    (analog, points), _ = real(shared_data, BTS)
    assert (analog.n_channels, analog.fs, analog.n_samples) == (44, 1000.0, 6750)
    assert analog.duration == pytest.approx(6.75)
    emg = analog.select(type="EMG")
    assert emg.n_channels == 8
    assert set(emg.channels.to_dataframe()["units"]) == {"V"}
    peaks = np.abs(emg.data).max(axis=1)  # PROVENANCE: peaks ~0.1-0.7 mV
    assert np.all((peaks > 5e-5) & (peaks < 2e-3))
    rf = analog.channels["Left Rectus femoris"]
    assert (rf.muscle, rf.side) == ("Rectus femoris", "L")
    assert analog.channels["Right Gastrocnemius medialis"].side == "R"
    assert len(analog.annotations) == 0


def test_bts_force_plate_channels_are_force_and_torque_with_moments_in_newton_metres(shared_data, real):
    (analog, _), warned = real(shared_data, BTS)
    assert analog.channels["Fz1"].type == "FORCE" and analog.channels["Fz1"].units == "N"
    assert analog.channels["Mx1"].type == "TORQUE" and analog.channels["Mx1"].units == "N·m"
    raw = ezc3d.c3d(str(shared_data / BTS))["data"]["analogs"][0]
    i = analog.ch_names.index("Mx1")
    np.testing.assert_allclose(analog.data[i], raw[i] * 1e-3, rtol=1e-6)
    # plates 2, 3 and 6 were not stepped on: all zero, flagged, one warning
    assert analog.channels["Fz2"].status == "bad"
    assert any("18 analog channel(s) are all zero" in w for w in warned)


def test_bts_markers_are_22_points_at_100_hz_in_metres(shared_data, real):
    (_, points), _ = real(shared_data, BTS)
    assert (points.n_channels, points.fs, points.n_samples) == (66, 100.0, 675)
    raw = ezc3d.c3d(str(shared_data / BTS))["data"]["points"]
    np.testing.assert_allclose(points.data[0::3], raw[0] * 1e-3, rtol=1e-6)
    finite = points.data[np.isfinite(points.data)]
    assert np.abs(finite).max() < 20.0  # metres, not millimetres


def test_qualisys_has_16_emg_channels_in_volts_and_7_gait_events(shared_data, real):
    (analog, _), _ = real(shared_data, QUALISYS)
    assert (analog.n_channels, analog.fs, analog.n_samples) == (69, 2000.0, 3400)
    emg = analog.select(type="EMG")
    assert emg.ch_names == [f"EMG {i}" for i in range(1, 17)]
    assert np.all(np.abs(emg.data).max(axis=1) < 1e-2)  # volts (PROVENANCE: ~1e-4 V scale)
    ann = analog.annotations
    assert ann.label == ("LHS", "RTO", "RHS", "LTO", "LHS", "RTO", "RHS")
    # absolute times 3.590 ... 5.030 s; the trial starts at frame 705 at 200 Hz = 3.52 s
    np.testing.assert_allclose(ann.onset, np.array([3.590, 3.685, 4.050, 4.160, 4.535, 4.650, 5.030]) - 3.52, atol=1e-5)
    assert analog.channels["Sync"].status == "bad"


def _force_onsets(rec, channel, threshold_n=10.0):
    above = np.flatnonzero(np.abs(rec.data[rec.ch_names.index(channel)]) > threshold_n)
    return above[0] / rec.fs, above[-1] / rec.fs


def test_qualisys_heel_strikes_fall_within_two_frames_of_the_force_plate_onsets(shared_data, real):
    (analog, _), _ = real(shared_data, QUALISYS)
    on_3581, off_3581 = _force_onsets(analog, "Amti Gen 5 OR6-5-1000 3581_3")
    on_3582, _ = _force_onsets(analog, "Amti Gen 5 OR6-5-1000 3582_3")
    events = dict(zip(analog.annotations.label[:4], analog.annotations.onset[:4]))
    assert events["LHS"] == pytest.approx(on_3581, abs=0.010)
    assert events["LTO"] == pytest.approx(off_3581, abs=0.010)
    assert events["RHS"] == pytest.approx(on_3582, abs=0.010)


def test_vicon_emg_labels_give_muscles_and_unused_sensors_are_bad(shared_data, real):
    (analog, points), warned = real(shared_data, VICON)
    assert (analog.n_channels, analog.fs, analog.n_samples) == (38, 2000.0, 11600)
    assert analog.channels["Delt_ant.EMG1"].muscle == "Delt_ant"
    assert analog.channels["Pec.IM EMG12"].muscle == "Pec"
    assert analog.channels["Voltage.1"].type == "MISC"
    for k in range(12, 17):
        ch = analog.channels[f"Sensor {k}.EMG{k}"]
        assert (ch.type, ch.status, ch.status_description) == ("EMG", "bad", "all samples zero")
    assert analog.channels["Biceps.EMG4"].status == "good"
    assert len(analog.annotations) == 0  # the EVENT group is present but empty
    assert points.n_channels == 3 * 51 and points.fs == 100.0
    assert any("all zero" in w for w in warned)


def test_vicon_c3d_analogs_equal_the_nexus_csv_export(shared_data, real):
    (analog, _), _ = real(shared_data, VICON)
    csv = np.genfromtxt(shared_data / VICON_CSV, delimiter=",", skip_header=5)
    header = (shared_data / VICON_CSV).read_text().splitlines()[3].split(",")
    assert csv.shape == (11600, 40)
    for c3d_name, csv_name in [("Delt_ant.EMG1", "EMG1"), ("Biceps.EMG4", "EMG4"), ("Supra.EMG9", "EMG9"),
                               ("Pec.IM EMG12", "IM EMG12"), ("Voltage.1", "1")]:
        np.testing.assert_allclose(analog.data[analog.ch_names.index(c3d_name)], csv[:, header.index(csv_name)],
                                   rtol=5e-3, atol=1e-9, err_msg=c3d_name)  # the CSV keeps 3 significant digits


def test_walk_has_248_analogs_16_silent_emg_sensors_and_8_gait_events(walk_c3d):
    (analog, points), warned = walk_c3d
    assert (analog.n_channels, analog.fs, analog.n_samples) == (248, 2000.0, 4420)
    silent = [f"Sensor {k}.EMG{k}" for k in range(1, 17)]
    assert all(analog.channels[n].status == "bad" for n in silent)
    assert analog.channels["Sensor 1.IM EMG1"].status == "good"
    assert analog.channels["Sensor 1.ACCX1"].units == "mm/s²"
    assert analog.annotations.label == ("Right Foot Strike", "Left Foot Off", "Left Foot Strike", "Right Foot Off",
                                        "Right Foot Strike", "Left Foot Off", "Left Foot Strike", "Right Foot Off")
    # absolute times 1.6605 ... 3.5 s; the trial starts at frame 153 at 100 Hz = 1.52 s
    np.testing.assert_allclose(analog.annotations.onset[0], 1.6605 - 1.52, atol=1e-5)
    assert points.channels["LHipAngles_x"].type == "ANGLE" and points.channels["LHipAngles_x"].units == "deg"
    assert points.channels["LASI_x"].type == "POS" and points.channels["LASI_x"].units == "m"
    assert any("all zero" in w for w in warned)


def test_walk_foot_strikes_and_offs_match_the_force_plates_within_a_millisecond(walk_c3d):
    (analog, _), _ = walk_c3d
    ann = {(lab, i): t for i, (lab, t) in enumerate(zip(analog.annotations.label, analog.annotations.onset))}
    right_on, right_off = _force_onsets(analog, "Force.Fz4")
    left_on, left_off = _force_onsets(analog, "Force.Fz2")
    assert ann[("Right Foot Strike", 0)] == pytest.approx(right_on, abs=0.001)
    assert ann[("Right Foot Off", 3)] == pytest.approx(right_off, abs=0.001)
    assert ann[("Left Foot Strike", 2)] == pytest.approx(left_on, abs=0.001)
    assert ann[("Left Foot Off", 5)] == pytest.approx(left_off, abs=0.001)
