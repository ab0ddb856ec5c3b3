"""Direct-loop implementations of every feature, written from the papers' formulas.

Plain Python over one window (a list of floats) at a time, independent of the
vectorised code: no numpy reductions, no shared helpers with the package.
"""

from __future__ import annotations

import cmath
import math

EPS = 2.220446049250313e-16  # spacing of 1.0


def _mean(v):
    return sum(v) / len(v)


def _pvar(v):
    m = _mean(v)
    return sum((a - m) ** 2 for a in v) / len(v)


def _diff(v):
    return [v[i + 1] - v[i] for i in range(len(v) - 1)]


def IAV(x, fs):
    return sum(abs(a) for a in x)


def MAV(x, fs):
    return sum(abs(a) for a in x) / len(x)


def MAV1(x, fs):
    n = len(x)
    return sum((1.0 if 0.25 * n <= i <= 0.75 * n else 0.5) * abs(x[i - 1]) for i in range(1, n + 1)) / n


def MAV2(x, fs):
    n = len(x)
    tot = 0.0
    for i in range(1, n + 1):
        if 0.25 * n <= i <= 0.75 * n:
            w = 1.0
        elif i < 0.25 * n:
            w = 4.0 * i / n
        else:
            w = 4.0 * (i - n) / n
        tot += w * abs(x[i - 1])
    return tot / n


def SSI(x, fs):
    return sum(a * a for a in x)


def VAR(x, fs):
    return _pvar(x)


def RMS(x, fs):
    return math.sqrt(sum(a * a for a in x) / len(x))


def TM3(x, fs):
    return abs(sum(a**3 for a in x) / len(x))


def TM4(x, fs):
    return abs(sum(a**4 for a in x) / len(x))


def TM5(x, fs):
    return abs(sum(a**5 for a in x) / len(x))


def V3(x, fs):
    m = sum(a**3 for a in x) / len(x)
    return math.copysign(abs(m) ** (1 / 3), m)


def LD(x, fs):
    return math.exp(sum(math.log(abs(a)) for a in x) / len(x))


def MAXAV(x, fs):
    return max(abs(a) for a in x)


def MSR(x, fs):
    return abs(sum(cmath.sqrt(a) for a in x) / len(x))


def _p(i, n):
    return 0.75 if 0.2 * n <= i <= 0.8 * n else 0.5


def EMAV(x, fs):
    n = len(x)
    return sum(abs(x[i - 1]) ** _p(i, n) for i in range(1, n + 1)) / n


def EWL(x, fs):
    n = len(x)
    return sum(abs(x[i - 1] - x[i - 2]) ** _p(i, n) for i in range(2, n + 1))


def MYOP(x, fs, threshold_v):
    return sum(1 for a in x if abs(a) >= threshold_v) / len(x)


def SKEW(x, fs):
    m = _mean(x)
    m2 = sum((a - m) ** 2 for a in x) / len(x)
    m3 = sum((a - m) ** 3 for a in x) / len(x)
    return m3 / m2**1.5


def KURT(x, fs):
    m = _mean(x)
    m2 = sum((a - m) ** 2 for a in x) / len(x)
    m4 = sum((a - m) ** 4 for a in x) / len(x)
    return m4 / m2**2


def LS(x, fs):
    # L-scale as half the Gini mean difference: l2 = (1/2) * mean over pairs i<j of |x_i - x_j|
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            s += abs(x[i] - x[j])
    return 0.5 * s / (n * (n - 1) / 2)


def CARD(x, fs, threshold_v):
    s = sorted(x)
    c = 1
    for i in range(len(s) - 1):
        if s[i + 1] - s[i] > threshold_v:
            c += 1
    return float(c)


def WL(x, fs):
    return sum(abs(d) for d in _diff(x))


def AAC(x, fs):
    return sum(abs(d) for d in _diff(x)) / len(x)


def DASDV(x, fs):
    return math.sqrt(sum(d * d for d in _diff(x)) / (len(x) - 1))


def MFL(x, fs):
    return math.log10(math.sqrt(sum(d * d for d in _diff(x))))


def ZC(x, fs, threshold_v):
    return float(sum(1 for i in range(len(x) - 1) if x[i] * x[i + 1] < 0 and abs(x[i] - x[i + 1]) >= threshold_v))


def SSC(x, fs, threshold_v2):
    return float(sum(1 for i in range(1, len(x) - 1) if (x[i] - x[i - 1]) * (x[i] - x[i + 1]) >= threshold_v2))


def WAMP(x, fs, threshold_v):
    return float(sum(1 for i in range(len(x) - 1) if abs(x[i] - x[i + 1]) >= threshold_v))


def HACT(x, fs):
    return _pvar(x)


def HMOB(x, fs):
    return math.sqrt(_pvar(_diff(x)) / _pvar(x))


def HCOMP(x, fs):
    d1 = _diff(x)
    d2 = _diff(d1)
    return math.sqrt(_pvar(d2) / _pvar(d1)) / math.sqrt(_pvar(d1) / _pvar(x))


def _tdpsd_one(v, which):
    n = len(v)
    d1 = _diff(v)
    d2 = _diff(d1)
    m0 = (math.sqrt(sum(a * a for a in v)) / (n - 1)) ** 0.1 / 0.1
    m2 = math.sqrt(sum(a * a for a in d1) / (n - 1)) ** 0.1 / 0.1
    m4 = math.sqrt(sum(a * a for a in d2) / (n - 1)) ** 0.1 / 0.1
    return {
        "M0": lambda: math.log(abs(m0)),
        "M2": lambda: math.log(abs(m0 - m2)),
        "M4": lambda: math.log(abs(m0 - m4)),
        "SPARSI": lambda: math.log(abs(math.sqrt(abs((m0 - m2) * (m0 - m4))) / m0)),
        "IRF": lambda: math.log(abs(m2 / math.sqrt(m0 * m4))),
        "WLF": lambda: math.log(abs(math.sqrt(sum(abs(a) for a in d1) / sum(abs(a) for a in d2)))),
    }[which]()


def _tdpsd(which):
    def f(x, fs):
        ebp = _tdpsd_one(x, which)
        efp = _tdpsd_one([math.log(a * a + EPS) for a in x], which)
        return -2 * efp * ebp / (efp * efp + ebp * ebp)

    return f


M0, M2, M4, SPARSI, IRF, WLF = (_tdpsd(k) for k in ("M0", "M2", "M4", "SPARSI", "IRF", "WLF"))


# ------------------------------------------------------------ spectra by direct DFT

def _periodogram(x, fs):
    n = len(x)
    f, p = [], []
    for k in range(n // 2 + 1):
        s = sum(x[t] * cmath.exp(-2j * math.pi * k * t / n) for t in range(n))
        f.append(k * fs / n)
        p.append(abs(s) ** 2 / n)
    return f, p


def TTP(x, fs):
    return sum(_periodogram(x, fs)[1])


def MNP(x, fs):
    p = _periodogram(x, fs)[1]
    return sum(p) / len(p)


def SM1(x, fs):
    f, p = _periodogram(x, fs)
    return sum(a * b for a, b in zip(f, p))


def SM2(x, fs):
    f, p = _periodogram(x, fs)
    return sum(a * a * b for a, b in zip(f, p))


def SM3(x, fs):
    f, p = _periodogram(x, fs)
    return sum(a**3 * b for a, b in zip(f, p))


def MNF(x, fs):
    f, p = _periodogram(x, fs)
    return sum(a * b for a, b in zip(f, p)) / sum(p)


def MDF(x, fs):
    f, p = _periodogram(x, fs)
    half = sum(p) / 2
    c = 0.0
    for a, b in zip(f, p):
        c += b
        if c >= half:
            return a
    return f[-1]


def PKF(x, fs):
    f, p = _periodogram(x, fs)
    return f[max(range(len(p)), key=lambda i: p[i])]


def VCF(x, fs):
    f, p = _periodogram(x, fs)
    s0 = sum(p)
    s1 = sum(a * b for a, b in zip(f, p))
    s2 = sum(a * a * b for a, b in zip(f, p))
    return s2 / s0 - (s1 / s0) ** 2


def FR(x, fs, low_min_hz, low_max_hz, high_min_hz, high_max_hz):
    f, p = _periodogram(x, fs)
    lo = sum(b for a, b in zip(f, p) if low_min_hz <= a <= low_max_hz)
    hi = sum(b for a, b in zip(f, p) if high_min_hz < a <= high_max_hz)
    return lo / hi


def PSR(x, fs, half_width_hz):
    f, p = _periodogram(x, fs)
    pk = f[max(range(len(p)), key=lambda i: p[i])]
    return sum(b for a, b in zip(f, p) if abs(a - pk) <= half_width_hz) / sum(p)


def SPECENT(x, fs):
    p = _periodogram(x, fs)[1]
    s = sum(p)
    return -sum((b / s) * math.log(b / s) for b in p if b > 0)


# ------------------------------------------------------------ AR (Burg) and cepstrum

def AR(x, fs, order):
    """Burg's method (Marple 1987, ch. 8): reflection coefficient from the current forward and
    backward prediction errors, recomputed at each stage from the coefficients themselves."""
    n = len(x)
    a = [1.0]
    for m in range(1, order + 1):
        # errors of the order m-1 predictor, n = m .. N-1
        ef = [sum(a[k] * x[t - k] for k in range(m)) for t in range(m, n)]
        eb = [sum(a[k] * x[t - m + k] for k in range(m)) for t in range(m, n)]
        num = sum(e * b for e, b in zip(ef, eb))
        den = sum(e * e for e in ef) + sum(b * b for b in eb)
        k = -2.0 * num / den
        a = [(a[j] if j < m else 0.0) + k * (a[m - j] if m - j < m else 0.0) for j in range(m + 1)]
    return a[1:]


def CC(x, fs, order):
    a = AR(x, fs, order)
    c = []
    for p in range(1, order + 1):
        v = -a[p - 1]
        for l in range(1, p):
            v -= (1 - l / p) * a[l - 1] * c[p - l - 1]
        c.append(v)
    return c


# ------------------------------------------------------------ entropies by pairwise loops

def _std(v):
    return math.sqrt(_pvar(v))


def SAMPEN(x, fs, m, tolerance):
    n = len(x)
    r = tolerance * _std(x)
    cnt = n - m

    def matches(mm):
        c = 0
        for i in range(cnt):
            for j in range(cnt):
                if i != j and max(abs(x[i + k] - x[j + k]) for k in range(mm)) <= r:
                    c += 1
        return c

    B, A = matches(m), matches(m + 1)
    return -math.log(A / B)


def FUZZYEN(x, fs, m, tolerance, power):
    n = len(x)
    r = tolerance * _std(x)
    cnt = n - m

    def phi(mm):
        t = []
        for i in range(cnt):
            u = x[i : i + mm]
            mu = sum(u) / mm
            t.append([a - mu for a in u])
        s = 0.0
        for i in range(cnt):
            for j in range(cnt):
                if i != j:
                    d = max(abs(t[i][k] - t[j][k]) for k in range(mm))
                    s += math.exp(-(d**power) / r)
        return s / (cnt * (cnt - 1))

    return math.log(phi(m)) - math.log(phi(m + 1))


# ------------------------------------------------------------ DWT by the circular-convolution formula

DB4 = [-0.010597401785069032, 0.0328830116668852, 0.030841381835560764, -0.18703481171909309,
       -0.027983769416859854, 0.6308807679298589, 0.7148465705529157, 0.2303778133088965]
DB2 = [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025]
DB1 = [2**-0.5, 2**-0.5]


def _dwt(x, wavelet, levels):
    h = {"db4": DB4, "db2": DB2, "db1": DB1}[wavelet]
    L = len(h)
    g = [(-1) ** (j + 1) * h[L - 1 - j] for j in range(L)]
    bands = []
    a = list(x)
    for _ in range(levels):
        if len(a) % 2:
            a = a + [a[-1]]
        n = len(a)
        na = [sum(h[j] * a[(2 * k + j) % n] for j in range(L)) for k in range(n // 2)]
        nd = [sum(g[j] * a[(2 * k + j) % n] for j in range(L)) for k in range(n // 2)]
        bands.append(nd)
        a = na
    bands.append(a)
    return bands


def DWTE(x, fs, wavelet, levels):
    return [sum(c * c for c in b) for b in _dwt(x, wavelet, levels)]


def DWTMAV(x, fs, wavelet, levels):
    return [sum(abs(c) for c in b) / len(b) for b in _dwt(x, wavelet, levels)]


def DWTSTD(x, fs, wavelet, levels):
    return [_std(b) for b in _dwt(x, wavelet, levels)]
