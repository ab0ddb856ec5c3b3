"""Binary frames, display filters, decimation, RMS bars and backpressure of one client stream."""

from __future__ import annotations

import struct
import threading
import time

import numpy as np
import pytest
import scipy.signal as sps

from myograph.acquire.source import Block
from myograph.apps.server.stream import (
    FRAME_AUDIO,
    FRAME_LEVELS,
    FRAME_SAMPLES,
    HEADER,
    ClientStream,
    FilterSetting,
    decode_frame,
    design_display_filter,
    display_step,
    encode_frame,
)
from myograph.core.channels import Channel, ChannelTable
from myograph.acquire.source import StreamInfo


def info(n_channels: int = 3, fs: float = 2048.0) -> StreamInfo:
    chans = ChannelTable([Channel(f"ch{i}", muscle="biceps_brachii") for i in range(n_channels - 1)]
                         + [Channel("force", type="FORCE", units="N")])
    return StreamInfo("test", fs, chans)


def blocks_of(x: np.ndarray, sizes: list[int], start: int = 0) -> list[Block]:
    out, pos = [], 0
    for n in sizes:
        out.append(Block(x[:, pos:pos + n], start + pos, np.nan, time.monotonic()))
        pos += n
    return out


def test_a_frame_round_trips_its_header_and_float32_samples():
    data = np.arange(12, dtype=float).reshape(3, 4) - 5.5
    f = decode_frame(encode_frame(FRAME_SAMPLES, 2 ** 40 + 3, data, step=4, first_channel=2))
    assert (f.kind, f.version, f.step, f.first_sample, f.first_channel) == (FRAME_SAMPLES, 1, 4, 2 ** 40 + 3, 2)
    assert f.data.dtype == np.dtype("<f4")
    np.testing.assert_array_equal(f.data, data.astype(np.float32))


def test_the_header_is_28_little_endian_bytes_in_the_documented_order():
    buf = encode_frame(FRAME_LEVELS, 258, np.ones((2, 1)), step=3, first_channel=1)
    assert HEADER.size == 28 and len(buf) == 28 + 2 * 4
    assert buf[:4] == b"MYOG" and buf[4] == 1 and buf[5] == FRAME_LEVELS
    assert struct.unpack("<H", buf[6:8])[0] == 3
    assert struct.unpack("<q", buf[8:16])[0] == 258
    assert struct.unpack("<III", buf[16:28]) == (1, 2, 1)
    assert struct.unpack("<2f", buf[28:]) == (1.0, 1.0)


@pytest.mark.parametrize("mangle, message", [
    (lambda b: b[:10], "shorter than"),
    (lambda b: b"XXXX" + b[4:], "magic"),
    (lambda b: b[:4] + b"\x02" + b[5:], "version"),
    (lambda b: b + b"\x00\x00\x00\x00", "header says"),
])
def test_decoding_refuses_a_short_foreign_future_or_truncated_frame(mangle, message):
    good = encode_frame(FRAME_SAMPLES, 0, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=message):
        decode_frame(mangle(good))


def test_volts_are_sent_in_microvolts_and_other_units_unchanged():
    cs = ClientStream(info(), frame_interval_s=0)
    x = np.vstack([np.full((2, 64), 1e-3), np.full((1, 64), 5.0)])
    frames = [decode_frame(f) for f in cs.frames_for(blocks_of(x, [64]))]
    samples = next(f for f in frames if f.kind == FRAME_SAMPLES)
    np.testing.assert_allclose(samples.data[:, 0], [1000.0, 1000.0, 5.0], rtol=1e-6)


@pytest.mark.parametrize("preset, notch", [("surface", False), ("surface", True), ("needle", True), ("raw", True)])
def test_the_live_trace_is_the_causal_offline_filter_over_any_block_sizes(preset, notch):
    fs = 2048.0
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1e-4, size=(3, 2000)) + 2e-4
    cs = ClientStream(info(fs=fs), frame_interval_s=0)
    cs.set_filter(FilterSetting(preset, notch))
    sizes = [1, 63, 64, 500, 7, 1365]
    got = np.concatenate([decode_frame(f).data for f in cs.frames_for(blocks_of(x, sizes))
                          if decode_frame(f).kind == FRAME_SAMPLES], axis=1)
    sos, _ = design_display_filter(FilterSetting(preset, notch), fs, 50.0)
    zi = sps.sosfilt_zi(sos)[:, None, :] * x[:, 0][None, :, None]  # the stream starts at steady state
    ref = sps.sosfilt(sos, x, axis=-1, zi=zi)[0] * np.array([[1e6], [1e6], [1.0]])
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-3)


def test_the_needle_band_is_clipped_below_nyquist_and_says_so():
    sos, desc = design_display_filter(FilterSetting("needle"), 2048.0, 50.0)
    assert sos is not None and "10–921.6 Hz" in desc and "clipped" in desc
    assert design_display_filter(FilterSetting("raw"), 2048.0, 50.0) == (None, "raw")


def test_decimation_keeps_the_largest_magnitude_sample_of_each_group_across_frame_boundaries():
    fs = 20000.0
    assert display_step(fs) == 4 and display_step(2048.0) == 1
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1e-4, size=(3, 4003))
    cs = ClientStream(info(fs=fs), frame_interval_s=0)
    cs.set_audio_channel(1)
    frames = [decode_frame(f) for f in cs.frames_for(blocks_of(x, [625, 3, 1, 1374, 2000]))]
    disp = [f for f in frames if f.kind == FRAME_SAMPLES]
    audio = [f for f in frames if f.kind == FRAME_AUDIO]
    # display: contiguous on the step grid, each the extreme of its group of 4
    assert all(f.step == 4 and f.first_sample % 4 == 0 for f in disp)
    firsts = [f.first_sample for f in disp]
    assert firsts == sorted(firsts)
    d = np.concatenate([f.data for f in disp], axis=1)
    assert d.shape[1] == 4000 // 4
    groups = (x[:, :4000] * np.array([[1e6], [1e6], [1.0]])).reshape(3, -1, 4)
    ref = np.take_along_axis(groups, np.abs(groups).argmax(axis=2)[:, :, None], axis=2)[:, :, 0]
    np.testing.assert_allclose(d, ref, rtol=1e-6)
    # audio: the selected channel at the full rate
    a = np.concatenate([f.data for f in audio], axis=1)
    assert all(f.first_channel == 1 and f.step == 1 for f in audio)
    np.testing.assert_allclose(a[0], x[1] * 1e6, rtol=1e-6)


def test_levels_are_the_trailing_rms_of_the_filtered_signal_in_microvolts():
    fs = 2048.0
    t = np.arange(4096) / fs
    x = np.vstack([100e-6 * np.sqrt(2) * np.sin(2 * np.pi * 100 * t), np.zeros_like(t), np.zeros_like(t)])
    cs = ClientStream(info(fs=fs), frame_interval_s=0, rms_window_s=0.1)
    levels = [decode_frame(f) for f in cs.frames_for(blocks_of(x, [4096])) if decode_frame(f).kind == FRAME_LEVELS]
    assert len(levels) == 1 and levels[0].first_sample == 4095 and levels[0].n_samples == 1
    np.testing.assert_allclose(levels[0].data[:, 0], [100.0, 0.0, 0.0], atol=0.5)


def test_a_gap_in_the_counter_starts_a_new_frame_at_the_first_sample_after_it():
    x = np.zeros((3, 300))
    bl = blocks_of(x[:, :100], [100]) + blocks_of(x[:, 100:], [200], start=1000)
    cs = ClientStream(info(), frame_interval_s=0)
    firsts = [(f.first_sample, f.n_samples) for f in map(decode_frame, cs.frames_for(bl)) if f.kind == FRAME_SAMPLES]
    assert firsts == [(0, 100), (1000, 200)]


def test_a_slow_client_loses_its_oldest_blocks_counted_and_the_producer_never_waits():
    fs = 2048.0
    cs = ClientStream(info(fs=fs), max_pending_s=0.5)
    x = np.zeros((3, 64))
    t0 = time.perf_counter()
    for k in range(200):  # 200 blocks of 64 = 6.25 s of data, nobody consuming
        cs.offer(Block(x, 64 * k, np.nan, time.monotonic()))
    assert time.perf_counter() - t0 < 1.0
    kept = cs._take()
    assert sum(b.n_samples for b in kept) <= int(0.5 * fs)
    assert cs.blocks_dropped == 200 - len(kept) and cs.samples_dropped == 64 * cs.blocks_dropped
    assert kept[-1].first_sample == 64 * 199  # the newest survive


def test_offering_blocks_from_another_thread_wakes_the_sender():
    import asyncio

    cs = ClientStream(info(), frame_interval_s=0)
    got: list[bytes] = []

    async def main():
        async def send(b: bytes) -> None:
            got.append(b)

        task = asyncio.create_task(cs.run(send))
        await asyncio.sleep(0.05)
        th = threading.Thread(target=lambda: [cs.offer(b) for b in blocks_of(np.zeros((3, 256)), [64] * 4)])
        th.start()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if sum(decode_frame(f).n_samples for f in got if decode_frame(f).kind == FRAME_SAMPLES) >= 256:
                break
        th.join()
        cs.close()
        task.cancel()

    asyncio.run(main())
    assert sum(decode_frame(f).n_samples for f in got if decode_frame(f).kind == FRAME_SAMPLES) == 256
    assert cs.latency.summary()["n"] == 4


def test_blocks_offered_before_the_sender_starts_are_still_sent():
    import asyncio

    cs = ClientStream(info(), frame_interval_s=0)
    for b in blocks_of(np.zeros((3, 128)), [64, 64]):
        cs.offer(b)  # no event loop yet
    got: list[bytes] = []

    async def main():
        async def send(b: bytes) -> None:
            got.append(b)

        task = asyncio.create_task(cs.run(send))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if got:
                break
        cs.offer(blocks_of(np.zeros((3, 64)), [64], start=128)[0])  # and later ones wake it too
        for _ in range(100):
            await asyncio.sleep(0.01)
            if sum(decode_frame(f).n_samples for f in got if decode_frame(f).kind == FRAME_SAMPLES) >= 192:
                break
        cs.close()
        task.cancel()

    asyncio.run(main())
    assert sum(decode_frame(f).n_samples for f in got if decode_frame(f).kind == FRAME_SAMPLES) == 192


def test_the_rms_bars_equal_the_libraries_streaming_moving_rms_over_any_blocks():
    from myograph.signal import RMSMeter, StreamingMovingRMS

    rng = np.random.default_rng(3)
    x = rng.normal(0, 50, size=(5, 3000))
    ours, ref = RMSMeter(2048.0, 0.1, 5), StreamingMovingRMS(2048.0, 0.1, 5)
    assert ours.window == ref.window == 205
    pos = 0
    for n in [300, 1, 64, 7, 1000, 204, 1424]:
        got = ours.process(x[:, pos:pos + n])
        want = ref.process(x[:, pos:pos + n])[:, -1]
        pos += n
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_non_finite_samples_show_as_a_gap_and_the_stream_goes_on():
    x = np.random.default_rng(4).normal(0, 1e-4, size=(3, 512))
    x[1, 100:110] = np.nan
    cs = ClientStream(info(), frame_interval_s=0)
    cs.set_filter(FilterSetting("surface", True))
    frames = [decode_frame(f) for f in cs.frames_for(blocks_of(x, [64] * 8))]
    d = np.concatenate([f.data for f in frames if f.kind == FRAME_SAMPLES], axis=1)
    assert d.shape == (3, 512)
    assert np.isnan(d[1, 100:110]).all() and np.isfinite(d[1, 110:]).all() and np.isfinite(d[[0, 2]]).all()
