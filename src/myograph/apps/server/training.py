"""Screen-guided training of a myoelectric controller, then live decisions, in the browser app.

The page's *Control* tab drives three phases, shared by every open page (like the
recorder):

1. **Prompting** — a :class:`TrainingSession` subscribes to the hub's acquisition
   and walks a schedule of prompts (rest, gesture, rest, gesture … rest; the
   gestures in a fresh random order each repetition) counted in *stream samples*:
   prompt *k* covers samples ``[origin + start_k, origin + stop_k)`` where
   ``origin`` is the first sample of the first block the session received. The
   prompt on screen is the one holding the newest sample received, so the
   countdown follows the stream, not the wall clock, and a stalled source stalls
   the prompts. The session keeps every sample of ``[origin, end)``.
2. **Training** — in a worker thread: the session becomes a
   :class:`~myograph.Recording` with one ``gesture:<name>`` annotation per hold
   (cue-based labels: a sample belongs to the prompt on screen when it was
   acquired), saved as BDF in the data folder (``myograph.write``, atomic); it is
   cut with :func:`~myograph.control.from_recording` (200 ms windows every 50 ms,
   after ``Preprocess(highpass_hz=20, powerline_hz=<mains>)``), a TD4 + LDA
   :class:`~myograph.control.ControlModel` is trained on all of it and saved in
   ``<data_dir>/models/<name>.json``, and a leave-one-repetition-out evaluation
   (:func:`~myograph.control.evaluate`) gives the accuracy shown on the page.
3. **Live control** — an :class:`~myograph.control.OnlineController` subscribed to
   the acquisition decides every 50 ms; each decision is pushed to every page as a
   ``{"type": "decision"}`` message and the status carries a
   :func:`~myograph.control.latency_report` over the recent decisions.

Reaction time. A person needs a few hundred milliseconds to follow a cue, and the
muscles ramp up or relax after it. The first ``settle_s`` (0.5 s) of every prompt
is marked with a ``BAD_settle`` annotation, so ``from_recording`` (``skip_bad``)
drops the windows that overlap it; the samples stay in the saved file, labelled,
for anyone who wants to study the transitions.

Gaps. Samples the stream lost (the block counter jumps) are stored as 0 V in the
Recording (EDF cannot store NaN) and covered by a ``BAD_gap`` annotation that runs
:data:`GAP_GUARD_S` past the gap, the time the 20 Hz high-pass needs to forget the
step at its edges; windows overlapping it are dropped.

The simulated subject. When the source is a :class:`~myograph.acquire.sim.SimulatedAmplifier`
in the ``"gestures"`` mode (it has ``set_gesture`` and ``gesture_names``), the
session makes it follow every prompt ``reaction_s`` (0.3 s) after the cue, with
``at_sample`` so the onsets are exact in the stream whatever the thread timing.
The simulator generates up to ~1.1 s ahead of its reader (``lookahead_s`` +
``chunk_s`` without real time; ~0.35 s in real time), and a command cannot change
samples already generated, so each command is issued :data:`SUBJECT_LEAD_S`
(1.5 s) before its onset. During live control the simulated subject keeps
performing the trained gestures in random order (``"auto"``), or holds the one
the page picks, so the decisions have something to follow; each decision then
also carries the subject's true gesture.

Threads. ``TrainingSession.feed`` and ``LiveControl.feed`` run on the acquisition
thread (they only copy, count and — for the controller — decide: about 1 ms per
decision for 8 channels, measured in ``docs/server.md``); the messages they make
go to per-client :class:`Outbox` queues that the event loop drains, so no socket
ever blocks the acquisition. Training runs in its own thread.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from myograph.acquire.source import Block, StreamInfo

__all__ = [
    "TrainingSession", "LiveControl", "ControlManager", "Outbox", "Prompt", "make_schedule", "train_from_recording",
    "TrainingError", "COMMANDS", "DEFAULT_GESTURES", "gesture_display",
]

log = logging.getLogger("myograph.apps.server")

#: gestures offered when the source does not name its own (rest is always recorded between them)
DEFAULT_GESTURES = ("hand_open", "hand_close", "wrist_flexion", "wrist_extension")
REST = "rest"
#: a gesture name: a letter, then letters, digits or ``_`` (it becomes a ``gesture:<name>`` annotation)
GESTURE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
#: a session name (the recording ``<name>.bdf`` and the model ``models/<name>.json``)
SESSION_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
MAX_GESTURES = 12
MAX_REPETITIONS = 20
MIN_PROMPT_S, MAX_PROMPT_S = 1.0, 30.0
MAX_SESSION_S = 600.0
#: samples x channels a session may hold (float32): 200 MB
MAX_SESSION_VALUES = 50_000_000
WINDOW_S, STEP_S = 0.2, 0.05
#: how far past a gap its BAD_gap annotation runs (the causal high-pass forgets the step), s
GAP_GUARD_S = 0.2
#: how long before its onset a command is handed to the simulated subject, s
SUBJECT_LEAD_S = 1.5
#: decisions kept for the latency report and the live agreement
RECENT_DECISIONS = 400


class TrainingError(ValueError):
    """A training or control command that cannot be carried out now (said to the page as an error)."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _valid_gestures(v: Any) -> bool:
    return (isinstance(v, list) and 1 <= len(v) <= MAX_GESTURES + 1
            and all(isinstance(g, str) and GESTURE_RE.fullmatch(g) for g in v) and len(set(v)) == len(v))


#: the websocket commands of this module: cmd -> {field: (required, check, what is allowed)}
#: (merged into the server's command table, validated by ``validate_command``)
COMMANDS: dict[str, dict[str, tuple[bool, Any, str]]] = {
    "training_start": {
        "gestures": (False, _valid_gestures, f"a list of 1–{MAX_GESTURES} distinct gesture names "
                                             "(a letter, then letters, digits or '_', at most 32 characters)"),
        "repetitions": (False, lambda v: _is_int(v) and 1 <= v <= MAX_REPETITIONS, f"an integer from 1 to {MAX_REPETITIONS}"),
        "hold_s": (False, lambda v: _is_number(v) and MIN_PROMPT_S <= v <= MAX_PROMPT_S,
                   f"a number of seconds from {MIN_PROMPT_S:g} to {MAX_PROMPT_S:g}"),
        "rest_s": (False, lambda v: _is_number(v) and MIN_PROMPT_S <= v <= MAX_PROMPT_S,
                   f"a number of seconds from {MIN_PROMPT_S:g} to {MAX_PROMPT_S:g}"),
        "settle_s": (False, lambda v: _is_number(v) and 0.0 <= v <= 2.0, "a number of seconds from 0 to 2"),
        "name": (False, lambda v: isinstance(v, str) and bool(SESSION_NAME_RE.fullmatch(v)),
                 "a name of letters, digits, '_' and '-' (at most 64 characters)"),
    },
    "training_stop": {},
    "control_stop": {},
    "subject": {"gesture": (True, lambda v: isinstance(v, str) and (v == "auto" or bool(GESTURE_RE.fullmatch(v))),
                            "a gesture name, 'rest' or 'auto'")},
}


def gesture_display(name: str) -> str:
    """``"hand_open"`` -> ``"Hand open"``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------
# the schedule
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prompt:
    """One prompt of a session: ``label`` shown over samples ``[start, stop)`` counted from the session's origin."""

    index: int
    label: str
    repetition: int  # 1-based; a rest takes the repetition of the gesture after it (the last rest: the last)
    start: int
    stop: int

    @property
    def is_rest(self) -> bool:
        return self.label == REST

    def to_dict(self, fs: float) -> dict[str, Any]:
        return {"index": self.index, "label": self.label, "display": gesture_display(self.label),
                "kind": "rest" if self.is_rest else "gesture", "repetition": self.repetition,
                "start_s": self.start / fs, "duration_s": (self.stop - self.start) / fs}


def make_schedule(gestures: Sequence[str], repetitions: int, hold_s: float, rest_s: float, fs: float,
                  rng: np.random.Generator) -> list[Prompt]:
    """Rest, gesture, rest, gesture … rest: every gesture once per repetition, in a fresh random order each time."""
    hold, rest = int(round(hold_s * fs)), int(round(rest_s * fs))
    prompts: list[Prompt] = []
    t = 0
    for r in range(1, repetitions + 1):
        for k in rng.permutation(len(gestures)):
            prompts.append(Prompt(len(prompts), REST, r, t, t + rest))
            t += rest
            prompts.append(Prompt(len(prompts), str(gestures[int(k)]), r, t, t + hold))
            t += hold
    prompts.append(Prompt(len(prompts), REST, repetitions, t, t + rest))
    return prompts


# --------------------------------------------------------------------------------------
# the simulated subject
# --------------------------------------------------------------------------------------
def simulated_subject(source: Any) -> Any | None:
    """The source when it is a subject that performs gestures on command (the gestures-mode simulator), else ``None``."""
    names = getattr(source, "gesture_names", ())
    if callable(getattr(source, "set_gesture", None)) and isinstance(names, tuple) and len(names) > 1:
        return source
    return None


class SubjectScript:
    """Commands ``(onset sample, gesture)`` handed to the simulated subject :data:`SUBJECT_LEAD_S` before their onset.

    ``issued`` keeps ``(requested onset, gesture, actual onset)`` of each command
    (the simulator moves an onset it can no longer honour to its first sample not yet
    generated).
    """

    def __init__(self, subject: Any, fs: float, commands: Sequence[tuple[int, str]] = ()) -> None:
        self.subject = subject
        self.lead = int(round(SUBJECT_LEAD_S * fs))
        self.pending: collections.deque[tuple[int, str]] = collections.deque(sorted(commands))
        self.issued: list[tuple[int, str, int]] = []

    def add(self, at: int, gesture: str) -> None:
        self.pending.append((int(at), gesture))

    def due(self, position: int) -> None:
        """Issue the commands whose onsets lie within the lead of ``position`` (the newest sample received)."""
        while self.pending and self.pending[0][0] - self.lead <= position:
            at, gesture = self.pending.popleft()
            ev = self.subject.set_gesture(gesture, at_sample=int(at))
            self.issued.append((int(at), gesture, int(ev.start_sample)))
            if ev.start_sample != at:
                log.debug("simulated subject: %s asked for sample %d, starts at %d", gesture, at, ev.start_sample)

    def cancel(self) -> None:
        """Forget what is pending and rest from the first sample not yet generated (later commands are replaced)."""
        self.pending.clear()
        try:
            self.subject.set_gesture(REST)
        except Exception:  # noqa: BLE001 - a stopped simulator: nothing to cancel
            log.debug("simulated subject: could not rest", exc_info=True)


# --------------------------------------------------------------------------------------
# one session
# --------------------------------------------------------------------------------------
class TrainingSession:
    """Prompts counted in stream samples, the samples they cover, and the Recording they make.

    Feed it every block (:meth:`feed`, as an acquisition subscriber); it starts at
    the first block, walks :attr:`prompts` and is :attr:`complete` once it holds
    every sample up to the end of the last prompt.

    Parameters
    ----------
    info : StreamInfo
        The stream (rate, channels, metadata of the Recording).
    gestures : sequence of str
        The gestures to prompt (``"rest"`` is always recorded between them).
    repetitions : int
        How many times each gesture is prompted.
    hold_s, rest_s : float
        Gesture hold and rest durations, s.
    settle_s : float
        Start of every prompt excluded from training (``BAD_settle``), s.
    subject : optional
        A simulated subject (``set_gesture``); it follows each prompt ``reaction_s`` after the cue.
    reaction_s : float
        The simulated subject's reaction time, s.
    seed : int, optional
        Seed of the gesture order (default: a fresh order each session).
    name : str
        The session's name (recording and model files).
    on_prompt, on_complete : callable, optional
        Called on the feeding thread with the session when the prompt changes and
        once when the last sample arrived.
    """

    def __init__(self, info: StreamInfo, gestures: Sequence[str], *, repetitions: int = 3, hold_s: float = 3.0,
                 rest_s: float = 2.0, settle_s: float = 0.5, subject: Any = None, reaction_s: float = 0.3,
                 seed: int | None = None, name: str = "training",
                 on_prompt: Callable[["TrainingSession"], None] | None = None,
                 on_complete: Callable[["TrainingSession"], None] | None = None) -> None:
        self.info = info
        self.fs = float(info.fs)
        self.gestures = tuple(dict.fromkeys(g for g in gestures if g != REST))
        if not self.gestures:
            raise TrainingError("training_start: choose at least one gesture besides rest")
        self.repetitions = int(repetitions)
        self.hold_s, self.rest_s, self.settle_s = float(hold_s), float(rest_s), float(settle_s)
        if self.settle_s + WINDOW_S > min(self.hold_s, self.rest_s) - 1e-9:
            raise TrainingError(f"training_start: settle_s ({self.settle_s:g} s) plus a {WINDOW_S * 1e3:g} ms window must "
                                f"fit in the shortest prompt ({min(self.hold_s, self.rest_s):g} s)")
        self.name = name
        self.seed = seed
        self.prompts = make_schedule(self.gestures, self.repetitions, self.hold_s, self.rest_s, self.fs,
                                     np.random.default_rng(seed))
        self.n_samples = self.prompts[-1].stop
        if self.n_samples / self.fs > MAX_SESSION_S:
            raise TrainingError(f"training_start: the session would last {self.n_samples / self.fs:.0f} s; "
                                f"at most {MAX_SESSION_S:g} s (fewer gestures, repetitions or shorter prompts)")
        if self.n_samples * info.n_channels > MAX_SESSION_VALUES:
            raise TrainingError(f"training_start: {info.n_channels} channels for {self.n_samples / self.fs:.0f} s is more "
                                "than a session may hold in memory; shorten it")
        self._starts = np.array([p.start for p in self.prompts], dtype=np.int64)
        self.subject = subject
        self.reaction = int(round(float(reaction_s) * self.fs))
        self.script = SubjectScript(subject, self.fs) if subject is not None else None
        self.on_prompt, self.on_complete = on_prompt, on_complete
        self.origin: int | None = None  # stream sample of the session's first sample
        self.position = 0  # samples of the session received (offset of the newest sample + 1)
        self.prompt_index = 0
        self.gaps: list[tuple[int, int]] = []  # missing [a, b), session offsets
        self.complete = False
        self.stopped = False
        self.started_wall: float | None = None
        self._parts: list[tuple[int, np.ndarray]] = []
        self._expected: int | None = None
        self._lock = threading.Lock()

    # ----- feeding (the acquisition thread) -------------------------------------------
    def feed(self, block: Block) -> None:
        """Take one block: keep its samples inside the session, advance the prompt, drive the simulated subject."""
        if self.complete or self.stopped or block.n_samples == 0:
            return
        changed = done = False
        with self._lock:
            if self.origin is None:
                self.origin = int(block.first_sample)
                self._expected = self.origin
                self.started_wall = time.monotonic()
                if self.script is not None:
                    self.script.cancel()  # rest now, whatever the subject was doing
                    for p in self.prompts[1:]:
                        self.script.add(self.origin + p.start + self.reaction, p.label)
                changed = True
            a = int(block.first_sample) - self.origin
            b = a + block.n_samples
            exp = self._expected - self.origin
            if a > exp:
                self.gaps.append((exp, min(a, self.n_samples)))
            lo, hi = max(a, exp, 0), min(b, self.n_samples)
            if hi > lo:
                self._parts.append((lo, np.array(block.data[:, lo - a:hi - a], dtype=np.float32)))
            self._expected = max(self._expected, int(block.first_sample) + block.n_samples)
            self.position = max(self.position, min(b, self.n_samples))
            k = int(np.searchsorted(self._starts, self.position - 1, side="right") - 1)
            k = max(0, min(k, len(self.prompts) - 1))
            if k != self.prompt_index:
                self.prompt_index = k
                changed = True
            if self.position >= self.n_samples:
                self.complete = done = True
        if self.script is not None:
            self.script.due(self.origin + self.position)
        if changed and self.on_prompt is not None:
            self.on_prompt(self)
        if done:
            if self.script is not None:
                self.script.pending.clear()
            if self.on_complete is not None:
                self.on_complete(self)

    def stop(self) -> None:
        """Abandon the session (the subject rests; nothing is trained)."""
        self.stopped = True
        if self.script is not None:
            self.script.cancel()

    # ----- what the page shows --------------------------------------------------------
    @property
    def current(self) -> Prompt:
        return self.prompts[self.prompt_index]

    def status(self) -> dict[str, Any]:
        fs = self.fs
        with self._lock:
            p, pos, started = self.current, self.position, self.origin is not None
            missing = sum(b - a for a, b in self.gaps)
            n_gaps = len(self.gaps)
        nxt = self.prompts[p.index + 1] if p.index + 1 < len(self.prompts) else None
        prompt = p.to_dict(fs)
        prompt.update(count=len(self.prompts), left_s=max(0.0, (p.stop - pos) / fs) if started else prompt["duration_s"],
                      elapsed_s=max(0.0, (pos - p.start) / fs) if started else 0.0,
                      next=None if nxt is None else nxt.label,
                      next_display=None if nxt is None else gesture_display(nxt.label))
        return {"name": self.name, "gestures": list(self.gestures), "repetitions": self.repetitions,
                "hold_s": self.hold_s, "rest_s": self.rest_s, "settle_s": self.settle_s, "started": started,
                "elapsed_s": pos / fs, "total_s": self.n_samples / fs, "progress": pos / self.n_samples,
                "prompt": prompt, "gaps": n_gaps, "missing_samples": int(missing),
                "simulated_subject": self.subject is not None}

    # ----- after the last sample ------------------------------------------------------
    def labels(self) -> np.ndarray:
        """The prompt label of every sample of the session (cue-based), object array."""
        out = np.empty(self.n_samples, dtype=object)
        for p in self.prompts:
            out[p.start:p.stop] = p.label
        return out

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(samples (n_channels, n_samples) float64 V with 0 where missing, received mask)``."""
        x = np.zeros((self.info.n_channels, self.n_samples))
        got = np.zeros(self.n_samples, dtype=bool)
        with self._lock:
            parts = list(self._parts)
        for a, d in parts:
            x[:, a:a + d.shape[1]] = d
            got[a:a + d.shape[1]] = True
        return x, got

    def recording(self) -> Any:
        """The session as a Recording: ``gesture:<name>`` per hold, ``BAD_settle`` after each cue, ``BAD_gap``."""
        from myograph.core.annotations import Annotations
        from myograph.core.recording import Recording
        from myograph.core.spans import mask_to_spans

        fs = self.fs
        x, got = self.data()
        rows: list[tuple[float, float, str]] = []
        for p in self.prompts:
            if not p.is_rest:
                rows.append((p.start / fs, (p.stop - p.start) / fs, f"gesture:{p.label}"))
            settle = min(int(round(self.settle_s * fs)), p.stop - p.start)
            if settle > 0:
                rows.append((p.start / fs, settle / fs, "BAD_settle"))
        guard = int(round(GAP_GUARD_S * fs))
        for a, b in mask_to_spans(~got):
            b = min(self.n_samples, b + guard)
            rows.append((a / fs, (b - a) / fs, "BAD_gap"))
        rows.sort(key=lambda r: (r[0], r[2]))
        md = self.info.metadata
        notes = tuple(md.notes) + (
            f"myograph serve training session {self.name}: gestures {', '.join(self.gestures)}, "
            f"{self.repetitions} repetitions, hold {self.hold_s:g} s, rest {self.rest_s:g} s, "
            f"settle {self.settle_s:g} s (BAD_settle); stream samples {self.origin}-{(self.origin or 0) + self.n_samples}",)
        meta = md.replace(session=self.name, task="gestures", notes=notes)
        return Recording(x, fs, channels=self.info.channels, annotations=Annotations.from_rows(rows), metadata=meta)


# --------------------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------------------
def train_from_recording(rec: Any, *, line_hz: float | None, window_s: float = WINDOW_S,
                         step_s: float = STEP_S) -> tuple[Any, Any, dict[str, Any]]:
    """TD4 + LDA on a session Recording; ``(model, dataset, result)`` with a leave-one-repetition-out accuracy.

    ``result`` holds what the page shows: accuracy (mean over folds, ``None`` with a
    single repetition), per-class windows and recall, times.
    """
    from myograph.control import ControlModel, LeaveOneRepetitionOut, Preprocess, evaluate, from_recording

    t0 = time.perf_counter()
    pre = Preprocess(highpass_hz=20.0, powerline_hz=float(line_hz) if line_hz else None)
    ds = from_recording(rec, window_s=window_s, step_s=step_s, preprocess=pre)
    t1 = time.perf_counter()
    model = ControlModel.train(ds, features="TD4", classifier="lda")
    t2 = time.perf_counter()
    names = list(ds.class_names)
    counts = np.bincount(ds.y, minlength=len(names))
    result: dict[str, Any] = {
        "windows": int(len(ds)), "classes": names, "features": "TD4", "classifier": model.info.estimator,
        "window_ms": window_s * 1e3, "step_ms": step_s * 1e3, "preprocess": pre.describe(),
        "cut_s": t1 - t0, "train_s": t2 - t1, "accuracy": None, "accuracy_sd": None, "folds": [],
        "balanced_accuracy": None, "protocol": "leave-one-repetition-out",
    }
    per_class = [{"name": n, "windows": int(c), "recall": None} for n, c in zip(names, counts)]
    n_reps = len(np.unique(ds.repetition))
    if n_reps >= 2:
        ev = evaluate(model.pipeline, ds, LeaveOneRepetitionOut())
        summ = ev.summary()
        result.update(accuracy=summ["accuracy"], accuracy_sd=summ["accuracy_sd"],
                      balanced_accuracy=summ["balanced_accuracy"],
                      folds=[float(a) for a in ev.folds["accuracy"]])
        cm = ev.confusion
        for k, row in enumerate(per_class):
            tot = int(cm[k].sum())
            row["recall"] = float(cm[k, k] / tot) if tot else None
        result["confusion"] = cm.astype(int).tolist()
    else:
        result["note"] = "one repetition: no leave-one-repetition-out accuracy"
    result["evaluate_s"] = time.perf_counter() - t2
    result["per_class"] = per_class
    return model, ds, result


# --------------------------------------------------------------------------------------
# live control
# --------------------------------------------------------------------------------------
class LiveControl:
    """An :class:`~myograph.control.OnlineController` fed from the acquisition, publishing each decision.

    Parameters
    ----------
    model : ControlModel
    info : StreamInfo
    publish : callable
        ``publish(message, created_s=..., on_sent=...)``: hands a JSON-able message to every client.
    clock_is_monotonic : bool
        The source's timestamps are this process's ``time.monotonic`` (acquisition delay measurable).
    subject : optional
        A simulated subject: decisions carry its true gesture, and it can be driven
        (:meth:`set_subject`).
    auto_hold_s, auto_rest_s : float
        Hold and rest of the simulated subject's automatic gestures, s.
    """

    def __init__(self, model: Any, info: StreamInfo, *, publish: Callable[..., None], clock_is_monotonic: bool = False,
                 subject: Any = None, auto_hold_s: float = 2.0, auto_rest_s: float = 1.5, vote: int = 1,
                 seed: int | None = None, name: str = "") -> None:
        from myograph.control import OnlineController

        self.model = model
        self.name = name
        self.info = info
        self.fs = float(info.fs)
        self.controller = OnlineController(model, fs=info.fs, ch_names=info.channels.names, vote=vote)
        self.class_names = tuple(model.info.class_names)
        self.publish = publish
        self.clock_is_monotonic = bool(clock_is_monotonic)
        self.vote = int(vote)
        self.recent: collections.deque[Any] = collections.deque(maxlen=RECENT_DECISIONS)
        self.transport: collections.deque[float] = collections.deque(maxlen=RECENT_DECISIONS)
        self.counts: collections.Counter[str] = collections.Counter()
        self.agree: collections.deque[bool] = collections.deque(maxlen=RECENT_DECISIONS)
        self.active = True
        self.errors = 0
        self.subject = subject
        self._rng = np.random.default_rng(seed)
        self.auto_hold = int(round(auto_hold_s * self.fs))
        self.auto_rest = int(round(auto_rest_s * self.fs))
        self.subject_mode: str | None = None
        self._script: SubjectScript | None = None
        self._position: int | None = None
        self._auto_next: int | None = None
        if subject is not None:
            self.set_subject("auto")

    # ----- the simulated subject --------------------------------------------------------
    @property
    def gestures(self) -> tuple[str, ...]:
        return tuple(c for c in self.class_names if c != REST)

    def set_subject(self, gesture: str) -> str:
        """``"auto"``: random trained gestures with rests between; a name (or ``"rest"``): hold it."""
        if self.subject is None:
            raise TrainingError("subject: the source is not a simulated subject")
        if gesture != "auto" and gesture != REST and gesture not in self.gestures:
            raise TrainingError(f"subject: {gesture!r} is not a trained gesture; choose one of "
                                f"{[REST, *self.gestures]} or 'auto'")
        if self._script is not None:
            self._script.pending.clear()
        self._auto_next = None
        if gesture == "auto":
            self._script = SubjectScript(self.subject, self.fs)
            self._auto_next = -1  # plan from the next block
        else:
            self._script = None
            self.subject.set_gesture(gesture)
        self.subject_mode = gesture
        return gesture

    def _plan_auto(self, position: int) -> None:
        script = self._script
        if script is None or self._auto_next is None:
            return
        if self._auto_next < 0:
            self._auto_next = position + self.auto_rest
        while self._auto_next - script.lead <= position + self.auto_hold + self.auto_rest:
            g = self.gestures[int(self._rng.integers(len(self.gestures)))] if self.gestures else REST
            script.add(self._auto_next, g)
            script.add(self._auto_next + self.auto_hold, REST)
            self._auto_next += self.auto_hold + self.auto_rest
        script.due(position)

    # ----- the acquisition thread ---------------------------------------------------------
    def feed(self, block: Block) -> None:
        if not self.active:
            return
        try:
            decisions = self.controller.feed_block(block)
            self._position = int(block.first_sample) + block.n_samples
            truth = None
            if self.subject is not None and decisions:  # the subject's gesture at each window's last sample
                names = self.subject.gesture_names
                first = decisions[0].sample - 1
                lab = self.subject.gesture_labels(first, decisions[-1].sample)
                truth = [names[int(lab[d.sample - 1 - first])] for d in decisions]
            for i, d in enumerate(decisions):
                self.recent.append(d)
                self.counts[d.name] += 1
                msg: dict[str, Any] = {
                    "type": "decision", "seq": d.seq, "sample": d.sample, "class": d.name,
                    "probability": None if not math.isfinite(d.probability) else round(d.probability, 4),
                    "speed": None if not math.isfinite(d.speed) else round(d.speed, 4),
                    "intensity_uv": round(d.intensity * 1e6, 2), "processing_ms": round(d.processing_s * 1e3, 3),
                }
                if d.probabilities:
                    msg["probabilities"] = {n: round(v, 4) for n, v in zip(self.class_names, d.probabilities)}
                if truth is not None:
                    msg["truth"] = truth[i]
                    self.agree.append(truth[i] == d.name)
                self.publish(msg, created_s=d.decided_s, on_sent=self.transport.append)
            if self.subject is not None and self._script is not None:
                self._plan_auto(self._position)
        except Exception:  # never disturb the acquisition thread; count and say so once
            self.errors += 1
            if self.errors == 1:
                log.exception("live control failed on a block")

    def stop(self) -> None:
        self.active = False
        if self._script is not None:
            self._script.pending.clear()
        if self.subject is not None:
            try:
                self.subject.set_gesture(REST)
            except Exception:  # noqa: BLE001
                pass

    def latency(self) -> Any:
        from myograph.control import latency_report

        info = self.model.info
        return latency_report(list(self.recent), window_s=info.window_s, step_s=info.step_s, vote=self.vote,
                              transport_s=list(self.transport), clock_is_monotonic=self.clock_is_monotonic)

    def status(self) -> dict[str, Any]:
        rep = self.latency() if self.recent else None
        info = self.model.info
        return {
            "model": self.name, "classes": list(self.class_names), "rest": info.rest,
            "has_probabilities": self.model.has_proba,
            "has_speed": info.intensity_low is not None and info.intensity_high is not None,
            "window_ms": info.window_s * 1e3, "step_ms": info.step_s * 1e3, "vote": self.vote,
            "decisions": self.controller.decisions, "gaps": self.controller.gaps, "errors": self.errors,
            "counts": dict(self.counts),
            "latency": None if rep is None else {**rep.to_dict(), "table": rep.table()},
            "agreement": (float(np.mean(self.agree)) if self.agree else None) if self.subject is not None else None,
            "subject": self.subject_mode,
        }


# --------------------------------------------------------------------------------------
# per-client message queue
# --------------------------------------------------------------------------------------
class Outbox:
    """JSON messages for one websocket client, offered from any thread, sent by the event loop.

    Bounded: beyond ``maxlen`` the oldest messages are dropped (counted), so a slow
    page never holds up the acquisition thread.
    """

    def __init__(self, maxlen: int = 256) -> None:
        self._q: collections.deque[tuple[dict[str, Any], float | None, Callable[[float], Any] | None]] = \
            collections.deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._closed = False
        self.dropped = 0
        self.sent = 0

    def offer(self, msg: dict[str, Any], created_s: float | None = None,
              on_sent: Callable[[float], Any] | None = None) -> None:
        if self._closed:
            return
        with self._lock:
            if len(self._q) == self._q.maxlen:
                self.dropped += 1
            self._q.append((msg, created_s, on_sent))
            loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop is closing
                pass

    async def run(self, send_json: Callable[[dict[str, Any]], Any]) -> None:
        self._wake = asyncio.Event()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            if self._q:
                self._wake.set()
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                items = list(self._q)
                self._q.clear()
            for msg, created, on_sent in items:
                try:
                    await send_json(msg)
                except (TypeError, ValueError):  # not JSON-able (a bug): skip it, keep the client's messages flowing
                    log.exception("control message not sent: %r", msg.get("type"))
                    continue
                self.sent += 1
                if created is not None and on_sent is not None:
                    on_sent(time.monotonic() - created)

    def close(self) -> None:
        self._closed = True
        if self._loop is not None and self._wake is not None:
            try:
                self._loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:
                pass


# --------------------------------------------------------------------------------------
# the hub's part: one session or one controller at a time
# --------------------------------------------------------------------------------------
class ControlManager:
    """Training sessions and live control for a :class:`~myograph.apps.server.app.LiveHub`.

    Phases (``status()["phase"]``): ``idle``, ``prompting``, ``training``,
    ``control`` (live decisions), ``stopped`` (a session was abandoned) and
    ``failed`` (training failed; ``error`` says why).
    """

    def __init__(self, hub: Any, *, reaction_s: float = 0.3) -> None:
        self.hub = hub
        self.reaction_s = float(reaction_s)
        self.phase = "idle"
        self.session: TrainingSession | None = None
        self.live: LiveControl | None = None
        self.result: dict[str, Any] | None = None
        self.error: str | None = None
        self.outboxes: list[Outbox] = []
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.session_seed: int | None = None  # tests: a fixed gesture order

    # ----- what the page needs to know --------------------------------------------------
    @property
    def subject(self) -> Any | None:
        return simulated_subject(self.hub.source)

    def gestures_known(self) -> list[str] | None:
        """The gestures the simulated subject can perform (``None``: any name; a person follows the prompts)."""
        s = self.subject
        return None if s is None else [g for g in s.gesture_names if g != REST]

    def describe(self) -> dict[str, Any]:
        known = self.gestures_known()
        note = None
        if known is None and str(self.hub.info.name).startswith("sim:"):
            note = (f"The simulated {self.hub.info.name} source does not follow prompts (its muscles ignore them, "
                    "so a controller trained on it learns nothing); for a simulated subject that does, "
                    "run: myograph serve --source sim:gestures")
        return {"available": True, "simulated_subject": known is not None, "gestures": known or list(DEFAULT_GESTURES),
                "known_gestures": known, "note": note,
                "defaults": {"repetitions": 3, "hold_s": 3.0, "rest_s": 2.0, "settle_s": 0.5},
                "limits": {"gestures": MAX_GESTURES, "repetitions": MAX_REPETITIONS, "prompt_s": [MIN_PROMPT_S, MAX_PROMPT_S],
                           "session_s": MAX_SESSION_S}}

    def status(self) -> dict[str, Any]:
        s, live = self.session, self.live
        return {"phase": self.phase, "session": None if s is None else s.status(), "result": self.result,
                "error": self.error, "control": None if live is None else live.status()}

    # ----- messages to every page -----------------------------------------------------------
    def add_outbox(self) -> Outbox:
        box = Outbox()
        with self._lock:
            self.outboxes = self.outboxes + [box]
        return box

    def remove_outbox(self, box: Outbox) -> None:
        box.close()
        with self._lock:
            self.outboxes = [b for b in self.outboxes if b is not box]

    def publish(self, msg: dict[str, Any], created_s: float | None = None,
                on_sent: Callable[[float], Any] | None = None) -> None:
        for b in self.outboxes:  # replaced, never mutated in place: safe to iterate from any thread
            b.offer(msg, created_s, on_sent)

    def _publish_status(self) -> None:
        self.publish({"type": "control", **self.status()})

    # ----- commands (the event loop) ---------------------------------------------------------
    def execute(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Run a validated command of :data:`COMMANDS`; returns ack fields (:class:`TrainingError` when refused)."""
        name = cmd["cmd"]
        if name == "training_start":
            return self.start_training(cmd)
        if name == "training_stop":
            return self.stop_training()
        if name == "control_stop":
            return self.stop_control()
        if name == "subject":
            live = self.live
            if live is None:
                raise TrainingError("subject: the simulated subject is driven by the prompts until live control runs")
            return {"subject": live.set_subject(cmd["gesture"])}
        raise TrainingError(f"unknown command {name!r}")  # pragma: no cover - validated before

    def start_training(self, cmd: dict[str, Any]) -> dict[str, Any]:
        hub = self.hub
        with self._lock:
            if self.phase in ("prompting", "training"):
                raise TrainingError(f"training_start: a training session is {'running' if self.phase == 'prompting' else 'being trained'}; "
                                    "stop it first (training_stop)")
            if hub.recorder is not None:
                raise TrainingError(f"training_start: recording {hub.recording_path.name} is running; stop it first "
                                    "(the session saves its own recording)")
            if hub.acquisition is None:
                raise TrainingError("training_start: the acquisition is not running")
            subject = self.subject
            known = self.gestures_known()
            gestures = cmd.get("gestures") or known or list(DEFAULT_GESTURES)
            if known is not None:
                unknown = [g for g in gestures if g != REST and g not in known]
                if unknown:
                    raise TrainingError(f"training_start: the simulated subject cannot perform {unknown}; it knows {known}")
            name = cmd.get("name") or self._new_name()
            self._check_free(name)
            if subject is not None:
                try:  # the subject rests until the first cue; a simulator running its own cycle refuses
                    subject.set_gesture(REST)
                except Exception as e:  # noqa: BLE001
                    raise TrainingError(f"training_start: the simulated subject cannot be commanded: {e}") from None
            session = TrainingSession(
                hub.info, gestures, repetitions=cmd.get("repetitions", 3), hold_s=cmd.get("hold_s", 3.0),
                rest_s=cmd.get("rest_s", 2.0), settle_s=cmd.get("settle_s", 0.5), subject=subject,
                reaction_s=self.reaction_s, seed=self.session_seed, name=name,
                on_prompt=lambda s: self._publish_status(), on_complete=self._on_complete)
            self._stop_live_locked()
            self.session, self.result, self.error = session, None, None
            self.phase = "prompting"
            self._unsubscribe = hub.acquisition.subscribe(session.feed)
        log.info("training session %s: %s x %d, hold %g s, rest %g s (%.0f s)%s", name, list(session.gestures),
                 session.repetitions, session.hold_s, session.rest_s, session.n_samples / session.fs,
                 ", simulated subject" if subject is not None else "")
        self._publish_status()
        return {"session": session.status()}

    def _new_name(self) -> str:
        stem = time.strftime("training-%Y%m%d-%H%M%S")
        name, k = stem, 1
        while not self._is_free(name):
            k += 1
            name = f"{stem}-{k}"
        return name

    def _is_free(self, name: str) -> bool:
        d = self.hub.data_dir
        paths = [d / f"{name}.bdf", d / f"{name}.bdf.part", d / "models" / f"{name}.json", d / "models" / f"{name}.npz"]
        return not any(p.exists() or p.is_symlink() for p in paths)

    def _check_free(self, name: str) -> None:
        if not self._is_free(name):
            raise TrainingError(f"training_start: {name!r} is taken (a recording or model of that name exists)")

    def stop_training(self) -> dict[str, Any]:
        with self._lock:
            s = self.session
            if self.phase not in ("prompting", "training") or s is None:
                raise TrainingError("training_stop: no training session is running")
            s.stop()
            self._unsubscribe_locked()
            self.phase = "stopped"
        log.info("training session %s stopped by the page", s.name)
        self._publish_status()
        return {"session": s.status()}

    def stop_control(self) -> dict[str, Any]:
        with self._lock:
            if self.live is None or self.phase != "control":
                raise TrainingError("control_stop: live control is not running")
            live = self.live
            self._stop_live_locked()
            self.phase = "idle"
        self._publish_status()
        return {"control": live.status()}

    def _unsubscribe_locked(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _stop_live_locked(self) -> None:
        self._unsubscribe_locked()
        if self.live is not None:
            self.live.stop()
            self.live = None

    # ----- the end of a session ---------------------------------------------------------------
    def _on_complete(self, session: TrainingSession) -> None:
        """On the acquisition thread: stop collecting, train in a worker thread."""
        with self._lock:
            if session is not self.session or self.phase != "prompting" or self._closed:
                return
            self._unsubscribe_locked()
            self.phase = "training"
            self._thread = threading.Thread(target=self._train, args=(session,), name="myograph-training", daemon=True)
            self._thread.start()
        self._publish_status()

    def _train(self, session: TrainingSession) -> None:
        import myograph

        hub = self.hub
        try:
            t0 = time.perf_counter()
            rec = session.recording()
            from myograph.apps.server.app import safe_recording_path

            path = safe_recording_path(hub.data_dir, f"{session.name}.bdf", must_exist=False)
            myograph.write(rec, path)
            t_write = time.perf_counter() - t0
            model, ds, result = train_from_recording(rec, line_hz=hub.line_hz)
            models = hub.data_dir / "models"
            models.mkdir(parents=True, exist_ok=True)
            model_path = model.save(models / session.name)
            result.update(recording=path.name, model=f"models/{Path(model_path).name}", write_s=t_write,
                          total_s=time.perf_counter() - t0, name=session.name)
            log.info("training session %s: %d windows, LORO accuracy %s, model %s", session.name, result["windows"],
                     "n/a" if result["accuracy"] is None else f"{result['accuracy']:.3f}", model_path)
        except Exception as e:  # say so on the page; the server keeps running
            log.exception("training session %s failed", session.name)
            with self._lock:
                if self.session is session and self.phase == "training":
                    self.phase, self.error = "failed", f"{type(e).__name__}: {e}"
            self._publish_status()
            return
        with self._lock:
            if self.session is not session or self.phase != "training" or self._closed:
                return  # stopped meanwhile: the files are kept, nothing goes live
            self.result = result
            try:
                live = LiveControl(model, hub.info, publish=self.publish, clock_is_monotonic=hub.clock_is_monotonic,
                                   subject=session.subject, auto_hold_s=max(1.0, min(session.hold_s, 2.5)),
                                   auto_rest_s=max(1.0, min(session.rest_s, 1.5)), name=session.name)
            except Exception as e:  # noqa: BLE001
                log.exception("live control could not start")
                self.phase, self.error = "failed", f"live control: {type(e).__name__}: {e}"
            else:
                self.live = live
                self._unsubscribe = hub.acquisition.subscribe(live.feed)
                self.phase = "control"
        self._publish_status()

    # ----- the server stops --------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 20.0) -> None:
        """Stop the session or the controller and unsubscribe; wait for a training in progress to finish writing."""
        with self._lock:
            self._closed = True
            if self.session is not None and self.phase == "prompting":
                self.session.stop()
                self.phase = "stopped"
            self._stop_live_locked()
            thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout=timeout_s)
        for b in list(self.outboxes):
            b.close()
