"""Post-processing of decision streams: rejection, majority vote, proportional output.

All functions are causal (output *i* depends only on inputs ``<= i``), so they give
the same result offline as in a live controller fed one decision at a time.

- :func:`reject` — confidence-based rejection: the decision is ``rejected`` (-1)
  when the largest class probability is below a threshold (Scheme, Englehart &
  Hudgins 2011).
- :func:`majority_vote` — each output is the most frequent of the last ``n``
  decisions, ties to the most recent (Englehart & Hudgins 2003).
- :func:`contraction_intensity`, :func:`dead_band`, :func:`proportional_output`,
  :func:`velocity` — speed from the contraction intensity (mean absolute value over
  channels) mapped between a rest level and a strong-contraction level, zero inside a
  dead band and for rest/rejected decisions (Scheme & Englehart 2011, "velocity
  control"; Fougner et al. 2011).

References
----------
Englehart K., Hudgins B. (2003) A robust, real-time control scheme for multifunction
myoelectric control. IEEE Trans Biomed Eng 50(7):848-854.
Scheme E., Englehart K., Hudgins B. (2011) Selective classification for improved
robustness of myoelectric control under nonideal conditions. IEEE Trans Biomed Eng
58(6):1698-1705.
Fougner A., Scheme E., Chan A. D. C., Englehart K., Stavdahl Ø. (2011) Resolving the
limb position effect in myoelectric pattern recognition. IEEE Trans Neural Syst Rehabil
Eng 19(6):644-651.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError

__all__ = ["reject", "majority_vote", "contraction_intensity", "dead_band", "proportional_output", "velocity", "REJECTED"]

REJECTED = -1


def reject(proba: Any, threshold: float, *, classes: Any = None, rejected: Any = REJECTED) -> np.ndarray:
    """Decisions from class probabilities, rejecting those below ``threshold``.

    Parameters
    ----------
    proba : array_like, shape (n_windows, n_classes)
        Class probabilities (``predict_proba``).
    threshold : float
        Minimum largest probability for a decision, in [0, 1].
    classes : array_like, optional
        Class of each column (``estimator.classes_``); default ``0 .. n_classes - 1``.
    rejected : default -1
        What a rejected decision is.
    """
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ParameterError("proba", f"must be (n_windows, n_classes), got shape {p.shape}")
    if not 0.0 <= float(threshold) <= 1.0:
        raise ParameterError("threshold", f"must be a probability in [0, 1], got {threshold!r}")
    cls = np.arange(p.shape[1]) if classes is None else np.asarray(classes)
    if cls.shape != (p.shape[1],):
        raise ParameterError("classes", f"need {p.shape[1]} classes, got {cls.shape}")
    best = np.argmax(p, axis=1)
    out = cls[best].astype(np.result_type(cls.dtype, np.asarray(rejected).dtype), copy=True)
    out[p[np.arange(len(p)), best] < threshold] = rejected
    return out


def majority_vote(decisions: Any, n: int) -> np.ndarray:
    """Causal majority vote over the last ``n`` decisions (ties to the most recent).

    Output *i* is the most frequent value among ``decisions[max(0, i - n + 1) : i + 1]``;
    among equally frequent values the one that occurred last wins. Rejected
    decisions vote like any other value.
    """
    d = np.asarray(decisions)
    if d.ndim != 1:
        raise ParameterError("decisions", f"must be 1-D, got shape {d.shape}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError("n", f"must be an integer >= 1, got {n!r}")
    if n == 1 or d.size == 0:
        return d.copy()
    values, codes = np.unique(d, return_inverse=True)
    k = values.size
    onehot = np.zeros((d.size + 1, k), dtype=np.int64)
    onehot[np.arange(1, d.size + 1), codes] = 1
    csum = np.cumsum(onehot, axis=0)
    i = np.arange(d.size)
    counts = csum[i + 1] - csum[np.maximum(i + 1 - n, 0)]  # (n_windows, k)
    # last occurrence of each value up to i, to break ties toward the most recent
    last = np.full((d.size, k), -1, dtype=np.int64)
    last[i, codes] = i
    last = np.maximum.accumulate(last, axis=0)
    score = counts * (d.size + 1) + last  # count first, recency second
    return values[np.argmax(score, axis=1)]


def contraction_intensity(X: Any) -> np.ndarray:
    """Mean absolute value over channels and samples of each window ``(n_windows, n_channels, n_samples)``."""
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 3:
        raise ParameterError("X", f"must be windows (n_windows, n_channels, n_samples), got shape {x.shape}")
    return np.mean(np.abs(x), axis=(1, 2))


def dead_band(x: Any, threshold: float, *, rescale: bool = True) -> np.ndarray:
    """Zero inside ``|x| < threshold``; outside, shift toward zero so the output is continuous.

    With ``rescale`` (default) the remaining range ``[threshold, 1]`` maps onto ``[0, 1]``
    (for inputs normalised to [-1, 1]): ``sign(x) * (|x| - t) / (1 - t)``.
    """
    v = np.asarray(x, dtype=np.float64)
    t = float(threshold)
    if not 0.0 <= t < 1.0:
        raise ParameterError("threshold", f"must be in [0, 1), got {threshold!r}")
    mag = np.maximum(np.abs(v) - t, 0.0)
    if rescale:
        mag = mag / (1.0 - t)
    return np.sign(v) * mag


def proportional_output(
    decisions: Any,
    intensity: Any,
    *,
    low: float,
    high: float,
    rest: Any = 0,
    rejected: Any = REJECTED,
    dead_band_fraction: float = 0.0,
) -> np.ndarray:
    """Speed in [0, 1] per decision from the contraction intensity.

    ``(intensity - low) / (high - low)`` clipped to [0, 1], then a dead band of
    ``dead_band_fraction``; zero for ``rest`` and ``rejected`` decisions. ``low`` is
    typically the intensity at rest and ``high`` that of a strong contraction (e.g.
    the 95th percentile of active calibration windows), in the intensity's units.
    """
    d = np.asarray(decisions)
    s = np.asarray(intensity, dtype=np.float64)
    if d.shape != s.shape or d.ndim != 1:
        raise ParameterError("intensity", f"need one intensity per decision, got {s.shape} for {d.shape}")
    if not high > low:
        raise ParameterError("high", f"must exceed low ({low!r}), got {high!r}")
    speed = np.clip((s - low) / (high - low), 0.0, 1.0)
    speed = dead_band(speed, dead_band_fraction)
    speed[(d == rest) | (d == rejected)] = 0.0
    return speed


def velocity(decisions: Any, speed: Any, directions: Mapping[Any, Any]) -> np.ndarray:
    """Velocity commands ``(n_windows, n_dof)``: each class's direction vector times its speed.

    ``directions`` maps a class to a vector over the degrees of freedom, e.g.
    ``{1: [1, 0], 2: [-1, 0], 3: [0, 1], 4: [0, -1]}`` for wrist flexion/extension and
    radial/ulnar deviation; classes not in it (rest, rejected) give zero.
    """
    d = np.asarray(decisions)
    s = np.asarray(speed, dtype=np.float64)
    if d.shape != s.shape or d.ndim != 1:
        raise ParameterError("speed", f"need one speed per decision, got {s.shape} for {d.shape}")
    if not directions:
        raise ParameterError("directions", "give at least one class -> direction vector")
    vecs = {k: np.atleast_1d(np.asarray(v, dtype=np.float64)) for k, v in directions.items()}
    n_dof = {v.size for v in vecs.values()}
    if len(n_dof) != 1:
        raise ParameterError("directions", f"all direction vectors must have the same length, got {sorted(n_dof)}")
    out = np.zeros((d.size, n_dof.pop()))
    for k, v in vecs.items():
        m = d == k
        out[m] = s[m, None] * v[None, :]
    return out
