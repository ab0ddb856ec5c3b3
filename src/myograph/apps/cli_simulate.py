"""``myograph simulate KIND``: write a simulated recording and its ground truth.

Thin: parse the options, call :mod:`myograph.simulate`, write the Recording with
:func:`myograph.write` (the format follows the extension: ``.bdf``, ``.edf``,
``.csv`` …) and the truth with :meth:`~myograph.simulate.Truth.to_json`.
"""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from myograph.apps.console import err, friendly_errors, out

__all__ = ["register", "simulate_command", "Kind"]


class Kind(str, Enum):
    surface = "surface"
    needle = "needle"
    hdemg = "hdemg"
    gestures = "gestures"
    gait = "gait"


class PathologyName(str, Enum):
    normal = "normal"
    myopathic = "myopathic"
    neurogenic = "neurogenic"


#: default sampling rate per kind, Hz
DEFAULT_FS = {"surface": 2048.0, "needle": 20000.0, "hdemg": 2048.0, "gestures": 2000.0, "gait": 2000.0}
#: default duration per kind, s (gestures: the schedule's own length)
DEFAULT_DURATION = {"surface": 10.0, "needle": 5.0, "hdemg": 10.0, "gestures": None, "gait": 30.0}



def _grid_shape(n: int) -> tuple[int, int]:
    r = int(math.isqrt(n))
    if r * r == n:
        return r, r
    if n % 8 == 0:
        return 8, n // 8
    raise ValueError(f"--channels for hdemg must be a square (64 = 8x8) or a multiple of 8, got {n}")


def _kwargs(kind: str, duration: float | None, fs: float | None, seed: int, channels: int | None, motor_units: int | None,
            snr: float | None, pathology: str, excitation: float | None, spontaneous: list[str], session: int) -> dict[str, Any]:
    kw: dict[str, Any] = {"seed": seed, "pathology": pathology, "fs": fs if fs is not None else DEFAULT_FS[kind]}
    dur = duration if duration is not None else DEFAULT_DURATION[kind]
    if dur is not None:
        kw["duration_s"] = dur
    if snr is not None:
        kw["snr_db"] = snr
    if motor_units is not None:
        kw["motor_units"] = motor_units
    if excitation is not None:
        if kind in ("gestures", "gait"):
            raise ValueError(f"--excitation does not apply to {kind} (their drive follows the gestures / the gait cycle)")
        kw["excitation"] = excitation
    if spontaneous and kind != "needle":
        raise ValueError("--spontaneous applies to needle recordings only")
    if session and kind != "gestures":
        raise ValueError("--session applies to gestures only")
    if channels is not None:
        if kind == "needle":
            if channels != 1:
                raise ValueError(f"a concentric needle records 1 channel, got --channels {channels}")
        elif kind == "hdemg":
            kw["rows"], kw["cols"] = _grid_shape(channels)
        else:
            kw["channels"] = channels
    if kind == "needle":
        kw["spontaneous"] = spontaneous
    if kind == "gestures":
        kw["session"] = session
    return kw


def simulate_command(
    kind: Annotated[Kind, typer.Argument(help="What to simulate.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Recording to write (.bdf, .edf, .csv …).")],
    truth: Annotated[Optional[Path], typer.Option("--truth", help="Ground truth JSON (arrays in a sidecar .npz).")] = None,
    duration: Annotated[Optional[float], typer.Option("--duration", help="Length, s (default per kind).")] = None,
    fs: Annotated[Optional[float], typer.Option("--fs", help="Sampling rate, Hz (default per kind).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random choice.")] = 0,
    channels: Annotated[Optional[int], typer.Option("--channels", help="Channels (muscles, grid electrodes, armband electrodes).")] = None,
    motor_units: Annotated[Optional[int], typer.Option("--motor-units", help="Motor units per muscle.")] = None,
    snr: Annotated[Optional[float], typer.Option("--snr", help="Amplifier noise at this SNR, dB (default: noise-free).")] = None,
    pathology: Annotated[PathologyName, typer.Option("--pathology", help="Motor unit pool.")] = PathologyName.normal,
    excitation: Annotated[Optional[float], typer.Option("--excitation", help="Constant drive, 0-1 (surface, needle, hdemg).")] = None,
    spontaneous: Annotated[Optional[str], typer.Option("--spontaneous", help="Needle: comma-separated kinds of spontaneous activity at rest.")] = None,
    session: Annotated[int, typer.Option("--session", help="Gestures: session of the same subject (armband shifted).")] = 0,
) -> None:
    """Simulate EMG with ground truth: KIND is surface, needle, hdemg, gestures or gait."""
    import myograph
    import myograph.simulate as sim

    kinds = [s.strip() for s in spontaneous.split(",") if s.strip()] if spontaneous else []
    try:
        kw = _kwargs(kind.value, duration, fs, seed, channels, motor_units, snr, pathology.value, excitation, kinds, session)
    except ValueError as exc:
        err.print(f"error: {exc}", style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    with err.status(f"simulating {kind.value} …"):
        rec, tr = getattr(sim, kind.value)(**kw)
        myograph.write(rec, output)
        side = tr.to_json(truth) if truth is not None else None
    n_emg = sum(t == "EMG" for t in rec.ch_types)
    msg = (f"wrote {output}: {n_emg} EMG of {rec.n_channels} channels, {rec.duration:.3f} s at {rec.fs:g} Hz, "
           f"{tr.n_units} motor units, {sum(d.size for d in tr.discharges)} discharges, {len(rec.annotations)} annotations")
    if truth is not None:
        msg += f"; truth {truth} (+ {side.name})"
    out.print(msg, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""
    app.command("simulate")(friendly_errors(simulate_command))
