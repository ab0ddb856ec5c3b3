"""Synthetic bursts with known onsets for the activation tests (no simulator needed).

Each channel: band-limited Gaussian "EMG" (white noise through a 20-450 Hz
band-pass, or 20 Hz to 0.45 fs when fs is low) switched on and off by a
rectangular envelope (optionally with raised-cosine edges of ``rise_s``),
plus white Gaussian background noise scaled so that the burst power over
the noise power is ``snr_db``. The first burst starts after at least
``lead_s`` of rest.
"""

from __future__ import annotations

import numpy as np

from myograph.activation.scoring import score_onsets
from scipy.signal import butter, sosfilt


def burst_times(duration_s: float, rng: np.random.Generator, *, lead_s: float = 1.0, on_s=(0.3, 1.5),
                off_s=(0.5, 2.0)) -> np.ndarray:
    """``(k, 2)`` onset/offset times that fit in ``duration_s`` (ending at least 0.5 s before the end)."""
    t = lead_s
    rows = []
    while True:
        d = rng.uniform(*on_s)
        if t + d > duration_s - 0.5:
            break
        rows.append((t, t + d))
        t += d + rng.uniform(*off_s)
    return np.array(rows).reshape(-1, 2)


def make_bursts(n_channels: int = 4, duration_s: float = 20.0, fs: float = 2000.0, snr_db: float = 10.0,
                seed: int = 0, *, rise_s: float = 0.0, amplitude_v: float = 1e-4, truth=None,
                lead_s: float = 1.0) -> tuple[np.ndarray, list[np.ndarray]]:
    """``(x, truth)``: samples ``(n_channels, n)`` in V and, per channel, the true ``(onset_s, offset_s)`` rows."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs))
    t = np.arange(n) / fs
    hi = min(450.0, 0.45 * fs)
    sos = butter(4, [20.0, hi], btype="bandpass", fs=fs, output="sos")
    x = np.zeros((n_channels, n))
    truths = []
    for c in range(n_channels):
        tr = burst_times(duration_s, rng, lead_s=lead_s) if truth is None else np.asarray(truth[c], dtype=float)
        env = np.zeros(n)
        for a, b in tr:
            if rise_s > 0:
                up = np.clip((t - a) / rise_s, 0, 1)
                down = np.clip((b - t) / rise_s, 0, 1)
                env = np.maximum(env, (0.5 - 0.5 * np.cos(np.pi * np.minimum(up, down))) * ((t >= a) & (t < b)))
            else:
                env[(t >= a) & (t < b)] = 1.0
        emg = sosfilt(sos, rng.standard_normal(n + 2000))[2000:]
        emg *= amplitude_v / emg.std()
        sig = emg * env
        active = env > 0.5
        p_sig = np.mean(sig[active] ** 2) if active.any() else amplitude_v ** 2
        noise = rng.standard_normal(n) * np.sqrt(p_sig / 10 ** (snr_db / 10))
        x[c] = sig + noise
        truths.append(tr)
    return x, truths


# scoring lives in the library; the tests call it by its short name
score = score_onsets
