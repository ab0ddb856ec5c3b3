"""make_pipeline and evaluate on simulated gestures: named estimators, regression, augmentation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from myograph import ParameterError
from myograph.control import (
    CLASSIFIERS,
    REGRESSORS,
    CrossSession,
    LeaveOneRepetitionOut,
    ShortCalibration,
    evaluate,
    from_recording,
    make_pipeline,
    reject,
)
from tests.control.conftest import LocalTD4, td4


def test_td4_lda_is_above_90_percent_within_session_on_simulated_gestures(sim_dataset):
    pipe = make_pipeline(td4(), "lda", window_s=0.2, step_s=0.05, fs=sim_dataset.fs)
    assert [n for n, _ in pipe.steps] == ["features", "scale", "classifier"]
    res = evaluate(pipe, sim_dataset, LeaveOneRepetitionOut())
    assert len(res.folds) == 6  # 2 sessions x 3 repetitions
    assert res.accuracy > 0.90
    assert res.confusion.shape == (5, 6) and res.confusion.sum() == len(sim_dataset)
    s = res.summary()
    assert s["rejection_rate"] == 0.0 and s["active_error"] < 0.1


@pytest.mark.parametrize("name", ["qda", "svm", "knn", "logreg"])
def test_other_named_classifiers_learn_the_simulated_gestures(sim_dataset, name):
    res = evaluate(make_pipeline(LocalTD4(), name, fs=sim_dataset.fs), sim_dataset, ShortCalibration(1))
    assert res.accuracy > 0.85


def test_registries_name_the_issue_estimators_and_refuse_unknown_names():
    assert {"lda", "qda", "svm", "knn", "rf", "gb", "mlp"} <= set(CLASSIFIERS)
    assert {"linear", "ridge", "rf", "mlp"} <= set(REGRESSORS)
    for name, factory in {**CLASSIFIERS}.items():
        assert hasattr(factory(), "predict_proba") or name.startswith("svm"), name
    with pytest.raises(ParameterError, match="unknown classifier"):
        make_pipeline(LocalTD4(), "naive_bayes", fs=1000.0)
    from sklearn.linear_model import Ridge

    with pytest.raises(ParameterError, match="is a regressor"):
        make_pipeline(LocalTD4(), Ridge(), fs=1000.0)
    with pytest.raises(ParameterError, match="features"):
        make_pipeline(42, "lda", fs=1000.0)


def test_any_user_estimator_and_factory_parameters_are_accepted():
    from sklearn.naive_bayes import GaussianNB

    pipe = make_pipeline(LocalTD4(), GaussianNB(), fs=1000.0, scale=False)
    assert isinstance(pipe, Pipeline) and [n for n, _ in pipe.steps] == ["features", "classifier"]
    assert make_pipeline(LocalTD4(), "knn", n_neighbors=3, fs=1000.0).named_steps["classifier"].n_neighbors == 3


def test_rejection_through_evaluate_raises_rejection_rate(sim_dataset):
    def decide(model, X):
        return reject(model.predict_proba(X), 0.9, classes=model.classes_)

    # strongly regularised logistic regression: soft probabilities, so some are rejected
    pipe = make_pipeline(LocalTD4(), "logreg", C=1e-3, fs=sim_dataset.fs)
    res = evaluate(pipe, sim_dataset, CrossSession(), decide=decide)
    assert res.summary()["rejection_rate"] > 0
    assert res.confusion[:, -1].sum() == np.sum(res.y_pred == -1)


def test_augmentation_is_applied_to_training_folds_only(sim_dataset):
    seen = []

    def aug(train):
        from myograph.control import augment

        out = augment(train, gain=0.1, seed=0)
        seen.append((len(train), len(out)))
        return out

    res = evaluate(make_pipeline(LocalTD4(), "lda", fs=sim_dataset.fs), sim_dataset, CrossSession(), augment=aug)
    assert all(b == 2 * a for a, b in seen) and len(seen) == 2
    assert res.folds.n_test.sum() == len(sim_dataset)
    res2 = evaluate(make_pipeline(LocalTD4(), "lda", fs=sim_dataset.fs), sim_dataset, CrossSession(),
                    augment={"channel_shift": 1, "seed": 0})
    np.testing.assert_array_equal(res2.folds.n_train, res.folds.n_train)  # dict form: one augmented copy too


def test_ridge_regression_tracks_simulated_excitation(sim_sessions):
    rec, truth = sim_sessions[0]
    # targets: two muscles' excitation on the sample grid (0-1), two degrees of freedom
    names = sorted(truth.excitation, key=lambda m: -np.var(truth.excitation[m]))[:2]  # the two most varied
    t_exc = np.arange(len(truth.excitation[names[0]])) / truth.excitation_fs
    t = np.arange(rec.n_samples) / rec.fs
    targets = np.vstack([np.interp(t, t_exc, truth.excitation[m]) for m in names])
    d = from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names, targets=targets,
                       session="s0", subject="sim")
    assert d.targets.shape == (len(d), 2)
    res = evaluate(make_pipeline(LocalTD4(), regressor="ridge", fs=rec.fs), d, LeaveOneRepetitionOut())
    s = res.summary()
    assert s["r2"] > 0.6 and s["nrmse"] < 0.25
    assert res.confusion is None and res.y_pred.shape == res.y_true.shape
    with pytest.raises(ParameterError, match="targets"):
        evaluate(make_pipeline(LocalTD4(), regressor="ridge", fs=rec.fs), d.__class__(**{**d.__dict__, "targets": None}),
                 LeaveOneRepetitionOut())


def test_cross_subject_evaluation_and_proportional_output_end_to_end(sim_dataset):
    import dataclasses

    from myograph.control import CrossSubject, contraction_intensity, proportional_output, velocity

    # the two simulated sessions stand in for two subjects
    two = dataclasses.replace(sim_dataset, subject=np.array(["a" if s == "s0" else "b" for s in sim_dataset.session],
                                                            dtype=object))
    res = evaluate(make_pipeline(LocalTD4(), "lda", fs=two.fs), two, CrossSubject())
    assert list(res.folds.subject) == ["a", "b"] and res.accuracy > 0.8
    # decisions -> speed -> velocity commands for one DOF (flexion +, extension -)
    pipe = make_pipeline(LocalTD4(), "lda", fs=two.fs).fit(two.X, two.y)
    dec = pipe.predict(two.X)
    inten = contraction_intensity(two.X)
    rest = two.y == two.rest_index
    speed = proportional_output(dec, inten, low=float(np.median(inten[rest])),
                                high=float(np.percentile(inten[~rest], 95)), rest=two.rest_index, dead_band_fraction=0.05)
    flex, ext = two.class_names.index("wrist_flexion"), two.class_names.index("wrist_extension")
    v = velocity(dec, speed, {flex: [1.0], ext: [-1.0]})
    assert np.all(v[dec == flex] >= 0) and np.all(v[dec == ext] <= 0)
    assert np.mean(v[two.y == flex] > 0) > 0.8 and np.all(v[dec == two.rest_index] == 0)
