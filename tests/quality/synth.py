"""Synthetic surface EMG with a known spectrum, for the fatigue and quality tests.

Surface EMG is modelled as Gaussian noise shaped by a band-pass (a common stand-in
for the interference pattern: a stationary Gaussian process whose spectrum is the
MUAP spectrum), amplitude-modulated by bursts. The shaping filter's power response is
the analytic PSD; the sampling rate is high enough that the band above 450 Hz holds
almost nothing.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as sps

#: shaping band of the synthetic EMG, Hz (Butterworth order 2 → MNF about 100 Hz)
SHAPE_BAND_HZ = (50.0, 150.0)


def shaping_sos(fs: float, band_hz: tuple[float, float] = SHAPE_BAND_HZ) -> np.ndarray:
    return sps.butter(2, band_hz, btype="bandpass", fs=fs, output="sos")


def analytic_psd(freqs_hz: np.ndarray, fs: float, band_hz: tuple[float, float] = SHAPE_BAND_HZ) -> np.ndarray:
    """|H(f)|² of the shaping filter (up to a constant), the PSD of the synthetic EMG."""
    _, h = sps.sosfreqz(shaping_sos(fs, band_hz), worN=np.asarray(freqs_hz, dtype=float), fs=fs)
    return np.abs(h) ** 2


def shaped_noise(n_channels: int, n_samples: int, fs: float, rng: np.random.Generator, *,
                 rms_v: float = 50e-6, band_hz: tuple[float, float] = SHAPE_BAND_HZ) -> np.ndarray:
    """Stationary Gaussian EMG-like noise with RMS ``rms_v`` per channel, volts."""
    pad = int(fs)  # discard the filter's start-up
    w = rng.standard_normal((n_channels, n_samples + pad))
    y = sps.sosfilt(shaping_sos(fs, band_hz), w, axis=-1)[:, pad:]
    return y / y.std(axis=-1, keepdims=True) * rms_v


def burst_envelope(n_samples: int, fs: float, *, period_s: float = 2.0, on_s: float = 1.0, ramp_s: float = 0.1,
                   first_s: float = 0.5) -> np.ndarray:
    """0/1 envelope: bursts of ``on_s`` every ``period_s`` starting at ``first_s``, with raised-cosine ramps."""
    t = np.arange(n_samples) / fs
    env = np.zeros(n_samples)
    start = first_s
    while start < t[-1]:
        rel = t - start
        up = np.clip(rel / ramp_s, 0, 1)
        down = np.clip((on_s - rel) / ramp_s, 0, 1)
        e = np.minimum(up, down)
        env = np.maximum(env, 0.5 - 0.5 * np.cos(np.pi * e))
        start += period_s
    return env


def bursts(n_channels: int, duration_s: float, fs: float, seed: int = 0, *, rms_v: float = 50e-6,
           period_s: float = 2.0, on_s: float = 1.0) -> np.ndarray:
    """Bursts of shaped noise separated by exact silence (add noise separately)."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs))
    return shaped_noise(n_channels, n, fs, rng, rms_v=rms_v) * burst_envelope(n, fs, period_s=period_s, on_s=on_s)


def compressing_emg(duration_s: float, fs: float, compression_per_s: float, seed: int = 0, *,
                    n_channels: int = 1, rms_v: float = 50e-6, oversample: int = 8) -> np.ndarray:
    """Stationary shaped noise played through a time warp: its spectrum compresses linearly in time.

    ``y(t) = x(φ(t))`` with ``φ'(t) = s(t) = 1 - compression_per_s · t``: locally the
    signal is ``x`` slowed by ``s(t)``, so every frequency — and MNF and MDF of an
    unbounded band — scales by ``s(t)``. ``x`` is generated at ``oversample · fs`` and
    interpolated linearly (its band ends far below the oversampled Nyquist).
    """
    rng = np.random.default_rng(seed)
    fs_hi = fs * oversample
    n = int(round(duration_s * fs))
    t = np.arange(n) / fs
    phi = t - 0.5 * compression_per_s * t ** 2
    n_hi = int(np.ceil(phi[-1] * fs_hi)) + 2
    x = shaped_noise(n_channels, n_hi, fs_hi, rng, rms_v=rms_v)
    grid = np.arange(n_hi) / fs_hi
    return np.stack([np.interp(phi, grid, row) for row in x])
