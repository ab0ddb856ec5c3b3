"""What a reader reads from: a path, bytes, or a binary file object.

Every reader takes an :class:`Input`, so each format works the same from a
file on disk and from bytes in memory, and names its source in errors.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from myograph.core.errors import ParameterError

__all__ = ["Input", "as_input"]


class Input:
    """A readable source with a name for messages.

    Attributes
    ----------
    path : Path or None
        The file, when reading from disk.
    name : str
        File name for messages (``"<bytes>"`` for anonymous bytes).
    suffix : str
        Lower-case extension including the dot (``".bdf"``), or ``""``.
    """

    def __init__(self, path: Path | None = None, data: bytes | None = None, name: str | None = None) -> None:
        self.path = path
        self._data = data
        self.name = name or (str(path) if path is not None else "<bytes>")
        self.suffix = "".join(Path(self.name).suffixes[-1:]).lower() if self.name != "<bytes>" else ""

    @property
    def size(self) -> int:
        """Number of bytes."""
        return os.path.getsize(self.path) if self.path is not None else len(self._data or b"")

    def head(self, n: int = 4096) -> bytes:
        """The first ``n`` bytes (fewer if the source is shorter)."""
        if self.path is not None:
            with open(self.path, "rb") as f:
                return f.read(n)
        return (self._data or b"")[:n]

    def read_bytes(self) -> bytes:
        """All bytes."""
        if self.path is not None:
            return self.path.read_bytes()
        return self._data or b""

    def open(self) -> IO[bytes]:
        """A binary file object positioned at the start."""
        if self.path is not None:
            return open(self.path, "rb")
        return io.BytesIO(self._data or b"")

    @contextmanager
    def as_path(self, suffix: str | None = None) -> Iterator[Path]:
        """A path to the bytes, for libraries that only read files (temporary if needed)."""
        if self.path is not None:
            yield self.path
            return
        fd, tmp = tempfile.mkstemp(suffix=suffix if suffix is not None else self.suffix, prefix="myograph-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self._data or b"")
            yield Path(tmp)
        finally:
            os.unlink(tmp)

    def sibling(self, suffix: str) -> Path | None:
        """The file with the same stem and another extension (``.hea`` → ``.dat``), if on disk."""
        if self.path is None:
            return None
        return self.path.with_suffix(suffix)


def as_input(source: Any, *, name: str | None = None) -> Input:
    """Turn a path, bytes, or binary file object into an :class:`Input`.

    A missing path raises the built-in :class:`FileNotFoundError` (not a
    :class:`~myograph.MyographError`), so "no such file" stays distinguishable
    from "bad file".
    """
    if isinstance(source, Input):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Input(data=bytes(source), name=name)
    if isinstance(source, (str, os.PathLike)):
        p = Path(source).expanduser()
        if not p.exists():
            raise FileNotFoundError(2, "No such file", str(p))
        if p.is_dir() and p.suffix.lower() not in (".bids",):
            raise IsADirectoryError(21, "Is a directory, not a recording file", str(p))
        return Input(path=p, name=name)
    if hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise ParameterError("source", "file objects must be opened in binary mode ('rb')")
        return Input(data=bytes(data), name=name or getattr(source, "name", None))
    raise ParameterError("source", f"expected a path, bytes or a binary file object, got {type(source).__name__}")
