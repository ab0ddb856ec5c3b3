"""Post-processing on constructed decision streams."""

from __future__ import annotations

import numpy as np
import pytest

from myograph import ParameterError
from myograph.control import (
    contraction_intensity,
    dead_band,
    majority_vote,
    proportional_output,
    reject,
    velocity,
)


def test_reject_below_the_confidence_threshold():
    proba = np.array([[0.9, 0.1, 0.0], [0.4, 0.35, 0.25], [0.2, 0.7, 0.1], [0.0, 0.5, 0.5]])
    np.testing.assert_array_equal(reject(proba, 0.6), [0, -1, 1, -1])
    np.testing.assert_array_equal(reject(proba, 0.0), [0, 0, 1, 1])  # ties: first column, as argmax
    np.testing.assert_array_equal(reject(proba, 0.6, classes=np.array([10, 20, 30])), [10, -1, 20, -1])
    with pytest.raises(ParameterError, match="threshold"):
        reject(proba, 1.5)
    with pytest.raises(ParameterError, match="classes"):
        reject(proba, 0.5, classes=[1, 2])


def test_majority_vote_is_causal_and_breaks_ties_toward_the_latest():
    d = np.array([1, 1, 2, 1, 2, 2, 3, 2, -1, -1, -1])
    out = majority_vote(d, 3)
    # by hand: windows [1] [1,1] [1,1,2] [1,2,1] [2,1,2] [1,2,2] [2,2,3] [2,3,2] [3,2,-1] [2,-1,-1] [-1,-1,-1]
    expected = [1, 1, 1, 1, 2, 2, 2, 2, -1, -1, -1]
    np.testing.assert_array_equal(out, expected)
    # ties: [1,2] -> 2 (latest); [3,2,-1] all once -> -1 (latest)
    np.testing.assert_array_equal(majority_vote(np.array([1, 2]), 2), [1, 2])
    # causality: changing a later decision never changes earlier outputs
    d2 = d.copy()
    d2[-1] = 7
    np.testing.assert_array_equal(majority_vote(d2, 3)[:-1], out[:-1])
    np.testing.assert_array_equal(majority_vote(d, 1), d)
    # a long window smooths an isolated flicker away
    stream = np.array([4] * 10 + [5] + [4] * 10)
    assert set(majority_vote(stream, 5).tolist()) == {4}
    with pytest.raises(ParameterError, match="n"):
        majority_vote(d, 0)


def test_majority_vote_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    d = rng.integers(-1, 4, size=300)
    for n in (2, 5, 9):
        ref = []
        for i in range(d.size):
            win = list(d[max(0, i - n + 1):i + 1])
            counts = {v: win.count(v) for v in win}
            best = max(counts.values())
            ref.append(next(v for v in reversed(win) if counts[v] == best))
        np.testing.assert_array_equal(majority_vote(d, n), ref)


def test_dead_band_zeroes_small_outputs_and_stays_continuous():
    x = np.array([-1.0, -0.3, -0.1, 0.0, 0.05, 0.2, 0.6, 1.0])
    np.testing.assert_allclose(dead_band(x, 0.2), [-1.0, -0.125, 0, 0, 0, 0, 0.5, 1.0])
    np.testing.assert_allclose(dead_band(x, 0.2, rescale=False), [-0.8, -0.1, 0, 0, 0, 0, 0.4, 0.8])
    with pytest.raises(ParameterError):
        dead_band(x, 1.0)


def test_proportional_and_velocity_outputs_from_intensity():
    decisions = np.array([0, 1, 1, 2, -1, 2])
    intensity = np.array([5.0, 10.0, 30.0, 50.0, 60.0, 12.0])
    speed = proportional_output(decisions, intensity, low=10.0, high=50.0, rest=0, dead_band_fraction=0.1)
    # (i - 10)/40 -> [_, 0, 0.5, 1, _, 0.05]; dead band 0.1 rescaled: (s - 0.1)/0.9
    np.testing.assert_allclose(speed, [0, 0, (0.5 - 0.1) / 0.9, 1.0, 0, 0])
    v = velocity(decisions, speed, {1: [1, 0], 2: [-1, 0.5]})
    np.testing.assert_allclose(v, [[0, 0], [0, 0], [speed[2], 0], [-1, 0.5], [0, 0], [0, 0]])
    with pytest.raises(ParameterError, match="high"):
        proportional_output(decisions, intensity, low=5.0, high=5.0)
    with pytest.raises(ParameterError, match="same length"):
        velocity(decisions, speed, {1: [1, 0], 2: [1]})


def test_contraction_intensity_is_the_mean_absolute_value():
    X = np.array([[[1.0, -1.0], [2.0, -2.0]], [[0.0, 0.0], [0.0, 4.0]]])
    np.testing.assert_allclose(contraction_intensity(X), [1.5, 1.0])
    with pytest.raises(ParameterError):
        contraction_intensity(np.zeros((3, 4)))
