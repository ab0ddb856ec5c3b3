"""Fixtures for the control tests: a small local TD4 transformer and simulated gesture datasets.

``LocalTD4`` (log MAV, log WL, ZC, SSC) is an independent stand-in for
``myograph.features.FeatureExtractor``: most tests use it so that they test the control
code alone; ``td4()`` gives the real extractor where it is importable.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from myograph.control import from_recording


class LocalTD4(TransformerMixin, BaseEstimator):
    """Hudgins' TD set per channel: MAV, WL, ZC, SSC (thresholds as a fraction of the window RMS)."""

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def fit(self, X, y=None):
        self.n_features_in_ = int(np.asarray(X).shape[1])
        return self

    def transform(self, X):
        x = np.asarray(X, dtype=np.float64)
        t = self.threshold * np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True))
        d = np.diff(x, axis=-1)
        mav = np.mean(np.abs(x), axis=-1)
        wl = np.sum(np.abs(d), axis=-1)
        zc = np.sum((x[..., 1:] * x[..., :-1] < 0) & (np.abs(d) >= t), axis=-1)
        ssc = np.sum((d[..., 1:] * d[..., :-1] < 0) & ((np.abs(d[..., 1:]) >= t) | (np.abs(d[..., :-1]) >= t)), axis=-1)
        return np.concatenate([np.log(mav + 1e-12), np.log(wl + 1e-12), zc, ssc], axis=1)


def td4():
    """The feature step: the real FeatureExtractor when importable, else LocalTD4."""
    try:
        from myograph.features import FeatureExtractor  # noqa: F401
    except ImportError:
        return LocalTD4()
    return "TD4"


@pytest.fixture(scope="session")
def sim_sessions():
    """Two simulated sessions of one subject: 4 gestures x 3 repetitions, 1 kHz, 8 channels."""
    from myograph.simulate import gestures

    out = []
    for s in (0, 1):
        rec, truth = gestures(gesture_names=["wrist_flexion", "wrist_extension", "hand_close", "hand_open"],
                              repetitions=3, hold_s=2.0, rest_s=1.5, fs=1000.0, channels=8, motor_units=30,
                              session=s, seed=7)
        out.append((rec, truth))
    return out


@pytest.fixture(scope="session")
def sim_dataset(sim_sessions):
    from myograph.control import GestureDataset

    parts = [from_recording(rec, labels=tr.gesture_labels, class_names=tr.gesture_names, session=f"s{i}",
                            subject="sim", window_s=0.2, step_s=0.05)
             for i, (rec, tr) in enumerate(sim_sessions)]
    return GestureDataset.concatenate(parts)
