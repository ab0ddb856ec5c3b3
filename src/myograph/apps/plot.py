"""Static plots of recordings (matplotlib, no screen needed).

Voltage channels are drawn in µV (SI inside, µV on screen); other channels in
their own unit. Up to :data:`MAX_PANELS` channels get one panel each; more are
stacked in one panel with a common µV scale bar.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.io.atomic import atomic_path

__all__ = ["plot_recording", "MAX_PANELS"]

#: above this many channels, traces are stacked in one panel
MAX_PANELS = 16


def _display(rec: Recording, i: int) -> tuple[np.ndarray, str]:
    ch = rec.channels[i]
    if ch.units == "V":
        return rec.data[i] * 1e6, "µV"
    return rec.data[i], ch.units or "a.u."


def plot_recording(
    rec: Recording,
    path: str | os.PathLike[str],
    *,
    channels: Sequence[str] | None = None,
    start_s: float = 0.0,
    duration_s: float | None = None,
    dpi: int = 110,
) -> Path:
    """Save a plot of ``rec`` (one trace per channel, µV axes) to ``path`` (PNG, PDF or SVG).

    Parameters
    ----------
    rec : Recording
    path : path
        Output file; the format follows the extension. Written atomically.
    channels : list of str, optional
        Channels to show (default all).
    start_s, duration_s : float
        Time window in seconds (default: the whole recording).
    dpi : int
        Resolution for raster formats.

    Returns
    -------
    Path
        The written file.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    stop_s = rec.duration if duration_s is None else start_s + duration_s
    if duration_s is not None and duration_s <= 0:
        raise ParameterError("duration_s", f"must be > 0 s, got {duration_s}")
    part = rec.select(channels) if channels else rec
    part = part.crop(start_s, min(stop_s, rec.duration))
    t = part.times + start_s
    n = part.n_channels
    annotations = part.annotations

    if n <= MAX_PANELS:
        fig, axes = plt.subplots(n, 1, sharex=True, figsize=(11, 1.2 + 1.3 * n), squeeze=False)
        for i, ax in enumerate(axes[:, 0]):
            y, unit = _display(part, i)
            ax.plot(t, y, lw=0.6, color="#1f4e79")
            ch = part.channels[i]
            label = ch.name + (f"\n{ch.muscle}" if ch.muscle and ch.muscle != ch.name else "")
            ax.set_ylabel(f"{label}\n[{unit}]", rotation=0, ha="right", va="center", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            if ch.status == "bad":
                ax.set_facecolor("#fbe9e7")
        bottom = axes[-1, 0]
    else:
        fig, ax = plt.subplots(figsize=(11, 9))
        volts = np.array([c.units == "V" for c in part.channels])
        shown = part.data[volts] * 1e6 if volts.any() else part.data
        spacing = float(np.nanpercentile(np.abs(shown), 99.5)) * 2 or 1.0
        for i in range(n):
            y, _ = _display(part, i)
            ax.plot(t, y - i * spacing, lw=0.4, color="#1f4e79")
        ax.set_yticks([-i * spacing for i in range(n)], part.ch_names, fontsize=6)
        ax.set_title(f"{n} channels, spacing {spacing:.3g} µV", fontsize=9)
        axes = np.array([[ax]])
        bottom = ax
    panel_names = part.ch_names if n <= MAX_PANELS else None
    for a in annotations:
        for k, ax in enumerate(axes[:, 0]):
            if a.channels and panel_names is not None and panel_names[k] not in a.channels:
                continue  # a channel's annotation shades only that channel's panel
            t0 = a.onset + start_s
            if a.duration > 0:
                ax.axvspan(t0, t0 + a.duration, color="#f4a261", alpha=0.15, lw=0)
            else:
                ax.axvline(t0, color="#e76f51", lw=0.8)
    bottom.set_xlabel("time [s]")
    title = rec.metadata.source_file or "recording"
    fig.suptitle(f"{Path(title).name} — {rec.fs:g} Hz", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=dpi, format=out.suffix.lstrip(".") or "png")
    plt.close(fig)
    return out
