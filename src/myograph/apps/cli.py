"""The ``myograph`` command line.

Thin by design: each command parses its arguments, calls library functions and
presents the result. Errors a user can act on (:class:`~myograph.MyographError`,
missing files) are printed as one clear line with exit status 2, not as a
traceback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

import myograph
from myograph.apps import cli_analyze, cli_control, cli_demo, cli_record, cli_serve, cli_simulate
from myograph.apps.console import err, friendly_errors, out, split_names
from myograph.io import main_recording

app = typer.Typer(
    help="myograph: open electromyograph software — EMG from the electrode to a decision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what is done (filter designs, repairs).")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _print_info(parts: list[myograph.Recording], main: myograph.Recording) -> None:
    s = main.summary()
    out.print(f"[bold]{s['file'] or '(in memory)'}[/bold]  format [cyan]{s['format']}[/cyan]")
    out.print(f"duration {s['duration_s']:.3f} s · {s['fs_hz']:g} Hz · {s['n_samples']} samples · "
              f"{s['n_channels']} channels · {s['n_annotations']} annotations"
              + (f" ({', '.join(s['annotation_labels'][:6])}{'…' if len(s['annotation_labels']) > 6 else ''})" if s["annotation_labels"] else ""))
    if s["start_time"]:
        out.print(f"start {s['start_time']}" + (f" · subject {s['subject']}" if s["subject"] else ""))
    table = Table(show_edge=False, header_style="bold")
    for col in ("#", "name", "type", "unit", "muscle", "side", "group", "status"):
        table.add_column(col)
    for i, c in enumerate(main.channels):
        table.add_row(str(i), c.name, c.type, c.units, c.muscle, c.side, c.group,
                      c.status if c.status == "good" else f"[red]bad[/red] {c.status_description}")
    out.print(table)
    others = [p for p in parts if p is not main]
    for p in others:
        out.print(f"also in the file: {p.n_channels} channels at {p.fs:g} Hz ({', '.join(sorted(set(p.ch_types)))}), "
                  f"{p.duration:.3f} s — see myograph.read_all()")


@app.command()
@friendly_errors
def info(
    file: Annotated[Path, typer.Argument(help="Recording file (EDF/BDF, WFDB, C3D, CSV, XDF, MAT).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    fs: Annotated[Optional[float], typer.Option(help="Sampling rate in Hz, for files without one (header-less text).")] = None,
    strict: Annotated[bool, typer.Option(help="Refuse damaged files instead of repairing them.")] = False,
) -> None:
    """Show a file's format, duration, sampling rate, channels and annotations."""
    parts = myograph.read_all(file, fs=fs, strict=strict)
    main = main_recording(parts)
    if as_json:
        s = main.summary()
        s["parts"] = [{"fs_hz": p.fs, "n_channels": p.n_channels, "duration_s": p.duration,
                       "types": sorted(set(p.ch_types))} for p in parts]
        typer.echo(json.dumps(s, indent=2, ensure_ascii=False))
    else:
        _print_info(parts, main)


@app.command()
@friendly_errors
def convert(
    source: Annotated[Path, typer.Argument(help="Input recording.")],
    target: Annotated[Path, typer.Argument(help="Output file; format from the extension (.bdf, .edf, .csv, .tsv).")],
    channels: Annotated[Optional[str], typer.Option(help="Comma-separated channel names to keep.")] = None,
    fs: Annotated[Optional[float], typer.Option(help="Sampling rate in Hz, for inputs without one.")] = None,
    strict: Annotated[bool, typer.Option(help="Refuse damaged inputs instead of repairing them.")] = False,
) -> None:
    """Convert a recording to another format (the EMG-rate part of multi-rate files)."""
    parts = myograph.read_all(source, fs=fs, strict=strict)
    rec = main = main_recording(parts)
    if channels:
        rec = rec.select(split_names(channels))
    myograph.write(rec, target)
    left = [p for p in parts if p is not main]
    out.print(f"wrote {target} ({rec.n_channels} channels, {rec.duration:.3f} s at {rec.fs:g} Hz)")
    for p in left:
        err.print(f"note: left out {p.n_channels} channels at {p.fs:g} Hz (another rate); use myograph.read_all() to reach them")


@app.command()
@friendly_errors
def plot(
    file: Annotated[Path, typer.Argument(help="Recording file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Image to write (.png, .pdf, .svg).")],
    channels: Annotated[Optional[str], typer.Option(help="Comma-separated channel names (default all).")] = None,
    start: Annotated[float, typer.Option(help="Start of the window, s.")] = 0.0,
    duration: Annotated[Optional[float], typer.Option(help="Length of the window, s (default to the end).")] = None,
    fs: Annotated[Optional[float], typer.Option(help="Sampling rate in Hz, for files without one.")] = None,
) -> None:
    """Plot a recording: one trace per channel, voltage in µV."""
    from myograph.apps.plot import plot_recording

    rec = myograph.read(file, fs=fs)
    plot_recording(rec, output, channels=split_names(channels), start_s=start, duration_s=duration)
    out.print(f"wrote {output}")


@app.command()
def formats() -> None:
    """List the file formats myograph reads and writes."""
    table = Table(show_edge=False, header_style="bold")
    for col in ("format", "extensions", "read", "write", "lazy"):
        table.add_column(col)
    for f in myograph.FORMATS.values():
        table.add_row(f.name, " ".join(f.extensions), "✓" if f.read_all else "", "✓" if f.write else "", "✓" if f.open else "")
    out.print(table)


cli_simulate.register(app)
cli_record.register(app)
cli_serve.register(app)
cli_demo.register(app)
cli_analyze.register(app)
cli_control.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
