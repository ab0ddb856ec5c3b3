"""A crash-safe recorder: stream blocks to BDF+ so that a killed process loses at most one flush.

Design
------
The file is written as ``<target>.part`` (e.g. ``trial.bdf.part``) and appears
under the target name only on a clean :meth:`Recorder.close`:

* **Data records of ``flush_s``** (0.25 s by default; the nearest whole number
  of samples whose duration fits the 8-character header field). Every record
  completed is written, flushed and ``fsync``-ed at once, so everything up to
  the last completed record is on disk.
* **The header's record count stays -1** ("unknown", as EDF prescribes while
  recording) until the clean stop. A file left by a killed recorder therefore
  says by itself that it is unfinished; :func:`myograph.read` repairs the count
  from the file size (with a :class:`~myograph.MyographWarning`), drops a
  partly written last record, and returns every sample of every complete
  record — all samples up to the last flush.
* **Annotations live in the data records' own TALs** (EDF+ lets any record
  carry annotations): markers (:meth:`Recorder.mark`), ``BAD_gap`` spans and
  clock steps are placed in the next record written, so they survive a kill
  together with the samples around them (``annotation_bytes`` of room per
  record; overflow spills into the following records).
* **Gaps are zeros plus ``BAD_gap``.** BDF cannot store NaN; samples that never
  arrived (a jump of the device counter, or of the clock for sources without a
  counter, see :class:`~myograph.acquire.gaps.GapDetector`) are written as
  0 V so that the file keeps true time, and the span is annotated ``BAD_gap``.
  Nothing is interpolated. Non-finite samples from a source are written as 0
  and annotated ``BAD_nonfinite``.
* **Clean stop**: the last partial record is zero-padded and marked
  ``BAD_padding`` (which :func:`myograph.read` removes again, so the file reads
  back with exactly the samples written), the header gets the true record
  count, the file is ``fsync``-ed and renamed atomically (``os.replace``) to
  the target, and the folder is ``fsync``-ed.

A leftover ``.part`` file is never overwritten: a new recorder refuses to start
until it has been recovered (``myograph.read`` it, or ``myograph convert`` it)
or removed.

The file itself is written by :class:`myograph.io.edf.EdfWriter` in its
crash-safe mode (``crash_safe=True``: the ``.part`` file, the -1 record count,
per-record flush and ``fsync``, per-record TALs, padding and the atomic rename);
the recorder adds the gap detector, markers in the source's sample counter,
the background thread and the summary.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from myograph.acquire.gaps import GAP_LABEL, GapDetector
from myograph.acquire.source import Block, Source, StreamInfo
from myograph.core.errors import ParameterError, SignalError
from myograph.io.edf import EdfWriter, part_path, record_length

__all__ = ["Recorder", "RecordingSummary", "record", "part_path", "DEFAULT_PHYSICAL_RANGE"]

log = logging.getLogger("myograph.acquire")

#: physical range used when neither the caller nor the source gives one, in the channels' SI unit (±0.1 V:
#: 12 nV steps in 24-bit BDF)
DEFAULT_PHYSICAL_RANGE = (-0.1, 0.1)
NONFINITE_LABEL = "BAD_nonfinite"
CLOCK_STEP_LABEL = "clock_step"


def _record_samples(fs: float, flush_s: float) -> tuple[int, float]:
    """Samples per record near ``flush_s`` whose duration fits the header field exactly: ``(spr, duration_s)``.

    An odd rate (500.3 Hz) may need a longer record (10 s at most): then a
    killed recorder loses up to that much, and a warning is logged.
    """
    fit = record_length(fs, flush_s, max_s=10.0)
    if fit is None:
        raise ParameterError("flush_s", f"no record of at most 10 s holds whole samples at {fs} Hz with a duration "
                             "that fits the 8-character EDF field")
    if fit[1] > 2 * flush_s:
        log.warning("records of %g s at %g Hz (the nearest duration that fits the EDF header exactly): "
                    "a killed recorder may lose up to that much", fit[1], fs)
    return fit


@dataclass(frozen=True)
class RecordingSummary:
    """What a recorder wrote."""

    path: Path
    n_samples: int
    duration_s: float
    n_records: int
    gaps: int
    missing_samples: int
    markers: int
    clipped_samples: int


class Recorder:
    """Stream blocks of a source to a BDF+ file, crash-safely (see the module docstring).

    Parameters
    ----------
    info : StreamInfo
        The source's description (rate, channels, metadata, physical range).
    path : path-like
        Target file; ``.bdf`` (24-bit BDF+, recommended) or ``.edf`` (16-bit EDF+).
    flush_s : float, default 0.25
        Record length and flush interval, s: a killed recorder loses at most
        this much (plus what was still queued).
    physical_range : (float, float) or sequence of them, optional
        Range per channel in its SI unit; default ``info.physical_range``, else
        ±0.1. Samples beyond it are clipped (counted, one warning at close).
    annotation_bytes : int, default 256
        Room for annotations in each record, bytes.
    fsync : bool, default True
        ``fsync`` after every record (durable against power loss, not only
        against a killed process).
    background : bool, default False
        Encode and write in a thread of the recorder's own, so that :meth:`write`
        returns at once (what :class:`~myograph.acquire.acquisition.Acquisition`
        wants: the acquisition thread never waits for the disk).
    gap_tolerance_s : float, optional
        Timestamp tolerance of the gap detector (default 1.5 sample periods).
    clock_step_min_s : float, default 0.05
        Clock steps smaller than this (timestamp jitter) are not annotated.
    max_gap_s : float, default 600
        Longest gap filled with zeros; longer ones are annotated with their true
        length but filled only this far (a counter glitch must not write gigabytes).
    """

    def __init__(self, info: StreamInfo, path: str | os.PathLike[str], *, flush_s: float = 0.25,
                 physical_range: tuple[float, float] | Sequence[tuple[float, float]] | None = None,
                 annotation_bytes: int = 256, fsync: bool = True, background: bool = False,
                 gap_tolerance_s: float | None = None, clock_step_min_s: float = 0.05, max_gap_s: float = 600.0) -> None:
        if not isinstance(info, StreamInfo):
            raise ParameterError("info", f"must be a StreamInfo, got {type(info).__name__}")
        self.info = info
        self.path = Path(path)
        if self.path.suffix.lower() not in (".bdf", ".edf"):
            raise ParameterError("path", f"the recorder writes .bdf (24-bit BDF+) or .edf files, got {self.path.name!r}")
        if not (isinstance(flush_s, (int, float)) and math.isfinite(flush_s) and 0 < flush_s <= 10):
            raise ParameterError("flush_s", f"must be in (0, 10] s, got {flush_s!r}")
        self.fs = float(info.fs)
        _, record_s = _record_samples(self.fs, float(flush_s))
        self._n_ch = len(info.channels)
        if not self._n_ch:
            raise ParameterError("info", "the stream has no channels")
        if int(annotation_bytes) < 64:
            raise ParameterError("annotation_bytes", f"need at least 64 bytes per record, got {annotation_bytes}")
        rng = physical_range if physical_range is not None else (info.physical_range or DEFAULT_PHYSICAL_RANGE)
        self._detector = GapDetector(self.fs, counter=info.has_counter, tolerance_s=gap_tolerance_s)
        self._clock_min = float(clock_step_min_s)
        self._max_gap = int(round(max_gap_s * self.fs))
        self.part = part_path(self.path)
        try:  # the start time goes into the header with the first block
            self._writer = EdfWriter(self.path, info.channels, self.fs, rng, record_s=record_s,
                                     metadata=info.metadata.replace(start_time=None), annotation_bytes=int(annotation_bytes),
                                     crash_safe=True, fsync=fsync)
        except FileExistsError:
            raise ParameterError("path", f"{self.part} exists: a recording that did not finish. Recover it "
                                 f"(myograph.read / myograph convert) or remove it first") from None
        self._lock = threading.Lock()  # the gap detector (mark() may come from any thread)
        self._n_steps_seen = 0
        self._started = False
        self._closed = False
        self.markers = 0
        self.samples_received = 0
        self._queue: queue.SimpleQueue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        if background:
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._drain, name="myograph-recorder", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------ layout and counters
    @property
    def samples_per_record(self) -> int:
        return self._writer.samples_per_record

    @property
    def record_s(self) -> float:
        return self._writer.record_s

    @property
    def header_bytes(self) -> int:
        return self._writer.header_bytes

    @property
    def record_bytes(self) -> int:
        return self._writer.record_bytes

    @property
    def n_samples(self) -> int:
        """Samples per channel accepted so far, gaps included (the file's length once closed)."""
        return self._writer.n_samples

    @property
    def samples_flushed(self) -> int:
        """Samples per channel in complete records on disk."""
        return self._writer.n_records * self._writer.samples_per_record

    @property
    def flushes(self) -> int:
        return self._writer.flushes

    @property
    def clipped_samples(self) -> int:
        return self._writer.clipped_samples

    @property
    def gaps(self) -> list:
        return list(self._detector.gaps)

    @property
    def detector(self) -> GapDetector:
        return self._detector

    # ------------------------------------------------------------------ input
    def write(self, block: Block) -> None:
        """Append a block (in background mode: queue it and return at once)."""
        if self._closed:
            raise ParameterError("recorder", "is closed")
        if self._error is not None:
            raise RuntimeError("the recorder's writer thread failed") from self._error
        if self._queue is not None:
            self._queue.put(block)
        else:
            self._write(block)

    __call__ = write  # a recorder is itself a subscriber

    def mark(self, label: str, at_sample: int | None = None, *, duration_s: float = 0.0,
             channels: Sequence[str] = ()) -> float | None:
        """Add a marker (an EDF+ annotation), written with the next record.

        ``at_sample`` is in the source's counter (``Block.first_sample`` units);
        default: just after the newest sample written. Returns the onset, s —
        or ``None`` in background mode, where the marker is queued behind the
        blocks already submitted and placed when they have been written.
        """
        if not isinstance(label, str) or not label:
            raise ParameterError("label", f"must be a non-empty string, got {label!r}")
        self._writer.check_annotation(label, float(duration_s), tuple(channels))
        if self._closed:
            raise ParameterError("recorder", "is closed")
        self.markers += 1
        if self._queue is not None:
            self._queue.put(("mark", label, at_sample, float(duration_s), tuple(channels)))
            return None
        return self._mark(label, at_sample, float(duration_s), tuple(channels))

    def _mark(self, label: str, at_sample: int | None, duration_s: float, channels: tuple[str, ...]) -> float:
        with self._lock:
            pos = self._detector.next_position if at_sample is None else self._detector.position_of(int(at_sample))
        onset = pos / self.fs
        self._writer.annotate(onset, duration_s, label, channels)
        return onset

    def _drain(self) -> None:
        assert self._queue is not None
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                if isinstance(item, tuple):
                    self._mark(*item[1:])
                else:
                    self._write(item)
            except BaseException as exc:  # surfaced by write()/close()
                log.exception("recorder failed")
                self._error = exc
                return

    def _write(self, block: Block) -> None:
        x = np.asarray(block.data, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != self._n_ch:
            raise ParameterError("block", f"need data shaped ({self._n_ch}, n), got {x.shape}")
        if not self._started:
            self._start(block)
        w = self._writer
        with self._lock:
            new_gaps = self._detector.feed(block)
        for g in new_gaps:
            fill = min(g.n_missing, self._max_gap)
            log.warning("gap of %d samples (%.3f s) at %.3f s: written as zeros and annotated %s", g.n_missing,
                        g.duration_s, g.start_s, GAP_LABEL)
            w.annotate(g.start_s, g.duration_s, GAP_LABEL)
            for k in range(0, fill, 1 << 16):
                w.write(np.zeros((self._n_ch, min(1 << 16, fill - k))))
            if fill < g.n_missing:  # keep the detector's axis and the file's in step
                self._detector._offset -= g.n_missing - fill  # noqa: SLF001 - the detector is ours
        steps = self._detector.clock_steps
        for c in steps[self._n_steps_seen:]:
            if abs(c.step_s) >= self._clock_min:
                w.annotate(c.sample / self.fs, 0.0, f"{CLOCK_STEP_LABEL} {c.step_s:+.6f} s" if c.kind == "clock"
                           else f"counter_reset {c.step_s:+.6f} s")
        self._n_steps_seen = len(steps)
        if x.shape[1]:
            bad = ~np.isfinite(x)
            if bad.any():
                x = np.where(bad, 0.0, x)
                w.annotate(self.n_samples / self.fs, x.shape[1] / self.fs, NONFINITE_LABEL)
            w.write(x)
        self.samples_received += x.shape[1]

    def _start(self, block: Block) -> None:
        age = max(0.0, time.monotonic() - block.received_s) if math.isfinite(block.received_s) else 0.0
        start = self.info.metadata.start_time or datetime.fromtimestamp(time.time() - age).replace(microsecond=0)
        if not 1985 <= start.year <= 2084:
            start = None
        self._writer.metadata = self.info.metadata.replace(start_time=start)
        self._started = True

    # ------------------------------------------------------------------ stop
    def close(self) -> RecordingSummary:
        """Clean stop: pad the last record, write the record count, fsync, rename ``.part`` to the target."""
        if self._closed:
            raise ParameterError("recorder", "is already closed")
        self._stop_thread()
        self._closed = True
        try:
            if self._error is not None:
                raise RuntimeError("the recorder's writer thread failed") from self._error
            if not self._started or self.n_samples == 0:
                raise SignalError(f"{self.path}: no samples were recorded; nothing to write")
        except BaseException:
            self._writer.abort()
            raise
        n_samples = self.n_samples
        self._writer.close()  # a failure keeps the .part (when it holds a record) and raises
        det = self._detector
        summary = RecordingSummary(self.path, n_samples, n_samples / self.fs, self._writer.n_records,
                                   len(det.gaps), det.missing_samples, self.markers, self.clipped_samples)
        log.info("recorded %s: %d samples (%.3f s), %d gaps", self.path, summary.n_samples, summary.duration_s, summary.gaps)
        return summary

    def _stop_thread(self) -> None:
        if self._thread is not None:
            assert self._queue is not None
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def abort(self) -> None:
        """Stop without finishing: the ``.part`` file is kept as it is (recoverable with :func:`myograph.read`)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._stop_thread()
        finally:
            self._writer.abort()

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """A clean stop (:meth:`close`) at the end of a ``with`` block; on an exception, :meth:`abort`
        (the ``.part`` stays, recoverable)."""
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __repr__(self) -> str:
        return f"Recorder({str(self.path)!r}, {self._n_ch} ch, {self.fs:g} Hz, {self.n_samples} samples)"


def record(source: Source | str, path: str | os.PathLike[str], duration_s: float, *, flush_s: float = 0.25,
           markers: Sequence[tuple[float, str]] = (), progress: Any = None, **source_kw: Any) -> RecordingSummary:
    """Record ``duration_s`` of a source (or a source spec such as ``"sim"``) to ``path``.

    Reads the source in this thread, writes every block, and stops after
    exactly ``round(duration_s * fs)`` samples (gaps included) with a clean
    :meth:`Recorder.close`. ``markers`` are ``(time_s, label)`` pairs placed
    when the recording passes them. ``progress(n_samples, total)`` is called
    after every block when given. A ``KeyboardInterrupt`` stops cleanly with
    what was recorded.
    """
    if isinstance(source, str):
        from myograph.acquire.specs import open_source

        source = open_source(source, **source_kw)
    elif source_kw:
        raise ParameterError("source_kw", "options are for a source spec string, not an opened Source")
    if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
        raise ParameterError("duration_s", f"must be a positive number of seconds, got {duration_s!r}")
    total = int(round(duration_s * source.info.fs))
    todo = sorted((float(t), str(lbl)) for t, lbl in markers)
    rec = Recorder(source.info, path, flush_s=flush_s)
    try:
        with source:
            try:
                while rec.n_samples < total:
                    block = source.read(timeout_s=0.5)
                    if block is None:
                        continue
                    # the block's place in the file (a gap before it counts towards the duration)
                    room = total - max(rec.n_samples, rec.detector.position_of(block.first_sample))
                    if room <= 0:
                        break
                    if block.n_samples > room:
                        block = Block(block.data[:, :room], block.first_sample, block.timestamp_s, block.received_s)
                    rec.write(block)
                    while todo and todo[0][0] * source.info.fs <= rec.n_samples:
                        t, lbl = todo.pop(0)
                        rec.mark(lbl, None)
                    if progress is not None:
                        progress(min(rec.n_samples, total), total)
            except KeyboardInterrupt:
                log.warning("interrupted: stopping cleanly after %d samples", rec.n_samples)
    except BaseException:
        rec.abort()
        raise
    return rec.close()
