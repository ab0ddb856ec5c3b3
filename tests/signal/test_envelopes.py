"""Envelopes against direct reference computations, and their streaming twins."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as sps

from myograph import ParameterError, SignalError
from myograph.signal import (
    StreamingEnvelope,
    StreamingMovingAverage,
    StreamingMovingRMS,
    StreamingTeagerKaiser,
    design_lowpass,
    filter_padlen,
    linear_envelope,
    moving_average,
    moving_rms,
    rectify,
    teager_kaiser,
    window_samples,
)

FS = 1000.0
X = np.random.default_rng(21).normal(0.0, 1.0, size=(2, 1500)) * np.linspace(0.2, 2.0, 1500)


def loop_window_mean(v, w, left):
    """Reference: an explicit loop over truncated windows [i - left, i - left + w)."""
    n = v.size
    out = np.empty(n)
    for i in range(n):
        a, b = max(0, i - left), min(n, i - left + w)
        out[i] = v[a:b].mean()
    return out


def feed(stream, x, sizes):
    out, i = [], 0
    for s in sizes:
        out.append(stream.process(x[..., i:i + s]))
        i += s
    out.append(stream.process(x[..., i:]))
    return np.concatenate(out, axis=-1)


def test_rectify_is_the_absolute_value():
    np.testing.assert_array_equal(rectify([-2.0, 0.0, 3.0]), [2.0, 0.0, 3.0])
    masked = rectify([-2.0, -np.inf, np.nan], nan_policy="mask")
    assert masked[0] == 2.0 and np.isnan(masked[1:]).all()
    with pytest.raises(SignalError):
        rectify([1.0, np.inf])


def test_linear_envelope_is_the_low_passed_rectified_signal():
    sos = design_lowpass(6, FS)
    expected = sps.sosfiltfilt(sos, np.abs(X), padlen=filter_padlen(sos))
    np.testing.assert_allclose(linear_envelope(X, FS, 6), expected, rtol=1e-12, atol=1e-15)


def test_linear_envelope_of_a_steady_sinusoid_is_its_mean_rectified_value():
    t = np.arange(int(5 * FS)) / FS
    x = 3.0 * np.sin(2 * np.pi * 50 * t)
    env = linear_envelope(x, FS, 6)
    mean_rectified = np.abs(x[:1000]).mean()  # 3 * 2/pi, less a little for sampling 20 points a period
    assert mean_rectified == pytest.approx(3.0 * 0.1 / np.tan(np.pi / 20))
    np.testing.assert_allclose(env[1500:3500], mean_rectified, rtol=1e-4)


@pytest.mark.parametrize("window_s", [0.001, 0.01, 0.05, 0.1])
@pytest.mark.parametrize("center", [True, False])
def test_moving_rms_equals_an_explicit_loop(window_s, center):
    w = window_samples(window_s, FS)
    left = w // 2 if center else w - 1
    got = moving_rms(X, FS, window_s, center=center)
    for ch in range(2):
        np.testing.assert_allclose(got[ch], np.sqrt(loop_window_mean(X[ch] ** 2, w, left)), rtol=1e-10)


@pytest.mark.parametrize("center", [True, False])
def test_moving_average_equals_an_explicit_loop_of_the_rectified_signal(center):
    w = window_samples(0.05, FS)
    left = w // 2 if center else w - 1
    got = moving_average(X, FS, 0.05, center=center)
    np.testing.assert_allclose(got[0], loop_window_mean(np.abs(X[0]), w, left), rtol=1e-10)
    raw = moving_average(X, FS, 0.05, center=center, rectify=False)
    np.testing.assert_allclose(raw[1], loop_window_mean(X[1], w, left), rtol=1e-9, atol=1e-12)


def test_moving_rms_stays_accurate_at_small_amplitude_after_a_long_loud_stretch():
    x = np.concatenate([np.full(300_000, 1.0), np.full(1000, 1e-6)])
    got = moving_rms(x, FS, 0.1)
    np.testing.assert_allclose(got[-400:], 1e-6, rtol=1e-6)


def test_window_lengths_are_rounded_to_samples_and_must_hold_one():
    assert window_samples(0.0504, FS) == 50
    with pytest.raises(ParameterError, match=r"window_s: 0.0004 s is less than one sample"):
        moving_rms(X, FS, 0.0004)
    with pytest.raises(ParameterError, match="window_s"):
        moving_rms(X, FS, -1)


def test_teager_kaiser_follows_its_definition():
    x = np.array([1.0, -2.0, 3.0, 0.5, -1.0])
    expected = [1.0 - 0.0 * -2.0, 4.0 - 1.0 * 3.0, 9.0 - (-2.0) * 0.5, 0.25 - 3.0 * -1.0, 1.0 - 0.5 * 0.0]
    np.testing.assert_allclose(teager_kaiser(x), expected)
    interior = X[:, 1:-1] ** 2 - X[:, :-2] * X[:, 2:]
    np.testing.assert_allclose(teager_kaiser(X)[:, 1:-1], interior)


def test_teager_kaiser_of_a_sinusoid_is_constant_amplitude_squared_times_sin_squared_omega():
    # Kaiser (1990): for x = A cos(w n + phi), psi = A^2 sin^2(w)
    n = np.arange(500)
    w = 2 * np.pi * 0.05
    psi = teager_kaiser(2.0 * np.cos(w * n + 0.3))
    np.testing.assert_allclose(psi[1:-1], 4.0 * np.sin(w) ** 2, rtol=1e-10)


def test_nan_policies_apply_to_envelopes():
    x = X.copy()
    x[0, 700:710] = np.nan
    with pytest.raises(SignalError):
        moving_rms(x, FS, 0.05)
    y = moving_rms(x, FS, 0.05, nan_policy="mask")
    assert np.isnan(y[0, 700:710]).all() and np.isfinite(y[0, :700]).all() and np.isfinite(y[0, 710:]).all()
    np.testing.assert_allclose(y[0, :700], moving_rms(X[0, :700], FS, 0.05), rtol=1e-12)
    assert np.isnan(teager_kaiser(x, nan_policy="propagate")[0, 699:711]).all()


# --- streaming twins ----------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[1] * 50, [7, 0, 300, 1, 64], [1500], [333, 333, 333]])
def test_streaming_envelope_equals_the_causal_offline_envelope(sizes):
    live = StreamingEnvelope(FS, 6, n_channels=2)
    np.testing.assert_allclose(feed(live, X, sizes), linear_envelope(X, FS, 6, zero_phase=False), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("sizes", [[1] * 80, [7, 0, 300, 1, 64], [20, 20, 20], [1500]])
def test_streaming_moving_rms_equals_the_trailing_offline_window(sizes):
    live = StreamingMovingRMS(FS, 0.05, n_channels=2)
    np.testing.assert_allclose(feed(live, X, sizes), moving_rms(X, FS, 0.05, center=False), rtol=1e-10)


def test_streaming_moving_average_equals_the_trailing_offline_window():
    live = StreamingMovingAverage(FS, 0.02, n_channels=2)
    np.testing.assert_allclose(feed(live, X, [5, 17, 400, 3]), moving_average(X, FS, 0.02, center=False), rtol=1e-10)


def test_streaming_moving_rms_restarts_its_window_after_a_gap_under_mask():
    x = X.copy()
    x[1, 600:640] = np.nan
    live = StreamingMovingRMS(FS, 0.05, n_channels=2, nan_policy="mask")
    got = feed(live, x, [610, 10, 100])
    np.testing.assert_allclose(got, moving_rms(x, FS, 0.05, center=False, nan_policy="mask"), rtol=1e-10)


def test_streaming_teager_kaiser_is_the_offline_operator_one_sample_late():
    live = StreamingTeagerKaiser(n_channels=2)
    got = feed(live, X, [1, 2, 500, 9])
    offline = teager_kaiser(X)
    np.testing.assert_array_equal(got[:, 0], 0.0)
    np.testing.assert_allclose(got[:, 1:], offline[:, :-1], rtol=1e-12)
