"""FeatureExtractor: input forms, names, normalisation, scikit-learn Pipeline and GridSearchCV."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from myograph import ParameterError, Recording
from myograph.features import FEATURE_SETS, FEATURES, FeatureExtractor, extract, label_windows, resolve_set, windows


@pytest.fixture(scope="module")
def signal():
    rng = np.random.default_rng(2)
    return rng.standard_normal((4, 3000)) * 1e-4


def test_sets_exist_and_resolve():
    for name in ("TD4", "TD9", "TDAR", "LS4", "LS9", "TD-PSD"):
        s = FEATURE_SETS[name]
        assert s.reference
        assert all(f in FEATURES for f in s.features)
    assert FEATURE_SETS["TD4"].features == ("MAV", "WL", "ZC", "SSC")
    assert FEATURE_SETS["LS4"].features == ("LS", "MFL", "MSR", "WAMP")
    assert resolve_set("htd").name == "TD4" and resolve_set("TDPSD").name == "TD-PSD"


def test_continuous_windows_and_recording_agree(signal):
    fs = 1000.0
    fe = FeatureExtractor("TD4", window_s=0.2, step_s=0.05, fs=fs, normalize=False)
    a = fe.fit_transform(signal)
    w = windows(signal, fs, 0.2, 0.05).data
    b = fe.transform(np.ascontiguousarray(w))
    rec = Recording(signal, fs)
    c = FeatureExtractor("TD4", window_s=0.2, step_s=0.05, normalize=False).fit_transform(rec)
    assert a.shape == (w.shape[0], 4 * 4)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    np.testing.assert_allclose(a, c, rtol=0)
    np.testing.assert_allclose(a[:, :4], np.abs(w).mean(axis=-1), rtol=1e-12)  # first block = MAV of every channel


def test_feature_names_and_multi_valued(signal):
    fe = FeatureExtractor(["MAV", "AR"], fs=1000.0, params={"AR": {"order": 3}}).fit(signal)
    names = list(fe.get_feature_names_out())
    assert names[:4] == ["ch0_MAV", "ch1_MAV", "ch2_MAV", "ch3_MAV"]
    assert names[4:7] == ["ch0_AR1", "ch0_AR2", "ch0_AR3"]
    assert len(names) == 4 + 4 * 3 == fe.transform(signal).shape[1]


def test_normalisation_is_learned_in_fit(signal):
    fe = FeatureExtractor("TD-PSD", fs=1000.0).fit(signal)
    z = fe.transform(signal)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-9)
    assert fe.mean_.shape == fe.scale_.shape == (24,)
    z2 = fe.transform(signal * 2)  # same statistics applied, not re-learned
    assert not np.allclose(z2.mean(axis=0), 0)


def test_errors(signal):
    with pytest.raises(ParameterError) as e:
        extract(signal, "NOPE", fs=1000.0, window_s=0.2, step_s=0.05)
    assert e.value.name == "features"
    with pytest.raises(ParameterError) as e:
        FeatureExtractor("TD4", window_s=5.0, fs=1000.0).fit(signal)
    assert e.value.name == "window_s"
    with pytest.raises(ParameterError) as e:
        FeatureExtractor("TD4", step_s=0.0, fs=1000.0).fit(signal)
    assert e.value.name == "step_s"
    with pytest.raises(ParameterError) as e:
        FeatureExtractor("TD4").fit(signal)
    assert e.value.name == "fs"
    with pytest.raises(ParameterError) as e:
        FeatureExtractor("TD4", fs=500.0).fit(Recording(signal, 1000.0))
    assert e.value.name == "fs"
    with pytest.raises(ParameterError) as e:
        FeatureExtractor(["WAMP"], fs=1000.0, params={"WAMP": {"threshold_mv": 1}}).fit(signal)
    assert "WAMP" in e.value.name
    with pytest.raises(NotFittedError):
        FeatureExtractor("TD4", fs=1000.0).transform(signal)
    fe = FeatureExtractor("TD4", fs=1000.0).fit(signal)
    with pytest.raises(ParameterError):
        fe.transform(signal[:2])


def test_sklearn_clone_and_params():
    fe = FeatureExtractor("LS4", window_s=0.1, step_s=0.025, fs=200.0)
    c = clone(fe)
    assert c.get_params() == fe.get_params()
    assert c.get_params()["features"] == "LS4"


def test_pipeline_gridsearch_on_simulated_gestures():
    from myograph.simulate import gestures

    fs = 1000.0
    rec, truth = gestures(gesture_names=("wrist_flexion", "wrist_extension", "hand_close"), repetitions=2, hold_s=1.5, rest_s=1.0,
                          fs=fs, channels=4, motor_units=15, seed=1)
    w = windows(rec.data, fs, 0.2, 0.1).data
    y = label_windows(truth.gesture_labels, fs, 0.2, 0.1)
    X = np.ascontiguousarray(w)
    pipe = Pipeline([("features", FeatureExtractor("TD4", fs=fs)), ("lda", LinearDiscriminantAnalysis())])
    search = GridSearchCV(pipe, {"features__features": ["TD4", "LS4", ["RMS", "WL"]]},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0))
    search.fit(X, y)
    assert search.best_score_ > 0.8
    assert set(np.unique(y)) == {0, 1, 2, 3}
    pred = search.predict(X)
    assert pred.shape == y.shape


def test_nonfinite_features_are_repaired_with_fitted_range():
    x = np.random.default_rng(4).standard_normal((2, 2000)) * 1e-4
    x[:, 500:1200] = 0.0  # flat: MFL = -inf, LD = 0
    raw = extract(x, ["MFL"], fs=1000.0, window_s=0.2, step_s=0.05)
    assert np.isneginf(raw).any()
    fe = FeatureExtractor(["MFL"], fs=1000.0, normalize=False)
    out = fe.fit_transform(x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[np.isneginf(raw)], np.broadcast_to(fe.min_, raw.shape)[np.isneginf(raw)])
    kept = FeatureExtractor(["MFL"], fs=1000.0, normalize=False, repair_nonfinite=False).fit_transform(x)
    np.testing.assert_array_equal(kept, raw)
