"""Damaged EDF/BDF files: a table of corruptions, each read from a path and from bytes, and fuzzing.

Each corruption either loads, with a ``MyographWarning`` and a ``repair`` step in
provenance naming the field (and is refused under ``strict=True``), or raises a
``FileFormatError`` naming the file and the field. Never another exception type.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myograph
from myograph import FileFormatError, Metadata, MyographError, MyographWarning, Recording
from myograph.core.provenance import RepairLog
from myograph.io import edf
from myograph.io._input import Input

from tests.conftest import make_recording

# EDF header layout (EDF spec, https://www.edfplus.info/specs/edf.html): main fields, then per-signal fields
MAIN = {"version": (0, 8), "patient": (8, 80), "recording": (88, 80), "startdate": (168, 8), "starttime": (176, 8),
        "header_bytes": (184, 8), "reserved": (192, 44), "n_records": (236, 8), "record_duration": (244, 8),
        "n_signals": (252, 4)}
SIGNAL = (("label", 16), ("transducer", 80), ("physical_dimension", 8), ("physical_min", 8), ("physical_max", 8),
          ("digital_min", 8), ("digital_max", 8), ("prefiltering", 80), ("samples_per_record", 8), ("reserved", 32))


def span(raw: bytes, name: str, signal: int | None = None, ns: int | None = None) -> tuple[int, int]:
    """Byte offset and width of a header field (``ns``: signal count, default the file's own)."""
    if signal is None:
        return MAIN[name]
    ns = int(raw[252:256]) if ns is None else ns
    off = 256
    for field, width in SIGNAL:
        if field == name:
            return off + signal * width, width
        off += ns * width
    raise KeyError(name)


def get(raw: bytes, name: str, signal: int | None = None) -> bytes:
    start, width = span(raw, name, signal)
    return raw[start:start + width].rstrip(b" ")


def patch(raw: bytes, name: str, value: bytes, signal: int | None = None, fill: bytes = b" ") -> bytes:
    start, width = span(raw, name, signal)
    assert len(value) <= width
    return raw[:start] + value.ljust(width, fill) + raw[start + width:]


def clean_file(suffix: str) -> bytes:
    """A valid EDF+C/BDF+C: channels EMG1, EMG2 at 256 Hz, 3 records of 1 s, one annotation."""
    rec = Recording(make_recording(2, 768, 256.0).data, 256.0, ch_names=["EMG1", "EMG2"],
                    metadata=Metadata(start_time=datetime(2021, 6, 1, 10, 0, 0))).annotate(0.5, 0.25, "burst")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clean{suffix}"
        myograph.write(rec, path)
        return path.read_bytes()


CLEAN = clean_file(".edf")
CLEAN_BDF = clean_file(".bdf")
HEADER_LEN = 256 * 4
RECORD_LEN = (len(CLEAN) - HEADER_LEN) // 3
TAL_AT = HEADER_LEN + RECORD_LEN + 2 * 256 * 2  # annotation bytes of the second record
assert CLEAN[TAL_AT:TAL_AT + 4] == b"+1\x14\x14"


def comma(raw: bytes) -> bytes:
    value = get(raw, "physical_min", 0)
    assert b"." in value
    return patch(raw, "physical_min", value.replace(b".", b","), 0)


def nul_padded(raw: bytes) -> bytes:
    raw = patch(raw, "label", b"EMG1", 0, fill=b"\x00")
    return patch(raw, "physical_dimension", b"uV", 1, fill=b"\x00")


def non_ascii(raw: bytes) -> bytes:
    raw = patch(raw, "patient", "X M X Jos\xe9_Mu\xf1oz".encode("latin-1"))
    return patch(raw, "physical_dimension", b"\xb5V", 0)


def same_digital(raw: bytes) -> bytes:
    return patch(raw, "digital_max", get(raw, "digital_min", 0), 0)


def same_physical(raw: bytes) -> bytes:
    return patch(raw, "physical_max", get(raw, "physical_min", 0), 0)


def garbled_tal(raw: bytes) -> bytes:
    return raw[:TAL_AT] + b"+?\x14\x14" + raw[TAL_AT + 4:]


def off_grid_tal(raw: bytes) -> bytes:
    return raw[:TAL_AT] + b"+7\x14\x14" + raw[TAL_AT + 4:]


TEXT = b"Session notes, not a recording.\nThe subject rested for 5 min,\nthen walked.\n"
CSV = b"time_s,emg_uv\n" + b"".join(f"{i / 1000:.3f},{i % 7}\n".encode() for i in range(40))

#: (id, corruption, "repair" or "error", field(s), extra check on the first Recording or None)
CASES: list[tuple[str, Callable[[bytes], bytes], str, str | set[str], Callable[[Recording], bool] | None]] = [
    ("truncated last data record", lambda r: r[:-7], "repair", "data", lambda rec: rec.n_samples == 512),
    ("record count -1", lambda r: patch(r, "n_records", b"-1"), "repair", "n_records", lambda rec: rec.n_samples == 768),
    ("record count too large", lambda r: patch(r, "n_records", b"99"), "repair", "n_records", lambda rec: rec.n_samples == 768),
    ("record count too small", lambda r: patch(r, "n_records", b"1"), "repair", "n_records", lambda rec: rec.n_samples == 768),
    ("record count not a number", lambda r: patch(r, "n_records", b"three"), "repair", "n_records", None),
    ("bad header length field", lambda r: patch(r, "header_bytes", b"999"), "repair", "header_bytes", None),
    ("signal count unreadable", lambda r: patch(r, "n_signals", b"x"), "repair", "n_signals", None),
    ("NUL padding in header fields", nul_padded, "repair", "signal[0].label", lambda rec: rec.ch_names == ["EMG1", "EMG2"]),
    ("decimal comma in a number", comma, "repair", "signal[0].physical_min", None),
    ("integer field written as a decimal", lambda r: patch(r, "digital_min", b"-32768.0", 0), "repair",
     "signal[0].digital_min", None),
    ("non-ASCII header bytes", non_ascii, "repair", "patient", lambda rec: rec.channels[0].units == "V"),
    ("duplicate channel labels", lambda r: patch(r, "label", b"EMG1", 1), "repair", "signal[1].label",
     lambda rec: rec.ch_names == ["EMG1", "EMG1-2"]),
    ("empty channel label", lambda r: patch(r, "label", b"", 0), "repair", "signal[0].label",
     lambda rec: rec.ch_names == ["signal1", "EMG2"]),
    ("physical_min equal to physical_max", same_physical, "repair", "signal[0].physical_min",
     lambda rec: np.ptp(rec.data[0]) == 0),
    ("unreadable start date", lambda r: patch(r, "startdate", b"32.13.99"), "repair", "startdate",
     lambda rec: rec.metadata.start_time is None),
    ("garbled annotation list", garbled_tal, "repair", "annotations", lambda rec: rec.n_samples == 768),
    ("EDF+C time stamp off the record grid", off_grid_tal, "repair", "annotations", lambda rec: rec.n_samples == 768),
    ("digital_min equal to digital_max", same_digital, "error", "signal[0].digital_min", None),
    ("unreadable physical_min", lambda r: patch(r, "physical_min", b"abc", 0), "error", "signal[0].physical_min", None),
    ("zero samples per record", lambda r: patch(r, "samples_per_record", b"0", 1), "error", "signal[1].samples_per_record", None),
    ("record duration 0 with data signals", lambda r: patch(r, "record_duration", b"0"), "error", "record_duration", None),
    ("header without data records", lambda r: r[:HEADER_LEN], "error", "data", None),
    ("more signals than the file holds", lambda r: patch(patch(r, "n_signals", b"99"), "header_bytes", b"25600"),
     "error", "n_signals", None),
    ("empty file", lambda r: b"", "error", "file", None),
    ("10-byte file", lambda r: r[:10], "error", "header", None),
    # content beats extension: the registry refuses these before the EDF reader sees them
    ("text file named .edf", lambda r: TEXT, "error", {"header", "file"}, None),
    ("wrong version field", lambda r: patch(r, "version", b"1"), "error", {"header", "file"}, None),
]


@pytest.fixture(params=["path", "bytes"])
def source_kind(request):
    return request.param


def as_source(raw: bytes, kind: str, tmp_path: Path):
    if kind == "bytes":
        return raw, "<bytes>"
    path = tmp_path / "case.edf"
    path.write_bytes(raw)
    return path, str(path)


def repaired_fields(rec: Recording) -> list[str]:
    return [s.parameters["field"] for s in rec.provenance if s.operation == "repair"]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_corruption_loads_with_a_recorded_repair_or_raises_naming_file_and_field(case, source_kind, tmp_path):
    _, corrupt, outcome, field, check = case
    source, name = as_source(corrupt(CLEAN), source_kind, tmp_path)
    if outcome == "repair":
        with pytest.warns(MyographWarning, match=field.replace("[", r"\[").replace("]", r"\]")):
            recs = myograph.read_all(source)
        assert field in repaired_fields(recs[0])
        if check is not None:
            assert check(recs[0])
        with pytest.raises(FileFormatError) as refused:
            myograph.read_all(source, strict=True)
        assert (refused.value.field, refused.value.file) == (field, name)
        with pytest.warns(MyographWarning):
            lazy = myograph.open(source)
        np.testing.assert_array_equal(lazy.load().data, max(recs, key=lambda r: r.n_channels).data)
        assert field in repaired_fields(lazy.load())
        lazy.close()
    else:
        fields = field if isinstance(field, set) else {field}
        with warnings.catch_warnings():
            warnings.simplefilter("always", MyographWarning)
            with pytest.raises(MyographError) as err:
                myograph.read_all(source)
        assert isinstance(err.value, FileFormatError)
        assert err.value.file == name and err.value.field in fields
        assert name in str(err.value)


def test_repairs_keep_the_samples_unchanged_where_the_fix_is_exact():
    clean = myograph.read(CLEAN)
    for corrupt in (comma, non_ascii, nul_padded, lambda r: patch(r, "n_records", b"-1")):
        with pytest.warns(MyographWarning):
            np.testing.assert_array_equal(myograph.read(corrupt(CLEAN)).data, clean.data)


def test_a_truncated_bdf_drops_only_the_partial_record():
    with pytest.warns(MyographWarning, match="truncated"):
        rec = myograph.read(CLEAN_BDF[:-100])
    np.testing.assert_array_equal(rec.data, myograph.read(CLEAN_BDF).data[:, :512])


def test_the_edf_reader_itself_names_the_version_field_of_a_foreign_file(tmp_path):
    with pytest.raises(FileFormatError) as err:
        edf.read_all(Input(data=TEXT), log=RepairLog("<bytes>"), fs=None)
    assert err.value.field == "version"
    (tmp_path / "table.edf").write_bytes(CSV)  # a table named .edf is read as the table it is, unless EDF is forced
    with pytest.raises(FileFormatError) as err:
        myograph.read(tmp_path / "table.edf", format="edf")
    assert (err.value.field, err.value.file) == ("version", str(tmp_path / "table.edf"))


def test_unknown_reading_options_are_refused():
    with pytest.raises(myograph.ParameterError, match="chanels"):
        myograph.read(CLEAN, chanels=["EMG1"])


# ---------------------------------------------------------------------------------------------
# fuzzing: any bytes give a Recording or a MyographError
# ---------------------------------------------------------------------------------------------
def read_directly(raw: bytes) -> None:
    """Call the EDF reader and lazy opener without the registry's safety net; only MyographError may escape."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for rec in edf.read_all(Input(data=raw), log=RepairLog("<bytes>"), fs=None):
                assert isinstance(rec, Recording) and np.all(np.isfinite(rec.data))
            lazy = edf.open_lazy(Input(data=raw), log=RepairLog("<bytes>"), fs=None)
            for chunk in lazy.iter_chunks(0.7):
                assert chunk.n_samples > 0
            lazy.close()
        except MyographError:
            pass
    assert all(issubclass(w.category, MyographWarning) for w in caught), [str(w.message) for w in caught]


FIELD_TEXT = st.text(alphabet="0123456789+-.,eE X\x00\xb5", max_size=10).map(lambda s: s.encode("latin-1"))
HEADER_FIELDS = [(name, None) for name in MAIN if name != "version"] + [(f, i) for f, _ in SIGNAL for i in range(3)]


@st.composite
def mutations(draw, base: bytes) -> bytes:
    raw = bytearray(base)
    kind = draw(st.sampled_from(["overwrite", "flip", "field", "truncate"]))
    if kind == "overwrite":
        for pos, value in draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), min_size=1, max_size=8)):
            raw[pos] = value
    elif kind == "flip":
        for pos, bit in draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 7)), min_size=1, max_size=8)):
            raw[pos] ^= 1 << bit
    elif kind == "field":
        for _ in range(draw(st.integers(1, 3))):
            name, signal = draw(st.sampled_from(HEADER_FIELDS))
            start, width = span(base, name, signal)  # the clean layout: earlier mutations may hit n_signals
            raw[start:start + width] = draw(FIELD_TEXT)[:width].ljust(width, b" ")
    else:
        del raw[draw(st.integers(0, len(raw) - 1)):]
    return bytes(raw)


@pytest.mark.parametrize("base", [CLEAN, CLEAN_BDF], ids=["edf", "bdf"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_byte_mutations_give_a_recording_or_a_myograph_error(base, data):
    read_directly(data.draw(mutations(base)))


@settings(max_examples=40, deadline=None)
@given(raw=st.binary(max_size=2048))
def test_arbitrary_bytes_behind_a_valid_version_field_give_a_recording_or_a_myograph_error(raw):
    read_directly(b"0       " + raw)
