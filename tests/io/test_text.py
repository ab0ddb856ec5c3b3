"""Text tables (CSV / TSV / TXT): real exports, options, repairs, corrupt files, round trips."""

from __future__ import annotations

import math
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myograph
from myograph import Annotations, FileFormatError, MyographError, MyographWarning, ParameterError, Recording
from myograph.io.text import first_time_s, read_events_csv, sidecar_path, sniff_text, split_unit
from myograph.io._input import as_input

from ..conftest import make_recording


def _read(content: bytes, **kwargs) -> Recording:
    return myograph.read(content, format="csv", **kwargs)


def _rows(ann: Annotations) -> list[tuple]:
    return [(a.onset, a.duration, a.label, a.channels) for a in ann]


# --- real exports ------------------------------------------------------------------------------
def test_musclesynergies_gait_csv_gives_1000_hz_from_its_time_column(shared_data):
    """Santuz et al. 2020 walking trial via musclesyneRgies 1.2.5 (RAW_DATA_ID0012_TW_01, see PROVENANCE.txt)."""
    path = shared_data / "musclesynergies-gait" / "RAW_DATA_ID0012_TW_01_emg.csv"
    rec = myograph.read(path, units="uV")
    assert rec.fs == 1000.0
    assert rec.n_samples == 7618
    assert rec.ch_names == ["ME", "MA", "FL", "RF", "VM", "VL", "ST", "BF", "TA", "PL", "GM", "GL", "SO"]
    assert set(rec.ch_types) == {"EMG"} and {c.units for c in rec.channels} == {"V"}
    assert first_time_s(rec) == pytest.approx(0.014)
    assert rec.data.min() == pytest.approx(-763.366699e-6, rel=1e-12)
    assert rec.data.max() == pytest.approx(734.060669e-6, rel=1e-12)
    assert rec.data[0, 0] == pytest.approx(0.201416e-6, rel=1e-12)


def test_a_table_without_stated_units_warns_that_volts_were_assumed(shared_data):
    """Same musclesyneRgies trial: the CSV states no unit, so the reader must say what it assumed."""
    path = shared_data / "musclesynergies-gait" / "RAW_DATA_ID0012_TW_01_emg.csv"
    with pytest.warns(MyographWarning, match="assumed volts") as rec_warnings:
        rec = myograph.read(path)
    assert len([w for w in rec_warnings if "assumed volts" in str(w.message)]) == 1
    assert rec.data.max() == pytest.approx(734.060669)
    assert [s.operation for s in rec.provenance] == ["read", "repair"]
    assert rec.provenance[1].parameters["field"] == "units"


def test_gait_cycles_table_becomes_touchdown_and_liftoff_annotations(shared_data):
    """musclesyneRgies RAW_DATA$ID0012_TW_01$cycles (touchdown_s, liftoff_s; see PROVENANCE.txt)."""
    folder = shared_data / "musclesynergies-gait"
    rec = myograph.read(folder / "RAW_DATA_ID0012_TW_01_emg.csv", units="uV")
    ann = read_events_csv(folder / "RAW_DATA_ID0012_TW_01_cycles.csv", t0_s=first_time_s(rec))
    assert len(ann) == 12
    assert len(ann.select("touchdown")) == 6 and len(ann.select("liftoff")) == 6
    assert ann.select("touchdown").onset[0] == pytest.approx(1.414 - 0.014)
    assert ann.select("liftoff").onset[-1] == pytest.approx(7.249 - 0.014)
    assert myograph.read(folder / "RAW_DATA_ID0012_TW_01_emg.csv", units="uV").with_annotations(ann).annotations == ann


def test_ktk_biceps_csv_odd_rate_comes_from_the_time_column(shared_data):
    """kineticstoolkit data/emg_biceps_brachii.csv: 6534 samples, 20.671..24.06 s, ~1926 Hz (PROVENANCE.txt)."""
    rec = myograph.read(shared_data / "ktk-walk-c3d" / "emg_biceps_brachii.csv", units="V")
    assert rec.n_samples == 6534
    assert rec.ch_names == ["BicepsBrachiiR"]
    assert rec.fs == pytest.approx(6533 / (24.06323 - 20.6711), abs=0.01)
    assert 1925.9 < rec.fs < 1926.0
    assert first_time_s(rec) == pytest.approx(20.6711)
    assert np.max(np.abs(rec.data)) == pytest.approx(8.93462e-4)
    assert not [s for s in rec.provenance if s.operation == "repair"]  # rounding of the times is not jitter


@pytest.mark.parametrize(("name", "n", "lo", "hi"), [("emg_1.txt", 63880, 1412, 2443), ("emg.txt", 100000, 2037, 2071)])
def test_biosppy_simple_text_format_keeps_raw_adc_counts_with_a_warning(shared_data, name, n, lo, hi):
    """BioSPPy examples/emg*.txt ('# Simple Text Format', 1000 Hz, 12-bit raw ADC; PROVENANCE.txt)."""
    with pytest.warns(MyographWarning, match="12-bit ADC counts"):
        rec = myograph.read(shared_data / "biosppy-examples" / name)
    assert rec.fs == 1000.0
    assert rec.n_samples == n
    assert rec.ch_names == ["EMG"] and rec.ch_types == ["EMG"]
    assert rec.channels[0].units == "a.u."
    assert rec.data.min() == lo and rec.data.max() == hi
    assert "Simple Text Format" in rec.metadata.notes


def test_biosppy_counts_can_be_given_a_unit_explicitly(shared_data):
    """BioSPPy examples/emg_1.txt: an explicit units= silences the raw-ADC warning."""
    rec = myograph.read(shared_data / "biosppy-examples" / "emg_1.txt", units="a.u.")
    assert rec.channels[0].units == "a.u."


_VICON_ZERO = {f"EMG{k}" for k in range(12, 17)} | {f"IM EMG{k}" for k in (*range(1, 12), 14, 15, 16)}


def test_vicon_nexus_csv_devices_section_reads_38_analog_channels_at_2000_hz(shared_data):
    """pyomeca tests/data/analogs.csv (Vicon Nexus export of markers_analogs.c3d; PROVENANCE.txt)."""
    rec = myograph.read(shared_data / "pyomeca-vicon-c3d" / "analogs.csv")
    assert rec.fs == 2000.0
    assert rec.n_samples == 11600 and rec.duration == pytest.approx(5.8)
    assert rec.n_channels == 38
    assert rec.ch_names[:7] == ["Voltage.1", "Voltage.2", "Voltage.3", "Voltage.4", "Voltage.5", "Voltage.6", "EMG1"]
    assert {c.units for c in rec.channels} == {"V"} and set(rec.ch_types) == {"EMG"}
    assert rec.channels["EMG1"].description == "Imported Delsys Trigno EMG 2.0 - Sensor 1"
    assert {n for n, row in zip(rec.ch_names, rec.data) if not row.any()} == _VICON_ZERO
    assert rec.data[rec.ch_names.index("EMG1"), 0] == -2.61e-05
    assert rec.data[rec.ch_names.index("EMG9"), 0] == 0.00029753
    assert rec.data[0, 0] == -0.0220516


def test_vicon_nexus_csv_equals_the_c3d_analogs_within_its_printed_precision(shared_data):
    """pyomeca analogs.csv against markers_analogs.c3d read with ezc3d directly (same trial; PROVENANCE.txt)."""
    ezc3d = pytest.importorskip("ezc3d")
    folder = shared_data / "pyomeca-vicon-c3d"
    rec = myograph.read(folder / "analogs.csv")
    c3d = ezc3d.c3d(str(folder / "markers_analogs.c3d"))
    analogs = c3d["data"]["analogs"][0]
    for i, label in enumerate(c3d["parameters"]["ANALOG"]["LABELS"]["value"]):
        name = label if label.startswith("Voltage") else label.split(".", 1)[1]
        tol = 5.01e-7 if label.startswith("Voltage") else 5.01e-8  # CSV prints 6 and 3 significant digits
        np.testing.assert_allclose(rec.data[rec.ch_names.index(name)], analogs[i], rtol=0, atol=tol, err_msg=label)


def test_myo_readings_label_column_becomes_gesture_annotations(shared_data):
    """myo-readings-dataset 12345-1/1.txt: 8 Myo channels + label alternating 0/1 every 5 s (PROVENANCE.txt)."""
    rec = myograph.read(shared_data / "myo-readings" / "12345-1" / "1.txt", fs=200.0, label_column=8,
                        label_prefix="gesture:", units="a.u.")
    assert rec.n_channels == 8 and rec.ch_names == [f"EMG{k}" for k in range(1, 9)]
    assert rec.fs == 200.0
    assert -128 <= rec.data.min() and rec.data.max() <= 127
    labels = rec.annotations.label
    assert len(labels) == 12  # 11 transitions
    assert labels[::2] == ("gesture:0",) * 6 and labels[1::2] == ("gesture:1",) * 6
    assert np.all(rec.annotations.duration[1:-1] == pytest.approx(5.0, abs=0.5))
    assert rec.annotations.onset[0] == 0.0
    end = rec.annotations.onset[-1] + rec.annotations.duration[-1]
    assert end == pytest.approx(rec.duration)


def test_myo_rest_file_is_one_rest_annotation_and_volts_are_assumed_without_units(shared_data):
    """myo-readings-dataset 12345-1/0.txt (rest only)."""
    with pytest.warns(MyographWarning, match="assumed volts"):
        rec = myograph.read(shared_data / "myo-readings" / "12345-1" / "0.txt", fs=200.0, label_column=-1)
    assert rec.annotations.label == ("label:0",)
    assert rec.annotations.duration[0] == pytest.approx(rec.duration)


# --- options and recognition ----------------------------------------------------------------------
_PLAIN = [[0.0, 1.5, -2.0], [0.001, 2.5, -3.0], [0.002, 3.5, -4.0], [0.003, 4.5, -5.0]]


def _table(delim: str, decimal: str = ".", header: str = "time{d}a [mV]{d}b [mV]") -> bytes:
    lines = [header.format(d=delim)]
    for row in _PLAIN:
        lines.append(delim.join(repr(v).replace(".", decimal) for v in row))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("delim", "decimal"), [(",", "."), (";", "."), (";", ","), ("\t", "."), ("\t", ","),
                                                (" ", "."), ("|", ".")])
def test_delimiters_and_decimal_commas_are_sniffed(delim, decimal):
    rec = _read(_table(delim, decimal))
    assert rec.fs == 1000.0 and rec.ch_names == ["a", "b"]
    np.testing.assert_array_equal(rec.get_data(units="mV"), np.array(_PLAIN)[:, 1:].T)


@pytest.mark.parametrize("header", ["t,biceps [mV]", "time,biceps (mV)", "Time,biceps_mV", "seconds,biceps [millivolt]"])
def test_units_in_header_cells_are_read(header):
    rec = _read(f"{header}\n0,1\n0.5,2\n1.0,3\n".encode())
    assert rec.ch_names == ["biceps"] and rec.fs == 2.0
    np.testing.assert_allclose(rec.data[0], [1e-3, 2e-3, 3e-3])


def test_a_units_row_below_the_header_is_read():
    rec = _read(b"time,a,b\ns,uV,N\n0,1,2\n0.01,3,4\n")
    assert [c.units for c in rec.channels] == ["V", "N"]
    assert rec.ch_types == ["EMG", "FORCE"]
    np.testing.assert_allclose(rec.data[0], [1e-6, 3e-6])


def test_units_option_states_units_per_channel_and_must_not_contradict_the_file():
    rec = _read(b"time,a,b\n0,1,2\n0.01,3,4\n", units={"a": "uV", "b": "mV"})
    np.testing.assert_allclose(rec.data[:, 0], [1e-6, 2e-3])
    with pytest.raises(ParameterError, match="contradicts"):
        _read(b"time,a [mV]\n0,1\n0.01,3\n", units="uV")


def test_split_unit_parses_the_documented_spellings():
    assert split_unit("biceps [mV]") == ("biceps", "mV")
    assert split_unit("biceps (µV)") == ("biceps", "uV")
    assert split_unit("biceps_uV") == ("biceps", "uV")
    assert split_unit("time_ms") == ("time", "ms")
    assert split_unit("x []") == ("x", "")
    assert split_unit("biceps") == ("biceps", None)


def test_without_time_column_or_rate_header_fs_is_required():
    with pytest.raises(ParameterError, match="fs=") as err:
        _read(b"a,b\n1,2\n3,4\n")
    assert err.value.name == "fs"
    assert _read(b"a,b\n1,2\n3,4\n", fs=500.0, units="V").fs == 500.0


def test_fs_disagreeing_with_the_time_column_is_refused_and_an_agreeing_one_is_used():
    content = _table(",")
    with pytest.raises(ParameterError, match="disagrees") as err:
        _read(content, fs=2000.0)
    assert err.value.name == "fs"
    assert _read(content, fs=1000.0).fs == 1000.0


def test_a_time_column_in_milliseconds_is_converted():
    rec = _read(b"time [ms],a [V]\n0,1\n0.5,2\n1.0,3\n")
    assert rec.fs == 2000.0


def test_a_jittered_time_column_uses_the_median_step_with_a_warning():
    t = np.arange(200) / 1000.0 + np.random.default_rng(1).uniform(-2e-4, 2e-4, 200)
    content = "time,a [V]\n" + "".join(f"{float(x)!r},{k}\n" for k, x in enumerate(t))
    with pytest.warns(MyographWarning, match="jitter"):
        rec = _read(content.encode())
    assert rec.fs == pytest.approx(1.0 / np.median(np.diff(t)))
    assert rec.provenance[1].parameters["field"] == "column 'time'"


def test_an_irregular_time_column_is_refused_naming_the_column_and_line():
    with pytest.raises(FileFormatError, match="irregular") as err:
        _read(b"time,a [V]\n0,1\n0.001,2\n0.002,3\n0.005,4\n0.006,5\n")
    assert err.value.field == "column 'time'" and "line 5" in str(err.value)
    with pytest.raises(FileFormatError, match="not increasing"):
        _read(b"time,a [V]\n0,1\n0.002,2\n0.001,3\n")


def test_a_header_rate_line_gives_fs_and_must_agree_with_the_time_column():
    assert _read(b"# sampling rate: 250 Hz\na [V]\n1\n2\n").fs == 250.0
    with pytest.raises(FileFormatError, match="header says"):
        _read(b"# fs = 250\ntime,a [V]\n0,1\n0.001,2\n0.002,3\n")


def test_a_sample_index_column_is_dropped_not_read_as_time():
    rec = _read(b"sample,a [V]\n0,1\n1,2\n2,3\n", fs=100.0)
    assert rec.ch_names == ["a"]
    assert rec.provenance[0].parameters["dropped_columns"] == ["sample"]


def test_a_headerless_first_increasing_column_is_the_time_column():
    rec = _read(b"0.0,5\n0.01,6\n0.02,7\n0.03,8\n", units="V")
    assert rec.fs == 100.0 and rec.ch_names == ["EMG1"]


def test_comment_lines_are_kept_as_notes():
    rec = _read(b"# subject 7, right arm\n# electrode: Ag/AgCl\ntime,a [V]\n0,1\n0.001,2\n# trailing remark\n")
    assert rec.metadata.notes[:3] == ("subject 7, right arm", "electrode: Ag/AgCl", "trailing remark")


def test_a_column_headed_label_becomes_annotations_not_a_channel():
    rec = _read(b"time,a [V],label\n0,1,rest\n0.5,2,rest\n1.0,3,fist\n1.5,4,fist\n2.0,5,\n")
    assert rec.ch_names == ["a"]
    assert _rows(rec.annotations) == [(0.0, 1.0, "label:rest", ()), (1.0, 1.0, "label:fist", ())]


def test_names_option_names_the_columns_of_a_headerless_file():
    rec = _read(b"1,2,0\n3,4,1\n", fs=10.0, units="uV", names=["flexor", "extensor", "gesture"])
    assert rec.ch_names == ["flexor", "extensor"]
    assert rec.annotations.label == ("gesture:0", "gesture:1")


def test_an_annotations_table_is_not_mistaken_for_a_signal():
    with pytest.raises(FileFormatError, match="read_events_csv"):
        _read(b"onset,duration,label,channels\n0.5,0.1,x,\n")


def test_text_tables_are_sniffed_from_bytes_and_binary_is_not():
    assert sniff_text(b"# c\ntime,a\n0,1\n", as_input(b"x"))
    assert sniff_text(b"2034\n2011\n", as_input(b"x"))
    assert not sniff_text(bytes(range(256)), as_input(b"x"))
    assert not sniff_text(b"0       patient  " + b" " * 100, as_input(b"x"))
    assert myograph.read(b"time,a [V]\n0,1\n0.5,2\n").fs == 2.0


def test_strict_reading_refuses_a_repair():
    with pytest.raises(FileFormatError, match="strict"):
        _read(b"time,a [V]\n0,1\n0.5,x\n1.0,3\n", strict=True)


def test_unknown_options_are_refused():
    with pytest.raises(ParameterError, match="unknown option"):
        _read(b"time,a [V]\n0,1\n0.5,2\n", colour="red")


# --- corrupt or odd tables: each from a path and from bytes -------------------------------------------
_CORRUPT = [
    # (id, content, read options, expected: ("warn", match) or ("error", class, field substring))
    ("empty", b"", {}, ("error", FileFormatError, "file")),
    ("10 bytes, truncated", b"time,emg\n0", {}, ("error", FileFormatError, "line 2")),
    ("header only", b"time,a [V]\n", {}, ("error", FileFormatError, "data")),
    ("ragged short row", b"time,a [V],b [V]\n0,1,2\n0.001,3\n0.002,5,6\n", {}, ("warn", "line 3")),
    ("ragged long row", b"time,a [V]\n0,1\n0.001,3,9\n0.002,5\n", {}, ("error", FileFormatError, "line 3")),
    ("truncated last row", b"time,a [V],b [V]\n0,1,2\n0.001,3,4\n0.002,5\n", {}, ("warn", "truncated")),
    ("text in the middle", b"time,a [V]\n0,1\n0.001,abc\n0.002,3\n", {}, ("warn", "line 3 ('abc')")),
    ("empty cell", b"time,a [V],b [V]\n0,1,2\n0.001,,4\n0.002,5,6\n", {}, ("warn", "column 'a'")),
    ("binary named .csv", bytes(range(256)) * 8, {}, ("error", FileFormatError, "")),
    ("NUL padded", b"time,a [V]\n0,1\n0.001,2\n" + b"\x00" * 64, {}, ("warn", "NUL")),
    ("duplicate column names", b"time,a [V],a [V]\n0,1,2\n0.001,3,4\n", {}, ("warn", "more than once")),
    ("single row without fs", b"time,a [V]\n0,1\n", {}, ("error", FileFormatError, "column 'time'")),
    ("single row with fs", b"time,a [V]\n0,1\n", {"fs": 1000.0}, ("ok",)),
    ("only comments", b"# nothing here\n", {}, ("error", FileFormatError, "data")),
    ("time not a number", b"time,a [V]\n0,1\nx,2\n0.002,3\n", {}, ("error", FileFormatError, "column 'time'")),
]


def _check_corrupt(read, name: str, expected: tuple) -> None:
    if expected[0] == "error":
        with pytest.raises(expected[1]) as err:
            read()
        assert isinstance(err.value, MyographError)
        assert name in str(err.value)
        assert expected[2] in err.value.field
    elif expected[0] == "warn":
        with pytest.warns(MyographWarning, match=expected[1].replace("(", r"\(").replace(")", r"\)")):
            rec = read()
        repairs = [s for s in rec.provenance if s.operation == "repair"]
        assert repairs and all(s.parameters["file"] == name for s in repairs)
    else:
        assert read().n_samples >= 1


@pytest.mark.parametrize(("content", "options", "expected"), [c[1:] for c in _CORRUPT], ids=[c[0] for c in _CORRUPT])
def test_a_corrupt_table_read_from_a_path_warns_or_raises_naming_file_and_field(tmp_path, content, options, expected):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    _check_corrupt(lambda: myograph.read(path, **options), str(path), expected)


@pytest.mark.parametrize(("content", "options", "expected"), [c[1:] for c in _CORRUPT], ids=[c[0] for c in _CORRUPT])
def test_a_corrupt_table_read_from_bytes_warns_or_raises_naming_file_and_field(content, options, expected):
    _check_corrupt(lambda: myograph.read(content, format="csv", **options), "<bytes>", expected)


def test_unreadable_cells_become_nan_marked_bad_gap():
    with pytest.warns(MyographWarning):
        rec = _read(b"time,a [V],b [V]\n0,1,2\n0.5,oops,4\n1.0,,6\n1.5,7,8\n")
    assert np.isnan(rec.data[0, 1]) and np.isnan(rec.data[0, 2]) and not np.isnan(rec.data[1]).any()
    assert _rows(rec.annotations) == [(0.5, 1.0, "BAD_gap", ("a",))]


def test_duplicate_column_names_get_numbered():
    with pytest.warns(MyographWarning):
        rec = _read(b"time,a [V],a [V],a [V]\n0,1,2,3\n0.001,3,4,5\n")
    assert rec.ch_names == ["a", "a_2", "a_3"]


# --- writing -------------------------------------------------------------------------------------------
def _assert_same(a: Recording, b: Recording, *, rtol: float) -> None:
    assert b.fs == a.fs
    assert b.ch_names == a.ch_names and b.ch_types == a.ch_types
    assert [c.units for c in b.channels] == [c.units for c in a.channels]
    np.testing.assert_allclose(b.data, a.data, rtol=rtol, atol=1e-300)
    assert b.annotations == a.annotations


def test_write_then_read_round_trips_data_rate_names_units_and_annotations(tmp_path):
    rec = make_recording(n_channels=3, n_samples=500, fs=2048.0)
    path = tmp_path / "trial.csv"
    myograph.write(rec, path)
    back = myograph.read(path)
    _assert_same(rec, back, rtol=5e-16)
    assert sidecar_path(path).is_file()
    head = path.read_text().splitlines()
    assert head[3] == "time [s],ch0 [uV],ch1 [uV],ch2 [uV]"


def test_writing_in_volts_reads_back_bit_identical(tmp_path):
    rec = make_recording(n_channels=2, n_samples=300, fs=1234.5)
    myograph.write(rec, tmp_path / "v.tsv", units="V")
    back = myograph.read(tmp_path / "v.tsv")
    np.testing.assert_array_equal(back.data, rec.data)
    assert "\t" in (tmp_path / "v.tsv").read_text().splitlines()[3]


def test_write_is_atomic_and_replaces_a_stale_sidecar(tmp_path):
    rec = make_recording(n_samples=100)
    path = tmp_path / "x.csv"
    myograph.write(rec, path)
    myograph.write(rec.with_annotations(Annotations()), path)
    assert len(myograph.read(path).annotations) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.annotations.csv", "x.csv"]


def test_nine_significant_digits_round_trip_within_their_precision(tmp_path):
    rec = make_recording(n_samples=200)
    myograph.write(rec, tmp_path / "p.csv", significant_digits=9)
    _assert_same(rec, myograph.read(tmp_path / "p.csv"), rtol=6e-9)


def test_notes_and_channel_types_survive_a_round_trip(tmp_path):
    rec = Recording(np.ones((2, 10)), 100.0, ["emg", "force"], units=["mV", "N"], ch_types=["EMG", "FORCE"])
    rec = rec.with_metadata(notes=("line one", "line two"))
    myograph.write(rec, tmp_path / "n.csv")
    back = myograph.read(tmp_path / "n.csv")
    assert back.metadata.notes == ("line one", "line two")
    assert back.ch_types == ["EMG", "FORCE"] and back.channels[1].units == "N"


_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True)
_VALUE = st.one_of(st.floats(min_value=-1e3, max_value=1e3, allow_subnormal=True), st.just(math.nan))
_LABEL = st.text(alphabet=string.ascii_letters + string.digits + " ,;:\"'_-", max_size=12)


@st.composite
def _recordings(draw) -> Recording:
    n_ch = draw(st.integers(1, 4))
    n = draw(st.integers(1, 40))
    names = draw(st.lists(_NAME, min_size=n_ch, max_size=n_ch, unique_by=str.lower))
    kinds = draw(st.lists(st.sampled_from([("EMG", "V"), ("FORCE", "N"), ("MISC", "")]), min_size=n_ch, max_size=n_ch))
    fs = draw(st.floats(min_value=0.5, max_value=1e5))
    data = np.array(draw(st.lists(st.lists(_VALUE, min_size=n, max_size=n), min_size=n_ch, max_size=n_ch)))
    rec = Recording(data, fs, names, units=[u for _, u in kinds], ch_types=[t for t, _ in kinds])
    rows = draw(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 10), _LABEL,
                                   st.lists(st.sampled_from(names), unique=True, max_size=2)), max_size=4))
    return rec.with_annotations(Annotations.from_rows([(o, d, lab, tuple(ch)) for o, d, lab, ch in rows]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rec=_recordings())
def test_any_recording_written_as_csv_reads_back_equal(tmp_path, rec):
    path = tmp_path / "h.csv"
    myograph.write(rec, path)
    _assert_same(rec, myograph.read(path), rtol=5e-16)


# --- Vicon sections and events tables -----------------------------------------------------------------
_VICON = """Events
Subject,Context,Name,Time (s),Description
P1,Left,Foot Strike,0.015,
,,,,
Devices
1000
,,Imported Delsys - Sensor 1,Imported Force Plate - FP1
Frame,Sub Frame,EMG1,Fz
,,mV,N
{rows}
Trajectories
100
,,P1:HEEL,,
Frame,Sub Frame,X,Y,Z
,,mm,mm,mm
2,0,1.5,2.5,3.5
3,0,1.6,2.6,3.6
"""


def _vicon(rows: str) -> bytes:
    return _VICON.format(rows=rows).encode()


def test_a_vicon_export_gives_one_recording_per_section_with_its_events():
    rows = "\n".join(f"{2 + k // 10},{k % 10},{k * 0.1!r},{k}" for k in range(20)) + "\n"
    recs = myograph.read_all(_vicon(rows), format="csv")
    devices, markers = recs
    assert (devices.fs, devices.ch_names, devices.ch_types) == (1000.0, ["EMG1", "Fz"], ["EMG", "FORCE"])
    np.testing.assert_allclose(devices.data[0, :3], [0.0, 1e-4, 2e-4])
    assert first_time_s(devices) == pytest.approx(0.01)  # frame 2 at 100 frames/s
    assert _rows(devices.annotations) == [(pytest.approx(0.005), 0.0, "Left Foot Strike", ())]
    assert (markers.fs, markers.ch_names, markers.ch_types) == (100.0, ["P1:HEEL.X", "P1:HEEL.Y", "P1:HEEL.Z"], ["POS"] * 3)
    assert myograph.read(_vicon(rows), format="csv").fs == 1000.0


def test_a_vicon_export_with_missing_frames_is_refused_naming_the_line():
    rows = "2,0,0.1,1\n2,1,0.2,2\n2,3,0.3,3\n"
    with pytest.raises(FileFormatError, match="line 12") as err:
        myograph.read(_vicon(rows), format="csv")
    assert "Frame" in err.value.field


def test_events_tables_round_trip_channel_lists_with_semicolons(tmp_path):
    from myograph.io.text import write_events_csv

    ann = Annotations.from_rows([(0.25, 0.5, 'a "quoted", label', ("x;y", "z")), (1.0, 0.0, "", ())])
    write_events_csv(ann, tmp_path / "e.csv")
    assert read_events_csv(tmp_path / "e.csv") == ann
    with pytest.raises(FileFormatError, match="line 2"):
        read_events_csv(b"onset,duration,label\nsoon,0,x\n")
