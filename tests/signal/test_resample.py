"""Polyphase resampling: amplitude and frequency kept, aliases removed, ratios exact."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from myograph import ParameterError
from myograph.signal import psd, resample, resampling_factors


def tone(f_hz, fs, seconds=4.0, amplitude=1.0):
    t = np.arange(int(seconds * fs)) / fs
    return amplitude * np.sin(2 * np.pi * f_hz * t)


@pytest.mark.parametrize(("fs_in", "fs_out"), [(2048.0, 1000.0), (1000.0, 2048.0), (2000.0, 1000.0), (1000.0, 1500.0)])
def test_resampling_keeps_a_sinusoid_s_amplitude_and_frequency(fs_in, fs_out):
    y = resample(tone(73.0, fs_in, amplitude=2.5), fs_in, fs_out)
    assert y.size == int(np.ceil(4.0 * fs_in * fs_out / fs_in))
    t = np.arange(y.size) / fs_out
    mid = slice(y.size // 4, 3 * y.size // 4)
    np.testing.assert_allclose(y[mid], 2.5 * np.sin(2 * np.pi * 73.0 * t[mid]), atol=2.5 * 2e-3)
    f, p = psd(y, fs_out, window_s=1.0)
    assert f[np.argmax(p)] == pytest.approx(73.0)


def test_content_above_the_new_nyquist_is_removed_not_aliased():
    y = resample(tone(450.0, 2000.0), 2000.0, 500.0)  # 450 Hz would alias to 50 Hz
    assert np.std(y[200:-200]) < 10 ** (-40 / 20)


def test_resampling_factors_are_exact_integer_ratios():
    assert resampling_factors(2048, 1000) == (125, 256)
    assert resampling_factors(44100, 1000) == (10, 441)
    assert resampling_factors(1000, 1000) == (1, 1)
    with pytest.raises(ParameterError, match="fs_out.*not a ratio"):
        resampling_factors(1000.0, 1000.0001)


def test_resampling_works_on_channels_and_any_axis_and_is_logged(caplog):
    x = np.stack([tone(10, 1000.0), tone(20, 1000.0)])
    with caplog.at_level(logging.INFO, logger="myograph.signal"):
        y = resample(x, 1000.0, 500.0)
    assert "up 1, down 2" in caplog.text
    assert y.shape == (2, 2000)
    np.testing.assert_allclose(resample(x.T, 1000.0, 500.0, axis=0), y.T)


def test_mask_is_refused_for_resampling():
    with pytest.raises(ParameterError, match="nan_policy"):
        resample(np.zeros(100), 1000.0, 500.0, nan_policy="mask")
