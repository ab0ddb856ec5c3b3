"""Reading and writing recordings: ``read``, ``read_all``, ``write``, ``open``.

The reader is chosen by content first and extension second (see
:func:`myograph.io.registry.detect_format`); the writer by extension. One
module per format registers itself in :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from myograph.core.errors import FileFormatError, MyographError, ParameterError
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.io._input import Input, as_input
from myograph.io.lazy import InMemoryLazy, LazyRecording
from myograph.io.registry import FORMATS, Format, detect_format, format_for_writing, register

__all__ = ["read", "read_all", "write", "open", "main_recording", "FORMATS", "Format", "register", "LazyRecording", "Input"]

#: the format modules, each registering itself on import
_FORMAT_MODULES = ("edf", "wfdb", "c3d", "text", "xdf", "mat")
for _m in _FORMAT_MODULES:
    importlib.import_module(f"myograph.io.{_m}")


def _guarded(src: Input, fmt: Format, call, *args, **kwargs):
    """Run a reader; any exception that is not ours becomes a FileFormatError naming the file."""
    try:
        return call(*args, **kwargs)
    except (MyographError, FileNotFoundError, MemoryError, KeyboardInterrupt, Warning):
        raise  # ours, or a warning the caller's filter turned into an exception
    except Exception as exc:  # a library choked on a damaged file
        raise FileFormatError(src.name, "file", f"could not be read as {fmt.description}: {type(exc).__name__}: {exc}") from exc


def read_all(source: Any, *, fs: float | None = None, strict: bool = False, format: str | None = None,
             **options: Any) -> list[Recording]:
    """Read every part of a file: one Recording per sampling rate.

    Parameters
    ----------
    source : path, bytes or binary file object
    fs : float, optional
        Sampling rate in Hz, for formats that do not store one (header-less text).
    strict : bool, default False
        Refuse damaged files instead of repairing them (repairs warn and are
        recorded in provenance).
    format : str, optional
        Force a format by name (see :data:`FORMATS`) instead of detecting it.
    **options
        Format-specific options, documented in each format module.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    FileFormatError
        The file is damaged or not in a known format; the message names the file and field.
    """
    src = as_input(source)
    fmt = detect_format(src, format)
    log = RepairLog(src.name, strict=strict)
    recs = _guarded(src, fmt, fmt.read_all, src, log=log, fs=fs, **options)
    if not recs:
        raise FileFormatError(src.name, "data", "holds no signal")
    return list(recs)


def main_recording(parts: list[Recording]) -> Recording:
    """Of the parts of a multi-rate file, the one at the EMG rate.

    The part with the most EMG channels; ties go to more voltage channels, then the
    higher rate, then more channels (so a C3D without EMG labels gives its analogs, not
    its marker positions).
    """

    def rank(r: Recording) -> tuple:
        return (sum(t == "EMG" for t in r.ch_types), sum(c.units == "V" for c in r.channels), r.fs, r.n_channels)

    return max(parts, key=rank)


def read(source: Any, *, fs: float | None = None, strict: bool = False, format: str | None = None,
         **options: Any) -> Recording:
    """Read a recording: the part at the EMG sampling rate.

    Same parameters as :func:`read_all`; of a multi-rate file (C3D analog and
    marker rates, EDF with mixed rates) it returns the Recording with the most
    EMG channels (ties: more channels, then the higher rate).

    Examples
    --------
    >>> rec = myograph.read("walk.c3d")        # doctest: +SKIP
    >>> rec = myograph.read("trial.csv", fs=2000.0)  # doctest: +SKIP
    """
    return main_recording(read_all(source, fs=fs, strict=strict, format=format, **options))


def write(recording: Recording, path: str | os.PathLike[str], *, format: str | None = None, **options: Any) -> None:
    """Write ``recording`` to ``path``, atomically; the format follows the extension.

    Raises :class:`ParameterError` for an extension no writer handles.
    """
    if not isinstance(recording, Recording):
        raise ParameterError("recording", f"expected a Recording, got {type(recording).__name__}")
    p = Path(path)
    fmt = format_for_writing(p.suffix, format)
    fmt.write(recording, p, **options)


def open(source: Any, *, fs: float | None = None, strict: bool = False, format: str | None = None,  # noqa: A001
         **options: Any) -> LazyRecording:
    """Open a recording lazily: header now, samples with ``read()``/``iter_chunks(seconds)``.

    EDF/BDF files are read chunk by chunk from disk, so files larger than
    memory can be processed; other formats are read whole behind the same
    interface.
    """
    src = as_input(source)
    fmt = detect_format(src, format)
    if fmt.open is not None:
        log = RepairLog(src.name, strict=strict)
        return _guarded(src, fmt, fmt.open, src, log=log, fs=fs, **options)
    return InMemoryLazy(read(src, fs=fs, strict=strict, format=fmt.name, **options))
