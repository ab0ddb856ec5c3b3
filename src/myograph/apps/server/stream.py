"""Per-client live streaming: binary frames, display filters, RMS bars, backpressure.

The acquisition thread hands every :class:`~myograph.acquire.Block` to
:meth:`LiveHub.on_block`, which only appends it to each client's bounded
queue (never blocks, never waits for a socket). Each websocket client has a
:class:`ClientStream` whose sender task, on the event loop, drains that
queue, filters with the client's preset (streaming twins of
:mod:`myograph.signal`, so the live trace is the causal offline filter),
decimates for display when the source is faster than the display needs,
computes per-channel RMS for the bars, and sends binary frames. A client that
cannot keep up loses display frames — counted — and nothing else.

Frame format (all little-endian), version 1
-------------------------------------------
A 28-byte header, then ``n_channels * n_samples`` float32 values, channel-major
(all samples of the first channel, then the next …)::

    offset size  type     field
    0      4     bytes    magic  b"MYOG"
    4      1     uint8    version (1)
    5      1     uint8    frame type: 1 SAMPLES, 2 LEVELS, 3 AUDIO
    6      2     uint16   step: the samples are every step-th source sample (1 = full rate)
    8      8     int64    first_sample: source counter of the first sample
    16     4     uint32   first_channel: index of the first channel carried
    20     4     uint32   n_channels
    24     4     uint32   n_samples
    28     ...   float32  values (µV for channels in volts; SI units for the others)

SAMPLES
    the display stream of all channels, filtered with the client's preset,
    at ``fs / step``;
LEVELS
    one value per channel (``n_samples == 1``): the moving RMS over
    :attr:`ClientStream.rms_window_s` of the filtered signal, ending at
    ``first_sample``;
AUDIO
    only when ``step > 1``: the client's audio channel at the full source rate
    (``first_channel`` is its index), so the audio monitor hears everything the
    amplifier delivers even when the display is decimated.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import numpy as np

from myograph.acquire.source import Block, StreamInfo
from myograph.signal import RMSMeter, StreamingFilter, cascade, design_bandpass, design_highpass, design_notch

__all__ = [
    "FRAME_MAGIC", "FRAME_VERSION", "FRAME_SAMPLES", "FRAME_LEVELS", "FRAME_AUDIO", "HEADER", "Frame",
    "encode_frame", "decode_frame", "FilterSetting", "PRESETS", "design_display_filter", "channel_scales",
    "ClientStream", "LatencyStats", "display_step", "DEFAULT_DISPLAY_MAX_HZ", "PRESET_LABELS",
]

log = logging.getLogger("myograph.apps.server")

FRAME_MAGIC = b"MYOG"
FRAME_VERSION = 1
FRAME_SAMPLES = 1
FRAME_LEVELS = 2
FRAME_AUDIO = 3
#: magic, version, type, step, first_sample, first_channel, n_channels, n_samples
HEADER = struct.Struct("<4sBBHqIII")
assert HEADER.size == 28  # a multiple of 4: the page views the payload as a Float32Array in place


@dataclass(frozen=True)
class Frame:
    """A decoded binary frame (see the module docstring for the layout)."""

    kind: int
    version: int
    step: int
    first_sample: int
    first_channel: int
    data: np.ndarray  # float32, (n_channels, n_samples)

    @property
    def n_channels(self) -> int:
        return self.data.shape[0]

    @property
    def n_samples(self) -> int:
        return self.data.shape[1]


def encode_frame(kind: int, first_sample: int, data: np.ndarray, *, step: int = 1, first_channel: int = 0) -> bytes:
    """One binary frame: the 28-byte header and ``data`` as little-endian float32, channel-major."""
    arr = np.ascontiguousarray(data, dtype="<f4")
    if arr.ndim != 2:
        raise ValueError(f"data must be 2-D (n_channels, n_samples), got shape {arr.shape}")
    header = HEADER.pack(FRAME_MAGIC, FRAME_VERSION, kind, step, int(first_sample), first_channel,
                         arr.shape[0], arr.shape[1])
    return header + arr.tobytes()


def decode_frame(buf: bytes) -> Frame:
    """Parse a frame made by :func:`encode_frame`; ``ValueError`` when it is not one."""
    if len(buf) < HEADER.size:
        raise ValueError(f"frame of {len(buf)} bytes is shorter than the {HEADER.size}-byte header")
    magic, version, kind, step, first, first_ch, n_ch, n_s = HEADER.unpack_from(buf, 0)
    if magic != FRAME_MAGIC:
        raise ValueError(f"bad magic {magic!r}, expected {FRAME_MAGIC!r}")
    if version != FRAME_VERSION:
        raise ValueError(f"frame version {version}, this decoder reads {FRAME_VERSION}")
    expected = HEADER.size + 4 * n_ch * n_s
    if len(buf) != expected:
        raise ValueError(f"frame of {len(buf)} bytes, header says {expected}")
    data = np.frombuffer(buf, dtype="<f4", offset=HEADER.size).reshape(n_ch, n_s)
    return Frame(kind, version, step, first, first_ch, data)


# --------------------------------------------------------------------------------------
# display filters
# --------------------------------------------------------------------------------------
#: preset name -> (low_hz, high_hz) of the band-pass; None = no band-pass
PRESETS: dict[str, tuple[float, float] | None] = {
    "raw": None,
    "surface": (20.0, 450.0),   # SENIAM surface EMG band
    "needle": (10.0, 10000.0),  # needle EMG: 10 Hz – 10 kHz
}
PRESET_LABELS = {"raw": "raw (no filter)", "surface": "surface 20–450 Hz", "needle": "needle 10 Hz–10 kHz"}


@dataclass(frozen=True)
class FilterSetting:
    """A client's display filter: a preset band and the mains notch on/off."""

    preset: str = "raw"
    notch: bool = False


def design_display_filter(setting: FilterSetting, fs: float, line_hz: float) -> tuple[np.ndarray | None, str]:
    """SOS for a preset at ``fs`` (``None`` for raw without notch) and a description of the band used.

    Band edges that do not fit below Nyquist are clipped to 0.45 fs (the needle
    preset on a 2 kHz amplifier becomes 10–921.6 Hz); the description says so.
    """
    parts = []
    notes = []
    band = PRESETS[setting.preset]
    if band is not None:
        low, high = band
        nyq = fs / 2.0
        if high >= 0.95 * nyq:
            high = 0.45 * fs
            notes.append(f"{setting.preset} band clipped to {low:g}–{high:g} Hz (fs {fs:g} Hz)")
        if low < high:
            parts.append(design_bandpass(low, high, fs, order=2))
        else:
            parts.append(design_highpass(low, fs, order=2))
        desc = f"{low:g}–{high:g} Hz"
    else:
        desc = "raw"
    if setting.notch:
        if line_hz < fs / 2:
            parts.append(design_notch(line_hz, fs, quality=30.0))
            desc += f" + notch {line_hz:g} Hz"
        else:
            notes.append(f"notch at {line_hz:g} Hz is above Nyquist: off")
    sos = cascade(*parts) if parts else None
    if notes:
        desc += " (" + "; ".join(notes) + ")"
    return sos, desc


def channel_scales(info: StreamInfo) -> np.ndarray:
    """Display scale per channel: 1e6 for channels in volts (shown in µV), 1 for other units."""
    return np.array([1e6 if c.units == "V" else 1.0 for c in info.channels], dtype=np.float64)


DEFAULT_DISPLAY_MAX_HZ = 5000.0


def display_step(fs: float, display_max_hz: float = DEFAULT_DISPLAY_MAX_HZ) -> int:
    """Decimation factor of the display stream: the smallest ``step`` with ``fs / step <= display_max_hz``."""
    return max(1, int(np.ceil(fs / display_max_hz - 1e-9)))


# --------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------
class LatencyStats:
    """Bounded record of latencies (s) from block receipt to websocket send."""

    def __init__(self, maxlen: int = 20000) -> None:
        self._values: collections.deque[float] = collections.deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def add(self, value_s: float) -> None:
        with self._lock:
            self._values.append(value_s)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def summary(self) -> dict[str, float | int | None]:
        with self._lock:
            vals = np.array(self._values, dtype=float)
        if vals.size == 0:
            return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
        return {"n": int(vals.size), "median_ms": float(np.median(vals) * 1e3),
                "p95_ms": float(np.percentile(vals, 95) * 1e3), "max_ms": float(vals.max() * 1e3)}


# --------------------------------------------------------------------------------------
# one client
# --------------------------------------------------------------------------------------
SendBytes = Callable[[bytes], Awaitable[None]]


def wake_loop(loop: asyncio.AbstractEventLoop | None, event: asyncio.Event | None) -> None:
    """Set ``event`` in ``loop`` from another thread (the acquisition thread); nothing if either is missing
    or the loop is closing (its client is going away)."""
    if loop is None or event is None:
        return
    try:
        loop.call_soon_threadsafe(event.set)
    except RuntimeError:
        pass


class ClientStream:
    """The stream to one websocket client.

    Parameters
    ----------
    info : StreamInfo
        What the source streams.
    line_hz : float
        Mains frequency for the notch, Hz.
    display_max_hz : float
        Highest display rate per channel; faster sources are decimated by
        ``step = ceil(fs / display_max_hz)`` keeping, in each group of ``step``
        samples, the one of largest magnitude (spikes stay visible).
    max_pending_s : float
        Data a client may have waiting before its oldest blocks are dropped
        (display only: the recorder never sees this queue).
    latency, latency_generation : LatencyStats, optional
        Where to record, per block, the time from ``Block.received_s`` (and, for
        sources on the monotonic clock, from the generation of the block's first,
        oldest sample, ``Block.timestamp_s``) to the end of the websocket send.
    frame_interval_s : float
        Least time between two sample frames; blocks arriving faster are
        coalesced into one frame.
    rms_window_s : float
        Window of the RMS bars, s.
    """

    def __init__(self, info: StreamInfo, *, line_hz: float = 50.0, display_max_hz: float = DEFAULT_DISPLAY_MAX_HZ,
                 max_pending_s: float = 0.5, frame_interval_s: float = 0.02, rms_window_s: float = 0.1,
                 levels_interval_s: float = 0.05, latency: LatencyStats | None = None,
                 latency_generation: LatencyStats | None = None) -> None:
        self.info = info
        self.fs = float(info.fs)
        self.n_channels = info.n_channels
        self.line_hz = float(line_hz)
        self.step = display_step(self.fs, display_max_hz)
        self.max_pending_samples = max(1, int(max_pending_s * self.fs))
        self.frame_interval_s = frame_interval_s
        self.levels_interval_s = levels_interval_s
        self.rms_window_s = rms_window_s
        self.scales = channel_scales(info)[:, np.newaxis]
        self.latency = latency if latency is not None else LatencyStats()
        # only for sources whose Block.timestamp_s is on time.monotonic(): from the time the block's
        # first (oldest) sample was generated to the end of its websocket send
        self.latency_generation = latency_generation
        self.audio_channel = 0
        # counters (read by /api/stats and the status messages)
        self.frames_sent = 0
        self.blocks_dropped = 0
        self.samples_dropped = 0
        self.samples_sent = 0
        # queue fed by the acquisition thread
        self._pending: collections.deque[Block] = collections.deque()
        self._pending_samples = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._wake_armed = False
        self._closed = False
        # processing state
        self._carry: tuple[int, np.ndarray] | None = None  # samples of a partial decimation group
        self._levels: tuple[int, np.ndarray] | None = None
        self._next_first = None  # expected first_sample of the next block
        self._last_levels = 0.0
        self.filter_description = "raw"
        self.setting = FilterSetting()
        self._filter: StreamingFilter | None = None
        self._rms = RMSMeter(self.fs, rms_window_s, self.n_channels)
        self.set_filter(FilterSetting())

    # ----- control (event-loop thread) --------------------------------------------------
    def set_filter(self, setting: FilterSetting) -> str:
        """Switch the display filter; returns a description of the band applied."""
        sos, desc = design_display_filter(setting, self.fs, self.line_hz)
        # "mask": a non-finite sample shows as a gap and the filter restarts after it (never raises mid-stream)
        self._filter = None if sos is None else StreamingFilter(sos, self.n_channels, initial="steady", nan_policy="mask")
        self.setting = setting
        self.filter_description = desc
        self._rms.reset()
        log.info("client filter: %s", desc)
        return desc

    def set_audio_channel(self, channel: int) -> None:
        self.audio_channel = int(channel)

    # ----- producer side (acquisition thread) -------------------------------------------
    def offer(self, block: Block) -> None:
        """Queue a block for this client; never blocks. Drops the oldest blocks beyond the limit."""
        if self._closed:
            return
        with self._lock:
            self._pending.append(block)
            self._pending_samples += block.n_samples
            while self._pending_samples > self.max_pending_samples and len(self._pending) > 1:
                old = self._pending.popleft()
                self._pending_samples -= old.n_samples
                self.blocks_dropped += 1
                self.samples_dropped += old.n_samples
            arm = self._loop is not None and not self._wake_armed
            if arm:
                self._wake_armed = True
        if arm:
            wake_loop(self._loop, self._wake)

    def _take(self) -> list[Block]:
        with self._lock:
            blocks = list(self._pending)
            self._pending.clear()
            self._pending_samples = 0
            self._wake_armed = False
        return blocks

    # ----- consumer side (event loop) ----------------------------------------------------
    def frames_for(self, blocks: list[Block], now: float | None = None) -> list[bytes]:
        """Process queued blocks into frames (SAMPLES, AUDIO when decimated, LEVELS when due)."""
        frames: list[bytes] = []
        for first, data in _contiguous_runs(blocks):
            if self._next_first is not None and first != self._next_first:
                self._carry = None  # a gap (dropped or lost blocks): forget the partial decimation group
            self._next_first = first + data.shape[1]
            x = np.asarray(data, dtype=np.float64)
            if self._filter is not None:
                x = self._filter.process(x)
            scaled = x * self.scales
            if self.step == 1:
                frames.append(encode_frame(FRAME_SAMPLES, first, scaled))
            else:
                disp_first, disp = self._decimate(first, scaled)
                if disp.shape[1]:
                    frames.append(encode_frame(FRAME_SAMPLES, disp_first, disp, step=self.step))
                ch = min(max(self.audio_channel, 0), self.n_channels - 1)
                frames.append(encode_frame(FRAME_AUDIO, first, scaled[ch:ch + 1], first_channel=ch))
            self.samples_sent += data.shape[1]
            self._levels = (first + data.shape[1] - 1, self._rms.process(scaled))
        now = time.monotonic() if now is None else now
        if self._levels is not None and blocks and now - self._last_levels >= self.levels_interval_s:
            last, values = self._levels
            frames.append(encode_frame(FRAME_LEVELS, last, values[:, np.newaxis]))
            self._last_levels = now
        return frames

    def _decimate(self, first: int, x: np.ndarray) -> tuple[int, np.ndarray]:
        """Peak-preserving decimation by ``step`` on a grid aligned to the source counter.

        Each display sample stands for source samples ``[k*step, (k+1)*step)`` and
        is the one of largest magnitude among them; a group cut at the end of a
        frame is carried over to the next contiguous one.
        """
        step = self.step
        if self._carry is not None:
            c_first, c = self._carry
            if c_first + c.shape[1] == first:
                first, x = c_first, np.concatenate([c, x], axis=1)
            self._carry = None
        start = (-first) % step  # samples before the first grid point (only after a gap)
        n = (x.shape[1] - start) // step
        end = start + max(n, 0) * step
        if end < x.shape[1]:
            self._carry = (first + end, x[:, end:].copy())
        if n <= 0:
            return first + start, x[:, :0]
        seg = x[:, start:end].reshape(x.shape[0], n, step)
        idx = np.abs(seg).argmax(axis=2)
        out = np.take_along_axis(seg, idx[:, :, np.newaxis], axis=2)[:, :, 0]
        return first + start, out

    async def run(self, send: SendBytes) -> None:
        """Send frames until cancelled or the socket fails."""
        self._wake = asyncio.Event()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            if self._pending:  # blocks offered before the sender started: they had no loop to wake
                self._wake.set()
            self._wake_armed = bool(self._pending)
        last_send = 0.0
        try:
            while not self._closed:
                await self._wake.wait()
                self._wake.clear()
                wait = self.frame_interval_s - (time.monotonic() - last_send)
                if wait > 0:
                    await asyncio.sleep(wait)
                blocks = self._take()
                if not blocks:
                    continue
                try:
                    frames = self.frames_for(blocks)
                except Exception:  # a malformed block must not end this client's stream
                    log.exception("client stream: could not make frames; %d block(s) skipped", len(blocks))
                    self.blocks_dropped += len(blocks)
                    self.samples_dropped += sum(b.n_samples for b in blocks)
                    self._next_first = None
                    continue
                for f in frames:
                    await send(f)
                    self.frames_sent += 1
                last_send = time.monotonic()
                for b in blocks:
                    self.latency.add(last_send - b.received_s)
                    if self.latency_generation is not None:
                        self.latency_generation.add(last_send - b.timestamp_s)
        finally:
            self._closed = True

    def close(self) -> None:
        self._closed = True
        wake_loop(self._loop, self._wake)

    def stats(self) -> dict[str, Any]:
        return {"frames_sent": self.frames_sent, "blocks_dropped": self.blocks_dropped,
                "samples_dropped": self.samples_dropped, "samples_sent": self.samples_sent,
                "filter": self.filter_description, "step": self.step, "audio_channel": self.audio_channel}


def _contiguous_runs(blocks: list[Block]):
    """Yield ``(first_sample, data)`` for runs of consecutive blocks (split at gaps)."""
    run: list[np.ndarray] = []
    run_first = None
    expected = None
    for b in blocks:
        if b.n_samples == 0:
            continue
        if run and b.first_sample != expected:
            yield run_first, (run[0] if len(run) == 1 else np.concatenate(run, axis=1))
            run = []
        if not run:
            run_first = b.first_sample
        run.append(b.data)
        expected = b.first_sample + b.n_samples
    if run:
        yield run_first, (run[0] if len(run) == 1 else np.concatenate(run, axis=1))
