"""``myograph demo``: simulate a surface EMG session, write it as BDF+, summarise and plot it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import myograph

#: the demo's excitation per muscle: biceps/triceps alternate in bursts, wrist muscles vary slowly
DEMO_EXCITATION = {
    "BB": ("bursts", {"onsets_s": [1.0, 4.0, 7.0], "durations_s": 1.5, "level": 0.4}),
    "TB": ("bursts", {"onsets_s": [2.5, 5.5, 8.5], "durations_s": 1.0, "level": 0.3}),
    "FCR": ("sinusoid", {"mean": 0.2, "amplitude": 0.15, "frequency_hz": 0.3}),
    "ECR": 0.05,
}


def make_demo_recording(seed: int = 7, duration_s: float = 10.0) -> myograph.Recording:
    """Four arm muscles over ``duration_s`` s at 2048 Hz with forces, mains hum and amplifier noise."""
    from myograph.simulate import NoiseSpec, surface

    rec, _truth = surface(
        duration_s, 2048.0, muscles=list(DEMO_EXCITATION), motor_units=120, excitation=DEMO_EXCITATION,
        noise=NoiseSpec(amplifier_uv_rms=3.0, powerline_hz=50, powerline_uv=10.0), seed=seed,
    )
    return rec.with_metadata(power_line_hz=50)


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command()
    def demo(
        out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the demo's files.")] = Path("demo-output"),
        seed: Annotated[int, typer.Option(help="Simulation seed.")] = 7,
    ) -> None:
        """Simulate a surface EMG session, write it as BDF+, print its summary and save a plot."""
        from myograph.apps.cli import info
        from myograph.apps.console import friendly_errors, out
        from myograph.apps.plot import plot_recording

        @friendly_errors
        def run() -> None:
            out_dir.mkdir(parents=True, exist_ok=True)
            rec = make_demo_recording(seed)
            bdf = out_dir / "demo.bdf"
            myograph.write(rec, bdf)
            out.print(f"simulated 4 arm muscles for {rec.duration:g} s → wrote [bold]{bdf}[/bold]\n")
            info(bdf)
            png = plot_recording(myograph.read(bdf), out_dir / "demo.png")
            out.print(f"\nplot: [bold]{png}[/bold]")

        run()
