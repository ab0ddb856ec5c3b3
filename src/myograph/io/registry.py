"""The format registry: which module reads and writes which files.

Each format module registers one :class:`Format` with

* ``extensions`` — how its files are usually named;
* ``sniff(head, input)`` — True when the first bytes look like this format
  (content beats extension: a text file named ``.edf`` is refused as EDF);
* ``read_all(input, *, strict, **options)`` — one Recording per sampling rate;
* ``write(recording, path, **options)`` — optional, atomic;
* ``open(input, **options)`` — optional lazy access (see :mod:`myograph.io.lazy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from myograph.core.errors import FileFormatError, ParameterError
from myograph.io._input import Input

__all__ = ["Format", "register", "FORMATS", "detect_format", "format_for_writing"]


@dataclass(frozen=True)
class Format:
    """How myograph handles one file format."""

    name: str
    description: str
    extensions: tuple[str, ...]
    read_all: Callable | None = None
    write: Callable | None = None
    sniff: Callable[[bytes, Input], bool] | None = None
    open: Callable | None = None


#: name → Format, in registration order
FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add ``fmt`` to :data:`FORMATS` (replacing one of the same name)."""
    FORMATS[fmt.name] = fmt
    return fmt


def _by_extension(suffix: str) -> list[Format]:
    return [f for f in FORMATS.values() if suffix in f.extensions]


def detect_format(src: Input, format: str | None = None) -> Format:
    """Pick the reader for ``src``: by explicit name, else by content, else by extension.

    A file whose extension names a format but whose content is that of another
    is read as the content says; one whose content matches nothing and whose
    extension's format has a sniffer that says no is refused.
    """
    if format is not None:
        try:
            fmt = FORMATS[format.lower()]
        except KeyError:
            raise ParameterError("format", f"unknown format {format!r}; known: {sorted(FORMATS)}") from None
        if fmt.read_all is None:
            raise ParameterError("format", f"myograph cannot read {fmt.name} files")
        return fmt
    if src.size == 0:
        raise FileFormatError(src.name, "file", "is empty (0 bytes)")
    head = src.head(4096)
    readable = [f for f in FORMATS.values() if f.read_all is not None]
    by_ext = [f for f in _by_extension(src.suffix) if f.read_all is not None]
    # 1. content that a sniffer recognises, preferring the extension's own format
    for fmt in by_ext + [f for f in readable if f not in by_ext]:
        if fmt.sniff is not None and fmt.sniff(head, src):
            return fmt
    # 2. an extension whose format cannot be sniffed (e.g. plain text tables)
    for fmt in by_ext:
        if fmt.sniff is None:
            return fmt
    if by_ext:
        raise FileFormatError(src.name, "header", f"the extension says {by_ext[0].name} but the content is not {by_ext[0].description} ({head[:16]!r}...)")
    raise FileFormatError(src.name, "file", f"unknown format (extension {src.suffix or 'none'!r}, starts with {head[:16]!r}); known formats: {sorted(FORMATS)}")


def format_for_writing(path_suffix: str, format: str | None = None) -> Format:
    """The writer for a file name's extension (or an explicit ``format``)."""
    if format is not None:
        fmt = FORMATS.get(format.lower())
        if fmt is None or fmt.write is None:
            raise ParameterError("format", f"cannot write {format!r}; writable formats: {sorted(n for n, f in FORMATS.items() if f.write)}")
        return fmt
    for fmt in _by_extension(path_suffix.lower()):
        if fmt.write is not None:
            return fmt
    raise ParameterError("path", f"no writer for extension {path_suffix!r}; writable: {sorted(e for f in FORMATS.values() if f.write for e in f.extensions)}")
