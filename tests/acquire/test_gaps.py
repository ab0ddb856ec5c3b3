"""Gap detection from counters and timestamps, with exact counts."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.acquire import Block, GapDetector

FS = 1000.0


def blk(first: int, n: int, ts: float) -> Block:
    return Block(np.zeros((1, n)), first, ts, 0.0)


def feed_all(det: GapDetector, blocks) -> list:
    out = []
    for b in blocks:
        out += det.feed(b)
    return out


def test_a_counter_jump_is_a_gap_of_exactly_the_missing_samples():
    det = GapDetector(FS)
    blocks = [blk(100, 50, 10.0), blk(150, 50, 10.05), blk(237, 50, 10.137), blk(287, 13, 10.187)]
    gaps = feed_all(det, blocks)
    assert len(gaps) == 1
    g = gaps[0]
    assert (g.start_sample, g.n_missing, g.kind) == (100, 37, "counter")  # positions start at 0 with the first block
    assert g.start_s == pytest.approx(0.1) and g.duration_s == pytest.approx(0.037)
    assert g.timestamp_s == pytest.approx(10.1)
    assert det.missing_samples == 37 and not det.clock_steps
    assert det.last_position == 187 and det.next_position == 200
    ann = det.to_annotations()
    assert list(ann.label) == ["BAD_gap"] and ann.onset[0] == pytest.approx(0.1) and ann.duration[0] == pytest.approx(0.037)


def test_several_counter_gaps_are_each_counted():
    det = GapDetector(FS)
    firsts = [0, 10, 25, 35, 100, 110]
    feed_all(det, [blk(f, 10, f / FS) for f in firsts])
    assert [(g.start_sample, g.n_missing) for g in det.gaps] == [(20, 5), (45, 55)]
    assert det.missing_samples == 60


def test_without_a_counter_a_timestamp_jump_is_a_gap_and_later_positions_move_on():
    det = GapDetector(FS, counter=False)
    # samples 0-99 arrive, then 40 samples are lost (the clock jumps by 40 ms), counting only what arrived
    gaps = feed_all(det, [blk(0, 50, 5.0), blk(50, 50, 5.05), blk(100, 50, 5.14), blk(150, 50, 5.19)])
    assert [(g.start_sample, g.n_missing, g.kind) for g in gaps] == [(100, 40, "timestamp")]
    assert det.last_position == 190  # the last block sits after the gap on the time axis
    assert det.position_of(150) == 190


def test_with_a_counter_a_timestamp_jump_is_a_clock_step_not_a_gap():
    det = GapDetector(FS)
    feed_all(det, [blk(0, 50, 5.0), blk(50, 50, 5.05), blk(100, 50, 7.10), blk(150, 50, 7.15)])
    assert not det.gaps
    assert len(det.clock_steps) == 1
    c = det.clock_steps[0]
    assert c.sample == 100 and c.step_s == pytest.approx(2.0) and c.kind == "clock"
    assert "clock_step" in det.to_annotations(clock_steps=True).label[0]
    assert len(det.to_annotations()) == 0


def test_jitter_within_the_tolerance_and_slow_drift_are_not_gaps():
    det = GapDetector(FS, counter=False)
    rng = np.random.default_rng(0)
    ts, blocks = 0.0, []
    for k in range(2000):  # 100 s at a clock 200 ppm fast, with ±0.5 sample jitter per block
        blocks.append(blk(k * 50, 50, ts + rng.uniform(-0.5, 0.5) / FS / 2))
        ts += 50 / FS * (1 + 200e-6)
    assert not feed_all(det, blocks)
    assert not det.clock_steps


def test_a_counter_that_goes_backwards_keeps_the_time_axis_monotonic():
    det = GapDetector(FS)
    feed_all(det, [blk(500, 50, float("nan")), blk(550, 50, float("nan")), blk(0, 50, float("nan"))])
    assert not det.gaps
    assert det.last_position == 100
    assert det.clock_steps[0].kind == "counter_reset"


def test_nan_timestamps_are_ignored():
    det = GapDetector(FS, counter=False)
    assert not feed_all(det, [blk(0, 10, float("nan")), blk(10, 10, float("nan"))])
