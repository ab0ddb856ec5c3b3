"""A small XDF writer for tests, following the XDF 1.0 specification.

Specification: https://github.com/sccn/xdf/wiki/Specifications (Extensible Data Format, SCCN).

* The file starts with the magic ``XDF:``, then chunks.
* A chunk is ``[NumLengthBytes: 1 byte, 1, 4 or 8][Length: that many bytes, little-endian]
  [Tag: uint16][Content]``, where Length counts the tag and the content.
* Tags: 1 FileHeader (XML), 2 StreamHeader (uint32 stream id + XML), 3 Samples (stream id,
  variable-length sample count, then per sample ``[TimeStampBytes: 0 or 8][TimeStamp: double]
  [values]``; string values are variable-length strings), 4 ClockOffset (stream id,
  collection time double, offset value double), 5 Boundary (16-byte UUID), 6 StreamFooter
  (stream id + XML).
* All numbers are little-endian.

This writer is honest about those rules and nothing more; it exists so that the XDF reader can be
tested without an XDF file in the shared data.
"""

from __future__ import annotations

import heapq
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np

__all__ = ["Stream", "write_xdf", "chunk", "varlen", "BOUNDARY_UUID"]

BOUNDARY_UUID = bytes([0x43, 0xA5, 0x46, 0xDC, 0xCB, 0xF5, 0x41, 0x0F, 0xB3, 0x0E, 0xD5, 0x46, 0x73, 0x83, 0xCB, 0xE4])
_NUMERIC = {"float32": "<f4", "double64": "<f8", "int8": "<i1", "int16": "<i2", "int32": "<i4", "int64": "<i8"}


def varlen(n: int) -> bytes:
    """A variable-length integer: 1, 4 or 8 length bytes, then the value."""
    if n < 256:
        return bytes([1]) + struct.pack("<B", n)
    if n < 2**32:
        return bytes([4]) + struct.pack("<I", n)
    return bytes([8]) + struct.pack("<Q", n)


def chunk(tag: int, content: bytes) -> bytes:
    """One chunk: variable-length size (tag + content), uint16 tag, content."""
    return varlen(len(content) + 2) + struct.pack("<H", tag) + content


@dataclass
class Stream:
    """One LSL stream as it would be recorded.

    Attributes
    ----------
    stream_id : int
    name, type : str
    channel_format : str
        ``float32``, ``double64``, ``int8/16/32/64`` or ``string``.
    nominal_srate : float
        Hz; 0 for irregular streams (markers).
    timestamps : array of float
        LSL clock, s.
    samples : array (n_samples, n_channels) or list of lists of str
    channels : list of dict, optional
        ``{"label": ..., "unit": ..., "type": ...}`` per channel, written to ``desc/channels``.
    clock_offsets : list of (collection_time, offset_value)
    chunk_size : int
        Samples per Samples chunk.
    elide_timestamps : bool
        Omit a time stamp that equals the previous one plus ``1 / nominal_srate`` (the spec allows it).
    """

    stream_id: int
    name: str
    type: str
    channel_format: str
    nominal_srate: float
    timestamps: np.ndarray
    samples: object
    channels: list[dict] | None = None
    clock_offsets: Sequence[tuple[float, float]] = ()
    chunk_size: int = 100
    elide_timestamps: bool = False
    extra_desc: str = ""
    hostname: str = "testhost"
    footer: bool = True
    _count: int = field(default=0, init=False)

    @property
    def channel_count(self) -> int:
        if self.channel_format == "string":
            return len(self.samples[0]) if len(self.samples) else 1
        return int(np.asarray(self.samples).shape[1])

    def header_xml(self) -> bytes:
        chans = ""
        if self.channels:
            rows = "".join(
                "<channel>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in ch.items()) + "</channel>"
                for ch in self.channels
            )
            chans = f"<channels>{rows}</channels>"
        xml = (
            '<?xml version="1.0"?><info>'
            f"<name>{escape(self.name)}</name><type>{escape(self.type)}</type>"
            f"<channel_count>{self.channel_count}</channel_count><nominal_srate>{self.nominal_srate:.17g}</nominal_srate>"
            f"<channel_format>{self.channel_format}</channel_format><source_id>src{self.stream_id}</source_id>"
            f"<version>1.1</version><created_at>1000.0</created_at><uid>uid-{self.stream_id}</uid>"
            f"<session_id>default</session_id><hostname>{self.hostname}</hostname>"
            f"<desc>{chans}{self.extra_desc}</desc></info>"
        )
        return xml.encode()

    def sample_chunk(self, start: int, stop: int) -> bytes:
        ts = np.asarray(self.timestamps, dtype=float)
        out = bytearray(struct.pack("<I", self.stream_id))
        out += varlen(stop - start)
        period = 1.0 / self.nominal_srate if self.nominal_srate > 0 else None
        for k in range(start, stop):
            deducible = k > 0 and period is not None and ts[k] == ts[k - 1] + period
            if self.elide_timestamps and deducible:
                out += b"\x00"
            else:
                out += b"\x08" + struct.pack("<d", ts[k])
            if self.channel_format == "string":
                for value in self.samples[k]:
                    raw = str(value).encode()
                    out += varlen(len(raw)) + raw
            else:
                out += np.asarray(self.samples[k], dtype=_NUMERIC[self.channel_format]).tobytes()
        return chunk(3, bytes(out))

    def footer_xml(self) -> bytes:
        ts = np.asarray(self.timestamps, dtype=float)
        offsets = "".join(f"<offset><time>{t:.17g}</time><value>{v:.17g}</value></offset>" for t, v in self.clock_offsets)
        first = ts[0] if ts.size else 0.0
        last = ts[-1] if ts.size else 0.0
        return (
            '<?xml version="1.0"?><info>'
            f"<first_timestamp>{first:.17g}</first_timestamp><last_timestamp>{last:.17g}</last_timestamp>"
            f"<sample_count>{ts.size}</sample_count><clock_offsets>{offsets}</clock_offsets></info>"
        ).encode()


def write_xdf(streams: Sequence[Stream], *, boundary_every: int = 0, file_header: bool = True) -> bytes:
    """The bytes of an XDF file holding ``streams``.

    Headers first, then Samples chunks of all streams interleaved in time order, a
    ClockOffset chunk when a stream's offsets fall due, an optional Boundary chunk every
    ``boundary_every`` chunks, and the footers last — the order LabRecorder writes.
    """
    out = bytearray(b"XDF:")
    if file_header:
        out += chunk(1, b'<?xml version="1.0"?><info><version>1.0</version><datetime>2024-05-01T10:00:00+0000</datetime></info>')
    for s in streams:
        out += chunk(2, struct.pack("<I", s.stream_id) + s.header_xml())
    per_stream = []
    for s in streams:  # each stream's chunks in recording order (a clock reset must stay where it happened)
        n = len(s.timestamps)
        samples = [(float(np.asarray(s.timestamps)[start]), 0, s.stream_id, s, start, min(n, start + s.chunk_size))
                   for start in range(0, n, s.chunk_size)]
        offsets = sorted(((float(t), 1, s.stream_id, s, t, v) for t, v in s.clock_offsets), key=lambda p: p[0])
        per_stream.append(list(heapq.merge(samples, offsets, key=lambda p: (p[0], p[1]))))
    # interleave the streams by time, keeping each stream's own order
    pending = list(heapq.merge(*per_stream, key=lambda p: (p[0], p[1], p[2])))
    for i, (_, kind, _sid, s, a, b) in enumerate(pending):
        if kind == 0:
            out += s.sample_chunk(a, b)
        else:
            out += chunk(4, struct.pack("<Idd", s.stream_id, a, b))
        if boundary_every and (i + 1) % boundary_every == 0:
            out += chunk(5, BOUNDARY_UUID)
    for s in streams:
        if s.footer:
            out += chunk(6, struct.pack("<I", s.stream_id) + s.footer_xml())
    return bytes(out)
