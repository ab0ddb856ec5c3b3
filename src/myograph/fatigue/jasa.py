"""Joint analysis of EMG spectrum and amplitude (JASA).

Luttmann, Jäger and Laurig place each muscle (or each work period) in a plane whose
axes are the time trend of the EMG amplitude ("electrical activity", EA: RMS) and the
time trend of a spectral frequency (MNF or MDF). The four quadrants separate the two
causes of a spectral or amplitude change — fatigue and a change of force:

=====================  ==================  ==================
                       frequency falls     frequency rises
=====================  ==================  ==================
amplitude rises        **fatigue**         **force increase**
amplitude falls        **force decrease**  **recovery**
=====================  ==================  ==================

Fatigue raises the amplitude (more units recruited, synchronisation, slower
conduction) while compressing the spectrum; a force increase raises both; a force
decrease lowers both; recovery restores the spectrum while the amplitude falls.

Trends are least-squares slopes in % of the initial value per second
(:func:`myograph.fatigue.fatigue_slopes`), so that RMS (V) and frequency (Hz) share a
unit. A slope inside its dead band (or, with ``significant_only``, whose confidence
interval contains 0) gives ``"undetermined"``.

References
----------
.. [1] Luttmann A, Jäger M, Sökeland J, Laurig W. Electromyographical study on surgeons
   in urology. II. Determination of muscular fatigue. Ergonomics 1996;39:298-313.
.. [2] Luttmann A, Jäger M, Laurig W. Electromyographical indication of muscular
   fatigue in occupational field studies. Int J Ind Ergon 2000;25:645-660.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.fatigue.spectral import SlopeFit, fatigue_slopes
from myograph.signal._validate import check_positive

__all__ = ["JASA_LABELS", "jasa_quadrant", "JasaResult", "jasa"]

#: the JASA classes
JASA_LABELS = ("fatigue", "recovery", "force_increase", "force_decrease", "undetermined")


def jasa_quadrant(rms_slope: Any, freq_slope: Any, *, rms_deadband: float = 0.0,
                  freq_deadband: float = 0.0) -> np.ndarray:
    """JASA class from the amplitude slope and the frequency slope.

    Parameters
    ----------
    rms_slope, freq_slope : array_like
        Time trends of RMS amplitude and of MNF/MDF in the same relative unit
        (% per s from :func:`~myograph.fatigue.fatigue_slopes`); broadcast together.
    rms_deadband, freq_deadband : float, default 0
        Slopes with magnitude at most this are "no trend": the class is then
        ``"undetermined"`` (as is any NaN slope).

    Returns
    -------
    ndarray of str
        ``"fatigue"`` (RMS up, frequency down), ``"force_increase"`` (both up),
        ``"force_decrease"`` (both down), ``"recovery"`` (RMS down, frequency up),
        or ``"undetermined"``.
    """
    a, f = np.broadcast_arrays(np.asarray(rms_slope, dtype=np.float64), np.asarray(freq_slope, dtype=np.float64))
    da = check_positive(rms_deadband, "rms_deadband", allow_zero=True)
    dfq = check_positive(freq_deadband, "freq_deadband", allow_zero=True)
    up_a, down_a = a > da, a < -da
    up_f, down_f = f > dfq, f < -dfq
    out = np.full(a.shape, "undetermined", dtype=object)
    out[up_a & down_f] = "fatigue"
    out[up_a & up_f] = "force_increase"
    out[down_a & down_f] = "force_decrease"
    out[down_a & up_f] = "recovery"
    return out


@dataclass(frozen=True)
class JasaResult:
    """JASA classification with the two trend fits behind it.

    Attributes
    ----------
    quadrant : ndarray of str
        One of :data:`JASA_LABELS` per channel.
    rms_slope_pct_per_s, freq_slope_pct_per_s : ndarray
        Relative slopes, % of the initial value per second.
    rms_fit, freq_fit : SlopeFit
        The full regressions.
    """

    quadrant: np.ndarray
    rms_slope_pct_per_s: np.ndarray
    freq_slope_pct_per_s: np.ndarray
    rms_fit: SlopeFit
    freq_fit: SlopeFit


def jasa(
    times_s: Any,
    rms: Any,
    freq_hz: Any,
    *,
    t0_s: float | None = None,
    confidence: float = 0.95,
    significant_only: bool = False,
    rms_deadband_pct_per_s: float = 0.0,
    freq_deadband_pct_per_s: float = 0.0,
    axis: int = -1,
) -> JasaResult:
    """JASA from windowed RMS amplitude and MNF (or MDF) series.

    Parameters
    ----------
    times_s : array_like, shape (n_windows,)
    rms : array_like
        Amplitude per window (any unit: the relative slope is unit-free).
    freq_hz : array_like
        MNF or MDF per window, Hz, same shape as ``rms``.
    t0_s, confidence, axis
        As :func:`~myograph.fatigue.fatigue_slopes`.
    significant_only : bool, default False
        Treat a slope whose confidence interval contains 0 as no trend.
    rms_deadband_pct_per_s, freq_deadband_pct_per_s : float, default 0
        Dead bands, % per s (see :func:`jasa_quadrant`).
    """
    r = np.asarray(rms, dtype=np.float64)
    fq = np.asarray(freq_hz, dtype=np.float64)
    if r.shape != fq.shape:
        raise ParameterError("freq_hz", f"must have the shape of rms {r.shape}, got {fq.shape}")
    rf = fatigue_slopes(times_s, r, t0_s=t0_s, confidence=confidence, axis=axis)
    ff = fatigue_slopes(times_s, fq, t0_s=t0_s, confidence=confidence, axis=axis)
    a, f = rf.slope_pct_per_s, ff.slope_pct_per_s
    if significant_only:
        a = np.where((rf.ci_low > 0) | (rf.ci_high < 0), a, 0.0)
        f = np.where((ff.ci_low > 0) | (ff.ci_high < 0), f, 0.0)
        a = np.where(np.isfinite(rf.slope_pct_per_s), a, np.nan)
        f = np.where(np.isfinite(ff.slope_pct_per_s), f, np.nan)
    q = jasa_quadrant(a, f, rms_deadband=rms_deadband_pct_per_s, freq_deadband=freq_deadband_pct_per_s)
    return JasaResult(q, rf.slope_pct_per_s, ff.slope_pct_per_s, rf, ff)
