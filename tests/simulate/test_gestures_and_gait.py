"""Gesture armband and gait: labels, spatial patterns, shifts, fatigue, gait events."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import myograph.simulate as sim
from tests.simulate.helpers import median_frequency

FS = 1000.0


@functools.lru_cache(maxsize=None)
def _session(session: int = 0, fatigue: float = 0.0, shift: float | None = None):
    return sim.gestures(repetitions=3, hold_s=1.5, rest_s=0.5, fs=FS, channels=8, motor_units=25, session=session,
                        fatigue=fatigue, electrode_shift_deg=shift, seed=21, snr_db=30.0)


def _windows(rec, truth, win_s=0.2, margin_s=0.3):
    """RMS features of windows inside each hold (and rests), with the hold's label and repetition."""
    feats, labels, reps = [], [], []
    x = rec.data
    for h in truth.extra["schedule"]:
        a, b = h["onset_s"] + margin_s, h["offset_s"] - margin_s
        for t0 in np.arange(a, b - win_s, win_s):
            i0, i1 = int(t0 * FS), int((t0 + win_s) * FS)
            feats.append(np.sqrt(np.mean(x[:, i0:i1] ** 2, axis=1)))
            labels.append(int(truth.gesture_labels[i0]))
            reps.append(h["repetition"])
    return np.array(feats), np.array(labels), np.array(reps)


def test_labels_per_sample_agree_with_the_gesture_annotations():
    rec, truth = _session()
    assert truth.gesture_labels.shape == (rec.n_samples,) and truth.gesture_names[0] == "rest"
    expected = np.zeros(rec.n_samples, dtype=int)
    ann = rec.annotations.select(prefix="gesture:")
    assert len(ann) == 3 * 6
    for a in ann:
        k = truth.gesture_names.index(a.label.split(":", 1)[1])
        expected[int(round(a.onset * FS)):int(round((a.onset + a.duration) * FS))] = k
    assert np.array_equal(expected, truth.gesture_labels)
    assert all(np.count_nonzero(truth.gesture_labels == k) == int(3 * 1.5 * FS) for k in range(1, 7))


def test_each_gesture_has_its_own_spatial_pattern_nearest_centroid_over_90_percent():
    # within-session classification on RMS features: train on repetitions 0-1, test on 2
    rec, truth = _session()
    f, y, rep = _windows(rec, truth)
    f = np.log(f)
    train, test = rep < 2, rep == 2
    classes = np.unique(y)
    centroids = np.stack([f[train & (y == k)].mean(axis=0) for k in classes])
    pred = classes[np.argmin(((f[test][:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)]
    assert np.mean(pred == y[test]) > 0.9


def test_an_electrode_shift_changes_the_spatial_pattern():
    rec0, truth0 = _session(0)
    rec1, truth1 = _session(1, shift=22.5)
    assert truth1.extra["electrode_shift_deg"] == 22.5 and truth0.extra["electrode_shift_deg"] == 0.0
    f0, y0, _ = _windows(rec0, truth0)
    f1, y1, _ = _windows(rec1, truth1)
    for k in range(1, 7):
        a, b = np.log(f0[y0 == k]).mean(0), np.log(f1[y1 == k]).mean(0)
        rep_a = np.log(f0[(y0 == k)]).std(0).mean()
        assert np.abs(a - b).mean() > 2 * rep_a  # the pattern moved more than it varies between windows


def test_fatigue_compresses_the_spectrum_across_the_session():
    # Lindström & Magnusson 1977: lower conduction velocity scales the spectrum down
    rec, truth = _session(0, fatigue=0.3)
    scales = [c["cv_scale"] for c in truth.extra["cv_scale"]]
    assert scales[0] > scales[-1] and len(scales) == 3
    hold = [h for h in truth.extra["schedule"] if h["gesture"] == "hand_close"]
    ch = int(np.argmax(np.ptp(truth.templates, axis=(0, 2))))
    mdf = [median_frequency(rec.data[ch, int(h["onset_s"] * FS):int(h["offset_s"] * FS)], FS) for h in hold]
    assert mdf[-1] < mdf[0]


def test_the_same_subject_keeps_its_motor_units_across_sessions():
    _, t0 = _session(0)
    _, t1 = _session(1, shift=22.5)
    assert np.array_equal(t0.units["threshold"], t1.units["threshold"])
    assert np.array_equal(t0.units["y_mm"], t1.units["y_mm"])
    assert not np.array_equal(t0.templates, t1.templates)


def test_gait_has_heel_strikes_toe_offs_and_phasic_muscle_activity():
    # Winter 1991; Perry & Burnfield 2010: tibialis anterior active in swing and at loading,
    # triceps surae in mid-late stance; toe-off at ~60% of the cycle
    rec, truth = sim.gait(8.0, FS, channels=3, motor_units=30, seed=22)
    assert rec.ch_names == ["TA", "GM", "SOL"]
    hs = np.array(truth.extra["heel_strikes_s"])
    to = np.array(truth.extra["toe_offs_s"])
    assert len(rec.annotations.select("gait:heel_strike")) == hs.size >= 6
    cycles = np.diff(hs)
    assert 1.0 < cycles.mean() < 1.2 and cycles.std() / cycles.mean() < 0.06
    for h0, h1 in zip(hs[:-1], hs[1:]):
        toe = to[(to > h0) & (to < h1)]
        assert toe.size == 1 and 0.55 < (toe[0] - h0) / (h1 - h0) < 0.67
        stance = slice(int((h0 + 0.2 * (h1 - h0)) * FS), int((h0 + 0.45 * (h1 - h0)) * FS))
        swing = slice(int((h0 + 0.7 * (h1 - h0)) * FS), int((h0 + 0.9 * (h1 - h0)) * FS))
        ta, gm = rec.data[0], rec.data[1]
        assert np.std(gm[stance]) > 3 * np.std(gm[swing]) and np.std(ta[swing]) > 3 * np.std(ta[stance])
    # each muscle's activation spans lie in the phases of its pattern
    for on, off in truth.activation_for("GM"):
        k = np.searchsorted(hs, on) - 1
        if 0 <= k < hs.size - 1:
            assert (on - hs[k]) / (hs[k + 1] - hs[k]) == pytest.approx(0.06, abs=0.05)
