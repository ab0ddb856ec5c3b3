"""Provenance: how a Recording was made, one step per operation.

Every operation that returns a new :class:`~myograph.Recording` appends a
:class:`Step` (operation name, JSON-able parameters, myograph version). Readers
add a ``read`` step and one ``repair`` step per fix they made to a damaged
file, so a processed file can say how it was made and what was mended.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from myograph._version import __version__
from myograph.core.errors import FileFormatError, warn

__all__ = ["Step", "RepairLog", "jsonable"]


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON types (numpy scalars/arrays, paths, tuples)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


@dataclass(frozen=True)
class Step:
    """One operation in a Recording's history.

    Attributes
    ----------
    operation : str
        Dotted name, e.g. ``"read"``, ``"repair"``, ``"crop"``, ``"signal.bandpass"``.
    parameters : Mapping
        JSON-able parameters (read-only).
    version : str
        myograph version that performed it.
    time : str
        UTC ISO-8601 time at which it was performed.
    """

    operation: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    version: str = __version__
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(jsonable(dict(self.parameters))))

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON files and EDF+ annotations."""
        return {
            "operation": self.operation,
            "parameters": dict(self.parameters),
            "version": self.version,
            "time": self.time,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Step":
        return cls(d["operation"], d.get("parameters", {}), d.get("version", "?"), d.get("time", ""))

    def __str__(self) -> str:
        return f"{self.operation} {json.dumps(dict(self.parameters), ensure_ascii=False)}"


class RepairLog:
    """Collects the fixes a tolerant reader makes, or refuses them in strict mode.

    A reader calls :meth:`repair` for every problem it can mend. In strict mode
    that raises :class:`FileFormatError` naming the file and field; otherwise it
    issues a :class:`MyographWarning` and keeps a ``repair`` :class:`Step` that the
    reader attaches to the Recording's provenance.

    Parameters
    ----------
    file : str
        File name used in messages.
    strict : bool
        Refuse instead of repair.
    """

    def __init__(self, file: str, *, strict: bool = False) -> None:
        self.file = file
        self.strict = strict
        self.steps: list[Step] = []

    def repair(self, field: str, problem: str, action: str) -> None:
        """Record (or, if strict, refuse) one repair of ``field``."""
        if self.strict:
            raise FileFormatError(self.file, field, f"{problem} (strict=True refuses to repair)")
        warn(f"{self.file}: {field}: {problem}; {action}", stacklevel=3)
        self.steps.append(Step("repair", {"file": self.file, "field": field, "problem": problem, "action": action}))

    def provenance(self, format: str, **parameters: Any) -> tuple[Step, ...]:
        """The steps a reader attaches: one ``read`` step, then every repair."""
        return (Step("read", {"file": self.file, "format": format, **parameters}), *self.steps)

    def error(self, field: str, problem: str) -> FileFormatError:
        """Return (for the caller to raise) an error about ``field`` of this file."""
        return FileFormatError(self.file, field, problem)
