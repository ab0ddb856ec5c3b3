"""The live controller against the offline pipeline, and its bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from myograph import MyographWarning
from myograph.control import ControlModel, OnlineController, Preprocess, from_recording, majority_vote, reject
from myograph.control.online import StreamingVote
from myograph.core.errors import FileFormatError, ParameterError

PRE = Preprocess(highpass_hz=20.0, powerline_hz=50.0)


@pytest.fixture(scope="module")
def session(sim_sessions):
    return sim_sessions[0]


@pytest.fixture(scope="module")
def model(session):
    rec, truth = session
    ds = from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names, preprocess=PRE)
    return ControlModel.train(ds, features="TD4", classifier="lda")


def _offline(model, rec):
    """Raw decisions of the pipeline on every window of the causally filtered recording."""
    info = model.info
    x = PRE.apply(rec.data, rec.fs)
    n_win, step = round(info.window_s * rec.fs), round(info.step_s * rec.fs)
    ends = np.arange(n_win, rec.n_samples + 1, step)
    W = np.stack([x[:, e - n_win:e] for e in ends])
    return ends, W


def test_preprocess_streaming_twin_equals_offline_apply(session):
    rec, _ = session
    live = PRE.streaming(rec.fs, rec.n_channels)
    rng = np.random.default_rng(0)
    cuts = np.sort(rng.choice(np.arange(1, rec.n_samples), 40, replace=False))
    parts = [live.process(c) for c in np.split(rec.data, cuts, axis=1)]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), PRE.apply(rec.data, rec.fs), rtol=0, atol=1e-15)


def test_online_decisions_equal_offline_pipeline_for_any_block_sizes(model, session):
    rec, _ = session
    ends, W = _offline(model, rec)
    proba = model.pipeline.predict_proba(W)
    offline = model.pipeline.classes_[np.argmax(proba, axis=1)] if hasattr(model.pipeline, "classes_") else np.argmax(proba, axis=1)
    rng = np.random.default_rng(1)
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names)
    got, pos = [], 0
    while pos < rec.n_samples:
        n = int(rng.integers(1, 300))
        got += ctl.feed(rec.data[:, pos:pos + n], first_sample=pos)
        pos += n
    assert [d.sample for d in got] == ends.tolist()
    assert np.array_equal([d.raw_label for d in got], offline)
    np.testing.assert_allclose([d.probability for d in got], proba.max(axis=1), rtol=1e-9)
    full = np.array([d.probabilities for d in got])  # columns in class_names order
    np.testing.assert_allclose(full[:, model.pipeline.classes_], proba, rtol=1e-9)
    assert [model.info.class_names.index(d.name) for d in got[:50]] == np.argmax(full[:50], axis=1).tolist()
    # the classifier is good on its own training session: a sanity floor, not the accuracy claim
    truth = session[1]
    labels = np.asarray(truth.gesture_names, dtype=object)[np.asarray(truth.gesture_labels)[ends - 1]]
    assert np.mean(np.array([d.name for d in got], dtype=object) == labels) > 0.8


def test_online_rejection_and_vote_equal_the_offline_postprocessing(model, session):
    rec, _ = session
    _, W = _offline(model, rec)
    proba = model.pipeline.predict_proba(W)
    thr = float(np.quantile(proba.max(axis=1), 0.3))  # so that about 30 % of the raw decisions are rejected
    expected = majority_vote(reject(proba, thr, classes=model.pipeline.classes_), 3)
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names, vote=3, reject_threshold=thr)
    got = []
    for pos in range(0, rec.n_samples, 64):
        got += ctl.feed(rec.data[:, pos:pos + 64])
    assert np.array_equal([d.label for d in got], expected)
    assert any(d.name == "rejected" for d in got) and any(d.name != "rejected" for d in got)


def test_streaming_vote_matches_majority_vote_on_random_sequences():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 6):
        seq = rng.integers(-1, 4, 200)
        v = StreamingVote(n)
        assert np.array_equal([v(int(s)) for s in seq], majority_vote(seq, n))


def test_speed_is_zero_at_rest_and_rises_with_contraction(model, session):
    rec, truth = session
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names)
    ds = ctl.feed(rec.data)
    lab = np.asarray(truth.gesture_labels)
    speeds = np.array([d.speed for d in ds])
    active = np.array([d.name != "rest" for d in ds])
    assert np.all(speeds[~active] == 0.0)
    assert model.info.intensity_low < model.info.intensity_high
    assert np.median(speeds[active & (lab[[d.sample - 1 for d in ds]] != 0)]) > 0.2


def test_a_gap_restarts_the_window_and_the_filter(model, session):
    rec, _ = session
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names)
    n_win = ctl.n_window
    first = ctl.feed(rec.data[:, :1000], first_sample=0)
    assert first and ctl.gaps == 0
    after = ctl.feed(rec.data[:, 1500:1500 + n_win - 1], first_sample=1500)  # 500 samples lost
    assert ctl.gaps == 1 and after == []  # no window spans the gap
    nxt = ctl.feed(rec.data[:, 1500 + n_win - 1:1500 + n_win], first_sample=1500 + n_win - 1)
    assert [d.sample for d in nxt] == [1500 + n_win]


def test_channels_are_taken_by_name_or_in_order_with_a_warning(model, session):
    rec, _ = session
    names = list(rec.ch_names)
    extra = ["TRIG"] + names[::-1]
    data = np.vstack([np.zeros((1, rec.n_samples)), rec.data[::-1]])
    by_name = OnlineController(model, fs=rec.fs, ch_names=extra).feed(data)
    plain = OnlineController(model, fs=rec.fs, ch_names=names).feed(rec.data)
    assert [d.raw_label for d in by_name] == [d.raw_label for d in plain]
    with pytest.warns(MyographWarning, match="in order"):
        OnlineController(model, fs=rec.fs, ch_names=[f"E{i}" for i in range(len(names))])
    with pytest.raises(ParameterError, match="lacks the model's channels"):
        OnlineController(model, fs=rec.fs, ch_names=["A", "B"])


def test_bad_input_is_refused_with_the_parameter_named(model, session):
    rec, _ = session
    with pytest.raises(ParameterError, match="trained at 1000 Hz"):
        OnlineController(model, fs=2000.0, ch_names=rec.ch_names)
    with pytest.raises(ParameterError, match="vote"):
        OnlineController(model, fs=rec.fs, ch_names=rec.ch_names, vote=0)
    with pytest.raises(ParameterError, match="reject_threshold"):
        OnlineController(model, fs=rec.fs, ch_names=rec.ch_names, reject_threshold=1.5)
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names)
    with pytest.raises(ParameterError, match="data"):
        ctl.feed(np.zeros((3, 10)))


def test_rejection_needs_probabilities(session):
    rec, truth = session
    ds = from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names)
    svm = ControlModel.train(ds, classifier="svm")
    with pytest.raises(ParameterError, match="probabilities"):
        OnlineController(svm, fs=rec.fs, ch_names=rec.ch_names, reject_threshold=0.5)
    d = OnlineController(svm, fs=rec.fs, ch_names=rec.ch_names).feed(rec.data[:, :400])
    assert d and math.isnan(d[0].probability) and d[0].probabilities == ()
    calibrated = ControlModel.train(ds, classifier="svm_calibrated")  # Platt-scaled: rejection works
    got = OnlineController(calibrated, fs=rec.fs, ch_names=rec.ch_names, reject_threshold=0.5).feed(rec.data[:, :4000])
    assert got and all(0.0 < x.probability <= 1.0 for x in got)
    assert all(abs(sum(x.probabilities) - 1.0) < 1e-9 for x in got)


def test_a_regressor_streams_its_outputs(session):
    rec, truth = session
    lab = np.asarray(truth.gesture_labels)
    target = np.vstack([(lab == 1) * 1.0 - (lab == 2) * 1.0, (lab == 3) * 1.0 - (lab == 4) * 1.0])
    ds = from_recording(rec, labels=lab, class_names=truth.gesture_names, targets=target, preprocess=PRE)
    m = ControlModel.train(ds, regressor="ridge", outputs=["wrist", "hand"])
    got = OnlineController(m, fs=rec.fs, ch_names=rec.ch_names).feed(rec.data)
    ends, W = _offline(m, rec)
    np.testing.assert_allclose(np.array([d.outputs for d in got]), m.pipeline.predict(W), rtol=1e-9, atol=1e-12)
    assert got[0].name == "" and got[0].label == -1


def test_model_round_trips_through_its_file(model, session, tmp_path):
    rec, _ = session
    path = model.save(tmp_path / "m")
    back = ControlModel.load(path)
    assert back.info == model.info
    a = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names).feed(rec.data[:, :3000])
    b = OnlineController(back, fs=rec.fs, ch_names=rec.ch_names).feed(rec.data[:, :3000])
    assert [d.label for d in a] == [d.label for d in b]
    assert [d.probability for d in a] == [d.probability for d in b]


def test_a_bare_pipeline_file_is_not_a_control_model(model, tmp_path):
    from myograph.control import save

    path = save(model.pipeline, tmp_path / "bare")
    with pytest.raises(FileFormatError, match="metadata.control"):
        ControlModel.load(path)


def test_the_direct_lda_path_gives_scikit_learns_probabilities(model, session):
    from myograph.control.online import _Predictor

    rec, truth = session
    _, W = _offline(model, rec)
    fast = _Predictor(model.pipeline)
    assert fast.fast
    np.testing.assert_allclose(fast.predict_proba(W), model.pipeline.predict_proba(W), rtol=1e-12, atol=1e-12)
    # two classes (the logistic branch), without a scaler
    lab = (np.asarray(truth.gesture_labels) > 0).astype(int)
    ds = from_recording(rec, labels=lab, class_names=["rest", "active"], preprocess=PRE)
    binary = ControlModel.train(ds, scale=False)
    fb = _Predictor(binary.pipeline)
    assert fb.fast and fb.scaler is None
    np.testing.assert_allclose(fb.predict_proba(W), binary.pipeline.predict_proba(W), rtol=1e-12, atol=1e-12)
    # other estimators get the features and scaling directly, then their own predict/predict_proba
    ds_all = from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names, preprocess=PRE)
    for clf, method in (("qda", "predict_proba"), ("svm", "predict"), ("knn", "predict_proba")):
        m = ControlModel.train(ds_all, classifier=clf)
        fp = _Predictor(m.pipeline)
        assert fp.fast and not fp.lda
        np.testing.assert_allclose(getattr(fp, method)(W), getattr(m.pipeline, method)(W), rtol=1e-12, atol=1e-12)
    ridge = ControlModel.train(from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names,
                                              targets=np.asarray(truth.gesture_labels, float), preprocess=PRE),
                               regressor="ridge")
    np.testing.assert_allclose(_Predictor(ridge.pipeline).predict(W), ridge.pipeline.predict(W), rtol=1e-12)
    # a pipeline of another shape goes through scikit-learn unchanged
    from sklearn.pipeline import Pipeline

    assert not _Predictor(Pipeline([("classifier", model.pipeline.steps[-1][1])])).fast


def test_preprocess_round_trips_and_refuses_bad_values():
    p = Preprocess(highpass_hz=10.0, powerline_hz=60.0, harmonics=3)
    assert Preprocess.from_dict(p.to_dict()) == p
    assert Preprocess.from_dict(None).is_identity and Preprocess.from_dict(None).sos(1000.0) is None
    assert p.sos(2000.0).shape == (2 + 3, 6)  # 4th-order high-pass (2 sections) + 3 notches
    assert "60 Hz, 3 notch(es)" in p.describe()
    x = np.random.default_rng(0).standard_normal((2, 500))
    np.testing.assert_array_equal(Preprocess.from_dict(None).apply(x, 1000.0), x)
    for kw, name in (({"highpass_hz": -1.0}, "highpass_hz"), ({"harmonics": 0}, "harmonics"), ({"order": 20}, "order")):
        with pytest.raises(ParameterError) as info:
            Preprocess(**kw)
        assert info.value.name == name
    with pytest.raises(ParameterError, match="unknown fields"):
        Preprocess.from_dict({"lowpass_hz": 400})
