"""Live acquisition: sources (simulator, BrainFlow, LSL), ring buffer, gap detection, recorder."""

from myograph.acquire.source import Block, Source, StreamInfo

__all__ = ["Block", "Source", "StreamInfo"]
