"""The server's screen-guided training session (apps/server/training.py): prompts counted in stream
samples, cue-based labels, the simulated subject following the prompts, a controller trained on the
session, live decisions pushed to websocket clients, strict commands, and a clean shutdown."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the server needs the [web] extra (fastapi, uvicorn, websockets)")
pytest.importorskip("sklearn", reason="training needs scikit-learn")

import myograph  # noqa: E402
from myograph.acquire.sim import SimulatedAmplifier  # noqa: E402
from myograph.acquire.source import Block, StreamInfo  # noqa: E402
from myograph.apps.server import create_app  # noqa: E402
from myograph.apps.server.app import CommandError, validate_command  # noqa: E402
from myograph.apps.server.control import LiveControl  # noqa: E402
from myograph.apps.server.training import (  # noqa: E402
    GAP_GUARD_S,
    TrainingError,
    TrainingSession,
    make_schedule,
    train_from_recording,
)
from myograph.core.channels import ChannelTable  # noqa: E402

from tests.server.conftest import WS_URL, TestClient, make_source  # noqa: E402

REACTION_S = 0.3
SEED = 11


# --------------------------------------------------------------------------------------
# the schedule
# --------------------------------------------------------------------------------------
def test_the_schedule_alternates_rest_and_each_gesture_once_per_repetition_in_a_fresh_order():
    fs = 1000.0
    gestures = ["a", "b", "c", "d"]
    prompts = make_schedule(gestures, 3, 2.0, 1.5, fs, np.random.default_rng(0))
    assert len(prompts) == 3 * 4 * 2 + 1
    assert [p.index for p in prompts] == list(range(len(prompts)))
    assert prompts[0].start == 0 and all(a.stop == b.start for a, b in zip(prompts, prompts[1:]))  # contiguous
    assert [p.label for p in prompts[0::2]] == ["rest"] * 13  # rest, gesture, rest … rest
    for p in prompts:
        assert p.stop - p.start == (1500 if p.is_rest else 2000)
    orders = []
    for r in (1, 2, 3):
        held = [p.label for p in prompts if p.repetition == r and not p.is_rest]
        assert sorted(held) == gestures  # each gesture once per repetition
        orders.append(held)
    assert len({tuple(o) for o in orders}) > 1  # shuffled per repetition (seed 0)
    assert prompts[-1].is_rest and prompts[-1].repetition == 3


# --------------------------------------------------------------------------------------
# a whole session with the simulated subject, as fast as the simulator generates
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def session_run():
    """Six gestures x 3 repetitions, hold 3 s, rest 2 s (92 s of stream) from the non-realtime gestures simulator."""
    amp = SimulatedAmplifier("gestures", realtime=False, seed=SEED)
    prompted: list[int] = []
    done: list[int] = []
    s = TrainingSession(amp.info, list(amp.gesture_names), repetitions=3, hold_s=3.0, rest_s=2.0, settle_s=0.5,
                        subject=amp, reaction_s=REACTION_S, seed=4, name="sim-session",
                        on_prompt=lambda ss: prompted.append(ss.prompt_index), on_complete=lambda ss: done.append(1))
    t0 = time.perf_counter()
    with amp:
        amp.read(timeout_s=10.0)  # the session may start anywhere in the stream
        while not s.complete:
            s.feed(amp.read(timeout_s=10.0))
        truth = amp.gesture_labels(s.origin, s.origin + s.n_samples)
    elapsed = time.perf_counter() - t0
    return {"amp": amp, "session": s, "truth": truth, "prompted": prompted, "done": done, "elapsed": elapsed}


def test_the_session_walks_the_prompts_by_sample_count_and_labels_every_sample_by_its_cue(session_run):
    s = session_run["session"]
    assert s.gestures == ("wrist_flexion", "wrist_extension", "hand_close", "hand_open", "radial_deviation",
                          "ulnar_deviation")  # "rest" is not prompted as a gesture: it is between them
    assert s.origin > 0 and s.position == s.n_samples == round(92.0 * s.fs)
    assert session_run["done"] == [1]
    assert session_run["prompted"][0] == 0 and session_run["prompted"][1:] == list(range(1, len(s.prompts)))
    lab = s.labels()
    for p in s.prompts:
        assert set(lab[p.start:p.stop]) == {p.label}
    x, got = s.data()
    assert got.all() and not s.gaps and x.shape == (8, s.n_samples)
    st = s.status()
    assert st["progress"] == 1.0 and st["prompt"]["index"] == len(s.prompts) - 1 and st["prompt"]["left_s"] == 0.0


def test_the_simulated_subject_followed_every_prompt_after_its_reaction_time(session_run):
    s, amp, truth = session_run["session"], session_run["amp"], session_run["truth"]
    names = amp.gesture_names
    reaction = round(REACTION_S * s.fs)
    # every command landed where it was asked: cue + reaction (issued 1.5 s ahead of the stream)
    assert s.script.issued and all(req == got for req, _, got in s.script.issued)
    assert [(at - s.origin, g) for at, g, _ in s.script.issued] == [(p.start + reaction, p.label) for p in s.prompts[1:]]
    # the subject's true gesture is the prompt, shifted by the reaction time
    cue = s.labels()
    shifted = np.empty_like(cue)
    shifted[:reaction] = "rest"
    shifted[reaction:] = cue[:-reaction]
    subject = np.asarray(names, dtype=object)[truth]
    assert np.array_equal(subject, shifted)
    assert np.mean(subject == cue) < 0.95  # (so the shift is visible: the cue itself is not the subject's label)


def test_the_session_recording_has_gesture_annotations_and_settle_spans(session_run, tmp_path):
    s = session_run["session"]
    rec = s.recording()
    fs = s.fs
    gestures = [a for a in rec.annotations if a.label.startswith("gesture:")]
    holds = [p for p in s.prompts if not p.is_rest]
    assert [(round(a.onset * fs), round(a.duration * fs), a.label) for a in gestures] == \
           [(p.start, p.stop - p.start, f"gesture:{p.label}") for p in holds]
    settle = [a for a in rec.annotations if a.label == "BAD_settle"]
    assert len(settle) == len(s.prompts) and all(a.duration == pytest.approx(0.5) for a in settle)
    assert not [a for a in rec.annotations if a.label == "BAD_gap"]
    assert rec.metadata.session == "sim-session" and rec.n_samples == s.n_samples
    # BDF keeps it all (atomic write), and reads back with the same annotations
    path = tmp_path / "session.bdf"
    myograph.write(rec, path)
    back = myograph.read(path)
    assert back.n_samples == rec.n_samples and back.ch_names == rec.ch_names
    assert [a.label for a in back.annotations if a.label.startswith("gesture:")] == [a.label for a in gestures]
    np.testing.assert_allclose(back.data, rec.data, atol=2e-8)


def test_the_controller_trained_on_the_session_scores_at_least_80_percent_leaving_one_repetition_out(session_run):
    s = session_run["session"]
    model, ds, result = train_from_recording(s.recording(), line_hz=50.0)
    print(f"\nLORO accuracy on the simulated session (6 gestures + rest, 3 x 3 s): {result['accuracy']:.4f} "
          f"(folds {['%.3f' % a for a in result['folds']]}, balanced {result['balanced_accuracy']:.4f}); "
          f"session generated in {session_run['elapsed']:.1f} s, cut {result['cut_s']:.2f} s, "
          f"trained {result['train_s']:.2f} s, evaluated {result['evaluate_s']:.2f} s")
    assert result["accuracy"] >= 0.8
    assert len(result["folds"]) == 3 and result["classes"][0] == "rest" and len(result["classes"]) == 7
    assert model.info.preprocess.highpass_hz == 20.0 and model.info.preprocess.powerline_hz == 50.0
    assert model.info.window_s == 0.2 and model.info.step_s == 0.05 and model.has_proba
    # no window overlaps the settle time after a cue (the reaction) or spans two prompts
    starts = np.round(ds.start_s * s.fs).astype(int)
    n_win = round(0.2 * s.fs)
    cues = np.array([p.start for p in s.prompts])
    settle = round(0.5 * s.fs)
    k = np.searchsorted(cues, starts, side="right") - 1
    assert np.all(starts - cues[k] >= settle)
    assert np.all(starts + n_win <= np.array([s.prompts[i].stop for i in k]))
    per_class = {c["name"]: c["windows"] for c in result["per_class"]}
    assert per_class == {n: int((ds.y == i).sum()) for i, n in enumerate(ds.class_names)}


def test_live_control_decisions_carry_every_class_probability_and_the_subjects_gesture(session_run):
    amp, s = session_run["amp"], session_run["session"]
    model, _, _ = train_from_recording(s.recording(), line_hz=50.0)
    msgs: list[dict] = []
    with amp:  # a restarted simulator: same subject, stream from sample 0
        live = LiveControl(model, amp.info, publish=lambda m, **kw: msgs.append(m), subject=amp, seed=1,
                           auto_hold_s=1.5, auto_rest_s=1.0)
        while live.controller.decisions < 200:
            live.feed(amp.read(timeout_s=10.0))
    assert live.errors == 0 and len(msgs) >= 200
    classes = set(model.info.class_names)
    for m in msgs:
        assert m["type"] == "decision" and m["class"] in classes and m["truth"] in classes
        assert set(m["probabilities"]) == classes and sum(m["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
        assert m["probability"] == pytest.approx(max(m["probabilities"].values()), abs=1e-4)
        assert m["probabilities"][m["class"]] == pytest.approx(m["probability"], abs=1e-4)
        assert 0 <= m["speed"] <= 1 and m["processing_ms"] > 0
    seen = {m["truth"] for m in msgs}
    assert len(seen) >= 3, f"the automatic subject should move through gestures, saw {seen}"
    agree = np.mean([m["class"] == m["truth"] for m in msgs])
    assert agree > 0.7, agree
    st = live.status()
    assert st["decisions"] == len(msgs) and st["latency"]["processing_ms"] > 0 and "total" in st["latency"]["table"]
    # post-processing changed while running (its arithmetic is tested in tests/control/test_online.py):
    # the new controller takes over, the numbering goes on, decisions below the threshold are rejected
    thr = 0.999999
    assert live.set_options(vote=3, reject=thr) == {"vote": 3, "reject": thr}
    assert live.controller.reject_threshold == thr and live.controller._vote.n == 3
    n0 = len(msgs)
    with amp:
        while live.controller.decisions < 200 + 150:
            live.feed(amp.read(timeout_s=10.0))
    after = msgs[n0:]
    assert len(after) >= 150 and [m["seq"] for m in after] == list(range(200, 200 + len(after)))  # numbered on
    assert live.status()["vote"] == 3 and live.status()["reject"] == thr
    from myograph.control import ControlModel

    svm = ControlModel.train(train_from_recording(s.recording(), line_hz=50.0)[1], classifier="svm")  # no probabilities
    with pytest.raises(TrainingError, match="rejection needs class probabilities"):
        LiveControl(svm, amp.info, publish=lambda m, **kw: None).set_options(reject=0.5)
    live.stop()


# --------------------------------------------------------------------------------------
# gaps and the session's checks (synthetic blocks)
# --------------------------------------------------------------------------------------
def _info(fs: float = 1000.0, n: int = 2) -> StreamInfo:
    return StreamInfo("test", fs, ChannelTable([f"CH{i + 1}" for i in range(n)]))


def test_a_gap_in_the_stream_is_zero_filled_and_marked_bad_so_no_window_crosses_it():
    info = _info()
    s = TrainingSession(info, ["open"], repetitions=2, hold_s=2.0, rest_s=2.0, seed=0)
    rng = np.random.default_rng(0)
    first = 5000
    n = 0
    while not s.complete:
        data = rng.standard_normal((2, 100)) * 1e-5
        if not (3000 <= n < 3300):  # three blocks lost
            s.feed(Block(data, first + n, 0.0, time.monotonic()))
        n += 100
    assert s.origin == first and s.gaps == [(3000, 3300)]
    x, got = s.data()
    assert not got[3000:3300].any() and got[:3000].all() and got[3300:].all() and np.all(x[:, 3000:3300] == 0)
    rec = s.recording()
    gaps = [a for a in rec.annotations if a.label == "BAD_gap"]
    assert len(gaps) == 1 and gaps[0].onset == pytest.approx(3.0) and gaps[0].duration == pytest.approx(0.3 + GAP_GUARD_S)
    assert s.status()["gaps"] == 1 and s.status()["missing_samples"] == 300
    from myograph.control import from_recording

    ds = from_recording(rec, window_s=0.2, step_s=0.05)
    starts = np.round(ds.start_s * 1000).astype(int)
    assert not np.any((starts < 3300 + 200) & (starts + 200 > 3000))


def test_a_session_refuses_what_it_cannot_train_on():
    info = _info()
    with pytest.raises(TrainingError, match="besides rest"):
        TrainingSession(info, ["rest"])
    with pytest.raises(TrainingError, match="settle_s"):
        TrainingSession(info, ["open"], hold_s=1.0, rest_s=1.0, settle_s=0.9)
    with pytest.raises(TrainingError, match="at most 600 s"):
        TrainingSession(info, [f"g{i}" for i in range(12)], repetitions=20, hold_s=3.0, rest_s=2.0)


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------
BAD_TRAINING_COMMANDS = [
    ('{"cmd": "training_start", "gestures": "hand_open"}', "gestures must be"),
    ('{"cmd": "training_start", "gestures": []}', "gestures must be"),
    ('{"cmd": "training_start", "gestures": ["hand open"]}', "gestures must be"),
    ('{"cmd": "training_start", "gestures": ["a", "a"]}', "gestures must be"),
    ('{"cmd": "training_start", "gestures": [1, 2]}', "gestures must be"),
    ('{"cmd": "training_start", "gestures": ["../x"]}', "gestures must be"),
    ('{"cmd": "training_start", "repetitions": 0}', "repetitions must be"),
    ('{"cmd": "training_start", "repetitions": 2.5}', "repetitions must be"),
    ('{"cmd": "training_start", "repetitions": true}', "repetitions must be"),
    ('{"cmd": "training_start", "hold_s": 0.2}', "hold_s must be"),
    ('{"cmd": "training_start", "rest_s": "2"}', "rest_s must be"),
    ('{"cmd": "training_start", "hold_s": 1e999}', "hold_s must be"),
    ('{"cmd": "training_start", "settle_s": -1}', "settle_s must be"),
    ('{"cmd": "training_start", "name": "../evil"}', "name must be"),
    ('{"cmd": "training_start", "speed": 3}', "unexpected field"),
    ('{"cmd": "training_stop", "now": true}', "unexpected field"),
    ('{"cmd": "control_stop", "x": 1}', "unexpected field"),
    ('{"cmd": "subject"}', "missing field"),
    ('{"cmd": "subject", "gesture": 3}', "gesture must be"),
    ('{"cmd": "control_options", "vote": 0}', "vote must be"),
    ('{"cmd": "control_options", "vote": 16}', "vote must be"),
    ('{"cmd": "control_options", "reject": 1.0}', "reject must be"),
    ('{"cmd": "control_options", "reject": "0.5"}', "reject must be"),
    ('{"cmd": "control_options", "smooth": 2}', "unexpected field"),
]


@pytest.mark.parametrize("text,why", BAD_TRAINING_COMMANDS)
def test_malformed_training_commands_are_refused_saying_why(text, why):
    with pytest.raises(CommandError, match=why):
        validate_command(text)


def test_well_formed_training_commands_pass_validation():
    cmd = validate_command(json.dumps({"cmd": "training_start", "gestures": ["hand_open", "rest"], "repetitions": 2,
                                       "hold_s": 1, "rest_s": 1.5, "settle_s": 0.4, "name": "s1"}))
    assert cmd["gestures"] == ["hand_open", "rest"]
    for c in ("training_stop", "control_stop"):
        assert validate_command(json.dumps({"cmd": c})) == {"cmd": c}
    assert validate_command('{"cmd": "subject", "gesture": "auto"}')["gesture"] == "auto"


def _until(ws, pred, max_messages: int = 20000):
    """Text messages until ``pred(msg)`` holds; returns that message."""
    for _ in range(max_messages):
        m = ws.receive()
        if m.get("type") == "websocket.close":
            raise AssertionError(f"closed: {m}")
        if m.get("text") is not None:
            msg = json.loads(m["text"])
            if pred(msg):
                return msg
    raise AssertionError("no such message")


def _reply(ws, cmd: dict) -> dict:
    ws.send_text(json.dumps(cmd))
    return _until(ws, lambda m: m.get("type") in ("ack", "error") and m.get("cmd") == cmd["cmd"])


def test_training_commands_refused_in_the_wrong_state_get_an_error_and_the_server_keeps_serving(client, server_log):
    """A person-driven source (the surface simulator: no simulated subject) takes any gesture names."""
    with client.websocket_connect(WS_URL) as ws:
        hello = ws.receive_json()
        assert hello["control"]["simulated_subject"] is False and hello["control"]["status"]["phase"] == "idle"
        assert "sim:gestures" in hello["control"]["note"]  # the surface simulator cannot follow prompts: say so
        for cmd, why in ((({"cmd": "training_stop"}), "no training session"),
                         ({"cmd": "control_stop"}, "not running"),
                         ({"cmd": "control_options", "vote": 3}, "not running"),
                         ({"cmd": "subject", "gesture": "auto"}, "until live control runs")):
            r = _reply(ws, cmd)
            assert r["type"] == "error" and why in r["error"], r
        assert _reply(ws, {"cmd": "record"})["type"] == "ack"
        r = _reply(ws, {"cmd": "training_start", "gestures": ["pinch"]})
        assert r["type"] == "error" and "recording" in r["error"] and "stop it first" in r["error"]
        _until(ws, lambda m: m.get("type") == "status" and (m["recording"] or {}).get("duration_s", 0) > 0.3)
        assert _reply(ws, {"cmd": "stop"})["type"] == "ack"
        r = _reply(ws, {"cmd": "training_start", "gestures": ["pinch", "point"], "repetitions": 2, "hold_s": 1,
                        "rest_s": 1, "name": "person-1"})
        assert r["type"] == "ack" and r["session"]["gestures"] == ["pinch", "point"] and not r["session"]["simulated_subject"]
        r = _reply(ws, {"cmd": "training_start", "gestures": ["pinch"]})
        assert r["type"] == "error" and "running" in r["error"]
        st = _until(ws, lambda m: m.get("type") == "status" and m["control"]["session"]["started"])
        assert st["control"]["phase"] == "prompting" and st["control"]["session"]["prompt"]["count"] == 9
        r = _reply(ws, {"cmd": "training_stop"})
        assert r["type"] == "ack"
        st = _until(ws, lambda m: m.get("type") == "control")
        assert st["phase"] == "stopped"
        ws.send_text('{"cmd": "training_start", "gestures": "pinch"}')
        assert _until(ws, lambda m: m.get("type") == "error")["cmd"] == "training_start"
        assert _reply(ws, {"cmd": "filter", "preset": "raw"})["type"] == "ack"  # still serving
    assert any("rejected message" in r.getMessage() for r in server_log.records)
    hub = client.app.state.hub
    assert hub.control.session.stopped and len(hub.acquisition._subs) == 1  # only the hub's own subscription


def test_stopping_the_server_stops_a_running_session_and_unsubscribes(data_dir):
    app = create_app("sim", data_dir, source=make_source(), flush_s=0.2, status_interval_s=0.2)
    hub = app.state.hub
    with TestClient(app, base_url="http://127.0.0.1") as c:
        with c.websocket_connect(WS_URL) as ws:
            ws.receive_json()
            assert _reply(ws, {"cmd": "training_start", "gestures": ["pinch"], "hold_s": 2, "rest_s": 2})["type"] == "ack"
            _until(ws, lambda m: m.get("type") == "control" and m["session"]["started"])
        acq = hub.acquisition
        assert len(acq._subs) == 2  # the hub and the session
    assert hub.control.phase == "stopped" and hub.control.session.stopped
    assert len(acq._subs) == 1 and not acq.running and not hub.control.outboxes


# --------------------------------------------------------------------------------------
# end to end over the websocket: prompts, training, files, decisions
# --------------------------------------------------------------------------------------
def test_a_session_over_the_websocket_trains_saves_and_streams_decisions(data_dir):
    amp = SimulatedAmplifier("gestures", seed=SEED, realtime=True,
                             gesture_names=["hand_open", "hand_close", "wrist_flexion"])
    app = create_app("sim:gestures", data_dir, source=amp, flush_s=0.2, status_interval_s=0.25)
    hub = app.state.hub
    with TestClient(app, base_url="http://127.0.0.1") as c, c.websocket_connect(WS_URL) as ws:
        hello = ws.receive_json()
        ctl = hello["control"]
        assert ctl["simulated_subject"] and ctl["known_gestures"] == ["hand_open", "hand_close", "wrist_flexion"]
        assert hello["controls"]["excitation"] is False  # the gestures simulator is driven by gestures
        r = _reply(ws, {"cmd": "training_start", "gestures": ["hand_open", "pinch"]})
        assert r["type"] == "error" and "cannot perform ['pinch']" in r["error"]
        t0 = time.monotonic()
        r = _reply(ws, {"cmd": "training_start", "gestures": ["hand_open", "hand_close"], "repetitions": 2,
                        "hold_s": 1.5, "rest_s": 1.0, "name": "ws-session"})
        assert r["type"] == "ack" and r["session"]["total_s"] == pytest.approx(2 * 2 * 2.5 + 1.0)
        prompts = set()

        def watch(m):
            if m.get("type") == "control" and m["phase"] == "prompting" and m["session"]["started"]:
                prompts.add(m["session"]["prompt"]["index"])
            return m.get("type") == "control" and m["phase"] in ("control", "failed")

        done = _until(ws, watch, max_messages=200000)
        session_s = time.monotonic() - t0
        assert done["phase"] == "control", done["error"]
        assert prompts == set(range(9)), prompts  # every prompt change is pushed
        res = done["result"]
        assert res["recording"] == "ws-session.bdf" and res["model"] == "models/ws-session.json"
        assert res["accuracy"] is not None and len(res["folds"]) == 2
        decisions = [_until(ws, lambda m: m.get("type") == "decision") for _ in range(40)]
        st = _until(ws, lambda m: m.get("type") == "status" and m["control"]["control"]["latency"] is not None)
        r = _reply(ws, {"cmd": "subject", "gesture": "hand_close"})
        assert r["type"] == "ack" and r["subject"] == "hand_close"
        r = _reply(ws, {"cmd": "subject", "gesture": "wrist_flexion"})
        assert r["type"] == "error" and "not a trained gesture" in r["error"]
        r = _reply(ws, {"cmd": "control_options", "vote": 5, "reject": 0.6})
        assert r["type"] == "ack" and r["vote"] == 5 and r["reject"] == 0.6
        st2 = _until(ws, lambda m: m.get("type") == "control" and m.get("control") and m["control"]["vote"] == 5)
        assert st2["control"]["reject"] == 0.6
        r = _reply(ws, {"cmd": "control_stop"})
        assert r["type"] == "ack" and r["control"]["decisions"] >= 40
        assert len(hub.acquisition._subs) == 1
    print(f"\nwebsocket session: {session_s:.1f} s to live control (session 11 s), LORO accuracy {res['accuracy']:.3f}, "
          f"training {res['total_s']:.2f} s; latency {st['control']['control']['latency']['table']}")
    # the files: the labelled session and the model
    rec = myograph.read(data_dir / "ws-session.bdf")
    assert rec.n_samples == round(11.0 * amp.fs)
    labels = sorted({a.label for a in rec.annotations if a.label.startswith("gesture:")})
    assert labels == ["gesture:hand_close", "gesture:hand_open"]
    from myograph.control import ControlModel

    model = ControlModel.load(data_dir / "models" / "ws-session.json")
    assert model.info.class_names == ("rest", "hand_close", "hand_open")
    # the decisions
    seq = [d["seq"] for d in decisions]
    assert seq == list(range(seq[0], seq[0] + 40))  # none lost
    for d in decisions:
        assert d["class"] in model.info.class_names and set(d["probabilities"]) == set(model.info.class_names)
        assert d["truth"] in model.info.class_names and d["processing_ms"] < 50
    lat = st["control"]["control"]["latency"]
    assert lat["acquisition_ms"] is not None and lat["transport_ms"] is not None and lat["window_ms"] == 100.0
