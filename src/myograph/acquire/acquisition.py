"""One acquisition thread per source: pull blocks, fan them out, measure latency.

:class:`Acquisition` is what the server and the online controller use. Its
thread calls :meth:`Source.read <myograph.acquire.source.Source.read>` in a
loop and hands every block to each subscriber in turn — ring buffers (the
scope), a :class:`~myograph.acquire.recorder.Recorder` (use
``background=True`` so the disk never holds the thread up), any callable.
Subscribers must return quickly; one that raises is logged and counted, and
the others go on receiving. Gaps are tracked by a
:class:`~myograph.acquire.gaps.GapDetector` of the acquisition's own.

Latency is measured per block from ``Block.received_s`` (when the source had
the block in this process) to the end of the fan-out, and — for sources whose
clock is this process's ``time.monotonic`` (the simulated amplifier in real
time) — from the time the block's last sample was due.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from myograph.acquire.gaps import GapDetector
from myograph.acquire.ring import RingBuffer
from myograph.acquire.source import Block, Source
from myograph.core.errors import ParameterError

__all__ = ["Acquisition", "LatencySummary"]

log = logging.getLogger("myograph.acquire")

Subscriber = Callable[[Block], None]


@dataclass(frozen=True)
class LatencySummary:
    """Latency over the recent blocks, s (``nan`` when unmeasured)."""

    n_blocks: int
    fanout_median_s: float
    fanout_max_s: float
    source_median_s: float
    source_max_s: float


class Acquisition:
    """Pull a source in a thread and fan its blocks out to subscribers.

    Parameters
    ----------
    source : Source
        Not yet started; :meth:`start` starts it and :meth:`stop` stops it.
    read_timeout_s : float, default 0.1
        How long one ``read`` may wait (also how quickly :meth:`stop` is noticed).
    latency_window : int, default 1000
        Blocks kept for the latency statistics.

    Attributes
    ----------
    blocks, samples : int
        Blocks and samples received.
    errors : dict
        Exceptions raised per subscriber (by ``repr``), counted.
    gaps : GapDetector
        Gaps and clock steps seen in the stream.

    Examples
    --------
    >>> acq = Acquisition(open_source("sim"))            # doctest: +SKIP
    >>> scope = acq.add_ring(10.0)                        # the last 10 s, for display
    >>> rec = Recorder(acq.info, "trial.bdf", background=True)
    >>> acq.subscribe(rec.write)
    >>> with acq:
    ...     time.sleep(5)
    >>> rec.close()
    """

    def __init__(self, source: Source, *, read_timeout_s: float = 0.1, latency_window: int = 1000) -> None:
        if not isinstance(source, Source):
            raise ParameterError("source", f"must be a Source, got {type(source).__name__}")
        self.source = source
        self.info = source.info
        self.read_timeout_s = float(read_timeout_s)
        self._subs: list[Subscriber] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.blocks = 0
        self.samples = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.gaps = GapDetector(self.info.fs, counter=self.info.has_counter)
        self._fanout: collections.deque[float] = collections.deque(maxlen=int(latency_window))
        self._source_lat: collections.deque[float] = collections.deque(maxlen=int(latency_window))
        # sources whose Block.timestamp_s is on this process's time.monotonic() clock say so
        self._monotonic_clock = bool(getattr(source, "clock_is_monotonic", False))
        self.error: BaseException | None = None
        self._progress = threading.Condition()

    # ------------------------------------------------------------------ subscribers
    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Hand every block to ``fn`` (from the acquisition thread); returns a function that unsubscribes."""
        if not callable(fn):
            raise ParameterError("fn", f"must be callable, got {type(fn).__name__}")
        with self._lock:
            self._subs.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subs:
                    self._subs.remove(fn)

        return unsubscribe

    def add_ring(self, capacity_s: float, *, dtype: type = np.float64) -> RingBuffer:
        """A ring buffer of the last ``capacity_s`` seconds, fed with every block (gaps read back as NaN)."""
        ring = RingBuffer(self.info.n_channels, max(1, int(round(capacity_s * self.info.fs))), dtype=dtype)
        self.subscribe(lambda b: ring.write(b.data, self.gaps.last_position))
        return ring

    # ------------------------------------------------------------------ thread
    def start(self) -> None:
        """Start the source and the acquisition thread."""
        if self._thread is not None:
            raise ParameterError("acquisition", "is already started")
        self.source.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"myograph-acquisition-{self.info.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then the source (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0 + self.read_timeout_s)
            self._thread = None
        self.source.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                block = self.source.read(timeout_s=self.read_timeout_s)
                if block is None:
                    continue
                self.gaps.feed(block)
                with self._lock:
                    subs = list(self._subs)
                for fn in subs:
                    try:
                        fn(block)
                    except Exception as exc:  # one bad subscriber must not stop the others
                        key = repr(exc)
                        if not self.errors[key]:
                            log.exception("acquisition subscriber %r failed", fn)
                        self.errors[key] += 1
                now = time.monotonic()
                self._fanout.append(now - block.received_s)
                if self._monotonic_clock:
                    self._source_lat.append(block.received_s - (block.timestamp_s + block.n_samples / self.info.fs))
                with self._progress:
                    self.blocks += 1
                    self.samples += block.n_samples
                    self._progress.notify_all()
        except BaseException as exc:
            log.exception("acquisition of %s failed", self.info.name)
            self.error = exc
            with self._progress:
                self._progress.notify_all()

    def wait_samples(self, n_samples: int, timeout_s: float | None = None) -> bool:
        """Block the caller until ``n_samples`` have been received (``False`` on timeout or failure)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._progress:
            while self.samples < n_samples:
                if self.error is not None or (self._thread is None):
                    return False
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._progress.wait(timeout=0.5 if left is None else min(left, 0.5))
        return True

    def latency(self) -> LatencySummary:
        """Median and largest latency over the recent blocks."""
        f = np.array(self._fanout)
        s = np.array(self._source_lat)
        nan = float("nan")
        return LatencySummary(int(f.size), float(np.median(f)) if f.size else nan, float(f.max()) if f.size else nan,
                              float(np.median(s)) if s.size else nan, float(s.max()) if s.size else nan)

    def __enter__(self) -> "Acquisition":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Acquisition({self.info.name}, {self.blocks} blocks, {self.samples} samples, running={self.running})"
