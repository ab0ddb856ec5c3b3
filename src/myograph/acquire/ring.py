"""A ring buffer whose producer never blocks and whose readers see what they missed.

One producer (the acquisition thread) appends samples; any number of readers
take what arrived since their last read. The producer never waits for a reader:
when a reader falls more than ``capacity_samples`` behind, the oldest samples
are overwritten and the reader's loss is *counted* (``overflow_samples``), never
hidden — every read returns ``(data, first_sample)``, so a reader whose
``first_sample`` is later than where it stopped knows exactly how much it lost.

Concurrency: a sequence-number scheme with a lock held only for index updates
(a few integer assignments). The producer first *reserves* the slots it is
about to overwrite, copies the samples without the lock, then *commits*. A
reader copies without the lock and afterwards discards whatever the producer
reserved meanwhile (a torn copy is never returned), counting it as overflow.
"""

from __future__ import annotations

import threading

import numpy as np

from myograph.core.errors import ParameterError

__all__ = ["RingBuffer"]


class RingBuffer:
    """Fixed-capacity multichannel ring buffer with a never-blocking producer.

    Parameters
    ----------
    n_channels : int
        Channels (rows).
    capacity_samples : int
        Samples per channel the buffer holds; older samples are overwritten.
    dtype : numpy dtype, default float64
        Storage type (float32 halves the memory of a long display buffer).

    Attributes
    ----------
    overflow_samples : int
        Samples the built-in reader (:meth:`read`) lost because it fell behind.
    gap_samples : int
        Samples the producer skipped (``first_sample`` jumps in :meth:`write`);
        they read back as NaN.

    Notes
    -----
    Sample positions are the stream's running counter: the first sample
    written is position 0 unless :meth:`write` is given ``first_sample``.
    """

    def __init__(self, n_channels: int, capacity_samples: int, *, dtype: np.dtype | type = np.float64) -> None:
        if isinstance(n_channels, bool) or not isinstance(n_channels, (int, np.integer)) or n_channels < 1:
            raise ParameterError("n_channels", f"must be a positive integer, got {n_channels!r}")
        if isinstance(capacity_samples, bool) or not isinstance(capacity_samples, (int, np.integer)) or capacity_samples < 1:
            raise ParameterError("capacity_samples", f"must be a positive integer, got {capacity_samples!r}")
        self.n_channels = int(n_channels)
        self.capacity_samples = int(capacity_samples)
        self._buf = np.zeros((self.n_channels, self.capacity_samples), dtype=dtype)
        self._lock = threading.Lock()
        self._start: int | None = None  # position of the first sample ever written
        self._head = 0  # committed: positions < head are readable (if >= head - capacity)
        self._reserved = 0  # the producer may be writing positions < reserved
        self._cursor: int | None = None  # the built-in reader's next position
        self.overflow_samples = 0
        self.gap_samples = 0
        self.samples_written = 0

    # ------------------------------------------------------------------ producer
    def write(self, data: np.ndarray, first_sample: int | None = None) -> None:
        """Append ``data`` (shape ``(n_channels, n)``); never blocks on readers.

        ``first_sample`` (the source counter of ``data[:, 0]``) may jump ahead of
        the buffer's position: the skipped samples are stored as NaN (shown as
        a break, never interpolated) and counted in :attr:`gap_samples`. Going
        backwards raises :class:`ParameterError`.
        """
        x = np.asarray(data)
        if x.ndim != 2 or x.shape[0] != self.n_channels:
            raise ParameterError("data", f"need shape ({self.n_channels}, n), got {x.shape}")
        n = x.shape[1]
        if self._start is None:
            first = 0 if first_sample is None else int(first_sample)
            with self._lock:
                self._head = self._reserved = self._start = first
        head = self._head  # only this thread changes it
        if first_sample is not None and int(first_sample) != head:
            target = int(first_sample)
            if target < head:
                raise ParameterError("first_sample", f"went backwards: the buffer is at {head}, got {target}")
            gap = target - head
            kept = min(gap, self.capacity_samples)
            self._commit(np.full((self.n_channels, kept), np.nan, dtype=self._buf.dtype), target - kept)
            self.gap_samples += gap
            head = target
        if n:
            if n > self.capacity_samples:  # only the newest capacity_samples can be held
                x = x[:, n - self.capacity_samples:]
            self._commit(x, head + n - x.shape[1])
        self.samples_written += n

    def _commit(self, x: np.ndarray, pos: int) -> None:
        """Reserve the slots of positions ``[pos, pos + n)``, copy without the lock, then publish them."""
        n = x.shape[1]
        with self._lock:
            self._reserved = pos + n
        i = pos % self.capacity_samples
        first = min(n, self.capacity_samples - i)
        self._buf[:, i:i + first] = x[:, :first]
        if first < n:
            self._buf[:, :n - first] = x[:, first:]
        with self._lock:
            self._head = pos + n

    # ------------------------------------------------------------------ readers
    @property
    def head(self) -> int:
        """Position one past the newest committed sample."""
        with self._lock:
            return self._head

    def read_since(self, position: int | None, max_samples: int | None = None) -> tuple[np.ndarray, int]:
        """Samples from ``position`` (default: the oldest held) to the newest: ``(data, first_sample)``.

        Returns a copy. ``first_sample > position`` means that the samples in
        between were overwritten before this read (the caller fell behind).
        ``max_samples`` limits the read to the *oldest* that many.
        """
        with self._lock:
            head, start = self._head, self._start
        if start is None:
            return np.empty((self.n_channels, 0), dtype=self._buf.dtype), 0 if position is None else int(position)
        lo = max(start if position is None else int(position), start, head - self.capacity_samples)
        hi = head if max_samples is None else min(head, lo + max(0, int(max_samples)))
        if hi <= lo:
            return np.empty((self.n_channels, 0), dtype=self._buf.dtype), lo
        n = hi - lo
        i = lo % self.capacity_samples
        first = min(n, self.capacity_samples - i)
        out = self._buf[:, i:i + n].copy() if first == n else np.concatenate([self._buf[:, i:], self._buf[:, :n - first]], axis=1)
        with self._lock:
            valid = self._reserved - self.capacity_samples  # older positions may have been overwritten during the copy
        if valid > lo:
            cut = min(valid - lo, n)
            out, lo = out[:, cut:], lo + cut
        return out, lo

    def read(self, max_samples: int | None = None) -> tuple[np.ndarray, int]:
        """The built-in reader: everything since its last read, ``(data, first_sample)``.

        Samples it missed because it fell behind are added to :attr:`overflow_samples`.
        """
        with self._lock:
            start = self._start
        if start is None:
            return np.empty((self.n_channels, 0), dtype=self._buf.dtype), 0
        cursor = start if self._cursor is None else self._cursor
        data, first = self.read_since(cursor, max_samples)
        if first > cursor:
            self.overflow_samples += first - cursor
        self._cursor = first + data.shape[1]
        return data, first

    @property
    def pending(self) -> int:
        """Samples the built-in reader has not read yet (including any already lost)."""
        with self._lock:
            head, start = self._head, self._start
        return 0 if start is None else head - (start if self._cursor is None else self._cursor)

    def latest(self, n_samples: int) -> tuple[np.ndarray, int]:
        """The newest ``n_samples`` (fewer if fewer are held): ``(data, first_sample)``; the reader's cursor is untouched."""
        return self.read_since(self.head - max(0, int(n_samples)))

    def __len__(self) -> int:
        """Samples currently held."""
        with self._lock:
            return 0 if self._start is None else min(self._head - self._start, self.capacity_samples)

    def __repr__(self) -> str:
        return (f"RingBuffer({self.n_channels} ch, capacity {self.capacity_samples}, head {self.head}, "
                f"overflow {self.overflow_samples})")
