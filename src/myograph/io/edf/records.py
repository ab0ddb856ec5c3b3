"""Data records: reading them (from a path with positional reads, or from bytes) and decoding samples.

:class:`_RecordSource` reads only the records asked for; :func:`_decode` turns
16-bit EDF or 24-bit BDF samples of one channel group into SI units in one
vectorised pass; :func:`_read_span` places records on the time line (EDF+D gaps
read as zeros).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from myograph.core.errors import FileFormatError, ParameterError
from myograph.io._input import Input
from myograph.io.edf.channels import _Group
from myograph.io.edf.header import EdfHeader


def _pread_into(fd: int, buf: np.ndarray, offset: int, name: str) -> None:
    """Fill ``buf`` from ``fd`` at byte ``offset`` (positional reads, no shared file position)."""
    view = memoryview(buf).cast("B")
    got = 0
    while got < len(view):
        if hasattr(os, "preadv"):
            n = os.preadv(fd, [view[got:]], offset + got)
        else:  # pragma: no cover - platforms without preadv
            os.lseek(fd, offset + got, os.SEEK_SET)
            n = os.readv(fd, [view[got:]])
        if n == 0:
            raise FileFormatError(name, "data", f"the file ended at byte {offset + got} while reading; was it changed meanwhile?")
        got += n


class _RecordSource:
    """Raw data records of one file: reads only what is asked (path) or views the bytes."""

    def __init__(self, src: Input, header: EdfHeader) -> None:
        self.name = src.name
        self._header_bytes = header.header_bytes
        self._rb = header.record_bytes
        self._n = header.n_records
        self._lead = 1 if header.bdf else 0  # BDF decoding views 4 bytes starting one byte early
        self._fd: int | None = None
        self._buf: np.ndarray | None = None
        self._base0 = 0
        if src.path is not None:
            self._fd = os.open(src.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            self._finalizer = weakref.finalize(self, os.close, self._fd)
        else:
            self._buf = np.frombuffer(src.read_bytes(), dtype=np.uint8)
            self._base0 = header.header_bytes

    def span(self, k0: int, k1: int) -> tuple[np.ndarray, int]:
        """Records ``[k0, k1)``: a byte buffer and the index of record ``k0``'s first byte in it."""
        if self._buf is not None:
            return self._buf, self._base0 + k0 * self._rb
        if self._fd is None:
            raise ParameterError("recording", f"{self.name} was closed; open it again with myograph.open()")
        buf = np.empty((k1 - k0) * self._rb + self._lead, dtype=np.uint8)
        _pread_into(self._fd, buf, self._header_bytes + k0 * self._rb - self._lead, self.name)
        return buf, self._lead

    def preload(self) -> None:
        """Read every record now (one read), for whole-file decoding."""
        if self._buf is None:
            self._buf, self._base0 = self.span(0, self._n)

    def columns(self, byte_offset: int, length: int) -> np.ndarray:
        """Bytes ``[byte_offset, byte_offset + length)`` of every record, shape ``(n_records, length)``."""
        if self._buf is not None:
            return np.ndarray((self._n, length), dtype=np.uint8, buffer=self._buf, offset=self._base0 + byte_offset,
                              strides=(self._rb, 1))
        out = np.empty((self._n, length), dtype=np.uint8)
        if self._rb <= 65536:
            per = max(1, (8 << 20) // self._rb)
            for k0 in range(0, self._n, per):
                k1 = min(self._n, k0 + per)
                buf, base = self.span(k0, k1)
                block = buf[base:base + (k1 - k0) * self._rb].reshape(k1 - k0, self._rb)
                out[k0:k1] = block[:, byte_offset:byte_offset + length]
        else:
            for k in range(self._n):
                _pread_into(self._fd, out[k], self._header_bytes + k * self._rb + byte_offset, self.name)  # type: ignore[arg-type]
        return out

    @contextmanager
    def closed_on_error(self) -> Iterator[None]:
        """Close the source if the block raises; otherwise it stays open for the caller."""
        try:
            yield
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._fd is not None:
            self._finalizer()
            self._fd = None
        self._buf = None


def _decode(buf: np.ndarray, base: int, n_records: int, header: EdfHeader, group: _Group) -> np.ndarray:
    """Samples of ``group`` in ``n_records`` records starting at ``buf[base]``, SI, ``(n_ch, n_records*spr)``.

    BDF: an int32 view that starts one byte before each 3-byte sample holds
    ``sample << 8 | previous byte``; an arithmetic shift by 8 leaves the
    sign-extended sample. EDF: an int16 view. Then ``gain * digital + offset``.
    """
    spr, rb = group.spr, header.record_bytes
    out = np.empty((len(group.channels), n_records * spr), dtype=np.float64)
    if n_records == 0:
        return out
    for row0, count, byte_offset in group.runs:
        if header.bdf:
            words = np.ndarray((n_records, count, spr), dtype="<i4", buffer=buf, offset=base + byte_offset - 1,
                               strides=(rb, 3 * spr, 3))
            digital = np.empty((count, n_records, spr), dtype=np.int32)
            np.right_shift(words.transpose(1, 0, 2), 8, out=digital)
        else:
            digital = np.ndarray((n_records, count, spr), dtype="<i2", buffer=buf, offset=base + byte_offset,
                                 strides=(rb, 2 * spr, 2)).transpose(1, 0, 2)
        block = out[row0:row0 + count].reshape(count, n_records, spr)
        np.multiply(digital, group.gain[row0:row0 + count, None, None], out=block)
        block += group.offset[row0:row0 + count, None, None]
    return out


def _positions(rel: np.ndarray | None, group: _Group) -> np.ndarray | None:
    """First sample of each record on the true time line (EDF+D), or None when contiguous."""
    if rel is None:
        return None
    pos = np.round(rel * group.fs).astype(np.int64)
    k = np.arange(pos.size, dtype=np.int64) * group.spr
    return np.maximum.accumulate(pos - k) + k  # never overlap after rounding


def _read_span(source: _RecordSource, header: EdfHeader, group: _Group, positions: np.ndarray | None,
               start: int, stop: int) -> np.ndarray:
    """Samples ``[start, stop)`` of ``group`` on its time line, SI units."""
    spr = group.spr
    if positions is None:
        k0, k1 = start // spr, -(-stop // spr)
        buf, base = source.span(k0, k1)
        data = _decode(buf, base, k1 - k0, header, group)
        return data[:, start - k0 * spr: stop - k0 * spr]
    out = np.zeros((len(group.channels), stop - start))
    ka = int(np.searchsorted(positions + spr, start, side="right"))
    kb = int(np.searchsorted(positions, stop, side="left"))
    if kb > ka:
        buf, base = source.span(ka, kb)
        data = _decode(buf, base, kb - ka, header, group)
        for j, k in enumerate(range(ka, kb)):
            a, b = max(int(positions[k]), start), min(int(positions[k]) + spr, stop)
            if b > a:
                src0 = j * spr + a - int(positions[k])
                out[:, a - start:b - start] = data[:, src0:src0 + b - a]
    return out
