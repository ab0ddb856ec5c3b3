"""WFDB records: PhysioNet emgdb, synthetic records, missing files, subject parsing."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import myograph
from myograph import FileFormatError, MyographWarning, ParameterError
from myograph.io._input import as_input
from myograph.io.wfdb import parse_header, parse_subject, sniff_wfdb

_EMGDB = [
    # record, n_samples, init value (adu), age, diagnosis fragment
    ("emg_healthy", 50860, -333, 44.0, "no history of neuromuscular disease"),
    ("emg_myopathy", 110337, -50, 57.0, "myopathy due to long history of polymostis"),
    ("emg_neuropathy", 147858, 900, 62.0, "chronic low back pain and neuropathy due to a right L5 radiculopathy"),
]


def _wfdb():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import wfdb
    return wfdb


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call(*args, **kwargs)


# --- PhysioNet emgdb ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("record", "n", "init", "age", "diagnosis"), _EMGDB, ids=[r[0] for r in _EMGDB])
def test_emgdb_records_read_at_4_khz_in_volts_with_the_provenance_sample_counts(shared_data, record, n, init, age,
                                                                                diagnosis):
    """PhysioNet 'Examples of Electromyograms' (emgdb 1.0.0) via the mirror listed in emgdb/PROVENANCE.txt."""
    rec = myograph.read(shared_data / "emgdb" / f"{record}.hea")
    assert rec.fs == 4000.0
    assert rec.n_samples == n and rec.n_channels == 1
    assert rec.ch_names == ["EMG"] and rec.ch_types == ["EMG"] and rec.channels[0].units == "V"
    assert rec.data[0, 0] == pytest.approx(init / 10000 * 1e-3, rel=1e-12)  # 10000 adu/mV
    assert rec.metadata.source_format == "wfdb"
    assert rec.metadata.subject.age_years == age and rec.metadata.subject.sex == "M"
    assert rec.metadata.subject.diagnosis == diagnosis
    assert "EMG from 25mm concentric needle electrode placed in tibialis anterior muscle" in rec.metadata.notes
    assert rec.provenance[0].operation == "read" and rec.provenance[0].parameters["record"] == record


def test_the_lowercase_mv_unit_of_the_myopathy_header_is_read_as_millivolts(shared_data):
    """emgdb emg_myopathy.hea writes '10000/mv' (PROVENANCE.txt): samples must equal adu / 10000 mV."""
    folder = shared_data / "emgdb"
    assert "10000/mv" in (folder / "emg_myopathy.hea").read_text()
    rec = myograph.read(folder / "emg_myopathy.hea")
    raw = np.fromfile(folder / "emg_myopathy.dat", dtype="<i2").astype(float)
    assert rec.channels[0].units == "V"
    np.testing.assert_allclose(rec.data[0], raw / 10000 * 1e-3, rtol=1e-12)
    assert np.max(np.abs(rec.data)) < 0.01  # needle EMG: millivolts, not volts


def test_header_comments_are_kept_line_by_line_as_notes(shared_data):
    """emgdb emg_neuropathy.hea: five comment lines, the diagnosis continued on an indented line."""
    rec = myograph.read(shared_data / "emgdb" / "emg_neuropathy.hea")
    assert rec.metadata.notes == (
        "<age>: 62 <sex>: M",
        "<diagnoses>: chronic low back pain and neuropathy due to a",
        "right L5 radiculopathy",
        "EMG from 25mm concentric needle electrode placed in tibialis anterior muscle",
        "patient dorsiflexed the foot gently against resistance, then relaxed",
    )


def test_reading_the_dat_path_finds_its_header(shared_data):
    """emgdb emg_healthy.dat opened directly."""
    folder = shared_data / "emgdb"
    by_dat = myograph.read(folder / "emg_healthy.dat")
    by_hea = myograph.read(folder / "emg_healthy.hea")
    np.testing.assert_array_equal(by_dat.data, by_hea.data)
    assert by_dat.metadata.subject == by_hea.metadata.subject


def test_header_bytes_alone_are_refused_naming_the_signal_file(shared_data):
    """emgdb emg_healthy.hea given as bytes: there is no way to reach emg_healthy.dat."""
    content = (shared_data / "emgdb" / "emg_healthy.hea").read_bytes()
    with pytest.raises(FileFormatError, match="emg_healthy.dat") as err:
        myograph.read(content)
    assert err.value.field == "signal_file" and err.value.file == "<bytes>"


def test_a_header_without_its_dat_names_the_file_and_the_missing_dat(shared_data, tmp_path):
    """emgdb emg_healthy.hea copied alone."""
    shutil.copy(shared_data / "emgdb" / "emg_healthy.hea", tmp_path)
    with pytest.raises(FileFormatError, match="'emg_healthy.dat'") as err:
        myograph.read(tmp_path / "emg_healthy.hea")
    assert err.value.field == "signal_file" and err.value.file == str(tmp_path / "emg_healthy.hea")


def test_a_dat_without_its_header_is_refused(shared_data, tmp_path):
    """emgdb emg_healthy.dat copied alone."""
    shutil.copy(shared_data / "emgdb" / "emg_healthy.dat", tmp_path)
    with pytest.raises(FileFormatError, match="emg_healthy.hea") as err:
        myograph.read(tmp_path / "emg_healthy.dat", format="wfdb")
    assert err.value.field == "header"
    with pytest.raises(FileFormatError):
        myograph.read(tmp_path / "emg_healthy.dat")


def test_a_truncated_dat_is_read_to_its_last_complete_sample_with_a_warning(shared_data, tmp_path):
    """emgdb emg_healthy with the .dat cut to 1001 bytes (500 complete 16-bit samples)."""
    shutil.copy(shared_data / "emgdb" / "emg_healthy.hea", tmp_path)
    (tmp_path / "emg_healthy.dat").write_bytes((shared_data / "emgdb" / "emg_healthy.dat").read_bytes()[:1001])
    with pytest.warns(MyographWarning, match="500 of the 50860"):
        rec = myograph.read(tmp_path / "emg_healthy.hea")
    assert rec.n_samples == 500
    assert rec.provenance[-1].parameters["field"] == "signal_file"
    with pytest.raises(FileFormatError, match="strict"):
        myograph.read(tmp_path / "emg_healthy.hea", strict=True)


# --- synthetic records ------------------------------------------------------------------------------
def _write(tmp_path: Path, name: str = "syn", **kwargs) -> Path:
    args = dict(record_name=name, fs=1000, units=["uV", "mV"], sig_name=["EMG biceps", "ECG lead I"],
                p_signal=np.column_stack([np.linspace(-500, 500, 100), np.linspace(-1, 1, 100)]),
                fmt=["16", "16"], adc_gain=[10.0, 1000.0], baseline=[0, 0], write_dir=str(tmp_path))
    args.update(kwargs)
    _quiet(_wfdb().wrsamp, **args)
    return tmp_path / f"{name}.hea"


def test_microvolt_signals_are_stored_in_volts_and_types_follow_the_description(tmp_path):
    rec = myograph.read(_write(tmp_path))
    assert rec.ch_names == ["EMG biceps", "ECG lead I"] and rec.ch_types == ["EMG", "ECG"]
    np.testing.assert_allclose(rec.data[0], np.linspace(-500, 500, 100) * 1e-6, atol=0.05e-6)
    np.testing.assert_allclose(rec.data[1], np.linspace(-1, 1, 100) * 1e-3, atol=0.5e-6)


def test_a_multi_frequency_record_gives_one_recording_per_rate(tmp_path):
    wfdb = _wfdb()
    record = wfdb.Record(
        record_name="mf", n_sig=2, fs=100, sig_len=50, file_name=["mf.dat", "mf.dat"], fmt=["16", "16"],
        samps_per_frame=[1, 4], adc_gain=[1000.0, 200.0], baseline=[0, 0], units=["mV", "uV"],
        sig_name=["EMG tibialis", "ACC x"], adc_res=[16, 16], adc_zero=[0, 0], block_size=[0, 0],
        e_p_signal=[np.sin(np.arange(50) / 5), np.cos(np.arange(200) / 20)],
    )
    _quiet(record.set_d_features, expanded=True, do_adc=True)
    _quiet(record.wrsamp, expanded=True, write_dir=str(tmp_path))
    recs = myograph.read_all(tmp_path / "mf.hea")
    assert [(r.fs, r.n_samples, r.ch_names) for r in recs] == [(100.0, 50, ["EMG tibialis"]), (400.0, 200, ["ACC x"])]
    np.testing.assert_allclose(recs[1].data[0], np.cos(np.arange(200) / 20) * 1e-6, atol=0.01e-6)
    assert myograph.read(tmp_path / "mf.hea").fs == 100.0  # the EMG part


def test_invalid_samples_become_nan_marked_bad_gap(tmp_path):
    d = np.zeros((20, 1), dtype=np.int16)
    d[5:8, 0] = -32768  # WFDB format 16 "no sample" value
    _quiet(_wfdb().wrsamp, "gap", fs=100, units=["mV"], sig_name=["EMG"], d_signal=d, fmt=["16"], adc_gain=[100.0],
           baseline=[0], write_dir=str(tmp_path))
    rec = myograph.read(tmp_path / "gap.hea")
    assert np.isnan(rec.data[0, 5:8]).all() and not np.isnan(rec.data[0, :5]).any()
    assert [(a.onset, a.duration, a.label, a.channels) for a in rec.annotations] == [(0.05, 0.03, "BAD_gap", ("EMG",))]


def test_annotation_files_are_read_when_asked(tmp_path):
    _write(tmp_path)
    _quiet(_wfdb().wrann, "syn", "atr", np.array([10, 50]), symbol=["N", "+"], aux_note=["", "(EMG burst"],
           fs=1000, write_dir=str(tmp_path))
    rec = myograph.read(tmp_path / "syn.hea", annotators=("atr",))
    assert [(a.onset, a.label) for a in rec.annotations] == [(0.01, "N"), (0.05, "+ (EMG burst")]
    with pytest.raises(FileFormatError, match="syn.qrs"):
        myograph.read(tmp_path / "syn.hea", annotators=("qrs",))


def test_fs_disagreeing_with_the_header_is_refused(tmp_path):
    path = _write(tmp_path)
    with pytest.raises(ParameterError, match="1000"):
        myograph.read(path, fs=2000.0)
    assert myograph.read(path, fs=1000.0).fs == 1000.0


def test_a_header_without_a_rate_gets_the_wfdb_default_with_a_warning_or_the_given_fs(tmp_path):
    (tmp_path / "nofs.hea").write_text("nofs 1\nnofs.dat 16 200/mV 16 0 0 0 0 EMG\n")
    np.arange(10, dtype="<i2").tofile(tmp_path / "nofs.dat")
    with pytest.warns(MyographWarning, match="250 Hz"):
        assert myograph.read(tmp_path / "nofs.hea").fs == 250.0
    assert myograph.read(tmp_path / "nofs.hea", fs=2000.0).fs == 2000.0


def test_unknown_options_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="unknown option"):
        myograph.read(_write(tmp_path), units="uV")


# --- sniffing and parsing ------------------------------------------------------------------------------
_MITDB = b"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n# 69 M 1085 1629 x1\n"


@pytest.mark.parametrize(("head", "expected"), [
    (_MITDB, True),
    (b"emg_healthy 1 4000 50860\nemg_healthy.dat 16 10000/mV 16 0 -333 -29438 0 EMG\n", True),
    (b"# comment first\nrec/2 1 250 100\nseg1 50\nseg2 50\n", True),
    (b"1 2 3\n4 5 6\n", False),
    (b"time,emg\n0,1\n", False),
    (b"rec 1 250\nrec.dat 999 200\n", False),
    (bytes(range(256)), False),
])
def test_sniff_recognises_wfdb_headers_and_not_number_tables(head, expected):
    assert sniff_wfdb(head, as_input(head)) is expected


def test_parse_header_lists_signal_files_and_comments():
    header = parse_header(_MITDB.decode())
    assert header is not None
    assert (header.record, header.n_sig, header.fs, header.files) == ("100", 2, 360.0, ("100.dat",))
    assert header.comments == (" 69 M 1085 1629 x1",)


@pytest.mark.parametrize(("comments", "age", "sex", "diagnosis"), [
    (["<age>: 44 <sex>: M <diagnoses> no history of neuromuscular disease"], 44.0, "M", "no history of neuromuscular disease"),
    ([" <age>: 62 <sex>: F", " <diagnoses>: neuropathy due to a", "  right L5 radiculopathy", " EMG from a needle"],
     62.0, "F", "neuropathy due to a right L5 radiculopathy"),
    ([" 69 M 1085 1629 x1", " Aldomet, Inderal"], 69.0, "M", ""),
    (["Age: 31, Sex: female", "Diagnosis: ALS"], 31.0, "F", "ALS"),
    (["<age>: ? <sex>: ?"], None, "", ""),
    (["EMG from 25mm concentric needle electrode"], None, "", ""),
])
def test_parse_subject_reads_plainly_stated_age_sex_and_diagnosis(comments, age, sex, diagnosis):
    subject = parse_subject(comments)
    assert (subject.age_years, subject.sex, subject.diagnosis) == (age, sex, diagnosis)
