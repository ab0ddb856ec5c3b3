"""End to end in a real browser: Playwright drives Debian's chromium against a live server.

Open the page, see traces drawn, switch sensitivity, listen to a channel, record, add a
marker, stop — then check the BDF+ on disk and that the audio path carried exactly the
selected channel's samples.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from tests.server.browser import CHROMIUM, CHROMIUM_ARGS, serve

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it with "
                "scripts/install-test-system-packages.sh when it can)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (the [test] extra)")
uvicorn = pytest.importorskip("uvicorn", reason="the server needs the [web] extra")

import myograph  # noqa: E402
from myograph.apps.server import create_app  # noqa: E402

from tests.server.conftest import N_CHANNELS, make_source  # noqa: E402

AUDIO_CHANNEL = 2


@pytest.fixture
def live_server(tmp_path):
    """uvicorn serving the app on a free loopback port in a thread; stopped at teardown."""
    data_dir = tmp_path / "recordings"
    app = create_app("sim", data_dir, source=make_source(), flush_s=0.25)
    with serve(app, "e2e-uvicorn") as url:
        yield url, data_dir


@pytest.fixture
def page():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1280, "height": 860})
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.errors = errors
            yield pg
        finally:
            browser.close()


def canvas_pixels(png: Path) -> np.ndarray:
    from matplotlib.image import imread

    return imread(png)[..., :3]


def state(pg) -> dict:
    return pg.evaluate("window.__myograph.state")


def wait(pg, condition: str, timeout_s: float = 20.0) -> None:
    """Wait for a JS condition; on timeout fail with what the page and the server were doing."""
    try:
        pg.wait_for_function(f"() => {{ try {{ return {condition}; }} catch (e) {{ return false; }} }}",
                             timeout=timeout_s * 1000)
    except sync_api.TimeoutError:
        import json
        import urllib.request

        st = pg.evaluate("window.__myograph && window.__myograph.state")
        with urllib.request.urlopen(pg.url + "api/stats", timeout=5) as r:
            stats = json.loads(r.read())
        raise AssertionError(f"timed out waiting for {condition}\npage: {st}\nserver: {stats}") from None


def test_the_page_draws_traces_records_a_marker_and_plays_the_selected_channel(live_server, page, tmp_path):
    url, data_dir = live_server
    pg = page
    pg.goto(url)
    wait(pg, "window.__myograph.state.draws > 5 && window.__myograph.state.head > 2048")

    # traces are drawn: the scope canvas is far from blank
    shot = tmp_path / "scope.png"
    pg.locator("#scope").screenshot(path=str(shot))
    px = canvas_pixels(shot)
    lit = (px.max(axis=2) > 0.25).mean()
    assert px.std() > 0.03 and lit > 0.01, f"canvas looks blank (std {px.std():.3f}, {lit:.1%} lit): {shot}"
    os.environ.get("MYOGRAPH_KEEP_SCREENSHOT") and print(f"scope screenshot: {shot}")

    # switch sensitivity: the group's µV/div changes and so does the picture
    before = state(pg)["groups"][0]["sens"]
    new = "50" if before != 50 else "500"
    pg.select_option("#sens-0", new)
    wait(pg, f"window.__myograph.state.groups[0].sens === {new}")
    time.sleep(0.2)
    shot2 = tmp_path / "scope-sensitivity.png"
    pg.locator("#scope").screenshot(path=str(shot2))
    assert not np.array_equal(canvas_pixels(shot2), px)

    # raw display filter (so the audio can be compared with the recording), listen to one channel
    pg.select_option("#preset", "raw")
    wait(pg, "window.__myograph.state.acks.some(a => a.cmd === 'filter' && a.preset === 'raw')")
    pg.select_option("#audio-channel", str(AUDIO_CHANNEL))
    pg.click("#listen")
    wait(pg, "window.__myograph.state.audioOn")

    # record, marker, stop
    pg.click("#record")
    wait(pg, "window.__myograph.state.recording !== null")
    wait(pg, "window.__myograph.state.recording.duration_s > 1.0")
    pg.fill("#marker-label", "e2e mark")
    pg.click("#marker")
    wait(pg, "window.__myograph.state.acks.some(a => a.cmd === 'marker')")
    wait(pg, "window.__myograph.state.recording.duration_s > 2.5")
    audio = pg.evaluate("window.__myograph.audio")
    tails = pg.evaluate(f"[...Array({N_CHANNELS}).keys()].map(c => window.__myograph.channelTail(c, 8192))")
    offline = pg.evaluate("window.__myograph.renderOffline(4096)")
    pg.click("#stop")
    wait(pg, "window.__myograph.state.acks.some(a => a.cmd === 'stop')")
    st = state(pg)
    stop = next(a for a in st["acks"] if a["cmd"] == "stop")["file"]
    marker = next(a for a in st["acks"] if a["cmd"] == "marker")
    assert not st["errors"] and not pg.errors, (st["errors"], pg.errors)

    # the BDF+ on disk: expected duration, channels and the marker
    path = data_dir / stop["name"]
    rec = myograph.read(path)
    assert rec.fs == 2048.0 and rec.n_channels == N_CHANNELS
    assert rec.channels.names == [c["name"] for c in pg.evaluate("window.__myograph.info.channels")]
    assert rec.n_samples == stop["samples"] == stop["end_sample"] - stop["first_sample"]
    assert 2.5 <= rec.duration <= 10.0
    marks = [a for a in rec.annotations if a.label == "e2e mark"]
    assert len(marks) == 1 and marks[0].onset == pytest.approx(marker["onset_s"]) and 1.0 <= marks[0].onset < rec.duration

    # the audio path carried the selected channel ...
    assert audio["channel"] == AUDIO_CHANNEL and audio["kind"] in ("AudioWorklet", "ScriptProcessor")
    inp = np.array(audio["input"])
    first = audio["inputFirst"]
    assert inp.size > 2048
    # ... exactly the samples the page received for that channel (and not another channel's) ...
    tail = tails[AUDIO_CHANNEL]
    lo, hi = max(first, tail["first"]), min(first + inp.size, tail["first"] + len(tail["values"]))
    assert hi - lo > 1000
    np.testing.assert_array_equal(inp[lo - first:hi - first], np.array(tail["values"][lo - tail["first"]:hi - tail["first"]]))
    for c in set(range(N_CHANNELS)) - {AUDIO_CHANNEL}:
        other = np.array(tails[c]["values"][lo - tails[c]["first"]:hi - tails[c]["first"]])
        assert not np.allclose(inp[lo - first:hi - first], other)
    # ... which are the recorded samples of that channel at the same sample counter (µV; 24-bit BDF) ...
    a, b = max(first, stop["first_sample"]), min(first + inp.size, stop["end_sample"])
    assert b - a > 1000, "the audio buffer and the recording should overlap"
    recorded = rec.get_data()[AUDIO_CHANNEL, a - stop["first_sample"]:b - stop["first_sample"]] * 1e6
    np.testing.assert_allclose(inp[a - first:b - first], recorded, atol=0.01)
    # ... resampled to the audio context's rate by linear interpolation, 1 mV = full scale ...
    out, pos = np.array(audio["output"]), np.array(audio["positions"])
    idx = first + np.arange(inp.size)
    ok = (pos >= idx[0]) & (pos <= idx[-1])
    assert ok.sum() > 8000  # the hook keeps the last 16384 output samples
    np.testing.assert_allclose(out[ok], np.interp(pos[ok], idx, inp) / audio["fullScaleUv"], atol=1e-6)
    assert np.all(np.diff(pos) == pytest.approx(audio["fsIn"] / audio["fsOut"]))
    # ... and through the page's audio graph (OfflineAudioContext, filter off): volume x the samples fed
    fed, rendered = np.array(offline["fed"]), np.array(offline["rendered"])
    assert fed.size == 4096 and np.abs(fed).max() > 0
    np.testing.assert_allclose(rendered, fed * offline["volume"], atol=1e-6)

    # the recordings list links the file; its viewer draws it with the marker
    pg.wait_for_selector(f"#rec-table a[href='/api/recordings/{stop['name']}']")
    pg.click("#rec-table tbody tr:first-child button")
    wait(pg, "document.getElementById('viewer-info').textContent.includes('1 annotation')")
    vshot = tmp_path / "viewer.png"
    pg.locator("#viewer-canvas").screenshot(path=str(vshot))
    assert canvas_pixels(vshot).std() > 0.03
    full = tmp_path / "page.png"
    pg.screenshot(path=str(full), full_page=True)
    print(f"screenshots: {shot} {shot2} {vshot} {full}")
