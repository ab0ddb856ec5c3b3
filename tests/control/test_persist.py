"""Saving and loading fitted pipelines without pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest

from myograph import FileFormatError, ParameterError
from myograph.control import load, make_pipeline, register, save
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
    from myograph.control.persist import _body_hash

    doc["model"]["steps"][0]["class"] = "os.system"
    doc["sha256"] = _body_hash(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError, match="not an allowed class"):
        load(path)
    path.write_text("{not json")
    with pytest.raises(FileFormatError):
        load(path)


def test_unsupported_estimators_are_refused_by_name(tmp_path):
    # refused by class before anything is written (fitted or not: the class decides)
    for name in ("rf", "mlp", "gb"):
        pipe = make_pipeline(LocalTD4(), name, fs=1000.0)
        with pytest.raises(ParameterError, match=type(pipe[-1]).__name__):
            save(pipe, tmp_path / name)
        assert not (tmp_path / f"{name}.json").exists() and not (tmp_path / f"{name}.npz").exists()


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
