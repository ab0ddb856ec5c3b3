"""The websocket: binary frames carry the source's samples; commands drive filters and the recorder;
malformed messages are refused, logged and answered, and the server keeps serving."""

from __future__ import annotations

import json

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

import myograph
from myograph.acquire.sim import SimulatedAmplifier
from myograph.apps.server import FRAME_LEVELS

from tests.server.conftest import N_CHANNELS, SEED, WS_URL, receive_frames, receive_message


def reference_samples(stop: int) -> np.ndarray:
    """Samples [0, stop) of the same seeded simulator, read as fast as it can generate."""
    parts, n = [], 0
    with SimulatedAmplifier("surface", channels=N_CHANNELS, seed=SEED, realtime=False) as amp:
        while n < stop:
            b = amp.read(timeout_s=10.0)
            assert b.first_sample == n
            parts.append(b.data)
            n += b.n_samples
    return np.concatenate(parts, axis=1)[:, :stop]


def test_the_first_message_is_a_hello_describing_the_frames_and_the_stream(client):
    with client.websocket_connect(WS_URL) as ws:
        hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["version"] == 1
    assert hello["frame"] == {"header_bytes": 28, "magic": "MYOG", "types": {"samples": 1, "levels": 2, "audio": 3},
                              "dtype": "float32 little-endian, channel-major"}
    assert len(hello["info"]["channels"]) == N_CHANNELS and hello["recording"] is None


def test_binary_frames_carry_exactly_the_seeded_sources_samples_in_microvolts(client):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        frames = receive_frames(ws, 2048)  # raw preset: the default until the page asks for another
    first = frames[0].first_sample
    for a, b in zip(frames, frames[1:]):
        assert b.first_sample == a.first_sample + a.n_samples  # contiguous, nothing dropped
    got = np.concatenate([f.data for f in frames], axis=1)
    ref = reference_samples(first + got.shape[1])[:, first:]
    assert all(f.step == 1 and f.n_channels == N_CHANNELS and f.first_channel == 0 for f in frames)
    np.testing.assert_array_equal(got, (ref * 1e6).astype(np.float32))


def test_levels_frames_give_one_rms_per_channel(client):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        lv = receive_frames(ws, 3, kind=FRAME_LEVELS)
    assert all(f.n_channels == N_CHANNELS and f.n_samples == 1 for f in lv)
    assert np.all(lv[-1].data > 1.0) and np.all(lv[-1].data < 5000.0)  # µV of surface EMG


def test_the_filter_command_switches_this_clients_preset_and_acknowledges_the_band(client):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_text(json.dumps({"cmd": "filter", "preset": "surface", "notch": True}))
        ack = receive_message(ws)
        assert ack == {"type": "ack", "cmd": "filter", "filter": "20–450 Hz + notch 50 Hz", "preset": "surface",
                       "notch": True}
        frames = receive_frames(ws, 4096)
    # a 20 Hz high-pass removes the mean: the filtered trace is centred on zero
    late = np.concatenate([f.data for f in frames], axis=1)[:, -2048:]
    assert np.all(np.abs(late.mean(axis=1)) < 0.2 * late.std(axis=1))


MALFORMED = [
    "this is not json",
    "[1, 2, 3]",
    '{"cmd": "explode"}',
    '{"cmd": "marker", "label": 12}',
    '{"cmd": "audio", "channel": 99}',
    '{"cmd": "audio", "channel": "1"}',
    '{"cmd": "filter", "preset": "loud"}',
    '{"cmd": "excitation", "level": -1}',
    '{"cmd": "stop"}',  # not recording
    '{"cmd": "marker", "label": "x"}',  # not recording
    '{"cmd": "record", "name": "../escape"}',
    '{"cmd": "record", "name": "/tmp/absolute.bdf"}',
    '{"cmd": "marker", "label": "' + "a" * 1_000_000 + '"}',
]


def test_malformed_messages_get_an_error_reply_are_logged_and_the_connection_keeps_streaming(client, server_log,
                                                                                            tmp_path, data_dir):
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        for text in MALFORMED:
            ws.send_text(text)
            reply = receive_message(ws)
            assert reply["type"] == "error" and reply["error"], text[:60]
        ws.send_bytes(b"\x00\x01binary")
        assert "binary" in receive_message(ws)["error"]
        # still a working connection: a good command is acknowledged and frames keep coming
        ws.send_text('{"cmd": "audio", "channel": 1}')
        assert receive_message(ws) == {"type": "ack", "cmd": "audio", "channel": 1}
        assert receive_frames(ws, 256)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    rejected = [r for r in server_log.records if "rejected message" in r.getMessage()]
    assert len(rejected) == len(MALFORMED) + 1
    # and the server serves the next client
    assert client.get("/api/info").status_code == 200
    with client.websocket_connect(WS_URL) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_a_client_sending_only_garbage_is_disconnected_cleanly_and_others_are_not(client):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as e:
            for _ in range(60):
                ws.send_text("garbage")
                receive_message(ws)
        assert e.value.code == 1008
    with client.websocket_connect(WS_URL) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_a_page_from_another_origin_cannot_open_the_websocket(client):
    with pytest.raises(WebSocketDisconnect) as e:
        with client.websocket_connect(WS_URL, headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()
    assert e.value.code == 1008
    with client.websocket_connect(WS_URL, headers={"origin": "http://127.0.0.1"}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_record_marker_stop_over_the_websocket_writes_a_bdf_with_the_marker(client, data_dir):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_text('{"cmd": "record", "name": "session-1"}')
        ack = receive_message(ws)
        assert ack["cmd"] == "record" and ack["recording"]["name"] == "session-1.bdf"
        listed = client.get("/api/recordings").json()
        assert [(r["name"], r["recording"]) for r in listed] == [("session-1.bdf", True)]
        assert client.get("/api/recordings/session-1.bdf").status_code == 409  # not while recording
        ws.send_text('{"cmd": "record"}')
        assert "already recording" in receive_message(ws)["error"]
        receive_frames(ws, 1024)
        ws.send_text('{"cmd": "marker", "label": "MVC start"}')
        mark = receive_message(ws)
        assert mark["cmd"] == "marker" and mark["label"] == "MVC start" and mark["onset_s"] > 0
        receive_frames(ws, 1024)
        ws.send_text('{"cmd": "stop"}')
        stop = receive_message(ws)
    f = stop["file"]
    assert stop["cmd"] == "stop" and stop["recording"] is None and f["name"] == "session-1.bdf"
    assert f["gaps"] == 0 and f["missing_samples"] == 0
    assert f["samples"] == f["samples_fed"] == f["end_sample"] - f["first_sample"]  # every sample, none twice
    rec = myograph.read(data_dir / "session-1.bdf")
    assert rec.n_samples == f["samples"] and rec.duration == pytest.approx(f["samples"] / 2048.0)
    assert rec.fs == 2048.0 and rec.n_channels == N_CHANNELS
    assert rec.channels.names == [c["name"] for c in client.get("/api/info").json()["info"]["channels"]]
    marks = [a for a in rec.annotations if a.label == "MVC start"]
    assert len(marks) == 1 and marks[0].onset == pytest.approx(mark["onset_s"])
    assert 0 < marks[0].onset < rec.duration
    # the recording holds the source's samples (24-bit BDF: within a quantisation step of ±10 mV / 2^23)
    ref = reference_samples(f["end_sample"])[:, f["first_sample"]:]
    np.testing.assert_allclose(rec.get_data(), ref, atol=2.5e-9)
    assert [r["name"] for r in client.get("/api/recordings").json()] == ["session-1.bdf"]


def test_excitation_drives_the_simulated_muscle(client):
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_text('{"cmd": "excitation", "level": 0.9}')
        assert receive_message(ws) == {"type": "ack", "cmd": "excitation", "level": 0.9}


def test_every_client_gets_status_messages_with_the_recording_state(client):
    with client.websocket_connect(WS_URL) as ws, client.websocket_connect(WS_URL) as other:
        ws.receive_json()
        other.receive_json()
        ws.send_text('{"cmd": "record"}')
        name = receive_message(ws)["recording"]["name"]
        st = receive_message(other, want=("status",))
        for _ in range(10):
            if st["recording"]:
                break
            st = receive_message(other, want=("status",))
        assert st["recording"]["name"] == name and "frames_sent" in st["stream"]
        receive_frames(ws, 600)
        ws.send_text('{"cmd": "stop"}')
        assert receive_message(ws)["cmd"] == "stop"
