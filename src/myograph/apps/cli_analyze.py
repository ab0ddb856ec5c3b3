"""``myograph analyze``: quality, onsets/offsets, activation level and fatigue of each EMG channel.

Thin: reads the file(s), calls :func:`myograph.apps.analyze.analyze_recording`,
writes what was asked (``--out`` CSV/JSON, ``--plot`` image, ``--report`` HTML —
each atomically) and prints a summary table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import typer

#: JASA classes as the summary table shows them
JASA_SHORT = {"force_increase": "force ↑", "force_decrease": "force ↓", "undetermined": "?"}

#: output table formats by extension
OUT_FORMATS = (".csv", ".json")


def _fmt(v: float, spec: str = ".3g", unit: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:{spec}}{(' ' + unit) if unit else ''}"


def _summary_table(result):
    """A rich table, one row per channel, and the notes per channel (printed below it)."""
    from rich import box
    from rich.table import Table

    frame = result.to_frame()
    has_mvc = result.envelope_pct_mvc is not None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", padding=(0, 1), pad_edge=False)
    table.add_column("channel", no_wrap=True)
    table.add_column("bursts", justify="right", no_wrap=True)
    table.add_column("onsets s", no_wrap=True)
    table.add_column("RMS µV", justify="right", no_wrap=True)  # in the bursts; over the record (*) without
    if has_mvc:
        table.add_column("%MVC", justify="right", no_wrap=True)
    table.add_column("MDF %/s", justify="right", no_wrap=True)
    table.add_column("JASA", no_wrap=True)
    notes: list[tuple[str, str]] = []
    starred = False
    for _, r in frame.iterrows():
        good = r["quality_status"] == "good"
        channel = r["channel"] if good else f"[red]{r['channel']} (bad)[/red]"
        onsets = r["onsets_s"].split(";") if r["onsets_s"] else []
        shown = ", ".join(f"{float(v):.2f}" for v in onsets[:3]) + (" …" if len(onsets) > 3 else "")
        n_bursts = str(int(r["n_bursts"])) if r["onset_status"] == "ok" else f"0 [yellow]{r['onset_status']}[/yellow]"
        rms = _fmt(r["active_rms_uv"], ".1f") if r["n_bursts"] else (
            f"{_fmt(r['rms_uv'], '.1f')}*" if math.isfinite(r["rms_uv"]) else "–")
        starred = starred or rms.endswith("*")
        row = [channel, n_bursts, shown or "–", rms]
        if has_mvc:
            row.append(_fmt(r["active_mean_pct_mvc"], ".1f"))
        slope = r["mdf_slope_pct_per_s"]
        row += [f"{slope:+.2f}" if math.isfinite(slope) else "–", JASA_SHORT.get(r["jasa"], r["jasa"]) or "–"]
        table.add_row(*row)
        said = [r["quality_reason"]] if not good else [r["onset_reason"] if r["onset_status"] != "ok" else "",
                                                         r["mvc_reason"], r["fatigue_reason"]]
        notes += [(r["channel"], n) for n in dict.fromkeys(said) if n]
    if starred:
        notes.insert(0, ("*", "RMS over the whole record (no bursts detected)"))
    return table, notes


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""

    @app.command()
    def analyze(
        file: Annotated[Path, typer.Argument(help="Recording file (EDF/BDF, WFDB, C3D, CSV, XDF, MAT).")],
        channels: Annotated[Optional[str], typer.Option(help="Comma-separated channel names (default: every EMG channel).")] = None,
        mvc: Annotated[Optional[Path], typer.Option("--mvc", help="MVC trial with the same channel names: adds %MVC.")] = None,
        out_file: Annotated[Optional[Path], typer.Option("--out", help="Write the per-channel results: .csv or .json.")] = None,
        plot_file: Annotated[Optional[Path], typer.Option("--plot", help="Write traces + envelopes + bursts (.png, .svg, .pdf).")] = None,
        report_file: Annotated[Optional[Path], typer.Option("--report", help="Write a self-contained HTML report.")] = None,
        fs: Annotated[Optional[float], typer.Option(help="Sampling rate in Hz, for header-less files.")] = None,
        line_hz: Annotated[Optional[float], typer.Option("--line-hz", help="Power-line frequency, Hz (50 or 60); default from the file, else no notch.")] = None,
        nan_policy: Annotated[str, typer.Option("--nan-policy", help="NaN samples: raise, mask (leave out) or propagate.")] = "raise",
        envelope_hz: Annotated[float, typer.Option("--envelope-hz", help="Linear-envelope cut-off, Hz.")] = 6.0,
        window_s: Annotated[float, typer.Option("--window", help="Fatigue analysis window, s.")] = 0.5,
        step_s: Annotated[float, typer.Option("--step", help="Fatigue window step, s.")] = 0.25,
        method: Annotated[str, typer.Option("--method", help="Onset detector (see myograph.activation.DETECTORS).")] = "auto",
    ) -> None:
        """Per channel: signal quality, onsets/offsets, activation level (%MVC with --mvc) and fatigue indices."""
        from myograph.apps.console import err, friendly_errors, out
        from myograph.apps.console import split_names as _split

        @friendly_errors
        def run() -> None:
            import myograph
            from myograph.apps.analyze import analyze_recording
            from myograph.core.errors import ParameterError

            for opt, path, allowed in (("--out", out_file, OUT_FORMATS), ("--report", report_file, (".html", ".htm")),
                                       ("--plot", plot_file, (".png", ".svg", ".pdf"))):
                if path is not None and path.suffix.lower() not in allowed:
                    raise ParameterError(opt, f"must end in {' or '.join(allowed)}, got {path.name!r}")
            if nan_policy not in ("raise", "mask", "propagate"):
                raise ParameterError("--nan-policy", f"must be raise, mask or propagate, got {nan_policy!r}")
            rec = myograph.read(file, fs=fs)
            mvc_rec = myograph.read(mvc, fs=fs) if mvc is not None else None
            result = analyze_recording(rec, channels=_split(channels), mvc=mvc_rec, line_hz=line_hz,
                                       nan_policy=nan_policy, envelope_hz=envelope_hz, fatigue_window_s=window_s,
                                       fatigue_step_s=step_s, onset_method=method)
            out.print(f"[bold]{file}[/bold]  {rec.duration:.3f} s at {rec.fs:g} Hz · {len(result.channels)} channel(s) analysed"
                      + (f" · MVC from {mvc}" if mvc is not None else ""))
            for note in result.parameters.get("notes", []):
                err.print(f"note: {note}", style="yellow", markup=False, highlight=False)
            table, channel_notes = _summary_table(result)
            out.print(table)
            for name, note in channel_notes:
                out.print(f"  {name}: {note}", style="yellow", markup=False, highlight=False)
            if out_file is not None:
                from myograph.io.atomic import atomic_open

                if out_file.suffix.lower() == ".json":
                    with atomic_open(out_file, "w", encoding="utf-8") as f:
                        f.write(result.to_json())
                else:
                    with atomic_open(out_file, "w", encoding="utf-8", newline="") as f:
                        result.to_frame().to_csv(f, index=False)
                out.print(f"results: [bold]{out_file}[/bold]")
            if plot_file is not None:
                from myograph.apps.report import plot_analysis

                plot_analysis(result, plot_file)
                out.print(f"plot: [bold]{plot_file}[/bold]")
            if report_file is not None:
                from myograph.apps.report import write_report

                write_report(result, report_file)
                out.print(f"report: [bold]{report_file}[/bold]")

        run()
