"""Lazy access to long recordings: header now, samples chunk by chunk.

:func:`myograph.open` returns a :class:`LazyRecording`. Formats that can read
a span without loading the rest (EDF/BDF) subclass it; for the others,
:class:`InMemoryLazy` wraps a fully read Recording behind the same interface.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import ChannelTable
from myograph.core.errors import ParameterError
from myograph.core.metadata import Metadata
from myograph.core.provenance import Step
from myograph.core.recording import Recording

__all__ = ["LazyRecording", "InMemoryLazy"]


class LazyRecording:
    """Header of a recording whose samples are read on demand.

    Subclasses set :attr:`fs`, :attr:`channels`, :attr:`n_samples`,
    :attr:`metadata`, :attr:`annotations`, :attr:`provenance` and implement
    :meth:`read_samples`.
    """

    fs: float
    channels: ChannelTable
    n_samples: int
    metadata: Metadata
    annotations: Annotations
    provenance: tuple[Step, ...] = ()

    # --- to implement -------------------------------------------------------------------
    def read_samples(self, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)`` of all channels, SI units, shape ``(n_channels, stop - start)``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""

    # --- shared -------------------------------------------------------------------------------
    @property
    def ch_names(self) -> list[str]:
        return self.channels.names

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def duration(self) -> float:
        return self.n_samples / self.fs

    def __enter__(self) -> "LazyRecording":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} | {self.n_channels} channels, {self.duration:.3f} s at {self.fs:g} Hz (lazy)>"

    def _recording(self, arr: np.ndarray, start: int, stop: int, operation: str) -> Recording:
        t0, t1 = start / self.fs, stop / self.fs
        return Recording._trusted(
            arr, self.fs, self.channels, self.annotations.crop(t0, t1), self.metadata,
            self.provenance + (Step(operation, {"start_s": t0, "stop_s": t1}),),
        )

    def read(self, start_s: float = 0.0, stop_s: float | None = None) -> Recording:
        """The span ``[start_s, stop_s)`` (s) as a Recording."""
        stop_s = self.duration if stop_s is None else stop_s
        i0 = max(0, int(round(start_s * self.fs)))
        i1 = min(self.n_samples, int(round(stop_s * self.fs)))
        if i1 <= i0:
            raise ParameterError("start_s/stop_s", f"need 0 <= start_s < stop_s <= {self.duration:g} s, got {start_s:g}, {stop_s:g}")
        return self._recording(self.read_samples(i0, i1), i0, i1, "crop")

    def load(self) -> Recording:
        """All samples as a Recording."""
        return self._recording(self.read_samples(0, self.n_samples), 0, self.n_samples, "load")

    def iter_chunks(self, seconds: float) -> Iterator[Recording]:
        """Consecutive Recordings of ``seconds`` each (the last may be shorter).

        Annotations of each chunk are cropped to it, with onsets relative to
        the chunk's start; provenance records each chunk's span.
        """
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
            raise ParameterError("seconds", f"chunk length must be a positive number of seconds, got {seconds!r}")
        step = max(1, int(round(seconds * self.fs)))
        for i0 in range(0, self.n_samples, step):
            i1 = min(self.n_samples, i0 + step)
            yield self._recording(self.read_samples(i0, i1), i0, i1, "chunk")


class InMemoryLazy(LazyRecording):
    """The lazy interface over a Recording already in memory."""

    def __init__(self, recording: Recording) -> None:
        self._rec = recording
        self.fs = recording.fs
        self.channels = recording.channels
        self.n_samples = recording.n_samples
        self.metadata = recording.metadata
        self.annotations = recording.annotations
        self.provenance = recording.provenance

    def read_samples(self, start: int, stop: int) -> np.ndarray:
        return self._rec.data[:, start:stop]
