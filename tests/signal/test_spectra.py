"""Welch PSD, spectrogram, mean and median frequency."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as sps

from myograph import ParameterError
from myograph.signal import band_power, bandpass, mean_frequency_of, median_frequency_of, psd, spectrogram

FS = 1000.0


def test_psd_is_scipy_welch_with_the_window_in_seconds():
    x = np.random.default_rng(0).normal(size=(2, 5000))
    f, p = psd(x, FS, window_s=0.256)
    f2, p2 = sps.welch(x, FS, nperseg=256, noverlap=128)
    np.testing.assert_allclose(f, f2)
    np.testing.assert_allclose(p, p2, rtol=1e-12)


def test_psd_integrates_to_the_variance():
    x = np.random.default_rng(1).normal(0.0, 3.0, size=20000)
    f, p = psd(x, FS, window_s=0.5)
    assert np.sum(p) * (f[1] - f[0]) == pytest.approx(9.0, rel=0.05)
    assert band_power(f, p, (0, FS / 2)) == pytest.approx(np.sum(p) * (f[1] - f[0]))


def test_psd_under_mask_averages_only_the_segments_without_nan():
    x = np.random.default_rng(2).normal(size=4000)
    x[1000:1010] = np.nan
    f, p = psd(x, FS, window_s=0.2, overlap=0.5, nan_policy="mask")
    _, _, s = sps.spectrogram(np.nan_to_num(x), FS, window="hann", nperseg=200, noverlap=100, mode="psd")
    starts = np.arange(s.shape[-1]) * 100
    clean = (starts + 200 <= 1000) | (starts >= 1010)
    np.testing.assert_allclose(p, s[:, clean].mean(axis=-1), rtol=1e-12)
    assert np.isnan(psd(x, FS, window_s=0.2, nan_policy="propagate")[1]).all()


def test_spectrogram_windows_and_steps_are_in_seconds():
    x = np.random.default_rng(3).normal(size=(3, 4000))
    f, t, s = spectrogram(x, FS, window_s=0.25, step_s=0.1)
    assert s.shape == (3, f.size, t.size)
    assert f[1] - f[0] == pytest.approx(4.0)
    np.testing.assert_allclose(np.diff(t), 0.1)
    assert t[0] == pytest.approx(0.125)


def test_mean_and_median_frequency_of_a_sinusoid_are_its_frequency():
    t = np.arange(8000) / FS
    f, p = psd(np.sin(2 * np.pi * 120 * t), FS, window_s=1.0)
    assert mean_frequency_of(f, p) == pytest.approx(120, abs=0.5)
    assert median_frequency_of(f, p) == pytest.approx(120, abs=1.0)


def test_mean_and_median_frequency_of_band_limited_white_noise_are_the_band_centre():
    x = bandpass(np.random.default_rng(4).normal(size=200_000), FS, 100, 300, order=8)
    f, p = psd(x, FS, window_s=1.0)
    assert mean_frequency_of(f, p) == pytest.approx(200, abs=3)
    assert median_frequency_of(f, p) == pytest.approx(200, abs=3)


def test_median_frequency_equals_a_loop_that_walks_the_cumulative_power():
    rng = np.random.default_rng(5)
    f = np.arange(0, 500.0, 2.0)
    p = rng.random((4, f.size)) * np.exp(-f / 100)
    got = median_frequency_of(f, p)
    for row, mdf in zip(p, got):
        total, acc = row.sum(), 0.0
        for k, pk in enumerate(row):
            if acc + pk >= total / 2:
                expected = f[k] if k == 0 else f[k - 1] + (total / 2 - acc) / pk * (f[k] - f[k - 1])
                break
            acc += pk
        assert mdf == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(mean_frequency_of(f, p), (p * f).sum(-1) / p.sum(-1))


def test_summary_frequencies_work_along_the_spectrogram_frequency_axis_and_in_a_band():
    x = np.random.default_rng(6).normal(size=(2, 6000))
    f, t, s = spectrogram(x, FS, window_s=0.5)
    mnf = mean_frequency_of(f, s, axis=-2, band_hz=(20, 450))
    assert mnf.shape == (2, t.size)
    assert np.all((mnf > 200) & (mnf < 270))  # white noise in 20-450 Hz
    assert median_frequency_of(f, s, axis=-2).shape == (2, t.size)


def test_an_all_zero_spectrum_has_no_mean_or_median_frequency():
    f = np.arange(10.0)
    assert np.isnan(mean_frequency_of(f, np.zeros(10)))
    assert np.isnan(median_frequency_of(f, np.zeros(10)))


def test_bad_windows_and_bands_are_refused():
    x = np.zeros(1000)
    with pytest.raises(ParameterError, match="window_s.*longer than the signal"):
        psd(x, FS, window_s=2.0)
    with pytest.raises(ParameterError, match="overlap"):
        psd(x, FS, overlap=1.0)
    with pytest.raises(ParameterError, match="band_hz"):
        mean_frequency_of(np.arange(10.0), np.ones(10), band_hz=(20, 10))
