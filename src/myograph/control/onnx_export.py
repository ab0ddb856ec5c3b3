"""ONNX export of a fitted pipeline for embedded prosthesis controllers.

An embedded controller computes the features of each window itself (in C on a
microcontroller, say) and runs the rest of the pipeline — scaling and the classifier
or regressor — as an ONNX model. :func:`export_onnx` converts that rest (every step
after ``features``) with skl2onnx: input ``"features"``, float32 ``(N, n_features)``;
outputs ``"label"`` (and ``"probabilities"`` where the classifier has them) or
``"variable"`` for a regressor. It stores, as JSON in the model's ``metadata_props``
under the key :data:`METADATA_KEY`, what the controller must compute *before* the
model: the feature columns in order, the feature set and parameters, the window, step
and sampling rate, and the extractor's learned repair/normalisation arrays. See
``docs/control.md`` ("Embedded controllers").

:func:`onnx_predict` runs an exported model with onnxruntime, to check it against the
scikit-learn pipeline. Needs the ``[onnx]`` extra (``pip install 'myograph[onnx]'``).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.errors import FileFormatError, ParameterError
from myograph.io.atomic import atomic_open

__all__ = ["export_onnx", "onnx_predict", "METADATA_KEY", "ONNX_FORMAT"]

#: key of the JSON entry in the ONNX model's ``metadata_props``
METADATA_KEY = "myograph"
#: identifies the layout of that JSON (bumped when it changes)
ONNX_FORMAT = "myograph.control.onnx/1"


def _require(what: str) -> None:
    try:
        import onnx  # noqa: F401
        import skl2onnx  # noqa: F401
        if what == "run":
            import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"ONNX {'export' if what == 'export' else 'inference'} needs skl2onnx, onnx and onnxruntime "
                          f"({exc.name} is missing): pip install 'myograph[onnx]'") from None


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (tuple, set)):
        return list(v)
    raise TypeError(f"{type(v).__name__} is not JSON-able")


def _feature_parameters(ext: Any) -> list[dict[str, Any]]:
    """Every feature of the extractor with its parameters, defaults filled in, in column order."""
    from myograph.features import ALIASES, FEATURE_SETS, FEATURES, get_feature, resolve_set

    def expand(name: str) -> list[str]:
        if name not in FEATURES and (name.upper() in FEATURE_SETS or name.upper() in ALIASES):
            return list(resolve_set(name).features)
        return [name]

    names = expand(ext.features) if isinstance(ext.features, str) else [n for f in ext.features for n in expand(f)]
    given = dict(ext.params or {})
    out: dict[str, dict[str, Any]] = {}
    for n in names:
        feat = get_feature(n)
        if feat.name not in out:
            out[feat.name] = feat.resolve(given.get(feat.name, given.get(n)))
    return [{"name": k, "params": v} for k, v in out.items()]  # a list: JSON objects do not keep order


def _feature_step_info(step: Any) -> dict[str, Any]:
    """What the embedded side must compute: the extractor's configuration and learned arrays."""
    cls = type(step)
    info: dict[str, Any] = {"class": f"{cls.__module__}.{cls.__qualname__}"}
    try:
        from myograph.features import FeatureExtractor, window_lengths
    except ImportError:  # pragma: no cover - the features domain is part of myograph
        FeatureExtractor = None  # type: ignore[assignment,misc]
    if FeatureExtractor is not None and isinstance(step, FeatureExtractor):
        info["class"] = "myograph.features.FeatureExtractor"
        info.update(
            feature_names=[str(n) for n in step.get_feature_names_out()],
            features=step.features,
            params=step.params,
            feature_parameters=_feature_parameters(step),
            n_channels=int(step.n_channels_),
            window_s=step.window_s, step_s=step.step_s, fs=step.fs,
            normalize=bool(step.normalize), repair_nonfinite=bool(step.repair_nonfinite),
        )
        if step.fs is not None:
            n_win, n_step = window_lengths(step.fs, step.window_s, step.step_s)
            info.update(window_samples=int(n_win), step_samples=int(n_step))
        if step.normalize or step.repair_nonfinite:
            for k in ("mean_", "scale_", "min_", "max_"):
                info[k] = np.asarray(getattr(step, k), dtype=np.float64).tolist()
        todo = []
        if step.repair_nonfinite:
            todo.append("replace NaN by mean_, -inf by min_, +inf by max_ (per column)")
        if step.normalize:
            todo.append("standardise: (F - mean_) / scale_")
        info["compute"] = todo
        return info
    params = {}
    for k, v in step.get_params(deep=False).items():
        try:
            json.dumps(v, default=_jsonable)
        except (TypeError, ValueError):
            continue
        params[k] = v
    info["params"] = params
    if hasattr(step, "get_feature_names_out"):
        try:
            info["feature_names"] = [str(n) for n in step.get_feature_names_out()]
        except Exception:  # a transformer without named outputs
            pass
    return info


def _culprit(steps: list[Any]) -> Any:
    """The first step skl2onnx has no converter for (else the final estimator)."""
    try:
        from skl2onnx._supported_operators import sklearn_operator_name_map
    except ImportError:  # pragma: no cover - skl2onnx moved its table
        return steps[-1]
    for s in steps:
        if type(s) not in sklearn_operator_name_map:
            return s
    return steps[-1]


def _fix_output_shape(model: Any, n_outputs: int) -> None:
    """Make a multi-output regressor's output ``(N, n_outputs)``.

    skl2onnx declares ``(N, 1)`` for every regressor; for several outputs its
    random-forest model then returns ``(N, n_outputs)`` anyway and its MLP model the
    row-major ``(N * n_outputs, 1)``. A final Reshape gives both the shape they mean.
    """
    from onnx import helper, numpy_helper

    out = model.graph.output[0]
    dims = out.type.tensor_type.shape.dim
    if n_outputs == 1 or (len(dims) == 2 and dims[1].dim_value == n_outputs):
        return
    raw, shape = f"{out.name}_unshaped", f"{out.name}_shape"
    for node in model.graph.node:
        node.output[:] = [raw if o == out.name else o for o in node.output]
    model.graph.initializer.append(numpy_helper.from_array(np.array([-1, n_outputs], dtype=np.int64), name=shape))
    model.graph.node.append(helper.make_node("Reshape", [raw, shape], [out.name], name=f"{out.name}_reshape"))
    del dims[:]
    dims.add().dim_param = "N"
    dims.add().dim_value = n_outputs


def export_onnx(pipeline: Any, path: Any, *, n_features: int | None = None, target_opset: int | None = None) -> Path:
    """Write the steps after ``features`` of a fitted pipeline as an ONNX model.

    Parameters
    ----------
    pipeline : fitted sklearn.pipeline.Pipeline
        From :func:`~myograph.control.make_pipeline` (first step ``features``); the
        steps after it (``scale``, ``classifier``/``regressor``) are converted.
    path : path-like
        The ``.onnx`` file, written atomically.
    n_features : int, optional
        Columns of the feature vectors; by default the number the converted steps
        were fitted on.
    target_opset : int, optional
        ONNX opset of the main domain (default: the newest skl2onnx supports); lower
        it for an older runtime on the embedded side.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ParameterError
        Not a fitted pipeline with a ``features`` step, a wrong ``n_features``, or a
        step skl2onnx cannot convert (named).
    ImportError
        skl2onnx or onnx is not installed.
    """
    from sklearn.base import is_classifier
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    _require("export")
    import onnx
    import sklearn
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    import myograph

    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) < 2 or pipeline.steps[0][0] != "features":
        raise ParameterError("pipeline", "expected a Pipeline whose first step is 'features' followed by the estimator "
                                         "(as make_pipeline builds)")
    tail_steps = pipeline.steps[1:]
    final = tail_steps[-1][1]
    try:
        for _, s in pipeline.steps:
            check_is_fitted(s)
    except NotFittedError as exc:
        raise ParameterError("pipeline", f"is not fitted: {exc}") from exc
    fitted_n = getattr(tail_steps[0][1], "n_features_in_", None)
    if n_features is None:
        if fitted_n is None:
            raise ParameterError("n_features", f"{type(tail_steps[0][1]).__name__} does not say how many features it "
                                               "was fitted on; pass n_features")
        n_features = int(fitted_n)
    elif int(n_features) < 1 or (fitted_n is not None and int(n_features) != int(fitted_n)):
        raise ParameterError("n_features", f"must be the {fitted_n} features the estimator was fitted on, got {n_features}")
    n_features = int(n_features)
    tail = tail_steps[0][1] if len(tail_steps) == 1 else Pipeline(tail_steps)
    classifier = is_classifier(final)
    options = {id(final): {"zipmap": False}} if classifier else None
    try:
        with warnings.catch_warnings():
            # skl2onnx reads SVC.probA_/probB_, which scikit-learn >= 1.9 deprecates together with
            # SVC(probability=True); the converter needs them (empty without probability), the user cannot act on it
            warnings.filterwarnings("ignore", message=r"Attribute `prob[AB]_` was deprecated", category=FutureWarning)
            model = convert_sklearn(tail, name="myograph", initial_types=[("features", FloatTensorType([None, n_features]))],
                                    options=options, target_opset=target_opset)
    except Exception as exc:
        bad = _culprit([s for _, s in tail_steps])
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise ParameterError("pipeline", f"skl2onnx cannot convert {type(bad).__module__}.{type(bad).__qualname__} to ONNX "
                                         f"({type(exc).__name__}: {first})") from exc

    meta: dict[str, Any] = {
        "format": ONNX_FORMAT,
        "myograph_version": myograph.__version__,
        "sklearn_version": sklearn.__version__,
        "input": {"name": "features", "dtype": "float32", "shape": [None, n_features]},
        "outputs": [o.name for o in model.graph.output],
        "task": "classifier" if classifier else "regressor",
        "steps": [f"{type(s).__module__}.{type(s).__qualname__}" for _, s in tail_steps],
        "features": _feature_step_info(pipeline.steps[0][1]),
    }
    if classifier:
        meta["classes"] = np.asarray(final.classes_).tolist()
    else:
        probe = np.asarray(tail.predict(np.zeros((1, n_features))))  # (N,) or (N, n_outputs), as fitted
        meta["n_outputs"] = 1 if probe.ndim == 1 else int(probe.shape[1])
        meta["output_1d"] = bool(probe.ndim == 1)
        _fix_output_shape(model, meta["n_outputs"])
    try:
        text = json.dumps(meta, default=_jsonable, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ParameterError("pipeline", f"the feature step's description is not JSON-able: {exc}") from exc
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, text
    model.producer_name, model.producer_version = "myograph", myograph.__version__
    model.doc_string = (f"myograph {meta['task']}: input 'features' float32 (N, {n_features}), computed as described "
                        f"in metadata_props[{METADATA_KEY!r}]")
    onnx.checker.check_model(model)
    out = Path(os.fspath(path))
    with atomic_open(out, "wb") as f:
        f.write(model.SerializeToString())
    return out


def onnx_predict(path: Any, features: Any) -> np.ndarray:
    """Run an exported model with onnxruntime on feature vectors ``(N, n_features)``.

    Returns the class labels (a classifier) or the outputs (a regressor; 1-D when the
    pipeline's predictions were). For verification against the scikit-learn pipeline:
    the model computes in float32, the pipeline in float64.
    """
    _require("run")
    import onnxruntime as ort

    p = Path(os.fspath(path))
    try:
        sess = ort.InferenceSession(str(p), providers=["CPUExecutionProvider"])
    except Exception as exc:
        if not p.exists():
            raise FileNotFoundError(p) from exc
        raise FileFormatError(p, "onnx", f"onnxruntime cannot load it: {exc}") from exc
    raw = sess.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    try:
        meta = json.loads(raw) if raw else {}
    except json.JSONDecodeError as exc:
        raise FileFormatError(p, METADATA_KEY, f"metadata is not JSON: {exc}") from exc
    x = np.asarray(features, dtype=np.float32)
    inp = sess.get_inputs()[0]
    n = inp.shape[1] if len(inp.shape) == 2 else None
    if x.ndim != 2 or (isinstance(n, int) and x.shape[1] != n):
        raise ParameterError("features", f"must be (N, {n}) feature vectors, got shape {x.shape}")
    y = sess.run([sess.get_outputs()[0].name], {inp.name: x})[0]
    if meta.get("output_1d"):
        y = y.reshape(-1)
    return np.asarray(y)
