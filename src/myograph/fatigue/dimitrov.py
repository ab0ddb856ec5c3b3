"""Dimitrov's spectral fatigue index FInsm5 (ratio of spectral moments of order -1 and 5).

``FInsm5 = M(-1) / M(5)`` with the spectral moments ``M(k) = ∫ f^k P(f) df`` taken
over a stated band ``[f1, f2]``. Spectral compression during fatigue raises the
low-frequency-weighted moment ``M(-1)`` and lowers the high-frequency-weighted
``M(5)`` at once, so the ratio changes far more than MNF or MDF (Dimitrov et al.
2006 report up to an eightfold rise where MDF fell 32 %).

Units: ``M(k)`` is in (unit of the signal)² · Hz^k, so FInsm5 is in Hz⁻⁶ = s⁶
(values around 1e-14 s⁶ for surface EMG); it is returned unscaled. Only ratios and
relative changes are comparable, and only between values computed over the same band:
the index is dominated by the band edges (``f^-1`` at the low edge, ``f^5`` at the
high edge), so the band is a required part of every reported value.

Band: Dimitrov et al. (2006) computed the moments over the recording band, 8-500 Hz;
that is the default here. The lower edge must be above 0 Hz (``f^-1`` diverges) and
the upper edge is cut at Nyquist (with a warning, see
:func:`myograph.fatigue.check_band_for_fs`).

References
----------
.. [1] Dimitrov GV, Arabadzhiev TI, Mileva KN, Bowtell JL, Crichton N, Dimitrova NA.
   Muscle fatigue during dynamic contractions assessed by new spectral indices.
   Med Sci Sports Exerc 2006;38:1971-1979. doi:10.1249/01.mss.0000233794.31659.6d
"""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.fatigue.spectral import MIN_FS_HZ, check_band_for_fs, sliding_indices
from myograph.signal import check_fs

__all__ = ["DIMITROV_BAND_HZ", "spectral_moment", "dimitrov_index", "finsm5"]

#: band of the spectral moments in Dimitrov et al. (2006), Hz
DIMITROV_BAND_HZ = (8.0, 500.0)


def _band(freqs_hz: Any, power: Any, band_hz: Any, axis: int) -> tuple[np.ndarray, np.ndarray, float]:
    f = np.asarray(freqs_hz, dtype=np.float64).reshape(-1)
    p = np.moveaxis(np.asarray(power, dtype=np.float64), axis, -1)
    if p.shape[-1] != f.size:
        raise ParameterError("freqs_hz", f"need one frequency per entry of power along axis {axis}: {f.size} frequencies, power shape {np.shape(power)}")
    df = float(f[1] - f[0]) if f.size > 1 else 1.0
    lo, hi = (float(b) for b in band_hz)
    if not 0 < lo < hi:
        raise ParameterError("band_hz", f"need 0 < low_hz < high_hz (f^-1 diverges at 0 Hz), got {band_hz!r}")
    keep = (f >= lo) & (f <= hi)
    if not keep.any():
        raise ParameterError("band_hz", f"no frequency bin lies in {lo:g}-{hi:g} Hz (bins span {f[0]:g}-{f[-1]:g} Hz)")
    return f[keep], p[..., keep], df


def spectral_moment(freqs_hz: Any, power: Any, order: float, *, band_hz: tuple[float, float] = DIMITROV_BAND_HZ,
                    axis: int = -1) -> np.ndarray:
    """Spectral moment ``M(k) = Σ f^k P(f) Δf`` over ``band_hz`` (bins with low <= f <= high).

    Parameters
    ----------
    freqs_hz : array_like, shape (n_freqs,)
        Equally spaced frequencies, Hz.
    power : array_like
        Power spectral density with frequency along ``axis`` (e.g. V²/Hz).
    order : float
        ``k``; negative orders need ``band_hz[0] > 0``.
    band_hz : (float, float), default (8, 500)
    axis : int, default -1
        Frequency axis of ``power`` (``-2`` for :func:`sliding_spectrum` output).

    Returns
    -------
    ndarray
        ``power``'s shape without the frequency axis; unit of ``power`` · Hz^(k+1).
    """
    f, p, df = _band(freqs_hz, power, band_hz, axis)
    return (p * f ** float(order)).sum(axis=-1) * df


def dimitrov_index(freqs_hz: Any, power: Any, *, band_hz: tuple[float, float] = DIMITROV_BAND_HZ,
                   order_low: float = -1, order_high: float = 5, axis: int = -1) -> np.ndarray:
    """Dimitrov's normalised spectral index ``FInsmk = M(order_low) / M(order_high)`` (FInsm5 by default).

    ``M(k)`` as :func:`spectral_moment` over ``band_hz`` (default 8-500 Hz, Dimitrov
    et al. 2006). Unit: Hz^(order_low - order_high) (s⁶ for FInsm5). NaN where the
    band holds no power or the spectrum is NaN.
    """
    f, p, _ = _band(freqs_hz, power, band_hz, axis)
    low = (p * f ** float(order_low)).sum(axis=-1)
    high = (p * f ** float(order_high)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(high > 0, low / np.where(high > 0, high, 1.0), np.nan)


def finsm5(
    x: Any,
    fs: float,
    window_s: float = 0.5,
    step_s: float = 0.25,
    *,
    band_hz: tuple[float, float] = DIMITROV_BAND_HZ,
    segment_s: float | None = None,
    window: str | tuple = "hann",
    axis: int = -1,
    nan_policy: str = "raise",
    min_fs_hz: float = MIN_FS_HZ,
) -> tuple[np.ndarray, np.ndarray]:
    """FInsm5 over sliding windows: ``(times_s, values_s6)``.

    Arguments as :func:`myograph.fatigue.mean_frequency`; ``band_hz`` defaults to
    Dimitrov's 8-500 Hz and is cut at Nyquist with a warning when ``fs < 1000 Hz``.
    Values in s⁶ (Hz⁻⁶), shape ``leading + (n_windows,)``.
    """
    fs = check_fs(fs)
    band = check_band_for_fs(band_hz, fs, min_fs_hz=min_fs_hz)
    t, v = sliding_indices(x, fs, window_s, step_s, {"fi": lambda f, p: dimitrov_index(f, p, band_hz=band, axis=-2)},
                           segment_s=segment_s, window=window, axis=axis, nan_policy=nan_policy)
    return t, v["fi"]
