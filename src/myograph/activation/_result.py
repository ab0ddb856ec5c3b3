"""Result types: per-channel intervals with a status and, when empty, the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ChannelOnsets", "OnsetReport", "STATUSES"]

#: channel statuses; every status but ``"ok"`` comes with a reason
STATUSES = ("ok", "no_activity", "flat", "saturated", "missing", "nonfinite", "too_short")


@dataclass(frozen=True)
class ChannelOnsets:
    """What a detector found on one channel.

    Attributes
    ----------
    name : str
        Channel name (``"0"``, ``"1"`` … for plain arrays).
    intervals : ndarray, shape (k, 2)
        ``(onset_s, offset_s)`` rows, seconds from the start of the signal.
    status : str
        ``"ok"`` (bursts found), ``"no_activity"``, ``"flat"``, ``"saturated"``,
        ``"missing"`` (no finite sample), ``"nonfinite"`` (non-finite samples
        under ``nan_policy="propagate"``) or ``"too_short"``.
    reason : str or None
        Why the result is empty (None when bursts were found).
    notes : tuple of str
        Anything else worth knowing (clipped samples, masked or skipped
        seconds) even when bursts were found.
    """

    name: str
    intervals: np.ndarray
    status: str = "ok"
    reason: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        iv = np.asarray(self.intervals, dtype=np.float64).reshape(-1, 2)
        iv.flags.writeable = False
        object.__setattr__(self, "intervals", iv)

    @property
    def n_bursts(self) -> int:
        return int(self.intervals.shape[0])


@dataclass(frozen=True)
class OnsetReport:
    """Per-channel results of one detector run, with the parameters used.

    ``report.intervals`` is what :func:`myograph.activation.detect_onsets`
    returns; :meth:`to_dataframe` gives one row per burst and :meth:`summary`
    one row per channel (status, reason, count).
    """

    method: str
    fs: float
    parameters: Mapping[str, Any]
    channels: tuple[ChannelOnsets, ...]
    duration_s: float = 0.0
    one_d: bool = field(default=False, repr=False)

    @property
    def intervals(self) -> list[np.ndarray]:
        return [c.intervals for c in self.channels]

    @property
    def reasons(self) -> list[str | None]:
        return [c.reason for c in self.channels]

    def __len__(self) -> int:
        return len(self.channels)

    def __getitem__(self, i: int | str) -> ChannelOnsets:
        if isinstance(i, str):
            for c in self.channels:
                if c.name == i:
                    return c
            raise KeyError(i)
        return self.channels[i]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per burst: ``channel``, ``onset_s``, ``offset_s``, ``duration_s``."""
        rows = [(c.name, float(a), float(b), float(b - a)) for c in self.channels for a, b in c.intervals]
        return pd.DataFrame(rows, columns=["channel", "onset_s", "offset_s", "duration_s"])

    def summary(self) -> pd.DataFrame:
        """One row per channel: ``channel``, ``status``, ``n_bursts``, ``reason``, ``notes``."""
        return pd.DataFrame(
            [(c.name, c.status, c.n_bursts, c.reason, "; ".join(c.notes)) for c in self.channels],
            columns=["channel", "status", "n_bursts", "reason", "notes"],
        )

    def with_names(self, names: Sequence[str]) -> "OnsetReport":
        chans = tuple(ChannelOnsets(str(nm), c.intervals, c.status, c.reason, c.notes) for nm, c in zip(names, self.channels))
        return OnsetReport(self.method, self.fs, self.parameters, chans, self.duration_s, self.one_d)
