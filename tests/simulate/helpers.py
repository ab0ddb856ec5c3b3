"""Independent measurements used by the simulator tests (not the simulator's own code)."""

from __future__ import annotations

import numpy as np
from scipy.signal import welch


def median_frequency(x: np.ndarray, fs: float) -> float:
    """Median frequency (Hz) of the Welch power spectrum (0.5-s Hann segments)."""
    f, p = welch(x, fs=fs, nperseg=int(0.5 * fs))
    c = np.cumsum(p)
    return float(f[np.searchsorted(c, c[-1] / 2)])


def spike_triggered_average(x: np.ndarray, discharges: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, int]:
    """Mean of ``x[..., d + start : d + stop]`` over the discharges that fit; and their number."""
    x2 = np.atleast_2d(x)
    d = discharges[(discharges + start >= 0) & (discharges + stop <= x2.shape[-1])]
    idx = d[:, None] + np.arange(start, stop)[None, :]
    return x2[:, idx].mean(axis=1), int(d.size)


def muap_measures(x: np.ndarray, fs: float, threshold_v: float = 20e-6) -> dict[str, float]:
    """Clinical MUAP measures by simple rules (Stålberg et al. 1986 definitions).

    duration: first to last sample whose magnitude exceeds ``threshold_v`` (departure
    from and return to baseline), ms; amplitude: peak to peak, mV; phases: baseline
    crossings + 1, counting only crossings between excursions beyond ``threshold_v``;
    rise time: from the positive peak preceding the main negative peak to that peak, ms.
    """
    above = np.flatnonzero(np.abs(x) > threshold_v)
    i0, i1 = above[0], above[-1]
    big = x[i0:i1 + 1][np.abs(x[i0:i1 + 1]) > threshold_v]
    phases = 1 + int(np.count_nonzero(np.diff(np.sign(big)) != 0))
    imin = int(np.argmin(x))
    j = imin
    while j > 0 and x[j - 1] > x[j]:
        j -= 1
    return {"duration_ms": (i1 - i0) / fs * 1e3, "amplitude_mv": float(np.ptp(x)) * 1e3, "phases": phases,
            "rise_ms": (imin - j) / fs * 1e3}


def delay_s(a: np.ndarray, b: np.ndarray, fs: float) -> float:
    """Delay of ``b`` after ``a`` from the cross-correlation peak, parabolic interpolation, s."""
    c = np.correlate(b, a, mode="full")
    k = int(np.argmax(c))
    y0, y1, y2 = c[k - 1], c[k], c[k + 1]
    return (k - (a.size - 1) + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)) / fs
