"""Saving fitted pipelines without pickle: parameters as JSON, arrays as ``.npz``.

:func:`save` writes two files, both atomically:

``<name>.json``
    the format (:data:`MODEL_FORMAT`), the library versions, your ``metadata``, one
    *step spec* per estimator (its class, constructor parameters and scalar learned
    attributes, with arrays named by their key in the ``.npz``), and the SHA-256 of the
    JSON body and of the ``.npz``.
``<name>.npz``
    every learned array (read back with ``allow_pickle=False``) and, for steps saved
    through skops (below), that step's skops bytes as a ``uint8`` array.

:func:`load` refuses a file whose checksums do not match (a tampered or truncated
file) with a :class:`~myograph.FileFormatError`, and rebuilds only classes it allows:
the file names classes, it never names code to run.

Two ways to store a step:

* **Allow-listed classes** (:data:`SUPPORTED`) are stored as JSON + arrays and rebuilt
  by calling the class with the saved parameters and setting the saved attributes:
  scikit-learn's ``StandardScaler``, ``LinearDiscriminantAnalysis``,
  ``QuadraticDiscriminantAnalysis``, ``LinearRegression``, ``Ridge``,
  ``LogisticRegression``, ``LinearSVC``, ``SVC`` (any kernel),
  ``KNeighborsClassifier``/``KNeighborsRegressor`` (stored as their training set and
  refitted on load, which rebuilds the same search tree), ``Pipeline``, and
  ``myograph.features.FeatureExtractor``; :func:`register` adds a class of your own.
* **Any other scikit-learn estimator** (random forests, gradient boosting, MLPs,
  calibrated or other meta-estimators...), whose fitted state holds objects (trees,
  optimisers) rather than arrays, is serialised with ``skops.io.dumps``; the step spec
  is ``{"class": ..., "skops": <npz key>, "skops_version": ...}`` and the ``.npz``
  checksum covers the bytes. On load the types skops does not trust by default
  (``skops.io.get_untrusted_types``) are vetted before ``skops.io.loads`` sees them:
  each must be a *class* (not a function, which a step could call with saved
  arguments) from ``sklearn``, ``numpy``, ``scipy`` or ``builtins``, or a class on
  myograph's allow-list; anything else is refused by name with a
  :class:`~myograph.FileFormatError`, even when the checksums match. :func:`save` runs
  the same vetting, so it never writes a file that :func:`load` would refuse.

Classes that are neither (your own, unregistered) are refused by name with a
:class:`~myograph.ParameterError` before anything is written.

Predictions of a loaded pipeline equal the saved one's exactly (same arrays, same
code), provided the scikit-learn version is the same; a different version loads with
a :class:`~myograph.MyographWarning`. For embedded controllers see
:mod:`myograph.control.onnx_export`.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import zipfile
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


def _name_of(est: Any) -> str | None:
    """The allow-list name of ``est``'s class, or None when it is not allow-listed."""
    _load_allowlist()
    for k, v in SUPPORTED.items():
        if type(est) is v:
            return k
    return None


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


# --- skops fallback for other scikit-learn estimators ----------------------------------

#: top-level packages whose classes a skops blob may contain (besides the allow-list)
_SKOPS_PACKAGES = ("sklearn", "numpy", "scipy", "builtins")


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _lookup(dotted: str) -> Any:
    """The object a dotted name refers to (importing its module), or None."""
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def _refusal(dotted: str) -> str | None:
    """Why a type named in a skops blob is not trusted, or None when it is."""
    _load_allowlist()
    if dotted in SUPPORTED or dotted in {_dotted(c) for c in SUPPORTED.values()}:
        return None
    parts = dotted.split(".")
    if parts[0] not in _SKOPS_PACKAGES:
        return f"{dotted} is not from {'/'.join(_SKOPS_PACKAGES)} nor on myograph's allow-list (register() adds a class)"
    if any(p.startswith("__") or not p.isidentifier() for p in parts):
        return f"{dotted} is not a plain class name"
    try:
        obj = _lookup(dotted)  # only modules of the packages above are imported
    except Exception as exc:  # e.g. a deprecation raised as an error on import
        return f"{dotted} cannot be looked up: {type(exc).__name__}: {exc}"
    if obj is None:
        return f"{dotted} does not exist in the installed libraries"
    if not isinstance(obj, type):
        return f"{dotted} is a {type(obj).__name__}, not a class (functions are never trusted)"
    return None


def _vetted(blob: bytes) -> tuple[list[str], list[str]]:
    """(trusted, refusals) for the types skops does not trust by default in ``blob``."""
    import skops.io as sio

    trusted, refused = [], []
    for name in sio.get_untrusted_types(data=blob):
        why = _refusal(name)
        if why is None:
            trusted.append(name)
        else:
            refused.append(why)
    return trusted, refused


def _encode_skops(est: Any, enc: _Encoder, prefix: str) -> dict:
    cls = type(est)
    dotted = _dotted(cls)
    if cls.__module__.split(".")[0] != "sklearn":
        raise ParameterError(
            "pipeline", f"cannot save {dotted} without pickle: it is neither allow-listed "
                        f"({sorted(k.rpartition('.')[2] for k in SUPPORTED)}) nor a scikit-learn class (saved with "
                        "skops); register() adds your own class")
    import skops
    import skops.io as sio

    try:
        blob = sio.dumps(est, compression=zipfile.ZIP_DEFLATED)
    except Exception as exc:  # skops names what it cannot serialise
        raise ParameterError("pipeline", f"{dotted}: skops cannot serialise it: {exc}") from exc
    _, refused = _vetted(blob)
    if refused:
        raise ParameterError("pipeline", f"{dotted} holds types that load() would refuse: {'; '.join(refused)}")
    key = f"{prefix}__skops__"
    enc.arrays[key] = np.frombuffer(blob, dtype=np.uint8)
    return {"class": dotted, "skops": key, "skops_version": skops.__version__}


def _decode_skops(spec: dict, arrays: Any, file: Path) -> Any:
    import skops.io as sio

    name, key = spec.get("class"), spec.get("skops")
    if not isinstance(name, str) or name.split(".")[0] != "sklearn":
        raise FileFormatError(file, "class", f"{name!r}: only scikit-learn steps are stored with skops")
    a = arrays.get(key) if isinstance(key, str) else None
    if a is None or a.dtype != np.uint8 or a.ndim != 1:
        raise FileFormatError(file, "skops", f"{name}: no uint8 array {key!r} in the .npz")
    blob = a.tobytes()
    try:
        trusted, refused = _vetted(blob)
    except Exception as exc:
        raise FileFormatError(file, "skops", f"{name}: not a skops file: {exc}") from exc
    if refused:
        raise FileFormatError(file, "skops", f"{name}: refused type(s): {'; '.join(refused)}")
    try:
        est = sio.loads(blob, trusted=trusted)
    except Exception as exc:
        raise FileFormatError(file, "skops", f"{name}: skops could not load it: {exc}") from exc
    if _dotted(type(est)) != name:
        raise FileFormatError(file, "skops", f"the step is a {_dotted(type(est))}, the file says {name}")
    return est


def _encode_estimator(est: Any, enc: _Encoder, prefix: str) -> dict:
    from sklearn.utils.validation import check_is_fitted

    name = _name_of(est)
    if name is None:
        return _encode_skops(est, enc, prefix)
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
    if "skops" in spec:
        return _decode_skops(spec, arrays, file)
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
        Steps in :data:`SUPPORTED` are stored as JSON + arrays, other scikit-learn
        estimators through skops (see the module documentation).
    path : path-like
        The JSON file (``.json`` is appended when missing); the arrays go beside it
        with the suffix ``.npz``.
    metadata : dict, optional
        JSON-able information stored with the model (class names, window length,
        sampling rate, training data...).

    Raises
    ------
    ParameterError
        A step that cannot be saved without pickle (neither allow-listed nor
        scikit-learn, or holding a type :func:`load` would refuse), naming its class.
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
        Not a model file, checksum mismatch (tampered or truncated), a class that
        is not allowed, or a skops step containing a type that is not trusted.
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
