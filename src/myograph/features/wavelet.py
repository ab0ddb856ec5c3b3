"""Discrete-wavelet-transform features (own DWT; PyWavelets is not required).

The DWT here is the orthogonal periodic ("periodization") transform: one level
maps ``x_0..x_{N-1}`` (``N`` made even by repeating the last sample) to
``a_k = sum_j h_j x_{(2k + j) mod N}`` and ``d_k = sum_j g_j x_{(2k + j) mod N}``,
``k = 0..N/2-1``, with the Daubechies low-pass decomposition filter ``h`` and
``g_j = (-1)^(j+1) h_{L-1-j}``; the next level transforms ``a``. Being
orthogonal it preserves energy (``sum a^2 + sum d^2 = sum x^2`` for even N).
Features are reported per band in the order ``d_1 (finest), ..., d_L, a_L``,
so ``levels + 1`` values per channel.

References
----------
* Daubechies I (1992). Ten lectures on wavelets. SIAM (filters).
* Englehart K, Hudgins B, Parker PA, Stevenson M (1999). Classification of the
  myoelectric signal using time-frequency based representations. Med Eng Phys
  21:431-438.
* Phinyomark A, Limsakul C, Phukpattaranont P (2011). Application of wavelet
  analysis in EMG feature extraction for pattern classification. Meas Sci Rev
  11(2):45-52 (energy, MAV and standard deviation of DWT coefficients).
"""

from __future__ import annotations

import numpy as np

from myograph.core.errors import ParameterError
from myograph.features.registry import Parameter, register

# Daubechies decomposition low-pass filters (as tabulated by Daubechies 1992 / PyWavelets dec_lo)
DB_FILTERS = {
    "db1": np.array([0.7071067811865476, 0.7071067811865476]),
    "db2": np.array([-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025]),
    "db4": np.array([-0.010597401785069032, 0.0328830116668852, 0.030841381835560764, -0.18703481171909309,
                     -0.027983769416859854, 0.6308807679298589, 0.7148465705529157, 0.2303778133088965]),
}


def qmf(h: np.ndarray) -> np.ndarray:
    """High-pass decomposition filter ``g_j = (-1)^(j+1) h_{L-1-j}``."""
    L = h.size
    return np.array([(-1) ** (j + 1) * h[L - 1 - j] for j in range(L)])


def _filters(wavelet: str) -> tuple[np.ndarray, np.ndarray]:
    if wavelet not in DB_FILTERS:
        raise ParameterError("wavelet", f"must be one of {sorted(DB_FILTERS)}, got {wavelet!r}")
    h = DB_FILTERS[wavelet]
    return h, qmf(h)


def dwt_level(x: np.ndarray, h: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One periodic DWT level over the last axis (all leading axes at once)."""
    if x.shape[-1] % 2:
        x = np.concatenate([x, x[..., -1:]], axis=-1)
    n = x.shape[-1]
    L = h.size
    idx = (2 * np.arange(n // 2)[:, None] + np.arange(L)[None, :]) % n  # (n/2, L)
    taps = x[..., idx]  # (..., n/2, L)
    return taps @ h, taps @ g


def wavedec(x: np.ndarray, wavelet: str, levels: int) -> list[np.ndarray]:
    """``[d_1, ..., d_L, a_L]`` of the periodic DWT."""
    h, g = _filters(wavelet)
    levels = int(levels)
    if levels < 1:
        raise ParameterError("levels", f"must be >= 1, got {levels}")
    if x.shape[-1] < 2**levels:
        raise ParameterError("levels", f"{levels} levels need windows of at least {2**levels} samples, got {x.shape[-1]}")
    out = []
    a = x
    for _ in range(levels):
        a, d = dwt_level(a, h, g)
        out.append(d)
    out.append(a)
    return out


_PARAMS = {"wavelet": Parameter("db4", "", "Daubechies filter: db1 (Haar), db2, db4"), "levels": Parameter(3, "", "decomposition levels L")}


def _size(wavelet, levels):
    return int(levels) + 1


@register("DWTE", definition="energy sum_k c_k^2 of each DWT band d_1..d_L, a_L", reference="Englehart et al. 1999, Med Eng Phys 21:431",
          unit="V^2", size=_size, parameters=_PARAMS, domain="wavelet")
def dwte(w, fs, wavelet, levels):
    return np.stack([np.einsum("...i,...i->...", c, c) for c in wavedec(w, wavelet, levels)], axis=-1)


@register("DWTMAV", definition="mean absolute value (1/K) sum_k |c_k| of each DWT band d_1..d_L, a_L", reference="Phinyomark et al. 2011, Meas Sci Rev 11:45",
          unit="V", size=_size, parameters=_PARAMS, domain="wavelet")
def dwtmav(w, fs, wavelet, levels):
    return np.stack([np.abs(c).mean(axis=-1) for c in wavedec(w, wavelet, levels)], axis=-1)


@register("DWTSTD", definition="standard deviation (population) of the coefficients of each DWT band d_1..d_L, a_L", reference="Phinyomark et al. 2011, Meas Sci Rev 11:45",
          unit="V", size=_size, parameters=_PARAMS, domain="wavelet")
def dwtstd(w, fs, wavelet, levels):
    return np.stack([c.std(axis=-1) for c in wavedec(w, wavelet, levels)], axis=-1)
