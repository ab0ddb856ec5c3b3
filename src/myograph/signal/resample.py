"""Polyphase resampling with an anti-aliasing filter.

:func:`resample` changes the sampling rate by the exact rational factor
``fs_out / fs_in = up / down`` with :func:`scipy.signal.resample_poly`, whose
Kaiser-windowed FIR low-pass (cut-off at the lower of the two Nyquist
frequencies) removes what would alias. The factor and the filter length are
logged on the ``"myograph.signal"`` logger.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.signal as sps

from myograph.core.errors import ParameterError
from myograph.signal._validate import check_fs, check_signal

__all__ = ["resample", "resampling_factors"]

logger = logging.getLogger("myograph.signal")

_MAX_FACTOR = 10_000


def resampling_factors(fs_in: float, fs_out: float) -> tuple[int, int]:
    """The integers ``(up, down)`` with ``fs_out / fs_in == up / down`` exactly (in lowest terms).

    Raises
    ------
    ParameterError
        When no ratio with ``up, down <= 10000`` reproduces ``fs_out / fs_in``
        to 1e-12 (e.g. an irrational-looking rate such as 1000.0001 Hz).
    """
    fi = check_fs(fs_in, "fs_in")
    fo = check_fs(fs_out, "fs_out")
    ratio = Fraction(fo) / Fraction(fi)
    approx = ratio.limit_denominator(_MAX_FACTOR)
    if approx.numerator > _MAX_FACTOR or abs(float(approx) - fo / fi) > 1e-12 * (fo / fi):
        raise ParameterError(
            "fs_out",
            f"{fo:g} Hz / {fi:g} Hz is not a ratio up/down of integers up to {_MAX_FACTOR} "
            f"(closest {approx.numerator}/{approx.denominator}); choose a rate with a simpler ratio to fs_in",
        )
    return approx.numerator, approx.denominator


def resample(
    x: Any,
    fs_in: float,
    fs_out: float,
    *,
    axis: int = -1,
    window: str | tuple = ("kaiser", 5.0),
    padtype: str = "line",
    nan_policy: str = "raise",
) -> np.ndarray:
    """Resample from ``fs_in`` to ``fs_out`` Hz (polyphase, anti-aliased).

    Parameters
    ----------
    x : array_like
        Samples (1-D or ``(n_channels, n_samples)``).
    fs_in, fs_out : float
        Sampling rates, Hz; their ratio must be a ratio of integers up to
        10000 (see :func:`resampling_factors`).
    axis : int, default -1
        Time axis.
    window : str or tuple, default ("kaiser", 5.0)
        Window of the FIR anti-aliasing filter (as :func:`scipy.signal.resample_poly`).
    padtype : str, default "line"
        How the signal is extended at its ends for the FIR filter; ``"line"``
        continues the linear trend, so offsets (force channels) do not ring.
    nan_policy : {"raise", "propagate"}, default "raise"
        ``"mask"`` is refused: the finite runs between gaps do not fall on
        the output grid. Split the recording at the gaps first.

    Returns
    -------
    ndarray
        ``ceil(n * up / down)`` samples along ``axis``; sample ``k`` is at
        time ``k / fs_out`` (same start as ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> from myograph.signal import resample
    >>> resample(np.zeros((2, 2048)), 2048.0, 1000.0).shape
    (2, 1000)
    """
    if nan_policy == "mask":
        raise ParameterError("nan_policy", "resample supports 'raise' or 'propagate'; the finite runs between gaps "
                                           "do not fall on the output grid, so split the signal at its gaps first")
    up, down = resampling_factors(fs_in, fs_out)
    arr = check_signal(x, axis=axis, nan_policy=nan_policy)
    if up == down:
        return arr.copy()
    # scipy's default filter: half-length 10 * max(up, down) taps
    logger.info("resample %g Hz -> %g Hz: up %d, down %d, FIR %d taps, window %s", float(fs_in), float(fs_out),
                up, down, 2 * 10 * max(up, down) + 1, window)
    return sps.resample_poly(arr, up, down, axis=axis, window=window, padtype=padtype)
