"""HTTP routes: the page, the stream description, recordings list, download, viewer, and what is refused."""

from __future__ import annotations

import os

import numpy as np
import pytest

import myograph

from tests.server.conftest import N_CHANNELS


@pytest.fixture
def recording(data_dir):
    """A 4 s, 2-channel BDF+ in the data folder with a 50 Hz sine on ch0 and a marker at 1.5 s."""
    fs = 2000.0
    t = np.arange(int(4 * fs)) / fs
    data = np.vstack([500e-6 * np.sin(2 * np.pi * 50 * t), 100e-6 * np.sign(np.sin(2 * np.pi * 2 * t))])
    rec = myograph.Recording(data, fs=fs, ch_names=["BB", "TB"]).annotate(1.5, 0.0, "MVC")
    myograph.write(rec, data_dir / "trial.bdf")
    return rec


@pytest.fixture
def secret(tmp_path, data_dir):
    """A file beside the data folder, and links to it from inside."""
    s = tmp_path / "secret.bdf"
    s.write_bytes(b"SECRET" * 100)
    os.symlink(s, data_dir / "link.bdf")
    return s


def test_the_page_and_its_static_files_are_served_without_a_build_step(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "<canvas id=\"scope\"" in r.text and "/static/app.js" in r.text
    for path, marker in (("/static/app.js", "window.__myograph"), ("/static/style.css", "#scope")):
        r = client.get(path)
        assert r.status_code == 200 and marker in r.text
        assert r.headers["x-content-type-options"] == "nosniff"


def test_the_info_describes_the_stream_with_channel_labels_muscles_and_presets(client):
    info = client.get("/api/info").json()
    assert info["type"] == "hello" and info["frame"]["header_bytes"] == 28
    s = info["info"]
    assert s["fs"] == 2048.0 and s["step"] == 1 and len(s["channels"]) == N_CHANNELS
    assert all(c["muscle"] and c["display_unit"] == "µV" for c in s["channels"])
    assert {p["name"] for p in info["presets"]} == {"raw", "surface", "needle"}
    assert info["controls"]["excitation"] is True


def test_stats_count_what_the_acquisition_received(client):
    import time

    time.sleep(0.3)
    st = client.get("/api/stats").json()
    assert st["acquisition"]["samples"] > 0 and st["samples_received"] > 0 and st["clients"] == []


def test_the_list_shows_bdf_files_in_the_folder_and_downloads_return_their_bytes(client, data_dir, recording, secret):
    (data_dir / "notes.txt").write_text("x")
    names = [r["name"] for r in client.get("/api/recordings").json()]
    assert names == ["trial.bdf"]  # not the text file, not the symlink out of the folder
    r = client.get("/api/recordings/trial.bdf")
    assert r.status_code == 200 and r.content == (data_dir / "trial.bdf").read_bytes()
    assert "attachment" in r.headers["content-disposition"]


TRAVERSALS = [
    "/api/recordings/..%2Fsecret.bdf",
    "/api/recordings/%2e%2e%2fsecret.bdf",
    "/api/recordings/%2E%2E",
    "/api/recordings/..",
    "/api/recordings/%2Ftmp%2Fsecret.bdf",
    "/api/recordings/..%5Csecret.bdf",
    "/api/recordings/link.bdf",
    "/api/recordings/secret.bdf",
    "/api/recordings/trial.bdf%00.txt",
    "/api/recordings/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/recordings/..%2Fsecret.bdf/view",
    "/api/recordings/link.bdf/view",
    "/api/recordings/%2e%2e/view",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_paths_out_of_the_data_folder_are_refused_and_nothing_is_read(client, recording, secret, url):
    r = client.get(url)
    assert 400 <= r.status_code < 500, (url, r.status_code)
    assert b"SECRET" not in r.content


def test_a_foreign_host_header_is_refused(client):
    assert client.get("/api/info", headers={"host": "evil.example"}).status_code == 400


def test_the_viewer_gives_min_and_max_per_column_in_microvolts_and_the_markers(client, recording):
    v = client.get("/api/recordings/trial.bdf/view", params={"columns": 100, "analysis": "false"}).json()
    assert v["columns"] == 100 and v["duration_s"] == pytest.approx(4.0) and v["fs"] == 2000.0
    assert [c["name"] for c in v["channels"]] == ["BB", "TB"]
    mn, mx = np.array(v["min"]), np.array(v["max"])
    assert mn.shape == mx.shape == (2, 100) and np.all(mx >= mn)
    # each column of 80 samples covers 4 periods of the 50 Hz sine: its extremes are ±500 µV
    np.testing.assert_allclose(mx[0], 500.0, atol=2.0)
    np.testing.assert_allclose(mn[0], -500.0, atol=2.0)
    assert [a["label"] for a in v["annotations"]] == ["MVC"] and v["annotations"][0]["onset_s"] == pytest.approx(1.5)
    assert "analysis" not in v


def test_zooming_returns_only_the_window_asked_for(client, recording):
    v = client.get("/api/recordings/trial.bdf/view", params={"start_s": 2.0, "stop_s": 2.25, "columns": 2000,
                                                            "analysis": "false"}).json()
    assert v["start_s"] == pytest.approx(2.0) and v["stop_s"] == pytest.approx(2.25)
    assert v["columns"] == 500  # never more columns than samples
    assert v["annotations"] == []  # the marker at 1.5 s is outside
    t = 2.0 + np.arange(500) / 2000.0
    np.testing.assert_allclose(v["max"][0], 500 * np.sin(2 * np.pi * 50 * t), atol=1.0)


def test_the_viewer_adds_envelope_onsets_and_quality_when_those_modules_exist(client, recording):
    v = client.get("/api/recordings/trial.bdf/view", params={"columns": 50}).json()
    an = v["analysis"]
    assert an["available"] is True
    assert len(an["envelope"]) == 2 and len(an["envelope"][0]) == 50
    try:
        import myograph.activation  # noqa: F401
    except ImportError:
        assert any("onsets" in n for n in an["notes"])
    else:
        assert "onsets" in an
    try:
        import myograph.quality  # noqa: F401
    except ImportError:
        assert any("quality" in n for n in an["notes"])
    else:
        assert {q["channel"] for q in an["quality"]} == {"BB", "TB"}


def test_a_damaged_recording_is_a_422_and_the_server_keeps_serving(client, data_dir):
    (data_dir / "broken.bdf").write_bytes(b"\xffBIOSEMI" + b"garbage" * 10)
    assert client.get("/api/recordings/broken.bdf/view").status_code == 422
    assert client.get("/api/info").status_code == 200


def test_bad_view_parameters_are_refused(client, recording):
    assert client.get("/api/recordings/trial.bdf/view", params={"columns": 0}).status_code == 422
    assert client.get("/api/recordings/trial.bdf/view", params={"start_s": -1}).status_code == 422
    assert client.get("/api/recordings/trial.bdf/view", params={"start_s": "nan"}).status_code == 422


@pytest.mark.parametrize("url", ["/static/..%2Fapp.py", "/static/%2e%2e/app.py", "/static/../app.py",
                                 "/static/%2e%2e%2f%2e%2e%2fsecret.bdf"])
def test_static_files_never_reach_outside_the_static_folder(client, secret, url):
    r = client.get(url)
    assert r.status_code == 404 and b"create_app" not in r.content and b"SECRET" not in r.content
