"""Real data: the myo-readings dataset (8-channel Myo armband, 8 wrist gestures, 3 sessions).

Skips when ../shared/data/myo-readings is absent. Floors are loose (measured values in
docs/control.md): within-session leave-one-repetition-out TD4 + LDA >= 0.85 (measured
0.906, balanced 0.859), cross-session >= 0.75 (measured 0.834, balanced 0.709). Labels are cue-based
(prompt timing), so windows just after a cue change are partly mislabelled: 100 % is not
reachable.
"""

from __future__ import annotations

import logging

import pytest

from myograph.control import (
    MYO_READINGS_CLASSES,
    CrossSession,
    LeaveOneRepetitionOut,
    evaluate,
    load_folder,
    make_pipeline,
)
from tests.conftest import SHARED_DATA
from tests.control.conftest import td4

log = logging.getLogger(__name__)

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def myo():
    folder = SHARED_DATA / "myo-readings"
    if not folder.is_dir():
        pytest.skip(f"real recordings not available: {folder} is absent (see ../shared/data/README.md)")
    return load_folder(folder, pattern="myo-readings", fs=200.0, label_column=8, units="uV",
                       class_names=MYO_READINGS_CLASSES, window_s=0.2, step_s=0.05)


def test_myo_readings_loads_as_eight_classes_three_sessions_six_repetitions(myo):
    assert set(myo.class_names) == set(MYO_READINGS_CLASSES.values()) and myo.rest == "rest"
    assert sorted(set(myo.session.tolist())) == ["1", "2", "3"] and set(myo.subject.tolist()) == {"12345"}
    assert sorted(set(myo.repetition.tolist())) == list(range(6))
    assert myo.X.shape[1:] == (8, 40)
    counts = myo.counts()
    assert (counts.drop(index="rest") > 500).all().all()


def test_myo_readings_td4_lda_within_session_and_cross_session(myo):
    pipe = make_pipeline(td4(), "lda", window_s=0.2, step_s=0.05, fs=200.0)
    within = evaluate(pipe, myo, LeaveOneRepetitionOut())
    cross = evaluate(pipe, myo, CrossSession())
    w, c = within.summary(), cross.summary()
    log.info("myo-readings TD4+LDA within-session LORO: %s", w)
    log.info("myo-readings TD4+LDA cross-session: %s", c)
    assert len(within.folds) == 3 * 6 and len(cross.folds) == 3
    assert w["accuracy"] >= 0.85 and w["balanced_accuracy"] >= 0.80
    assert c["accuracy"] >= 0.75
    assert c["accuracy"] < w["accuracy"]  # a new session (armband re-donned) is harder
