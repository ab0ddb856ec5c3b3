"""A motor unit pool: recruitment thresholds, rate coding, twitches, fibres and territories.

Recruitment and rate coding follow Fuglevand, Winter & Patla (1993), written with the
excitation normalised to [0, 1] (fraction of the maximal drive):

* thresholds spread exponentially over a range ``RR`` (default 30): unit *i* of *n*
  (0-based) is recruited at ``thr_i = thr_max * RR ** (i / (n - 1) - 1)``, so that
  many units have low thresholds and few have high ones, and the last is recruited
  at ``thr_max`` (default 0.7 of the maximal excitation);
* above threshold the discharge rate grows linearly with the excitation from the
  minimum rate ``MFR`` (8 Hz) with one gain for all units, up to a peak rate that
  falls with threshold, ``PFR_i = PFR_1 - PFRD * thr_i / thr_max`` (35 Hz down to
  25 Hz); the gain is such that the last unit reaches its peak at full excitation;
* peak twitch forces span a range ``RP`` (100-fold) exponentially and contraction
  times fall from ``T_L`` (90 ms) for the smallest to ``T_L / RT`` (30 ms, ``RT`` = 3)
  for the largest unit: ``T_i = T_L * (1 / P_i) ** (1 / log_RT(RP))``.

The number of fibres of a unit is proportional to its twitch force (so innervation
ratios also span ``RP``; a pathology scales the force with the number of fibres and
their cross-section); its fibres lie in a circular territory of radius
``sqrt(n_fibres / (pi * rho))`` where ``rho`` (default 10 fibres/mm²) is the density
of the unit's own fibres. Larger units have slightly larger fibres (the size
principle; Andreassen & Arendt-Nielsen 1987), and the conduction velocity follows
the fibre diameter, ``CV = 0.95 + 0.05 * d`` m/s for ``d`` in µm (Nandedkar &
Stålberg 1983), about 3.5-4.4 m/s for a normal pool.

A :class:`~myograph.simulate.pathology.Pathology` changes the normal pool: units are
lost (``unit_count_factor``; survivors keep their size-ordered thresholds),
fibres are gained or lost per unit, fibres shrink or vary more in diameter,
territories grow, thresholds and rates scale. The force scale is calibrated on the
*normal* pool, so a myopathic muscle (fewer, smaller fibres) is weaker.

References
----------
.. [1] Fuglevand AJ, Winter DA, Patla AE. Models of recruitment and rate coding
   organization in motor-unit pools. J Neurophysiol 1993;70:2470-2488.
.. [2] Andreassen S, Arendt-Nielsen L. Muscle fibre conduction velocity in motor units
   of the human anterior tibial muscle: a new size principle parameter. J Physiol
   1987;391:561-571.
.. [3] Nandedkar SD, Stålberg E. Simulation of single muscle fibre action potentials.
   Med Biol Eng Comput 1983;21:158-165 (CV = 0.95 + 0.05 d, as used by Blijham PJ et
   al., J Appl Physiol 2006;100:1837-1841).
.. [4] Enoka RM, Fuglevand AJ. Motor unit physiology: some unresolved issues. Muscle
   Nerve 2001;24:4-17 (innervation ratios, territories).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.simulate.force import steady_force
from myograph.simulate.pathology import Pathology, get_pathology

__all__ = [
    "fuglevand_thresholds", "peak_rates", "discharge_rate", "twitch_properties", "conduction_velocity",
    "make_pool", "MotorUnitPool",
]


def fuglevand_thresholds(n_units: int, recruitment_range: float = 30.0, max_threshold: float = 0.7) -> np.ndarray:
    """Recruitment thresholds spread exponentially (Fuglevand et al. 1993).

    Parameters
    ----------
    n_units : int
        Number of units (>= 1).
    recruitment_range : float
        Ratio of the largest to the smallest threshold (>= 1).
    max_threshold : float
        Threshold of the last unit, fraction of the maximal excitation, in (0, 1].

    Returns
    -------
    ndarray
        ``max_threshold * recruitment_range ** (i / (n - 1) - 1)`` for ``i = 0 … n-1``.
    """
    n = int(n_units)
    if n < 1:
        raise ParameterError("n_units", f"need at least 1 motor unit, got {n_units!r}")
    if not recruitment_range >= 1:
        raise ParameterError("recruitment_range", f"must be >= 1, got {recruitment_range!r}")
    if not 0 < max_threshold <= 1:
        raise ParameterError("max_threshold", f"must be in (0, 1], got {max_threshold!r}")
    if n == 1:
        return np.array([max_threshold / recruitment_range])
    i = np.arange(n)
    return max_threshold * recruitment_range ** (i / (n - 1) - 1.0)


def peak_rates(thresholds: np.ndarray, first_hz: float = 35.0, drop_hz: float = 10.0) -> np.ndarray:
    """Peak discharge rates falling linearly with threshold: ``PFR_1 - PFRD * thr / thr_max`` (Hz)."""
    thr = np.asarray(thresholds, dtype=float)
    return first_hz - drop_hz * thr / thr.max()


def discharge_rate(excitation: np.ndarray, threshold: float | np.ndarray, min_rate_hz: float | np.ndarray,
                   peak_rate_hz: float | np.ndarray, gain_hz: float) -> np.ndarray:
    """Mean discharge rate (Hz) of units at ``excitation`` (0 below threshold).

    ``rate = min(min_rate + gain * (E - threshold), peak_rate)`` for ``E >= threshold``.
    Arrays broadcast (e.g. thresholds ``(n, 1)`` against excitation ``(t,)``).
    """
    e = np.asarray(excitation, dtype=float)
    thr = np.asarray(threshold, dtype=float)
    r = np.minimum(min_rate_hz + gain_hz * (e - thr), peak_rate_hz)
    return np.where(e >= thr, r, 0.0)


def twitch_properties(n_units: int, twitch_range: float = 100.0, contraction_time_range: float = 3.0,
                      max_contraction_time_s: float = 0.09) -> tuple[np.ndarray, np.ndarray]:
    """Relative peak twitch forces (1 … RP) and contraction times (s) (Fuglevand et al. 1993)."""
    n = int(n_units)
    i = np.arange(n)
    rel = twitch_range ** (i / max(n - 1, 1))
    c = np.log(twitch_range) / np.log(contraction_time_range) if twitch_range > 1 and contraction_time_range > 1 else np.inf
    ct = max_contraction_time_s * (1.0 / rel) ** (1.0 / c)
    return rel, ct


def conduction_velocity(diameter_um: np.ndarray) -> np.ndarray:
    """Muscle fibre conduction velocity from diameter, ``0.95 + 0.05 d`` m/s (Nandedkar & Stålberg 1983)."""
    return 0.95 + 0.05 * np.asarray(diameter_um, dtype=float)


def make_pool(
    n_units: int,
    rng: np.random.Generator,
    *,
    pathology: str | Pathology = "normal",
    recruitment_range: float = 30.0,
    max_threshold: float = 0.7,
    min_rate_hz: float = 8.0,
    peak_rate_hz: float = 35.0,
    peak_rate_drop_hz: float = 10.0,
    isi_cv: float = 0.15,
    twitch_range: float = 100.0,
    contraction_time_range: float = 3.0,
    max_contraction_time_s: float = 0.09,
    min_fibres: int = 20,
    unit_fibre_density_per_mm2: float = 10.0,
    fibre_diameter_um: float = 60.0,
    fibre_diameter_size_spread: float = 0.25,
    fibre_diameter_cv: float = 0.12,
    max_force_n: float = 100.0,
) -> "MotorUnitPool":
    """Build a motor unit pool (normal, then changed by ``pathology``).

    Parameters
    ----------
    n_units : int
        Number of units in the *normal* pool (a neurogenic pool keeps a fraction).
    rng : numpy.random.Generator
        Chooses which units survive denervation.
    pathology : str or Pathology
        ``"normal"``, ``"myopathic"``, ``"neurogenic"`` or a :class:`Pathology`.
    recruitment_range : float
        Ratio of the largest to smallest recruitment threshold (Fuglevand: 30).
    max_threshold : float
        Excitation (fraction of maximum) at which the last unit is recruited.
    min_rate_hz, peak_rate_hz, peak_rate_drop_hz : float
        Minimum rate, peak rate of the first unit, and how much lower the last
        unit's peak rate is, Hz (Fuglevand: 8, 35, 10).
    isi_cv : float
        Coefficient of variation of inter-spike intervals (0.1-0.25 physiologically).
    twitch_range, contraction_time_range, max_contraction_time_s : float
        Range of peak twitch forces (100), of contraction times (3), and the longest
        contraction time, s (0.09).
    min_fibres : int
        Fibres of the smallest normal unit; the largest has ``min_fibres * twitch_range``.
    unit_fibre_density_per_mm2 : float
        Density of one unit's fibres inside its territory, fibres/mm².
    fibre_diameter_um : float
        Mean fibre diameter of the normal pool, µm.
    fibre_diameter_size_spread : float
        Relative range of unit mean diameters from the smallest to the largest unit.
    fibre_diameter_cv : float
        Coefficient of variation of fibre diameters within a unit.
    max_force_n : float
        Force of the normal pool with every unit at its peak rate, N.

    Returns
    -------
    MotorUnitPool
    """
    n = int(n_units)
    if n < 1:
        raise ParameterError("motor_units", f"need at least 1 motor unit, got {n_units!r}")
    if not 0 <= isi_cv < 0.5:
        raise ParameterError("isi_cv", f"must be in [0, 0.5), got {isi_cv!r}")
    if not min_rate_hz > 0 or not peak_rate_hz - peak_rate_drop_hz > min_rate_hz:
        raise ParameterError("peak_rate_hz", f"every peak rate must exceed the minimum rate {min_rate_hz!r} Hz")
    if max_force_n <= 0:
        raise ParameterError("max_force_n", f"must be > 0 N, got {max_force_n!r}")
    path = get_pathology(pathology)

    # --- the normal pool
    thr = fuglevand_thresholds(n, recruitment_range, max_threshold)
    pfr = peak_rates(thr, peak_rate_hz, peak_rate_drop_hz)
    rel, ct = twitch_properties(n, twitch_range, contraction_time_range, max_contraction_time_s)
    fibres = np.maximum(1, np.round(min_fibres * rel)).astype(np.int64)
    size_rank = np.arange(n) / max(n - 1, 1)
    diam = fibre_diameter_um * (1.0 + fibre_diameter_size_spread * (size_rank - 0.5))
    # force per fibre of normal size, calibrated on the normal pool (twitches then span RP exactly)
    per_fibre = max_force_n / float(np.sum(steady_force(fibres.astype(float), ct, pfr)))

    # --- the pathology
    n_keep = max(1, int(round(n * path.unit_count_factor)))
    keep = np.arange(n) if n_keep >= n else np.sort(rng.choice(n, size=n_keep, replace=False))
    thr_p = np.clip(thr[keep] * path.threshold_factor, 0.0, 1.0)
    min_p = np.full(keep.size, min_rate_hz * path.min_rate_factor)
    pfr_p = np.maximum(pfr[keep] * path.peak_rate_factor, min_p + 1.0)
    thr_top = min(thr[-1] * path.threshold_factor, 0.999)
    gain_p = float((pfr[-1] * path.peak_rate_factor - min_rate_hz * path.min_rate_factor) / (1.0 - thr_top))
    fib_p = np.maximum(1, np.round(fibres[keep] * path.fibres_per_unit_factor)).astype(np.int64)
    diam_p = diam[keep] * path.fibre_diameter_scale
    radius = np.sqrt(fibres[keep] / (np.pi * unit_fibre_density_per_mm2)) * path.territory_factor
    twitch_n = per_fibre * fib_p * path.fibre_diameter_scale ** 2  # force scales with fibre cross-section
    return MotorUnitPool(
        thresholds=thr_p,
        min_rate_hz=min_p,
        peak_rate_hz=pfr_p,
        gain_hz=gain_p,
        isi_cv=float(isi_cv),
        twitch_n=twitch_n,
        contraction_time_s=ct[keep],
        n_fibres=fib_p,
        territory_radius_mm=radius,
        fibre_diameter_um=diam_p,
        fibre_diameter_cv=float(fibre_diameter_cv * path.fibre_diameter_cv_factor),
        conduction_velocity_m_s=conduction_velocity(diam_p),
        normal_index=keep.astype(np.int64),
        pathology=path,
        recruitment_range=float(recruitment_range),
        max_threshold=float(max_threshold),
    )


@dataclass(frozen=True)
class MotorUnitPool:
    """The units of one muscle (arrays have one entry per unit, in recruitment order).

    Attributes
    ----------
    thresholds : ndarray
        Recruitment threshold, fraction of the maximal excitation.
    min_rate_hz, peak_rate_hz : ndarray
        Rate at recruitment and the highest rate, Hz.
    gain_hz : float
        Rate increase per unit of excitation above threshold, Hz.
    isi_cv : float
        Coefficient of variation of inter-spike intervals.
    twitch_n, contraction_time_s : ndarray
        Peak twitch force (N) and time to peak (s).
    n_fibres : ndarray of int
        Muscle fibres innervated.
    territory_radius_mm : ndarray
        Radius of the circular territory, mm.
    fibre_diameter_um : ndarray
        Mean fibre diameter, µm; ``fibre_diameter_cv`` is the within-unit CV.
    conduction_velocity_m_s : ndarray
        Mean fibre conduction velocity, m/s.
    normal_index : ndarray of int
        Index of the unit in the normal pool it came from.
    pathology : Pathology
    recruitment_range, max_threshold : float
        The parameters of the threshold distribution (of the normal pool).
    """

    thresholds: np.ndarray
    min_rate_hz: np.ndarray
    peak_rate_hz: np.ndarray
    gain_hz: float
    isi_cv: float
    twitch_n: np.ndarray
    contraction_time_s: np.ndarray
    n_fibres: np.ndarray
    territory_radius_mm: np.ndarray
    fibre_diameter_um: np.ndarray
    fibre_diameter_cv: float
    conduction_velocity_m_s: np.ndarray
    normal_index: np.ndarray
    pathology: Pathology
    recruitment_range: float = 30.0
    max_threshold: float = 0.7

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v.flags.writeable = False

    @property
    def n_units(self) -> int:
        return int(self.thresholds.size)

    def rates(self, excitation: np.ndarray) -> np.ndarray:
        """Mean discharge rates, Hz, shaped ``(n_units, len(excitation))``."""
        e = np.asarray(excitation, dtype=float)
        return discharge_rate(e[None, :], self.thresholds[:, None], self.min_rate_hz[:, None],
                              self.peak_rate_hz[:, None], self.gain_hz)

    def max_force(self) -> float:
        """Force with every unit at its peak rate, N."""
        return float(np.sum(steady_force(self.twitch_n, self.contraction_time_s, self.peak_rate_hz)))

    def table(self) -> dict[str, Any]:
        """Per-unit arrays as a dict (for the ground truth)."""
        return {
            "threshold": self.thresholds,
            "min_rate_hz": self.min_rate_hz,
            "peak_rate_hz": self.peak_rate_hz,
            "twitch_n": self.twitch_n,
            "contraction_time_s": self.contraction_time_s,
            "n_fibres": self.n_fibres,
            "territory_radius_mm": self.territory_radius_mm,
            "fibre_diameter_um": self.fibre_diameter_um,
            "conduction_velocity_m_s": self.conduction_velocity_m_s,
            "normal_index": self.normal_index,
        }
