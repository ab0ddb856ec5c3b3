"""Saving and loading fitted pipelines without pickle."""

from __future__ import annotations

import builtins
import hashlib
import io
import json

import numpy as np
import pytest
import skops.io as skops_io
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from myograph import FileFormatError, ParameterError
from myograph.control import CLASSIFIERS, REGRESSORS, load, make_pipeline, register, save
from myograph.control.persist import SUPPORTED, _body_hash, _load_allowlist
from tests.control.conftest import LocalTD4

register(LocalTD4)


@pytest.fixture(scope="module")
def small(sim_dataset):
    """A few hundred windows of the simulated dataset (fast fits)."""
    idx = np.arange(0, len(sim_dataset), 3)
    return sim_dataset.subset(idx)


@pytest.mark.parametrize("name", ["lda", "qda", "svm_linear", "svm", "knn", "logreg"])
def test_save_then_load_gives_identical_predictions(tmp_path, small, name):
    pipe = make_pipeline(LocalTD4(), name, fs=small.fs).fit(small.X, small.y)
    path = save(pipe, tmp_path / f"{name}.json", metadata={"class_names": list(small.class_names), "fs": small.fs})
    assert path.exists() and path.with_suffix(".npz").exists()
    doc = json.loads(path.read_text())
    assert doc["format"] == "myograph.control.model/1" and len(doc["sha256"]) == 64
    back, meta = load(path, with_metadata=True)
    assert meta["class_names"] == list(small.class_names)
    np.testing.assert_array_equal(back.predict(small.X), pipe.predict(small.X))
    if hasattr(pipe, "predict_proba") and name != "svm":
        np.testing.assert_array_equal(back.predict_proba(small.X), pipe.predict_proba(small.X))
    np.testing.assert_array_equal(back.decision_function(small.X), pipe.decision_function(small.X)) if hasattr(
        pipe[-1], "decision_function") else None


@pytest.mark.parametrize("name", ["linear", "ridge"])
def test_regressors_round_trip(tmp_path, small, name):
    targets = np.column_stack([small.y == 1, small.y == 2]).astype(float)
    pipe = make_pipeline(LocalTD4(), regressor=name, fs=small.fs).fit(small.X, targets)
    back = load(save(pipe, tmp_path / "reg"))
    np.testing.assert_array_equal(back.predict(small.X), pipe.predict(small.X))


def test_a_tampered_array_file_is_refused(tmp_path, small):
    pipe = make_pipeline(LocalTD4(), "lda", fs=small.fs).fit(small.X, small.y)
    path = save(pipe, tmp_path / "m.json")
    npz = path.with_suffix(".npz")
    blob = bytearray(npz.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    npz.write_bytes(bytes(blob))
    with pytest.raises(FileFormatError, match="sha256"):
        load(path)


def test_an_edited_json_is_refused(tmp_path, small):
    pipe = make_pipeline(LocalTD4(), "lda", fs=small.fs).fit(small.X, small.y)
    path = save(pipe, tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["model"]["steps"][0]["params"]["threshold"] = 0.5
    path.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError, match="checksum"):
        load(path)
    # a file naming a class outside the allow-list is refused even with a valid checksum
    doc["model"]["steps"][0]["class"] = "os.system"
    doc["sha256"] = _body_hash(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError, match="not an allowed class"):
        load(path)
    path.write_text("{not json")
    with pytest.raises(FileFormatError):
        load(path)


class NotAllowed(ClassifierMixin, BaseEstimator):
    """A classifier of the user's own, neither registered nor from scikit-learn."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class Payload:
    """A foreign type smuggled into a skops blob."""


def double(x):
    return 2 * x


def test_classes_neither_allowed_nor_sklearn_are_refused_by_name(tmp_path, small):
    pipe = make_pipeline(LocalTD4(), NotAllowed(), fs=small.fs).fit(small.X, small.y)
    with pytest.raises(ParameterError, match="NotAllowed"):
        save(pipe, tmp_path / "m")
    # a scikit-learn step holding a foreign function: refused at save, as load would refuse it
    pipe = Pipeline([("features", LocalTD4()), ("f", FunctionTransformer(double)), ("c", LinearDiscriminantAnalysis())])
    pipe.fit(small.X, small.y)
    with pytest.raises(ParameterError, match="double"):
        save(pipe, tmp_path / "m")
    assert list(tmp_path.iterdir()) == []  # nothing written


#: smaller than the defaults, to keep the tests fast (the class, not its size, decides how it is stored)
FAST = {("classifier", "gb"): {"max_iter": 10}, ("classifier", "rf"): {"n_estimators": 20},
        ("regressor", "rf"): {"n_estimators": 20}}


def _fit(name, ds, kind):
    params = FAST.get((kind, name), {})
    if kind == "classifier":
        return make_pipeline(LocalTD4(), name, fs=ds.fs, **params).fit(ds.X, ds.y)
    targets = np.column_stack([ds.y == 1, ds.y == 2]).astype(float)
    return make_pipeline(LocalTD4(), regressor=name, fs=ds.fs, **params).fit(ds.X, targets)


@pytest.mark.parametrize("kind,name", [("classifier", n) for n in CLASSIFIERS] + [("regressor", n) for n in REGRESSORS])
def test_every_named_estimator_round_trips_exactly(tmp_path, small, kind, name):
    pipe = _fit(name, small, kind)
    path = save(pipe, tmp_path / name)
    step = json.loads(path.read_text())["model"]["steps"][-1]
    _load_allowlist()
    assert ("skops" in step) == (type(pipe[-1]) not in SUPPORTED.values())  # RF, GB, MLP go through skops
    back = load(path)
    assert type(back[-1]) is type(pipe[-1])
    np.testing.assert_array_equal(back.predict(small.X), pipe.predict(small.X))
    for method in ("predict_proba", "decision_function"):
        if hasattr(pipe, method):
            np.testing.assert_array_equal(getattr(back, method)(small.X), getattr(pipe, method)(small.X))


def test_a_calibrated_svm_round_trips(tmp_path, small):
    """The way to SVM probabilities (for rejection) is a meta-estimator: stored through skops."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    pipe = make_pipeline(LocalTD4(), CalibratedClassifierCV(SVC(), ensemble=False), fs=small.fs).fit(small.X, small.y)
    back = load(save(pipe, tmp_path / "cal"))
    np.testing.assert_array_equal(back.predict_proba(small.X), pipe.predict_proba(small.X))


def _splice(path, key, blob):
    """Replace array ``key`` of a saved model by ``blob`` and rewrite both checksums (a forger's edit)."""
    npz = path.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[key] = np.frombuffer(blob, dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    npz.write_bytes(buf.getvalue())
    doc = json.loads(path.read_text())
    doc["arrays_sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    doc["sha256"] = _body_hash(doc)
    path.write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def rf_model(small):
    return make_pipeline(LocalTD4(), "rf", n_estimators=5, fs=small.fs).fit(small.X, small.y)


def test_a_tampered_skops_blob_is_refused(tmp_path, rf_model):
    path = save(rf_model, tmp_path / "rf")
    npz = path.with_suffix(".npz")
    blob = bytearray(npz.read_bytes())
    start = bytes(blob).index(b"schema.json")  # inside the skops bytes
    blob[start] ^= 0x01
    npz.write_bytes(bytes(blob))
    with pytest.raises(FileFormatError, match="sha256"):
        load(path)


@pytest.mark.parametrize("payload,refused", [(Payload(), "Payload"), (builtins.eval, "builtins.eval")],
                         ids=["foreign-class", "builtin-function"])
def test_a_skops_blob_with_a_foreign_type_is_refused_even_with_valid_checksums(tmp_path, small, rf_model, payload,
                                                                                 refused):
    path = save(rf_model, tmp_path / "rf")
    key = json.loads(path.read_text())["model"]["steps"][-1]["skops"]
    # control: a clean blob spliced in the same way loads
    _splice(path, key, skops_io.dumps(rf_model[-1]))
    np.testing.assert_array_equal(load(path).predict(small.X), rf_model.predict(small.X))
    # the same forest carrying a foreign object (a class of this module, or a function from builtins, whose
    # package is trusted for classes only) is refused by name although both checksums match
    evil = clone(rf_model[-1]).fit(rf_model[:-1].transform(small.X), small.y)
    evil.payload_ = payload
    _splice(path, key, skops_io.dumps(evil))
    with pytest.raises(FileFormatError, match=refused):
        load(path)


def test_save_is_atomic_and_replaces_an_older_model(tmp_path, small):
    a = make_pipeline(LocalTD4(), "lda", fs=small.fs).fit(small.X, small.y)
    b = make_pipeline(LocalTD4(), "knn", fs=small.fs).fit(small.X, small.y)
    p = save(a, tmp_path / "m")
    save(b, p)
    assert type(load(p)[-1]).__name__ == "KNeighborsClassifier"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["m.json", "m.npz"]  # no temporary files left


def test_the_feature_extractor_pipeline_round_trips(tmp_path, small):
    pytest.importorskip("myograph.features")
    pipe = make_pipeline("TD4", "lda", window_s=small.window_s, step_s=small.step_s, fs=small.fs).fit(small.X, small.y)
    back = load(save(pipe, tmp_path / "td4_lda"))
    assert type(back[0]).__name__ == "FeatureExtractor" and back[0].get_params() == pipe[0].get_params()
    np.testing.assert_array_equal(back.predict(small.X), pipe.predict(small.X))
