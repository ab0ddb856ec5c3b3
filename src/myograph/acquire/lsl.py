"""Lab Streaming Layer: an inlet source and an outlet that republishes any source.

:class:`LSLInlet` resolves a stream by name, type, source id or host name (with
a timeout), reads its channel labels, types and units from the stream's
``desc/channels`` (XDF meta-data conventions; voltages become volts) and pulls
chunks as :class:`~myograph.acquire.source.Block`\\ s:

* ``Block.timestamp_s`` is the first sample's **raw** LSL timestamp, in the
  sender's clock, exactly as received;
* the clock offsets from ``time_correction()`` (sender → this machine) are kept
  apart in :attr:`LSLInlet.offsets` as ``(local_clock_s, offset_s)`` pairs,
  refreshed every ``time_correction_s``; add the latest to a raw timestamp for
  local time;
* dejittering is optional (``dejitter=True``): an exponentially weighted
  linear fit of timestamp against sample count (half-life ``dejitter_halflife_s``)
  gives smoothed first-sample times in :attr:`LSLInlet.dejittered`, again
  without touching the raw timestamps.

LSL carries no sample counter, so the inlet's ``first_sample`` counts samples
received (``StreamInfo.has_counter`` is False) and gaps are found from the
timestamps (:class:`~myograph.acquire.gaps.GapDetector` with ``counter=False``).

:class:`LSLOutlet` publishes a source's blocks as an LSL stream of type ``EMG``
in µV (``float32``, unit ``microvolts``, as EEG/EMG streams usually are), with
the channel table in ``desc/channels``. The source's timestamps are mapped
onto the LSL clock with one constant offset fixed at the first block, so the
sample spacing, the source's gaps (its timestamps jump over them) and any clock
steps reach the inlet as they were; a source without a clock is stamped on
arrival. Use it as a subscriber: ``acq.subscribe(outlet.push)``.
"""

from __future__ import annotations

import collections
import logging
import math
import time
from typing import Any

import numpy as np

from myograph.acquire.source import Block, Source, StreamInfo
from myograph.core.channels import CHANNEL_TYPES, Channel, ChannelTable
from myograph.core.errors import ParameterError
from myograph.core.metadata import Device, Metadata
from myograph.core.units import is_voltage, scale_to_si

__all__ = ["LSLInlet", "LSLOutlet"]

log = logging.getLogger("myograph.acquire")


def _pylsl():
    try:
        import pylsl
    except ImportError:  # pragma: no cover - the extra is installed in the test environment
        raise ImportError("LSL sources need the pylsl package: pip install 'myograph[acquire]'") from None
    return pylsl


def _channels_from_desc(info: Any, stream_type: str) -> tuple[list[Channel], np.ndarray]:
    """Channels and the factor to SI of each, from ``desc/channels/channel`` (label, type, unit)."""
    n = info.channel_count()
    labels, types, units = [""] * n, [""] * n, [""] * n
    ch = info.desc().child("channels").child("channel")
    i = 0
    while not ch.empty() and i < n:
        labels[i] = ch.child_value("label")
        types[i] = ch.child_value("type")
        units[i] = ch.child_value("unit")
        ch = ch.next_sibling("channel")
        i += 1
    default_type = stream_type.upper() if stream_type.upper() in CHANNEL_TYPES else "EMG"
    out, factors, seen = [], np.ones(n), set()
    for k in range(n):
        name = labels[k].strip() or f"ch{k + 1}"
        base, j = name, 2
        while name in seen:
            name, j = f"{base}-{j}", j + 1
        seen.add(name)
        ctype = types[k].strip().upper()
        ctype = ctype if ctype in CHANNEL_TYPES else default_type
        if units[k].strip():
            si, factor = scale_to_si(units[k])
        elif ctype == "EMG":  # LSL EXG streams without units are in microvolts by convention
            si, factor = "V", 1e-6
        else:
            si, factor = "", 1.0
        factors[k] = factor
        out.append(Channel(name, type=ctype, units=si or "a.u.", description="LSL channel"))
    return out, factors


class LSLInlet(Source):
    """An LSL stream as a :class:`~myograph.acquire.source.Source`.

    Parameters
    ----------
    name, type, source_id, hostname : str, optional
        The property to resolve by (exactly one).
    timeout_s : float, default 5.0
        How long to look for the stream, s.
    max_buflen_s : int, default 360
        LSL's buffer for this inlet, s.
    max_chunk : int, optional
        Largest block, samples (default 1/16 s worth, at least 32).
    time_correction_s : float, default 5.0
        Interval between clock-offset measurements, s.
    dejitter : bool, default False
        Also compute smoothed first-sample times (:attr:`dejittered`).
    dejitter_halflife_s : float, default 90
        Memory of the dejittering fit, s.
    """

    def __init__(self, name: str | None = None, type: str | None = None, source_id: str | None = None,  # noqa: A002
                 hostname: str | None = None, *, timeout_s: float = 5.0, max_buflen_s: int = 360,
                 max_chunk: int | None = None, time_correction_s: float = 5.0, dejitter: bool = False,
                 dejitter_halflife_s: float = 90.0) -> None:
        pylsl = _pylsl()
        given = {k: v for k, v in (("name", name), ("type", type), ("source_id", source_id), ("hostname", hostname))
                 if v is not None}
        if len(given) != 1:
            raise ParameterError("source", f"resolve an LSL stream by exactly one of name, type, source_id, hostname; got {given}")
        (prop, value), = given.items()
        found = pylsl.resolve_byprop(prop, str(value), 1, float(timeout_s))
        if not found:
            raise ParameterError("source", f"no LSL stream with {prop}={value!r} found within {timeout_s:g} s")
        if len(found) > 1:
            log.warning("%d LSL streams have %s=%r; using the first", len(found), prop, value)
        self._resolved = found[0]
        self._buflen = int(max_buflen_s)
        inlet = pylsl.StreamInlet(self._resolved, max_buflen=self._buflen, max_chunklen=0, recover=True)
        full = inlet.info(timeout=float(timeout_s))
        fs = float(full.nominal_srate())
        if not fs > 0:
            raise ParameterError("source", f"LSL stream {full.name()!r} has an irregular rate; myograph needs a nominal rate")
        channels, self._factors = _channels_from_desc(full, full.type())
        desc = full.desc()
        maker = desc.child("acquisition").child_value("manufacturer")
        model = desc.child("acquisition").child_value("model")
        meta = Metadata(device=Device(manufacturer=maker, model=model or full.name(), serial=full.source_id(),
                                      software=f"LSL {pylsl.library_version()}"),
                        notes=(f"LSL stream {full.name()!r} type {full.type()!r} from {full.hostname()}",))
        self.info = StreamInfo(f"lsl:{full.name()}", fs, ChannelTable(channels), meta, physical_range=None,
                               has_counter=False)
        self.fs = fs
        self.max_chunk = int(max_chunk) if max_chunk else max(32, int(fs / 16))
        self.time_correction_s = float(time_correction_s)
        self.dejitter = bool(dejitter)
        self._halflife = float(dejitter_halflife_s)
        #: (local_clock_s, offset_s) from time_correction(): sender clock + offset = this machine's LSL clock
        self.offsets: collections.deque[tuple[float, float]] = collections.deque(maxlen=100_000)
        #: (first_sample, dejittered first-sample time in the sender's clock), with dejitter=True
        self.dejittered: collections.deque[tuple[int, float]] = collections.deque(maxlen=100_000)
        self._inlet = inlet
        self._ready: collections.deque[Block] = collections.deque()
        self._opened = False
        self._count = 0
        self._next_tc = 0.0
        self._fit = np.zeros(5)  # weighted sums: w, wk, wkk, wt, wkt (k relative to the first sample)
        self._t_ref: float | None = None

    # ------------------------------------------------------------------ Source
    def start(self) -> None:
        """Open the stream (and measure the clock offset once)."""
        if self._opened:
            return
        pylsl = _pylsl()
        if self._inlet is None:
            self._inlet = pylsl.StreamInlet(self._resolved, max_buflen=self._buflen, max_chunklen=0, recover=True)
        self._inlet.open_stream(timeout=5.0)
        self._opened = True
        self._count = 0
        self._ready.clear()
        self._measure_offset(timeout=2.0)

    def _measure_offset(self, timeout: float) -> None:
        pylsl = _pylsl()
        try:
            off = float(self._inlet.time_correction(timeout=timeout))
        except Exception as exc:  # a timeout must not stop acquisition
            log.warning("LSL time_correction failed: %s", exc)
            off = math.nan
        now = pylsl.local_clock()
        if math.isfinite(off):
            self.offsets.append((now, off))
        self._next_tc = now + self.time_correction_s

    def read(self, timeout_s: float = 0.1) -> Block | None:
        """The samples available (waits up to ``timeout_s`` for the first); ``None`` if none came.

        A chunk whose timestamps jump by more than 1.5 sample periods inside it
        (the sender lost samples there) is handed out as one block per run of
        regular samples, over successive calls, so every block is consecutive.
        """
        if not self._opened:
            raise ParameterError("source", "is not started; call start() or use it in a with-block")
        if self._ready:
            return self._ready.popleft()
        samples, ts = self._inlet.pull_chunk(timeout=max(0.0, float(timeout_s)), max_samples=self.max_chunk,
                                             min_samples=1, as_numpy=True)
        received = time.monotonic()
        ts = np.asarray(ts, dtype=float)
        if ts.size == 0:
            return None
        data = np.asarray(samples, dtype=np.float64).T * self._factors[:, None]
        first = self._count
        self._count += ts.size
        if self.dejitter:
            self._update_fit(first, ts)
        cuts = [0] + (np.flatnonzero(np.abs(np.diff(ts) - 1.0 / self.fs) > 1.5 / self.fs) + 1).tolist() + [ts.size]
        for a, b in zip(cuts[:-1], cuts[1:]):
            self._ready.append(Block(np.ascontiguousarray(data[:, a:b]), first + a, float(ts[a]), received))
        pylsl = _pylsl()
        if pylsl.local_clock() >= self._next_tc:
            self._measure_offset(timeout=0.0)
        return self._ready.popleft()

    def _update_fit(self, first: int, ts: np.ndarray) -> None:
        if self._t_ref is None:
            self._t_ref = float(ts[0])
        k = first + np.arange(ts.size, dtype=float)
        t = ts - self._t_ref
        decay = 0.5 ** (ts.size / (self._halflife * self.fs))
        self._fit *= decay
        self._fit += [ts.size, k.sum(), (k * k).sum(), t.sum(), (k * t).sum()]
        w, wk, wkk, wt, wkt = self._fit
        det = w * wkk - wk * wk
        if det > 0:
            slope = (w * wkt - wk * wt) / det
            icpt = (wt - slope * wk) / w
        else:
            slope, icpt = 1.0 / self.fs, float(t[0]) - first / self.fs
        self.dejittered.append((first, self._t_ref + icpt + slope * first))

    def local_time(self, timestamp_s: float) -> float:
        """A raw timestamp on this machine's LSL clock, with the latest clock offset (``nan`` before one is known)."""
        return timestamp_s + self.offsets[-1][1] if self.offsets else math.nan

    def stop(self) -> None:
        """Close the stream (idempotent); :meth:`start` reopens it."""
        if self._inlet is not None:
            try:
                self._inlet.close_stream()
            except Exception:  # pragma: no cover
                pass
            self._inlet = None
        self._opened = False

    def __repr__(self) -> str:
        return f"LSLInlet({self.info.name}, {self.info.n_channels} ch, {self.fs:g} Hz)"


class LSLOutlet:
    """Republish a source's blocks as an LSL stream.

    Parameters
    ----------
    info : StreamInfo
        The source's description (rate, channels).
    name : str, optional
        Stream name (default: the source's name with ``:`` → ``-``, e.g. ``sim-surface``).
    type : str, default "EMG"
        LSL content type.
    source_id : str, optional
        Unique id, so inlets can recover the stream after a restart.
    chunk_size : int, default 0
        LSL transmission chunk (0: as pushed).

    Examples
    --------
    >>> amp = SimulatedAmplifier("surface")                       # doctest: +SKIP
    >>> outlet = LSLOutlet(amp.info, name="myograph-sim")
    >>> acq = Acquisition(amp); acq.subscribe(outlet.push)
    >>> with acq: time.sleep(60)                                  # an LSL stream for a minute
    """

    def __init__(self, info: StreamInfo, *, name: str | None = None, type: str = "EMG",  # noqa: A002
                 source_id: str | None = None, chunk_size: int = 0, max_buffered_s: int = 360) -> None:
        pylsl = _pylsl()
        if not isinstance(info, StreamInfo):
            raise ParameterError("info", f"must be a StreamInfo, got {info.__class__.__name__}")
        self.info = info
        self.name = name or info.name.replace(":", "-")
        sinfo = pylsl.StreamInfo(self.name, type, info.n_channels, float(info.fs), pylsl.cf_float32,
                                 source_id or f"myograph-{self.name}")
        chans = sinfo.desc().append_child("channels")
        factors = np.ones(info.n_channels)
        for i, ch in enumerate(info.channels):
            c = chans.append_child("channel")
            c.append_child_value("label", ch.name)
            c.append_child_value("type", ch.type)
            if is_voltage(ch.units):
                c.append_child_value("unit", "microvolts")
                factors[i] = 1.0 / 1e-6 * scale_to_si(ch.units)[1]
            else:
                c.append_child_value("unit", ch.units)
        acq = sinfo.desc().append_child("acquisition")
        acq.append_child_value("manufacturer", info.metadata.device.manufacturer or "myograph")
        acq.append_child_value("model", info.metadata.device.model or info.name)
        self._factors = factors.astype(np.float32)
        self._outlet = pylsl.StreamOutlet(sinfo, int(chunk_size), int(max_buffered_s))
        self._offset: float | None = None
        self.samples_pushed = 0

    def push(self, block: Block) -> None:
        """Publish a block (a subscriber: ``acq.subscribe(outlet.push)``)."""
        if self._outlet is None:
            raise ParameterError("outlet", "is closed")
        n = block.n_samples
        if not n:
            return
        pylsl = _pylsl()
        arrival = pylsl.local_clock() - (time.monotonic() - block.received_s)
        last = block.timestamp_s + (n - 1) / self.info.fs
        if math.isfinite(last):
            if self._offset is None:
                self._offset = arrival - last
            stamp = last + self._offset
        else:
            stamp = arrival
        x = np.ascontiguousarray((block.data * self._factors[:, None]).T, dtype=np.float32)
        self._outlet.push_chunk(x, float(stamp))
        self.samples_pushed += n

    __call__ = push

    def have_consumers(self) -> bool:
        """Whether an inlet is connected."""
        return self._outlet is not None and bool(self._outlet.have_consumers())

    def wait_for_consumers(self, timeout_s: float) -> bool:
        return self._outlet is not None and bool(self._outlet.wait_for_consumers(float(timeout_s)))

    def close(self) -> None:
        """Stop publishing (idempotent)."""
        self._outlet = None

    def __enter__(self) -> "LSLOutlet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LSLOutlet({self.name!r}, {self.info.n_channels} ch, {self.info.fs:g} Hz, {self.samples_pushed} samples)"
