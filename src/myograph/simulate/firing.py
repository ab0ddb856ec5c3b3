"""Discharge times of each motor unit from its rate and inter-spike-interval variability.

Each unit discharges as a renewal process with Gaussian inter-spike intervals of
coefficient of variation ``cv`` around the mean interval ``1 / rate`` (Fuglevand,
Winter & Patla 1993 used cv = 0.2; human units show 0.1-0.25 during steady
contractions, Moritz et al. 2005). A time-varying rate is handled by time rescaling:
with ``Lambda(t) = integral of rate``, the unit discharges whenever ``Lambda`` has
grown by one interval drawn in the rescaled time (``1 + cv * z``, ``z`` standard
normal, truncated at 0.3 to keep a refractory period). Under a constant rate the
intervals are exactly ``(1 + cv z) / rate``; while the excitation is below threshold
``Lambda`` does not grow and the unit is silent. The first discharge falls at a
random phase of the first interval, so a contraction already under way at t = 0 is
stationary.

References
----------
.. [1] Fuglevand AJ, Winter DA, Patla AE. Models of recruitment and rate coding
   organization in motor-unit pools. J Neurophysiol 1993;70:2470-2488.
.. [2] Moritz CT, Barry BK, Pascoe MA, Enoka RM. Discharge rate variability influences
   the variation in force fluctuations across the working range of a hand muscle.
   J Neurophysiol 2005;93:2449-2459.
"""

from __future__ import annotations

import numpy as np

from myograph.core.errors import ParameterError
from myograph.simulate.pool import MotorUnitPool

__all__ = ["renewal_times", "discharge_times", "DRIVE_FS_HZ"]

#: excitation is evaluated on this grid (rates change slowly against 2-ms steps), Hz
DRIVE_FS_HZ = 500.0
#: smallest interval drawn, as a fraction of the mean interval (refractoriness)
_MIN_INTERVAL = 0.3


def _knots(excitation: np.ndarray, tol: float, max_len: int) -> np.ndarray:
    """Segment boundaries of the grid: a new segment whenever the excitation has varied by ``tol``."""
    e = excitation
    n = e.size
    tv = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(e)))])
    level = np.floor(tv / tol)
    change = np.flatnonzero(np.diff(level) > 0) + 1
    return np.unique(np.concatenate([[0, n], change, np.arange(0, n, max_len)]))


def renewal_times(rate_hz: np.ndarray, grid_fs: float, cv: float, rng: np.random.Generator,
                  *, knots: np.ndarray | None = None) -> np.ndarray:
    """Discharge times (s) of one unit whose mean rate is ``rate_hz`` on a grid.

    Parameters
    ----------
    rate_hz : ndarray
        Mean rate, Hz: one value per grid step at ``arange(n) / grid_fs`` or, with
        ``knots``, one per segment ``[knots[j], knots[j+1])`` of grid steps; the rate
        is constant within a step (segment).
    grid_fs : float
        Grid rate, Hz.
    cv : float
        Coefficient of variation of the intervals.
    rng : numpy.random.Generator
    knots : ndarray of int, optional
        Segment boundaries in grid steps, starting at 0 (default: every step).

    Returns
    -------
    ndarray
        Increasing discharge times, s.
    """
    r = np.asarray(rate_hz, dtype=float)
    if r.ndim != 1:
        raise ParameterError("rate_hz", f"must be 1-D, got shape {r.shape}")
    if np.any(r < 0):
        raise ParameterError("rate_hz", "rates must be >= 0 Hz")
    kn = np.arange(r.size + 1) if knots is None else np.asarray(knots, dtype=np.int64)
    if kn.size != r.size + 1:
        raise ParameterError("knots", f"need len(rate_hz) + 1 = {r.size + 1} boundaries, got {kn.size}")
    seg = np.diff(kn) / grid_fs
    lam = np.concatenate([[0.0], np.cumsum(r * seg)])
    total = lam[-1]
    if total <= 0:
        return np.empty(0)
    n_draw = int(total * 1.2 + 6.0 * np.sqrt(total) + 10)
    inc = np.maximum(1.0 + cv * rng.standard_normal(n_draw), _MIN_INTERVAL)
    inc[0] *= rng.random()
    phase = np.cumsum(inc)
    while phase[-1] < total:  # pragma: no cover - very rare with the margin above
        more = np.maximum(1.0 + cv * rng.standard_normal(n_draw), _MIN_INTERVAL)
        phase = np.concatenate([phase, phase[-1] + np.cumsum(more)])
    phase = phase[phase < total]
    # invert the piecewise-linear Lambda: find the segment j with lam[j] <= p < lam[j+1]
    j = np.clip(np.searchsorted(lam, phase, side="right") - 1, 0, r.size - 1)
    step = lam[j + 1] - lam[j]
    frac = np.where(step > 0, (phase - lam[j]) / np.where(step > 0, step, 1.0), 0.0)
    return (kn[j] + frac * (kn[j + 1] - kn[j])) / grid_fs


def discharge_times(pool: MotorUnitPool, excitation: np.ndarray, grid_fs: float, rng: np.random.Generator,
                    *, rate_scale: np.ndarray | float = 1.0, tolerance: float = 1e-3) -> list[np.ndarray]:
    """Discharge times (s) of every unit of ``pool`` under ``excitation``.

    The grid is first cut into segments within which the excitation varies by less
    than ``tolerance`` (at most 1 s long); each segment's rate is the rate at the
    segment's mean excitation, so long steady contractions cost little.

    Parameters
    ----------
    pool : MotorUnitPool
    excitation : ndarray, shape (n,)
        Excitation in [0, 1] on a grid at ``grid_fs``.
    grid_fs : float
        Grid rate, Hz.
    rng : numpy.random.Generator
        One child generator is spawned per unit, so the discharges of unit *i* do not
        depend on how many units come after it.
    rate_scale : float or ndarray
        Multiplies the rates (e.g. a per-unit factor), dimensionless.
    tolerance : float
        Largest excitation change within a segment (fraction of maximal drive).

    Returns
    -------
    list of ndarray
        One array of times per unit, s.
    """
    e = np.asarray(excitation, dtype=float)
    scale = np.broadcast_to(np.asarray(rate_scale, dtype=float), (pool.n_units,))
    children = rng.spawn(pool.n_units)
    if e.size == 0:
        return [np.empty(0) for _ in range(pool.n_units)]
    kn = _knots(e, tolerance, max(1, int(grid_fs)))
    e_seg = np.add.reduceat(e, kn[:-1]) / np.diff(kn)
    rates = pool.rates(e_seg)
    return [renewal_times(rates[i] * scale[i], grid_fs, pool.isi_cv, children[i], knots=kn) for i in range(pool.n_units)]
