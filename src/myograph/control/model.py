"""A trained controller: the fitted pipeline plus what the live side must know to use it.

A scikit-learn pipeline alone does not say at what rate, on which channels, after
which filter and with which window it was trained; a live controller that guessed
would silently compute different features. :class:`ControlModel` bundles the
fitted pipeline with a :class:`ModelInfo` — sampling rate, window and step,
channel and class names, the causal :class:`~myograph.control.preprocess.Preprocess`
the windows were cut after, and the contraction-intensity calibration for
proportional (speed) output — and saves both in one model file pair
(:func:`myograph.control.save`'s JSON + ``.npz``, the info in its metadata).

:meth:`ControlModel.train` fits from a :class:`~myograph.control.GestureDataset`
(whose ``preprocess`` it records); :meth:`ControlModel.load` refuses a file that
lacks the info, naming the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from myograph.control.dataset import GestureDataset
from myograph.control.preprocess import IDENTITY, Preprocess
from myograph.core.errors import FileFormatError, ParameterError

__all__ = ["ModelInfo", "ControlModel", "intensity_calibration"]


@dataclass(frozen=True)
class ModelInfo:
    """What a live controller needs besides the fitted pipeline.

    Attributes
    ----------
    kind : {"classifier", "regressor"}
    fs : float
        Sampling rate the model was trained at, Hz.
    window_s, step_s : float
        Analysis window and decision step, s.
    ch_names : tuple of str
        Channels, in the order of the pipeline's channel axis.
    class_names : tuple of str
        Classes (classifier; the pipeline predicts indices into it); empty for a regressor.
    rest : str or None
        The no-motion class.
    preprocess : Preprocess
        Causal conditioning applied before windowing.
    features : str or list of str
        The feature set or names (for reports and the ONNX side).
    estimator : str
        The estimator's class name.
    intensity_low, intensity_high : float or None
        Contraction intensity (mean absolute value over channels, V) at rest and of a
        strong contraction, for proportional output; ``None`` when unknown.
    outputs : tuple of str
        Names of the regressor's outputs (degrees of freedom).
    trained_on : dict
        Windows per class, sessions and subjects of the training data.
    """

    kind: str
    fs: float
    window_s: float
    step_s: float
    ch_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    rest: str | None = None
    preprocess: Preprocess = IDENTITY
    features: Any = "TD4"
    estimator: str = ""
    intensity_low: float | None = None
    intensity_high: float | None = None
    outputs: tuple[str, ...] = ()
    trained_on: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["preprocess"] = self.preprocess.to_dict()
        d["ch_names"], d["class_names"], d["outputs"] = list(self.ch_names), list(self.class_names), list(self.outputs)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], file: Any = "model") -> "ModelInfo":
        required = ("kind", "fs", "window_s", "step_s", "ch_names")
        for k in required:
            if k not in d:
                raise FileFormatError(file, f"metadata.control.{k}", "missing: this is not a myograph control model")
        try:
            return cls(
                kind=str(d["kind"]), fs=float(d["fs"]), window_s=float(d["window_s"]), step_s=float(d["step_s"]),
                ch_names=tuple(str(c) for c in d["ch_names"]), class_names=tuple(str(c) for c in d.get("class_names", ())),
                rest=d.get("rest"), preprocess=Preprocess.from_dict(d.get("preprocess")),
                features=d.get("features", "TD4"), estimator=str(d.get("estimator", "")),
                intensity_low=d.get("intensity_low"), intensity_high=d.get("intensity_high"),
                outputs=tuple(str(o) for o in d.get("outputs", ())), trained_on=dict(d.get("trained_on", {})),
            )
        except (TypeError, ValueError, ParameterError) as exc:
            raise FileFormatError(file, "metadata.control", f"unreadable model information: {exc}") from exc


def intensity_calibration(dataset: GestureDataset, *, high_percentile: float = 95.0) -> tuple[float | None, float | None]:
    """``(low, high)`` contraction intensity (V) from a dataset: rest median, active ``high_percentile``.

    Intensity is :func:`~myograph.control.postprocess.contraction_intensity` (mean
    absolute value over channels and samples of a window). ``(None, None)`` when the
    dataset lacks rest or active windows, or they do not separate.
    """
    from myograph.control.postprocess import contraction_intensity

    ri = dataset.rest_index
    if ri is None or len(dataset) == 0:
        return None, None
    s = contraction_intensity(dataset.X)
    rest, active = s[dataset.y == ri], s[dataset.y != ri]
    if not rest.size or not active.size:
        return None, None
    low, high = float(np.median(rest)), float(np.percentile(active, high_percentile))
    return (low, high) if high > low else (None, None)


class ControlModel:
    """A fitted pipeline and its :class:`ModelInfo`.

    Use :meth:`train` (from a dataset) or :meth:`load` (from a file); :meth:`save`
    writes the model file pair. ``predict``/``predict_proba`` take raw windows
    ``(n_windows, n_channels, n_window_samples)`` cut after :attr:`info.preprocess
    <ModelInfo.preprocess>`.
    """

    def __init__(self, pipeline: Any, info: ModelInfo) -> None:
        if not hasattr(pipeline, "predict"):
            raise ParameterError("pipeline", f"must be a fitted estimator with predict, got {type(pipeline).__name__}")
        self.pipeline = pipeline
        self.info = info

    def __repr__(self) -> str:
        i = self.info
        what = f"classes {list(i.class_names)}" if i.kind == "classifier" else f"outputs {list(i.outputs)}"
        return (f"<ControlModel {i.estimator} on {i.features} | {len(i.ch_names)} ch at {i.fs:g} Hz, "
                f"window {i.window_s * 1e3:g} ms every {i.step_s * 1e3:g} ms, {what}>")

    @property
    def has_proba(self) -> bool:
        """Whether the pipeline gives class probabilities (rejection needs them)."""
        # scikit-learn hides predict_proba where the estimator cannot give it (an SVC without probabilities)
        return self.info.kind == "classifier" and hasattr(self.pipeline, "predict_proba")

    @classmethod
    def train(
        cls,
        dataset: GestureDataset,
        *,
        features: Any = "TD4",
        classifier: Any = "lda",
        regressor: Any = None,
        outputs: Sequence[str] | None = None,
        feature_params: dict | None = None,
        scale: bool = True,
        **estimator_params: Any,
    ) -> "ControlModel":
        """Fit :func:`~myograph.control.make_pipeline` on ``dataset`` and record what it was trained on.

        For a regressor the dataset needs ``targets``; ``outputs`` names their columns.
        """
        from myograph.control.pipeline import make_pipeline

        if not isinstance(dataset, GestureDataset):
            raise ParameterError("dataset", f"expected a GestureDataset, got {type(dataset).__name__}")
        if len(dataset) == 0:
            raise ParameterError("dataset", "has no windows")
        pipe = make_pipeline(features, classifier, regressor=regressor, window_s=dataset.window_s,
                             step_s=dataset.step_s, fs=dataset.fs, scale=scale, feature_params=feature_params,
                             **estimator_params)
        if regressor is not None:
            if dataset.targets is None:
                raise ParameterError("dataset", "a regressor needs targets (from_recording(targets=...))")
            pipe.fit(dataset.X, dataset.targets)
            kind = "regressor"
            n_out = dataset.targets.shape[1]
            names = tuple(outputs) if outputs is not None else tuple(f"dof{k + 1}" for k in range(n_out))
            if len(names) != n_out:
                raise ParameterError("outputs", f"need {n_out} names, got {len(names)}")
        else:
            if len(np.unique(dataset.y)) < 2:
                raise ParameterError("dataset", f"needs at least two classes to train a classifier, got {list(dataset.class_names)}")
            pipe.fit(dataset.X, dataset.y)
            kind, names = "classifier", ()
        low, high = intensity_calibration(dataset)
        counts = {dataset.class_names[k]: int(n) for k, n in zip(*np.unique(dataset.y, return_counts=True))}
        info = ModelInfo(
            kind=kind, fs=float(dataset.fs), window_s=float(dataset.window_s), step_s=float(dataset.step_s),
            ch_names=tuple(dataset.ch_names), class_names=tuple(dataset.class_names) if kind == "classifier" else (),
            rest=dataset.rest, preprocess=dataset.preprocess or IDENTITY,
            features=features if isinstance(features, str) else list(features),
            estimator=type(pipe.steps[-1][1]).__name__, intensity_low=low, intensity_high=high, outputs=names,
            trained_on={"windows": int(len(dataset)), "per_class": counts,
                        "sessions": sorted(set(map(str, dataset.session.tolist()))),
                        "subjects": sorted(set(map(str, dataset.subject.tolist())))},
        )
        return cls(pipe, info)

    def predict(self, X: Any) -> np.ndarray:
        """Class indices (classifier) or outputs ``(n_windows, n_outputs)`` (regressor) of raw windows."""
        return self.pipeline.predict(X)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``<path>.json`` + ``<path>.npz`` (see :func:`myograph.control.save`); returns the JSON path."""
        from myograph.control.persist import save

        return save(self.pipeline, path, metadata={"control": self.info.to_dict()})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "ControlModel":
        """Read a model written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            The file (or its ``.npz``) is missing.
        FileFormatError
            Not a model file, damaged, or saved without the control information.
        """
        from myograph.control.persist import load

        pipe, meta = load(path, with_metadata=True)
        if not isinstance(meta, Mapping) or "control" not in meta:
            raise FileFormatError(path, "metadata.control",
                                  "missing: saved with control.save() as a bare pipeline; save a ControlModel instead")
        return cls(pipe, ModelInfo.from_dict(meta["control"], file=path))

