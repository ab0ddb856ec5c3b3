"""Streaming writer: :class:`EdfWriter` appends data records as samples arrive.

edfio holds whole signals in memory; this writer encodes bounded blocks with
fixed physical ranges, places annotations in the records' spare TAL room on
close, and publishes the file atomically.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, ChannelTable
from myograph.core.errors import ParameterError, warn
from myograph.core.metadata import Metadata
from myograph.io.atomic import atomic_path
from myograph.io.edf.annotations import _annotation_texts, _tal_bytes
from myograph.io.edf.encode import (_check_label, _edfplus_identification, _encode_header, _prefilter_field,
                                    _transducer_field, _unit_field)
from myograph.io.edf.layout import _duration_for, _fit_range
from myograph.io.edf.spec import _DIGITAL_RANGE, _MONTH_NAMES, _PAD_LABEL, _number_text, _sample_bytes


class EdfWriter:
    """Write an EDF+C/BDF+C file incrementally; it appears atomically on :meth:`close`.

    edfio holds whole signals in memory, so long recordings (a recorder, a
    benchmark file larger than memory) are written with this writer. Physical
    ranges are fixed up front; samples beyond them are clipped (one warning at
    close). Use it as a context manager: an exception discards the file.

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
        Data record duration, s; ``fs * record_s`` must be a whole number.
    metadata : Metadata, optional
        Subject, session, device and start time for the header.
    annotation_bytes : int, default 96
        Room per data record for annotations (TALs), bytes.
    """

    def __init__(self, path: str | os.PathLike[str], channels: Sequence[Channel | str], fs: float,
                 physical_range: tuple[float, float] | Sequence[tuple[float, float]], *, bdf: bool | None = None,
                 record_s: float = 1.0, metadata: Metadata | None = None, annotation_bytes: int = 96) -> None:
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
        self._n_records = 0
        self._carry = np.empty((len(self._channels), 0))
        self._pending: list[tuple[float, float, str]] = []
        self._used: list[int] = []
        self._clipped = 0
        self._closed = False
        self._stack = ExitStack()
        try:
            tmp = self._stack.enter_context(atomic_path(self._path))
            self._fh = self._stack.enter_context(tmp.open("wb"))
            self._fh.write(self._header(-1))
        except BaseException:
            self._stack.close()
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

    def _header(self, n_records: int) -> bytes:
        code, sex, session, equipment, startdate, starttime = _edfplus_identification(self._metadata)
        day = f"{startdate.day:02d}-{_MONTH_NAMES[startdate.month - 1]}-{startdate.year}" if startdate else "X"
        start = datetime.combine(startdate, starttime) if startdate else None
        return _encode_header(bdf=self._bdf, patient=f"{code} {sex} X X", recording=f"Startdate {day} {session} X {equipment}",
                              start=start, n_records=n_records, duration=self._duration, signals=self._signals)

    @property
    def n_samples(self) -> int:
        """Samples per channel written so far (including any not yet in a whole record)."""
        return self._n_records * self._spr + self._carry.shape[1]

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

    def annotate(self, onset: float, duration: float, label: str, channels: Iterable[str] = ()) -> None:
        """Add an annotation (onset and duration in s from the first sample); written on close."""
        ann = Annotations([onset], [duration], [label], [tuple(channels)])
        for o, d, text in _annotation_texts(ann, self._channels.names):
            if len(_tal_bytes(o, d, text)) > self._ann_len - 24:
                raise ParameterError("label", f"annotation {text!r} does not fit annotation_bytes={self._ann_len}")
            self._pending.append((o, d, text))

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
            out[j, self._data_len:self._data_len + len(tal)] = np.frombuffer(tal, dtype=np.uint8)
            self._used.append(len(tal))
        self._n_records += n_rec
        return out

    def _place_annotations(self) -> None:
        free = np.array([self._ann_len - u for u in self._used])
        for onset, duration, text in sorted(self._pending):
            tal = _tal_bytes(onset, duration, text)
            k0 = min(max(int(onset // self._duration), 0), self._n_records - 1)
            room = np.flatnonzero(free[k0:] >= len(tal))
            k = k0 + int(room[0]) if room.size else (int(np.flatnonzero(free >= len(tal))[-1]) if np.any(free >= len(tal)) else -1)
            if k < 0:
                raise ParameterError("annotation_bytes", f"no room left for annotation {text!r}; raise annotation_bytes")
            self._fh.seek(self._header_len + k * self._record_bytes + self._data_len + self._ann_len - free[k])
            self._fh.write(tal)
            free[k] -= len(tal)

    @property
    def _header_len(self) -> int:
        return 256 * (len(self._signals) + 1)

    def close(self) -> None:
        """Write the last (zero-padded) record, the annotations and the record count; publish the file."""
        if self._closed:
            return
        try:
            pad = (-self._carry.shape[1]) % self._spr
            if pad:
                self._pending.append((self.n_samples / self._fs, pad / self._fs, _PAD_LABEL))
                self.write(np.zeros((len(self._channels), pad)))
            if self._n_records == 0:
                raise ParameterError("data", "no samples were written; an EDF file needs at least one data record")
            self._place_annotations()
            self._fh.seek(0)
            self._fh.write(self._header(self._n_records))
        except BaseException as exc:
            self._closed = True
            self._stack.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._closed = True
        self._stack.close()
        if self._clipped:
            warn(f"{self._path}: {self._clipped} samples were outside the physical range and were clipped")

    def abort(self) -> None:
        """Discard the file (nothing appears under the target name)."""
        if not self._closed:
            self._closed = True
            exc = RuntimeError("EdfWriter aborted")
            self._stack.__exit__(RuntimeError, exc, None)

    def __enter__(self) -> "EdfWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
