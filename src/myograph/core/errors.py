"""One error vocabulary and one warning class for all of myograph.

Every message names the file, field or parameter, what was allowed and what was
got, so that a user can act on it without reading the source.
"""

from __future__ import annotations

import warnings
from os import PathLike
from typing import Any

__all__ = [
    "MyographError",
    "FileFormatError",
    "ParameterError",
    "SignalError",
    "ChannelError",
    "MyographWarning",
    "warn",
]


class MyographError(Exception):
    """Base class of every error myograph raises on purpose."""


class FileFormatError(MyographError, ValueError):
    """A file is not in the format it claims, or a field of it is unusable.

    Parameters
    ----------
    file : str or path-like
        The file (or ``"<bytes>"`` for in-memory input).
    field : str
        The header field or part of the file at fault (``"n_records"``,
        ``"signal[3].digital_min"``, ``"data"`` ...).
    problem : str
        What was wrong, with what was expected and what was found.
    """

    def __init__(self, file: str | PathLike[str], field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.file}: {field}: {problem}")


class ParameterError(MyographError, ValueError):
    """A function argument is out of range or of the wrong kind.

    Parameters
    ----------
    name : str
        The parameter's name as the user typed it.
    problem : str
        What was allowed and what was got.
    """

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class ChannelError(ParameterError, KeyError):
    """A channel named by the user does not exist (or is ambiguous)."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return f"{self.name}: {self.problem}"


class SignalError(MyographError, ValueError):
    """The samples cannot be processed as asked (too short, NaN, flat ...)."""


class MyographWarning(UserWarning):
    """The one warning class: something was repaired, guessed or skipped."""


def warn(message: str, *, stacklevel: int = 2, **_: Any) -> None:
    """Issue a :class:`MyographWarning` pointing at the caller's caller."""
    warnings.warn(message, MyographWarning, stacklevel=stacklevel + 1)
