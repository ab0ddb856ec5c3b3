"""Benchmark: the live server streaming the simulated amplifier to a headless page while recording.

For each configuration, ``myograph serve`` runs in its own process (the real command,
on a free loopback port, recordings in a temporary folder); headless chromium (Debian's,
driven by Playwright) opens the page, which connects, filters and draws as a user's
would; the page starts a recording, and after the measured interval stops it. Measured:

* **server CPU**: ``psutil`` user + system time of the server process over the interval,
  as a percentage of one core (everything it does: simulation, acquisition thread,
  recorder, per-client filtering and frames, uvicorn);
* **latency**: per block, from the generation of its first (oldest) sample at the
  simulated amplifier (``Block.timestamp_s``, on the monotonic clock: the sample's time
  on the wall clock) to the end of the websocket send (``/api/stats``,
  ``latency_from_generation``) — this includes waiting for the rest of the block
  (1/32 s); also from ``Block.received_s`` (the block in the server) to the send;
* **recorder**: samples in the BDF+ on disk against the source's sample counters over the
  recording (``end_sample - first_sample``), gaps and missing samples — no dropped samples
  means they are equal and zero;
* display frames the server dropped for the page (backpressure), for information.

The baseline, measured in the same run, is the same server with no page connected
(simulator + acquisition + recorder only): the difference is what streaming to one page
costs. The sources are the simulated HD-EMG grid (``sim:hdemg``: 64 channels at 2048 Hz,
and ``sim:hdemg?channels=16&fs=2000``), one muscle whose simulation costs a few per cent
of a core; the surface simulator with 16 channels simulates 16 muscles and alone costs
more than the 15 % budget, which is the simulator's cost, not the server's.

Criteria (issue 5): 64 channels at 2048 Hz for 60 s — no dropped samples at the
recorder, server CPU < 50 % of one core, median latency < 50 ms; 16 channels at 2 kHz —
server CPU < 15 % of one core.

Usage::

    python benchmarks/live_bench.py               # 60 s per configuration (about 3 minutes)
    python benchmarks/live_bench.py --seconds 10  # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class Config:
    name: str
    source: str
    n_channels: int
    fs: float
    cpu_limit_pct: float | None
    latency_limit_ms: float | None
    page: bool = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def post_ws_command(url: str, cmd: dict) -> dict:
    """Send one command over a websocket of our own (for runs without a page); returns the ack."""
    import asyncio

    import websockets

    async def go() -> dict:
        async with websockets.connect(url.replace("http", "ws") + "ws", max_size=None,
                                      origin=url.rstrip("/")) as ws:
            await ws.send(json.dumps(cmd))
            while True:
                m = await ws.recv()
                if isinstance(m, str):
                    msg = json.loads(m)
                    if msg.get("type") in ("ack", "error"):
                        return msg

    return asyncio.run(go())


def start_server(cfg: Config, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-c", "from myograph.apps.cli import main; main()", "serve", "--source", cfg.source,
           "--port", str(port), "--data-dir", str(data_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            get_json(url + "api/info")
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"server did not start: {out}")
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


def run(cfg: Config, seconds: float, warmup_s: float = 3.0) -> dict:
    import psutil

    import myograph

    with tempfile.TemporaryDirectory(prefix="myograph-live-bench-") as tmp:
        data_dir = Path(tmp) / "recordings"
        proc, url = start_server(cfg, data_dir)
        ps = psutil.Process(proc.pid)
        pw = browser = page = None
        try:
            if cfg.page:
                from playwright.sync_api import sync_playwright

                pw = sync_playwright().start()
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(url)
                page.wait_for_function("() => window.__myograph.state.draws > 3", timeout=30000)
            time.sleep(warmup_s)
            # the measured interval: a recording from start to stop
            if page is not None:
                page.click("#record")
                page.wait_for_function("() => window.__myograph.state.recording !== null", timeout=10000)
            else:
                post_ws_command(url, {"cmd": "record"})
            c0, t0 = ps.cpu_times(), time.monotonic()
            time.sleep(seconds)
            c1, t1 = ps.cpu_times(), time.monotonic()
            stats = get_json(url + "api/stats")
            if page is not None:
                page.click("#stop")
                page.wait_for_function("() => window.__myograph.state.acks.some(a => a.cmd === 'stop')", timeout=30000)
                ack = next(a for a in page.evaluate("window.__myograph.state.acks") if a["cmd"] == "stop")
                page_state = page.evaluate("window.__myograph.state")
            else:
                ack = post_ws_command(url, {"cmd": "stop"})
                page_state = None
            f = ack["file"]
            rec = myograph.open(data_dir / f["name"])
            n_file = rec.n_samples
            rec.close()
        finally:
            if browser is not None:
                browser.close()
            if pw is not None:
                pw.stop()
            stop_server(proc)
    cpu = (c1.user + c1.system - c0.user - c0.system) / (t1 - t0) * 100.0
    client = stats["clients"][0] if stats["clients"] else {}
    expected = f["end_sample"] - f["first_sample"]
    return {
        "config": cfg, "seconds": t1 - t0, "cpu_pct": cpu,
        "latency_gen": stats["latency_from_generation"], "latency_recv": stats["latency"],
        "recorded": n_file, "expected": expected, "gaps": f["gaps"], "missing": f["missing_samples"],
        "display_dropped": client.get("blocks_dropped", 0), "frames": client.get("frames_sent", 0),
        "page_frames": page_state["framesReceived"] if page_state else 0,
    }


def fmt(v: float | None, spec: str = ".1f") -> str:
    return "—" if v is None else format(v, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="measured interval per configuration, s (60)")
    ap.add_argument("--baseline-seconds", type=float, default=20.0, help="interval of the no-page baseline, s (20)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"live_bench: {CHROMIUM} is missing (scripts/install-test-system-packages.sh installs it); skipped")
        return 0
    hd64, hd16 = "sim:hdemg", "sim:hdemg?channels=16&fs=2000"
    configs = [
        (Config("64 ch @ 2048 Hz, no page", hd64, 64, 2048.0, None, None, page=False), args.baseline_seconds),
        (Config("64 ch @ 2048 Hz -> page", hd64, 64, 2048.0, 50.0, 50.0), args.seconds),
        (Config("16 ch @ 2 kHz, no page", hd16, 16, 2000.0, None, None, page=False), args.baseline_seconds),
        (Config("16 ch @ 2 kHz -> page", hd16, 16, 2000.0, 15.0, None), args.seconds),
    ]
    results = []
    for cfg, secs in configs:
        print(f"running {cfg.name} ({cfg.source}) for {secs:g} s ...", flush=True)
        results.append(run(cfg, secs))
    print()
    head = (f"{'configuration':28} {'s':>5} {'CPU % core':>10} {'limit':>6} {'lat med ms':>10} {'p95':>6} "
            f"{'recv→send':>9} {'recorded':>9} {'expected':>9} {'gaps':>4} {'disp.drop':>9}")
    print(head)
    print("-" * len(head))
    ok = True
    for r in results:
        cfg = r["config"]
        lg, lr = r["latency_gen"], r["latency_recv"]
        print(f"{cfg.name:28} {r['seconds']:5.0f} {r['cpu_pct']:10.1f} {fmt(cfg.cpu_limit_pct, '.0f'):>6} "
              f"{fmt(lg['median_ms']):>10} {fmt(lg['p95_ms']):>6} {fmt(lr['median_ms']):>9} "
              f"{r['recorded']:9d} {r['expected']:9d} {r['gaps']:4d} {r['display_dropped']:9d}")
        checks = [r["recorded"] == r["expected"] and r["gaps"] == 0 and r["missing"] == 0]
        if cfg.cpu_limit_pct is not None:
            checks.append(r["cpu_pct"] < cfg.cpu_limit_pct)
        if cfg.latency_limit_ms is not None:
            checks.append(lg["median_ms"] is not None and lg["median_ms"] < cfg.latency_limit_ms)
        r["ok"] = all(checks)
        ok &= r["ok"]
    print()
    for base, live in ((results[0], results[1]), (results[2], results[3])):
        print(f"{live['config'].name}: streaming to the page costs {live['cpu_pct'] - base['cpu_pct']:+.1f} % of a core "
              f"over the same server without a page ({base['cpu_pct']:.1f} %: simulator, acquisition, recorder)")
    for r in results:
        print(f"  {r['config'].name}: {'PASS' if r['ok'] else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
