"""End to end in a real browser: the Control tab trains a controller on the simulated subject and shows its
live decisions (Playwright driving Debian's chromium against a live server).

3 gestures x 2 repetitions, hold 1 s, rest 1 s: 13 s of prompts, then training, then decisions.
"""

from __future__ import annotations

import time

import pytest

from tests.server.browser import CHROMIUM, CHROMIUM_ARGS, serve

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it with "
                "scripts/install-test-system-packages.sh when it can)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (the [test] extra)")
uvicorn = pytest.importorskip("uvicorn", reason="the server needs the [web] extra")
pytest.importorskip("sklearn", reason="training needs scikit-learn")

import myograph  # noqa: E402
from myograph.acquire.sim import SimulatedAmplifier  # noqa: E402
from myograph.apps.server import create_app  # noqa: E402

GESTURES = ["hand_open", "hand_close", "wrist_flexion"]


@pytest.fixture
def live_server(tmp_path):
    data_dir = tmp_path / "recordings"
    source = SimulatedAmplifier("gestures", seed=5, realtime=True, gesture_names=GESTURES)
    app = create_app("sim:gestures", data_dir, source=source, flush_s=0.25)
    with serve(app, "e2e-training-uvicorn") as url:
        yield url, data_dir


def wait(pg, condition: str, timeout_s: float = 20.0) -> None:
    try:
        pg.wait_for_function(f"() => {{ try {{ return {condition}; }} catch (e) {{ return false; }} }}",
                             timeout=timeout_s * 1000)
    except sync_api.TimeoutError:
        st = pg.evaluate("window.__myograph && window.__myograph.control")
        raise AssertionError(f"timed out waiting for {condition}\ncontrol: {st}") from None


def test_the_control_tab_prompts_trains_and_shows_live_decisions(live_server, tmp_path):
    url, data_dir = live_server
    t0 = time.monotonic()
    shots = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1280, "height": 860})
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(url)
            wait(pg, "window.__myograph.info !== null && window.__myograph.control.phase === 'idle'")
            pg.click("#tab-control")
            assert pg.is_hidden("#scope-wrap") and pg.is_visible("#ctl-setup")
            # the simulated subject's gestures are offered, all ticked; no free names for a simulated subject
            offered = pg.eval_on_selector_all("#ctl-gestures input", "els => els.map(e => [e.value, e.checked])")
            assert offered == [[g, True] for g in GESTURES] and pg.is_hidden("#ctl-add-row")
            pg.fill("#ctl-reps", "2")
            pg.fill("#ctl-hold", "1")
            pg.fill("#ctl-rest", "1")
            assert pg.text_content("#ctl-plan") == "3 gestures × 2 repetitions + rest: 13 s"
            shots.append(tmp_path / "control-setup.png")
            pg.screenshot(path=str(shots[-1]))
            pg.click("#ctl-start")

            # prompts: a gesture to hold, its countdown, the repetition counter
            wait(pg, "window.__myograph.control.phase === 'prompting' && "
                     "window.__myograph.control.status.session.prompt.kind === 'gesture'", 15)
            label = pg.text_content("#ctl-prompt-label")
            assert label in ("Hand open", "Hand close", "Wrist flexion")
            assert pg.text_content("#ctl-prompt-action") == "hold"
            assert "repetition 1 of 2" in pg.text_content("#ctl-prompt-info")
            assert pg.is_disabled("#ctl-start") and pg.is_enabled("#ctl-stop")
            shots.append(tmp_path / "control-prompt.png")
            pg.screenshot(path=str(shots[-1]))

            # training, then live control: the current class big, a bar per class, speed, latency
            wait(pg, "window.__myograph.control.phase === 'control'", 30)
            wait(pg, "window.__myograph.control.decisions > 20 && window.__myograph.control.last.class !== 'rest'", 20)
            time.sleep(0.1)
            shots.append(tmp_path / "control-live.png")
            pg.screenshot(path=str(shots[-1]))
            accuracy = pg.text_content("#ctl-accuracy")
            assert accuracy.endswith("%"), accuracy
            rows = pg.eval_on_selector_all("#ctl-class-table tbody tr", "els => els.map(e => e.children[0].textContent)")
            assert rows == ["Rest", "Hand close", "Hand open", "Wrist flexion"]
            decision = pg.text_content("#ctl-decision")
            assert decision in ("Rest", "Hand open", "Hand close", "Wrist flexion")
            probs = pg.eval_on_selector_all("#ctl-probs .prob-row", "els => els.map(e => [e.dataset.cls, "
                                                                    "e.querySelector('.pval').textContent])")
            assert [c for c, _ in probs] == ["rest", "hand_close", "hand_open", "wrist_flexion"]
            assert all(v.endswith("%") for _, v in probs)
            assert pg.text_content("#ctl-speed-val") not in ("", "—")
            wait(pg, "document.getElementById('ctl-latency').textContent.includes('total')", 5)
            assert "processing" in pg.text_content("#ctl-live-stats")
            assert pg.is_visible("#ctl-subject-card")
            # post-processing from the page: a majority vote of 3, rejection below 0.5
            pg.fill("#ctl-vote", "3")
            pg.fill("#ctl-reject", "0.5")
            pg.click("#ctl-options-apply")
            wait(pg, "document.getElementById('ctl-live-stats').textContent.includes('vote of 3')", 5)
            assert "rejecting below 0.5" in pg.text_content("#ctl-live-stats")
            shots.append(tmp_path / "control-options.png")
            pg.screenshot(path=str(shots[-1]))
            st = pg.evaluate("window.__myograph.state")
            assert not st["errors"] and not errors, (st["errors"], errors)
        finally:
            browser.close()
    elapsed = time.monotonic() - t0
    files = sorted(p.name for p in data_dir.iterdir())
    assert any(f.startswith("training-") and f.endswith(".bdf") for f in files), files
    model = sorted((data_dir / "models").glob("training-*.json"))
    assert len(model) == 1
    rec = myograph.read(next(data_dir.glob("training-*.bdf")))
    assert rec.duration == pytest.approx(13.0)
    print(f"\nbrowser training run: {elapsed:.1f} s; screenshots: {' '.join(map(str, shots))}")
    assert elapsed < 40
