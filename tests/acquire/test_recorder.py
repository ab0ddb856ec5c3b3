"""The recorder: exact clean stops written atomically, gaps and markers as annotations, and kill-and-recover."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import myograph
from myograph.acquire import Block, Recorder, part_path, record
from myograph.core.errors import MyographWarning, ParameterError, SignalError
from tests.acquire.helpers import joined, read_samples, sim

#: one 24-bit step over the ±10 mV range of the simulated amplifier, V
QUANTUM = 0.02 / (2 ** 24 - 1)


def test_a_clean_stop_gives_exactly_the_samples_written_and_appears_atomically(tmp_path):
    target = tmp_path / "trial.bdf"
    with sim() as amp:
        rec = Recorder(amp.info, target, flush_s=0.25)
        blocks = read_samples(amp, 3000)
        for i, b in enumerate(blocks):
            rec.write(b)
            if i == 5:
                onset = rec.mark("go")
        rec.mark("stim", at_sample=2500, duration_s=0.5)
        assert not target.exists() and part_path(target).exists()  # no target name until done
        assert rec.flushes >= 5
        summary = rec.close()
    assert target.exists() and not part_path(target).exists()
    assert not [p for p in tmp_path.iterdir() if p != target]  # nothing else left behind
    x = joined(blocks)
    r = myograph.read(target)
    assert r.n_samples == x.shape[1] == summary.n_samples
    assert r.ch_names == amp.info.channels.names and r.fs == amp.fs
    assert np.max(np.abs(r.data - x)) <= QUANTUM
    labels = dict(zip(r.annotations.label, zip(r.annotations.onset, r.annotations.duration)))
    assert labels["go"][0] == pytest.approx(onset) == pytest.approx(6 * amp.block_samples / amp.fs)
    assert labels["stim"] == (pytest.approx(2500 / amp.fs), pytest.approx(0.5))
    assert "BAD_padding" not in labels and r.metadata.start_time is not None


def test_gaps_are_written_as_zeros_and_annotated_bad_gap(tmp_path):
    target = tmp_path / "gap.bdf"
    with sim() as amp:
        drop = amp.inject_dropout(0.1, at_sample=700)
        amp.inject_clock_step(0.5, at_sample=1600)
        blocks = read_samples(amp, 2000)
        with Recorder(amp.info, target) as rec:
            for b in blocks:
                rec.write(b)
    r = myograph.read(target)
    got = sum(b.n_samples for b in blocks)
    assert r.n_samples == got + drop.n_samples
    gaps = r.annotations.select("BAD_gap")
    assert len(gaps) == 1
    assert gaps.onset[0] == pytest.approx(700 / amp.fs) and gaps.duration[0] == pytest.approx(drop.n_samples / amp.fs)
    assert np.all(np.abs(r.data[:, 700:700 + drop.n_samples]) <= QUANTUM)
    for b in blocks:  # every delivered sample sits at its own counter position
        assert np.max(np.abs(r.data[:, b.first_sample:b.first_sample + b.n_samples] - b.data)) <= QUANTUM
    steps = r.annotations.select(prefix="clock_step")
    assert len(steps) == 1 and steps.onset[0] == pytest.approx(1600 / amp.fs)


def test_many_markers_spill_over_records_and_all_arrive(tmp_path):
    target = tmp_path / "markers.bdf"
    with sim() as amp:
        blocks = read_samples(amp, 2048)
    with Recorder(amp.info, target, annotation_bytes=64, flush_s=0.125) as rec:  # about 4 markers per record
        for b in blocks[:2]:
            rec.write(b)
        for k in range(30):
            rec.mark(f"m{k}")
        for b in blocks[2:]:
            rec.write(b)
    r = myograph.read(target)
    assert sorted(r.annotations.label) == sorted(f"m{k}" for k in range(30))
    assert np.allclose(r.annotations.onset, 128 / amp.fs)


def test_non_finite_samples_become_zeros_marked_bad(tmp_path):
    target = tmp_path / "nan.bdf"
    with sim() as amp:
        blocks = read_samples(amp, 512)
    blocks[2] = Block(np.where(np.arange(blocks[2].n_samples) == 3, np.nan, blocks[2].data), blocks[2].first_sample,
                      blocks[2].timestamp_s, blocks[2].received_s)
    with Recorder(amp.info, target) as rec:
        for b in blocks:
            rec.write(b)
    r = myograph.read(target)
    bad = r.annotations.select("BAD_nonfinite")
    assert len(bad) == 1 and bad.onset[0] == pytest.approx(blocks[2].first_sample / amp.fs)
    assert abs(r.data[0, blocks[2].first_sample + 3]) <= QUANTUM


def test_the_background_writer_writes_the_same_file(tmp_path):
    with sim() as amp:
        blocks = read_samples(amp, 2000)
    for name, bg in (("sync.bdf", False), ("bg.bdf", True)):
        with Recorder(amp.info, tmp_path / name, background=bg) as rec:
            for b in blocks:
                rec.write(b)
            rec.mark("x", at_sample=100)
    a, b = myograph.read(tmp_path / "sync.bdf"), myograph.read(tmp_path / "bg.bdf")
    assert np.array_equal(a.data, b.data) and a.annotations == b.annotations


def test_an_unrecovered_part_file_is_never_overwritten(tmp_path):
    target = tmp_path / "x.bdf"
    part_path(target).write_bytes(b"precious")
    with pytest.raises(ParameterError, match="did not finish"):
        Recorder(sim().info, target)
    assert part_path(target).read_bytes() == b"precious"


def test_a_recording_without_samples_leaves_nothing(tmp_path):
    target = tmp_path / "empty.bdf"
    rec = Recorder(sim().info, target)
    with pytest.raises(SignalError, match="no samples"):
        rec.close()
    assert not list(tmp_path.iterdir())
    with pytest.raises(ParameterError, match="path"):
        Recorder(sim().info, tmp_path / "x.csv")


def test_an_aborted_recording_keeps_a_readable_part_file(tmp_path):
    target = tmp_path / "abort.bdf"
    with sim() as amp:
        blocks = read_samples(amp, 2000)
    rec = Recorder(amp.info, target, flush_s=0.125)
    for b in blocks:
        rec.write(b)
    flushed = rec.samples_flushed
    rec.abort()
    assert not target.exists()
    with pytest.warns(MyographWarning, match="n_records"):
        r = myograph.read(part_path(target))
    assert r.n_samples == flushed > 0
    assert np.max(np.abs(r.data - joined(blocks)[:, :flushed])) <= QUANTUM


def test_record_stops_after_exactly_the_duration_gaps_included(tmp_path):
    amp = sim()
    amp.inject_dropout(0.05, at_sample=300)
    summary = record(amp, tmp_path / "r.bdf", 1.0, markers=[(0.5, "half")])
    r = myograph.read(tmp_path / "r.bdf")
    assert r.n_samples == summary.n_samples == 2048 and summary.gaps == 1
    assert r.annotations.select("half").onset[0] == pytest.approx(0.5, abs=amp.block_samples / amp.fs)


_CHILD = r"""
import json, sys
from myograph.acquire import Recorder, SimulatedAmplifier
path, seed = sys.argv[1], int(sys.argv[2])
amp = SimulatedAmplifier("surface", channels=2, seed=seed, realtime=False)
rec = Recorder(amp.info, path, flush_s=0.125)
rec.mark("start", 0)
print(json.dumps({"header": rec.header_bytes, "record": rec.record_bytes, "spr": rec.samples_per_record}), flush=True)
with amp:
    while True:
        rec.write(amp.read(10.0))
"""


def test_a_recorder_killed_with_sigkill_leaves_every_flushed_sample_readable(tmp_path):
    target = tmp_path / "killed.bdf"
    seed, n_flushes = 7, 12
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(target), str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        layout = json.loads(proc.stdout.readline() or "null")
        assert layout, proc.stderr.read()
        part = part_path(target)
        want = layout["header"] + n_flushes * layout["record"]
        deadline = time.monotonic() + 60
        size = 0
        while size < want:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the recorder did not flush in time"
            time.sleep(0.005)
            size = part.stat().st_size if part.exists() else 0
        observed = (size - layout["header"]) // layout["record"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:  # pragma: no cover - only if an assertion fired before the kill
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not target.exists() and part.exists()
    with pytest.warns(MyographWarning):
        r = myograph.read(part)
    assert r.n_samples >= observed * layout["spr"] >= n_flushes * layout["spr"]
    assert r.n_samples % layout["spr"] == 0  # whole records only: a half-written one is dropped
    assert "start" in r.annotations.label
    with sim(seed=seed) as amp:  # the same seed streams the same samples
        expected = joined(read_samples(amp, r.n_samples))[:, :r.n_samples]
    assert np.max(np.abs(r.data - expected)) <= QUANTUM
