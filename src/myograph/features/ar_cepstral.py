"""Autoregressive and cepstral coefficients.

AR coefficients are estimated by Burg's method (minimising the sum of
forward and backward prediction errors; always a stable model), all windows
and channels at once: the model is ``x_n + a_1 x_{n-1} + ... + a_p x_{n-p} = e_n``
and the feature is ``(a_1, ..., a_p)`` per channel (the sign convention of
``scipy``/``librosa.lpc``: ``A(z) = 1 + a_1 z^-1 + ...``).

Cepstral coefficients from the AR model (Kang et al. 1995):
``c_1 = -a_1``, ``c_p = -a_p - sum_{l=1}^{p-1} (1 - l/p) a_l c_{p-l}``.

References
----------
* Burg JP (1975). Maximum entropy spectral analysis. PhD thesis, Stanford;
  Marple SL (1987). Digital spectral analysis with applications, ch. 8.
* Hargrove LJ, Englehart K, Hudgins B (2007). A comparison of surface and
  intramuscular myoelectric signal classification. IEEE TBME 54(5):847-853 (TD + AR).
* Kang WJ, Shiu JR, Cheng CK, Lai JS, Tsao HW, Kuo TS (1995). The application of
  cepstral coefficients and maximum likelihood method in EMG pattern
  recognition. IEEE TBME 42(8):777-785.
"""

from __future__ import annotations

import numpy as np

from myograph.features.registry import Parameter, register

_ORDER = {"order": Parameter(4, "", "model order p (coefficients per channel)")}


def burg(w: np.ndarray, order: int) -> np.ndarray:
    """Burg AR coefficients ``(..., order)`` (``a_1..a_p``) over the last axis of ``w``."""
    order = int(order)
    ef = w[..., 1:].copy()
    eb = w[..., :-1].copy()
    a = np.zeros(w.shape[:-1] + (order + 1,))
    a[..., 0] = 1.0
    for i in range(order):
        num = np.einsum("...i,...i->...", eb, ef)
        den = np.einsum("...i,...i->...", ef, ef) + np.einsum("...i,...i->...", eb, eb)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(den > 0, -2.0 * num / np.where(den > 0, den, 1.0), 0.0)
        a[..., : i + 2] = a[..., : i + 2] + k[..., None] * a[..., i + 1 :: -1]
        ef, eb = (ef + k[..., None] * eb)[..., 1:], (eb + k[..., None] * ef)[..., :-1]
    return a[..., 1:]


def _size(order):
    return int(order)


@register("AR", definition="Burg AR coefficients a_1..a_p of x_n + sum_k a_k x_{n-k} = e_n", unit="",
          reference="Burg 1975; Hargrove et al. 2007, IEEE TBME 54:847", size=_size, parameters=_ORDER, domain="ar")
def ar(w, fs, order):
    return burg(w, order)


def cepstrum_from_ar(a: np.ndarray) -> np.ndarray:
    """Cepstral coefficients ``c_1..c_p`` from AR coefficients ``a_1..a_p`` (last axis)."""
    p = a.shape[-1]
    c = np.zeros_like(a)
    for i in range(1, p + 1):
        acc = -a[..., i - 1].copy()
        for l in range(1, i):
            acc -= (1.0 - l / i) * a[..., l - 1] * c[..., i - l - 1]
        c[..., i - 1] = acc
    return c


@register("CC", definition="cepstral coefficients c_1 = -a_1, c_p = -a_p - sum_{l=1}^{p-1} (1 - l/p) a_l c_{p-l} from the Burg AR model",
          reference="Kang et al. 1995, IEEE TBME 42:777", size=_size, parameters=_ORDER, domain="ar")
def cc(w, fs, order):
    return cepstrum_from_ar(burg(w, order))
