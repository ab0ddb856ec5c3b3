"""Annotations: a table of time-stamped events and spans.

Each row has an onset (s from the start of the Recording), a duration (s, 0 for
an instant), a label and the channels it concerns (empty = all). Onsets, gait
events, gesture labels and bad spans (``BAD_saturated``, ``BAD_flat``,
``BAD_gap``) are all annotations: quality problems are data, not deletions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from myograph.core.errors import ParameterError

__all__ = ["Annotation", "Annotations"]


@dataclass(frozen=True)
class Annotation:
    """One row: ``onset`` s, ``duration`` s, ``label``, ``channels`` (empty = all)."""

    onset: float
    duration: float
    label: str
    channels: tuple[str, ...] = ()


class Annotations:
    """An immutable table of :class:`Annotation` rows, sorted by onset.

    Parameters
    ----------
    onset, duration : array-like of float
        Seconds from the start of the recording.
    label : array-like of str
    channels : iterable of tuple of str, optional
        Channels each row concerns; empty tuple = all channels.
    """

    __slots__ = ("_onset", "_duration", "_label", "_channels")

    def __init__(self, onset=(), duration=None, label=None, channels=None) -> None:
        on = np.asarray(onset, dtype=float).reshape(-1)
        n = on.size
        du = np.zeros(n) if duration is None else np.asarray(duration, dtype=float).reshape(-1)
        lab = [""] * n if label is None else [str(s) for s in label]
        ch = [()] * n if channels is None else [tuple(str(c) for c in cs) for cs in channels]
        if not (du.size == len(lab) == len(ch) == n):
            raise ParameterError("annotations", f"onset, duration, label, channels must have equal lengths, got {n}, {du.size}, {len(lab)}, {len(ch)}")
        if n and (not np.all(np.isfinite(on)) or not np.all(np.isfinite(du))):
            raise ParameterError("annotations", "onsets and durations must be finite numbers")
        if n and np.any(du < 0):
            raise ParameterError("duration", f"annotation durations must be >= 0 s, got {du.min()}")
        order = np.argsort(on, kind="stable")
        self._onset = on[order]
        self._duration = du[order]
        self._label = tuple(lab[i] for i in order)
        self._channels = tuple(ch[i] for i in order)
        for a in (self._onset, self._duration):
            a.flags.writeable = False

    @classmethod
    def from_rows(cls, rows: Iterable[Annotation | tuple]) -> "Annotations":
        """Build from :class:`Annotation` objects or ``(onset, duration, label[, channels])`` tuples."""
        rs = [r if isinstance(r, Annotation) else Annotation(*r) for r in rows]
        return cls([r.onset for r in rs], [r.duration for r in rs], [r.label for r in rs], [r.channels for r in rs])

    # --- access ----------------------------------------------------------------
    @property
    def onset(self) -> np.ndarray:
        return self._onset

    @property
    def duration(self) -> np.ndarray:
        return self._duration

    @property
    def label(self) -> tuple[str, ...]:
        return self._label

    @property
    def channels(self) -> tuple[tuple[str, ...], ...]:
        return self._channels

    def __len__(self) -> int:
        return self._onset.size

    def __iter__(self) -> Iterator[Annotation]:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, i: int) -> Annotation:
        return Annotation(float(self._onset[i]), float(self._duration[i]), self._label[i], self._channels[i])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Annotations)
            and np.array_equal(self._onset, other._onset)
            and np.array_equal(self._duration, other._duration)
            and self._label == other._label
            and self._channels == other._channels
        )

    def __repr__(self) -> str:
        return f"Annotations({len(self)} rows: {sorted(set(self._label))[:8]})"

    # --- new tables ----------------------------------------------------------------
    def _take(self, idx) -> "Annotations":
        idx = np.asarray(idx, dtype=int)
        return Annotations(self._onset[idx], self._duration[idx], [self._label[i] for i in idx], [self._channels[i] for i in idx])

    def add(self, onset: float, duration: float, label: str, channels: Iterable[str] = ()) -> "Annotations":
        """A table with one more row."""
        return self + Annotations([onset], [duration], [label], [tuple(channels)])

    def __add__(self, other: "Annotations") -> "Annotations":
        return Annotations(
            np.concatenate([self._onset, other.onset]),
            np.concatenate([self._duration, other.duration]),
            self._label + other.label,
            self._channels + other.channels,
        )

    def select(self, label: str | None = None, *, prefix: str | None = None, channel: str | None = None) -> "Annotations":
        """Rows whose label equals ``label``, or starts with ``prefix``, and that concern ``channel``."""
        keep = []
        for i in range(len(self)):
            if label is not None and self._label[i] != label:
                continue
            if prefix is not None and not self._label[i].startswith(prefix):
                continue
            if channel is not None and self._channels[i] and channel not in self._channels[i]:
                continue
            keep.append(i)
        return self._take(keep)

    def crop(self, start_s: float, stop_s: float) -> "Annotations":
        """Rows overlapping ``[start_s, stop_s)``, clipped to it and shifted so ``start_s`` is 0."""
        end = self._onset + self._duration
        span = (self._duration > 0) & (end > start_s) & (self._onset < stop_s)
        instant = (self._duration == 0) & (self._onset >= start_s) & (self._onset < stop_s)
        keep = np.flatnonzero(span | instant)
        on = np.clip(self._onset[keep], start_s, stop_s)
        en = np.clip(end[keep], start_s, stop_s)
        return Annotations(on - start_s, en - on, [self._label[i] for i in keep], [self._channels[i] for i in keep])

    def shift(self, seconds: float) -> "Annotations":
        """All onsets moved by ``seconds``."""
        return Annotations(self._onset + seconds, self._duration, self._label, self._channels)

    def restrict_channels(self, names: Iterable[str]) -> "Annotations":
        """Drop rows that concern only channels outside ``names``; trim channel lists."""
        keep_names = set(names)
        on, du, lab, ch = [], [], [], []
        for a in self:
            if a.channels:
                inside = tuple(c for c in a.channels if c in keep_names)
                if not inside:
                    continue
            else:
                inside = ()
            on.append(a.onset)
            du.append(a.duration)
            lab.append(a.label)
            ch.append(inside)
        return Annotations(on, du, lab, ch)

    def to_dataframe(self) -> pd.DataFrame:
        """Columns ``onset``, ``duration``, ``label``, ``channels`` (comma-joined)."""
        return pd.DataFrame(
            {
                "onset": self._onset.copy(),
                "duration": self._duration.copy(),
                "label": list(self._label),
                "channels": [",".join(c) for c in self._channels],
            }
        )
