"""The one interface every live source implements.

A :class:`Source` delivers :class:`Block`\\ s of samples in volts (SI, like a
Recording) with a running sample counter, so consumers can detect gaps from the
counter and from timestamps against the nominal rate. Sources are pulled: a
single acquisition thread calls :meth:`Source.read` and fans blocks out to
consumers (ring buffers for the scope, the recorder, control) — no consumer can
block the producer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from myograph.core.channels import ChannelTable
from myograph.core.metadata import Metadata

__all__ = ["StreamInfo", "Block", "Source"]


@dataclass(frozen=True)
class StreamInfo:
    """What a source streams.

    Attributes
    ----------
    name : str
        Human-readable source name (``"sim:surface"``, ``"brainflow:-1"``, ``"lsl:EMG"``).
    fs : float
        Nominal sampling rate, Hz.
    channels : ChannelTable
        Channel descriptions (units are SI: ``"V"`` for EMG).
    metadata : Metadata
        Device and placement information for the recording's header.
    physical_range : (float, float) or None
        The amplifier's input range in the channels' SI unit (volts), e.g.
        ``(-0.01, 0.01)``; the recorder uses it for the BDF physical range.
        ``None`` when the source does not know it (the recorder then uses a
        generous default).
    has_counter : bool
        ``True`` when :attr:`Block.first_sample` is the device's own sample
        counter, so a jump is a gap of exactly that many samples; ``False``
        when it only counts the samples received (LSL), so gaps can be seen
        only in the timestamps.

    Notes
    -----
    ``physical_range`` and ``has_counter`` were added (with defaults, so existing
    callers are unaffected) because the recorder needs a fixed physical range
    before the first sample arrives, and gap detection must know whether to
    trust the counter or the clock.
    """

    name: str
    fs: float
    channels: ChannelTable
    metadata: Metadata = field(default_factory=Metadata)
    physical_range: tuple[float, float] | None = None
    has_counter: bool = True

    @property
    def n_channels(self) -> int:
        return len(self.channels)


@dataclass(frozen=True)
class Block:
    """Consecutive samples from a source.

    Attributes
    ----------
    data : ndarray, shape (n_channels, n_samples)
        Samples in SI units (volts for EMG), float64 or float32.
    first_sample : int
        Source's running counter of the first sample (0 at start). A jump
        between blocks larger than the previous block's length is a gap.
    timestamp_s : float
        Source clock time of the first sample, s (device or LSL clock; not
        dejittered). ``nan`` when the source has no clock of its own.
    received_s : float
        ``time.monotonic()`` when the block was received by this process
        (for latency measurement).
    """

    data: np.ndarray
    first_sample: int
    timestamp_s: float
    received_s: float

    @property
    def n_samples(self) -> int:
        return self.data.shape[1]


class Source:
    """Base class of live sources.

    Subclasses set :attr:`info` and implement :meth:`start`, :meth:`read` and
    :meth:`stop`. Use as a context manager::

        with open_source("sim") as src:
            block = src.read(timeout_s=0.1)
    """

    info: StreamInfo

    def start(self) -> None:
        """Begin streaming."""
        raise NotImplementedError

    def read(self, timeout_s: float = 0.1) -> Block | None:
        """The next block, or ``None`` if none arrived within ``timeout_s``. Never blocks longer."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop streaming and release the device."""
        raise NotImplementedError

    def __enter__(self) -> "Source":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
