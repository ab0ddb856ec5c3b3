"""Intervals <-> activation annotations, and detection on a Recording."""

from __future__ import annotations

import numpy as np
import pytest

import myograph
from myograph.activation import annotate_onsets, annotations_to_intervals, detect_onsets, intervals_to_annotations
from myograph.core.errors import ParameterError
from tests.activation.synth import make_bursts, score

FS = 1000.0


def _rec():
    x, truth = make_bursts(2, 12.0, FS, 20.0, seed=8)
    rec = myograph.Recording(np.vstack([x, np.ones(x.shape[1])]), FS, ["ta", "gm", "force"],
                             ch_types=["EMG", "EMG", "FORCE"])
    return rec, truth


def test_intervals_round_trip_through_annotations():
    iv = [np.array([[1.0, 2.0], [3.5, 4.0]]), np.zeros((0, 2))]
    ann = intervals_to_annotations(iv, ["a", "b"])
    assert len(ann) == 2 and set(ann.label) == {"activation"} and ann.channels[0] == ("a",)
    back = annotations_to_intervals(ann, ["a", "b"])
    assert np.allclose(back[0], iv[0]) and back[1].shape == (0, 2)


def test_detecting_on_a_recording_adds_activation_annotations_and_provenance():
    rec, truth = _rec()
    out = annotate_onsets(rec)
    assert out.data is rec.data or np.array_equal(out.data, rec.data)
    got = annotations_to_intervals(out.annotations, ["ta", "gm"])
    assert score(got, truth)["f1"] >= 0.95
    step = out.provenance[-1]
    assert step.operation == "activation.detect_onsets"
    assert step.parameters["method"] == "auto"
    assert set(step.parameters["channels"]) == {"ta", "gm"}  # EMG channels only
    again = annotate_onsets(out)
    assert len(again.annotations) == len(out.annotations)  # replaced, not duplicated


def test_bad_spans_are_skipped_and_how_much_is_reported():
    rec, truth = _rec()
    rec = rec.annotate(2.0, 3.0, "BAD_motion", ["ta"])
    out, report = annotate_onsets(rec, return_report=True)
    ta = annotations_to_intervals(out.annotations, ["ta"])[0]
    assert not np.any((ta[:, 1] > 2.0) & (ta[:, 0] < 5.0))
    ch = out.provenance[-1].parameters["channels"]
    assert ch["ta"]["skipped_s"] == 3.0 and ch["gm"]["skipped_s"] == 0.0
    assert "3.000 s excluded" in report["ta"].notes


def test_a_channel_without_activity_records_its_reason_in_provenance():
    rng = np.random.default_rng(0)
    rec = myograph.Recording(rng.standard_normal((1, 20_000)) * 1e-5, FS, ["quiet"])
    out = annotate_onsets(rec)
    assert len(out.annotations) == 0
    info = out.provenance[-1].parameters["channels"]["quiet"]
    assert info["status"] == "no_activity" and info["reason"].startswith("no activity")


def test_the_array_function_points_a_recording_to_the_recording_helper():
    rec, _ = _rec()
    with pytest.raises(ParameterError, match="annotate_onsets"):
        detect_onsets(rec, FS)
