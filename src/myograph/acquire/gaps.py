"""Gap detection from sample counters and timestamps against the nominal rate.

Feed every :class:`~myograph.acquire.source.Block` of a stream, in order, to a
:class:`GapDetector`. It keeps a *position* for each block — the index of its
first sample on the stream's continuous time axis at the nominal rate — and
reports:

* **gaps** — samples that never arrived. With a device counter
  (``counter=True``) a jump of the counter is a gap of exactly that many
  samples. Without one (LSL: the counter only counts samples received), a
  timestamp that runs ahead of the expected time by more than the tolerance is
  a gap of ``round(jump * fs)`` samples, and later positions move on by as
  much.
* **clock steps** — with a counter, a timestamp that disagrees with the
  counter by more than the tolerance while no sample is missing: the device or
  host clock stepped; the data are intact.
* **counter resets** — a counter that goes backwards (device restarted or
  wrapped in a way the source could not unwrap): the position continues where
  it was, so the time axis never runs backwards.

Expected times are computed from the previous block (not from the start), so a
device whose clock drifts slowly against the nominal rate (tens of ppm) never
accumulates a false gap; only a jump larger than the tolerance within one block
interval is reported. Gaps become ``BAD_gap`` annotations (:meth:`to_annotations`):
the data are never interpolated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from myograph.core.annotations import Annotations
from myograph.core.errors import ParameterError
from myograph.acquire.source import Block

__all__ = ["Gap", "ClockStep", "GapDetector", "GAP_LABEL", "CLOCK_STEP_LABEL"]

GAP_LABEL = "BAD_gap"
CLOCK_STEP_LABEL = "clock_step"


@dataclass(frozen=True)
class Gap:
    """Samples that never arrived.

    Attributes
    ----------
    start_sample : int
        Position of the first missing sample on the stream's time axis.
    n_missing : int
        Missing samples.
    start_s, duration_s : float
        The same in seconds at the nominal rate (``start_sample / fs``, ``n_missing / fs``).
    timestamp_s : float
        Source clock time at which the first missing sample was due (``nan`` if unknown).
    kind : str
        ``"counter"`` (exact, from the device counter) or ``"timestamp"`` (estimated from the clock).
    """

    start_sample: int
    n_missing: int
    start_s: float
    duration_s: float
    timestamp_s: float
    kind: str


@dataclass(frozen=True)
class ClockStep:
    """The source clock jumped by ``step_s`` at ``sample`` while no sample was missing (or the counter reset)."""

    sample: int
    step_s: float
    kind: str = "clock"  # or "counter_reset"


class GapDetector:
    """Find gaps and clock steps in a stream of blocks.

    Parameters
    ----------
    fs : float
        Nominal sampling rate, Hz.
    counter : bool, default True
        Whether ``Block.first_sample`` is a device counter (see
        :attr:`StreamInfo.has_counter <myograph.acquire.source.StreamInfo.has_counter>`).
    tolerance_s : float, optional
        Largest disagreement between a block's timestamp and the expected time
        that is not reported, s. Default 1.5 sample periods.

    Attributes
    ----------
    gaps : list of Gap
    clock_steps : list of ClockStep
    missing_samples : int
        Total of ``n_missing`` over :attr:`gaps`.

    Examples
    --------
    >>> det = GapDetector(2048.0)
    >>> for block in blocks:                      # doctest: +SKIP
    ...     new_gaps = det.feed(block)
    ...     position = det.last_position          # where the block goes in a file
    """

    def __init__(self, fs: float, *, counter: bool = True, tolerance_s: float | None = None) -> None:
        fs = float(fs)
        if not (math.isfinite(fs) and fs > 0):
            raise ParameterError("fs", f"must be a positive number of Hz, got {fs!r}")
        self.fs = fs
        self.counter = bool(counter)
        self.tolerance_s = 1.5 / fs if tolerance_s is None else float(tolerance_s)
        if not (self.tolerance_s >= 0):
            raise ParameterError("tolerance_s", f"must be >= 0 s, got {tolerance_s!r}")
        self.gaps: list[Gap] = []
        self.clock_steps: list[ClockStep] = []
        self._offset = 0  # position = first_sample + offset
        self._next_counter: int | None = None
        self._next_position = 0
        self._expected_ts = math.nan  # source time the next block's first sample is due
        self.last_position = 0

    @property
    def missing_samples(self) -> int:
        return sum(g.n_missing for g in self.gaps)

    @property
    def next_position(self) -> int:
        """Position the next block is expected at."""
        return self._next_position

    def position_of(self, counter: int) -> int:
        """Position on the time axis of the sample with source counter ``counter`` (as of the blocks fed so far)."""
        if self._next_counter is None:
            return 0
        return int(counter) + self._offset

    def feed(self, block: Block) -> list[Gap]:
        """Account for ``block``; return the gaps found just before it (usually none).

        After the call, :attr:`last_position` is the block's position on the
        stream's time axis (where a recorder writes it; gaps before it are the
        ones returned).
        """
        return self._feed(block.first_sample, block.n_samples, block.timestamp_s)

    def _feed(self, first_sample: int, n: int, ts: float) -> list[Gap]:
        new: list[Gap] = []
        first_sample = int(first_sample)
        if self._next_counter is None:  # the first block anchors the axis
            self._offset = -first_sample
            pos = 0
        else:
            pos = first_sample + self._offset
            expected = self._next_position
            if pos > expected and self.counter:
                new.append(self._gap(expected, pos - expected, "counter"))
            elif pos < expected:  # counter went backwards: keep the axis monotonic
                self._offset += expected - pos
                self.clock_steps.append(ClockStep(expected, (pos - expected) / self.fs, "counter_reset"))
                pos = expected
            if math.isfinite(ts) and math.isfinite(self._expected_ts):
                due = self._expected_ts + (pos - expected) / self.fs
                jump = ts - due
                if abs(jump) > self.tolerance_s:
                    n_lost = int(round(jump * self.fs))
                    if not self.counter and n_lost > 0:
                        new.append(self._gap(pos, n_lost, "timestamp", timestamp_s=due))
                        self._offset += n_lost
                        pos += n_lost
                    else:
                        self.clock_steps.append(ClockStep(pos, jump, "clock"))
        self.last_position = pos
        self._next_counter = first_sample + n
        self._next_position = pos + n
        if math.isfinite(ts):
            self._expected_ts = ts + n / self.fs
        self.gaps.extend(new)
        return new

    def _gap(self, start: int, n: int, kind: str, timestamp_s: float | None = None) -> Gap:
        ts = self._expected_ts if timestamp_s is None else timestamp_s
        return Gap(start, n, start / self.fs, n / self.fs, ts, kind)

    def to_annotations(self, *, clock_steps: bool = False) -> Annotations:
        """``BAD_gap`` annotations for the gaps (and ``clock_step`` marks with ``clock_steps=True``)."""
        rows = [(g.start_s, g.duration_s, GAP_LABEL, ()) for g in self.gaps]
        if clock_steps:
            rows += [(c.sample / self.fs, 0.0, f"{CLOCK_STEP_LABEL} {c.step_s:+.6f} s" if c.kind == "clock"
                      else f"counter_reset {c.step_s:+.6f} s", ()) for c in self.clock_steps]
        return Annotations.from_rows(rows)
