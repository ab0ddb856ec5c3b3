"""``myograph record``: record a live source to a crash-safe BDF+ file (the recorder without the browser).

Thin: parse the options, open the source with :func:`myograph.acquire.open_source`
and call :func:`myograph.acquire.record`, showing progress. The file is written as
``<output>.part`` and renamed to ``<output>`` when the recording ends; Ctrl-C ends it
cleanly with what was recorded; a killed recorder leaves the ``.part`` file, which
``myograph info``/``myograph convert`` read (repairing the record count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from myograph.apps.console import err, friendly_errors, out

__all__ = ["register", "record_command"]



def record_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="BDF file to write (.bdf; .edf gives 16-bit EDF+).")],
    source: Annotated[str, typer.Option("--source", "-s", help="Source: sim | sim:needle | sim:hdemg | brainflow:ID | "
                                        "lsl:NAME | lsl:type=EMG (options after '?', e.g. brainflow:0?serial_port=/dev/ttyUSB0).")] = "sim",
    duration: Annotated[float, typer.Option("--duration", "-d", help="Length to record, s.")] = 10.0,
    seed: Annotated[Optional[int], typer.Option(help="Seed of a simulated source.")] = None,
    channels: Annotated[Optional[int], typer.Option(help="Channels of a simulated source (surface: muscles; hdemg: a multiple of 8).")] = None,
    flush: Annotated[float, typer.Option("--flush", help="Flush interval (and data record length), s.")] = 0.25,
    marker: Annotated[Optional[list[str]], typer.Option("--marker", help="Marker TIME=LABEL (s), repeatable.")] = None,
) -> None:
    """Record a live source (simulated amplifier, BrainFlow board, LSL stream) to BDF+."""
    from myograph.acquire import open_source, record
    from myograph.acquire.specs import parse_spec
    from myograph.core.errors import ParameterError

    kind, _, _ = parse_spec(source)
    kw: dict[str, Any] = {}
    for name, value in (("seed", seed), ("channels", channels)):
        if value is not None:
            if kind != "sim":
                raise ParameterError(name, f"--{name} applies to simulated sources (sim, sim:needle, sim:hdemg), not {source!r}")
            kw[name] = value
    markers = []
    for m in marker or []:
        t, eq, label = m.partition("=")
        try:
            markers.append((float(t), label))
        except ValueError:
            raise ParameterError("marker", f"must be TIME=LABEL with TIME in s, got {m!r}") from None
        if not eq or not label:
            raise ParameterError("marker", f"must be TIME=LABEL, got {m!r}")
    src = open_source(source, **kw)
    fs = src.info.fs
    out.print(f"recording {src.info.name}: {src.info.n_channels} channels at {fs:g} Hz for {duration:g} s → {output}",
               markup=False, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[secs]}"),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("recording", total=max(1, int(round(duration * fs))), secs="")

        def progress(n: int, total: int) -> None:
            bar.update(task, completed=n, secs=f"{n / fs:.1f} s")

        summary = record(src, output, duration, flush_s=flush, markers=markers, progress=progress)
    gaps = f", {summary.gaps} gaps ({summary.missing_samples} samples, annotated BAD_gap)" if summary.gaps else ""
    out.print(f"wrote {summary.path} ({summary.duration_s:.3f} s, {summary.n_samples} samples{gaps})",
               markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``record`` command to ``app``."""
    app.command("record")(friendly_errors(record_command))
