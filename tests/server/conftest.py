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
