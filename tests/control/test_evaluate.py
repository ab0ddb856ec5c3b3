"""Protocols split disjointly along the right groups; metrics equal hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from myograph import ParameterError
from myograph.control import (
    CrossSession,
    CrossSubject,
    LeaveOneRepetitionOut,
    ShortCalibration,
    accuracy,
    active_error,
    balanced_accuracy,
    confusion_matrix,
    instability,
    nrmse,
    r2,
    rejection_rate,
    rmse,
)


@pytest.fixture
def groups() -> pd.DataFrame:
    """2 subjects x 2 sessions x 3 repetitions x 5 windows."""
    rows = [(r, f"ses{s}", f"sub{j}") for j in range(2) for s in range(2) for r in range(3) for _ in range(5)]
    g = pd.DataFrame(rows, columns=["repetition", "session", "subject"])
    g["augmented"] = False
    return g


def _check_disjoint(folds, n):
    for train, test, _ in folds:
        assert train.size and test.size
        assert np.intersect1d(train, test).size == 0
        assert train.max() < n and test.max() < n


def test_leave_one_repetition_out_tests_each_repetition_of_each_session_once(groups):
    folds = list(LeaveOneRepetitionOut().folds(None, groups))
    assert len(folds) == 2 * 2 * 3 == LeaveOneRepetitionOut().get_n_splits(groups=groups)
    _check_disjoint(folds, len(groups))
    tested = np.concatenate([te for _, te, _ in folds])
    assert np.array_equal(np.sort(tested), np.arange(len(groups)))  # every window tested exactly once
    for train, test, what in folds:
        t, tr = groups.iloc[test], groups.iloc[train]
        assert set(t.repetition) == {what["repetition"]} and set(t.session) == {what["session"]}
        # training: the same subject and session, the other repetitions
        assert set(tr.session) == {what["session"]} and set(tr.subject) == {what["subject"]}
        assert what["repetition"] not in set(tr.repetition)


def test_cross_session_trains_on_the_other_sessions_of_the_same_subject(groups):
    folds = list(CrossSession().folds(None, groups))
    assert len(folds) == 4
    _check_disjoint(folds, len(groups))
    for train, test, what in folds:
        assert set(groups.session.iloc[test]) == {what["session"]}
        assert what["session"] not in set(groups.session.iloc[train])
        assert set(groups.subject.iloc[train]) == set(groups.subject.iloc[test]) == {what["subject"]}


def test_cross_subject_leaves_each_subject_out(groups):
    folds = list(CrossSubject().folds(None, groups))
    assert len(folds) == 2
    _check_disjoint(folds, len(groups))
    for train, test, what in folds:
        assert set(groups.subject.iloc[test]) == {what["subject"]}
        assert what["subject"] not in set(groups.subject.iloc[train])
        assert train.size + test.size == len(groups)


def test_short_calibration_trains_on_the_first_repetitions_only(groups):
    folds = list(ShortCalibration(n_repetitions=1).folds(None, groups))
    assert len(folds) == 4
    _check_disjoint(folds, len(groups))
    for train, test, what in folds:
        tr, te = groups.iloc[train], groups.iloc[test]
        assert set(tr.repetition) == {0} and set(te.repetition) == {1, 2}
        assert set(tr.session) == set(te.session) == {what["session"]}
    plus = list(ShortCalibration(n_repetitions=2, with_other_sessions=True).folds(None, groups))
    for train, test, what in plus:
        tr, te = groups.iloc[train], groups.iloc[test]
        assert set(te.repetition) == {2} and set(te.session) == {what["session"]}
        own = tr[tr.session == what["session"]]
        assert set(own.repetition) == {0, 1}
        assert len(tr[tr.session != what["session"]]) == 15  # the other session, whole
        assert set(tr.subject) == {what["subject"]}
    with pytest.raises(ParameterError, match="n_repetitions"):
        list(ShortCalibration(n_repetitions=0).folds(None, groups))


def test_augmented_windows_never_enter_a_test_fold(groups):
    g = pd.concat([groups, groups.assign(augmented=True)], ignore_index=True)
    for splitter in (LeaveOneRepetitionOut(), CrossSession(), CrossSubject(), ShortCalibration()):
        for _, test, _ in splitter.folds(None, g):
            assert not g.augmented.iloc[test].any()


def test_splitters_work_with_sklearn_cross_val_score(sim_dataset):
    from sklearn.model_selection import cross_val_score

    from myograph.control import make_pipeline
    from tests.control.conftest import LocalTD4

    pipe = make_pipeline(LocalTD4(), "lda", fs=sim_dataset.fs)
    scores = cross_val_score(pipe, sim_dataset.X, sim_dataset.y, cv=list(CrossSession().split(sim_dataset)))
    assert scores.shape == (2,) and np.all(scores > 0.9)


def test_classification_metrics_equal_hand_computation():
    rest, rej = 0, -1
    t = np.array([0, 0, 1, 1, 1, 2, 2, 2, 0, 1])
    p = np.array([0, 1, 1, 0, 2, 2, -1, 2, 0, 1])
    # decided: all but index 6 -> 9 windows, correct: 0,2,5,7,8,9 = 6
    assert accuracy(t, p) == pytest.approx(6 / 9)
    # per class over decided windows: rest 2/3, class1 2/4, class2 2/2
    assert balanced_accuracy(t, p) == pytest.approx((2 / 3 + 2 / 4 + 1) / 3)
    # Scheme: true active and decided active: idx 2,4,5,7,9 -> one wrong (4: 1->2)
    assert active_error(t, p, rest=rest) == pytest.approx(1 / 5)
    # LibEMG: decided active (not rest, not rejected): idx 1,2,4,5,7,9 -> wrong 1,4
    assert active_error(t, p, rest=rest, definition="libemg") == pytest.approx(2 / 6)
    assert rejection_rate(p) == pytest.approx(1 / 10)
    cm = confusion_matrix(t, p, 3)
    expected = np.array([[2, 1, 0, 0], [1, 2, 1, 0], [0, 0, 2, 1]])
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == t.size
    assert math.isnan(accuracy([1, 2], [rej, rej]))


def test_instability_counts_changes_only_while_the_true_class_holds():
    p = np.array([1, 1, 2, 1, 1, 0, 0, 3])
    assert instability(p) == pytest.approx(4 / 7)  # every change
    t = np.array([1, 1, 1, 1, 1, 0, 0, 0])
    # pairs with unchanged truth: (0,1)(1,2)(2,3)(3,4)(5,6)(6,7) -> changes at (1,2)(2,3)(6,7)
    assert instability(p, t) == pytest.approx(3 / 6)
    g = np.array([0, 0, 0, 1, 1, 1, 1, 1])  # a stream break between 2 and 3
    assert instability(p, t, groups=g) == pytest.approx(2 / 5)


def test_regression_metrics_equal_hand_computation():
    t = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.0], [3.0, 7.0]])
    p = np.array([[0.0, 1.0], [1.5, 3.0], [2.0, 4.0], [2.5, 7.0]])
    e0 = math.sqrt((0 + 0.25 + 0 + 0.25) / 4)
    e1 = math.sqrt((0 + 0 + 1 + 0) / 4)
    np.testing.assert_allclose(rmse(t, p, multioutput="raw_values"), [e0, e1])
    assert rmse(t, p) == pytest.approx((e0 + e1) / 2)
    np.testing.assert_allclose(nrmse(t, p, multioutput="raw_values"), [e0 / 3, e1 / 6])
    r2_0 = 1 - 0.5 / 5.0
    r2_1 = 1 - 1.0 / 20.0
    np.testing.assert_allclose(r2(t, p, multioutput="raw_values"), [r2_0, r2_1])
    from sklearn.metrics import r2_score

    assert r2(t, p) == pytest.approx(r2_score(t, p))


def test_evaluate_scores_a_single_output_regressor(sim_dataset):
    """One target column: the regressor's 1-D predictions are scored against (n, 1) targets."""
    import dataclasses

    from myograph.control import evaluate, make_pipeline
    from tests.control.conftest import LocalTD4

    effort = (sim_dataset.y != sim_dataset.rest_index).astype(float)[:, None]
    ds = dataclasses.replace(sim_dataset, targets=effort)
    pipe = make_pipeline(LocalTD4(), regressor="ridge", fs=ds.fs)
    res = evaluate(pipe, ds, LeaveOneRepetitionOut())
    assert res.y_pred.shape == (len(res.y_true), 1)
    assert res.summary()["r2"] > 0.5


def test_decisions_vote_within_each_stream_only_after_rejection():
    from myograph.control import decisions

    class Fixed:  # a fitted "classifier" whose probabilities are given
        classes_ = np.array([0, 1])

        def __init__(self, p):
            self.p = np.asarray(p, dtype=float)

        def predict_proba(self, X):
            return self.p

        def predict(self, X):
            return self.classes_[np.argmax(self.p, axis=1)]

    p = [[0.9, 0.1], [0.9, 0.1], [0.2, 0.8], [0.2, 0.8], [0.9, 0.1], [0.45, 0.55]]
    clf = Fixed(p)
    X = np.zeros((6, 1, 4))
    assert decisions(clf, X).tolist() == [0, 0, 1, 1, 0, 1]
    # one stream: window 3 sees [0, 0, 1] -> 0; [0, 1, 1] -> 1 ...
    assert decisions(clf, X, vote=3).tolist() == [0, 0, 0, 1, 1, 1]
    # two streams of three: the vote restarts at the boundary ([1, 0] is a tie: the most recent wins)
    assert decisions(clf, X, streams=[0, 0, 0, 1, 1, 1], vote=3).tolist() == [0, 0, 0, 1, 0, 1]
    assert decisions(clf, X, streams=[0, 0, 1, 1, 1, 1], vote=3).tolist() == [0, 0, 1, 1, 1, 1]
    # rejection first (0.55 < 0.6), then the vote counts the rejections like any decision
    assert decisions(clf, X, reject_threshold=0.6).tolist() == [0, 0, 1, 1, 0, -1]
    with pytest.raises(ParameterError, match="reject_threshold"):
        decisions(type("NoProba", (), {"predict": lambda self, X: np.zeros(len(X))})(), X, reject_threshold=0.5)
