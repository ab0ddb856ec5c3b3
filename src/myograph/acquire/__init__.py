"""Live acquisition: sources (simulator, BrainFlow, LSL), ring buffer, gap detection, recorder.

``open_source(spec)`` opens any source from a string (``"sim"``, ``"sim:hdemg"``,
``"brainflow:-1"``, ``"lsl:NAME"``); :class:`Acquisition` pulls it in a thread and
fans blocks out to ring buffers, a crash-safe :class:`Recorder` and callbacks;
:func:`run_control` runs a trained controller on a source (decisions, logs, delay). The
BrainFlow and LSL modules import their libraries only when used (extra ``[acquire]``).
See ``docs/acquire.md``.
"""

from myograph.acquire.acquisition import Acquisition, LatencySummary
from myograph.acquire.gaps import ClockStep, Gap, GapDetector
from myograph.acquire.recorder import Recorder, RecordingSummary, part_path, record
from myograph.acquire.ring import RingBuffer
from myograph.acquire.sim import SimEvent, SimulatedAmplifier
from myograph.acquire.source import Block, Source, StreamInfo
from myograph.acquire.specs import open_source, parse_spec

__all__ = [
    "Block", "Source", "StreamInfo",
    "open_source", "parse_spec",
    "SimulatedAmplifier", "SimEvent", "BrainFlowSource", "LSLInlet", "LSLOutlet",
    "RingBuffer", "GapDetector", "Gap", "ClockStep",
    "Recorder", "RecordingSummary", "record", "part_path",
    "Acquisition", "LatencySummary",
    "run_control", "ControlRun",
]


def __getattr__(name: str):  # lazy: BrainFlow and pylsl are optional; online control imports scikit-learn
    if name in ("run_control", "ControlRun"):
        from myograph.acquire import control

        return getattr(control, name)
    if name == "BrainFlowSource":
        from myograph.acquire.brainflow import BrainFlowSource

        return BrainFlowSource
    if name in ("LSLInlet", "LSLOutlet"):
        from myograph.acquire import lsl

        return getattr(lsl, name)
    raise AttributeError(f"module 'myograph.acquire' has no attribute {name!r}")
