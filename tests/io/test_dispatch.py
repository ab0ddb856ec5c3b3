"""The io machinery shared by every format: input kinds, format detection, the reader guard, atomic writes."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

import myograph
from myograph import FileFormatError, ParameterError
from myograph.io import registry
from myograph.io._input import as_input
from myograph.io.atomic import atomic_open, atomic_path
from myograph.io.lazy import InMemoryLazy
from myograph.io.registry import Format
from tests.conftest import make_recording

MAGIC = b"TESTFMT1"


def _read_testfmt(src, *, log, fs=None, explode=None):
    """A tiny real format for exercising the dispatcher: MAGIC, then float64 samples of one channel."""
    if explode is not None:
        raise explode
    raw = src.read_bytes()[len(MAGIC):]
    if len(raw) % 8:
        log.repair("data", f"{len(raw) % 8} trailing bytes", "ignored them")
        raw = raw[: len(raw) - len(raw) % 8]
    return [myograph.Recording(np.frombuffer(raw, "<f8"), fs=fs or 100.0, provenance=log.provenance("testfmt"))]


@pytest.fixture
def testfmt():
    fmt = registry.register(Format("testfmt", "a test format", (".tst",), read_all=_read_testfmt,
                                   sniff=lambda head, src: head.startswith(MAGIC)))
    yield fmt
    del registry.FORMATS["testfmt"]


def _payload(n=10):
    return MAGIC + np.arange(n, dtype="<f8").tobytes()


def test_the_same_reader_works_from_a_path_bytes_and_a_file_object(testfmt, tmp_path):
    p = tmp_path / "x.tst"
    p.write_bytes(_payload())
    from_path = myograph.read(p)
    from_bytes = myograph.read(_payload())
    from_file = myograph.read(io.BytesIO(_payload()))
    for rec in (from_path, from_bytes, from_file):
        np.testing.assert_array_equal(rec.data[0], np.arange(10.0))
    assert from_path.provenance[0].parameters["file"] == str(p)
    assert from_bytes.provenance[0].parameters["file"] == "<bytes>"


def test_content_beats_extension(testfmt, tmp_path):
    p = tmp_path / "misnamed.dat"  # extension of no format (or of another), content of testfmt
    p.write_bytes(_payload())
    assert myograph.read(p).n_samples == 10


def test_a_missing_file_raises_file_not_found_not_a_format_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        myograph.read(tmp_path / "nope.edf")
    assert not issubclass(FileNotFoundError, myograph.MyographError)


def test_an_empty_file_is_refused_naming_the_file(tmp_path):
    p = tmp_path / "empty.tst"
    p.write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty"):
        myograph.read(p)


def test_unknown_content_with_an_unknown_extension_is_refused(tmp_path):
    p = tmp_path / "mystery.xyz"
    p.write_bytes(b"\x00\x01 not a recording")
    with pytest.raises(FileFormatError, match="unknown format"):
        myograph.read(p)


def test_a_library_exception_inside_a_reader_becomes_a_file_format_error(testfmt):
    with pytest.raises(FileFormatError, match="IndexError") as e:
        myograph.read(_payload(), explode=IndexError("boom"))
    assert e.value.file == "<bytes>"


def test_repairs_warn_and_are_recorded_in_provenance(testfmt):
    with pytest.warns(myograph.MyographWarning, match="trailing"):
        rec = myograph.read(_payload() + b"abc")
    assert [s.operation for s in rec.provenance] == ["read", "repair"]
    with pytest.raises(FileFormatError, match="strict"):
        myograph.read(_payload() + b"abc", strict=True)


def test_an_unknown_format_name_and_an_unwritable_extension_are_parameter_errors(tmp_path):
    with pytest.raises(ParameterError, match="format"):
        myograph.read(b"abc", format="nonsense")
    with pytest.raises(ParameterError, match="extension"):
        myograph.write(make_recording(), tmp_path / "x.unknownext")


def test_text_mode_file_objects_are_refused():
    with pytest.raises(ParameterError, match="binary"):
        as_input(io.StringIO("hello"))


def test_open_falls_back_to_in_memory_chunks_for_formats_without_lazy_reading(testfmt):
    lazy = myograph.open(_payload(25), fs=10.0)
    assert isinstance(lazy, InMemoryLazy)
    chunks = list(lazy.iter_chunks(1.0))
    assert [c.n_samples for c in chunks] == [10, 10, 5]
    np.testing.assert_array_equal(np.concatenate([c.data for c in chunks], axis=1)[0], np.arange(25.0))
    with pytest.raises(ParameterError, match="seconds"):
        next(lazy.iter_chunks(0))


def test_chunks_carry_their_annotations_relative_to_the_chunk():
    lazy = InMemoryLazy(make_recording(1, n_samples=2000, fs=1000.0))  # burst at 0.5–0.75 s
    first, second = list(lazy.iter_chunks(0.6))[:2]
    assert first.annotations[0].onset == pytest.approx(0.5)
    assert first.annotations[0].duration == pytest.approx(0.1)
    assert second.annotations[0].onset == pytest.approx(0.0)
    assert second.annotations[0].duration == pytest.approx(0.15)


def test_an_atomic_write_that_fails_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as f:
            f.write(b"half of the new")
            raise RuntimeError("crash mid-write")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]  # no temporary left behind


def test_an_atomic_write_that_succeeds_replaces_the_file(tmp_path):
    target = tmp_path / "sub" / "out.bin"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".bin" and tmp.parent == target.parent
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"


def test_the_main_part_of_a_multi_rate_file_is_the_emg_then_the_voltage_part():
    from myograph.io import main_recording

    markers = myograph.Recording(np.zeros((6, 10)), fs=100.0, ch_names=[f"m{i}" for i in range(6)], units="m", ch_types="POS")
    analog = myograph.Recording(np.zeros((2, 200)), fs=2000.0, ch_names=["a1", "a2"], ch_types="MISC")
    emg = myograph.Recording(np.zeros((1, 100)), fs=1000.0, ch_names=["e"])
    assert main_recording([markers, analog]) is analog
    assert main_recording([markers, analog, emg]) is emg


def test_an_atomic_write_gives_the_file_the_permissions_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_open(tmp_path / "out.bin") as f:
            f.write(b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644
