"""The live controller: blocks of samples in, one decision every ``step_s`` out.

:class:`OnlineController` turns a stream into decisions with exactly the
processing the model was trained with: the model's causal
:class:`~myograph.control.preprocess.Preprocess` runs as a streaming filter,
the last ``window_s`` of filtered samples form the window, and every ``step_s``
(counted in samples from the first sample fed) the pipeline decides. Fed a
whole recording block by block, its raw decisions equal the offline pipeline's
on the same causally filtered windows (tested to the last bit), whatever the
block sizes.

Post-processing is causal and equal to the offline functions of
:mod:`myograph.control.postprocess`: rejection below a confidence threshold
(:func:`~myograph.control.postprocess.reject`), then a majority vote over the
last ``vote`` decisions (:func:`~myograph.control.postprocess.majority_vote`),
then the proportional speed from the contraction intensity
(:func:`~myograph.control.postprocess.proportional_output`) when the model has an
intensity calibration.

Each :class:`Decision` carries its timing: when the block that completed its
window was received, when the decision was ready, and the processing time
(channel selection, filtering of that block, features, prediction and
post-processing), so :mod:`myograph.control.latency` can report the controller
delay. A gap in the stream (the block counter jumps) restarts the filter and the
window, as the offline causal filter restarts after a gap.
"""

from __future__ import annotations

import collections
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.control.model import ControlModel
from myograph.control.postprocess import REJECTED, dead_band
from myograph.core.errors import ParameterError, warn
from myograph.features.windows import window_lengths

__all__ = ["Decision", "OnlineController", "StreamingVote"]


@dataclass(frozen=True)
class Decision:
    """One decision of the live controller.

    Attributes
    ----------
    seq : int
        Decision number from 0.
    sample : int
        Stream sample index one past the window's last sample (the window is
        ``[sample - n_window, sample)``).
    label : int
        Class index after rejection and vote (``-1``: rejected); ``-1`` for a regressor.
    name : str
        Class name, ``"rejected"``, or ``""`` for a regressor.
    raw_label : int
        The classifier's own decision before post-processing.
    probability : float
        Largest class probability (``nan`` when the model gives none).
    intensity : float
        Contraction intensity of the window (mean absolute value, V).
    speed : float
        Proportional speed in [0, 1] (``nan`` without an intensity calibration).
    outputs : tuple of float
        Regressor outputs (degrees of freedom); empty for a classifier.
    window_end_s : float
        Source-clock time just after the window's last sample, s (``nan`` when the
        source has no clock).
    received_s : float
        ``time.monotonic()`` when the block completing the window was received.
    decided_s : float
        ``time.monotonic()`` when the decision was ready.
    processing_s : float
        Processing time of this decision (filtering its block, features, predict,
        post-processing), s.
    probabilities : tuple of float
        Probability of each class, in the order of the model's ``class_names``
        (empty when the model gives none).
    """

    seq: int
    sample: int
    label: int
    name: str
    raw_label: int
    probability: float
    intensity: float
    speed: float
    outputs: tuple[float, ...]
    window_end_s: float
    received_s: float
    decided_s: float
    processing_s: float
    probabilities: tuple[float, ...] = ()


class StreamingVote:
    """Causal majority vote over the last ``n`` values, ties to the most recent.

    Fed one value at a time it returns what
    :func:`~myograph.control.postprocess.majority_vote` returns for that position.
    """

    def __init__(self, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterError("vote", f"must be an integer >= 1, got {n!r}")
        self.n = int(n)
        self._last: collections.deque[int] = collections.deque(maxlen=self.n)

    def reset(self) -> None:
        self._last.clear()

    def __call__(self, value: int) -> int:
        self._last.append(int(value))
        if self.n == 1:
            return int(value)
        counts = collections.Counter(self._last)
        top = max(counts.values())
        for v in reversed(self._last):  # the most recent of the most frequent
            if counts[v] == top:
                return v
        raise AssertionError("unreachable")  # pragma: no cover


class _Predictor:
    """The pipeline's prediction for a few windows, without the pipeline's per-call input checks.

    A live decision is one window; scikit-learn validates the input at every step of
    a Pipeline (about 0.4 ms of a 0.6 ms decision on the project's machine). For the
    pipelines :func:`~myograph.control.make_pipeline` builds —
    ``FeatureExtractor -> [StandardScaler] -> estimator`` — the features come from the
    extractor's ``transform``, are scaled with the fitted ``mean_``/``scale_``, and
    handed to the estimator directly; an LDA is evaluated with its fitted
    ``coef_``/``intercept_`` (softmax, or the logistic for two classes, as
    scikit-learn's LDA does). Any other pipeline goes through scikit-learn
    unchanged. The test suite checks both paths give the same result (to 1e-12).
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.fast = False
        self.lda = False
        steps = [s for _, s in getattr(pipeline, "steps", [])]
        if len(steps) < 2:
            return
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
        from sklearn.preprocessing import StandardScaler

        from myograph.features import FeatureExtractor

        fe, *middle, est = steps
        if type(fe) is not FeatureExtractor or len(middle) > 1 or any(type(m) is not StandardScaler for m in middle):
            return
        self.fe = fe
        self.scaler = middle[0] if middle else None
        self.est = est
        self.fast = True
        if type(est) is LinearDiscriminantAnalysis:
            self.lda = True
            self.coef = np.asarray(est.coef_, dtype=np.float64)
            self.intercept = np.asarray(est.intercept_, dtype=np.float64)

    def _features(self, W: np.ndarray) -> np.ndarray:
        F = self.fe.transform(W)
        sc = self.scaler
        if sc is not None:
            if sc.with_mean:
                F = F - sc.mean_
            if sc.with_std:
                F = F / sc.scale_
        return F

    def predict(self, W: np.ndarray) -> np.ndarray:
        if not self.fast:
            return self.pipeline.predict(W)
        if self.lda:
            return self.est.classes_[np.argmax(self.predict_proba(W), axis=1)]
        return self.est.predict(self._features(W))

    def predict_proba(self, W: np.ndarray) -> np.ndarray:
        if not self.fast:
            return self.pipeline.predict_proba(W)
        F = self._features(W)
        if not self.lda:
            return self.est.predict_proba(F)
        d = F @ self.coef.T + self.intercept
        if d.shape[1] == 1:  # two classes: the logistic of the decision
            p1 = 1.0 / (1.0 + np.exp(-d[:, 0]))
            return np.column_stack([1.0 - p1, p1])
        d = d - d.max(axis=1, keepdims=True)
        e = np.exp(d)
        return e / e.sum(axis=1, keepdims=True)


def _channel_index(model_names: tuple[str, ...], source_names: list[str]) -> list[int]:
    if all(n in source_names for n in model_names):
        return [source_names.index(n) for n in model_names]
    if len(source_names) == len(model_names):
        warn(f"the source's channels {source_names} are not the model's {list(model_names)}; "
             "using them in order (check the electrode placement matches)")
        return list(range(len(model_names)))
    missing = [n for n in model_names if n not in source_names]
    raise ParameterError("source", f"lacks the model's channels {missing} and has {len(source_names)} channels, "
                                   f"not the {len(model_names)} the model needs")


class OnlineController:
    """Streaming decisions from a :class:`~myograph.control.ControlModel`.

    Parameters
    ----------
    model : ControlModel
    fs : float
        The stream's sampling rate, Hz; must equal the model's (no live resampling).
    ch_names : sequence of str
        The stream's channel names. The model's channels are taken by name when all
        are present; otherwise, if the counts agree, in order (with a warning).
    vote : int, default 1
        Majority vote over this many decisions (1: none).
    reject_threshold : float, optional
        Reject decisions whose largest probability is below this (needs a model
        with probabilities).
    dead_band : float, default 0
        Dead band of the proportional speed, fraction of the range.

    Examples
    --------
    >>> ctl = OnlineController(model, fs=src.info.fs, ch_names=src.info.channels.names)  # doctest: +SKIP
    >>> for d in ctl.feed_block(src.read()):                                          # doctest: +SKIP
    ...     print(d.name, d.speed)
    """

    def __init__(self, model: ControlModel, *, fs: float, ch_names: Any, vote: int = 1,
                 reject_threshold: float | None = None, dead_band: float = 0.0) -> None:
        if not isinstance(model, ControlModel):
            raise ParameterError("model", f"must be a ControlModel, got {type(model).__name__}")
        info = model.info
        if not math.isclose(float(fs), info.fs, rel_tol=1e-6):
            raise ParameterError("source", f"streams at {float(fs):g} Hz but the model was trained at {info.fs:g} Hz; "
                                           "record at the model's rate or retrain")
        self.model = model
        self.fs = info.fs
        self.ch_names = [str(c) for c in ch_names]
        self._idx = _channel_index(info.ch_names, self.ch_names)
        self.n_window, self.step = window_lengths(info.fs, info.window_s, info.step_s)
        if reject_threshold is not None:
            if not model.has_proba:
                raise ParameterError("reject_threshold", f"needs class probabilities; {info.estimator} gives none "
                                                         "(use LDA, QDA, logreg, or an SVM with probability=True)")
            if not 0.0 <= float(reject_threshold) <= 1.0:
                raise ParameterError("reject_threshold", f"must be a probability in [0, 1], got {reject_threshold!r}")
        self.reject_threshold = None if reject_threshold is None else float(reject_threshold)
        self._vote = StreamingVote(vote)
        if not 0.0 <= float(dead_band) < 1.0:
            raise ParameterError("dead_band", f"must be in [0, 1), got {dead_band!r}")
        self.dead_band = float(dead_band)
        self._rest = info.class_names.index(info.rest) if info.rest in info.class_names else None
        self._proba = model.has_proba
        self._predictor = _Predictor(model.pipeline)
        est = model.pipeline.steps[-1][1] if hasattr(model.pipeline, "steps") else model.pipeline
        self._classes = np.asarray(getattr(est, "classes_", np.arange(len(info.class_names))))
        self.gaps = 0
        self.decisions = 0
        self._filter = info.preprocess.streaming(info.fs, len(self._idx))
        self._reset_stream(None)

    def __repr__(self) -> str:
        return (f"<OnlineController {self.model.info.estimator} | window {self.n_window} samples every {self.step}, "
                f"vote {self._vote.n}, {self.decisions} decisions, {self.gaps} gaps>")

    def _reset_stream(self, origin: int | None) -> None:
        if self._filter is not None:
            self._filter.reset()
        self._tail = np.zeros((len(self._idx), 0))
        self._origin = origin  # first sample of the current run (windows counted from it)
        self._next = origin

    def reset(self) -> None:
        """Forget the stream (filter state, window, vote)."""
        self._reset_stream(None)
        self._vote.reset()

    def feed_block(self, block: Any) -> list[Decision]:
        """Feed a :class:`~myograph.acquire.Block`; the decisions whose windows it completed."""
        return self.feed(block.data, first_sample=block.first_sample, received_s=block.received_s,
                         timestamp_s=block.timestamp_s)

    def feed(self, data: Any, *, first_sample: int | None = None, received_s: float | None = None,
             timestamp_s: float = math.nan) -> list[Decision]:
        """Feed ``(n_channels, n_samples)`` of the stream (all its channels, volts).

        ``first_sample`` is the stream counter of the first sample (default: right
        after the previous chunk); a jump is a gap, after which the filter and the
        window restart. ``timestamp_s`` is the source-clock time of the first sample.
        """
        t0 = time.perf_counter()
        received = time.monotonic() if received_s is None else float(received_s)
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != len(self.ch_names):
            raise ParameterError("data", f"expected ({len(self.ch_names)}, n_samples), got {arr.shape}")
        x = arr[self._idx]
        n = x.shape[1]
        if first_sample is None:
            first_sample = 0 if self._next is None else self._next
        first_sample = int(first_sample)
        if self._next is None:
            self._reset_stream(first_sample)
        elif first_sample != self._next:
            self.gaps += 1
            self._reset_stream(first_sample)
        if n == 0:
            return []
        if self._filter is not None:
            x = self._filter.process(x)
        buf = np.concatenate([self._tail, x], axis=1) if self._tail.shape[1] else x
        base = first_sample - self._tail.shape[1]  # stream index of buf[:, 0]
        end = first_sample + n
        self._next = end
        self._tail = buf[:, -(self.n_window - 1):] if self.n_window > 1 else buf[:, :0]
        # window ends (exclusive) at origin + n_window + k * step that fall in (first_sample, end]
        first_end = self._origin + self.n_window
        k0 = max(0, -(-(first_sample + 1 - first_end) // self.step))
        ends = list(range(first_end + k0 * self.step, end + 1, self.step))
        if not ends:
            return []
        W = np.stack([buf[:, e - base - self.n_window:e - base] for e in ends])
        return self._decide(W, ends, first_sample, received, timestamp_s, t0)

    def _decide(self, W: np.ndarray, ends: list[int], first_sample: int, received: float, timestamp_s: float,
                t0: float) -> list[Decision]:
        info = self.model.info
        intensity = np.mean(np.abs(W), axis=(1, 2))
        speed = np.full(len(ends), np.nan)
        outputs: list[tuple[float, ...]] = [()] * len(ends)
        probabilities: list[tuple[float, ...]] = [()] * len(ends)
        if info.kind == "regressor":
            pred = np.asarray(self._predictor.predict(W), dtype=np.float64).reshape(len(ends), -1)
            raw = np.full(len(ends), REJECTED)
            prob = np.full(len(ends), np.nan)
            outputs = [tuple(float(v) for v in row) for row in pred]
        elif self._proba:
            p = self._predictor.predict_proba(W)
            best = np.argmax(p, axis=1)
            raw = self._classes[best].astype(np.int64)
            prob = p[np.arange(len(ends)), best]
            full = np.zeros((len(ends), len(info.class_names)))
            full[:, self._classes.astype(np.int64)] = p  # columns follow class_names
            probabilities = [tuple(float(v) for v in row) for row in full]
        else:
            raw = np.asarray(self._predictor.predict(W)).astype(np.int64)
            prob = np.full(len(ends), np.nan)
        labels = []
        for i in range(len(ends)):
            lab = int(raw[i])
            if info.kind == "classifier":
                if self.reject_threshold is not None and prob[i] < self.reject_threshold:
                    lab = REJECTED
                lab = self._vote(lab)
            labels.append(lab)
        if info.kind == "classifier" and info.intensity_low is not None and info.intensity_high is not None:
            lo, hi = info.intensity_low, info.intensity_high
            s = np.clip((intensity - lo) / (hi - lo), 0.0, 1.0)
            s = dead_band(s, self.dead_band)
            for i, lab in enumerate(labels):
                speed[i] = 0.0 if lab in (REJECTED, self._rest) else s[i]
        decided = time.monotonic()
        processing = time.perf_counter() - t0
        out = []
        for i, e in enumerate(ends):
            lab = labels[i]
            name = "" if info.kind == "regressor" else ("rejected" if lab == REJECTED else info.class_names[lab])
            out.append(Decision(
                seq=self.decisions, sample=e, label=lab, name=name, raw_label=int(raw[i]), probability=float(prob[i]),
                intensity=float(intensity[i]), speed=float(speed[i]), outputs=outputs[i],
                window_end_s=float(timestamp_s) + (e - first_sample) / self.fs, received_s=received,
                decided_s=decided, processing_s=processing, probabilities=probabilities[i]))
            self.decisions += 1
        return out
