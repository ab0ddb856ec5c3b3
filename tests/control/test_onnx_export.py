"""ONNX export of the steps after ``features``, checked with onnxruntime against scikit-learn."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from myograph import ParameterError
from myograph.control import export_onnx, make_pipeline, onnx_predict

pytest.importorskip("skl2onnx")
pytest.importorskip("onnxruntime")
pytest.importorskip("myograph.features")

import onnx  # noqa: E402  (after the skips: an optional dependency)

from myograph.control.onnx_export import METADATA_KEY  # noqa: E402

#: least fraction of windows whose ONNX class equals scikit-learn's. The ONNX model computes
#: in float32 and the pipeline in float64, so a window within rounding of a decision boundary
#: may flip; on this data none did (agreement 1.0 for every classifier below), 0.99 leaves room
#: for another scikit-learn/onnxruntime version.
MIN_AGREEMENT = 0.99
#: regression: |onnx - sklearn| <= REL * max|sklearn| per output, every window (observed below 1e-6
#: for ridge, linear, MLP and a forest without the scaler)
REL = 1e-4


@pytest.fixture(scope="module")
def small(sim_dataset):
    return sim_dataset.subset(np.arange(0, len(sim_dataset), 3))


def _td4(ds, classifier="lda", **kw):
    return make_pipeline("TD4", classifier, window_s=ds.window_s, step_s=ds.step_s, fs=ds.fs, **kw)


@pytest.mark.parametrize("name,params", [
    ("lda", {}),
    ("svm", {}),  # RBF, without probabilities (scikit-learn >= 1.9 deprecates passing probability= at all)
    ("rf", {"n_estimators": 20}),
    ("mlp", {}),
    ("logreg", {}),
])
def test_onnx_classes_equal_the_pipelines(tmp_path, small, name, params):
    pipe = _td4(small, name, **params).fit(small.X, small.y)
    if name == "svm":
        assert pipe[-1].kernel == "rbf" and not hasattr(pipe, "predict_proba")
    path = export_onnx(pipe, tmp_path / f"{name}.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.onnx"]  # written atomically, nothing left over
    got = onnx_predict(path, pipe[0].transform(small.X))
    want = pipe.predict(small.X)
    agreement = float(np.mean(got == want))
    assert agreement >= MIN_AGREEMENT, f"{name}: ONNX equals scikit-learn on {agreement:.4f} of windows"
    meta = json.loads({p.key: p.value for p in onnx.load(path).metadata_props}[METADATA_KEY])
    assert meta["task"] == "classifier" and meta["classes"] == pipe[-1].classes_.tolist()


@pytest.mark.parametrize("name,scale,params", [
    ("ridge", True, {}), ("ridge", False, {}), ("linear", True, {}), ("mlp", True, {}),
    ("rf", False, {"n_estimators": 20}), ("rf", True, {"n_estimators": 20}),
])
def test_regressor_outputs_agree(tmp_path, small, name, scale, params):
    targets = np.column_stack([small.y == 1, small.y == 2]).astype(float)
    pipe = _td4(small, regressor=name, scale=scale, **params).fit(small.X, targets)
    path = export_onnx(pipe, tmp_path / f"{name}.onnx")
    got, want = onnx_predict(path, pipe[0].transform(small.X)), pipe.predict(small.X)
    assert got.shape == want.shape == (len(small), 2)
    close = np.all(np.abs(got - want) <= REL * np.abs(want).max(axis=0), axis=1)
    if name == "rf" and scale:
        # a forest after the scaler: the ONNX scaler rounds in float32, so a window at a split threshold can
        # take the other branch in one tree and move the mean by 1/n_estimators (here 1 window of 530)
        assert close.mean() >= MIN_AGREEMENT
    else:
        assert close.all()
    # the declared output shape is (N, 2) too (skl2onnx says (N, 1); export_onnx reshapes)
    out = onnx.load(path).graph.output[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in out][1:] == [2]


def test_a_single_output_stays_1d(tmp_path, small):
    pipe = _td4(small, regressor="ridge").fit(small.X, (small.y == 1).astype(float))
    got = onnx_predict(export_onnx(pipe, tmp_path / "one.onnx"), pipe[0].transform(small.X))
    assert got.shape == (len(small),)
    assert np.all(np.abs(got - pipe.predict(small.X)) <= REL * np.abs(pipe.predict(small.X)).max())


def test_the_metadata_says_what_the_embedded_side_computes(tmp_path, small):
    """Features recomputed from the metadata alone, then the ONNX model, give the pipeline's decisions."""
    from myograph.features import extract

    # scale=False: the extractor normalises itself, so its learned arrays must travel with the model
    pipe = _td4(small, "lda", scale=False).fit(small.X, small.y)
    path = export_onnx(pipe, tmp_path / "lda.onnx")
    meta = json.loads({p.key: p.value for p in onnx.load(path).metadata_props}[METADATA_KEY])
    f = meta["features"]
    assert f["feature_names"] == pipe[0].get_feature_names_out().tolist()
    assert (f["window_s"], f["step_s"], f["fs"], f["n_channels"]) == (small.window_s, small.step_s, small.fs,
                                                                      small.X.shape[1])
    assert f["window_samples"] == small.X.shape[2] and f["features"] == "TD4" and f["normalize"] and f["repair_nonfinite"]
    names = [x["name"] for x in f["feature_parameters"]]
    assert names == ["MAV", "WL", "ZC", "SSC"]
    assert meta["input"] == {"name": "features", "dtype": "float32", "shape": [None, len(f["feature_names"])]}
    # the embedded side: raw features (no fitted state), repair, normalise with the stored arrays
    F = extract(small.X, names, fs=f["fs"], params={x["name"]: x["params"] for x in f["feature_parameters"]})
    mean, scale, lo, hi = (np.asarray(f[k]) for k in ("mean_", "scale_", "min_", "max_"))
    F = np.where(np.isnan(F), mean, F)
    F = np.where(F == -np.inf, lo, np.where(F == np.inf, hi, F))
    F = (F - mean) / scale
    np.testing.assert_allclose(F, pipe[0].transform(small.X), rtol=0, atol=1e-12)
    assert np.mean(onnx_predict(path, F) == pipe.predict(small.X)) >= MIN_AGREEMENT
    # with the scaler in the pipeline the extractor does not normalise, and the ONNX model holds the scaling
    pipe = _td4(small, "lda").fit(small.X, small.y)
    meta = json.loads({p.key: p.value for p in onnx.load(export_onnx(pipe, tmp_path / "s.onnx")).metadata_props}[METADATA_KEY])
    assert meta["steps"][0] == "sklearn.preprocessing._data.StandardScaler" and not meta["features"]["normalize"]
    assert meta["features"]["compute"] == ["replace NaN by mean_, -inf by min_, +inf by max_ (per column)"]


class NoConverter(ClassifierMixin, BaseEstimator):
    """A classifier skl2onnx knows nothing about."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_unsupported_estimators_are_refused_by_name(tmp_path, small):
    pipe = _td4(small, NoConverter()).fit(small.X, small.y)
    with pytest.raises(ParameterError, match="skl2onnx cannot convert .*NoConverter"):
        export_onnx(pipe, tmp_path / "x.onnx")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ParameterError, match="features"):
        export_onnx(pipe[-1], tmp_path / "x.onnx")  # not a pipeline with a feature step
    with pytest.raises(ParameterError, match="not fitted"):
        export_onnx(_td4(small, "lda"), tmp_path / "x.onnx")
    with pytest.raises(ParameterError, match="n_features"):
        export_onnx(_td4(small, "lda").fit(small.X, small.y), tmp_path / "x.onnx", n_features=3)
