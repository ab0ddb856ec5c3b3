"""Writing a Recording as a text table: :func:`write_text`, with its annotations in a sidecar."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from myograph._version import __version__
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.core.units import VOLTAGE_SCALE, normalize_unit
from myograph.io.atomic import atomic_open
from myograph.io.text.events import sidecar_path, write_events_csv
from myograph.io.text.header import _OWN


def _display(unit: str, units: str) -> tuple[str, float]:
    """Unit to write a channel in and the divisor from SI."""
    if unit == "V":
        u = normalize_unit(units)
        if u not in VOLTAGE_SCALE:
            raise ParameterError("units", f"must be a voltage unit {sorted(VOLTAGE_SCALE)}, got {units!r}")
        return u, VOLTAGE_SCALE[u]
    return unit, 1.0


def write_text(recording: Recording, path: str | Path, *, delimiter: str = ",", units: str = "uV",
               significant_digits: int | None = None, sidecar: bool = True) -> None:
    """Write ``recording`` as a text table, atomically.

    Parameters
    ----------
    recording : Recording
    path : path-like
    delimiter : str, default ``","``
        ``","`` for CSV, ``"\\t"`` for TSV/TXT.
    units : str, default ``"uV"``
        Unit in which voltage channels are written (``"V"``, ``"mV"``, ``"uV"``);
        other channels are written in their SI unit.
    significant_digits : int, optional
        Digits per number (``"%.{n}g"``); default: Python's shortest repr, which
        reads back exactly (within 2 ulp after a unit change).
    sidecar : bool, default True
        Write annotations to ``<stem>.annotations.csv``. An existing sidecar is
        replaced (by an empty table when the Recording has no annotations).
    """
    if len(delimiter) != 1 or delimiter in "\"#\n\r.":
        raise ParameterError("delimiter", f"must be one character other than '\"', '#', '.' or a newline, got {delimiter!r}")
    if significant_digits is not None and not (isinstance(significant_digits, int) and 1 <= significant_digits <= 17):
        raise ParameterError("significant_digits", f"must be an integer 1..17 or None, got {significant_digits!r}")
    fmt = repr if significant_digits is None else (lambda x, _f=f"%.{significant_digits}g": _f % x)
    shown = [_display(c.units, units) for c in recording.channels]
    header = ["time [s]"] + [f"{c.name} [{u}]" for c, (u, _) in zip(recording.channels, shown)]
    block = np.empty((recording.n_samples, recording.n_channels + 1))
    block[:, 0] = recording.times
    for i, (_, div) in enumerate(shown):
        block[:, i + 1] = recording.data[i] / div if div != 1.0 else recording.data[i]
    buf = io.StringIO()
    buf.write(f"# {_OWN} text table written by myograph {__version__}\n")
    buf.write(f"# {_OWN} fs_hz = {recording.fs!r}\n")
    buf.write(f"# {_OWN} types = {','.join(recording.ch_types)}\n")
    for note in recording.metadata.notes:
        for line in str(note).splitlines() or [""]:
            buf.write(f"# {line}\n")
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(header)
    buf.write("".join(delimiter.join(map(fmt, row)) + "\n" for row in block.tolist()))
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    side = sidecar_path(path)
    if sidecar and (len(recording.annotations) or side.exists()):
        write_events_csv(recording.annotations, side)
