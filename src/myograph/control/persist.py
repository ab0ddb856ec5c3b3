"""Saving fitted pipelines without pickle: parameters as JSON, arrays as ``.npz``.

:func:`save` writes ``<name>.json`` (classes, parameters, scalar learned attributes,
versions, and the SHA-256 of the JSON body and of the arrays) and ``<name>.npz``
(every learned array), both atomically. :func:`load` rebuilds the pipeline from an
*allow-list* of estimator classes — the file names classes, it never runs code —
and refuses a file whose checksums do not match (a tampered or truncated file)
with a :class:`~myograph.FileFormatError`. Arrays are read with
``allow_pickle=False``.

Supported steps (:data:`SUPPORTED`): scikit-learn's ``StandardScaler``,
``LinearDiscriminantAnalysis``, ``QuadraticDiscriminantAnalysis``,
``LinearRegression``, ``Ridge``, ``LogisticRegression``, ``LinearSVC``, ``SVC``
(any kernel), ``KNeighborsClassifier``/``KNeighborsRegressor`` (stored as their
training set and refitted on load, which rebuilds the same search tree), ``Pipeline``,
and ``myograph.features.FeatureExtractor``; :func:`register` adds a class of your own.
Anything else (random forests, gradient boosting, MLPs) is refused by name with a
:class:`~myograph.ParameterError`: their fitted state is objects, not arrays, and a
faithful non-pickle format for them is future work (skops or ONNX).

Predictions of a loaded pipeline equal the saved one's exactly (same arrays, same
code), provided the scikit-learn version is the same; a different version loads with
a :class:`~myograph.MyographWarning`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from myograph.core.errors import FileFormatError, ParameterError, warn
from myograph.io.atomic import atomic_open

__all__ = ["save", "load", "register", "SUPPORTED", "MODEL_FORMAT"]

#: identifies the JSON layout (bumped when it changes)
MODEL_FORMAT = "myograph.control.model/1"

_SKLEARN = [
    "sklearn.preprocessing.StandardScaler",
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
    "sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis",
    "sklearn.linear_model.LinearRegression",
    "sklearn.linear_model.Ridge",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.svm.LinearSVC",
    "sklearn.svm.SVC",
    "sklearn.neighbors.KNeighborsClassifier",
    "sklearn.neighbors.KNeighborsRegressor",
    "sklearn.pipeline.Pipeline",
]

#: allow-listed classes, by public dotted name
SUPPORTED: dict[str, type] = {}

_REFIT = {"sklearn.neighbors.KNeighborsClassifier", "sklearn.neighbors.KNeighborsRegressor"}


def _load_allowlist() -> None:
    if SUPPORTED:
        return
    import importlib

    for dotted in _SKLEARN:
        mod, _, name = dotted.rpartition(".")
        SUPPORTED[dotted] = getattr(importlib.import_module(mod), name)
    try:
        from myograph.features import FeatureExtractor
    except ImportError:  # pragma: no cover - until the features domain lands
        pass
    else:
        SUPPORTED["myograph.features.FeatureExtractor"] = FeatureExtractor


def register(cls: type, name: str | None = None) -> type:
    """Allow ``cls`` (a transformer/estimator of your own) in saved pipelines.

    Its fitted state must be numbers, strings, arrays, or lists/tuples/dicts of them.
    Register it again before :func:`load` in a new process. Usable as a decorator.
    """
    _load_allowlist()
    SUPPORTED[name or f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


def _name_of(est: Any) -> str:
    _load_allowlist()
    for k, v in SUPPORTED.items():
        if type(est) is v:
            return k
    raise ParameterError(
        "pipeline", f"cannot save {type(est).__module__}.{type(est).__name__} without pickle; supported: "
                    f"{sorted(k.rpartition('.')[2] for k in SUPPORTED)} (register() adds your own class)")


# --- value encoding ---------------------------------------------------------------------

class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def value(self, v: Any, key: str, owner: str) -> Any:
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, np.generic):
            return v if not (isinstance(v, float) and not np.isfinite(v)) else {"__float__": repr(v)}
        if isinstance(v, np.generic):
            return {"__np__": v.dtype.str, "v": v.item() if np.isfinite(v) or v.dtype.kind not in "fc" else repr(v.item())}
        if isinstance(v, np.ndarray):
            if v.dtype.kind == "O":
                if all(isinstance(x, str) for x in v.ravel()):
                    self.arrays[key] = v.astype(str)
                    return {"__array__": key, "object": True}
                raise ParameterError("pipeline", f"{owner}: attribute {key.split('/')[-1]} is an object array; cannot save")
            self.arrays[key] = v
            return {"__array__": key}
        if isinstance(v, (list, tuple)):
            items = [self.value(x, f"{key}/{i}", owner) for i, x in enumerate(v)]
            return {"__tuple__": items} if isinstance(v, tuple) else items
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise ParameterError("pipeline", f"{owner}: attribute {key} has non-string keys; cannot save")
            return {"__dict__": {k: self.value(x, f"{key}/{k}", owner) for k, x in v.items()}}
        raise ParameterError(
            "pipeline", f"{owner}: attribute {key.split('/')[-1]!r} is a {type(v).__name__}, which cannot be saved "
                        "without pickle")


def _decode(v: Any, arrays: Any) -> Any:
    if isinstance(v, list):
        return [_decode(x, arrays) for x in v]
    if isinstance(v, dict):
        if "__array__" in v:
            a = arrays[v["__array__"]]
            return a.astype(object) if v.get("object") else a
        if "__tuple__" in v:
            return tuple(_decode(x, arrays) for x in v["__tuple__"])
        if "__dict__" in v:
            return {k: _decode(x, arrays) for k, x in v["__dict__"].items()}
        if "__np__" in v:
            dt = np.dtype(v["__np__"])
            return dt.type(float(v["v"]) if isinstance(v["v"], str) else v["v"])
        if "__float__" in v:
            return float(v["__float__"])
    return v


def _encode_estimator(est: Any, enc: _Encoder, prefix: str) -> dict:
    from sklearn.utils.validation import check_is_fitted

    name = _name_of(est)
    if name == "sklearn.pipeline.Pipeline":
        return {"class": name, "memory": None, "steps": [
            {"name": n, **_encode_estimator(s, enc, f"{prefix}{i}.")} for i, (n, s) in enumerate(est.steps)]}
    params = est.get_params(deep=False)
    p = {k: enc.value(v, f"{prefix}params/{k}", name) for k, v in params.items()}
    owner = name.rpartition(".")[2]
    if name in _REFIT:
        check_is_fitted(est)
        y = est.classes_[est._y] if hasattr(est, "classes_") and not est.outputs_2d_ else est._y
        if hasattr(est, "classes_") and est.outputs_2d_:
            y = np.column_stack([c[est._y[:, j]] for j, c in enumerate(est.classes_)])
        return {"class": name, "params": p, "refit": {"X": enc.value(np.asarray(est._fit_X), f"{prefix}fit_X", owner),
                                                      "y": enc.value(np.asarray(y), f"{prefix}fit_y", owner)}}
    state = {k: v for k, v in vars(est).items() if k not in params}
    attrs = {k: enc.value(v, f"{prefix}{k}", owner) for k, v in state.items()}
    return {"class": name, "params": p, "attributes": attrs}


def _decode_estimator(spec: dict, arrays: Any, file: Path) -> Any:
    _load_allowlist()
    name = spec.get("class")
    if name not in SUPPORTED:
        raise FileFormatError(file, "class", f"{name!r} is not an allowed class ({sorted(SUPPORTED)})")
    cls = SUPPORTED[name]
    if name == "sklearn.pipeline.Pipeline":
        return cls([(s["name"], _decode_estimator(s, arrays, file)) for s in spec["steps"]])
    est = cls(**{k: _decode(v, arrays) for k, v in spec["params"].items()})
    if "refit" in spec:
        est.fit(_decode(spec["refit"]["X"], arrays), _decode(spec["refit"]["y"], arrays))
        return est
    for k, v in spec.get("attributes", {}).items():
        setattr(est, k, _decode(v, arrays))
    return est


def _paths(path: Any) -> tuple[Path, Path]:
    p = Path(os.fspath(path))
    if p.suffix.lower() != ".json":
        p = p.with_name(p.name + ".json")
    return p, p.with_suffix(".npz")


def _body_hash(doc: dict) -> str:
    body = {k: v for k, v in doc.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def save(pipeline: Any, path: Any, *, metadata: dict | None = None) -> Path:
    """Save a fitted pipeline as ``<path>.json`` + ``<path>.npz``; returns the JSON path.

    Parameters
    ----------
    pipeline : fitted Pipeline or estimator
        Every step must be in :data:`SUPPORTED`.
    path : path-like
        The JSON file (``.json`` is appended when missing); the arrays go beside it
        with the suffix ``.npz``.
    metadata : dict, optional
        JSON-able information stored with the model (class names, window length,
        sampling rate, training data...).

    Raises
    ------
    ParameterError
        A step that cannot be saved without pickle, naming its class.
    """
    import sklearn

    import myograph

    enc = _Encoder()
    model = _encode_estimator(pipeline, enc, "")
    buf = io.BytesIO()
    np.savez(buf, **enc.arrays)
    blob = buf.getvalue()
    json_path, npz_path = _paths(path)
    doc = {
        "format": MODEL_FORMAT,
        "myograph_version": myograph.__version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "arrays": npz_path.name,
        "arrays_sha256": hashlib.sha256(blob).hexdigest(),
        "metadata": metadata or {},
        "model": model,
    }
    try:
        json.dumps(doc)
    except TypeError as exc:
        raise ParameterError("metadata", f"must be JSON-able: {exc}") from exc
    doc["sha256"] = _body_hash(doc)
    with atomic_open(npz_path, "wb") as f:
        f.write(blob)
    with atomic_open(json_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    return json_path


def load(path: Any, *, with_metadata: bool = False) -> Any:
    """Load a pipeline saved by :func:`save` (optionally with its metadata).

    Raises
    ------
    FileNotFoundError
        The JSON or its ``.npz`` is missing.
    FileFormatError
        Not a model file, checksum mismatch (tampered or truncated), or a class that
        is not allowed.
    """
    import sklearn

    json_path, _ = _paths(path)
    try:
        doc = json.loads(json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(json_path, "json", f"not a JSON model file: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != MODEL_FORMAT:
        raise FileFormatError(json_path, "format", f"expected {MODEL_FORMAT!r}, got {doc.get('format') if isinstance(doc, dict) else type(doc).__name__!r}")
    if doc.get("sha256") != _body_hash(doc):
        raise FileFormatError(json_path, "sha256", "the JSON body does not match its checksum (edited or damaged)")
    npz_path = json_path.with_name(str(doc["arrays"]))
    if npz_path.parent != json_path.parent or "/" in str(doc["arrays"]) or "\\" in str(doc["arrays"]):
        raise FileFormatError(json_path, "arrays", f"must name a file beside the JSON, got {doc['arrays']!r}")
    blob = npz_path.read_bytes()
    if hashlib.sha256(blob).hexdigest() != doc.get("arrays_sha256"):
        raise FileFormatError(npz_path, "sha256", f"arrays do not match the checksum in {json_path.name} (tampered or damaged)")
    if doc.get("sklearn_version") != sklearn.__version__:
        warn(f"{json_path}: saved with scikit-learn {doc.get('sklearn_version')}, loading with {sklearn.__version__}; "
             "predictions may differ")
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        arrs = {k: arrays[k] for k in arrays.files}
    est = _decode_estimator(doc["model"], arrs, json_path)
    return (est, doc.get("metadata", {})) if with_metadata else est
