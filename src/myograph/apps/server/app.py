"""The electromyograph web app: one page, a websocket of binary frames, the recorder.

:func:`create_app` builds the FastAPI application around one live source
(``"sim"``, ``"brainflow:ID"``, ``"lsl:NAME"`` …, opened with
:func:`myograph.acquire.open_source`) and one data folder. One
:class:`~myograph.acquire.Acquisition` thread pulls the source's blocks and fans
them out to the recorder and to every websocket client (see
:mod:`myograph.apps.server.stream`); the page itself is static plain JS in
``static/``.

Routes
------
``GET /``                              the page
``GET /static/...``                    its script and style
``GET /api/info``                      the stream description (channels, rate, presets)
``GET /api/stats``                     acquisition, recorder and per-client counters, latency
``GET /api/recordings``                recordings in the data folder
``GET /api/recordings/{name}``         download one (``name`` is a bare file name inside the folder)
``GET /api/recordings/{name}/view``    min/max per pixel column for the viewer, annotations, analysis
``WS  /ws``                            binary frames out, JSON commands in

Security: binds to 127.0.0.1 unless told otherwise; the Host header must name
the loopback (DNS rebinding) and a websocket's Origin must match its Host
(another site's page cannot drive the recorder); recording names are bare
file names resolved inside the data folder — symlinks out of it, ``..`` and
absolute paths are refused, and the recorder never writes outside it;
websocket commands are validated strictly, a malformed one is logged and
answered with an error message, and the server keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from fastapi import FastAPI, HTTPException, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from myograph.acquire.source import Block, Source, StreamInfo
from myograph.apps.server.stream import (
    DEFAULT_DISPLAY_MAX_HZ,
    FRAME_VERSION,
    HEADER,
    PRESET_LABELS,
    PRESETS,
    ClientStream,
    FilterSetting,
    LatencyStats,
    channel_scales,
    display_step,
)
from myograph.apps.server.training import COMMANDS as TRAINING_COMMANDS
from myograph.apps.server.control import ControlManager
from myograph.apps.server.training import TrainingError

__all__ = ["create_app", "LiveHub", "safe_recording_path", "validate_command", "CommandError", "RECORDING_SUFFIX",
           "LOOPBACK_HOSTS"]

log = logging.getLogger("myograph.apps.server")

STATIC_DIR = Path(__file__).parent / "static"
RECORDING_SUFFIX = ".bdf"
#: a recording name: a bare file name, letters/digits first, then letters, digits, ``_ . -``
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,119}$")
#: Host header values accepted when serving on the loopback
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
MAX_MESSAGE_CHARS = 4096
MAX_BAD_MESSAGES = 50
MAX_LABEL_CHARS = 64
VIEW_MAX_COLUMNS = 4000
VIEW_ANALYSIS_MAX_S = 120.0


# --------------------------------------------------------------------------------------
# the data folder
# --------------------------------------------------------------------------------------
class PathRefused(ValueError):
    """A recording name that does not stay inside the data folder."""


def safe_recording_path(data_dir: Path, name: str, *, must_exist: bool = True) -> Path:
    """The path of recording ``name`` inside ``data_dir``, or :class:`PathRefused`.

    ``name`` must be a bare file name (no separators, no ``..``, not absolute)
    ending in ``.bdf``; the resolved path (symlinks followed) must lie inside
    the resolved data folder. With ``must_exist`` it must be a regular file;
    without, it must not exist yet (the recorder never overwrites, and never
    writes through a dangling symlink).
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or ".." in name:
        raise PathRefused(f"recording name must be a bare file name of letters, digits, '_', '.', '-', got {name!r}")
    if not name.lower().endswith(RECORDING_SUFFIX):
        raise PathRefused(f"recording name must end in {RECORDING_SUFFIX}, got {name!r}")
    root = data_dir.resolve()
    candidate = root / name
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root) or resolved.parent != root:
        raise PathRefused(f"{name!r} resolves outside the data folder")
    if must_exist:
        if not resolved.is_file():
            raise FileNotFoundError(name)
    else:
        if candidate.exists() or candidate.is_symlink():
            raise PathRefused(f"{name!r} already exists")
    return resolved


def list_recordings(data_dir: Path, current: Path | None = None) -> list[dict[str, Any]]:
    """Recordings (``*.bdf`` regular files, not symlinks) in the data folder, newest first.

    The file being recorded (``current``, still ``<name>.part`` on disk) is listed with
    ``"recording": true``.
    """
    root = data_dir.resolve()
    out = []
    for p in root.iterdir() if root.is_dir() else []:
        if p.suffix.lower() != RECORDING_SUFFIX or p.is_symlink() or not p.is_file() or not _NAME_RE.fullmatch(p.name):
            continue
        st = p.stat()
        out.append({"name": p.name, "size_bytes": st.st_size, "modified": st.st_mtime, "recording": False})
    if current is not None:
        part = current.with_name(current.name + ".part")
        st = part.stat() if part.is_file() else None
        out.append({"name": current.name, "size_bytes": st.st_size if st else 0,
                    "modified": st.st_mtime if st else time.time(), "recording": True})
    out.sort(key=lambda r: r["modified"], reverse=True)
    return out


# --------------------------------------------------------------------------------------
# websocket commands
# --------------------------------------------------------------------------------------
class CommandError(ValueError):
    """A websocket message that is not a valid command."""

    def __init__(self, message: str, cmd: str | None = None) -> None:
        super().__init__(message)
        self.cmd = cmd


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


#: cmd -> {field: (required, check, what is allowed)}
_COMMANDS: dict[str, dict[str, tuple[bool, Any, str]]] = {
    "record": {"name": (False, lambda v: isinstance(v, str) and len(v) <= 120, "a file name (string)")},
    "stop": {},
    "marker": {"label": (True, lambda v: isinstance(v, str) and 0 < len(v) <= MAX_LABEL_CHARS and v.isprintable(),
                         f"a printable string of 1–{MAX_LABEL_CHARS} characters")},
    "filter": {"preset": (False, lambda v: isinstance(v, str) and v in PRESETS, f"one of {sorted(PRESETS)}"),
               "notch": (False, lambda v: isinstance(v, bool), "true or false")},
    "excitation": {"level": (True, lambda v: _is_number(v) and 0.0 <= v <= 1.0, "a number from 0 to 1")},
    "audio": {"channel": (True, _is_int, "a channel index (integer)")},
    **TRAINING_COMMANDS,  # training_start, training_stop, control_stop, control_options, subject (see training.py)
}


def validate_command(text: Any) -> dict[str, Any]:
    """Parse and check one text message from the page; :class:`CommandError` says what is wrong."""
    if not isinstance(text, str):
        raise CommandError("binary messages are not accepted: send JSON text commands")
    if len(text) > MAX_MESSAGE_CHARS:
        raise CommandError(f"message of {len(text)} characters is longer than the {MAX_MESSAGE_CHARS} allowed")
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise CommandError(f"not JSON: {e}") from None
    if not isinstance(msg, dict):
        raise CommandError(f"a command must be a JSON object, got {type(msg).__name__}")
    cmd = msg.get("cmd")
    if not isinstance(cmd, str) or cmd not in _COMMANDS:
        raise CommandError(f"unknown cmd {cmd!r}: expected one of {sorted(_COMMANDS)}",
                           cmd if isinstance(cmd, str) and len(cmd) <= 40 else None)
    spec = _COMMANDS[cmd]
    extra = sorted(set(msg) - set(spec) - {"cmd"})
    if extra:
        raise CommandError(f"{cmd}: unexpected field(s) {extra}; allowed: {sorted(spec)}", cmd)
    for field, (required, check, what) in spec.items():
        if field not in msg:
            if required:
                raise CommandError(f"{cmd}: missing field {field!r} ({what})", cmd)
            continue
        if not check(msg[field]):
            raise CommandError(f"{cmd}: {field} must be {what}, got {json.dumps(msg[field])[:60]}", cmd)
    return msg


# --------------------------------------------------------------------------------------
# the hub: acquisition, recorder, clients
# --------------------------------------------------------------------------------------
class LiveHub:
    """One source, one acquisition thread, at most one recording, any number of clients.

    Parameters
    ----------
    source : Source
        The live source (not yet started).
    data_dir : Path
        Where recordings go; created if missing.
    flush_s : float
        Recorder flush interval (crash safety), s.
    client_options : dict
        Passed to every :class:`~myograph.apps.server.stream.ClientStream`.
    """

    def __init__(self, source: Source, data_dir: Path, *, flush_s: float = 1.0,
                 client_options: dict[str, Any] | None = None) -> None:
        self.source = source
        self.info: StreamInfo = source.info
        self.data_dir = Path(data_dir)
        self.flush_s = flush_s
        self.client_options = dict(client_options or {})
        md_line = getattr(self.info.metadata, "power_line_hz", None)
        self.line_hz = float(md_line) if md_line else 50.0
        self.clients: list[ClientStream] = []
        self.latency = LatencyStats()  # Block.received_s -> websocket send
        self.latency_generation = LatencyStats()  # the block's first sample generated (source clock) -> websocket send
        self.clock_is_monotonic = bool(getattr(source, "clock_is_monotonic", False))
        self.acquisition = None
        self.recorder = None
        self.recording_path: Path | None = None
        self.last_recording: dict[str, Any] | None = None
        self._feed: _RecorderFeed | None = None
        self._recording_started = 0.0
        self._recording_first_sample: int | None = None
        self._markers = 0
        self._lock = threading.Lock()
        # counters from the acquisition thread
        self.blocks_received = 0
        self.samples_received = 0
        self.last_first_sample: int | None = None
        self.gap_samples = 0
        self._expected: int | None = None
        self._started = False
        # training sessions and live control (the page's Control tab)
        self.control = ControlManager(self)

    # ----- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        from myograph.acquire.acquisition import Acquisition

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.acquisition = Acquisition(self.source)
        self._unsubscribe = _subscribe(self.acquisition, self.on_block)
        self.acquisition.start()
        self._started = True
        log.info("acquisition started: %s, %d channels at %g Hz", self.info.name, self.info.n_channels, self.info.fs)

    def stop(self) -> None:
        self.control.shutdown()  # the session or the controller unsubscribes first
        if self.recorder is not None:
            with contextlib.suppress(Exception):
                self.stop_recording()
        for c in list(self.clients):
            c.close()
        if self.acquisition is not None and self._started:
            self.acquisition.stop()
            self._started = False

    # ----- the acquisition thread ---------------------------------------------------------------
    def on_block(self, block: Block) -> None:
        """Called on the acquisition thread for every block: count, queue, never block."""
        self.blocks_received += 1
        self.samples_received += block.n_samples
        if self._expected is not None and block.first_sample > self._expected:
            self.gap_samples += block.first_sample - self._expected
        self._expected = block.first_sample + block.n_samples
        self.last_first_sample = block.first_sample
        for c in self.clients:  # list replaced, never mutated in place: safe to iterate
            c.offer(block)

    # ----- clients -------------------------------------------------------------------------------
    def new_client(self) -> ClientStream:
        c = ClientStream(self.info, line_hz=self.line_hz, latency=self.latency,
                         latency_generation=self.latency_generation if self.clock_is_monotonic else None,
                         **self.client_options)
        with self._lock:
            self.clients = self.clients + [c]
        return c

    def remove_client(self, client: ClientStream) -> None:
        client.close()
        with self._lock:
            self.clients = [c for c in self.clients if c is not client]

    # ----- recording -------------------------------------------------------------------------------
    def start_recording(self, name: str | None = None) -> dict[str, Any]:
        """Start the BDF+ recorder on a new file in the data folder; returns the recording status."""
        from myograph.acquire.recorder import Recorder
        from myograph.core.errors import MyographError

        with self._lock:
            if self.recorder is not None:
                raise CommandError(f"record: already recording {self.recording_path.name}", "record")
            if name is None:
                stem = time.strftime("emg-%Y%m%d-%H%M%S")
                name = stem + RECORDING_SUFFIX
                k = 1
                while _taken(self.data_dir / name):
                    k += 1
                    name = f"{stem}-{k}{RECORDING_SUFFIX}"
            elif not name.lower().endswith(RECORDING_SUFFIX):
                name = name + RECORDING_SUFFIX
            try:
                path = safe_recording_path(self.data_dir, name, must_exist=False)
                if _taken(path):
                    raise PathRefused(f"{name!r} already exists")
                recorder = Recorder(self.info, path, flush_s=self.flush_s, background=True)
            except (PathRefused, MyographError, OSError) as e:
                raise CommandError(f"record: {e}", "record") from None
            feed = _RecorderFeed(recorder)
            self._recording_started = time.monotonic()
            self._markers = 0
            self.recording_path = path
            self.recorder = recorder
            self._feed = feed
            self._unsubscribe_recorder = _subscribe(self.acquisition, feed)
        log.info("recording to %s", path)
        return self.recording_status()

    def stop_recording(self) -> dict[str, Any]:
        """Stop and close the file; returns what was written (``CommandError`` when not recording)."""
        from myograph.core.errors import MyographError

        with self._lock:
            if self.recorder is None:
                raise CommandError("stop: not recording", "stop")
            recorder, path, feed = self.recorder, self.recording_path, self._feed
            self._unsubscribe_recorder()
            feed.active = False
            status = self.recording_status()
            self.recorder = None
            self.recording_path = None
        try:
            summary = recorder.close()
        except MyographError as e:  # e.g. stopped before the first sample arrived
            log.warning("recording %s: %s", path.name, e)
            raise CommandError(f"stop: {e}", "stop") from None
        log.info("recording stopped: %s", path)
        status.update(duration_s=summary.duration_s, samples=summary.n_samples, gaps=summary.gaps,
                      missing_samples=summary.missing_samples, size_bytes=path.stat().st_size,
                      first_sample=feed.first_sample, end_sample=feed.end_sample, samples_fed=feed.samples)
        self.last_recording = status
        return status

    def mark(self, label: str) -> dict[str, Any]:
        """A marker in the recording, now; returns its onset in the file, s."""
        from myograph.core.errors import MyographError

        with self._lock:
            if self.recorder is None:
                raise CommandError("marker: not recording", "marker")
            feed = self._feed
            # the sample just after the newest one handed to the recorder; the recorder (in background
            # mode) places the marker there once it has written the blocks before it
            at = feed.end_sample if feed is not None and feed.end_sample is not None else None
            try:
                onset = self.recorder.mark(label, at_sample=at)
            except MyographError as e:
                raise CommandError(f"marker: {e}", "marker") from None
            self._markers += 1
        if onset is None:
            onset = (at - feed.first_sample) / self.info.fs if at is not None else 0.0
        return {"label": label, "onset_s": float(onset)}

    def recording_status(self) -> dict[str, Any] | None:
        rec, path = self.recorder, self.recording_path
        if rec is None or path is None:
            return None
        return {"name": path.name, "duration_s": rec.n_samples / self.info.fs, "markers": self._markers}

    # ----- source controls ----------------------------------------------------------------------------
    @property
    def has_excitation(self) -> bool:
        # the gestures simulator refuses set_excitation: its drive follows the gestures (the Control tab)
        return callable(getattr(self.source, "set_excitation", None)) and not getattr(self.source, "gesture_names", ())

    def set_excitation(self, level: float) -> None:
        if not self.has_excitation:
            raise CommandError(f"excitation: source {self.info.name!r} has no excitation control", "excitation")
        self.source.set_excitation(level)

    # ----- description ------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        scales = channel_scales(self.info)
        step = display_step(self.info.fs, self.client_options.get("display_max_hz", DEFAULT_DISPLAY_MAX_HZ))
        chans = []
        for c, s in zip(self.info.channels, scales):
            chans.append({"name": c.name, "type": c.type, "units": c.units, "display_unit": "µV" if s == 1e6 else c.units,
                          "muscle": c.muscle, "side": c.side, "group": c.group})
        return {"name": self.info.name, "fs": self.info.fs, "step": step, "line_hz": self.line_hz, "channels": chans}

    def stats(self) -> dict[str, Any]:
        """Counters for ``/api/stats`` (and the benchmark)."""
        acq = self.acquisition
        acquisition: dict[str, Any] = {}
        if acq is not None:
            lat = acq.latency()
            acquisition = {"blocks": acq.blocks, "samples": acq.samples, "subscriber_errors": sum(acq.errors.values()),
                           "gaps": len(acq.gaps.gaps), "missing_samples": acq.gaps.missing_samples,
                           "fanout_median_ms": _ms(lat.fanout_median_s), "source_median_ms": _ms(lat.source_median_s),
                           "running": acq.running, "error": repr(acq.error) if acq.error is not None else None}
        return {
            "source": self.info.name, "fs": self.info.fs, "n_channels": self.info.n_channels,
            "blocks_received": self.blocks_received, "samples_received": self.samples_received,
            "last_first_sample": self.last_first_sample, "gap_samples": self.gap_samples,
            "acquisition": acquisition,
            "latency": self.latency.summary(),
            "latency_from_generation": self.latency_generation.summary(),
            "recording": self.recording_status(),
            "last_recording": self.last_recording,
            "clients": [c.stats() for c in self.clients],
        }


def _ms(v: float) -> float | None:
    return float(v * 1e3) if isinstance(v, float) and math.isfinite(v) else None


def _subscribe(acquisition: Any, callback) -> Any:
    """Subscribe ``callback(block)`` to the acquisition; returns the function that unsubscribes it."""
    return acquisition.subscribe(callback)


class _RecorderFeed:
    """The recorder's subscription: counts what it passes on and goes quiet once stopped."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.active = True
        self.first_sample: int | None = None
        self.end_sample: int | None = None
        self.samples = 0

    def __call__(self, block: Block) -> None:
        if not self.active:
            return
        try:
            self.recorder.write(block)  # background recorder: queues and returns
        except Exception:  # closed meanwhile, or its writer failed: never disturb the acquisition thread
            if self.active:
                log.exception("recorder refused a block")
            self.active = False
            return
        if self.first_sample is None:
            self.first_sample = block.first_sample
        self.end_sample = block.first_sample + block.n_samples
        self.samples += block.n_samples


def _taken(path: Path) -> bool:
    """A file (or link) exists at ``path`` or at the recorder's unfinished ``.part`` beside it."""
    part = path.with_name(path.name + ".part")
    return path.exists() or path.is_symlink() or part.exists() or part.is_symlink()


# --------------------------------------------------------------------------------------
# the recordings viewer
# --------------------------------------------------------------------------------------
def recording_view(path: Path, *, start_s: float = 0.0, stop_s: float | None = None, columns: int = 1000,
                   analysis: bool = True) -> dict[str, Any]:
    """Min/max per pixel column of ``[start_s, stop_s)`` in µV, annotations and (when present) analysis."""
    import myograph

    lazy = myograph.open(path)
    try:
        fs, n = float(lazy.fs), int(lazy.n_samples)
        duration = n / fs
        stop_s = duration if stop_s is None else min(stop_s, duration)
        start_s = max(0.0, min(start_s, stop_s))
        a, b = int(math.floor(start_s * fs)), int(math.ceil(stop_s * fs))
        b = max(a, min(b, n))
        m = b - a
        columns = int(max(1, min(columns, VIEW_MAX_COLUMNS, max(m, 1))))
        scales = np.array([1e6 if c.units == "V" else 1.0 for c in lazy.channels])[:, None]
        n_ch = len(lazy.channels)
        mins = np.full((n_ch, columns), np.nan)
        maxs = np.full((n_ch, columns), np.nan)
        edges = np.linspace(a, b, columns + 1).round().astype(np.int64) if m else np.zeros(columns + 1, np.int64)
        data_for_analysis = None
        want_analysis = analysis and m > 0 and m / fs <= VIEW_ANALYSIS_MAX_S
        # read in bounded chunks of columns
        chunk_cols = max(1, int(2_000_000 // max(1, (m // columns + 1) * n_ch)))
        parts = []
        for c0 in range(0, columns, chunk_cols):
            c1 = min(columns, c0 + chunk_cols)
            s0, s1 = int(edges[c0]), int(edges[c1])
            if s1 <= s0:
                continue
            x = lazy.read_samples(s0, s1) * scales
            if want_analysis:
                parts.append(x)
            idx = edges[c0:c1] - s0
            idx = np.clip(idx, 0, x.shape[1] - 1)
            with np.errstate(invalid="ignore"):
                mins[:, c0:c1] = np.fmin.reduceat(x, idx, axis=1)
                maxs[:, c0:c1] = np.fmax.reduceat(x, idx, axis=1)
        if want_analysis and parts:
            data_for_analysis = np.concatenate(parts, axis=1)
        channels = [{"name": c.name, "type": c.type, "units": c.units, "muscle": c.muscle, "side": c.side,
                     "group": c.group} for c in lazy.channels]
        anns = [{"onset_s": float(o), "duration_s": float(d), "label": str(lab)}
                for o, d, lab in _annotation_rows(lazy.annotations) if start_s <= o <= stop_s or (o < start_s < o + d)]
        out: dict[str, Any] = {
            "name": path.name, "fs": fs, "n_samples": n, "duration_s": duration, "start_s": a / fs, "stop_s": b / fs,
            "columns": columns, "channels": channels, "min": _round_list(mins), "max": _round_list(maxs),
            "annotations": anns,
        }
        if analysis:
            if data_for_analysis is None:
                out["analysis"] = {"available": False, "reason": f"zoom in to at most {VIEW_ANALYSIS_MAX_S:g} s"}
            else:
                out["analysis"] = _analysis(data_for_analysis, fs, a / fs, edges - a, lazy.channels, scales[:, 0])
        return out
    finally:
        lazy.close()


def _annotation_rows(annotations: Any) -> list[tuple[float, float, str]]:
    return [(float(a.onset), float(a.duration), str(a.label)) for a in annotations]


def _round_list(a: np.ndarray) -> list[list[float | None]]:
    r = np.round(a, 1)
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in r]


def _analysis(x_uv: np.ndarray, fs: float, t0: float, col_edges: np.ndarray, channels: Any,
              scales: np.ndarray) -> dict[str, Any]:
    """Envelope per column, onsets and quality, each only when its module is present and the data allow it."""
    out: dict[str, Any] = {"available": True}
    emg = [i for i, c in enumerate(channels) if c.type == "EMG"]
    notes = []
    try:
        from myograph.signal import surface_pipeline

        env = surface_pipeline(x_uv[emg], fs) if emg else None
        if env is not None:
            idx = np.clip(col_edges[:-1], 0, env.shape[1] - 1)
            cols = np.add.reduceat(env, idx, axis=1) / np.maximum(np.diff(np.append(idx, env.shape[1])), 1)
            full = [None] * len(channels)
            for k, i in enumerate(emg):
                full[i] = [round(float(v), 1) for v in cols[k]]
            out["envelope"] = full
    except Exception as e:  # noqa: BLE001 - analysis is optional; say why it is missing
        notes.append(f"envelope: {e}")
    try:
        from myograph.activation import detect_onsets
        from myograph.signal import bandpass

        bp = bandpass(x_uv[emg] * 1e-6, fs, 20.0, min(450.0, 0.45 * fs)) if emg else None
        if bp is not None:
            intervals = detect_onsets(bp, fs)
            onsets = []
            for k, i in enumerate(emg):
                for on, off in np.asarray(intervals[k]).reshape(-1, 2):
                    onsets.append({"channel": channels[i].name, "channel_index": i,
                                   "onset_s": float(on) + t0, "offset_s": float(off) + t0})
            out["onsets"] = onsets
    except ImportError:
        notes.append("onsets: myograph.activation is not installed")
    except Exception as e:  # noqa: BLE001
        notes.append(f"onsets: {e}")
    try:
        import myograph
        from myograph.quality import assess_quality

        names = [channels[i].name for i in emg]
        rec = myograph.Recording(x_uv[emg] * 1e-6, fs=fs, ch_names=names)
        report = assess_quality(rec).report
        out["quality"] = [{"channel": str(ch), "status": str(row.get("status", "")), "reason": str(row.get("reason", "")),
                           "snr_db": _num(row.get("snr_db")), "powerline_ratio": _num(row.get("powerline_ratio"))}
                          for ch, row in report.iterrows()]
    except ImportError:
        notes.append("quality: myograph.quality is not installed")
    except Exception as e:  # noqa: BLE001
        notes.append(f"quality: {e}")
    if notes:
        out["notes"] = notes
    return out


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


# --------------------------------------------------------------------------------------
# the application
# --------------------------------------------------------------------------------------
def create_app(source_spec: str = "sim", data_dir: str | Path = "./recordings", *, source: Source | None = None,
               allowed_hosts: list[str] | None = None, flush_s: float = 1.0,
               client_options: dict[str, Any] | None = None, status_interval_s: float = 0.5) -> FastAPI:
    """The FastAPI application.

    Parameters
    ----------
    source_spec : str
        What :func:`myograph.acquire.open_source` opens: ``"sim"``, ``"sim:needle"``,
        ``"sim:hdemg"``, ``"brainflow:ID"``, ``"lsl:NAME"``. Ignored when ``source`` is given.
    data_dir : path
        The only folder the server reads recordings from and writes them to.
    source : Source, optional
        An already constructed source (tests, embedding).
    allowed_hosts : list of str, optional
        Host header values accepted; default the loopback names. ``["*"]`` accepts any
        (only when deliberately serving on a network).
    flush_s : float
        Recorder flush interval, s.
    client_options : dict, optional
        :class:`~myograph.apps.server.stream.ClientStream` options (``display_max_hz``,
        ``max_pending_s``, ``frame_interval_s`` …).
    status_interval_s : float
        How often each client gets a status message, s.
    """
    data_dir = Path(data_dir)
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOOPBACK_HOSTS)

    if source is None:
        from myograph.acquire.specs import open_source

        source = open_source(source_spec)
    hub = LiveHub(source, data_dir, flush_s=flush_s, client_options=client_options)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        hub.start()
        try:
            yield
        finally:
            hub.stop()

    app = FastAPI(title="myograph", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hub = hub
    app.state.data_dir = data_dir
    if "*" not in hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.middleware("http")
    async def _headers(request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    def hello() -> dict[str, Any]:
        return {
            "type": "hello", "version": FRAME_VERSION,
            "frame": {"header_bytes": HEADER.size, "magic": "MYOG", "types": {"samples": 1, "levels": 2, "audio": 3},
                      "dtype": "float32 little-endian, channel-major"},
            "info": hub.describe(),
            "presets": [{"name": k, "label": PRESET_LABELS[k]} for k in PRESETS],
            "controls": {"excitation": hub.has_excitation},
            "recording": hub.recording_status(),
            "control": {**hub.control.describe(), "status": hub.control.status()},
        }

    @app.get("/api/info")
    async def api_info() -> dict[str, Any]:
        return hello()

    @app.get("/api/stats")
    async def api_stats() -> dict[str, Any]:
        return hub.stats()

    @app.get("/api/recordings")
    async def api_recordings() -> list[dict[str, Any]]:
        return list_recordings(data_dir, hub.recording_path)

    def _resolve(name: str) -> Path:
        current = hub.recording_path
        if current is not None and name == current.name:
            raise HTTPException(status_code=409, detail=f"{name} is being recorded; stop the recording first")
        try:
            path = safe_recording_path(data_dir, name)
        except PathRefused as e:
            log.warning("refused recording name %r: %s", name, e)
            raise HTTPException(status_code=400, detail=str(e)) from None
        except FileNotFoundError:
            raise HTTPException(status_code=404, detail=f"no recording named {name!r}") from None
        return path

    @app.get("/api/recordings/{name}")
    async def api_download(name: str) -> FileResponse:
        path = _resolve(name)
        return FileResponse(path, media_type="application/octet-stream", filename=path.name)

    @app.get("/api/recordings/{name}/view")
    async def api_view(name: str, start_s: float = Query(0.0, ge=0.0), stop_s: float | None = Query(None, ge=0.0),
                       columns: int = Query(1000, ge=1, le=VIEW_MAX_COLUMNS), analysis: bool = True) -> JSONResponse:
        path = _resolve(name)
        if not (math.isfinite(start_s) and (stop_s is None or math.isfinite(stop_s))):
            raise HTTPException(status_code=422, detail="start_s and stop_s must be finite")
        try:
            view = await asyncio.to_thread(recording_view, path, start_s=start_s, stop_s=stop_s, columns=columns,
                                           analysis=analysis)
        except Exception as e:  # a damaged file: say so, keep serving
            log.warning("cannot view %s: %s", name, e)
            raise HTTPException(status_code=422, detail=f"cannot read {name}: {e}") from None
        return JSONResponse(view)

    @app.websocket("/ws")
    async def ws_endpoint(ws: WebSocket) -> None:
        origin = ws.headers.get("origin")
        if origin is not None and not _origin_matches(origin, ws.headers.get("host", "")):
            log.warning("websocket refused: origin %r does not match host %r", origin, ws.headers.get("host"))
            await ws.close(code=1008)
            return
        await ws.accept()
        peer = f"{ws.client.host}:{ws.client.port}" if ws.client else "?"
        lock = asyncio.Lock()

        async def send_bytes(b: bytes) -> None:
            async with lock:
                await ws.send_bytes(b)

        async def send_json(obj: dict[str, Any]) -> None:
            async with lock:
                await ws.send_text(json.dumps(obj, allow_nan=False, default=str))

        client = hub.new_client()
        outbox = hub.control.add_outbox()  # training prompts and live decisions, pushed as they happen
        await send_json(hello())
        sender = asyncio.create_task(client.run(send_bytes))
        status = asyncio.create_task(_status_loop(hub, client, send_json, status_interval_s))
        pushed = asyncio.create_task(outbox.run(send_json))
        bad = 0
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                try:
                    if text is None:
                        raise CommandError("binary messages are not accepted: send JSON text commands")
                    cmd = validate_command(text)
                    try:
                        reply = _execute(hub, client, cmd)
                    except CommandError:
                        raise
                    except Exception as e:  # a bug or a device error: report it, keep the connection
                        log.exception("websocket %s: command %s failed", peer, cmd.get("cmd"))
                        raise CommandError(f"{cmd.get('cmd')}: failed: {type(e).__name__}: {e}", cmd.get("cmd")) from None
                except CommandError as e:
                    bad += 1
                    shown = (text[:80] + "…") if isinstance(text, str) and len(text) > 80 else text
                    log.warning("websocket %s: rejected message %r: %s", peer, shown if text is not None else "<binary>", e)
                    await send_json({"type": "error", "cmd": e.cmd, "error": str(e)})
                    if bad >= MAX_BAD_MESSAGES:
                        log.warning("websocket %s: closed after %d malformed messages", peer, bad)
                        await ws.close(code=1008)
                        break
                    continue
                await send_json(reply)
        except WebSocketDisconnect:
            pass
        except Exception:  # never let one client take the server down
            log.exception("websocket %s: unexpected error", peer)
            with contextlib.suppress(Exception):
                await ws.close(code=1011)
        finally:
            hub.remove_client(client)
            hub.control.remove_outbox(outbox)
            for t in (sender, status, pushed):
                t.cancel()
            for t in (sender, status, pushed):
                with contextlib.suppress(BaseException):
                    await t

    return app


def _origin_matches(origin: str, host: str) -> bool:
    try:
        return urlsplit(origin).netloc.lower() == host.lower()
    except ValueError:
        return False


def _execute(hub: LiveHub, client: ClientStream, cmd: dict[str, Any]) -> dict[str, Any]:
    """Run a validated command; returns the ack (``CommandError`` for a refused one)."""
    name = cmd["cmd"]
    ack: dict[str, Any] = {"type": "ack", "cmd": name}
    if name == "filter":
        setting = FilterSetting(preset=cmd.get("preset", client.setting.preset), notch=cmd.get("notch", client.setting.notch))
        ack["filter"] = client.set_filter(setting)
        ack["preset"], ack["notch"] = setting.preset, setting.notch
    elif name == "audio":
        ch = cmd["channel"]
        if not 0 <= ch < hub.info.n_channels:
            raise CommandError(f"audio: channel must be 0–{hub.info.n_channels - 1}, got {ch}", name)
        client.set_audio_channel(ch)
        ack["channel"] = ch
    elif name == "record":
        ack["recording"] = hub.start_recording(cmd.get("name"))
    elif name == "stop":
        ack["file"] = hub.stop_recording()
        ack["recording"] = None
    elif name == "marker":
        ack.update(hub.mark(cmd["label"]))
        ack["recording"] = hub.recording_status()
    elif name == "excitation":
        hub.set_excitation(float(cmd["level"]))
        ack["level"] = cmd["level"]
    elif name in TRAINING_COMMANDS:
        try:
            ack.update(hub.control.execute(cmd))
        except TrainingError as e:
            raise CommandError(str(e), name) from None
    return ack


async def _status_loop(hub: LiveHub, client: ClientStream, send_json, interval_s: float) -> None:
    """Every ``interval_s``: the recording state and this client's stream counters."""
    while True:
        await asyncio.sleep(interval_s)
        lat = hub.latency.summary()
        acq = hub.acquisition
        source_error = repr(acq.error) if acq is not None and acq.error is not None else None
        await send_json({"type": "status", "recording": hub.recording_status(), "source_error": source_error,
                         "stream": {**client.stats(), "latency_median_ms": lat["median_ms"]},
                         "control": hub.control.status()})
