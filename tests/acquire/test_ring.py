"""The ring buffer: the producer never blocks, overflow is counted exactly, reads are never torn."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from myograph.acquire import RingBuffer
from myograph.core.errors import ParameterError


def ramp(start: int, n: int, n_ch: int = 2) -> np.ndarray:
    """Samples whose value is their own position (channel c holds position + c * 1e9)."""
    pos = np.arange(start, start + n, dtype=np.float64)
    return np.vstack([pos + c * 1e9 for c in range(n_ch)])


def test_a_reader_that_never_reads_does_not_hold_the_producer_back():
    ring = RingBuffer(2, 1000)
    t0 = time.perf_counter()
    for k in range(2000):
        ring.write(ramp(k * 64, 64))
    elapsed = time.perf_counter() - t0
    assert ring.samples_written == 128_000 and ring.head == 128_000
    assert elapsed < 5.0  # nothing waits for a reader (generous: a timing sanity bound, not a benchmark)
    data, first = ring.read()
    assert first == 128_000 - 1000 and data.shape == (2, 1000)
    assert np.array_equal(data, ramp(first, 1000))
    assert ring.overflow_samples == 127_000


def test_overflow_is_counted_exactly_and_the_reader_sees_where_it_resumes():
    ring = RingBuffer(2, 100)
    ring.write(ramp(0, 60))
    d, f = ring.read()
    assert (f, d.shape[1], ring.overflow_samples) == (0, 60, 0)
    ring.write(ramp(60, 130))  # 190 written; the reader is at 60; 90 .. 189 are held
    d, f = ring.read()
    assert f == 90 and d.shape[1] == 100 and ring.overflow_samples == 30
    assert np.array_equal(d, ramp(90, 100))
    ring.write(ramp(190, 7))
    d, f = ring.read()
    assert (f, d.shape[1], ring.overflow_samples) == (190, 7, 30)
    d, f = ring.read()
    assert (f, d.shape[1]) == (197, 0)


def test_reads_across_the_wrap_come_back_in_order():
    ring = RingBuffer(3, 50)
    pos = 0
    for n in (13, 29, 31, 7, 50, 3):
        ring.write(ramp(pos, n, 3))
        pos += n
        d, f = ring.read()
        assert f == pos - n and np.array_equal(d, ramp(f, n, 3))
    d, f = ring.latest(20)
    assert f == pos - 20 and np.array_equal(d, ramp(f, 20, 3))


def test_max_samples_reads_the_oldest_first():
    ring = RingBuffer(2, 100)
    ring.write(ramp(0, 80))
    d, f = ring.read(max_samples=30)
    assert (f, d.shape[1]) == (0, 30)
    d, f = ring.read(max_samples=100)
    assert (f, d.shape[1]) == (30, 50)


def test_a_counter_jump_reads_back_as_nan_never_interpolated():
    ring = RingBuffer(2, 100, dtype=np.float32)
    ring.write(ramp(0, 10))
    ring.write(ramp(25, 10), first_sample=25)
    d, f = ring.read()
    assert f == 0 and d.shape[1] == 35 and ring.gap_samples == 15
    assert np.all(np.isnan(d[:, 10:25])) and not np.any(np.isnan(d[:, :10])) and not np.any(np.isnan(d[:, 25:]))
    with pytest.raises(ParameterError, match="first_sample"):
        ring.write(ramp(0, 5), first_sample=3)


def test_the_first_write_may_start_anywhere_on_the_counter():
    ring = RingBuffer(1, 10)
    ring.write(np.ones((1, 4)), first_sample=1000)
    d, f = ring.read()
    assert (f, d.shape[1], ring.overflow_samples) == (1000, 4, 0)


def test_a_reader_racing_the_producer_never_gets_a_torn_copy_and_loses_only_what_it_counts():
    ring = RingBuffer(2, 256)
    total = 200_000
    done = threading.Event()

    def produce():
        pos = 0
        while pos < total:
            n = min(37, total - pos)
            ring.write(ramp(pos, n))
            pos += n
        done.set()

    received = 0
    t = threading.Thread(target=produce)
    t.start()
    try:
        while True:
            finished = done.is_set()
            d, f = ring.read()
            if d.shape[1]:
                assert np.array_equal(d, ramp(f, d.shape[1]))  # every sample is the one written at its position
                received += d.shape[1]
            if finished and not d.shape[1]:
                break
    finally:
        t.join()
    assert received + ring.overflow_samples == total


def test_bad_shapes_are_refused():
    with pytest.raises(ParameterError, match="capacity_samples"):
        RingBuffer(2, 0)
    ring = RingBuffer(2, 10)
    with pytest.raises(ParameterError, match="data"):
        ring.write(np.zeros((3, 4)))
