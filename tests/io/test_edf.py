"""EDF/EDF+/BDF/BDF+: reading, writing, round trips, lazy reading, real files."""

from __future__ import annotations

import json
import string
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

import edfio
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myograph
from myograph import Annotations, Channel, Metadata, MyographWarning, ParameterError, Recording
from myograph.io import edf
from myograph.io.lazy import InMemoryLazy

from tests.conftest import make_recording


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def quantum(path: Path) -> np.ndarray:
    """Per data channel: one digital step in SI units, from the written header."""
    h = edf.read_header(path)
    return np.array([abs(s.calibration()[0]) for s in h.data_signals])


def assert_same_recording(back: Recording, rec: Recording, path: Path) -> None:
    """``back`` equals ``rec`` within quantisation: data, fs, names, types, units, annotations."""
    assert back.fs == rec.fs
    assert back.ch_names == rec.ch_names
    assert back.ch_types == rec.ch_types
    assert [c.units for c in back.channels] == [c.units for c in rec.channels]
    assert back.n_samples == rec.n_samples
    step = quantum(path)[:, None]
    assert np.all(np.abs(back.data - rec.data) <= 0.5 * step * (1 + 1e-6) + 1e-15)
    assert_same_annotations(back.annotations, rec.annotations)


def rows(table: Annotations) -> list[tuple]:
    return sorted((round(a.onset, 9), round(a.duration, 9), a.label, tuple(sorted(a.channels))) for a in table)


def assert_same_annotations(a: Annotations, b: Annotations) -> None:
    assert rows(a) == rows(b)


def with_channels(data: np.ndarray, fs: float, channels: list[Channel], **kw) -> Recording:
    return Recording(data, fs, channels=channels, **kw)


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_a_small_recording_survives_a_round_trip_within_quantisation(tmp_path, suffix):
    rec = make_recording(n_channels=3, n_samples=2000, fs=1000.0)
    path = tmp_path / f"rec{suffix}"
    myograph.write(rec, path)
    back = myograph.read(path)
    assert_same_recording(back, rec, path)
    assert back.metadata.source_format == ("BDF+C" if suffix == ".bdf" else "EDF+C")
    assert [s.operation for s in back.provenance] == ["read"]


def test_bdf_quantisation_is_256_times_finer_than_edf(tmp_path):
    rec = make_recording()
    myograph.write(rec, tmp_path / "a.edf")
    myograph.write(rec, tmp_path / "a.bdf")
    ratio = quantum(tmp_path / "a.edf") / quantum(tmp_path / "a.bdf")
    np.testing.assert_allclose(ratio, 16777215 / 65535, rtol=1e-3)


def test_voltage_channels_are_written_in_microvolts_and_read_back_in_volts(tmp_path):
    myograph.write(make_recording(), tmp_path / "a.edf")
    h = edf.read_header(tmp_path / "a.edf")
    assert {s.physical_dimension for s in h.data_signals} == {"uV"}
    assert myograph.read(tmp_path / "a.edf").channels[0].units == "V"


def test_channel_types_units_filters_and_descriptions_round_trip(tmp_path):
    channels = [
        Channel("biceps", "EMG", "V", description="Delsys Trigno", low_cutoff_hz=20.0, high_cutoff_hz=450.5, notch_hz=50.0),
        Channel("load", "FORCE", "N"),
        Channel("torque", "TORQUE", "N·m"),
        Channel("acc", "ACC", "m/s²"),
        Channel("sync", "TRIG", ""),
    ]
    rng = np.random.default_rng(1)
    rec = with_channels(rng.normal(size=(5, 512)) * np.array([[1e-4], [10], [2], [9.8], [1]]), 256.0, channels)
    myograph.write(rec, tmp_path / "c.bdf")
    back = myograph.read(tmp_path / "c.bdf")
    assert list(back.channels) == channels
    assert_same_recording(back, rec, tmp_path / "c.bdf")


def test_a_length_that_is_not_whole_records_is_padded_and_the_padding_removed_on_reading(tmp_path):
    rec = make_recording(n_channels=2, n_samples=2049, fs=2048.0)
    myograph.write(rec, tmp_path / "p.edf")
    raw = edfio.read_edf(tmp_path / "p.edf")
    assert any(a.text == "BAD_padding" for a in raw.annotations)  # other readers see the padding marked
    back = myograph.read(tmp_path / "p.edf")
    assert back.n_samples == 2049
    assert "BAD_padding" not in back.annotations.label
    assert_same_recording(back, rec, tmp_path / "p.edf")


def test_channel_specific_annotations_are_written_as_label_at_at_channel_and_grouped_back(tmp_path):
    rec = make_recording(n_channels=3).annotate(1.0, 0.5, "twitch", ["ch0", "ch2"]).annotate(1.2, 0, "tap", ["ch1"])
    myograph.write(rec, tmp_path / "a.edf")
    texts = sorted(a.text for a in edfio.read_edf(tmp_path / "a.edf").annotations)
    assert texts == ["burst", "tap@@ch1", "twitch@@ch0", "twitch@@ch2"]
    back = myograph.read(tmp_path / "a.edf")
    assert_same_annotations(back.annotations, rec.annotations)


def test_a_subsecond_start_time_and_subject_round_trip(tmp_path):
    start = datetime(2024, 3, 1, 9, 30, 15, 250000)
    rec = make_recording().with_metadata(start_time=start, subject=myograph.Subject(id="S 01", sex="F"), session="v1")
    myograph.write(rec, tmp_path / "a.bdf")
    back = myograph.read(tmp_path / "a.bdf")
    assert back.metadata.start_time == start
    assert back.metadata.subject.id == "S_01" and back.metadata.subject.sex == "F"
    assert back.metadata.session == "v1"
    assert_same_recording(back, rec, tmp_path / "a.bdf")


def test_a_recording_without_channels_is_written_as_an_annotation_only_file(tmp_path):
    ann = Annotations([0, 30, 60], [30, 30, 30], ["W", "N1", "N2"])
    rec = Recording(np.zeros((0, 90)), 1.0, annotations=ann)
    myograph.write(rec, tmp_path / "hyp.edf")
    back = myograph.read(tmp_path / "hyp.edf")
    assert back.n_channels == 0 and back.n_samples == 90
    assert_same_annotations(back.annotations, ann)


def test_the_files_myograph_writes_are_read_by_edfio(tmp_path):
    rec = make_recording(n_channels=2, n_samples=3000, fs=1000.0)
    myograph.write(rec, tmp_path / "a.bdf")
    e = edfio.read_bdf(tmp_path / "a.bdf")
    np.testing.assert_allclose(e.signals[0].data * 1e-6, myograph.read(tmp_path / "a.bdf").data[0], atol=1e-12)


# ---------------------------------------------------------------------------------------------
# writing: refusals and atomicity
# ---------------------------------------------------------------------------------------------
def test_a_label_longer_than_16_characters_is_refused_naming_the_channel(tmp_path):
    rec = Recording(np.zeros((1, 100)), 100.0, ch_names=["flexor_digitorum_superficialis"])
    with pytest.raises(ParameterError, match="flexor_digitorum_superficialis"):
        myograph.write(rec, tmp_path / "a.edf")
    assert not (tmp_path / "a.edf").exists()


@pytest.mark.parametrize("name", ["bíceps", "tab\there", " lead"])
def test_labels_that_edf_cannot_hold_are_refused(tmp_path, name):
    with pytest.raises(ParameterError, match="channel"):
        myograph.write(Recording(np.zeros((1, 100)), 100.0, ch_names=[name]), tmp_path / "a.edf")


def test_nan_samples_are_refused(tmp_path):
    data = np.zeros((2, 100))
    data[1, 5] = np.nan
    with pytest.raises(ParameterError, match="EMG2"):
        myograph.write(Recording(data, 100.0), tmp_path / "a.edf")


def test_a_writer_failing_midway_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "a.edf"
    myograph.write(make_recording(seed=1), path)
    before = path.read_bytes()

    def broken_write(self, target):
        Path(target).write_bytes(b"0       half a header")
        raise OSError("disk full")

    monkeypatch.setattr(edfio.Edf, "write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        myograph.write(make_recording(seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.edf"]


def test_a_writer_failing_midway_leaves_no_file_when_there_was_none(tmp_path, monkeypatch):
    def broken_write(self, target):
        Path(target).write_bytes(b"0       ")
        raise OSError("disk full")

    monkeypatch.setattr(edfio.Bdf, "write", broken_write)
    with pytest.raises(OSError):
        myograph.write(make_recording(), tmp_path / "a.bdf")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        myograph.read(tmp_path / "nope.edf")
    with pytest.raises(FileNotFoundError):
        myograph.open(tmp_path / "nope.bdf")


# ---------------------------------------------------------------------------------------------
# streaming writer
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_the_streaming_writer_matches_the_data_within_quantisation_and_edfio_reads_it(tmp_path, suffix):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1e-4, size=(3, 2500))
    path = tmp_path / f"s{suffix}"
    start = datetime(2020, 5, 17, 8, 0, 0)
    with edf.EdfWriter(path, ["a", "b", "c"], 500.0, (-1e-3, 1e-3), metadata=Metadata(start_time=start)) as w:
        for i in range(0, 2500, 333):
            w.write(x[:, i:i + 333])
        w.annotate(1.25, 0.5, "burst")
        w.annotate(3.0, 0.0, "tap", ["b"])
    back = myograph.read(path)
    assert back.n_samples == 2500 and back.fs == 500.0 and back.metadata.start_time == start
    assert np.all(np.abs(back.data - x) <= 0.5 * quantum(path)[:, None] * (1 + 1e-6))
    assert rows(back.annotations) == [(1.25, 0.5, "burst", ()), (3.0, 0.0, "tap", ("b",))]
    e = (edfio.read_bdf if suffix == ".bdf" else edfio.read_edf)(path)
    assert e.num_data_records == 5 and e.signals[0].sampling_frequency == 500.0
    np.testing.assert_allclose(e.signals[1].data * 1e-6, back.data[1], atol=1e-12)


def test_the_streaming_writer_pads_a_partial_last_record_reversibly(tmp_path):
    x = np.random.default_rng(4).normal(0, 1e-4, size=(2, 1100))
    with edf.EdfWriter(tmp_path / "s.bdf", ["a", "b"], 1000.0, (-1e-3, 1e-3)) as w:
        w.write(x)
    back = myograph.read(tmp_path / "s.bdf")
    assert back.n_samples == 1100 and len(back.annotations) == 0


def test_the_streaming_writer_clips_out_of_range_samples_with_a_warning(tmp_path):
    x = np.zeros((1, 1000))
    x[0, 10] = 1.0
    with pytest.warns(MyographWarning, match="clipped"):
        with edf.EdfWriter(tmp_path / "s.edf", ["a"], 1000.0, (-1e-3, 1e-3)) as w:
            w.write(x)
    assert myograph.read(tmp_path / "s.edf").data[0, 10] == pytest.approx(1e-3, rel=1e-3)


def test_an_exception_inside_the_streaming_writer_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError):
        with edf.EdfWriter(tmp_path / "s.bdf", ["a"], 1000.0, (-1e-3, 1e-3)) as w:
            w.write(np.zeros((1, 5000)))
            raise RuntimeError("amplifier unplugged")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# lazy reading
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_iter_chunks_streams_the_same_samples_as_read(tmp_path, suffix):
    rec = make_recording(n_channels=4, n_samples=5000, fs=1000.0).annotate(2.2, 1.0, "rest")
    path = tmp_path / f"a{suffix}"
    myograph.write(rec, path)
    whole = myograph.read(path)
    with myograph.open(path) as lazy:
        assert isinstance(lazy, edf.EdfLazyRecording)
        assert (lazy.n_samples, lazy.fs, lazy.ch_names) == (5000, 1000.0, rec.ch_names)
        chunks = list(lazy.iter_chunks(0.7))
        part = lazy.read(1.234, 3.5)
    np.testing.assert_array_equal(np.concatenate([c.data for c in chunks], axis=1), whole.data)
    np.testing.assert_array_equal(part.data, whole.data[:, 1234:3500])
    assert rows(chunks[3].annotations) == [(0.1, 0.6, "rest", ())]  # 2.1–2.8 s holds the start of "rest"


def test_lazy_reading_reads_only_the_records_it_needs(tmp_path, monkeypatch):
    rec = make_recording(n_channels=2, n_samples=20000, fs=1000.0)  # 20 records of 1 s
    myograph.write(rec, tmp_path / "a.bdf")
    record_bytes = edf.read_header(tmp_path / "a.bdf").record_bytes
    lazy = myograph.open(tmp_path / "a.bdf")
    reads: list[int] = []
    from myograph.io.edf import records

    real = records._pread_into
    monkeypatch.setattr(records, "_pread_into", lambda fd, buf, off, name: (reads.append(buf.size), real(fd, buf, off, name))[1])
    part = lazy.read(10.5, 11.2)
    lazy.close()
    assert 0 < sum(reads) <= 2 * record_bytes + 1  # the reads were seen, and only the records needed
    assert part.n_samples == 700


def test_a_closed_lazy_recording_refuses_to_read_with_a_clear_error(tmp_path):
    myograph.write(make_recording(), tmp_path / "a.edf")
    lazy = myograph.open(tmp_path / "a.edf")
    lazy.close()
    with pytest.raises(ParameterError, match="closed"):
        lazy.read(0, 1)


def test_open_serves_the_emg_rate_of_a_multi_rate_file_and_rate_hz_picks_another(tmp_path):
    emg = make_recording(n_channels=2, n_samples=2000, fs=1000.0)
    # a multi-rate file written by hand: 2 EMG channels at 1000 Hz, one force channel at 100 Hz
    sigs = [edfio.EdfSignal(emg.data[i] * 1e6, 1000.0, label=n, physical_dimension="uV") for i, n in enumerate(emg.ch_names)]
    sigs.append(edfio.EdfSignal(np.linspace(0, 50, 200), 100.0, label="Force", physical_dimension="N"))
    edfio.Edf(sigs).write(tmp_path / "m.edf")
    recs = myograph.read_all(tmp_path / "m.edf")
    assert [(r.fs, r.ch_names) for r in recs] == [(1000.0, ["ch0", "ch1"]), (100.0, ["Force"])]
    assert recs[1].ch_types == ["FORCE"]
    with myograph.open(tmp_path / "m.edf") as lazy:
        assert lazy.fs == 1000.0
    with myograph.open(tmp_path / "m.edf", rate_hz=100) as lazy:
        np.testing.assert_array_equal(lazy.load().data, recs[1].data)
    with pytest.raises(ParameterError, match="rate_hz"):
        myograph.open(tmp_path / "m.edf", rate_hz=250)


def test_an_edf_plus_d_file_keeps_true_time_with_zero_filled_gaps_marked_bad_gap(tmp_path):
    rec = make_recording(n_channels=2, n_samples=3000, fs=1000.0)
    myograph.write(rec, tmp_path / "c.edf")
    raw = bytearray((tmp_path / "c.edf").read_bytes())
    raw[192:197] = b"EDF+D"
    h = edf.read_header(bytes(raw))
    ann = [s for s in h.signals if s.is_annotation][0]
    at = h.header_bytes + 2 * h.record_bytes + ann.byte_offset  # third record's time stamp "+2"
    assert raw[at:at + 4] == b"+2\x14\x14"
    raw[at:at + 2] = b"+5"
    back = myograph.read(bytes(raw))
    assert back.n_samples == 6000
    np.testing.assert_array_equal(back.data[:, 2000:5000], 0.0)
    np.testing.assert_allclose(back.data[:, 5000:], myograph.read(tmp_path / "c.edf").data[:, 2000:])
    assert ("BAD_gap" in back.annotations.label)
    gap = back.annotations.select("BAD_gap")[0]
    assert (gap.onset, gap.duration) == (2.0, 3.0)
    with myograph.open(bytes(raw)) as lazy:
        np.testing.assert_array_equal(lazy.read(1.5, 5.5).data, back.data[:, 1500:5500])


def test_prefilter_fields_are_parsed_into_cutoffs():
    assert edf.parse_prefilter("HP:20Hz LP:500Hz N:50Hz") == (20.0, 500.0, 50.0)
    assert edf.parse_prefilter("HP: 0,1 Hz LP:1kHz") == (0.1, 1000.0, None)
    assert edf.parse_prefilter("HP:DC LP:100Hz [enhanced]") == (None, 100.0, None)
    assert edf.parse_prefilter("") == (None, None, None)


def test_the_edf_plus_chin_emg_convention_gives_type_emg():
    assert edf._channel_type("EMG chin", "", "V") == ("EMG", "", {})
    assert edf._channel_type("Fp1", "AgAgCl electrode", "V") == ("EMG", "AgAgCl electrode", {})
    assert edf._channel_type("Event marker", "", "") == ("MISC", "", {})


# ---------------------------------------------------------------------------------------------
# property tests
# ---------------------------------------------------------------------------------------------
LABEL = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=16)
KINDS = {"EMG": "V", "ECG": "V", "FORCE": "N", "ACC": "g", "TRIG": "", "MISC": "a.u."}


@st.composite
def recordings(draw) -> Recording:
    n_ch = draw(st.integers(1, 8))
    fs = draw(st.sampled_from([128.0, 256.0, 512.0, 1000.0, 2048.0]))
    n = draw(st.integers(1, 3 * int(fs)))
    names = draw(st.lists(LABEL, min_size=n_ch, max_size=n_ch, unique=True))
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=n_ch, max_size=n_ch))
    amps = draw(st.lists(st.floats(1e-7, 1e-1), min_size=n_ch, max_size=n_ch))
    offsets = draw(st.lists(st.floats(-1e-2, 1e-2), min_size=n_ch, max_size=n_ch))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = rng.normal(size=(n_ch, n)) * np.array(amps)[:, None] + np.array(offsets)[:, None]
    if draw(st.booleans()):
        data[draw(st.integers(0, n_ch - 1))] = offsets[0]  # a flat channel
    channels = [Channel(nm, k, KINDS[k]) for nm, k in zip(names, kinds)]
    dur = n / fs
    ann = draw(st.lists(st.tuples(st.floats(0, dur), st.floats(0, 2.0), LABEL.filter(lambda s: "@" not in s),
                                  st.lists(st.sampled_from(names), max_size=2, unique=True)), max_size=6))
    table = Annotations([a[0] for a in ann], [a[1] for a in ann], [a[2] for a in ann], [tuple(a[3]) for a in ann])
    return Recording(data, fs, channels=channels, annotations=table)


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec=recordings())
def test_random_recordings_survive_a_round_trip_within_quantisation(suffix, rec):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"r{suffix}"
        myograph.write(rec, path)
        back = myograph.read(path)
        assert_same_recording(back, rec, path)
        lazy = myograph.open(path)
        np.testing.assert_array_equal(lazy.load().data, back.data)
        lazy.close()


# ---------------------------------------------------------------------------------------------
# real recordings
# ---------------------------------------------------------------------------------------------
def test_short_psg_edf_gives_two_recordings_by_rate_matching_the_reference(shared_data):
    """Real data: shared/data/edfio-short-psg (edfio test data, Apache-2.0; PhysioNet Sleep-EDF
    Expanded, subject SC4001): 300 s, 7 signals at 100 Hz and 1 Hz, start 1989-04-24 16:13:00.
    Checked against short_psg_header_reference.json and against edfio's own reading.
    """
    folder = shared_data / "edfio-short-psg"
    reference = json.loads((folder / "short_psg_header_reference.json").read_text())
    for name, reader in (("short_psg.edf", edfio.read_edf), ("short_psg.bdf", edfio.read_bdf)):
        recs = myograph.read_all(folder / name)
        assert [r.fs for r in recs] == [100.0, 1.0]
        assert [r.duration for r in recs] == [300.0, 300.0]
        assert recs[0].ch_names + recs[1].ch_names == [s["label"] for s in reference]
        assert recs[0].ch_types == ["EEG", "EEG", "EOG"]
        assert recs[1].ch_types == ["RESP", "EMG", "TEMP", "MISC"]
        assert recs[0].metadata.start_time == datetime(1989, 4, 24, 16, 13, 0)
        assert recs[0].metadata.subject.sex == "F"
        header = edf.read_header(folder / name)
        for s, ref in zip(header.signals, reference):
            assert (s.physical_min, s.physical_max, s.digital_min, s.digital_max) == (
                ref["physical_min"], ref["physical_max"], ref["digital_min"], ref["digital_max"])
            assert (s.physical_dimension, s.prefiltering, s.samples_per_record) == (
                ref["physical_dimension"], ref["prefiltering"], ref["samples_per_data_record"])
        emg = recs[1].select("EMG submental")
        assert emg.channels[0].units == "V" and emg.channels[0].low_cutoff_hz == 16.0
        assert 3.0e-6 < emg.data.min() and emg.data.max() < 4.0e-6  # µV envelope, now in volts
        assert recs[0].channels["EEG Fpz-Cz"].low_cutoff_hz == 0.5
        e = reader(folder / name)
        for s in e.signals:
            rec = recs[0] if s.sampling_frequency == 100 else recs[1]
            factor = 1e-6 if s.physical_dimension == "uV" else 1.0
            np.testing.assert_allclose(rec.get_data(s.label)[0], s.data * factor, rtol=1e-12, atol=1e-15)


def test_short_psg_opens_lazily_at_the_emg_rate_and_streams_identically(shared_data):
    """Real data: shared/data/edfio-short-psg/short_psg.bdf (edfio test data; PhysioNet Sleep-EDF)."""
    path = shared_data / "edfio-short-psg" / "short_psg.bdf"
    recs = myograph.read_all(path)
    with myograph.open(path) as lazy:
        assert lazy.fs == 1.0 and "EMG submental" in lazy.ch_names
        np.testing.assert_array_equal(np.concatenate([c.data for c in lazy.iter_chunks(45)], axis=1), recs[1].data)
    with myograph.open(path, rate_hz=100.0) as lazy:
        np.testing.assert_array_equal(np.concatenate([c.data for c in lazy.iter_chunks(7)], axis=1), recs[0].data)


def test_the_hypnogram_reads_as_a_zero_channel_recording_carrying_the_sleep_stages(shared_data):
    """Real data: shared/data/edfio-short-psg/SC4001EC-Hypnogram.edf, the EDF+ annotation-only
    hypnogram of PhysioNet Sleep-EDF Expanded subject SC4001 (via edfio's test data).
    """
    path = shared_data / "edfio-short-psg" / "SC4001EC-Hypnogram.edf"
    rec = myograph.read(path)
    reference = edfio.read_edf(path).annotations
    assert rec.n_channels == 0 and rec.fs == 1.0
    assert len(rec.annotations) == len(reference)
    assert rows(rec.annotations) == sorted((round(a.onset, 9), round(a.duration or 0.0, 9), a.text, ()) for a in reference)
    assert rec.annotations[0].label == "Sleep stage W"
    assert rec.duration == pytest.approx(float(np.max(rec.annotations.onset + rec.annotations.duration)))
    assert edf.read_annotations(path) == rec.annotations
    assert isinstance(myograph.open(path), InMemoryLazy)


def test_the_real_files_read_with_no_repair_even_in_strict_mode(shared_data):
    """Real data: shared/data/edfio-short-psg (edfio test data; PhysioNet Sleep-EDF)."""
    for name in ("short_psg.edf", "short_psg.bdf", "SC4001EC-Hypnogram.edf"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            recs = myograph.read_all(shared_data / "edfio-short-psg" / name, strict=True)
        assert all(s.operation == "read" for r in recs for s in r.provenance)


def test_short_psg_survives_a_round_trip_through_myograph(shared_data, tmp_path):
    """Real data: shared/data/edfio-short-psg/short_psg.edf (edfio test data; PhysioNet Sleep-EDF)."""
    for rec in myograph.read_all(shared_data / "edfio-short-psg" / "short_psg.edf"):
        path = tmp_path / f"psg{rec.fs:g}.edf"
        myograph.write(rec, path)
        back = myograph.read(path)
        assert_same_recording(back, rec, path)
        assert list(back.channels) == list(rec.channels)
        assert back.metadata.start_time == rec.metadata.start_time


def test_muscle_side_group_and_grid_position_survive_a_round_trip(tmp_path):
    from myograph import Channel

    channels = [
        Channel("BB", muscle="biceps brachii", side="R", group="arm", interelectrode_distance_mm=20.0, description="Ag/AgCl"),
        Channel("R1C2", muscle="TA", group="grid8x8", row=0, col=1, x_mm=8.0, y_mm=0.0),
        Channel("F", type="FORCE", units="N"),
    ]
    rec = myograph.Recording(np.zeros((3, 256)), fs=256.0, channels=channels)
    myograph.write(rec, tmp_path / "placed.bdf")
    back = myograph.read(tmp_path / "placed.bdf")
    assert list(back.channels) == list(rec.channels)


def test_a_transducer_field_of_another_program_is_kept_as_description():
    kind, description, placement = edf._channel_type("EMG1", "EMG: surface; gain=1000", "V")
    assert kind == "EMG" and placement == {}
    assert "surface" in description
