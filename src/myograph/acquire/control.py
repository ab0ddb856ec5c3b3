"""Run a controller on a live source: read, decide, send, log — and report the delay.

This is the acquisition layer's part of online control: it drives a source and the
recorder (this layer) and an :class:`~myograph.control.OnlineController` (the
``control`` domain, below it). ``myograph.acquire.run_control`` loads it on use, so
importing :mod:`myograph.acquire` does not import scikit-learn.

:func:`run_control` is what ``myograph control run`` does. One loop reads blocks
from the source, optionally writes them to a crash-safe BDF (the *input log*,
with every change of decision as a ``decision:<class>`` annotation), feeds them to
an :class:`~myograph.control.online.OnlineController`, hands each decision to the
output and appends it to the *decision log* — a CSV written line by line and
flushed, so a killed run leaves every decision made so far. At the end a JSON
summary beside the log (``<log>.json``, written atomically) holds the model, the
source, the output and the :class:`~myograph.control.latency.LatencyReport`.

Decision-log columns: ``seq, sample, window_end_s, received_s, decided_s, sent_s,
label, class, raw_label, probability, intensity, speed, processing_ms,
transport_ms`` and one column per regression output; times are
``time.monotonic()`` seconds (``window_end_s`` on the source clock).
"""

from __future__ import annotations

import csv
import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from myograph.acquire.source import Source
from myograph.control.latency import LatencyReport, latency_report
from myograph.control.model import ControlModel
from myograph.control.online import Decision, OnlineController
from myograph.control.outputs import Output, open_output
from myograph.core.errors import ParameterError
from myograph.io.atomic import atomic_open

__all__ = ["run_control", "ControlRun", "LOG_COLUMNS"]

LOG_COLUMNS = ("seq", "sample", "window_end_s", "received_s", "decided_s", "sent_s", "label", "class", "raw_label",
               "probability", "intensity", "speed", "processing_ms", "transport_ms")


@dataclass
class ControlRun:
    """What a run did: its decisions, their hand-over times, the delay report."""

    decisions: list[Decision] = field(default_factory=list)
    transport_s: list[float] = field(default_factory=list)
    latency: LatencyReport | None = None
    samples: int = 0
    gaps: int = 0
    duration_s: float = 0.0
    output: str = ""
    source: str = ""
    log: Path | None = None
    record: Path | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-able summary (no per-decision rows)."""
        counts: dict[str, int] = {}
        for d in self.decisions:
            counts[d.name] = counts.get(d.name, 0) + 1
        return {"decisions": len(self.decisions), "per_class": counts, "samples": self.samples, "gaps": self.gaps,
                "duration_s": round(self.duration_s, 3), "output": self.output, "source": self.source,
                "log": None if self.log is None else str(self.log),
                "record": None if self.record is None else str(self.record),
                "latency": None if self.latency is None else self.latency.to_dict()}


def _fmt(v: float, scale: float = 1.0, digits: int = 6) -> str:
    return "" if not math.isfinite(v) else f"{v * scale:.{digits}f}"


def _row(d: Decision, sent_s: float, transport_s: float) -> list[str]:
    return [str(d.seq), str(d.sample), _fmt(d.window_end_s), _fmt(d.received_s), _fmt(d.decided_s), _fmt(sent_s),
            str(d.label), d.name, str(d.raw_label), _fmt(d.probability, digits=4), _fmt(d.intensity, digits=9),
            _fmt(d.speed, digits=4), _fmt(d.processing_s, 1e3, 4), _fmt(transport_s, 1e3, 4),
            *(_fmt(v) for v in d.outputs)]


def run_control(
    model: ControlModel | str | os.PathLike[str],
    source: Source | str = "sim",
    output: Output | str | None = None,
    *,
    duration_s: float | None = None,
    log: str | os.PathLike[str] | None = None,
    record: str | os.PathLike[str] | None = None,
    vote: int = 1,
    reject_threshold: float | None = None,
    dead_band: float = 0.0,
    on_decision: Callable[[Decision], None] | None = None,
    stop: threading.Event | None = None,
    read_timeout_s: float = 0.1,
) -> ControlRun:
    """Run ``model`` on ``source`` until ``duration_s`` (of stream) has passed or ``stop`` is set.

    Parameters
    ----------
    model : ControlModel or path
        A model, or the JSON file of one (:meth:`ControlModel.load`).
    source : Source or str
        A live source or a spec for :func:`myograph.acquire.open_source` (``"sim:gestures?cycle=true"``).
    output : Output or str, optional
        An output or a spec for :func:`~myograph.control.outputs.open_output`.
    duration_s : float, optional
        Stop after this much of the stream, s (default: until ``stop`` or Ctrl-C).
    log : path, optional
        Decision log CSV (and ``<log>.json`` summary).
    record : path, optional
        Input log: the raw stream as a crash-safe BDF with decision annotations.
    vote, reject_threshold, dead_band
        Post-processing (see :class:`~myograph.control.online.OnlineController`).
    on_decision : callable, optional
        Called with each decision (e.g. to print it).
    stop : threading.Event, optional
        Set it to end the run.

    Returns
    -------
    ControlRun
    """
    from myograph.acquire.specs import open_source

    ctl_model = model if isinstance(model, ControlModel) else ControlModel.load(model)
    src = open_source(source) if isinstance(source, str) else source
    if not isinstance(src, Source):
        raise ParameterError("source", f"must be a Source or a source spec, got {type(source).__name__}")
    if duration_s is not None and not (isinstance(duration_s, (int, float)) and duration_s > 0):
        raise ParameterError("duration_s", f"must be a positive number of seconds, got {duration_s!r}")
    info = src.info
    ctl = OnlineController(ctl_model, fs=info.fs, ch_names=info.channels.names, vote=vote,
                           reject_threshold=reject_threshold, dead_band=dead_band)
    out = output if isinstance(output, Output) else open_output(
        output, class_names=ctl_model.info.class_names, outputs=ctl_model.info.outputs, rest=ctl_model.info.rest)
    run = ControlRun(output=getattr(out, "spec", type(out).__name__), source=info.name)
    stop = stop or threading.Event()
    limit = None if duration_s is None else int(round(duration_s * info.fs))
    log_path = None if log is None else Path(log)
    recorder = None
    log_file = writer = None
    t_start = time.monotonic()
    try:
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_file = open(log_path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in finally
            writer = csv.writer(log_file)
            writer.writerow([*LOG_COLUMNS, *ctl_model.info.outputs])
            log_file.flush()
            run.log = log_path
        with src:
            if record is not None:
                from myograph.acquire.recorder import Recorder

                recorder = Recorder(info, record, background=True)
                run.record = Path(record)
            last_name = None
            first = None
            while not stop.is_set():
                block = src.read(timeout_s=read_timeout_s)
                if block is None:
                    continue
                if first is None:
                    first = block.first_sample
                if limit is not None and block.first_sample - first >= limit:
                    break
                if recorder is not None:
                    recorder.write(block)
                for d in ctl.feed_block(block):
                    t0 = time.perf_counter()
                    out.send(d)
                    sent = time.monotonic()
                    transport = time.perf_counter() - t0
                    run.decisions.append(d)
                    run.transport_s.append(transport)
                    if writer is not None:
                        writer.writerow(_row(d, sent, transport))
                        log_file.flush()
                    if recorder is not None and d.name != last_name:
                        recorder.mark(f"decision:{d.name or 'output'}", at_sample=d.sample - 1)
                    last_name = d.name
                    if on_decision is not None:
                        on_decision(d)
                run.samples += block.n_samples
            run.gaps = ctl.gaps
    finally:
        run.duration_s = time.monotonic() - t_start
        out.close()
        if recorder is not None:
            recorder.close()
        if log_file is not None:
            log_file.close()
    run.latency = latency_report(run.decisions, window_s=ctl_model.info.window_s, step_s=ctl_model.info.step_s,
                                 vote=vote, transport_s=run.transport_s,
                                 clock_is_monotonic=bool(getattr(src, "clock_is_monotonic", False)))
    if log_path is not None:
        summary = {"model": repr(ctl_model), "model_info": ctl_model.info.to_dict(), **run.summary()}
        with atomic_open(log_path.with_name(log_path.name + ".json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return run
