"""Fixtures for the server tests: a seeded simulated amplifier and an app around it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server needs the [web] extra (fastapi, uvicorn, websockets)")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx ([test] extra)")

import warnings  # noqa: E402

with warnings.catch_warnings():
    # starlette >= 0.50 warns that its TestClient will move from httpx to httpx2; the project's [test] extra
    # pins httpx, and the warning says nothing about our code
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient  # noqa: E402

from myograph.acquire.sim import SimulatedAmplifier  # noqa: E402
from myograph.apps.server import create_app  # noqa: E402

SEED = 7
N_CHANNELS = 4


def make_source(**kw) -> SimulatedAmplifier:
    """The seeded surface simulator every server test streams (4 channels at 2048 Hz)."""
    opts = dict(channels=N_CHANNELS, seed=SEED, realtime=True)
    opts.update(kw)
    return SimulatedAmplifier("surface", **opts)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "recordings"
    d.mkdir()
    return d


@pytest.fixture
def app(data_dir: Path):
    return create_app("sim", data_dir, source=make_source(), flush_s=0.2, status_interval_s=0.2)


@pytest.fixture
def client(app):
    """A TestClient with the app running (acquisition started); stopped at teardown."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def server_log(caplog):
    caplog.set_level(logging.WARNING, logger="myograph.apps.server")
    return caplog


WS_URL = "ws://127.0.0.1/ws"  # TestClient defaults websockets to host "testserver", which the app refuses


def receive_message(ws, *, want: tuple[str, ...] = ("ack", "error"), max_messages: int = 2000):
    """The next JSON text message of one of the types ``want``, skipping frames and status messages."""
    import json

    for _ in range(max_messages):
        m = ws.receive()
        if m.get("type") == "websocket.close":
            from starlette.websockets import WebSocketDisconnect

            raise WebSocketDisconnect(m.get("code", 1000), m.get("reason"))
        if m.get("text") is not None:
            msg = json.loads(m["text"])
            if msg.get("type") in want:
                return msg
    raise AssertionError(f"no {want} message among {max_messages}")


def receive_frames(ws, n_samples: int, *, kind: int = 1, max_messages: int = 5000):
    """Decoded frames of ``kind`` until they hold at least ``n_samples`` samples (text messages skipped)."""
    from myograph.apps.server import decode_frame

    frames, total = [], 0
    for _ in range(max_messages):
        m = ws.receive()
        if m.get("bytes") is not None:
            f = decode_frame(m["bytes"])
            if f.kind == kind:
                frames.append(f)
                total += f.n_samples
                if total >= n_samples:
                    return frames
    raise AssertionError(f"only {total} samples in {max_messages} messages")
