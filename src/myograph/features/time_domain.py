"""Time-domain EMG features.

Each function takes windows ``w`` with time on the last axis (any leading
shape, typically ``(n_windows, n_channels, N)``) and returns the leading
shape. ``N`` is the window length in samples and ``x_i`` (``i = 1..N``) the
samples of one window. Amplitudes are in the signal's units (volts for
myograph Recordings), so thresholds are in volts (``threshold_v``) or volts
squared (``threshold_v2``).

Main references
---------------
* Hudgins B, Parker P, Scott RN (1993). A new strategy for multifunction
  myoelectric control. IEEE Trans Biomed Eng 40(1):82-94.
* Phinyomark A, Phukpattaranont P, Limsakul C (2012). Feature reduction and
  selection for EMG signal classification. Expert Syst Appl 39(8):7420-7431.
* Phinyomark A, Khushaba RN, Scheme E (2018). Feature extraction and
  selection for myoelectric control based on wearable EMG sensors.
  Sensors 18(5):1615.
* Hjorth B (1970). EEG analysis based on time domain properties.
  Electroencephalogr Clin Neurophysiol 29(3):306-310.
* Khushaba RN, Al-Timemy AH, Al-Ani A, Al-Jumaily A (2017). A framework of
  temporal-spatial descriptors-based feature extraction for improved
  myoelectric pattern recognition. IEEE TNSRE 25(10):1821-1831 (TD-PSD;
  Al-Timemy AH et al. 2016, IEEE TNSRE 24(6):650-661).
* Ortiz-Catalan M (2015). Cardinality as a highly descriptive feature in
  myoelectric pattern recognition for decoding motor volition.
  Front Neurosci 9:416.
* Too J, Abdullah AR, Saad NM (2019). Classification of hand movements based
  on discrete wavelet transform and enhanced feature extraction. IJACSA
  10(6):83-89 (EMAV, EWL).
"""

from __future__ import annotations

import numpy as np

from myograph.features._sums import SumForm, Term, derived, n_win_count, window_sums
from myograph.features.registry import Parameter, register

P12 = "Phinyomark et al. 2012, Expert Syst Appl 39:7420"
P18 = "Phinyomark et al. 2018, Sensors 18:1615"
H93 = "Hudgins et al. 1993, IEEE Trans Biomed Eng 40:82"
K17 = "Khushaba et al. 2017, IEEE TNSRE 25:1821; Al-Timemy et al. 2016, IEEE TNSRE 24:650"

_THR_V = {"threshold_v": Parameter(0.0, "V", "dead zone against noise: differences smaller than this are ignored")}


def _count(x: np.ndarray, n_win: int, step: int) -> int:
    return n_win_count(x.shape[-1], n_win, step)


# intermediates of the continuous signal, shared between features inside myograph.features._sums.shared
def _diff(y):
    return np.subtract(y[:, 1:], y[:, :-1])


def _d(x):
    return derived(x, "diff", lambda: _diff(x))


def _absx(x):
    return derived(x, "abs", lambda: np.abs(x))


def _absd(x):
    return derived(x, "absdiff", lambda: np.abs(_d(x)))


def _d2(x):
    return derived(x, "diff2", lambda: _diff(_d(x)))


# running-sum terms (myograph.features._sums.Term): per-sample contributions written into the engine's buffers
def _fill_abs(x, out):
    np.abs(x, out=out)


def _moment_terms(prefix: str, src, d1, d2) -> tuple[Term, ...]:
    """Sums of y^2, dy^2, ddy^2, |dy|, |ddy| of the signal ``y = src(x)`` (its differences ``d1(x)``, ``d2(x)``)."""
    return (Term(prefix + "x^2", 0, False, lambda x, out: np.square(src(x), out=out)),
            Term(prefix + "dx^2", 1, False, lambda x, out: np.square(d1(x), out=out)),
            Term(prefix + "ddx^2", 2, False, lambda x, out: np.square(d2(x), out=out)),
            Term(prefix + "|dx|", 1, False, lambda x, out: np.abs(d1(x), out=out)),
            Term(prefix + "|ddx|", 2, False, lambda x, out: np.abs(d2(x), out=out)))


ABS = Term("|x|", 0, False, _fill_abs)
_X_MOMENTS = _moment_terms("", lambda x: x, _d, _d2)  # also five of TD-PSD's ten terms
SQ, DSQ, _, ABSD, _ = _X_MOMENTS


def _of(*terms: Term):
    """``terms(**params)`` for a SumForm whose terms do not depend on parameters."""
    return lambda: terms


def _sum(s, n):
    return s[0]


def _mean(s, n):
    return s[0] / n


# ---------------------------------------------------------------- amplitude

@register("IAV", definition="IAV = sum_i |x_i| (integrated EMG, IEMG)", reference=P12, unit="V", sums=SumForm(_of(ABS), _sum))
def iav(w, fs):
    return np.abs(w).sum(axis=-1)


@register("MAV", definition="MAV = (1/N) sum_i |x_i|", reference=H93, unit="V", sums=SumForm(_of(ABS), _mean))
def mav(w, fs):
    return np.abs(w).mean(axis=-1)


def _mav_weights(n: int, kind: int) -> np.ndarray:
    i = np.arange(1, n + 1, dtype=np.float64)
    inner = (i >= 0.25 * n) & (i <= 0.75 * n)
    if kind == 1:
        return np.where(inner, 1.0, 0.5)
    return np.where(inner, 1.0, np.where(i < 0.25 * n, 4.0 * i / n, 4.0 * (i - n) / n))


@register("MAV1", definition="MAV1 = (1/N) sum_i w_i |x_i|, w_i = 1 for 0.25N <= i <= 0.75N else 0.5", reference=P12, unit="V")
def mav1(w, fs):
    return np.abs(w) @ _mav_weights(w.shape[-1], 1) / w.shape[-1]


@register("MAV2", definition="MAV2 = (1/N) sum_i w_i |x_i|, w_i = 1 for 0.25N <= i <= 0.75N, 4i/N for i < 0.25N, 4(i-N)/N above", reference=P12, unit="V")
def mav2(w, fs):
    return np.abs(w) @ _mav_weights(w.shape[-1], 2) / w.shape[-1]


@register("SSI", definition="SSI = sum_i x_i^2 (simple square integral)", reference=P12, unit="V^2", sums=SumForm(_of(SQ), _sum))
def ssi(w, fs):
    return np.einsum("...i,...i->...", w, w)


# VAR from two running sums of the chunk with its mean removed (shift-invariant; avoids cancellation for offsets)
def _centred(x):
    return derived(x, "centred", lambda: x - x.mean(axis=-1, keepdims=True))


def _fill_centred(x, out):
    np.copyto(out, _centred(x))


def _fill_centred_sq(x, out):
    np.square(_centred(x), out=out)


def _var_finish(s, n):
    m1 = s[0] / n
    return np.maximum(s[1] / n - m1 * m1, 0.0)


@register("VAR", definition="VAR = (1/N) sum_i (x_i - mean(x))^2 (population variance)", reference=P18, unit="V^2",
          sums=SumForm(_of(Term("x-c", 0, False, _fill_centred), Term("(x-c)^2", 0, False, _fill_centred_sq)), _var_finish))
def var(w, fs):
    return np.var(w, axis=-1)


@register("RMS", definition="RMS = sqrt((1/N) sum_i x_i^2)", reference=P12, unit="V", sums=SumForm(_of(SQ), lambda s, n: np.sqrt(s[0] / n)))
def rms(w, fs):
    return np.sqrt(ssi(w, fs) / w.shape[-1])


def _tm(w, order):
    return np.abs(np.mean(w**order, axis=-1))


@register("TM3", definition="TM3 = |(1/N) sum_i x_i^3| (absolute third temporal moment)", reference=P12, unit="V^3")
def tm3(w, fs):
    return _tm(w, 3)


@register("TM4", definition="TM4 = |(1/N) sum_i x_i^4|", reference=P12, unit="V^4")
def tm4(w, fs):
    return _tm(w, 4)


@register("TM5", definition="TM5 = |(1/N) sum_i x_i^5|", reference=P12, unit="V^5")
def tm5(w, fs):
    return _tm(w, 5)


@register("V3", definition="V3 = cbrt((1/N) sum_i x_i^3) (v-order, v = 3)", reference=P12, unit="V")
def v3(w, fs):
    return np.cbrt(np.mean(w**3, axis=-1))


def _ld_s(x, fs, n_win, step):
    with np.errstate(divide="ignore"):
        lg = np.log(np.abs(x))
    return np.exp(window_sums(lg, n_win, step, _count(x, n_win, step)) / n_win) if np.isfinite(lg).all() else ld(
        np.lib.stride_tricks.sliding_window_view(x, n_win, axis=-1)[:, ::step].transpose(1, 0, 2), fs)


@register("LD", definition="LD = exp((1/N) sum_i log|x_i|) (log detector)", reference=P12, unit="V", sliding=_ld_s)
def ld(w, fs):
    with np.errstate(divide="ignore"):
        return np.exp(np.mean(np.log(np.abs(w)), axis=-1))


@register("MAXAV", definition="MAXAV = max_i |x_i| (peak absolute value)", reference=P18, unit="V")
def maxav(w, fs):
    return np.abs(w).max(axis=-1)


def _fill_sqrt_pos(x, out):
    np.maximum(x, 0.0, out=out)
    np.sqrt(out, out=out)


def _fill_sqrt_neg(x, out):
    np.negative(x, out=out)
    np.maximum(out, 0.0, out=out)
    np.sqrt(out, out=out)


@register("MSR", definition="MSR = |(1/N) sum_i sqrt(x_i)| with the principal complex square root (sqrt(-a) = i sqrt(a))", reference=P18, unit="V^0.5",
          sums=SumForm(_of(Term("sqrt(x+)", 0, False, _fill_sqrt_pos), Term("sqrt(x-)", 0, False, _fill_sqrt_neg)),
                       lambda s, n: np.hypot(s[0], s[1]) / n))
def msr(w, fs):
    a = np.sqrt(np.maximum(w, 0.0)).sum(axis=-1)
    b = np.sqrt(np.maximum(-w, 0.0)).sum(axis=-1)
    return np.hypot(a, b) / w.shape[-1]


def _emav_p(n: int) -> np.ndarray:
    i = np.arange(1, n + 1)
    return np.where((i >= 0.2 * n) & (i <= 0.8 * n), 0.75, 0.5)


@register("EMAV", definition="EMAV = (1/N) sum_i |x_i|^p_i, p_i = 0.75 for 0.2N <= i <= 0.8N else 0.5", reference="Too et al. 2019, IJACSA 10(6):83", unit="V^p")
def emav(w, fs):
    return np.mean(np.abs(w) ** _emav_p(w.shape[-1]), axis=-1)


def _myop_terms(threshold_v):
    def fill(x, out):
        np.greater_equal(_absx(x), threshold_v, out=out, casting="unsafe")

    return (Term(("|x|>=", threshold_v), 0, True, fill),)


@register("MYOP", definition="MYOP = (1/N) sum_i [|x_i| >= threshold_v] (myopulse percentage rate)", reference=P12,
          parameters={"threshold_v": Parameter(1e-5, "V", "amplitude above which a sample counts")}, sums=SumForm(_myop_terms, _mean))
def myop(w, fs, threshold_v):
    return np.mean(np.abs(w) >= threshold_v, axis=-1)


@register("SKEW", definition="SKEW = m3 / m2^1.5 with central moments m_k = (1/N) sum_i (x_i - mean)^k", reference=P18)
def skew(w, fs):
    d = w - w.mean(axis=-1, keepdims=True)
    m2 = np.mean(d * d, axis=-1)
    m3 = np.mean(d**3, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m3 / m2**1.5


@register("KURT", definition="KURT = m4 / m2^2 (Pearson kurtosis, 3 for a Gaussian)", reference=P18)
def kurt(w, fs):
    d = w - w.mean(axis=-1, keepdims=True)
    d2 = d * d
    m2 = np.mean(d2, axis=-1)
    m4 = np.mean(d2 * d2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m4 / (m2 * m2)


@register("LS", definition="LS = l2 = 2 b1 - b0, second sample L-moment: b0 = mean, b1 = (1/N) sum_i (i-1)/(N-1) x_(i) over the sorted samples", reference=P18 + "; Hosking 1990, J R Stat Soc B 52:105", unit="V")
def ls(w, fs):
    n = w.shape[-1]
    s = np.sort(w, axis=-1)
    coef = (2.0 * np.arange(n) / (n - 1) - 1.0) / n
    return s @ coef


@register("CARD", definition="CARD = 1 + sum_i [x_(i+1) - x_(i) > threshold_v] over the sorted samples (number of distinct values)", reference="Ortiz-Catalan 2015, Front Neurosci 9:416",
          parameters={"threshold_v": Parameter(1e-7, "V", "values closer than this are the same")})
def card(w, fs, threshold_v):
    s = np.sort(w, axis=-1)
    return 1.0 + np.sum(np.diff(s, axis=-1) > threshold_v, axis=-1)


# ---------------------------------------------------------------- differences

@register("WL", definition="WL = sum_{i=1}^{N-1} |x_{i+1} - x_i| (waveform length)", reference=H93, unit="V", sums=SumForm(_of(ABSD), _sum))
def wl(w, fs):
    return np.abs(np.diff(w, axis=-1)).sum(axis=-1)


@register("AAC", definition="AAC = (1/N) sum_{i=1}^{N-1} |x_{i+1} - x_i| (average amplitude change)", reference=P12, unit="V",
          sums=SumForm(_of(ABSD), _mean))
def aac(w, fs):
    return wl(w, fs) / w.shape[-1]


@register("DASDV", definition="DASDV = sqrt((1/(N-1)) sum_{i=1}^{N-1} (x_{i+1} - x_i)^2)", reference=P12, unit="V",
          sums=SumForm(_of(DSQ), lambda s, n: np.sqrt(s[0] / (n - 1))))
def dasdv(w, fs):
    d = np.diff(w, axis=-1)
    return np.sqrt(np.einsum("...i,...i->...", d, d) / (w.shape[-1] - 1))


def _half_log10(s, n):
    with np.errstate(divide="ignore"):
        return 0.5 * np.log10(s[0])


@register("MFL", definition="MFL = log10(sqrt(sum_{i=1}^{N-1} (x_{i+1} - x_i)^2)) (maximum fractal length)", reference=P18, unit="log10(V)",
          sums=SumForm(_of(DSQ), _half_log10))
def mfl(w, fs):
    d = np.diff(w, axis=-1)
    with np.errstate(divide="ignore"):
        return 0.5 * np.log10(np.einsum("...i,...i->...", d, d))


@register("EWL", definition="EWL = sum_{i=2}^{N} |x_i - x_{i-1}|^p_i, p_i = 0.75 for 0.2N <= i <= 0.8N else 0.5", reference="Too et al. 2019, IJACSA 10(6):83", unit="V^p")
def ewl(w, fs):
    n = w.shape[-1]
    return np.sum(np.abs(np.diff(w, axis=-1)) ** _emav_p(n)[1:], axis=-1)


def _zc_terms(threshold_v):
    def fill(x, out):
        # x_i x_{i+1} < 0  <=>  sign bits differ and neither sample is zero
        sb = np.signbit(x)
        np.not_equal(sb[:, :-1], sb[:, 1:], out=out, casting="unsafe")
        if (x == 0).any():
            nz = x != 0
            out *= nz[:, :-1] & nz[:, 1:]
        if threshold_v > 0:
            out *= _absd(x) >= threshold_v

    return (Term(("zc", threshold_v), 1, True, fill),)


@register("ZC", definition="ZC = sum_{i=1}^{N-1} [x_i x_{i+1} < 0 and |x_i - x_{i+1}| >= threshold_v] (zero crossings)", reference=H93, parameters=_THR_V,
          sums=SumForm(_zc_terms, _sum))
def zc(w, fs, threshold_v):
    a, b = w[..., :-1], w[..., 1:]
    return np.sum((a * b < 0) & (np.abs(a - b) >= threshold_v), axis=-1).astype(np.float64)


def _ssc_terms(threshold_v2):
    def fill(x, out):
        d = _d(x)
        if threshold_v2 == 0:
            # (x_i - x_{i-1})(x_i - x_{i+1}) >= 0  <=>  d_{i-1} d_i <= 0: slopes of different sign bits, or one is zero
            sd = np.signbit(d)
            np.not_equal(sd[:, :-1], sd[:, 1:], out=out, casting="unsafe")
            if (d == 0).any():
                z = d == 0
                np.maximum(out, z[:, :-1] | z[:, 1:], out=out)
        else:
            np.greater_equal(-d[:, :-1] * d[:, 1:], threshold_v2, out=out, casting="unsafe")

    return (Term(("ssc", threshold_v2), 2, True, fill),)


@register("SSC", definition="SSC = sum_{i=2}^{N-1} [(x_i - x_{i-1})(x_i - x_{i+1}) >= threshold_v2] (slope sign changes)", reference=H93 + "; " + P12,
          parameters={"threshold_v2": Parameter(0.0, "V^2", "dead zone on the product of the two slopes")}, sums=SumForm(_ssc_terms, _sum))
def ssc(w, fs, threshold_v2):
    a, b, c = w[..., :-2], w[..., 1:-1], w[..., 2:]
    return np.sum((b - a) * (b - c) >= threshold_v2, axis=-1).astype(np.float64)


def _wamp_terms(threshold_v):
    def fill(x, out):
        np.greater_equal(_absd(x), threshold_v, out=out, casting="unsafe")

    return (Term(("|dx|>=", threshold_v), 1, True, fill),)


@register("WAMP", definition="WAMP = sum_{i=1}^{N-1} [|x_i - x_{i+1}| >= threshold_v] (Willison amplitude)", reference=P12,
          parameters={"threshold_v": Parameter(1e-5, "V", "difference that counts (10 uV by default)")}, sums=SumForm(_wamp_terms, _sum))
def wamp(w, fs, threshold_v):
    return np.sum(np.abs(np.diff(w, axis=-1)) >= threshold_v, axis=-1).astype(np.float64)


# ---------------------------------------------------------------- Hjorth

def _var_rows(w):
    return np.var(w, axis=-1)


@register("HACT", definition="Hjorth activity = var(x) (population variance)", reference="Hjorth 1970, EEG Clin Neurophysiol 29:306", unit="V^2")
def hact(w, fs):
    return _var_rows(w)


@register("HMOB", definition="Hjorth mobility = sqrt(var(dx) / var(x)), dx = first difference", reference="Hjorth 1970, EEG Clin Neurophysiol 29:306")
def hmob(w, fs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(_var_rows(np.diff(w, axis=-1)) / _var_rows(w))


@register("HCOMP", definition="Hjorth complexity = mobility(dx) / mobility(x)", reference="Hjorth 1970, EEG Clin Neurophysiol 29:306")
def hcomp(w, fs):
    d1 = np.diff(w, axis=-1)
    d2 = np.diff(d1, axis=-1)
    v0, v1, v2 = _var_rows(w), _var_rows(d1), _var_rows(d2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(v2 / v1) / np.sqrt(v1 / v0)


# ---------------------------------------------------------------- TD-PSD (Khushaba 2017)
#
# Each TD-PSD feature f is computed twice, on the window x ("ebp") and on
# log(x^2 + eps) ("efp", eps = the spacing of 1.0), and reported as the
# cosine-similarity-like -2 f_efp f_ebp / (f_efp^2 + f_ebp^2), following
# Khushaba's published code (and LibEMG). With N the window length:
#   m0 = (sqrt(sum x^2) / (N-1))^0.1 / 0.1
#   m2 = (sqrt(sum dx^2 / (N-1)))^0.1 / 0.1
#   m4 = (sqrt(sum ddx^2 / (N-1)))^0.1 / 0.1
# M0 = log|m0|, M2 = log|m0 - m2|, M4 = log|m0 - m4|,
# SPARSI = log|sqrt(|(m0-m2)(m0-m4)|) / m0|, IRF = log|m2 / sqrt(m0 m4)|,
# WLF = log|sqrt(sum|dx| / sum|ddx|)|.

_EPS = float(np.spacing(1.0))


def _tdpsd_sums(w: np.ndarray):
    """(sum x^2, sum dx^2, sum ddx^2, sum|dx|, sum|ddx|, N) over windows."""
    d1 = np.diff(w, axis=-1)
    d2 = np.diff(d1, axis=-1)
    return (np.einsum("...i,...i->...", w, w), np.einsum("...i,...i->...", d1, d1), np.einsum("...i,...i->...", d2, d2),
            np.abs(d1).sum(axis=-1), np.abs(d2).sum(axis=-1))


def _logsq(x):
    def make():
        y = np.square(x)
        y += _EPS
        return np.log(y, out=y)

    return derived(x, "logsq", make)


def _logsq_d(x):
    return derived(x, "logsq.diff", lambda: _diff(_logsq(x)))


def _logsq_d2(x):
    return derived(x, "logsq.diff2", lambda: _diff(_logsq_d(x)))


# on x (keys shared with SSI, DASDV, WL …) and on log(x^2 + eps)
_TDPSD_TERMS = _X_MOMENTS + _moment_terms("log(x^2+eps):", _logsq, _logsq_d, _logsq_d2)


def _tdpsd_from_sums(sums, n: int, names) -> dict[str, np.ndarray]:
    s0, s2, s4, a1, a2 = sums
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        # y**0.1 / 0.1 = 10 exp(0.1 ln y), so ln m0, ln m2, ln m4 (l0, l2, l4) follow from the logarithms of
        # the sums, ln|m0 - m2| = l0 + ln|expm1(l2 - l0)|, and SPARSI, IRF and WLF are sums of logarithms:
        # far fewer calls to numpy's exp/log (about 5 ns a value each) than the textbook formulas
        ln10, ln_n1 = np.log(10.0), np.log(n - 1.0)
        need = set(names)
        l0 = ln10 + 0.05 * np.log(s0) - 0.1 * ln_n1
        l2 = ln10 + 0.05 * (np.log(s2) - ln_n1) if need & {"M2", "SPARSI", "IRF"} else None
        l4 = ln10 + 0.05 * (np.log(s4) - ln_n1) if need & {"M4", "SPARSI", "IRF"} else None
        f2 = l0 + np.log(np.abs(np.expm1(l2 - l0))) if need & {"M2", "SPARSI"} else None
        f4 = l0 + np.log(np.abs(np.expm1(l4 - l0))) if need & {"M4", "SPARSI"} else None
        for which in names:
            if which == "M0":
                out[which] = l0
            elif which == "M2":
                out[which] = f2
            elif which == "M4":
                out[which] = f4
            elif which == "SPARSI":  # log(sqrt(|(m0-m2)(m0-m4)|) / m0)
                out[which] = 0.5 * (f2 + f4) - l0
            elif which == "IRF":  # log(m2 / sqrt(m0 m4))
                out[which] = l2 - 0.5 * (l0 + l4)
            else:  # WLF = log(sqrt(a1 / a2))
                out[which] = 0.5 * np.log(a1 / a2)
    return out


def _combine(f_ebp: np.ndarray, f_efp: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -2.0 * f_efp * f_ebp / (f_efp * f_efp + f_ebp * f_ebp)


def tdpsd_windows(w: np.ndarray, names=("M0", "M2", "M4", "SPARSI", "IRF", "WLF")) -> dict[str, np.ndarray]:
    """All requested TD-PSD features from one pass over the windows."""
    n = w.shape[-1]
    fe = _tdpsd_from_sums(_tdpsd_sums(w), n, names)
    ff = _tdpsd_from_sums(_tdpsd_sums(np.log(w * w + _EPS)), n, names)
    return {k: _combine(fe[k], ff[k]) for k in names}


def tdpsd_family(sums, n: int, names=("M0", "M2", "M4", "SPARSI", "IRF", "WLF")) -> dict[str, np.ndarray]:
    """The requested TD-PSD features from the window sums of the ten TD-PSD terms (in their order)."""
    fe, ff = _tdpsd_from_sums(sums[:5], n, names), _tdpsd_from_sums(sums[5:], n, names)
    return {k: _combine(fe[k], ff[k]) for k in names}


def _make_tdpsd(name: str, text: str) -> None:
    def fn(w, fs):
        return tdpsd_windows(w, (name,))[name]

    def finish(sums, n):
        return tdpsd_family(sums, n, (name,))[name]

    fn.__name__ = name.lower()
    fn.__doc__ = f"TD-PSD {name}: {text} (Khushaba et al. 2017)."
    register(name, definition=text + "; reported as -2 f(log(x^2+eps)) f(x) / (f(log(x^2+eps))^2 + f(x)^2)", reference=K17,
             sums=SumForm(lambda: _TDPSD_TERMS, finish, family=tdpsd_family))(fn)


_make_tdpsd("M0", "f = log|m0|, m0 = (sqrt(sum x^2)/(N-1))^0.1/0.1 (root squared zero-order moment)")
_make_tdpsd("M2", "f = log|m0 - m2|, m2 = (sqrt(sum dx^2/(N-1)))^0.1/0.1 (second-order moment)")
_make_tdpsd("M4", "f = log|m0 - m4|, m4 = (sqrt(sum ddx^2/(N-1)))^0.1/0.1 (fourth-order moment)")
_make_tdpsd("SPARSI", "f = log|sqrt(|(m0-m2)(m0-m4)|)/m0| (sparseness)")
_make_tdpsd("IRF", "f = log|m2/sqrt(m0 m4)| (irregularity factor)")
_make_tdpsd("WLF", "f = log|sqrt(sum|dx| / sum|ddx|)| (waveform length ratio)")

