"""Volume conductor: motor unit action potentials of finite fibres at electrode arrays.

Model
-----
Each muscle fibre is a line source parallel to the *x* axis. An intracellular action
potential (IAP) is generated at the fibre's end plate, propagates at the conduction
velocity ``v`` towards both tendons and is extinguished there (generation,
propagation and extinction; Merletti et al. 1999; Dimitrov & Dimitrova 1998). The
IAP's spatial profile is Rosenfalck's (1969)::

    V_m(s) = 96 s^3 exp(-s) - 90  mV,   s >= 0 mm behind the wavefront

and the transmembrane current per unit length is ``sigma_i pi a^2 d2V_m/dz2`` for a
fibre of radius ``a``. In a homogeneous anisotropic medium (radial conductivity
``sigma_r``, axial ``sigma_a``) a point current ``I`` at axial distance ``z`` and
radial distance ``r`` gives ``I / (4 pi sigma_r sqrt(r^2 sigma_a / sigma_r + z^2))``.
Integrating the current density by parts moves the derivative onto this weighting
function, so the truncation of the fibre at the end plate and at the tendons needs no
special terms: with ``w(z) = 1 / sqrt(k r^2 + (z - x_e)^2)``, ``k = sigma_a / sigma_r``,
the potential of a fibre with end plate at ``z_e`` and semi-lengths ``L1`` (towards
-x) and ``L2`` (towards +x) is::

    phi(t) = c * integral_0^inf  V'(v t - u) [ w'(z_e + u) 1(u < L2) - w'(z_e - u) 1(u < L1) ] du
    c = image * sigma_i a^2 / (4 sigma_r)

a convolution in space of the IAP's slope with the windowed weighting derivative,
evaluated at ``s = v t``. Because the fibres of one unit share its conduction
velocity, the windowed weighting derivatives of all its fibres (with their own end
plates, lengths, positions, axonal delays and diameters) are summed *before* the one
convolution per channel. Detection at the skin over a half-space uses an image
factor 2 (insulating skin surface); electrode area is an average over a 7-point
quadrature of the disc (Radon's rule), which acts as the spatial low-pass filter of
finite electrodes (Farina & Merletti 2001). Tissue filtering with depth follows from
the model itself: deeper fibres give broader weighting functions, hence slower, smaller
MUAPs.

Simplifications (stated, not hidden): the subcutaneous fat and skin are lumped with the
muscle (a unit's depth is measured from the skin, so fat adds depth but not its own
isotropic conductivity; the layered solution of Farina & Merletti 2001 is not
implemented); fibres are parallel to the skin; the IAP shape does not change along the
fibre.

The potential is computed on a spatial grid ``dz`` such that ``v / dz`` is an integer
multiple ``m`` of the sampling rate, then decimated by ``m`` with a polyphase
anti-aliasing filter.

References
----------
.. [1] Rosenfalck P. Intra- and extracellular potential fields of active nerve and
   muscle fibres. Acta Physiol Scand Suppl 1969;321:1-168.
.. [2] Dimitrov GV, Dimitrova NA. Precise and fast calculation of the motor unit
   potentials detected by a point and rectangular plate electrode. Med Eng Phys
   1998;20:374-381.
.. [3] Merletti R, Lo Conte L, Avignone E, Guglielminotti P. Modeling of surface
   myoelectric signals—Part I: Model implementation. IEEE Trans Biomed Eng
   1999;46:810-820.
.. [4] Farina D, Merletti R. A novel approach for precise simulation of the EMG signal
   detected by surface electrodes. IEEE Trans Biomed Eng 2001;48:637-646 (electrode
   size as a spatial filter; conductivities).
.. [5] Nandedkar SD, Stålberg E. Simulation of single muscle fibre action potentials.
   Med Biol Eng Comput 1983;21:158-165.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft
from scipy.signal import firwin, resample_poly

from myograph.core.errors import ParameterError

__all__ = [
    "SIGMA_INTRA", "SIGMA_RADIAL", "SIGMA_AXIAL", "iap_slope", "weighting_slope", "disc_points",
    "ElectrodeSet", "FibreSet", "unit_templates", "sample_fibres", "decimate",
]

#: intracellular conductivity, S/m (Nandedkar & Stålberg 1983)
SIGMA_INTRA = 1.01
#: muscle conductivity across and along the fibres, S/m (Farina & Merletti 2001)
SIGMA_RADIAL = 0.1
SIGMA_AXIAL = 0.5
#: extent of the IAP behind its front that is kept, mm (V' < 1e-4 V/m beyond)
IAP_LENGTH_MM = 25.0


def iap_slope(s_mm: np.ndarray) -> np.ndarray:
    """Spatial slope ``dV_m/ds`` of Rosenfalck's IAP, V/m (= mV/mm); 0 ahead of the front (s < 0)."""
    s = np.asarray(s_mm, dtype=float)
    sp = np.clip(s, 0.0, None)
    return np.where(s > 0, 96.0 * np.exp(-sp) * (3.0 * sp ** 2 - sp ** 3), 0.0)


def weighting_slope(z_m: np.ndarray, r2_m2: np.ndarray, k: float = SIGMA_AXIAL / SIGMA_RADIAL) -> np.ndarray:
    """``d/dz [1 / sqrt(k r^2 + z^2)]`` for axial offset ``z`` (m) and squared radial distance (m²), 1/m²."""
    q = k * r2_m2 + z_m * z_m
    return -z_m / (q * np.sqrt(q))


def disc_points(diameter_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature points (axial, tangential offsets, mm) and weights averaging over a disc electrode.

    A point electrode for diameters below 0.5 mm; otherwise Radon's 7-point rule
    (exact for polynomials of degree 3): the centre with weight 1/4 and six points at
    ``sqrt(2/3) R`` with weight 1/8.
    """
    if diameter_mm < 0:
        raise ParameterError("electrode_diameter_mm", f"must be >= 0 mm, got {diameter_mm!r}")
    if diameter_mm < 0.5:
        return np.zeros((1, 2)), np.ones(1)
    r = np.sqrt(2.0 / 3.0) * diameter_mm / 2.0
    ang = np.arange(6) * np.pi / 3.0
    pts = np.vstack([[0.0, 0.0], np.column_stack([r * np.cos(ang), r * np.sin(ang)])])
    return pts, np.concatenate([[0.25], np.full(6, 0.125)])


@dataclass(frozen=True)
class ElectrodeSet:
    """Detection points of a set of channels.

    Attributes
    ----------
    axial_mm : ndarray, shape (n_channels, n_points)
        Position of each point along the fibre direction, mm.
    transverse_mm : ndarray, shape (n_channels, n_points, 2)
        Position in the plane across the fibres, mm (same frame as the fibres').
    weights : ndarray, shape (n_channels, n_points)
        Each channel is ``sum(weights * potential(point))`` (pole signs and area
        quadrature weights).
    """

    axial_mm: np.ndarray
    transverse_mm: np.ndarray
    weights: np.ndarray

    @property
    def n_channels(self) -> int:
        return int(self.axial_mm.shape[0])


@dataclass(frozen=True)
class FibreSet:
    """The (representative) fibres of one motor unit.

    Attributes
    ----------
    transverse_mm : ndarray, shape (n, 2)
        Position across the fibres, mm.
    end_plate_mm : ndarray, shape (n,)
        Axial position of each end plate, mm.
    left_mm, right_mm : ndarray, shape (n,)
        Fibre length from the end plate towards -x and +x, mm.
    diameter_um : ndarray, shape (n,)
        Fibre diameters, µm.
    delay_s : ndarray, shape (n,)
        Axonal + end-plate delay of each fibre after the unit's discharge, s.
    count : ndarray, shape (n,)
        How many real fibres each representative fibre stands for.
    """

    transverse_mm: np.ndarray
    end_plate_mm: np.ndarray
    left_mm: np.ndarray
    right_mm: np.ndarray
    diameter_um: np.ndarray
    delay_s: np.ndarray
    count: np.ndarray


def sample_fibres(
    rng: np.random.Generator,
    *,
    centre_mm: tuple[float, float],
    radius_mm: float,
    n_fibres: int,
    n_represent: int,
    diameter_um: float,
    diameter_cv: float,
    end_plate_mm: float,
    end_plate_spread_mm: float = 4.0,
    half_length_mm: float = 60.0,
    length_sd_mm: float = 3.0,
    delay_spread_s: float = 0.4e-3,
    min_depth_mm: float | None = None,
    max_radius_mm: float | None = None,
) -> FibreSet:
    """Draw fibres uniformly in a circular territory, with end-plate, length and delay scatter.

    Parameters
    ----------
    rng : numpy.random.Generator
    centre_mm : (float, float)
        Territory centre in transverse coordinates, mm.
    radius_mm : float
        Territory radius, mm.
    n_fibres : int
        Fibres of the unit.
    n_represent : int
        How many fibres to draw; each stands for ``n_fibres / n_represent`` fibres
        (all of them when ``n_represent >= n_fibres``).
    diameter_um, diameter_cv : float
        Mean and coefficient of variation of the fibre diameters (normal; clipped to
        >= 10 µm).
    end_plate_mm, end_plate_spread_mm : float
        Centre and full width of the uniform spread of the unit's end plates, mm.
    half_length_mm, length_sd_mm : float
        Mean and SD of each semi-length (end plate to tendon), mm.
    delay_spread_s : float
        Axonal branch delays are uniform in ``[0, delay_spread_s]``, s.
    min_depth_mm : float, optional
        For planar (skin at transverse coordinate 2 = 0) geometry: fibres shallower
        than this are reflected below it.
    max_radius_mm : float, optional
        For cylindrical (limb centred at the origin) geometry: fibres further than
        this from the axis are reflected inside it.
    """
    n_rep = int(min(max(n_fibres, 1), max(n_represent, 1)))
    rad = radius_mm * np.sqrt(rng.random(n_rep))
    ang = 2 * np.pi * rng.random(n_rep)
    tr = np.column_stack([centre_mm[0] + rad * np.cos(ang), centre_mm[1] + rad * np.sin(ang)])
    if min_depth_mm is not None:
        shallow = tr[:, 1] < min_depth_mm
        tr[shallow, 1] = 2 * min_depth_mm - tr[shallow, 1]
    if max_radius_mm is not None:
        rho = np.hypot(tr[:, 0], tr[:, 1])
        out = rho > max_radius_mm
        tr[out] *= ((2 * max_radius_mm - rho[out]) / rho[out])[:, None]
    ez = end_plate_mm + end_plate_spread_mm * (rng.random(n_rep) - 0.5)
    left = np.maximum(half_length_mm + length_sd_mm * rng.standard_normal(n_rep), 5.0)
    right = np.maximum(half_length_mm + length_sd_mm * rng.standard_normal(n_rep), 5.0)
    diam = np.maximum(diameter_um * (1.0 + diameter_cv * rng.standard_normal(n_rep)), 10.0)
    delay = delay_spread_s * rng.random(n_rep)
    count = np.full(n_rep, n_fibres / n_rep)
    return FibreSet(tr, ez, left, right, diam, delay, count)


@functools.lru_cache(maxsize=32)
def _decimation_filter(m: int) -> np.ndarray:
    """The anti-aliasing FIR that :func:`scipy.signal.resample_poly` designs for down-sampling by ``m``."""
    h = firwin(2 * 10 * m + 1, 1.0 / m, window=("kaiser", 5.0))
    h.flags.writeable = False
    return h


def decimate(x: np.ndarray, m: int) -> np.ndarray:
    """Down-sample by the integer ``m`` along the last axis with a zero-phase Kaiser FIR (as resample_poly)."""
    if m <= 1:
        return x
    return resample_poly(x, 1, m, axis=-1, window=_decimation_filter(m).copy())


def _oversampling(v_m_s: float, fs: float, dz_max_mm: float) -> int:
    return max(1, int(np.ceil(v_m_s * 1e3 / (fs * dz_max_mm))))


def unit_templates(
    fibres: FibreSet,
    electrodes: ElectrodeSet,
    v_m_s: float,
    fs: float,
    *,
    image_factor: float = 2.0,
    n_pre: int = 4,
    dz_max_mm: float = 0.25,
) -> np.ndarray:
    """MUAP of one unit at every channel, volts, sampled at ``fs``.

    Parameters
    ----------
    fibres : FibreSet
        The unit's (representative) fibres.
    electrodes : ElectrodeSet
    v_m_s : float
        The unit's conduction velocity, m/s (shared by its fibres).
    fs : float
        Sampling rate, Hz.
    image_factor : float
        2 for electrodes on the skin over a half-space, 1 inside an infinite medium.
    n_pre : int
        Samples kept before the discharge (the template's sample ``n_pre`` is the
        discharge time).
    dz_max_mm : float
        Largest spatial step of the computation, mm.

    Returns
    -------
    ndarray, shape (n_channels, n_template)
    """
    if v_m_s <= 0:
        raise ParameterError("conduction_velocity_m_s", f"must be > 0 m/s, got {v_m_s!r}")
    m = _oversampling(v_m_s, fs, dz_max_mm)
    dz_mm = v_m_s * 1e3 / (fs * m)
    shifts = np.round(fibres.delay_s * v_m_s * 1e3 / dz_mm).astype(np.int64)
    length = np.maximum(fibres.left_mm, fibres.right_mm)
    n_u = int(np.ceil(length.max() / dz_mm)) + 2
    n_g = n_u + int(shifts.max(initial=0))
    u_mm = np.arange(n_u) * dz_mm
    k = SIGMA_AXIAL / SIGMA_RADIAL
    # squared radial distance of every (fibre, channel, point), m²
    d = electrodes.transverse_mm[None, :, :, :] - fibres.transverse_mm[:, None, None, :]
    r2 = np.sum(d * d, axis=-1) * 1e-6
    radius_m = fibres.diameter_um * 0.5e-6
    wf = image_factor * SIGMA_INTRA * radius_m ** 2 / (4.0 * SIGMA_RADIAL) * fibres.count
    ax = electrodes.axial_mm
    # all fibres at once: (fibre, channel, point, u)
    zr = (fibres.end_plate_mm[:, None] + u_mm[None, :])[:, None, None, :] - ax[None, :, :, None]
    zl = (fibres.end_plate_mm[:, None] - u_mm[None, :])[:, None, None, :] - ax[None, :, :, None]
    rr = r2[:, :, :, None]
    wr = weighting_slope(zr * 1e-3, rr, k) * (u_mm[None, :] <= fibres.right_mm[:, None])[:, None, None, :]
    wl = weighting_slope(zl * 1e-3, rr, k) * (u_mm[None, :] <= fibres.left_mm[:, None])[:, None, None, :]
    gf = np.einsum("cp,fcpu->fcu", electrodes.weights, wr - wl) * wf[:, None, None]
    g = np.zeros((electrodes.n_channels, n_g))
    for f, sh in enumerate(shifts):
        g[:, sh:sh + n_u] += gf[f]
    psi = iap_slope(np.arange(int(np.ceil(IAP_LENGTH_MM / dz_mm)) + 1) * dz_mm)
    n_full = n_g + psi.size - 1
    nfft = next_fast_len(n_full)
    phi = irfft(rfft(g, nfft, axis=-1) * rfft(psi, nfft)[None, :], nfft, axis=-1)[:, :n_full]
    phi *= dz_mm * 1e-3
    pre = np.zeros((phi.shape[0], n_pre * m))
    full = np.concatenate([pre, phi, np.zeros((phi.shape[0], 4 * m))], axis=1)
    return decimate(full, m)
