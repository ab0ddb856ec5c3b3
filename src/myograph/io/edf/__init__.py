"""EDF, EDF+ (C and D), BDF and BDF+: a tolerant reader, a strict writer, lazy access.

Reading
-------
The header is parsed by this module's own tolerant parser and the samples are
decoded with numpy (16-bit EDF, 24-bit BDF), so a damaged file is mended where
the repair is unambiguous and refused with a :class:`~myograph.FileFormatError`
naming the file and header field where it is not. Every repair goes through
:meth:`RepairLog.repair <myograph.core.provenance.RepairLog.repair>`: it warns
(:class:`~myograph.MyographWarning`), is recorded as a ``repair`` step in each
Recording's provenance, and is refused under ``strict=True``.

=====================================  ===================================================
problem                                decision
=====================================  ===================================================
empty file, file < 256 bytes           error (``file`` / ``header``)
version is neither ``0`` nor BIOSEMI   error (``version``); the registry refuses a text
                                       file named ``.edf`` before it gets here
NUL padding in header fields           repair: read up to the first NUL
non-ASCII / control bytes in a field   repair: decode UTF-8, else Latin-1
decimal comma (``0,5``)                repair: read as ``0.5``
integer field written as ``2047.0``    repair: use the integer
``n_signals`` unreadable               repair from ``header_bytes`` if that is consistent,
                                       else error (``n_signals``)
``header_bytes`` ≠ 256·(n_signals+1)   repair: use 256·(n_signals+1)
``n_records`` -1, unreadable, too      repair: use the number of complete records in the
large or too small                     file (the file size wins over the header)
truncated last data record             repair: drop the partial record
no complete data record                error (``data``)
``samples_per_record`` < 1 / junk      error (``signal[i].samples_per_record``)
physical/digital min/max unreadable    error (``signal[i].physical_min`` ...)
``digital_min == digital_max``         error (``signal[i].digital_min``): the calibration
                                       is undefined, any repair would invent amplitudes
``physical_min == physical_max``       repair: the channel reads as that constant
record duration 0 with data signals    error (``record_duration``)
empty label                            repair: named ``signal<i+1>``
duplicate labels                       repair: renamed ``X``, ``X-2``, ``X-3``
start date/time unreadable             repair: ``start_time`` left unknown
unparsable TAL / missing time stamp    repair: skipped / record placed by its index
EDF+C time stamps off the record grid  repair: records read as contiguous
EDF+D records overlapping/unordered    repair: records read as contiguous
=====================================  ===================================================

Units ``uV``/``µV``/``mV``/``V`` become volts (:func:`~myograph.core.units.scale_to_si`);
other units are kept. Channel types: a transducer field that is exactly a
channel type (``EMG``, or ``EMG: description`` as myograph writes it) wins;
else the label is asked (EDF+ convention ``EMG chin``), then the transducer;
else voltage channels are ``EMG`` and the rest ``MISC``. The prefilter field
(``HP:20Hz LP:500Hz N:50Hz``) fills ``low_cutoff_hz``/``high_cutoff_hz``/``notch_hz``.

Signals at different rates give one Recording each (never a resample); every
Recording carries the file's annotations (channel-specific ones only where
their channels are). EDF+ annotation signals are not data channels. An EDF+D
file keeps true time: gaps between records are zero-filled and marked with
``BAD_gap`` annotations. A file without data signals (an EDF+ annotation file
such as a hypnogram) gives one Recording with **zero channels** whose time base
(1 Hz unless ``fs=`` is given) spans the annotations; :func:`read_annotations`
returns the table directly.

Writing
-------
:func:`write` uses **edfio**, the field's strict writer: ``.edf`` → 16-bit EDF+C,
``.bdf`` → 24-bit BDF+C, atomically. Each channel's physical range is its data
range (voltages written in µV), so quantisation is range/65535 (EDF) or
range/16777215 (BDF). Labels longer than 16 characters (or not printable
ASCII) are refused with a :class:`~myograph.ParameterError` naming the channel.
The channel type (and description) go to the transducer field as
``TYPE[: description]``; hardware filters to the prefilter field. Annotations
are EDF+ TALs; a channel-specific annotation is one TAL holding ``label@@channel``
for each of its channels (the ``@@`` convention MNE-Python reads), grouped back
into one row on reading.
Records are at most 1 s long and must hold whole samples with a duration that
fits the 8-character field; when the length cannot be split so, the last record
is zero-padded and the padding marked with a ``BAD_padding`` annotation, which
this reader removes again (so ``read(write(rec))`` has ``rec``'s length). Other
channel fields (muscle, side, positions, status) have no EDF field and are not
written.

:class:`EdfWriter` is the streaming writer (this module's own, because edfio
holds a whole signal in memory): records are appended as data arrives, with
fixed physical ranges given up front; each annotation goes into the TAL of the
next record written; ``close()`` pads the last record (``BAD_padding``), writes
the record count and publishes the file atomically. With ``crash_safe=True``
(the recorder's mode) it writes ``<target>.part`` (:func:`part_path`) with the
record count at -1 until ``close()``, flushing and ``fsync``-ing every record as
it is completed, so a killed process leaves a file that :func:`read_all`
recovers. :func:`record_length` finds a record length near a wanted one whose
duration fits the header exactly.

Lazy reading
------------
:func:`open_lazy` (``myograph.open``) parses the header and annotations, then
reads only the data records a span needs (``os.preadv`` into a numpy buffer;
no memory map, so resident memory stays bounded). 24-bit samples are decoded
by a strided int32 view that starts one byte early followed by an arithmetic
shift by 8 — one vectorised pass — then scaled to SI units.

Modules
-------
``spec`` (the file layout), ``fields`` (tolerant decoding of single header
fields), ``header`` (:class:`EdfHeader` and its parser), ``channels`` (channel
groups, one per rate), ``records`` (reading and decoding data records),
``annotations`` (the TAL codec), ``timeline`` (record and annotation times),
``metadata`` (identification fields), ``reader`` (:func:`read_all`), ``lazy``
(:func:`open_lazy`), ``encode`` and ``layout`` (header fields and record layouts
for writing), ``writer`` (:func:`write`), ``stream`` (:class:`EdfWriter`); this
package registers the format.
"""

from __future__ import annotations

from myograph.io.edf.fields import parse_prefilter
from myograph.io.edf.header import EdfHeader, SignalHeader, read_header, sniff
from myograph.io.edf.lazy import EdfLazyRecording, open_lazy
from myograph.io.edf.reader import read_all, read_annotations
from myograph.io.edf.stream import EdfWriter, part_path, record_length
from myograph.io.edf.writer import write
from myograph.io.registry import Format, register

# Private name the tests reach through the package: channel typing.
from myograph.io.edf.channels import _channel_type  # noqa: F401

__all__ = [
    "SignalHeader", "EdfHeader", "EdfLazyRecording", "EdfWriter",
    "read_all", "read_header", "read_annotations", "open_lazy", "write", "sniff", "parse_prefilter",
    "part_path", "record_length",
]

register(Format(
    name="edf",
    description="EDF/EDF+/BDF/BDF+",
    extensions=(".edf", ".bdf", ".rec"),
    read_all=read_all,
    write=write,
    sniff=sniff,
    open=open_lazy,
))
