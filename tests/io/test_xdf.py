"""XDF reader (myograph.io.xdf): streams, markers, time stamps, gaps, clock offsets, damaged files.

The shared data holds no XDF file, so the files are made by ``tests/io/xdf_testwriter.py``, which
follows the XDF 1.0 specification (https://github.com/sccn/xdf/wiki/Specifications) chunk by
chunk; pyxdf, an independent implementation, reads them back.
"""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myograph
from myograph import FileFormatError, MyographWarning, ParameterError
from myograph.io.xdf import place_samples
from tests.io.xdf_testwriter import Stream, chunk, write_xdf

FS = 2000.0
T0 = 3601.25  # an LSL clock reading, s
N = 4000
GAP_AT = 1000  # the first sample after the deliberate gap
GAP_MISSING = 100  # samples lost in it (50 ms)


def _emg_samples(n=N, seed=0):
    """±100 µV noise, written as microvolts in float32."""
    return (np.random.default_rng(seed).normal(0, 30, size=(n, 8))).astype(np.float32)


def _emg_stream(*, gap=True, channels=True, units="microvolts", timestamps=None, offsets=(), **kw) -> Stream:
    ts = T0 + np.arange(N) / FS if timestamps is None else timestamps
    if gap and timestamps is None:
        ts = ts.copy()
        ts[GAP_AT:] += GAP_MISSING / FS
    desc = [{"label": f"EMG{i + 1}", "unit": units, "type": "EMG"} for i in range(8)] if channels else None
    if desc and units is None:
        desc = [{"label": d["label"], "type": "EMG"} for d in desc]
    return Stream(1, "Trigno", "EMG", "float32", FS, ts, _emg_samples(), channels=desc, clock_offsets=offsets, **kw)


def _marker_stream(times=(T0 + 0.25, T0 + 1.5), labels=("rest", "contract"), offsets=()) -> Stream:
    return Stream(2, "Cues", "Markers", "string", 0.0, np.asarray(times), [[lab] for lab in labels], clock_offsets=offsets)


def _read(data: bytes, **kwargs):
    """Read, expecting exactly the gap warning of the deliberate gap."""
    with pytest.warns(MyographWarning, match="gap"):
        return myograph.read_all(data, **kwargs)


@pytest.fixture
def emg_with_gap() -> bytes:
    return write_xdf([_emg_stream(), _marker_stream()], boundary_every=7)


# --- the EMG + markers file ------------------------------------------------------------------------
def test_an_emg_stream_becomes_one_recording_in_volts_with_its_channel_names(emg_with_gap):
    (rec,) = _read(emg_with_gap)
    assert rec.fs == FS
    assert rec.ch_names == [f"EMG{i}" for i in range(1, 9)]
    assert set(rec.ch_types) == {"EMG"} and {c.units for c in rec.channels} == {"V"}
    assert rec.metadata.source_format == "xdf"


def test_the_gap_is_filled_with_nan_and_annotated_so_later_samples_keep_their_time(emg_with_gap):
    (rec,) = _read(emg_with_gap)
    x = _emg_samples().T.astype(np.float64) * 1e-6
    assert rec.n_samples == N + GAP_MISSING
    np.testing.assert_allclose(rec.data[:, :GAP_AT], x[:, :GAP_AT], rtol=1e-6)
    assert np.isnan(rec.data[:, GAP_AT:GAP_AT + GAP_MISSING]).all()
    np.testing.assert_allclose(rec.data[:, GAP_AT + GAP_MISSING:], x[:, GAP_AT:], rtol=1e-6)
    gaps = rec.annotations.select("BAD_gap")
    assert len(gaps) == 1
    assert gaps[0].onset == pytest.approx(GAP_AT / FS)
    assert gaps[0].duration == pytest.approx(GAP_MISSING / FS)
    assert rec.provenance[0].parameters["n_gaps"] == 1
    assert any(s.operation == "repair" and "gap" in s.parameters["problem"] for s in rec.provenance)


def test_markers_are_annotations_relative_to_the_first_time_stamp(emg_with_gap):
    (rec,) = _read(emg_with_gap)
    assert rec.annotations.select("rest")[0].onset == pytest.approx(0.25, abs=1e-9)
    # 1.5 s after the first sample on the LSL clock, whatever the gap did: the grid keeps time
    assert rec.annotations.select("contract")[0].onset == pytest.approx(1.5, abs=1e-9)


def test_the_first_lsl_time_stamp_is_kept_at_full_precision(emg_with_gap):
    (rec,) = _read(emg_with_gap)
    assert f"lsl_first_timestamp={T0!r}" in rec.metadata.notes
    assert rec.provenance[0].parameters["lsl_first_timestamp"] == T0
    assert "lsl_dejitter=False" in rec.metadata.notes


def test_strict_reading_refuses_a_stream_with_a_gap(emg_with_gap):
    with pytest.raises(FileFormatError, match="gap.*strict"):
        myograph.read(emg_with_gap, strict=True)


def test_a_file_without_gaps_reads_without_warnings():
    data = write_xdf([_emg_stream(gap=False), _marker_stream()])
    (rec,) = myograph.read_all(data)  # warnings are errors in the test suite
    assert rec.n_samples == N and not np.isnan(rec.data).any()
    assert rec.annotations.label == ("rest", "contract")


def test_elided_time_stamps_are_deduced_from_the_nominal_rate():
    ts = T0 + np.arange(N) / FS  # regular, so the writer leaves most stamps out
    data = write_xdf([_emg_stream(timestamps=ts, elide_timestamps=True)])
    (rec,) = myograph.read_all(data)
    assert rec.n_samples == N and not rec.annotations.select("BAD_gap")


def test_markers_outside_the_recording_are_dropped_and_counted():
    data = write_xdf([_emg_stream(gap=False), _marker_stream(times=(T0 - 5.0, T0 + 1.0, T0 + 100.0), labels=("a", "b", "c"))])
    (rec,) = myograph.read_all(data)
    assert rec.annotations.label == ("b",)
    assert rec.provenance[0].parameters["markers_outside"] == 2


def test_clock_offsets_put_markers_from_another_computer_on_the_emg_clock():
    # EMG computer: LSL clock 10 ms behind the recorder; marker computer: 30 ms behind
    emg = _emg_stream(gap=False, offsets=[(T0 + t, 0.010) for t in (0.0, 1.0, 2.0)])
    cues = _marker_stream(times=(T0 + 1.0,), labels=("go",), offsets=[(T0 + t, 0.030) for t in (0.0, 1.0, 2.0)])
    data = write_xdf([emg, cues])
    (synced,) = myograph.read_all(data)
    assert synced.annotations[0].onset == pytest.approx(1.0 + 0.030 - 0.010, abs=1e-9)
    (raw,) = myograph.read_all(data, synchronize_clocks=False)
    assert raw.annotations[0].onset == pytest.approx(1.0, abs=1e-9)
    assert "lsl_synchronize_clocks=False" in raw.metadata.notes


def test_jittered_time_stamps_are_not_gaps_and_dejittering_is_an_option():
    rng = np.random.default_rng(1)
    ts = T0 + np.arange(N) / FS
    late = np.repeat(rng.uniform(0, 4e-3, N // 40), 40)  # chunks of 40 samples arriving up to 4 ms late
    data = write_xdf([_emg_stream(timestamps=ts + late)])
    for dejitter in (False, True):
        (rec,) = myograph.read_all(data, dejitter=dejitter)
        assert rec.n_samples == N and not rec.annotations.select("BAD_gap")
        assert f"lsl_dejitter={dejitter}" in rec.metadata.notes


def test_two_numeric_streams_give_two_recordings_and_read_picks_the_emg_one():
    acc = Stream(3, "IMU", "ACC", "double64", 148.148, T0 + np.arange(300) / 148.148,
                 np.zeros((300, 3)), channels=[{"label": a, "unit": "g", "type": "ACC"} for a in "xyz"])
    data = write_xdf([_emg_stream(gap=False), acc, _marker_stream()])
    recs = myograph.read_all(data)
    assert [r.fs for r in recs] == [FS, 148.148]
    assert recs[1].ch_types == ["ACC"] * 3 and recs[1].channels[0].units == "g"
    assert recs[1].annotations.label == ("rest", "contract")  # markers go on every Recording
    assert myograph.read(data).fs == FS


def test_channels_without_metadata_are_named_after_the_stream_type_and_unstated_units_warn():
    data = write_xdf([_emg_stream(gap=False, channels=False)])
    with pytest.warns(MyographWarning, match="no unit stated"):
        (rec,) = myograph.read_all(data)
    assert rec.ch_names == [f"EMG{i}" for i in range(1, 9)]
    assert {c.units for c in rec.channels} == {"a.u."}
    np.testing.assert_allclose(rec.data, _emg_samples().T, rtol=1e-6)  # values kept as they are


def test_units_option_states_the_unit_the_file_leaves_out():
    data = write_xdf([_emg_stream(gap=False, units=None)])
    (rec,) = myograph.read_all(data, units="uV")
    assert {c.units for c in rec.channels} == {"V"}
    np.testing.assert_allclose(rec.data, _emg_samples().T * 1e-6, rtol=1e-6)


def test_a_units_option_that_contradicts_the_file_is_refused(emg_with_gap):
    with pytest.raises(ParameterError, match="units"):
        myograph.read(emg_with_gap, units="mV")


def test_an_irregular_numeric_stream_gets_fs_from_the_median_step_with_a_warning():
    ts = T0 + np.cumsum(np.full(500, 0.01))
    s = Stream(4, "Temp", "TEMP", "float32", 0.0, ts, np.ones((500, 1)), channels=[{"label": "skin", "unit": "degC"}])
    with pytest.warns(MyographWarning, match="median time-stamp step"):
        (rec,) = myograph.read_all(write_xdf([s]))
    assert rec.fs == pytest.approx(100.0)
    assert rec.provenance[0].parameters["fs_source"] == "median time-stamp step"


def test_a_gzip_compressed_xdfz_file_is_read(tmp_path, emg_with_gap):
    p = tmp_path / "rec.xdfz"
    p.write_bytes(gzip.compress(emg_with_gap))
    (rec,) = _read(p)
    assert rec.n_samples == N + GAP_MISSING


def test_passing_fs_to_an_xdf_file_is_refused(emg_with_gap):
    with pytest.raises(ParameterError, match="fs"):
        myograph.read(emg_with_gap, fs=2000.0)


# --- sample placement --------------------------------------------------------------------------------
def test_regular_time_stamps_fill_the_grid_without_gaps():
    p = place_samples(T0 + np.arange(1000) / FS, FS)
    assert p.n_grid == 1000 and p.gaps == [] and p.joints == []
    np.testing.assert_array_equal(p.index, np.arange(1000))


def test_a_single_missing_sample_is_a_gap_of_one():
    ts = np.delete(T0 + np.arange(1000) / FS, 500)
    p = place_samples(ts, FS)
    assert p.gaps == [(500, 1)] and p.n_grid == 1000


def test_samples_pushed_in_chunks_sharing_one_time_stamp_are_not_gaps():
    t = T0 + np.arange(1000) / FS
    shared = np.repeat(t[9::10], 10)  # each chunk of 10 stamped with its last sample's time
    p = place_samples(shared, FS)
    assert p.gaps == [] and p.n_grid == 1000


def test_a_clock_that_drifts_100_ppm_from_the_nominal_rate_makes_no_gaps():
    for ppm in (100e-6, -100e-6):
        p = place_samples(T0 + np.arange(200_000) / FS * (1 + ppm), FS)
        assert p.gaps == [] and p.n_grid == 200_000


def test_a_jump_longer_than_max_gap_is_a_joint_not_filled():
    ts = T0 + np.arange(1000) / FS
    ts[600:] += 3600.0
    p = place_samples(ts, FS, max_gap_s=60.0)
    assert p.n_grid == 1000 and p.gaps == []
    assert len(p.joints) == 1 and p.joints[0][0] == 600 and p.joints[0][1] == pytest.approx(3600.0)
    assert [g for _, g in p.segments] == [0, 600]


def test_a_clock_reset_is_a_joint_with_negative_skipped_time():
    ts = T0 + np.arange(1000) / FS
    ts[400:] -= 100.0
    p = place_samples(ts, FS)
    assert p.n_grid == 1000 and p.joints[0][0] == 400 and p.joints[0][1] < 0


def test_a_clock_reset_in_a_file_is_marked_by_a_zero_length_bad_gap():
    ts = T0 + np.arange(N) / FS
    ts[2500:] -= 50.0
    data = write_xdf([_emg_stream(timestamps=ts), _marker_stream(times=(T0 - 50.0 + 1.5,), labels=("after",))])
    with pytest.warns(MyographWarning, match="clock reset"):
        (rec,) = myograph.read_all(data, synchronize_clocks=False)
    gap = rec.annotations.select("BAD_gap")[0]
    assert (gap.onset, gap.duration) == (pytest.approx(2500 / FS), 0.0)
    # the marker belongs to the second segment, which starts at 1.25 s on the grid and at T0 - 50 + 1.25 s on the clock
    assert rec.annotations.select("after")[0].onset == pytest.approx(1.5, abs=1e-9)


# --- damaged files ---------------------------------------------------------------------------------------
def test_a_file_cut_inside_a_samples_chunk_keeps_the_whole_chunks_before_it(emg_with_gap):
    cut = emg_with_gap[: len(emg_with_gap) * 2 // 3]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MyographWarning)
        (rec,) = myograph.read_all(cut)
    messages = " ".join(str(w.message) for w in caught)
    assert "truncated" in messages
    assert 0 < rec.n_samples < N
    assert not np.isnan(rec.data[:, :GAP_AT]).any()
    with pytest.raises(FileFormatError, match="truncated.*strict"):
        myograph.read_all(cut, strict=True)


def test_a_samples_chunk_of_impossible_size_is_dropped_and_shows_as_a_gap():
    good = write_xdf([_emg_stream(gap=False)])
    damaged = bytearray(good)
    # the 10th Samples chunk: find it by walking the chunks, then claim one sample too many
    pos, seen = 4, 0
    while pos < len(damaged):
        nb = damaged[pos]
        length = int.from_bytes(damaged[pos + 1:pos + 1 + nb], "little")
        body = pos + 1 + nb
        if int.from_bytes(damaged[body:body + 2], "little") == 3:
            seen += 1
            if seen == 10:
                count_at = body + 2 + 4 + 1  # tag, stream id, then a 1-byte-length varlen count
                damaged[count_at] += 1
                break
        pos = body + length
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MyographWarning)
        (rec,) = myograph.read_all(bytes(damaged))
    messages = " ".join(str(w.message) for w in caught)
    assert "does not fit" in messages and "gap" in messages
    gap = rec.annotations.select("BAD_gap")[0]
    assert gap.onset == pytest.approx(900 / FS) and gap.duration == pytest.approx(100 / FS)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", "empty"),
        (b"XDF", "unknown format|not XDF"),
        (b"XDG:" + b"\x00" * 100, "not XDF|unknown format"),
        (b"XDF:", "StreamHeader"),
        (b"XDF:" + chunk(1, b"<?xml version='1.0'?><info><version>1.0</version></info>"), "StreamHeader"),
        (b"XDF:" + b"\x07garbage garbage garbage", "StreamHeader"),
    ],
    ids=["empty", "three_bytes", "bad_magic", "magic_only", "file_header_only", "garbage_after_magic"],
)
def test_a_damaged_xdf_is_refused_naming_the_file_and_field(tmp_path, payload, match):
    p = tmp_path / "bad.xdf"
    p.write_bytes(payload)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)
        with pytest.raises(FileFormatError, match=match) as info:
            myograph.read(p)
    assert str(p) in str(info.value)


def test_a_file_with_only_marker_streams_is_refused_saying_so():
    with pytest.raises(FileFormatError, match="no numeric stream.*markers"):
        myograph.read(write_xdf([_marker_stream()]))


def test_a_stream_header_that_is_not_xml_skips_that_stream():
    good = _emg_stream(gap=False)
    bad = Stream(5, "Broken", "EMG", "float32", FS, T0 + np.arange(10) / FS, np.zeros((10, 8)))
    bad.header_xml = lambda: b"<info><name>unterminated"  # type: ignore[method-assign]
    with pytest.warns(MyographWarning, match="unusable stream header"):
        (rec,) = myograph.read_all(write_xdf([good, bad]))
    assert rec.metadata.notes[0] == "lsl_stream_name=Trigno"


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 3000), edits=st.lists(st.tuples(st.integers(0, 2999), st.integers(0, 255)), max_size=6))
def test_any_damage_gives_recordings_or_a_file_format_error(cut, edits):
    small = Stream(1, "E", "EMG", "int16", 500.0, T0 + np.arange(200) / 500.0, np.arange(400, dtype=np.int16).reshape(200, 2),
                   channels=[{"label": "a", "unit": "uV"}, {"label": "b", "unit": "uV"}], chunk_size=20)
    data = bytearray(write_xdf([small, _marker_stream(times=(T0 + 0.1,), labels=("m",))]))
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    data = bytes(data[: len(data) - cut])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)
        try:
            recs = myograph.read_all(data, format="xdf")
        except FileFormatError:
            return
    assert all(isinstance(r, myograph.Recording) for r in recs)
