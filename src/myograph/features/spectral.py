"""Frequency-domain EMG features from each window's periodogram.

For a window ``x_0..x_{N-1}`` the one-sided periodogram is
``P_j = |X_j|^2 / N`` at ``f_j = j fs / N``, ``j = 0..floor(N/2)``, with
``X = rfft(x)`` (no taper, no zero padding; units V^2 for a signal in V).
All windows and channels are transformed in one ``rfft`` call.

References
----------
* Phinyomark A, Phukpattaranont P, Limsakul C (2012). Feature reduction and
  selection for EMG signal classification. Expert Syst Appl 39:7420-7431
  (MNF, MDF, PKF, MNP, TTP, SM1-3, FR, PSR, VCF).
* Oskoei MA, Hu H (2008). Support vector machine-based classification scheme
  for myoelectric control applied to upper limb. IEEE TBME 55(8):1956-1965 (FR).
* Inouye T et al. (1991). Quantification of EEG irregularity by use of the
  entropy of the power spectrum. EEG Clin Neurophysiol 79:204-210 (spectral entropy).
"""

from __future__ import annotations

import numpy as np

from myograph.features.registry import Parameter, register

P12 = "Phinyomark et al. 2012, Expert Syst Appl 39:7420"


def periodogram(w: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """``(freqs_hz, P)``: one-sided periodogram ``|rfft(w)|^2 / N`` over the last axis."""
    n = w.shape[-1]
    spec = np.fft.rfft(w, axis=-1)
    p = (spec.real**2 + spec.imag**2) / n
    return np.fft.rfftfreq(n, 1.0 / fs), p


def _moment(w, fs, k):
    f, p = periodogram(w, fs)
    return p @ (f**k)


@register("TTP", definition="TTP = sum_j P_j (total power, zeroth spectral moment SM0)", reference=P12, unit="V^2", domain="frequency")
def ttp(w, fs):
    return periodogram(w, fs)[1].sum(axis=-1)


@register("MNP", definition="MNP = (1/M) sum_j P_j over the M periodogram bins (mean power)", reference=P12, unit="V^2", domain="frequency")
def mnp(w, fs):
    return periodogram(w, fs)[1].mean(axis=-1)


@register("SM1", definition="SM1 = sum_j P_j f_j (first spectral moment)", reference=P12, unit="V^2 Hz", domain="frequency")
def sm1(w, fs):
    return _moment(w, fs, 1)


@register("SM2", definition="SM2 = sum_j P_j f_j^2", reference=P12, unit="V^2 Hz^2", domain="frequency")
def sm2(w, fs):
    return _moment(w, fs, 2)


@register("SM3", definition="SM3 = sum_j P_j f_j^3", reference=P12, unit="V^2 Hz^3", domain="frequency")
def sm3(w, fs):
    return _moment(w, fs, 3)


@register("MNF", definition="MNF = sum_j f_j P_j / sum_j P_j (mean frequency)", reference=P12, unit="Hz", domain="frequency")
def mnf(w, fs):
    f, p = periodogram(w, fs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (p @ f) / p.sum(axis=-1)


@register("MDF", definition="MDF = the lowest f_k with sum_{j<=k} P_j >= (1/2) sum_j P_j (median frequency)", reference=P12, unit="Hz", domain="frequency")
def mdf(w, fs):
    f, p = periodogram(w, fs)
    c = np.cumsum(p, axis=-1)
    k = np.sum(c < 0.5 * c[..., -1:], axis=-1)
    return f[np.minimum(k, f.size - 1)]


@register("PKF", definition="PKF = f_j at the largest P_j (peak frequency)", reference=P12, unit="Hz", domain="frequency")
def pkf(w, fs):
    f, p = periodogram(w, fs)
    return f[np.argmax(p, axis=-1)]


@register("VCF", definition="VCF = SM2/SM0 - (SM1/SM0)^2 (variance of the central frequency)", reference=P12, unit="Hz^2", domain="frequency")
def vcf(w, fs):
    f, p = periodogram(w, fs)
    s0 = p.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (p @ (f * f)) / s0 - ((p @ f) / s0) ** 2


@register("FR", definition="FR = sum_{f_j in [low_min_hz, low_max_hz]} P_j / sum_{f_j in [high_min_hz, high_max_hz]} P_j (frequency ratio)",
          reference=P12 + "; Oskoei & Hu 2008, IEEE TBME 55:1956", domain="frequency",
          parameters={"low_min_hz": Parameter(20.0, "Hz", "low band start"), "low_max_hz": Parameter(100.0, "Hz", "low band end"),
                      "high_min_hz": Parameter(100.0, "Hz", "high band start (exclusive)"), "high_max_hz": Parameter(500.0, "Hz", "high band end (capped at fs/2)")})
def fr(w, fs, low_min_hz, low_max_hz, high_min_hz, high_max_hz):
    f, p = periodogram(w, fs)
    lo = (f >= low_min_hz) & (f <= low_max_hz)
    hi = (f > high_min_hz) & (f <= high_max_hz)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (p @ lo.astype(float)) / (p @ hi.astype(float))


@register("PSR", definition="PSR = sum_{|f_j - PKF| <= half_width_hz} P_j / sum_j P_j (power spectrum ratio around the peak)",
          reference=P12, domain="frequency", parameters={"half_width_hz": Parameter(20.0, "Hz", "half-width of the band around the peak")})
def psr(w, fs, half_width_hz):
    f, p = periodogram(w, fs)
    peak = f[np.argmax(p, axis=-1)]
    near = np.abs(f - peak[..., None]) <= half_width_hz
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(p * near, axis=-1) / p.sum(axis=-1)


@register("SPECENT", definition="SPECENT = -sum_j p_j ln p_j with p_j = P_j / sum_k P_k (spectral entropy, nats)",
          reference="Inouye et al. 1991, EEG Clin Neurophysiol 79:204", unit="nat", domain="frequency")
def specent(w, fs):
    _, p = periodogram(w, fs)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = p / p.sum(axis=-1, keepdims=True)
        return -np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0), axis=-1)
