"""Myoelectric control, offline: datasets, pipelines, evaluation, post-processing, model files.

- :mod:`~myograph.control.dataset` — :class:`GestureDataset` (windows, labels, and the
  repetition/session/subject groups) from Recordings (:func:`from_recording`) or
  folders (:func:`load_folder`); :func:`augment` (noise, channel shift, gain).
- :mod:`~myograph.control.pipeline` — :func:`make_pipeline`: windows -> features ->
  scaling -> any scikit-learn classifier or regressor; :data:`CLASSIFIERS`,
  :data:`REGRESSORS`.
- :mod:`~myograph.control.evaluate` — protocols (:class:`LeaveOneRepetitionOut`,
  :class:`CrossSession`, :class:`CrossSubject`, :class:`ShortCalibration`),
  metrics, :func:`evaluate`.
- :mod:`~myograph.control.postprocess` — :func:`reject`, :func:`majority_vote`,
  proportional/velocity output with a dead band.
- :mod:`~myograph.control.persist` — :func:`save`/:func:`load` without pickle.
- :mod:`~myograph.control.onnx_export` — :func:`export_onnx`/:func:`onnx_predict` for
  embedded controllers (the ``[onnx]`` extra).

Online:

- :mod:`~myograph.control.preprocess` — :class:`Preprocess`, the causal conditioning
  shared by training and the live controller.
- :mod:`~myograph.control.model` — :class:`ControlModel`: a fitted pipeline plus the
  :class:`ModelInfo` (rate, window, channels, classes, filter, intensity calibration).
- :mod:`~myograph.control.online` — :class:`OnlineController`: blocks in, a
  :class:`Decision` every step out, equal to the offline pipeline.
- :mod:`~myograph.control.outputs` — UDP, LSL, keyboard, stdout (:func:`open_output`).
- running a controller on a live source (source -> controller -> output, with decision
  and input logs) belongs to the acquisition layer above: :func:`myograph.acquire.run_control`.
- :mod:`~myograph.control.latency` — :class:`LatencyReport` against Farrell & Weir (2007).

See ``docs/control.md``.
"""

from myograph.control.dataset import (
    LAYOUTS,
    MYO_READINGS_CLASSES,
    GestureDataset,
    augment,
    from_recording,
    load_folder,
)
from myograph.control.evaluate import (
    REJECTED,
    CrossSession,
    CrossSubject,
    EvaluationResult,
    LeaveOneRepetitionOut,
    ShortCalibration,
    accuracy,
    active_error,
    balanced_accuracy,
    classification_scores,
    confusion_matrix,
    decisions,
    evaluate,
    instability,
    nrmse,
    r2,
    regression_scores,
    rejection_rate,
    rmse,
    streams,
)
from myograph.control.latency import LatencyReport, latency_report
from myograph.control.model import ControlModel, ModelInfo
from myograph.control.online import Decision, OnlineController
from myograph.control.outputs import OUTPUT_HELP, open_output
from myograph.control.onnx_export import export_onnx, onnx_predict
from myograph.control.persist import load, register, save
from myograph.control.preprocess import Preprocess
from myograph.control.pipeline import CLASSIFIERS, REGRESSORS, make_estimator, make_pipeline
from myograph.control.postprocess import (
    contraction_intensity,
    dead_band,
    majority_vote,
    proportional_output,
    reject,
    velocity,
)

__all__ = [
    "GestureDataset", "from_recording", "load_folder", "augment", "LAYOUTS", "MYO_READINGS_CLASSES",
    "make_pipeline", "make_estimator", "CLASSIFIERS", "REGRESSORS",
    "LeaveOneRepetitionOut", "CrossSession", "CrossSubject", "ShortCalibration", "evaluate", "EvaluationResult",
    "accuracy", "balanced_accuracy", "active_error", "instability", "rejection_rate", "confusion_matrix", "r2", "rmse", "nrmse",
    "streams", "REJECTED", "decisions", "classification_scores", "regression_scores",
    "reject", "majority_vote", "contraction_intensity", "dead_band", "proportional_output", "velocity",
    "save", "load", "register", "export_onnx", "onnx_predict",
    "Preprocess", "ControlModel", "ModelInfo", "OnlineController", "Decision", "LatencyReport", "latency_report",
    "open_output", "OUTPUT_HELP",
]

