"""Pieces the published detectors share: parameter checks, rest statistics, test functions, clean-up."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from myograph.activation._runs import clean_runs, runs, split_channels
from myograph.core.errors import ParameterError, SignalError
from myograph.signal import lowpass, moving_average

__all__ = [
    "as_2d", "positive", "nonneg", "samples", "quietest_segment", "rest_or_quietest", "rest_mean_sd",
    "rectified_envelope", "finish", "intervals_seconds", "QUIET_S",
]

#: length of the automatic rest segment (the quietest stretch of the signal), s
QUIET_S = 0.5


def as_2d(x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ParameterError("x", f"must be 1-D (n_samples,) or 2-D (n_channels, n_samples), got shape {arr.shape}")
    return arr


def positive(value: Any, name: str, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)) or not math.isfinite(float(value)) \
            or float(value) <= 0:
        raise ParameterError(name, f"must be a finite number > 0{' ' + unit if unit else ''}, got {value!r}")
    return float(value)


def nonneg(value: Any, name: str, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)) or not math.isfinite(float(value)) \
            or float(value) < 0:
        raise ParameterError(name, f"must be a finite number >= 0{' ' + unit if unit else ''}, got {value!r}")
    return float(value)


def samples(seconds: float, fs: float, name: str, *, minimum: int = 1) -> int:
    """A duration in seconds as a whole number of samples (at least ``minimum``)."""
    return max(minimum, int(round(nonneg(seconds, name, "s") * fs)))


def quietest_segment(x: np.ndarray, fs: float, duration_s: float = QUIET_S) -> np.ndarray:
    """Per channel, the ``duration_s`` stretch with the lowest mean square: ``(n_channels, m)``.

    The stand-in for a hand-picked rest segment. It is found on blocks of a
    tenth of its length, so it starts on a block boundary. Its variance is a
    slight underestimate of the noise variance (it is the quietest of many
    stretches); the detectors' thresholds are defined relative to it.
    """
    n_ch, n = x.shape
    m = max(2, int(round(duration_s * fs)))
    if m >= n:
        return x
    b = max(1, m // 10)
    k = m // b
    nb = n // b
    centred = x[:, :nb * b] - x.mean(axis=1, keepdims=True)
    blocks = centred.reshape(n_ch, nb, b)
    energy = np.einsum("ijk,ijk->ij", blocks, blocks)
    c = np.zeros((n_ch, nb + 1))
    np.cumsum(energy, axis=1, out=c[:, 1:])
    window = c[:, k:] - c[:, :-k]  # sum over blocks [j, j + k)
    start = np.argmin(window, axis=1) * b
    start = np.minimum(start, n - m)
    idx = start[:, None] + np.arange(m)[None, :]
    return np.take_along_axis(x, idx, axis=1)


def rest_or_quietest(x: np.ndarray, fs: float, rest: Any) -> np.ndarray:
    """The rest samples as ``(n_channels, m)``: given, or the quietest stretch of ``x``."""
    if rest is None:
        return quietest_segment(x, fs)
    r = as_2d(rest)
    if r.shape[0] != x.shape[0]:
        raise ParameterError("rest", f"needs one row per channel ({x.shape[0]}), got {r.shape[0]}")
    if r.shape[1] < 2:
        raise SignalError(f"rest: {r.shape[1]} sample(s); a rest segment needs at least 2")
    if not np.isfinite(r).all():
        raise SignalError("rest: the rest segment contains non-finite samples; choose a finite stretch (rest_s)")
    return r


def rest_mean_sd(tf_rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD of a test function over the rest segment, per channel (SD floored above 0)."""
    mu = tf_rest.mean(axis=1)
    sd = tf_rest.std(axis=1)
    floor = np.maximum(np.abs(mu), 1e-300) * 1e-12
    return mu, np.maximum(sd, floor)


def rectified_envelope(v: np.ndarray, fs: float, *, lowpass_hz: float | None, window_s: float | None) -> np.ndarray:
    """``|v|``, optionally low-passed (2nd-order Butterworth, zero-phase) and moving-averaged (centred)."""
    env = np.abs(v)
    if lowpass_hz is not None:
        if lowpass_hz >= fs / 2:
            raise ParameterError("lowpass_hz", f"must be below fs/2 = {fs / 2:g} Hz, got {lowpass_hz:g} Hz")
        env = lowpass(env, fs, lowpass_hz, order=2)
    if window_s is not None:
        env = moving_average(env, fs, window_s, rectify=False)
    return env


def intervals_seconds(ch: np.ndarray, start: np.ndarray, stop: np.ndarray, n_ch: int, fs: float,
                      scale: int = 1) -> list[np.ndarray]:
    return [iv.astype(np.float64) * (scale / fs) for iv in split_channels(ch, start, stop, n_ch)]


def finish(active: np.ndarray, fs: float, *, min_on_s: float = 0.0, min_off_s: float = 0.0,
           scale: int = 1) -> list[np.ndarray]:
    """Active mask → cleaned intervals in seconds. ``scale``: samples per element of ``active``."""
    rate = fs / scale
    ch, start, stop = runs(active)
    ch, start, stop = clean_runs(ch, start, stop, min_on=samples(min_on_s, rate, "min_on_s", minimum=0),
                                 min_off=samples(min_off_s, rate, "min_off_s", minimum=0))
    return intervals_seconds(ch, start, stop, active.shape[0], fs, scale)
