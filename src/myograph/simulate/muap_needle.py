"""Concentric needle MUAPs: every fibre within the pickup radius, one by one.

The line-source model of :mod:`myograph.simulate.volume` is applied fibre by fibre in
an infinite anisotropic medium (the needle is deep in the muscle): each fibre has its
own diameter, hence conduction velocity (``0.95 + 0.05 d`` m/s), end plate, axonal
delay and distance to the electrode. The concentric needle records the potential of
its core — an elliptical surface of about 150 x 580 µm at the bevel, averaged over 5
points — against its cannula, averaged over 16 points: a ring at the rim around the
core and rings 0.5, 1 and 2 mm up the shaft (Nandedkar, Stålberg & Sanders 1985 model
the cannula's pick-up as an average over its surface; the reference cancels far-field
activity). Only fibres within the pickup radius (default 2.5 mm; fibres further than
~2.5 mm contribute little to the MUAP's duration and nothing to its amplitude,
Nandedkar et al. 1988) are simulated, and of each fibre only the part within ±12 mm of
the needle (tapered over the last 3 mm); fibres that would pass through the needle
shaft are displaced out of the model. Fibres within 0.6 mm of the core are computed on
a 0.05-mm grid, the others on a 0.2-mm grid. Reinnervated units (fibres per unit
factor > 1) place the fibres they adopted in groups of 20 packed at the muscle's fibre
density: fibre-type grouping (Stålberg & Trontelj 1994).

The fibres that contribute most to a MUAP are kept as separate components so that the
neuromuscular jitter of the pathology (``jitter_us``, the mean consecutive difference
of inter-potential intervals of two fibres; the SD of one fibre's latency is
``jitter * sqrt(pi) / (2 sqrt 2)``) can move them at each discharge, and with
probability ``extra_phase_probability`` a unit has 1-3 late-activated fibres (delayed
by 0.5-2 ms: slowly conducting sprouts, split or regenerating fibres), which makes its
MUAP polyphasic.

References
----------
.. [1] Nandedkar SD, Stålberg E, Sanders DB. Simulation techniques in electromyography.
   IEEE Trans Biomed Eng 1985;32:775-785.
.. [2] Nandedkar SD, Sanders DB, Stålberg EV, Andreassen S. Simulation of concentric
   needle EMG motor unit action potentials. Muscle Nerve 1988;11:151-159.
.. [3] Stålberg E, Trontelj JV. Single Fiber Electromyography, 2nd ed. Raven Press, 1994.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from myograph.simulate.pool import MotorUnitPool, conduction_velocity
from myograph.simulate.volume import (
    IAP_LENGTH_MM, SIGMA_AXIAL, SIGMA_INTRA, SIGMA_RADIAL, decimate, iap_slope, weighting_slope,
)

__all__ = ["NeedleGeometry", "NeedleMUAPs", "needle_points", "needle_muaps"]

#: half-length of the fibre stretch simulated around the needle, mm
WINDOW_MM = 12.0
_TAPER_MM = 3.0
#: largest spatial step, mm, for fibres within _NEAR_MM of the core (they come within ~50 µm)
_DZ_MAX_MM = 0.05
#: fibres further than this (mm) from the core are computed with steps of _DZ_FAR_MM
_NEAR_MM = 0.6
_DZ_FAR_MM = 0.2


@dataclass(frozen=True)
class NeedleGeometry:
    """Where the needle is and how it is built.

    Attributes
    ----------
    axial_mm : float
        Position along the fibres relative to the innervation zone centre, mm.
    cannula_radius_mm : float
        Outer radius of the cannula, mm (0.23 for a 26-gauge concentric needle).
    pickup_radius_mm : float
        Fibres further than this from the core are not simulated, mm.
    """

    axial_mm: float = 15.0
    cannula_radius_mm: float = 0.23
    pickup_radius_mm: float = 2.5


@dataclass(frozen=True)
class NeedleMUAPs:
    """MUAPs of a pool at one needle position.

    Attributes
    ----------
    main : ndarray, shape (n_units, n_lags)
        Each unit's MUAP without its jittering components, V.
    components : list of (int, ndarray)
        ``(unit, template)`` of fibres whose latency jitters from discharge to discharge.
    lag0 : int
        Template sample of the discharge.
    n_fibres_near : ndarray of int
        Fibres of each unit within the pickup radius.
    extra_phase : ndarray of bool
        Units given late components.
    """

    main: np.ndarray
    components: list
    lag0: int
    n_fibres_near: np.ndarray
    extra_phase: np.ndarray

    def templates(self) -> np.ndarray:
        """The mean MUAP of each unit (main + components), V, shaped ``(n_units, n_lags)``."""
        out = self.main.copy()
        for u, t in self.components:
            out[u] += t
        return out


def needle_points(geometry: NeedleGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detection points of a concentric needle: axial offsets (mm), transverse coordinates (mm), weights.

    The needle shaft runs along transverse coordinate 2 (+ towards the skin) through
    the origin; the core is at the tip.
    """
    core = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0], [-0.05, 0.0, 0.0], [0.0, 0.0, 0.15], [0.0, 0.0, -0.15]])
    ang = np.arange(4) * np.pi / 2 + np.pi / 4
    rc = geometry.cannula_radius_mm
    can = np.array([[rc * np.cos(a), rc * np.sin(a), h] for h in (0.0, 0.5, 1.0, 2.0) for a in ang])
    pts = np.vstack([core, can])
    w = np.concatenate([np.full(len(core), 1.0 / len(core)), np.full(len(can), -1.0 / len(can))])
    return pts[:, 0], pts[:, 1:], w


def _fibres_near(rng, centre, radius, n, pickup, cannula_r, grouped=0, group_size=20, density=200.0):
    """Fibre positions of one unit within ``pickup`` of the needle (transverse plane, mm).

    ``n - grouped`` fibres are uniform in the territory; ``grouped`` fibres (adopted by
    collateral sprouting) lie in groups of ``group_size`` packed at the muscle's fibre
    ``density`` (fibres/mm²) around uniform group centres: fibre-type grouping.
    """
    n_free = n - grouped
    pos_r = radius * np.sqrt(rng.random(n_free))
    ang = 2 * np.pi * rng.random(n_free)
    parts = [np.column_stack([centre[0] + pos_r * np.cos(ang), centre[1] + pos_r * np.sin(ang)])]
    if grouped > 0:
        n_groups = max(1, int(round(grouped / group_size)))
        g_r = radius * np.sqrt(rng.random(n_groups))
        g_a = 2 * np.pi * rng.random(n_groups)
        gc = np.column_stack([centre[0] + g_r * np.cos(g_a), centre[1] + g_r * np.sin(g_a)])
        member = rng.integers(0, n_groups, grouped)
        rad_g = np.sqrt(group_size / (np.pi * density))
        rr = rad_g * np.sqrt(rng.random(grouped))
        aa = 2 * np.pi * rng.random(grouped)
        parts.append(gc[member] + np.column_stack([rr * np.cos(aa), rr * np.sin(aa)]))
    yz = np.vstack(parts)
    d = np.hypot(yz[:, 0], yz[:, 1])
    through_shaft = (np.abs(yz[:, 0]) < cannula_r + 0.03) & (yz[:, 1] > -0.05)
    keep = (d <= pickup) & (d >= 0.04) & ~through_shaft
    return yz[keep]


def _sfaps(yz, ze, left, right, diam, x_needle, fs, m, pts_ax, pts_tr, pts_w):
    """Potentials of single fibres at the needle, at ``fs * m``, starting at each fibre's activation."""
    n_f = yz.shape[0]
    v = conduction_velocity(diam)  # m/s
    dz = v * 1e3 / (fs * m)  # mm, per fibre
    reach = np.abs(x_needle - ze) + WINDOW_MM
    n_u = int(np.ceil(np.max(reach / dz))) + 2
    u = np.arange(n_u)[None, :] * dz[:, None]  # (f, u) mm
    k = SIGMA_AXIAL / SIGMA_RADIAL
    dtr = pts_tr[None, :, :] - yz[:, None, :]
    r2 = np.sum(dtr * dtr, axis=-1) * 1e-6  # (f, p) m²
    g = np.zeros((n_f, n_u))
    for sign, length in ((1.0, right), (-1.0, left)):
        # only the stretch of u where some fibre's point z = ze + sign*u lies in the window
        lo = np.maximum(0.0, sign * (x_needle - ze) - WINDOW_MM)
        hi = np.minimum(length, sign * (x_needle - ze) + WINDOW_MM)
        if not np.any(hi > lo):
            continue
        k0 = int(np.floor(np.min((lo / dz)[hi > lo])))
        k1 = min(n_u, int(np.ceil(np.max((hi / dz)[hi > lo]))) + 1)
        uu = u[:, k0:k1]
        z = ze[:, None] + sign * uu
        rel = z - x_needle
        taper = np.clip((WINDOW_MM - np.abs(rel)) / _TAPER_MM, 0.0, 1.0)
        mask = (uu <= length[:, None]) * taper * taper
        wsum = np.zeros(uu.shape)
        for p in range(pts_ax.size):
            wsum += pts_w[p] * weighting_slope((rel - pts_ax[p]) * 1e-3, r2[:, p][:, None], k)
        g[:, k0:k1] += sign * mask * wsum
    n_psi = int(np.ceil(IAP_LENGTH_MM / dz.min())) + 1
    psi = iap_slope(np.arange(n_psi)[None, :] * dz[:, None])
    n_full = n_u + n_psi - 1
    nfft = next_fast_len(n_full)
    phi = irfft(rfft(g, nfft, axis=-1) * rfft(psi, nfft, axis=-1), nfft, axis=-1)[:, :n_full]
    scale = SIGMA_INTRA * (diam * 0.5e-6) ** 2 / (4.0 * SIGMA_RADIAL) * dz * 1e-3
    return phi * scale[:, None]


def needle_muaps(
    pool: MotorUnitPool,
    centres_mm: np.ndarray,
    rng: np.random.Generator,
    fs: float,
    *,
    geometry: NeedleGeometry = NeedleGeometry(),
    end_plate_spread_mm: float = 2.0,
    half_length_mm: float = 60.0,
    delay_spread_s: float = 0.2e-3,
    n_components: int = 4,
    n_pre: int | None = None,
) -> NeedleMUAPs:
    """MUAPs of every unit of ``pool`` at a concentric needle.

    Parameters
    ----------
    pool : MotorUnitPool
    centres_mm : ndarray, shape (n_units, 2)
        Territory centres in the transverse plane, mm, with the needle tip at (0, 0).
    rng : numpy.random.Generator
    fs : float
        Sampling rate, Hz (10-20 kHz for needle EMG).
    geometry : NeedleGeometry
    end_plate_spread_mm, half_length_mm, delay_spread_s : float
        Width of a unit's end-plate band (mm), mean fibre semi-length (mm) and the
        spread of axonal branch delays (s).
    n_components : int
        Fibres per unit kept as jittering components (the largest contributors).
    n_pre : int, optional
        Template samples before the discharge (default 1 ms).

    Returns
    -------
    NeedleMUAPs
    """
    m_near = max(1, int(np.ceil(5.0 * 1e3 / (fs * _DZ_MAX_MM))))  # v up to 5 m/s
    m_far = max(1, int(np.ceil(5.0 * 1e3 / (fs * _DZ_FAR_MM))))
    pre = int(round(1e-3 * fs)) if n_pre is None else int(n_pre)
    pts_ax, pts_tr, pts_w = needle_points(geometry)
    path = pool.pathology
    sd_jitter_s = path.jitter_us * 1e-6 * np.sqrt(np.pi) / (2.0 * np.sqrt(2.0))
    children = rng.spawn(pool.n_units)
    mains: list[np.ndarray | None] = []
    comps: list = []
    n_near = np.zeros(pool.n_units, dtype=np.int64)
    extra = np.zeros(pool.n_units, dtype=bool)
    for i in range(pool.n_units):
        r = children[i]
        iz = 2.0 * r.standard_normal()
        n_all = int(pool.n_fibres[i])
        grouped = int(round(n_all * (1.0 - 1.0 / path.fibres_per_unit_factor))) if path.fibres_per_unit_factor > 1 else 0
        yz = _fibres_near(r, centres_mm[i], pool.territory_radius_mm[i], n_all,
                          geometry.pickup_radius_mm, geometry.cannula_radius_mm, grouped=grouped)
        nf = yz.shape[0]
        n_near[i] = nf
        extra[i] = r.random() < path.extra_phase_probability
        if nf == 0:
            mains.append(None)
            continue
        ze = iz + end_plate_spread_mm * (r.random(nf) - 0.5)
        left = np.maximum(half_length_mm + 3.0 * r.standard_normal(nf), 5.0)
        right = np.maximum(half_length_mm + 3.0 * r.standard_normal(nf), 5.0)
        diam = np.maximum(pool.fibre_diameter_um[i] * (1.0 + pool.fibre_diameter_cv * r.standard_normal(nf)), 10.0)
        delay = delay_spread_s * r.random(nf)
        close = np.hypot(yz[:, 0], yz[:, 1]) < _NEAR_MM
        unit = np.zeros(0)
        for tier, m in ((np.flatnonzero(close), m_near), (np.flatnonzero(~close), m_far)):
            if tier.size == 0:
                continue
            phi = _sfaps(yz[tier], ze[tier], left[tier], right[tier], diam[tier], geometry.axial_mm, fs, m,
                         pts_ax, pts_tr, pts_w)
            top = np.zeros(tier.size, dtype=bool)
            if m == m_near:
                order = np.argsort(np.ptp(phi, axis=1))[::-1]
                if extra[i]:
                    k = int(r.integers(1, 4))
                    late = r.choice(order[:min(tier.size, 8)], size=min(k, tier.size), replace=False)
                    delay[tier[late]] += r.uniform(0.5e-3, 2.0e-3, size=late.size)
                if sd_jitter_s > 0:
                    top[order[:n_components]] = True
            shift = np.round(delay[tier] * fs * m).astype(np.int64) + pre * m
            length = int(shift.max()) + phi.shape[1] + 8 * m
            acc = np.zeros(length)
            for f in range(tier.size):
                if top[f]:
                    one = np.zeros(length)
                    one[shift[f]:shift[f] + phi.shape[1]] = phi[f]
                    comps.append((i, _decimate(one, m)))
                else:
                    acc[shift[f]:shift[f] + phi.shape[1]] += phi[f]
            dec = _decimate(acc, m)
            if dec.size > unit.size:
                unit = np.concatenate([unit, np.zeros(dec.size - unit.size)])
            unit[:dec.size] += dec
        mains.append(unit)
    n_lags = max([u.size for u in mains if u is not None] + [c.size for _, c in comps] + [pre + 1])
    main = np.zeros((pool.n_units, n_lags))
    for i, u in enumerate(mains):
        if u is not None:
            main[i, :u.size] = u
    comps = [(u, np.concatenate([c, np.zeros(n_lags - c.size)])) for u, c in comps]
    return NeedleMUAPs(main, comps, pre, n_near, extra)


def _decimate(x: np.ndarray, m: int) -> np.ndarray:
    return decimate(x, m)
