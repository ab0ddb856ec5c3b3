"""The data folder's name rules and the websocket command validator, without a server."""

from __future__ import annotations

import json
import os

import pytest

from myograph.apps.server.app import CommandError, PathRefused, safe_recording_path, validate_command


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "a.bdf").write_bytes(b"0")
    (tmp_path / "secret.bdf").write_bytes(b"SECRET")
    os.symlink(tmp_path / "secret.bdf", d / "link.bdf")
    os.symlink(tmp_path / "nowhere.bdf", d / "dangling.bdf")
    return d


def test_a_bare_bdf_name_resolves_inside_the_data_folder(folder):
    assert safe_recording_path(folder, "a.bdf") == (folder / "a.bdf").resolve()
    assert safe_recording_path(folder, "new-1_x.bdf", must_exist=False) == (folder / "new-1_x.bdf").resolve()


@pytest.mark.parametrize("name", [
    "../secret.bdf", "..", "../../etc/passwd", "/etc/passwd", "sub/a.bdf", "..\\secret.bdf", "a.bdf\x00.txt",
    ".hidden.bdf", "", "a.txt", "a" * 200 + ".bdf", "~/x.bdf", "%2e%2e%2fsecret.bdf", "x..bdf",
])
def test_names_that_could_leave_the_folder_or_are_not_recordings_are_refused(folder, name):
    with pytest.raises(PathRefused):
        safe_recording_path(folder, name)
    with pytest.raises(PathRefused):
        safe_recording_path(folder, name, must_exist=False)


def test_a_symlink_pointing_out_of_the_folder_is_refused(folder):
    with pytest.raises(PathRefused, match="outside"):
        safe_recording_path(folder, "link.bdf")


def test_the_recorder_never_writes_over_a_file_or_through_a_dangling_symlink(folder):
    with pytest.raises(PathRefused, match="exists"):
        safe_recording_path(folder, "a.bdf", must_exist=False)
    with pytest.raises(PathRefused):
        safe_recording_path(folder, "dangling.bdf", must_exist=False)


def test_a_missing_recording_is_file_not_found(folder):
    with pytest.raises(FileNotFoundError):
        safe_recording_path(folder, "missing.bdf")


@pytest.mark.parametrize("text", [
    '{"cmd": "record"}', '{"cmd": "record", "name": "trial-1"}', '{"cmd": "stop"}',
    '{"cmd": "marker", "label": "MVC start"}', '{"cmd": "filter", "preset": "needle", "notch": true}',
    '{"cmd": "filter", "notch": false}', '{"cmd": "excitation", "level": 0.5}', '{"cmd": "excitation", "level": 1}',
    '{"cmd": "audio", "channel": 3}',
])
def test_well_formed_commands_pass(text):
    assert validate_command(text) == json.loads(text)


BAD = [
    ("not json at all", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('"record"', "JSON object"),
    ("{}", "unknown cmd"),
    ('{"cmd": "explode"}', "unknown cmd"),
    ('{"cmd": 5}', "unknown cmd"),
    ('{"cmd": "marker"}', "missing field 'label'"),
    ('{"cmd": "marker", "label": 7}', "label must be"),
    ('{"cmd": "marker", "label": ""}', "label must be"),
    ('{"cmd": "marker", "label": "a\\u0000b"}', "label must be"),
    ('{"cmd": "marker", "label": "' + "x" * 65 + '"}', "label must be"),
    ('{"cmd": "filter", "preset": "loud"}', "preset must be"),
    ('{"cmd": "filter", "notch": "yes"}', "notch must be"),
    ('{"cmd": "filter", "notch": 1}', "notch must be"),
    ('{"cmd": "audio", "channel": 1.5}', "channel must be"),
    ('{"cmd": "audio", "channel": true}', "channel must be"),
    ('{"cmd": "audio", "channel": "0"}', "channel must be"),
    ('{"cmd": "excitation", "level": 2}', "level must be"),
    ('{"cmd": "excitation", "level": NaN}', "level must be"),
    ('{"cmd": "excitation", "level": false}', "level must be"),
    ('{"cmd": "stop", "now": true}', "unexpected field"),
    ('{"cmd": "record", "name": ["a"]}', "name must be"),
    ('{"cmd": "marker", "label": "' + "a" * 100_000 + '"}', "longer than"),
    ("[" * 5000, "longer than"),
    ("[" * 3000, "not JSON"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_malformed_commands_are_refused_with_a_message_saying_what_is_wrong(text, message):
    with pytest.raises(CommandError, match=message):
        validate_command(text)


def test_binary_messages_are_refused():
    with pytest.raises(CommandError, match="binary"):
        validate_command(b'{"cmd": "stop"}')
