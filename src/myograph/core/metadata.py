"""Recording metadata with a fixed schema (no free-form dicts as the contract)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from myograph.core.errors import ParameterError

__all__ = ["Subject", "Device", "Metadata"]


@dataclass(frozen=True)
class Subject:
    """Who was recorded. ``age_years`` may be None; ``sex`` is ``"M"``, ``"F"``, ``"X"`` or ``""``."""

    id: str = ""
    age_years: float | None = None
    sex: str = ""
    handedness: str = ""
    diagnosis: str = ""


@dataclass(frozen=True)
class Device:
    """What recorded it."""

    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    software: str = ""


@dataclass(frozen=True)
class Metadata:
    """Fixed metadata schema of a Recording.

    Attributes
    ----------
    subject : Subject
    session : str
    task : str
    device : Device
    power_line_hz : float or None
        Mains frequency (50 or 60 Hz) where known.
    placement_scheme : str
        E.g. ``"SENIAM"``, ``"8x8 grid, 8 mm"``, ``"concentric needle"``.
    hardware_highpass_hz, hardware_lowpass_hz, hardware_notch_hz : float or None
        Filters applied before digitisation (recording-wide).
    start_time : datetime or None
        Wall-clock start of the recording.
    source_file, source_format : str
        Where the Recording was read from (empty for in-memory ones).
    notes : tuple of str
        Free-text lines kept from the file (e.g. WFDB header comments).
    """

    subject: Subject = field(default_factory=Subject)
    session: str = ""
    task: str = ""
    device: Device = field(default_factory=Device)
    power_line_hz: float | None = None
    placement_scheme: str = ""
    hardware_highpass_hz: float | None = None
    hardware_lowpass_hz: float | None = None
    hardware_notch_hz: float | None = None
    start_time: datetime | None = None
    source_file: str = ""
    source_format: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.power_line_hz is not None and self.power_line_hz not in (50, 60, 50.0, 60.0):
            raise ParameterError("power_line_hz", f"mains frequency must be 50 or 60 Hz (or None), got {self.power_line_hz}")
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))

    def replace(self, **changes: Any) -> "Metadata":
        """A copy with ``changes`` applied (``subject=``/``device=`` take objects)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["start_time"] = self.start_time.isoformat() if self.start_time else None
        d["notes"] = list(self.notes)
        return d
