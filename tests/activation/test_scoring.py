"""Onset scoring: tolerance-window matching and pooled precision/recall/F1, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.activation import match_onsets, score_onsets


def test_matching_is_one_to_one_within_the_tolerance():
    truth = [[1.0, 2.0], [5.0, 6.0], [9.0, 9.5]]
    detected = [[1.03, 2.0], [1.05, 2.1], [5.2, 6.0], [9.0, 9.4]]  # one duplicate, one too late
    tp, fp, fn, err = match_onsets(detected, truth, tol_s=0.1)
    assert (tp, fp, fn) == (2, 2, 1)
    np.testing.assert_allclose(err, [0.03, 0.0], atol=1e-12)


def test_pooled_scores_equal_the_hand_computation():
    truth = [np.array([[1.0, 2.0], [5.0, 6.0]]), np.array([[3.0, 4.0]])]
    detected = [np.array([[1.02, 2.0], [7.0, 8.0]]), np.array([[2.96, 4.0]])]
    s = score_onsets(detected, truth, tol_s=0.1)
    # tp 2 (1.02, 2.96), fp 1 (7.0), fn 1 (5.0)
    assert (s["tp"], s["fp"], s["fn"], s["n_true"]) == (2, 1, 1, 3)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(2 / 3)
    assert s["median_abs_error_s"] == pytest.approx(0.03)  # |+0.02| and |-0.04|
    assert s["median_signed_error_s"] == pytest.approx(-0.01)


def test_nothing_detected_scores_zero_without_dividing_by_zero():
    s = score_onsets([np.zeros((0, 2))], [np.array([[1.0, 2.0]])])
    assert (s["precision"], s["recall"], s["f1"]) == (0.0, 0.0, 0.0)
    assert np.isnan(s["median_abs_error_s"])
