"""myograph — open electromyograph software: EMG from the electrode to a decision.

The core object is :class:`Recording` (samples in volts, one sampling rate, a
channel table, annotations, metadata and provenance). Files are read with
:func:`read` / :func:`read_all` / :func:`open` and written with :func:`write`.
"""

from myograph._version import __version__
from myograph.core import (
    Annotation,
    Annotations,
    Channel,
    ChannelError,
    ChannelTable,
    Device,
    FileFormatError,
    Metadata,
    MyographError,
    MyographWarning,
    ParameterError,
    Recording,
    SignalError,
    Step,
    Subject,
    concatenate_channels,
)
from myograph.io import FORMATS, open, read, read_all, write  # noqa: A004

__all__ = [
    "__version__", "Annotation", "Annotations", "Channel", "ChannelError", "ChannelTable", "Device",
    "FileFormatError", "Metadata", "MyographError", "MyographWarning", "ParameterError", "Recording",
    "SignalError", "Step", "Subject", "concatenate_channels", "FORMATS", "open", "read", "read_all", "write",
]
