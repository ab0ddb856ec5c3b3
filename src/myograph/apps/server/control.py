"""Live control in the browser app: the controller fed from the acquisition, per-page outboxes, the manager.

:class:`ControlManager` is what the app's websocket commands reach: it starts a
:class:`~myograph.apps.server.training.TrainingSession` (prompts and labelled
repetitions), trains when the session completes, and then runs a
:class:`LiveControl` — an :class:`~myograph.control.OnlineController` fed from the
acquisition thread, publishing every decision to each page's :class:`Outbox`, which
the event loop drains so no socket ever blocks the acquisition. The phases are
described in :mod:`myograph.apps.server.training`.
"""

from __future__ import annotations

import asyncio
import collections
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from myograph.acquire.source import Block, StreamInfo
from myograph.apps.server.stream import wake_loop
from myograph.apps.server.training import (
    DEFAULT_GESTURES,
    MAX_GESTURES,
    MAX_PROMPT_S,
    MAX_REPETITIONS,
    MAX_SESSION_S,
    MIN_PROMPT_S,
    RECENT_DECISIONS,
    REST,
    SubjectScript,
    TrainingError,
    TrainingSession,
    log,
    simulated_subject,
    train_from_recording,
)

__all__ = ["LiveControl", "Outbox", "ControlManager"]


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
        self.reject = 0.0
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

    def set_options(self, *, vote: int | None = None, reject: float | None = None) -> dict[str, Any]:
        """Change the post-processing: majority ``vote`` (1: none), rejection below ``reject`` (0: none).

        A new controller takes over at the next block (the filter and window restart,
        decisions are numbered on); the acquisition thread only ever sees a whole one.
        """
        from myograph.control import OnlineController

        vote = self.vote if vote is None else int(vote)
        reject = self.reject if reject is None else float(reject)
        if reject > 0 and not self.model.has_proba:
            raise TrainingError(f"control_options: rejection needs class probabilities, which "
                                f"{self.model.info.estimator} does not give")
        ctl = OnlineController(self.model, fs=self.info.fs, ch_names=self.info.channels.names, vote=vote,
                               reject_threshold=reject if reject > 0 else None)
        ctl.decisions = self.controller.decisions
        self.controller = ctl
        self.vote, self.reject = vote, reject
        return {"vote": vote, "reject": reject}

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
            "window_ms": info.window_s * 1e3, "step_ms": info.step_s * 1e3, "vote": self.vote, "reject": self.reject,
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
        wake_loop(loop, wake)

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
        wake_loop(self._loop, self._wake)


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
        if name == "control_options":
            live = self.live
            if live is None:
                raise TrainingError("control_options: live control is not running")
            ack = live.set_options(vote=cmd.get("vote"), reject=cmd.get("reject"))
            self._publish_status()
            return ack
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
