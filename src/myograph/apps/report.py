"""Figures and a self-contained HTML report of an :class:`~myograph.apps.analyze.AnalysisResult`.

* :func:`channel_figure` — one channel: the raw trace in µV with detected bursts
  shaded and ``BAD_*`` spans marked, the linear envelope (µV, and %MVC when an MVC
  recording was given), and the MNF/MDF trend with its regression lines.
* :func:`plot_analysis` — every channel in one PNG/SVG/PDF: raw trace, envelope, bursts.
* :func:`write_report` — one HTML file, no external assets (figures embedded as
  base64 PNG, plain CSS, no script): a summary table, one section per channel,
  the full results table, every parameter and the provenance steps. Written atomically.

Matplotlib with the Agg backend: no screen needed.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from myograph._version import __version__
from myograph.apps.analyze import BURST_COLUMNS, COLUMNS, AnalysisResult
from myograph.io.atomic import atomic_open, atomic_path

__all__ = ["channel_figure", "plot_analysis", "write_report", "render_report"]

# colours: calm, readable on screen and in print, distinguishable for common colour-vision deficiencies
RAW = "#3d4a5c"
ENVELOPE = "#d1495b"
BURST = "#2a9d8f"
BAD = "#e63946"
MNF = "#1d4e89"
MDF = "#f08a24"
REST = "#b8c0cc"

#: at most this many points per drawn trace (min/max pairs per bin beyond it)
MAX_POINTS = 6000

JASA_TEXT = {
    "fatigue": "fatigue (amplitude ↑, frequency ↓)",
    "recovery": "recovery (amplitude ↓, frequency ↑)",
    "force_increase": "force increase (amplitude ↑, frequency ↑)",
    "force_decrease": "force decrease (amplitude ↓, frequency ↓)",
    "undetermined": "undetermined",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _minmax(t: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Thin a trace for drawing: per bin its minimum and maximum, in time order (peaks stay visible)."""
    n = y.size
    if n <= max_points:
        return t, y
    bins = max_points // 2
    per = int(math.ceil(n / bins))
    pad = per * bins - n
    yy = np.concatenate([y, np.full(pad, np.nan)]).reshape(bins, per)
    tt = np.concatenate([t, np.full(pad, np.nan)]).reshape(bins, per)
    with np.errstate(invalid="ignore"):
        allnan = np.isnan(yy).all(axis=1)
        lo = np.nanargmin(np.where(np.isnan(yy), np.inf, yy), axis=1)
        hi = np.nanargmax(np.where(np.isnan(yy), -np.inf, yy), axis=1)
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    rows = np.arange(bins)
    ty = np.column_stack([tt[rows, first], tt[rows, second]]).reshape(-1)
    vy = np.column_stack([yy[rows, first], yy[rows, second]]).reshape(-1)
    vy[np.repeat(allnan, 2)] = np.nan
    ok = np.isfinite(ty)
    return ty[ok], vy[ok]


def _spans(result: AnalysisResult, name: str) -> tuple[list[tuple[float, float]], list[tuple[float, float, str]]]:
    """(bursts, bad spans with their label) of one channel."""
    bursts = [(float(a), float(b)) for a, b in result.onsets[name].intervals]
    bad = [(a.onset, a.onset + max(a.duration, 1.0 / result.fs), a.label)
           for a in result.recording.annotations.select(prefix="BAD_", channel=name)]
    return bursts, bad


def _shade(ax, bursts, bad, *, label: bool = False) -> None:
    for i, (a, b) in enumerate(bursts):
        ax.axvspan(a, b, color=BURST, alpha=0.16, lw=0, label="detected burst" if label and i == 0 else None)
    for i, (a, b, _lab) in enumerate(bad):
        ax.axvspan(a, b, facecolor="none", edgecolor=BAD, hatch="///", lw=0, alpha=0.6,
                   label="BAD span (left out)" if label and i == 0 else None)


def _style(ax) -> None:
    ax.grid(alpha=0.25, lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def _fmt(v: Any, digits: int = 3, unit: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            return "–"
        s = f"{float(v):.{digits}g}" if abs(float(v)) >= 1e-3 or v == 0 else f"{float(v):.2e}"
    else:
        s = str(v)
    return f"{s} {unit}".strip() if unit else s


def channel_figure(result: AnalysisResult, name: str):
    """A matplotlib Figure of one channel: raw trace, envelope, MNF/MDF trend."""
    plt = _pyplot()
    t = result.raw.times
    raw_uv = result.raw.get_data([name])[0] * 1e6
    env_uv = result.envelope.get_data([name])[0] * 1e6
    bursts, bad = _spans(result, name)
    fig, axes = plt.subplots(3, 1, figsize=(11, 7.2), gridspec_kw={"height_ratios": [1.25, 1.0, 1.0]})
    ax_raw, ax_env, ax_f = axes

    # raw
    tt, yy = _minmax(t, raw_uv - np.nanmedian(raw_uv) if np.isfinite(raw_uv).any() else raw_uv)
    ax_raw.plot(tt, yy, lw=0.45, color=RAW, label="raw EMG (as recorded, median removed)")
    _shade(ax_raw, bursts, bad, label=True)
    ax_raw.set_ylabel("raw [µV]", fontsize=9)
    ax_raw.set_title("Raw signal", fontsize=10, loc="left", color="#222")
    _style(ax_raw)
    ax_raw.set_xlim(t[0], t[-1] if t.size > 1 else 1.0)
    handles, labels = ax_raw.get_legend_handles_labels()
    if handles:
        ax_raw.legend(handles, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, frameon=False, ncol=3,
                      borderaxespad=0.2)

    # envelope
    te, ye = _minmax(t, env_uv)
    ax_env.plot(te, ye, lw=1.3, color=ENVELOPE, label=f"linear envelope ({result.parameters.get('envelope_hz', 6):g} Hz)")
    _shade(ax_env, bursts, bad)
    for a, _b in bursts:
        ax_env.axvline(a, color=BURST, lw=0.9, ls="--", alpha=0.9)
    ax_env.set_ylabel("envelope [µV]", fontsize=9)
    ax_env.set_ylim(bottom=0)
    ax_env.set_xlim(ax_raw.get_xlim())
    ax_env.set_title("Envelope (activation level)", fontsize=10, loc="left", color="#222")
    _style(ax_env)
    ref = result.mvc.get(name, {}).get("reference_uv", float("nan"))
    if ref is not None and math.isfinite(ref) and ref > 0:
        sec = ax_env.secondary_yaxis("right", functions=(lambda v, r=ref: v / r * 100.0, lambda p, r=ref: p * r / 100.0))
        sec.set_ylabel("%MVC", fontsize=9)
        sec.tick_params(labelsize=8)
    ax_env.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, frameon=False, borderaxespad=0.2)
    ax_env.set_xlabel("time [s]", fontsize=9)

    # fatigue trend
    w = result.fatigue_windows
    w = w[w["channel"] == name] if len(w) else w
    ft = result.fatigue.loc[name] if name in result.fatigue.index else None
    drawn = False
    if len(w):
        used = w["used"].to_numpy(dtype=bool)
        tw = w["time_s"].to_numpy(dtype=float)
        for col, colour, label in (("mnf_hz", MNF, "MNF"), ("mdf_hz", MDF, "MDF")):
            v = w[col].to_numpy(dtype=float)
            ax_f.plot(tw[~used], v[~used], "o", ms=2.5, color=REST, zorder=1)
            ax_f.plot(tw[used], v[used], "o", ms=3.5, color=colour, label=f"{label} (active windows)", zorder=3)
            if ft is not None and used.any():
                slope = float(ft.get(f"{col[:3]}_slope_hz_per_s", np.nan))
                init = float(ft.get(f"{col[:3]}_initial_hz", np.nan))
                pct = float(ft.get(f"{col[:3]}_slope_pct_per_s", np.nan))
                if math.isfinite(slope) and math.isfinite(init):
                    t0, t1 = tw[used][0], tw[used][-1]
                    ax_f.plot([t0, t1], [init, init + slope * (t1 - t0)], "-", lw=2, color=colour, zorder=4,
                              label=f"{label} trend {slope:+.2f} Hz/s ({pct:+.2f} %/s)")
            drawn = drawn or bool(np.isfinite(v).any())
        if (~used).any():
            ax_f.plot([], [], "o", ms=2.5, color=REST, label="rest / skipped windows")
    if drawn and len(w) and w["used"].any():
        vals = w.loc[w["used"].astype(bool), ["mnf_hz", "mdf_hz"]].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            pad = max(0.25 * (hi - lo), 0.1 * hi, 5.0)
            ax_f.set_ylim(max(0.0, lo - pad), hi + pad)
    if not drawn:
        reason = ""
        if ft is not None and isinstance(ft.get("reason", ""), str):
            reason = ft.get("reason", "")
        ax_f.text(0.5, 0.5, f"no frequency trend: {reason or 'no usable window'}", ha="center", va="center",
                  transform=ax_f.transAxes, fontsize=9, color="#666", wrap=True)
        ax_f.set_yticks([])
    else:
        ax_f.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, frameon=False, ncol=3,
                    borderaxespad=0.2)
    ax_f.set_xlim(ax_raw.get_xlim())
    ax_f.set_ylabel("frequency [Hz]", fontsize=9)
    ax_f.set_xlabel("time [s] (window centres)", fontsize=9)
    ax_f.set_title("Frequency trend (MNF, MDF)", fontsize=10, loc="left", color="#222")
    _style(ax_f)
    fig.tight_layout(h_pad=1.2)
    return fig


def plot_analysis(result: AnalysisResult, path: str | os.PathLike[str], *, dpi: int = 110) -> Path:
    """Save every channel's raw trace, envelope and bursts in one image (PNG, SVG or PDF), atomically."""
    plt = _pyplot()
    names = result.channels
    n = len(names)
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(11, 1.0 + 1.9 * n), squeeze=False)
    t = result.raw.times
    for k, (name, ax) in enumerate(zip(names, axes[:, 0])):
        raw_uv = result.raw.get_data([name])[0] * 1e6
        env_uv = result.envelope.get_data([name])[0] * 1e6
        base = np.nanmedian(raw_uv) if np.isfinite(raw_uv).any() else 0.0
        tt, yy = _minmax(t, raw_uv - base)
        ax.plot(tt, yy, lw=0.4, color=RAW, alpha=0.55, label="raw EMG")
        te, ye = _minmax(t, env_uv)
        ax.plot(te, ye, lw=1.4, color=ENVELOPE, label="envelope")
        bursts, bad = _spans(result, name)
        _shade(ax, bursts, bad, label=True)
        ch = result.raw.channels[result.raw.ch_names.index(name)]
        label = name + (f"\n{ch.muscle.replace('_', ' ')}" if ch.muscle and ch.muscle != name else "")
        ax.set_ylabel(f"{label}\n[µV]", rotation=0, ha="right", va="center", fontsize=8)
        status = result.onsets[name]
        if status.status != "ok":
            ax.text(0.01, 0.9, f"{status.status}: {status.reason}", transform=ax.transAxes, fontsize=8, color="#9b2226",
                    va="top")
        _style(ax)
        if k == 0:
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, ncol=4, frameon=False, borderaxespad=0.2)
    axes[-1, 0].set_xlabel("time [s]")
    if t.size > 1:
        axes[-1, 0].set_xlim(t[0], t[-1])
    src = result.recording.metadata.source_file
    fig.suptitle(f"{Path(src).name if src else 'recording'} — {result.fs:g} Hz — bursts shaded", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=dpi, format=out.suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return out


def _png_base64(fig, dpi: int = 100) -> str:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee5; --soft:#f5f7fa; --good:#2a9d8f; --bad:#c0392b; --accent:#1d4e89; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0; background: #fff; line-height: 1.45; font-size: 15px; }
header { background: var(--accent); color: #fff; padding: 22px 40px 18px; }
header h1 { margin: 0 0 4px; font-size: 24px; font-weight: 600; }
header p { margin: 0; opacity: .9; font-size: 14px; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 40px 40px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 4px; }
.fact { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.fact b { display: block; font-size: 18px; }
.fact span { font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 4px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { overflow-x: auto; }
.wide table { font-size: 12.5px; }
.wide td, .wide th { white-space: nowrap; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.pill.good { background: #e3f4f1; color: #1b6f64; }
.pill.bad { background: #fbe3e1; color: var(--bad); }
.pill.warn { background: #fff1dc; color: #9a5b00; }
.reason { color: var(--bad); font-size: 13px; }
.muted { color: var(--muted); font-size: 13px; }
.channel { border: 1px solid var(--line); border-radius: 10px; padding: 6px 20px 16px; margin: 22px 0; }
.channel h3 { margin-top: 14px; }
figure { margin: 8px 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.legend span { display: inline-block; margin-right: 18px; }
.sw { display: inline-block; width: 14px; height: 10px; vertical-align: middle; margin-right: 5px; border-radius: 2px; }
details { margin: 6px 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; font-size: 12px;
      overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
dl.params { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; font-size: 14px; }
dl.params dt { font-weight: 600; }
dl.params dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; word-break: break-word; }
ol.steps li { margin: 4px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
@media print { header { background: #fff; color: var(--ink); border-bottom: 2px solid var(--ink); } .channel { break-inside: avoid; } }
"""


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _pill(text: str, kind: str) -> str:
    return f'<span class="pill {kind}">{_e(text)}</span>'


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(d, dict):
        for k, v in d.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v and k != "provenance":
                out.extend(_flatten(v, key))
            elif k == "provenance":
                continue
            else:
                out.append((key, v))
    return out


def _param_value(v: Any) -> str:
    if v is None:
        return "none"
    if v == "":
        return "–"
    if isinstance(v, (list, tuple)):
        return ", ".join(_param_value(x) for x in v) if v else "–"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _summary_rows(result: AnalysisResult, frame) -> str:
    rows = []
    has_mvc = result.envelope_pct_mvc is not None
    for _, r in frame.iterrows():
        q = _pill("good", "good") if r["quality_status"] == "good" else _pill(r["quality_status"] or "?", "bad")
        qr = f'<div class="reason">{_e(r["quality_reason"])}</div>' if r["quality_reason"] else ""
        snr = f'<div class="muted">SNR {_fmt(r["snr_db"], 3)} dB</div>' if math.isfinite(r["snr_db"]) else ""
        bad = r["quality_status"] != "good"
        if r["onset_status"] == "ok":
            bursts = f'<b>{int(r["n_bursts"])}</b> <span class="muted">({_fmt(r["burst_duration_mean_s"], 3)} s mean)</span>'
        elif bad:
            bursts = '<span class="muted">not analysed (channel bad)</span>'
        else:
            bursts = f'{_pill(r["onset_status"].replace("_", " "), "warn")}<div class="reason">{_e(r["onset_reason"])}</div>'
        if bad:
            level = '<span class="muted">–</span>'
        elif r["n_bursts"]:
            level = f'{_fmt(r["active_rms_uv"], 3, "µV")} <span class="muted">RMS in bursts</span>'
        else:
            level = f'{_fmt(r["rms_uv"], 3, "µV")} <span class="muted">RMS over the record</span>'
        if has_mvc and not bad:
            if math.isfinite(r["active_mean_pct_mvc"]):
                level += f'<div><b>{_fmt(r["active_mean_pct_mvc"], 3)} %MVC</b> <span class="muted">mean, peak {_fmt(r["peak_pct_mvc"], 3)} %MVC</span></div>'
            elif math.isfinite(r["peak_pct_mvc"]):
                level += f'<div>peak {_fmt(r["peak_pct_mvc"], 3)} %MVC</div>'
            elif r["mvc_reason"]:
                level += f'<div class="reason">{_e(r["mvc_reason"])}</div>'
        if bad:
            fat = '<span class="muted">–</span>'
        elif math.isfinite(r["mdf_slope_pct_per_s"]):
            fat = (f'MDF {r["mdf_slope_hz_per_s"]:+.2f} Hz/s <span class="muted">({r["mdf_slope_pct_per_s"]:+.2f} %/s, '
                   f'r² {r["mdf_r2"]:.2f})</span>')
            if r["jasa"]:
                fat += f'<div class="muted">JASA: {_e(JASA_TEXT.get(r["jasa"], r["jasa"]))}</div>'
            if r["fatigue_reason"]:
                fat += f'<div class="reason">{_e(r["fatigue_reason"])}</div>'
        else:
            fat = f'<span class="muted">{_e(r["fatigue_reason"] or "no result")}</span>'
        muscle = str(r["muscle"]).replace("_", " ")
        who = f'<b>{_e(r["channel"])}</b>' + (f'<div class="muted">{_e(muscle)}{" (" + _e(r["side"]) + ")" if r["side"] else ""}</div>' if muscle else "")
        rows.append(f"<tr><td>{who}</td><td>{q}{qr}{snr}</td><td>{bursts}</td><td>{level}</td><td>{fat}</td></tr>")
    return "\n".join(rows)


def _burst_table(result: AnalysisResult, name: str) -> str:
    b = result.bursts[result.bursts["channel"] == name]
    if not len(b):
        return ""
    has_mvc = "mean_pct_mvc" in b.columns
    head = ["#", "onset [s]", "offset [s]", "duration [s]", "peak [µV]", "time to peak [s]", "RMS [µV]", "iEMG [µV·s]"]
    if has_mvc:
        head += ["mean [%MVC]", "peak [%MVC]"]
    rows = []
    for _, r in b.iterrows():
        cells = [str(int(r["burst"]) + 1), f'{r["onset_s"]:.3f}', f'{r["offset_s"]:.3f}', f'{r["duration_s"]:.3f}',
                 _fmt(r["peak_uv"], 4), _fmt(r["time_to_peak_s"], 3), _fmt(r["rms_uv"], 4), _fmt(r["iemg_uv_s"], 4)]
        if has_mvc:
            cells += [_fmt(r["mean_pct_mvc"], 3), _fmt(r["peak_pct_mvc"], 3)]
        rows.append("<tr>" + "".join(f'<td class="num">{_e(c)}</td>' for c in cells) + "</tr>")
    return ('<table><thead><tr>' + "".join(f'<th class="num">{_e(h)}</th>' for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def render_report(result: AnalysisResult, *, title: str | None = None, dpi: int = 100) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    rec = result.recording
    src = rec.metadata.source_file
    fname = Path(src).name if src else "recording"
    title = title or f"EMG analysis — {fname}"
    frame = result.to_frame()
    p = result.parameters
    n_bad = int((frame["quality_status"] == "bad").sum())
    facts = [
        (f"{rec.duration:.1f} s", "duration"), (f"{rec.fs:g} Hz", "sampling rate"),
        (str(len(result.channels)), "channels analysed"), (str(int(frame["n_bursts"].sum())), "bursts detected"),
        (str(n_bad), "bad channels"),
        ("yes" if result.envelope_pct_mvc is not None else "no", "normalised to MVC"),
    ]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1><p>{_e(src or 'in-memory recording')} · analysed "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} · myograph {_e(__version__)}</p></header><main>",
        '<div class="facts">' + "".join(f'<div class="fact"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in facts) + "</div>",
    ]
    notes = p.get("notes") or []
    if notes:
        parts.append("<ul>" + "".join(f'<li class="muted">{_e(n)}</li>' for n in notes) + "</ul>")
    parts += [
        '<h2 id="summary">Summary</h2>',
        "<table><thead><tr><th>Channel</th><th>Signal quality</th><th>Bursts</th><th>Activation level</th>"
        "<th>Frequency trend (fatigue)</th></tr></thead><tbody>",
        _summary_rows(result, frame), "</tbody></table>",
        '<p class="muted">A falling median frequency (negative slope) during sustained or repeated contractions is the '
        "classical myoelectric sign of fatigue; JASA combines it with the amplitude trend (Luttmann et al. 1996). "
        "Onsets and offsets are in seconds from the start of the recording.</p>",
        '<h2 id="channels">Channels</h2>',
        '<p class="legend muted">'
        f'<span><i class="sw" style="background:{RAW}"></i>raw EMG</span>'
        f'<span><i class="sw" style="background:{ENVELOPE}"></i>linear envelope</span>'
        f'<span><i class="sw" style="background:{BURST};opacity:.45"></i>detected burst</span>'
        f'<span><i class="sw" style="border:1px solid {BAD};background:repeating-linear-gradient(45deg,{BAD} 0 2px,#fff 2px 5px)"></i>BAD span (left out)</span>'
        f'<span><i class="sw" style="background:{MNF}"></i>MNF</span>'
        f'<span><i class="sw" style="background:{MDF}"></i>MDF</span></p>',
    ]
    for name in result.channels:
        r = frame[frame["channel"] == name].iloc[0]
        ch = result.raw.channels[result.raw.ch_names.index(name)]
        muscle = ch.muscle.replace("_", " ")
        head = _e(name) + (f' <span class="muted">— {_e(muscle)}{" (" + _e(ch.side) + ")" if ch.side else ""}</span>' if muscle else "")
        img = _png_base64(channel_figure(result, name), dpi=dpi)
        lines = []
        if r["quality_status"] != "good":
            lines.append(f'<p class="reason">Channel marked bad: {_e(r["quality_reason"])}</p>')
        if r["onset_status"] != "ok":
            lines.append(f'<p class="reason">No bursts: {_e(r["onset_reason"])}</p>')
        bad_frac = r["bad_fraction"]
        if math.isfinite(bad_frac) and bad_frac > 0:
            lines.append(f'<p class="muted">{bad_frac * 100:.1f} % of the samples lie in BAD spans and were left out.</p>')
        parts += [
            f'<section class="channel" id="ch-{_e(name)}"><h3>{head}</h3>', *lines,
            f'<figure><img alt="{_e(name)}: raw trace, envelope and frequency trend" src="data:image/png;base64,{img}">'
            "<figcaption>Top: raw signal in µV with detected bursts shaded. Middle: linear envelope"
            + (" (right axis in %MVC)" if result.mvc.get(name, {}).get("reason") == "" else "")
            + ". Bottom: mean (MNF) and median (MDF) frequency per analysis window with their regression lines; "
              "grey points are rest or skipped windows.</figcaption></figure>",
            _burst_table(result, name), "</section>",
        ]
    # full table
    cols = list(COLUMNS)
    parts += ['<h2 id="results">All results</h2>',
              '<details><summary>Every column (one row per channel)</summary><div class="wide"><table><thead><tr>'
              + "".join(f'<th title="{_e(COLUMNS[c])}">{_e(c)}</th>' for c in cols) + "</tr></thead><tbody>"]
    for _, r in frame.iterrows():
        parts.append("<tr>" + "".join(f"<td>{_e(_fmt(r[c], 5))}</td>" for c in cols) + "</tr>")
    parts.append("</tbody></table></div></details>")
    parts.append("<details><summary>What the columns mean</summary><dl class=\"params\">"
                 + "".join(f"<dt>{_e(c)}</dt><dd>{_e(d)}</dd>" for c, d in {**COLUMNS, **{f"burst.{k}": v for k, v in BURST_COLUMNS.items()}}.items())
                 + "</dl></details>")
    # parameters and provenance
    parts += ['<h2 id="parameters">Parameters</h2>',
              '<p class="muted">Every parameter the analysis used. The same analysis in Python: '
              "<code>myograph.apps.analyze.analyze_recording(rec, ...)</code>.</p>",
              '<dl class="params">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(_param_value(v))}</dd>" for k, v in _flatten(p)) + "</dl>",
              '<h2 id="provenance">Provenance</h2>',
              '<p class="muted">How the processed signal was made, step by step (operation, parameters, myograph version, time).</p>',
              '<ol class="steps">']
    for s in result.provenance:
        params = json.dumps(s.get("parameters", {}), indent=1, ensure_ascii=False, default=str)
        parts.append(f"<li><b>{_e(s.get('operation'))}</b> <span class=\"muted\">myograph {_e(s.get('version', ''))} · "
                     f"{_e(s.get('time', ''))}</span><details><summary>parameters</summary><pre>{_e(params)}</pre></details></li>")
    parts.append("</ol>")
    mvc = p.get("mvc")
    if mvc and mvc.get("provenance"):
        parts.append("<h3>MVC recording</h3><ol class=\"steps\">")
        for s in mvc["provenance"]:
            params = json.dumps(s.get("parameters", {}), indent=1, ensure_ascii=False, default=str)
            parts.append(f"<li><b>{_e(s.get('operation'))}</b><details><summary>parameters</summary><pre>{_e(params)}</pre></details></li>")
        parts.append("</ol>")
    parts.append(f"<footer>Generated by myograph {_e(__version__)} — open electromyograph software. "
                 "Results support, and do not replace, clinical judgement.</footer></main></body></html>")
    return "\n".join(parts)


def write_report(result: AnalysisResult, path: str | os.PathLike[str], *, title: str | None = None, dpi: int = 100) -> Path:
    """Write the self-contained HTML report to ``path`` (atomically) and return the path.

    One file: figures are embedded as base64 PNG, the style sheet is inline, there
    is no script and no external link, so it opens offline and can be e-mailed or
    archived as is.
    """
    text = render_report(result, title=title, dpi=dpi)
    out = Path(path)
    with atomic_open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out
