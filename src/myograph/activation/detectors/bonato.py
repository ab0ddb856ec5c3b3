"""Double threshold (Bonato, D'Alessio & Knaflitz 1998)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.stats import binom

from myograph.activation._runs import moving_sum
from myograph.activation.detectors._common import as_2d, finish, nonneg, positive, rest_or_quietest
from myograph.activation.detectors._registry import register
from myograph.core.errors import ParameterError

REFERENCE = (
    "Bonato P, D'Alessio T, Knaflitz M. A statistical method for the measurement of muscle activation intervals "
    "from surface myoelectric signal during gait. IEEE Trans Biomed Eng 1998;45:287-299."
)


def bonato_threshold(pfa: float, m: int, r0: int) -> float:
    """First threshold ``zeta`` (in units of the noise variance) for a false-alarm probability ``pfa``.

    Under rest the test function ``g = (x[2k]**2 + x[2k+1]**2) / sigma0**2``
    is chi-square with 2 degrees of freedom, so ``P(g > zeta) = exp(-zeta/2)``.
    The detector alarms when at least ``r0`` of ``m`` successive ``g`` exceed
    ``zeta``; ``zeta`` is chosen so that this happens with probability
    ``pfa``: ``P(Binomial(m, p_zeta) >= r0) = pfa`` and ``zeta = -2 ln p_zeta``.
    """
    if not 0 < pfa < 1:
        raise ParameterError("pfa", f"must be a probability strictly between 0 and 1, got {pfa!r}")
    if not 1 <= r0 <= m:
        raise ParameterError("r0_fraction", f"gives r0 = {r0} successes out of m = {m}; need 1 <= r0 <= m")
    p = brentq(lambda q: binom.sf(r0 - 1, m, q) - pfa, 1e-15, 1 - 1e-15, xtol=1e-15)
    return -2.0 * math.log(p)


@register(
    "bonato",
    reference=REFERENCE,
    summary="double threshold: r0 of m successive paired-sample energies above a false-alarm threshold, "
            "states lasting at least T1",
    parameters={
        "pfa": "false-alarm probability of one detection window (sets the first threshold)",
        "window_s": "observation window m, s (m pairs of samples)",
        "r0_fraction": "second threshold: fraction of the m windows that must exceed the first (r0 = ceil(fraction*m))",
        "min_duration_s": "T1: active and inactive states shorter than this are discarded, s",
    },
)
def bonato(x: Any, fs: float, *, rest: Any = None, pfa: float = 0.05, window_s: float = 0.010, r0_fraction: float = 0.2,
           min_duration_s: float = 0.030) -> list[np.ndarray]:
    """Bonato's double-threshold detector.

    ``g_k = (x_{2k}^2 + x_{2k+1}^2) / sigma0^2`` on non-overlapping pairs of
    samples (``sigma0^2``: rest variance); a pair window of ``m``
    (``window_s``) is active when at least ``r0`` of its ``g`` exceed the
    threshold of :func:`bonato_threshold`; states (active or not) shorter than
    ``T1 = min_duration_s`` are discarded. Defaults ``Pfa = 0.05``, ``m`` = 10
    ms, ``r0 = 1`` (``r0_fraction = 0.2`` of ``m = 5``) and ``T1`` = 30 ms are
    those of the paper's examples as implemented in R's ``biosignalEMG``
    (``m = 5``, ``minL = 15`` samples at 500 Hz). The paper pre-whitens the
    signal; here it is used as given (band-pass it first).
    """
    x = as_2d(x)
    r = rest_or_quietest(x, fs, rest)
    fs2 = fs / 2.0
    m = max(1, int(round(nonneg(window_s, "window_s", "s") * fs2)))
    r0 = max(1, math.ceil(positive(r0_fraction, "r0_fraction") * m - 1e-9))
    zeta = bonato_threshold(float(pfa), m, r0)
    dc = r.mean(axis=1, keepdims=True)
    var0 = np.maximum(((r - dc) ** 2).mean(axis=1), 1e-300)
    n2 = x.shape[1] // 2
    v = x[:, :2 * n2] - dc
    g = (v[:, 0::2] ** 2 + v[:, 1::2] ** 2) / var0[:, None]
    hits = (g > zeta).astype(np.float64)
    # window [k, k + m) of pairs: trailing sum ending at k + m - 1
    count = moving_sum(hits, m, center=False)
    fwd = np.zeros_like(count)
    fwd[:, : n2 - m + 1] = count[:, m - 1:]
    active = fwd >= r0 - 0.5
    t1 = nonneg(min_duration_s, "min_duration_s", "s")
    return finish(active, fs, min_on_s=t1, min_off_s=t1, scale=2)
