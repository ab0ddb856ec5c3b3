"""``myograph serve``: options, the printed URL, a clean stop on Ctrl-C, a clear error for a bad source."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from myograph.apps.cli import app
from myograph.apps.cli_serve import _is_loopback

runner = CliRunner()


def test_serve_lists_its_options_with_safe_defaults():
    r = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    assert r.exit_code == 0, r.output
    for text in ("--source", "--host", "--port", "--data-dir", "127.0.0.1", "8765", "recordings"):
        assert text in r.output


def test_an_unknown_source_is_one_clear_line_and_exit_status_2(tmp_path):
    r = runner.invoke(app, ["serve", "--source", "telepathy:1", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "cannot open source 'telepathy:1'" in r.output


def test_only_loopback_addresses_count_as_local():
    assert all(map(_is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"]))
    assert not any(map(_is_loopback, ["0.0.0.0", "192.168.1.10", "::", "example.org"]))


def test_serve_prints_the_url_serves_the_page_and_stops_on_ctrl_c(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "recs"
    cmd = [sys.executable, "-c", "from myograph.apps.cli import main; main()", "serve", "--port", str(port),
           "--data-dir", str(data)]
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        assert url in line, line
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "api/info", timeout=2) as r:
                    info = json.loads(r.read())
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not come up"
                time.sleep(0.2)
        assert info["info"]["name"] == "sim:surface"
        assert Path(data).is_dir()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
