"""Twitch force model: each discharge adds a twitch; the twitches sum into muscle force.

The twitch of unit *i* is the impulse response of a critically damped second-order
system (Fuglevand, Winter & Patla 1993, eq. 15)::

    f_i(t) = P_i * (t / T_i) * exp(1 - t / T_i),    t >= 0

with peak force ``P_i`` (N) reached at the contraction time ``T_i`` (s). Twitches
fuse at high discharge rates and the force-rate relation is sigmoidal: Fuglevand et
al. scale each twitch by a gain that depends on the normalised instantaneous rate
``x = T_i / ISI`` so that the mean force follows ``1 - exp(-2 x^3)`` above
``x = 0.4`` (linear below) and saturates by ``x ~ 1.5``::

    g(x) = 1                                          for x <= 0.4
    g(x) = [(1 - exp(-2 x^3)) / x] / [(1 - exp(-2 * 0.4^3)) / 0.4]   for x > 0.4

The force is computed at a reduced rate (about 250 Hz; twitches last tens of ms)
with a recursive (impulse-invariant) filter per unit, discharges placed between
samples by linear interpolation, and is interpolated linearly to the EMG rate.

References
----------
.. [1] Fuglevand AJ, Winter DA, Patla AE. Models of recruitment and rate coding
   organization in motor-unit pools. J Neurophysiol 1993;70:2470-2488.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import lfilter

from myograph.core.errors import ParameterError

__all__ = ["twitch", "twitch_gain", "steady_force", "muscle_force", "FORCE_FS_TARGET_HZ"]

#: the force is computed near this rate and interpolated to the EMG rate, Hz
FORCE_FS_TARGET_HZ = 250.0


def twitch(t_s: np.ndarray, peak_n: float, contraction_time_s: float) -> np.ndarray:
    """Twitch force ``P (t/T) exp(1 - t/T)`` at times ``t_s`` (0 before 0), N.

    Parameters
    ----------
    t_s : ndarray
        Times after the discharge, s.
    peak_n : float
        Peak twitch force, N.
    contraction_time_s : float
        Time to peak, s.
    """
    t = np.asarray(t_s, dtype=float)
    x = np.clip(t, 0.0, None) / contraction_time_s
    return peak_n * x * np.exp(1.0 - x)


def twitch_gain(normalised_rate: np.ndarray) -> np.ndarray:
    """Fuglevand's force gain for the normalised rate ``x = T / ISI`` (1 for ``x <= 0.4``)."""
    x = np.asarray(normalised_rate, dtype=float)
    ref = (1.0 - np.exp(-2.0 * 0.4 ** 3)) / 0.4
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(x > 0.4, (1.0 - np.exp(-2.0 * x ** 3)) / np.maximum(x, 1e-12) / ref, 1.0)
    return g


def steady_force(peak_n: np.ndarray, contraction_time_s: np.ndarray, rate_hz: np.ndarray) -> np.ndarray:
    """Mean force of units discharging regularly at ``rate_hz``, N.

    A twitch has area ``P T e``; at ``r`` discharges per second with gain
    ``g(T r)`` the mean force is ``P g T e r``.
    """
    p = np.asarray(peak_n, dtype=float)
    t = np.asarray(contraction_time_s, dtype=float)
    r = np.asarray(rate_hz, dtype=float)
    return p * twitch_gain(t * r) * t * np.e * r


def _force_rate(fs: float) -> tuple[float, int]:
    k = max(1, int(round(fs / FORCE_FS_TARGET_HZ)))
    return fs / k, k


def muscle_force(discharges: Sequence[np.ndarray], peak_n: np.ndarray, contraction_time_s: np.ndarray,
                 fs: float, n_samples: int) -> np.ndarray:
    """Force of a muscle (sum of its units' twitches) sampled at ``fs``, N.

    Parameters
    ----------
    discharges : sequence of ndarray
        Discharge times of each unit, s.
    peak_n, contraction_time_s : ndarray
        Peak twitch force (N) and contraction time (s) of each unit.
    fs : float
        Output sampling rate, Hz.
    n_samples : int
        Output length.

    Returns
    -------
    ndarray, shape (n_samples,)
    """
    if len(discharges) != len(peak_n) or len(peak_n) != len(contraction_time_s):
        raise ParameterError("discharges", f"need one discharge array per unit ({len(peak_n)}), got {len(discharges)}")
    ffs, k = _force_rate(fs)
    n_f = int(np.ceil(n_samples / k)) + 2
    total = np.zeros(n_f)
    for times, p, tc in zip(discharges, peak_n, contraction_time_s):
        times = np.asarray(times, dtype=float)
        if times.size == 0:
            continue
        isi = np.diff(times, prepend=-np.inf)
        gain = twitch_gain(tc / isi)
        pos = times * ffs
        i0 = np.floor(pos).astype(np.int64)
        frac = pos - i0
        imp = np.bincount(i0, weights=gain * (1.0 - frac), minlength=n_f)[:n_f]
        imp += np.bincount(i0 + 1, weights=gain * frac, minlength=n_f)[:n_f]
        # impulse-invariant discretisation of P (t/T) e^(1 - t/T): P e/(T fs) * n a^n
        a = np.exp(-1.0 / (tc * ffs))
        b = np.array([0.0, p * np.e * a / (tc * ffs)])
        total += lfilter(b, np.array([1.0, -2.0 * a, a * a]), imp)
    t_out = np.arange(n_samples) / fs
    return np.interp(t_out, np.arange(n_f) / ffs, total)
