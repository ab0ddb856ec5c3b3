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
go to per-client :class:`~myograph.apps.server.control.Outbox` queues that the
event loop drains, so no socket ever blocks the acquisition. Training runs in its own
thread. The live part and the manager of the phases are in
:mod:`myograph.apps.server.control`.
"""

from __future__ import annotations

import collections
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.acquire.source import Block, StreamInfo

__all__ = [
    "TrainingSession", "Prompt", "SubjectScript", "make_schedule", "train_from_recording", "simulated_subject",
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
#: longest majority vote the page may ask for
MAX_VOTE = 15


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
    "control_options": {
        "vote": (False, lambda v: _is_int(v) and 1 <= v <= MAX_VOTE, f"an integer from 1 to {MAX_VOTE} (1: no vote)"),
        "reject": (False, lambda v: _is_number(v) and 0.0 <= v < 1.0,
                   "a probability in [0, 1): decisions below it are rejected (0: no rejection)"),
    },
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
