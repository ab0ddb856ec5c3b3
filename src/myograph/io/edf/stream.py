"""Streaming writer: :class:`EdfWriter` appends data records as samples arrive.

edfio holds whole signals in memory; this writer encodes bounded blocks with
fixed physical ranges, writes each annotation into the time-stamped annotation
list (TAL) of the next data record written, and publishes the file atomically.
In crash-safe mode (what :class:`~myograph.acquire.Recorder` uses) it writes to
``<target>.part``, flushes (and ``fsync``-s) every data record as it is
completed, and leaves the header's record count at -1 until :meth:`EdfWriter.close`.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, ChannelTable
from myograph.core.errors import ParameterError, warn
from myograph.core.metadata import Metadata
from myograph.io.atomic import _fsync_dir, atomic_path
from myograph.io.edf.annotations import _annotation_texts, _tal_bytes
from myograph.io.edf.encode import (_check_label, _edfplus_identification, _encode_header, _prefilter_field,
                                    _transducer_field, _unit_field)
from myograph.io.edf.layout import _duration_for, _fit_range
from myograph.io.edf.spec import _DIGITAL_RANGE, _MONTH_NAMES, _PAD_LABEL, _number_text, _sample_bytes

__all__ = ["EdfWriter", "part_path", "record_length"]

#: room kept in every record's annotation signal for its time-keeping TAL
_TIMEKEEPING_ROOM = 24
#: onset assumed when checking whether an annotation fits before its onset is known, s
_WIDE_ONSET = 1e6


def part_path(path: str | os.PathLike[str]) -> Path:
    """The file a crash-safe writer (a recorder) writes until its clean close: ``<target>.part``."""
    p = Path(path)
    return p.with_name(p.name + ".part")


def record_length(fs: float, near_s: float, *, max_s: float = 10.0) -> tuple[int, float] | None:
    """Samples per record near ``near_s`` whose duration fits the 8-character header field exactly.

    Returns ``(samples_per_record, duration_s)`` (pass ``duration_s`` as
    :class:`EdfWriter`'s ``record_s``), the nearest such length first, or
    ``None`` when no record of at most ``max_s`` exists at ``fs``.
    """
    target = max(1, int(round(fs * near_s)))
    near = [target + d for k in range(max(target, 64)) for d in ((k, -k) if k else (0,)) if target + d >= 1]
    for spr in chain(near, range(target + max(target, 64), int(round(max_s * fs)) + 1)):
        d = _duration_for(spr, fs)
        if d is not None:
            return spr, d
    return None


class EdfWriter:
    """Write an EDF+C/BDF+C file incrementally; it appears atomically on :meth:`close`.

    edfio holds whole signals in memory, so long recordings (a recorder, a
    benchmark file larger than memory) are written with this writer. Physical
    ranges are fixed up front; samples beyond them are clipped (one warning at
    close). Annotations go into the next data record written (each record has
    ``annotation_bytes`` of room; overflow spills into the following records,
    and what is left at close goes into earlier records' spare room). Use it as
    a context manager: an exception discards the file (crash-safe mode: keeps
    the ``.part``).

    Parameters
    ----------
    path : path-like
        Target; ``.bdf`` → 24-bit BDF+ unless ``bdf`` says otherwise.
    channels : sequence of Channel or str
        Channel descriptions (names ≤ 16 printable ASCII characters).
    fs : float
        Sampling rate, Hz.
    physical_range : (float, float) or sequence of them
        Expected range of each channel in its SI unit (volts for EMG), e.g. ``(-0.01, 0.01)``.
    bdf : bool, optional
        24-bit BDF instead of 16-bit EDF; default from the extension.
    record_s : float, default 1.0
        Data record duration, s; ``fs * record_s`` must be a whole number
        (:func:`record_length` finds one near a wanted length).
    metadata : Metadata, optional
        Subject, session, device and start time for the header (settable
        through :attr:`metadata` until the first record is written).
    annotation_bytes : int, default 96
        Room per data record for annotations (TALs), bytes.
    crash_safe : bool, default False
        Write ``<path>.part`` (created exclusively: an existing one is never
        overwritten, ``FileExistsError``), flush every data record as it is
        completed, and rename it to ``path`` on :meth:`close`. The header's
        record count stays -1 until then, so a killed process leaves a file
        that :func:`myograph.read` recovers up to the last complete record.
        :meth:`abort` keeps the ``.part`` (unless it holds no record).
    fsync : bool, default True
        Crash-safe mode: ``fsync`` after every write that completes records
        (durable against power loss, not only a killed process). The file is
        always ``fsync``-ed on close.
    """

    def __init__(self, path: str | os.PathLike[str], channels: Sequence[Channel | str], fs: float,
                 physical_range: tuple[float, float] | Sequence[tuple[float, float]], *, bdf: bool | None = None,
                 record_s: float = 1.0, metadata: Metadata | None = None, annotation_bytes: int = 96,
                 crash_safe: bool = False, fsync: bool = True) -> None:
        self._path = Path(path)
        self._bdf = self._path.suffix.lower() == ".bdf" if bdf is None else bool(bdf)
        self._channels = ChannelTable(c if isinstance(c, Channel) else Channel(str(c)) for c in channels)
        if not len(self._channels):
            raise ParameterError("channels", "need at least one channel")
        for ch in self._channels:
            _check_label(ch.name)
        fs = float(fs)
        if not (math.isfinite(fs) and fs > 0):
            raise ParameterError("fs", f"sampling rate must be a positive number of Hz, got {fs!r}")
        self._fs = fs
        self._spr = int(round(fs * record_s))
        if self._spr < 1 or not math.isclose(self._spr, fs * record_s, rel_tol=1e-9):
            raise ParameterError("record_s", f"fs * record_s must be a whole number of samples, got {fs} Hz * {record_s} s")
        duration = _duration_for(self._spr, fs)
        if duration is None:
            raise ParameterError("record_s", f"{record_s} s at {fs} Hz has no exact 8-character record duration")
        self._duration = duration
        ranges = [tuple(physical_range)] * len(self._channels) if np.ndim(physical_range) == 1 else list(physical_range)
        if len(ranges) != len(self._channels):
            raise ParameterError("physical_range", f"need one (min, max) per channel ({len(self._channels)}), got {len(ranges)}")
        self._metadata = metadata or Metadata()
        self._setup_signals(ranges, annotation_bytes)
        self._crash_safe, self._fsync = bool(crash_safe), bool(fsync)
        self._n_records = 0
        self._carry = np.empty((len(self._channels), 0))
        self._lock = threading.Lock()  # pending annotations: annotate() may come from another thread than write()
        self._pending: list[tuple[float, float | None, str]] = []
        self._used: list[int] = []  # TAL bytes used in each record written
        self._clipped = 0
        self.flushes = 0
        self._closed = False
        self._stack = ExitStack()
        try:
            if self._crash_safe:
                self._file = part_path(self._path)
                self._fh = self._stack.enter_context(open(self._file, "xb"))  # never overwrite an unfinished file
            else:
                self._file = self._stack.enter_context(atomic_path(self._path))
                self._fh = self._stack.enter_context(self._file.open("wb"))
            self._fh.write(self._header(-1))
        except FileExistsError:
            self._stack.close()
            raise
        except BaseException as exc:
            self._discard(exc)
            raise

    def _setup_signals(self, ranges: list, annotation_bytes: int) -> None:
        dmin, dmax = _DIGITAL_RANGE[self._bdf]
        bps = _sample_bytes(self._bdf)
        self._signals: list[dict[str, Any]] = []
        scale, shift = [], []
        for ch, (lo, hi) in zip(self._channels, ranges):
            unit, factor = _unit_field(ch)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ParameterError("physical_range", f"channel {ch.name!r}: need finite min < max, got ({lo}, {hi})")
            fitted = _fit_range(lo * factor, hi * factor)
            if fitted is None:
                raise ParameterError("physical_range", f"channel {ch.name!r}: ({lo}, {hi}) does not fit 8-character fields")
            pmin, pmax = fitted
            gain = (pmax - pmin) / (dmax - dmin)
            scale.append(factor / gain)
            shift.append(dmin - pmin / gain)
            self._signals.append(dict(label=ch.name, transducer=_transducer_field(ch), physical_dimension=unit,
                                      physical_min=pmin, physical_max=pmax, digital_min=dmin, digital_max=dmax,
                                      prefiltering=_prefilter_field(ch), samples_per_record=self._spr))
        self._scale, self._shift = np.array(scale), np.array(shift)
        self._ann_len = max(bps, math.ceil(annotation_bytes / bps) * bps)
        self._signals.append(dict(label="BDF Annotations" if self._bdf else "EDF Annotations", physical_min=-1,
                                  physical_max=1, digital_min=dmin, digital_max=dmax,
                                  samples_per_record=self._ann_len // bps))
        self._data_len = len(self._channels) * self._spr * bps
        self._record_bytes = self._data_len + self._ann_len

    def _header(self, n_records: int, metadata: Metadata | None = None) -> bytes:
        code, sex, session, equipment, startdate, starttime = _edfplus_identification(metadata or self._metadata)
        day = f"{startdate.day:02d}-{_MONTH_NAMES[startdate.month - 1]}-{startdate.year}" if startdate else "X"
        start = datetime.combine(startdate, starttime) if startdate else None
        return _encode_header(bdf=self._bdf, patient=f"{code} {sex} X X", recording=f"Startdate {day} {session} X {equipment}",
                              start=start, n_records=n_records, duration=self._duration, signals=self._signals)

    # ------------------------------------------------------------------ layout and counters
    @property
    def metadata(self) -> Metadata:
        """The header's identification and start time; settable until the first data record is written."""
        return self._metadata

    @metadata.setter
    def metadata(self, value: Metadata) -> None:
        if self._closed:
            raise ParameterError("writer", "is closed")
        if self._n_records:
            raise ParameterError("metadata", "the header is fixed once data records have been written")
        header = self._header(-1, value)
        self._metadata = value
        self._fh.seek(0)
        self._fh.write(header)

    @property
    def samples_per_record(self) -> int:
        return self._spr

    @property
    def record_s(self) -> float:
        """Data record duration, s (as written in the header)."""
        return self._duration

    @property
    def header_bytes(self) -> int:
        return 256 * (len(self._signals) + 1)

    @property
    def record_bytes(self) -> int:
        return self._record_bytes

    @property
    def n_records(self) -> int:
        """Complete data records written so far."""
        return self._n_records

    @property
    def n_samples(self) -> int:
        """Samples per channel written so far (including any not yet in a whole record)."""
        return self._n_records * self._spr + self._carry.shape[1]

    @property
    def clipped_samples(self) -> int:
        """Samples clipped to the physical range so far."""
        return self._clipped

    # ------------------------------------------------------------------ input
    def write(self, data: np.ndarray) -> None:
        """Append samples, shape ``(n_channels, n)``, in each channel's SI unit (volts)."""
        if self._closed:
            raise ParameterError("writer", "is closed")
        x = np.asarray(data, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != len(self._channels):
            raise ParameterError("data", f"need shape ({len(self._channels)}, n), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ParameterError("data", "holds NaN or infinite samples, which EDF cannot store")
        if self._carry.shape[1]:
            x = np.concatenate([self._carry, x], axis=1)
        n_full = x.shape[1] // self._spr
        per = max(1, (4 << 20) // (self._spr * len(self._channels)))  # ≈ 4 M samples per block: bounded temporaries
        for k0 in range(0, n_full, per):
            k1 = min(n_full, k0 + per)
            self._fh.write(self._encode(x[:, k0 * self._spr:k1 * self._spr]).data)
        self._carry = x[:, n_full * self._spr:].copy()
        if n_full and self._crash_safe:
            self._fh.flush()
            if self._fsync:
                os.fsync(self._fh.fileno())
            self.flushes += 1

    def _tals(self, onset: float | None, duration: float, label: str,
              channels: Iterable[str]) -> list[tuple[float, float | None, str]]:
        ann = Annotations([0.0 if onset is None else onset], [duration], [label], [tuple(channels)])
        out = []
        for o, d, text in _annotation_texts(ann, self._channels.names):
            if len(_tal_bytes(_WIDE_ONSET if onset is None else o, d, text)) > self._ann_len - _TIMEKEEPING_ROOM:
                raise ParameterError("label", f"annotation {text!r} does not fit annotation_bytes={self._ann_len}")
            out.append((o, d or None, text))
        return out

    def check_annotation(self, label: str, duration: float = 0.0, channels: Iterable[str] = ()) -> None:
        """Raise :class:`~myograph.ParameterError` where :meth:`annotate` would refuse this annotation
        (any onset below 10⁶ s): for callers that queue annotations before their onset is known."""
        self._tals(None, duration, label, channels)

    def annotate(self, onset: float, duration: float, label: str, channels: Iterable[str] = ()) -> None:
        """Add an annotation (onset and duration in s from the first sample), written with the next record.

        May be called from another thread than :meth:`write`. What is still
        pending at :meth:`close` goes into the spare room of the records
        written (a warning names how many found none).
        """
        tals = self._tals(onset, duration, label, channels)
        if self._closed:
            raise ParameterError("writer", "is closed")
        with self._lock:
            self._pending.extend(tals)

    # ------------------------------------------------------------------ encoding
    def _encode(self, x: np.ndarray) -> np.ndarray:
        n_rec = x.shape[1] // self._spr
        ns = len(self._channels)
        dmin, dmax = _DIGITAL_RANGE[self._bdf]
        d = x * self._scale[:, None]
        d += self._shift[:, None]
        np.rint(d, out=d)
        self._clipped += int(np.count_nonzero((d < dmin) | (d > dmax)))
        np.clip(d, dmin, dmax, out=d)
        digital = np.ascontiguousarray(d.astype("<i4").reshape(ns, n_rec, self._spr).transpose(1, 0, 2))
        out = np.zeros((n_rec, self._record_bytes), dtype=np.uint8)
        width = _sample_bytes(self._bdf)
        out[:, :self._data_len].reshape(n_rec, ns * self._spr, width)[...] = (
            digital.view(np.uint8).reshape(n_rec, ns * self._spr, 4)[:, :, :width])
        for j in range(n_rec):
            k = self._n_records + j
            tal = _tal_bytes(float(Decimal(k) * Decimal(_number_text(self._duration))), None, "")
            if self._pending:
                tal += self._take_pending(self._ann_len - len(tal))
            out[j, self._data_len:self._data_len + len(tal)] = np.frombuffer(tal, dtype=np.uint8)
            self._used.append(len(tal))
        self._n_records += n_rec
        return out

    def _take_pending(self, room: int) -> bytes:
        """As many pending annotation TALs as fit in ``room`` bytes (keeping one NUL spare), oldest first."""
        out = b""
        with self._lock:
            while self._pending:
                tal = _tal_bytes(*self._pending[0])
                if len(out) + len(tal) > room - 1:
                    break
                out += tal
                self._pending.pop(0)
        return out

    def _place_leftovers(self) -> None:
        """Annotations still pending go into the spare TAL room of the records written: from the record
        at their onset onwards, else backwards; a warning counts those that find no room."""
        with self._lock:
            left, self._pending = self._pending, []
        dropped = 0
        for o, d, text in left:
            tal = _tal_bytes(o, d, text)
            k0 = min(max(int(o // self._duration), 0), self._n_records - 1)
            order = chain(range(k0, self._n_records), range(k0 - 1, -1, -1))
            k = next((k for k in order if self._ann_len - 1 - self._used[k] >= len(tal)), None)
            if k is None:
                dropped += 1
                continue
            self._fh.seek(self.header_bytes + k * self._record_bytes + self._data_len + self._used[k])
            self._fh.write(tal)
            self._used[k] += len(tal)
        if dropped:
            warn(f"{self._path}: {dropped} annotations found no room in the file; raise annotation_bytes")

    # ------------------------------------------------------------------ finishing
    def close(self) -> None:
        """Pad the last record (marked ``BAD_padding``), place leftover annotations, write the record
        count, fsync and publish the file under its target name."""
        if self._closed:
            return
        try:
            pad = (-self._carry.shape[1]) % self._spr
            if pad:  # the padding's TAL goes first into the last record
                with self._lock:
                    self._pending.insert(0, (self.n_samples / self._fs, pad / self._fs, _PAD_LABEL))
                self.write(np.zeros((len(self._channels), pad)))
            if self._n_records == 0:
                raise ParameterError("data", "no samples were written; an EDF file needs at least one data record")
            self._place_leftovers()
            self._fh.seek(0)
            self._fh.write(self._header(self._n_records))
            if self._crash_safe:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._stack.close()
                os.replace(self._file, self._path)
                _fsync_dir(self._path.parent)
        except BaseException as exc:
            self._discard(exc)
            raise
        self._closed = True
        self._stack.close()  # atomic_path: fsync and rename
        if self._clipped:
            warn(f"{self._path}: {self._clipped} samples were outside the physical range and were clipped")

    def _discard(self, exc: BaseException) -> None:
        """Close after a failure: the temporary file is removed; a crash-safe ``.part`` is kept when it
        holds a record (recoverable with :func:`myograph.read`)."""
        self._closed = True
        if not self._crash_safe:
            self._stack.__exit__(type(exc), exc, exc.__traceback__)
            return
        try:
            self._stack.close()
        finally:
            if self._n_records == 0:  # nothing worth recovering
                self._file.unlink(missing_ok=True)

    def abort(self) -> None:
        """Stop without finishing: nothing appears under the target name; in crash-safe mode the
        ``.part`` file is kept as it is (unless it holds no record)."""
        if not self._closed:
            self._discard(RuntimeError("EdfWriter aborted"))

    def __enter__(self) -> "EdfWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
