"""Outputs of the live controller (real sockets, a real LSL outlet, real key events) and the delay report."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import socket
import subprocess
import time

import pytest

from myograph.control.latency import OPTIMUM_MS, latency_report
from myograph.control.online import Decision
from myograph.control.outputs import KeyboardOutput, StdoutOutput, UDPOutput, open_output
from myograph.core.errors import ParameterError


def _decision(seq: int, name: str = "hand_open", label: int = 2, *, processing_s: float = 0.001,
              received_s: float = 10.0, window_end_s: float = 9.99) -> Decision:
    return Decision(seq=seq, sample=400 + 100 * seq, label=label, name=name, raw_label=label, probability=0.93,
                    intensity=2e-5, speed=0.5, outputs=(), window_end_s=window_end_s, received_s=received_s,
                    decided_s=received_s + processing_s, processing_s=processing_s)


def test_udp_output_sends_one_json_datagram_per_decision():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    port = rx.getsockname()[1]
    with open_output(f"udp://127.0.0.1:{port}") as out:
        assert isinstance(out, UDPOutput)
        for k in range(3):
            out.send(_decision(k, "rest" if k == 1 else "hand_open", 0 if k == 1 else 2))
        msgs = [json.loads(rx.recv(2048)) for _ in range(3)]
    rx.close()
    assert [m["seq"] for m in msgs] == [0, 1, 2]
    assert [m["class"] for m in msgs] == ["hand_open", "rest", "hand_open"]
    assert msgs[0]["p"] == pytest.approx(0.93) and msgs[0]["speed"] == pytest.approx(0.5)
    assert abs(msgs[0]["t"] - time.time()) < 5


def test_udp_output_without_a_listener_keeps_going():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    out = open_output(f"udp://127.0.0.1:{port}")
    for k in range(5):
        out.send(_decision(k))
    out.close()


def test_stdout_output_writes_json_lines():
    buf = io.StringIO()
    out = StdoutOutput(buf)
    out.send(_decision(0))
    out.send(_decision(1, "rejected", -1))
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["class"] for x in lines] == ["hand_open", "rejected"] and lines[1]["label"] == -1


@pytest.mark.parametrize("spec, match", [
    ("udp://127.0.0.1", "udp://HOST:PORT"), ("udp://127.0.0.1:99999", "udp://HOST:PORT|port"),
    ("serial:/dev/ttyS0", "unknown output"), ("", "output"), ("keyboard:hand_open", "class=key"),
])
def test_bad_output_specs_are_refused_naming_output(spec, match):
    with pytest.raises(ParameterError, match=match) as info:
        open_output(spec, class_names=["rest", "hand_open"])
    assert info.value.name == "output"


def test_lsl_output_streams_decisions_to_an_inlet():
    pylsl = pytest.importorskip("pylsl", reason="pylsl is an optional extra: pip install 'myograph[acquire]'")
    name = f"myograph-test-control-{os.getpid()}"
    out = open_output(f"lsl:{name}", class_names=["rest", "hand_open", "hand_close"])
    found = pylsl.resolve_byprop("name", name, timeout=5.0)
    if not found:
        out.close()
        pytest.skip("LSL cannot resolve a stream on this machine (no sockets / multicast)")
    inlet = pylsl.StreamInlet(found[0])
    inlet.open_stream(timeout=5.0)
    time.sleep(0.3)
    for k in range(4):
        out.send(_decision(k, "hand_close", 2))
    rows = []
    deadline = time.monotonic() + 5.0
    while len(rows) < 4 and time.monotonic() < deadline:
        sample, ts = inlet.pull_sample(timeout=0.5)
        if sample is not None:
            rows.append(sample)
    desc = inlet.info().desc()
    classes = desc.child("classes").first_child()
    names = []
    while not classes.empty():
        names.append(classes.child_value("name"))
        classes = classes.next_sibling()
    out.close()
    assert len(rows) == 4 and all(r[0] == 2.0 for r in rows)
    assert rows[0][1] == pytest.approx(0.93, abs=1e-6) and rows[0][2] == pytest.approx(0.5)
    assert names == ["rest", "hand_open", "hand_close"]


@pytest.fixture
def x_display():
    """A real X server (Xvfb) for the keyboard output; skips where Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (make test installs it with apt-get where it can)")
    from Xlib import display as xdisplay

    r, w = os.pipe()  # Xvfb picks a free display and writes its number here once it accepts connections
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "320x240x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    old = os.environ.get("DISPLAY")
    try:
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        display = f":{number}"
        d = xdisplay.Display(display)
        os.environ["DISPLAY"] = display
        try:
            yield d
        finally:
            d.close()
    finally:
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old
        proc.terminate()
        proc.wait(timeout=10)


def _pressed(d, keysym_name: str) -> bool:
    from Xlib import XK

    code = d.keysym_to_keycode(XK.string_to_keysym(keysym_name))
    d.sync()
    keymap = d.query_keymap()
    return bool(keymap[code // 8] & (1 << (code % 8)))


def test_keyboard_output_holds_the_class_key_on_a_real_x_server(x_display):
    pytest.importorskip("pynput", reason="the keyboard output needs pynput")
    import importlib
    import sys

    for mod in [m for m in sys.modules if m.startswith("pynput")]:  # pick the backend for this display
        del sys.modules[mod]
    importlib.invalidate_caches()
    out = KeyboardOutput(["rest", "hand_open", "hand_close"], keys={"hand_open": "left", "hand_close": "space"})
    out.send(_decision(0, "hand_open", 1))
    time.sleep(0.05)
    assert _pressed(x_display, "Left") and not _pressed(x_display, "space")
    out.send(_decision(1, "hand_open", 1))  # same class: still held, no repeat press
    out.send(_decision(2, "hand_close", 2))
    time.sleep(0.05)
    assert not _pressed(x_display, "Left") and _pressed(x_display, "space")
    out.send(_decision(3, "rest", 0))
    time.sleep(0.05)
    assert not _pressed(x_display, "space")
    out.send(_decision(4, "hand_open", 1))
    out.close()  # releases what is held
    time.sleep(0.05)
    assert not _pressed(x_display, "Left")


def test_keyboard_output_refuses_unknown_classes_and_keys(x_display):
    pytest.importorskip("pynput", reason="the keyboard output needs pynput")
    with pytest.raises(ParameterError, match="unknown classes"):
        KeyboardOutput(["rest", "a"], keys={"b": "left"})
    with pytest.raises(ParameterError, match="unknown key"):
        KeyboardOutput(["rest", "a"], keys={"a": "notakey"})


def test_latency_report_adds_the_parts_as_stated():
    ds = [_decision(k, processing_s=0.001 * (k + 1), received_s=100.0 + k, window_end_s=100.0 + k - 0.010)
          for k in range(5)]  # processing 1..5 ms (median 3), acquisition 10 ms
    rep = latency_report(ds, window_s=0.2, step_s=0.05, vote=3, transport_s=[0.0002] * 5, clock_is_monotonic=True)
    assert rep.window_ms == pytest.approx(100.0) and rep.step_ms == pytest.approx(75.0)
    assert rep.processing_ms == pytest.approx(3.0) and rep.acquisition_ms == pytest.approx(10.0)
    assert rep.transport_ms == pytest.approx(0.2)
    assert rep.total_ms == pytest.approx(100 + 75 + 3 + 10 + 0.2)
    assert "above" in rep.verdict and "Farrell" in rep.verdict
    short = latency_report(ds, window_s=0.1, step_s=0.02, vote=1)
    assert math.isnan(short.acquisition_ms) and short.total_ms == pytest.approx(50 + 10 + 3)
    assert short.total_ms < OPTIMUM_MS[0] and "below" in short.verdict
    mid = latency_report(ds, window_s=0.15, step_s=0.05, vote=1, transport_s=[0.0] * 5)
    assert OPTIMUM_MS[0] <= mid.total_ms <= OPTIMUM_MS[1] and "within" in mid.verdict
    assert "total" in rep.table() and rep.to_dict()["n_decisions"] == 5
