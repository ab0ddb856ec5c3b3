"""Lazy reading: :func:`open_lazy` (what :func:`myograph.open` calls) and :class:`EdfLazyRecording`.

Only the data records covering a requested span are read, so files larger than
memory stream in bounded memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.core.metadata import Metadata
from myograph.core.provenance import RepairLog
from myograph.io._input import Input
from myograph.io.edf.channels import _Group
from myograph.io.edf.header import EdfHeader
from myograph.io.edf.reader import _READ_OPTIONS, _annotation_only, _check_options, _pick_group, _prepare
from myograph.io.edf.records import _positions, _read_span, _RecordSource
from myograph.io.edf.timeline import _n_samples, _Timeline
from myograph.io.lazy import InMemoryLazy, LazyRecording


class EdfLazyRecording(LazyRecording):
    """One channel group of an EDF/BDF file, read record by record on demand.

    Only the data records that cover a requested span are read (positional
    reads into a fresh buffer), so ``iter_chunks`` streams files larger than
    memory. EDF+D gaps read as zeros (marked ``BAD_gap``). Close it (or use it
    as a context manager) to release the file; it is also released when
    garbage-collected.
    """

    def __init__(self, source: _RecordSource, header: EdfHeader, group: _Group, timeline: _Timeline,
                 metadata: Metadata, log: RepairLog) -> None:
        self._source = source
        self._header = header
        self._group = group
        self._positions = _positions(timeline.rel, group)
        self.fs = group.fs
        self.channels = group.channels
        self.n_samples = _n_samples(header, group, timeline, self._positions)
        self.metadata = metadata
        self.annotations = timeline.annotations.restrict_channels(group.channels.names)
        self.provenance = log.provenance("edf", variant=header.variant, fs=group.fs, channels=group.channels.names, lazy=True)

    @property
    def header(self) -> EdfHeader:
        return self._header

    def read_samples(self, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)`` of all channels, SI units, shape ``(n_channels, stop - start)``."""
        start, stop = max(0, int(start)), min(self.n_samples, int(stop))
        if stop <= start:
            return np.empty((self.n_channels, 0))
        return _read_span(self._source, self._header, self._group, self._positions, start, stop)

    def close(self) -> None:
        self._source.close()


def open_lazy(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> LazyRecording:
    """Open an EDF/BDF file lazily (what :func:`myograph.open` calls).

    Parameters
    ----------
    src : Input
    log : RepairLog
    fs : float, optional
        Time base in Hz for a file without data signals; ignored otherwise.
    rate_hz : float, optional
        Sampling rate (Hz) of the channel group to serve; default: the group
        with the most EMG channels (ties: more channels, then the higher rate).
    """
    _check_options(options, _READ_OPTIONS)
    header, groups, source, timeline, metadata = _prepare(src, log)
    if not groups:
        source.close()
        return InMemoryLazy(_annotation_only(header, timeline, metadata, log, fs))
    with source.closed_on_error():
        group = _pick_group(groups, options.get("rate_hz"))
    return EdfLazyRecording(source, header, group, timeline, metadata, log)
