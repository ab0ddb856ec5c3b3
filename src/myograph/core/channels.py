"""The channel table: one :class:`Channel` per row of a Recording.

Fields map one-to-one onto BIDS-EMG ``channels.tsv`` and ``electrodes.tsv``
(see :data:`BIDS_COLUMNS`). The table is immutable; changes return a new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from myograph.core.errors import ChannelError, ParameterError

__all__ = ["Channel", "ChannelTable", "CHANNEL_TYPES", "BIDS_COLUMNS", "guess_type"]

#: channel types, as in BIDS
CHANNEL_TYPES = frozenset(
    {"EMG", "ECG", "EEG", "EOG", "FORCE", "TRIG", "ACC", "GYRO", "MAGN", "ANGLE", "RESP", "TEMP",
     "MISC", "SYNC", "AUDIO", "TORQUE", "ORNT", "POS", "SPIKES", "IPT", "PPG"}
)

#: Channel attribute → BIDS column (channels.tsv, then electrodes.tsv)
BIDS_COLUMNS: dict[str, str] = {
    "name": "name",
    "type": "type",
    "units": "units",
    "description": "description",
    "muscle": "target_muscle",
    "side": "side",
    "reference": "reference",
    "group": "group",
    "low_cutoff_hz": "low_cutoff",
    "high_cutoff_hz": "high_cutoff",
    "notch_hz": "notch",
    "interelectrode_distance_mm": "interelectrode_distance",
    "status": "status",
    "status_description": "status_description",
    "row": "grid_row",
    "col": "grid_col",
    "x_mm": "x",
    "y_mm": "y",
    "z_mm": "z",
}


@dataclass(frozen=True)
class Channel:
    """One channel's description.

    Attributes
    ----------
    name : str
        Unique label.
    type : str
        One of :data:`CHANNEL_TYPES` (``"EMG"``, ``"FORCE"``, ``"TRIG"`` ...).
    units : str
        SI unit of the stored samples (``"V"`` for EMG).
    muscle, side, reference, group, description : str
        Target muscle, ``"L"``/``"R"``, reference electrode, group (grid, armband).
    low_cutoff_hz, high_cutoff_hz, notch_hz : float or None
        Hardware filters, Hz.
    interelectrode_distance_mm : float or None
        Distance between the detecting electrodes, mm.
    row, col : int or None
        Position in a grid (0-based).
    x_mm, y_mm, z_mm : float or None
        Electrode position, mm.
    status : str
        ``"good"`` or ``"bad"``; ``status_description`` says why.
    """

    name: str
    type: str = "EMG"
    units: str = "V"
    muscle: str = ""
    side: str = ""
    reference: str = ""
    group: str = ""
    description: str = ""
    low_cutoff_hz: float | None = None
    high_cutoff_hz: float | None = None
    notch_hz: float | None = None
    interelectrode_distance_mm: float | None = None
    row: int | None = None
    col: int | None = None
    x_mm: float | None = None
    y_mm: float | None = None
    z_mm: float | None = None
    status: str = "good"
    status_description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError("name", f"a channel needs a non-empty string name, got {self.name!r}")
        if self.type not in CHANNEL_TYPES:
            raise ParameterError("type", f"channel {self.name!r}: type must be one of {sorted(CHANNEL_TYPES)}, got {self.type!r}")
        if self.status not in ("good", "bad"):
            raise ParameterError("status", f"channel {self.name!r}: status must be 'good' or 'bad', got {self.status!r}")

    def replace(self, **changes: Any) -> "Channel":
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = tuple(f.name for f in dataclasses.fields(Channel))

_TYPE_HINTS = (
    ("ECG", "ECG"), ("EKG", "ECG"), ("EEG", "EEG"), ("EOG", "EOG"), ("ACC", "ACC"), ("GYRO", "GYRO"),
    ("FORCE", "FORCE"), ("TORQUE", "TORQUE"), ("TRIG", "TRIG"), ("SYNC", "SYNC"), ("RESP", "RESP"),
    ("TEMP", "TEMP"), ("EMG", "EMG"), ("ENG", "EMG"), ("MUSCLE", "EMG"),
)


def guess_type(label: str, default: str = "MISC") -> str:
    """Guess a channel type from its label (``"EMG submental"`` → ``"EMG"``)."""
    up = label.upper()
    for hint, kind in _TYPE_HINTS:
        if hint in up:
            return kind
    return default


class ChannelTable(Sequence[Channel]):
    """An immutable, ordered table of :class:`Channel` rows with unique names."""

    __slots__ = ("_rows", "_index")

    def __init__(self, channels: Iterable[Channel | str]) -> None:
        rows = tuple(c if isinstance(c, Channel) else Channel(str(c)) for c in channels)
        index: dict[str, int] = {}
        for i, c in enumerate(rows):
            if c.name in index:
                raise ParameterError("ch_names", f"channel names must be unique; {c.name!r} appears twice")
            index[c.name] = i
        self._rows = rows
        self._index = index

    # --- sequence protocol -------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return self._rows[self.index(key)]
        if isinstance(key, slice):
            return ChannelTable(self._rows[key])
        return self._rows[key]

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChannelTable) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"ChannelTable({[c.name for c in self._rows]})"

    # --- queries -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [c.name for c in self._rows]

    @property
    def types(self) -> list[str]:
        return [c.type for c in self._rows]

    def index(self, name: str) -> int:  # type: ignore[override]
        """Row index of the channel called ``name``."""
        try:
            return self._index[name]
        except KeyError:
            raise ChannelError("channel", f"no channel named {name!r}; channels are {self.names}") from None

    def where(self, **criteria: Any) -> list[int]:
        """Row indices whose attributes match ``criteria``.

        Each criterion is a value or a collection of accepted values, e.g.
        ``where(type="EMG", muscle={"biceps", "triceps"})``.
        """
        for key in criteria:
            if key not in _FIELDS:
                raise ParameterError(key, f"unknown channel field; fields are {list(_FIELDS)}")
        out = []
        for i, c in enumerate(self._rows):
            ok = True
            for key, want in criteria.items():
                have = getattr(c, key)
                accepted = want if isinstance(want, (set, frozenset, list, tuple)) else (want,)
                if have not in accepted:
                    ok = False
                    break
            if ok:
                out.append(i)
        return out

    # --- changes (new tables) -----------------------------------------------
    def take(self, indices: Sequence[int]) -> "ChannelTable":
        return ChannelTable(self._rows[i] for i in indices)

    def replace(self, name: str, **changes: Any) -> "ChannelTable":
        """A table where channel ``name`` has ``changes`` applied."""
        i = self.index(name)
        rows = list(self._rows)
        rows[i] = rows[i].replace(**changes)
        return ChannelTable(rows)

    def __add__(self, other: "ChannelTable") -> "ChannelTable":
        return ChannelTable(self._rows + tuple(other))

    # --- export -------------------------------------------------------------
    def to_dataframe(self, *, bids: bool = False) -> pd.DataFrame:
        """The table as a DataFrame; with ``bids=True`` columns use BIDS names."""
        df = pd.DataFrame([c.to_dict() for c in self._rows], columns=list(_FIELDS))
        if bids:
            df = df.rename(columns=BIDS_COLUMNS)
        return df
