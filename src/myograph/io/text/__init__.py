"""Text tables — CSV, TSV and plain text — read and written.

Reading
-------
One reader handles ``.csv``, ``.tsv``/``.tab`` and ``.txt`` files (and text
bytes). It recognises

* the delimiter (tab, ``;``, ``,``, ``|`` or runs of whitespace) and decimal
  commas (``0,5`` in a ``;``- or tab-separated file);
* comment lines starting with ``#`` (kept in :attr:`Metadata.notes`), with
  ``key: value`` / ``key = value`` / ``key:= value`` sampling-rate and label
  lines such as BioSPPy's "Simple Text Format" header;
* a header row (any non-numeric cell) and an optional units row; units in
  header cells as ``biceps [mV]``, ``biceps (uV)`` or ``biceps_uV``;
* a time column (named ``time``, ``t``, ``seconds``, ``time_s``, ``Time [ms]``
  ... or, in a header-less file, a strictly increasing first column) that
  gives the sampling rate; a sample-index column (``sample``, ``index``,
  ``frame`` or a header-less first column counting 0, 1, 2 ...) is dropped;
* a per-sample label column (``label_column=``, or a column headed ``label``,
  ``labels``, ``class`` or ``gesture``) that becomes annotations, one per
  constant-label segment, labelled ``"<prefix><value>"``;
* Vicon Nexus CSV exports (``Devices`` / ``Trajectories`` sections, each at its
  own rate → one Recording per section).

Repairs (each a :class:`~myograph.MyographWarning` and a ``repair`` step in
provenance; ``strict=True`` refuses them instead): empty or non-numeric cells
become NaN and are marked with ``BAD_gap`` annotations; a short last row is
dropped as truncated; other short rows are padded with NaN; duplicate column
names get ``_2``, ``_3`` suffixes; a jittered time column is replaced by a
uniform grid at ``1 / median step``; a unit that the file does not state is
assumed to be volts. Errors (:class:`~myograph.FileFormatError` naming file and
field): binary content, no data rows, rows longer than the header, a time
column that is not increasing or whose steps vary by more than
:data:`JITTER_TOLERANCE`.

Writing
-------
:func:`write_text` writes a ``time [s]`` column and one column per channel
headed ``name [unit]`` (voltages in µV by default), preceded by ``#`` comment
lines holding the sampling rate, channel types and the metadata notes.
Annotations go to a sidecar ``<stem>.annotations.csv`` (columns ``onset``,
``duration``, ``label``, ``channels``) that the reader picks up again. Numbers
are written as Python's shortest round-trip ``repr``: with ``units="V"`` the
samples read back bit-identical; with the default µV they read back within
2 units in the last place (relative error < 5e-16).

Modules
-------
``cells`` (known names and units, :func:`split_unit`), ``sniff`` (bytes to text,
delimiter and decimal mark, :func:`sniff_text`), ``header`` (comment lines, header
and units rows), ``table`` (columns and rows), ``timebase`` (the sampling rate),
``columns`` (roles, units, channel types), ``labels`` (per-sample marks to
annotations), ``events`` (events tables and the sidecar), ``build`` (a Recording
from a parsed table), ``vicon`` (Vicon Nexus exports), ``reader``
(:func:`read_text`), ``writer`` (:func:`write_text`); this package registers the
formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.io._input import Input
from myograph.io.registry import Format, register
from myograph.io.text.cells import split_unit
from myograph.io.text.events import read_events_csv, sidecar_path, write_events_csv
from myograph.io.text.labels import gap_annotations, label_annotations
from myograph.io.text.reader import read_text
from myograph.io.text.sniff import sniff_text
from myograph.io.text.timebase import JITTER_TOLERANCE, first_time_s
from myograph.io.text.writer import write_text

__all__ = [
    "read_text", "write_text", "read_events_csv", "write_events_csv", "first_time_s", "sniff_text",
    "sidecar_path", "split_unit", "label_annotations", "gap_annotations", "JITTER_TOLERANCE",
]


def _reader(name: str):
    def read_all(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> list[Recording]:
        return read_text(src, log=log, fs=fs, format_name=name, **options)

    read_all.__doc__ = f"Read a {name.upper()} table; see :func:`read_text`."
    return read_all


def _writer(delimiter: str):
    def write(recording: Recording, path: str | Path, **options: Any) -> None:
        options.setdefault("delimiter", delimiter)
        write_text(recording, path, **options)

    write.__doc__ = "Write a text table; see :func:`write_text`."
    return write


register(Format("csv", "CSV text table", (".csv",), _reader("csv"), _writer(","), sniff_text))
register(Format("tsv", "tab-separated text table", (".tsv", ".tab"), _reader("tsv"), _writer("\t"), sniff_text))
register(Format("txt", "plain text table", (".txt", ".asc"), _reader("txt"), _writer("\t"), sniff_text))
