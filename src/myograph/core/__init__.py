"""The core layer: Recording, channels, annotations, metadata, provenance, errors, units."""

from myograph.core.annotations import Annotation, Annotations
from myograph.core.channels import CHANNEL_TYPES, Channel, ChannelTable
from myograph.core.errors import (
    ChannelError,
    FileFormatError,
    MyographError,
    MyographWarning,
    ParameterError,
    SignalError,
)
from myograph.core.metadata import Device, Metadata, Subject
from myograph.core.provenance import RepairLog, Step
from myograph.core.recording import Recording, concatenate_channels

__all__ = [
    "Annotation", "Annotations", "CHANNEL_TYPES", "Channel", "ChannelTable", "ChannelError", "FileFormatError",
    "MyographError", "MyographWarning", "ParameterError", "SignalError", "Device", "Metadata", "Subject",
    "RepairLog", "Step", "Recording", "concatenate_channels",
]
