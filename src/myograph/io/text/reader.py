"""Reading a text table: :func:`read_text` and the parser of generic (non-Vicon) tables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.core.units import normalize_unit
from myograph.io._input import Input
from myograph.io.text.build import _build, _Parsed
from myograph.io.text.cells import _TIME_UNITS, split_unit
from myograph.io.text.columns import _assign_roles
from myograph.io.text.events import _SIDECAR_COLUMNS
from myograph.io.text.header import _header, _header_fs, _split_lines
from myograph.io.text.sniff import _DECIMAL_COMMA, _decode, _is_vicon, _sniff_decimal, _sniff_delimiter, _tokenise
from myograph.io.text.table import _Column, _drop_trailing_empty, _mode_width, _rectangular
from myograph.io.text.vicon import _read_vicon

_OPTIONS = frozenset({"time_column", "label_column", "label_prefix", "units", "ch_types", "names",
                      "delimiter", "decimal", "sidecar"})


def _parse_generic(text: str, src: Input, log: RepairLog, options: Mapping[str, Any]) -> _Parsed:
    lines = _split_lines(text)
    if not lines.content:
        raise FileFormatError(src.name, "data", "holds only comments, no data rows")
    delimiter = options.get("delimiter")
    if delimiter is None:
        delimiter = _sniff_delimiter(lines.content)
    elif delimiter in (" ", "whitespace"):
        delimiter = None
    rows = _tokenise(lines.content, delimiter)
    decimal = options.get("decimal") or _sniff_decimal(rows[1:] if len(rows) > 1 else rows, delimiter)
    if decimal not in (".", ","):
        raise ParameterError("decimal", f"must be '.' or ',', got {decimal!r}")
    numbers = list(lines.numbers)
    if decimal == ",":
        rows = [[c.replace(",", ".") if _DECIMAL_COMMA.match(c) else c for c in r] for r in rows]
    header, units_row, start = _header(rows, options.get("names"))
    if header is not None and [h.lower() for h in header[:3]] == _SIDECAR_COLUMNS[:3]:
        raise FileFormatError(src.name, "header", "is an annotations table (onset, duration, label), not a signal; "
                              "read it with myograph.io.text.read_events_csv")
    body, body_numbers = rows[start:], numbers[start:]
    header, body = _drop_trailing_empty(header, body)
    n_cols = len(header) if header is not None else _mode_width(body)
    if options.get("names") is not None and body and n_cols != _mode_width(body):
        raise ParameterError("names", f"{n_cols} names for a table of {_mode_width(body)} columns")
    body, body_numbers = _rectangular(body, body_numbers, n_cols, src, log)
    raw_adc = None
    labels = lines.keys.get("labels")
    if header is None and labels is not None:
        cand = [s.strip() for s in re.split(r"[\t,;]", labels) if s.strip()]
        if len(cand) == n_cols:
            header = cand
    bits = re.match(r"^\s*(\d+)\s*(?:bits?)?\s*$", lines.keys.get("resolution", ""))
    if bits:
        raw_adc = f"{int(bits.group(1))}-bit"
    cols = []
    for k in range(n_cols):
        cell = header[k] if header is not None and k < len(header) else ""
        name, unit = split_unit(cell) if header is not None else ("", None)
        if units_row is not None and k < len(units_row) and units_row[k] and unit is None:
            unit = normalize_unit(units_row[k]) if units_row[k].lower() not in _TIME_UNITS else units_row[k].lower()
        cols.append(_Column(k, name, unit))
    if header is None:
        for k, c in enumerate(cols):
            c.name = ""
    _assign_roles(cols, body, header is not None, options)
    data_k = 0
    for c in cols:
        if c.role == "data" and not c.name:
            data_k += 1
            c.name = f"EMG{data_k}"
        elif c.role == "data":
            data_k += 1
        elif c.role == "label" and not c.name:
            c.name = "label"
        elif not c.name:
            c.name = c.role
    own_types = [t.strip() for t in lines.own["types"].split(",")] if "types" in lines.own else None
    return _Parsed(cols, body, body_numbers, decimal, delimiter, lines.notes, _header_fs(lines, src), raw_adc, own_types)


def read_text(src: Input, *, log: RepairLog, fs: float | None = None, format_name: str = "csv",
              **options: Any) -> list[Recording]:
    """Read a text table (CSV, TSV, plain text, Vicon Nexus CSV) into Recordings.

    Parameters
    ----------
    src : Input
        The file or bytes.
    log : RepairLog
        Collects repairs (or refuses them when strict).
    fs : float, optional
        Sampling rate in Hz; required when the file has neither a time column
        nor a sampling-rate header line. When both are present they must agree
        (the last sample placed within half a sample period), else
        :class:`~myograph.ParameterError`.
    format_name : str
        Name recorded as ``Metadata.source_format``.
    **options
        time_column : str, int or False
            The time column (name or 0-based index); ``False`` for none. Default: detected.
        label_column : str or int
            A per-sample label column, turned into annotations (not a channel).
        label_prefix : str
            Prefix of each label annotation; default ``"<label column name>:"``.
        units : str, sequence or mapping
            Unit of the data columns (one for all, one per data column, or by
            name), e.g. ``"uV"``. Must not contradict a unit the file states.
        ch_types : str, sequence or mapping
            Channel types (default: from the unit or the name, else EMG).
        names : sequence of str
            Column names for a header-less file (all columns, including time and label).
        delimiter : str
            Force ``","``, ``";"``, ``"\\t"``, ``"|"`` or ``"whitespace"``.
        decimal : str
            Force ``"."`` or ``","``.
        sidecar : bool, default True
            Read ``<stem>.annotations.csv`` beside the file when present.

    Returns
    -------
    list of Recording
        One per sampling rate (one, except Vicon exports with several sections).
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ParameterError(sorted(unknown)[0], f"unknown option for text tables; options are {sorted(_OPTIONS)}")
    text = _decode(src, src.read_bytes(), log)
    if _is_vicon(text):
        return _read_vicon(text, src, log, fs, options, format_name)
    parsed = _parse_generic(text, src, log, options)
    return [_build(parsed, src, log, fs, options, format_name)]
