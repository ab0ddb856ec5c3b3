"""Scoring detected onsets against known ones: matching, precision, recall, F1, timing error.

Each true onset is matched to the nearest unused detected onset within ``tol_s``
(greedy, one-to-one, in order of the true onsets) — the tolerance-window scoring
used to compare onset detectors (e.g. Staude et al. 2001; Solnik et al. 2010).
Unmatched detections are false positives; unmatched true onsets are misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["match_onsets", "score_onsets"]


def _onsets(intervals: Any) -> np.ndarray:
    return np.asarray(intervals, dtype=float).reshape(-1, 2)[:, 0]


def match_onsets(detected: Any, truth: Any, tol_s: float = 0.1) -> tuple[int, int, int, np.ndarray]:
    """Match one channel's onsets: ``(true positives, false positives, misses, errors_s)``.

    ``detected`` and ``truth`` are ``(onset_s, offset_s)`` rows; ``errors_s`` holds
    detected minus true onset (s) for each match, in the order of the true onsets.
    """
    det, tru = _onsets(detected), _onsets(truth)
    used = np.zeros(det.size, dtype=bool)
    errors = []
    for t0 in tru:
        if det.size == 0:
            break
        dist = np.abs(det - t0)
        dist[used] = np.inf
        j = int(np.argmin(dist))
        if dist[j] <= tol_s:
            used[j] = True
            errors.append(det[j] - t0)
    tp = len(errors)
    return tp, det.size - tp, tru.size - tp, np.array(errors)


def score_onsets(detected: Sequence[Any], truth: Sequence[Any], tol_s: float = 0.1) -> dict[str, float]:
    """Pool the matches of every channel into one score.

    Parameters
    ----------
    detected, truth : sequence of arrays
        Per channel, ``(onset_s, offset_s)`` rows (as :func:`detect_onsets` returns).
    tol_s : float, default 0.1
        Largest onset error that still counts as a match, s.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``median_abs_error_s``, ``median_signed_error_s``
        (detected minus true; positive = late), ``tp``, ``fp``, ``fn``, ``n_true``.
    """
    tp = fp = fn = 0
    errs = [np.zeros(0)]
    for d, t in zip(detected, truth):
        a, b, c, e = match_onsets(d, t, tol_s)
        tp, fp, fn = tp + a, fp + b, fn + c
        errs.append(e)
    e = np.concatenate(errs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "median_abs_error_s": float(np.median(np.abs(e))) if e.size else float("nan"),
        "median_signed_error_s": float(np.median(e)) if e.size else float("nan"),
        "tp": tp, "fp": fp, "fn": fn, "n_true": tp + fn,
    }
