"""Sample entropy and fuzzy entropy of each window.

Both compare every pair of embedded templates ``u_i = (x_i, ..., x_{i+m-1})``
of a window with the Chebyshev distance
``d_ij = max_k |x_{i+k} - x_{j+k}|``. Pairwise distances are built for a
batch of windows at once from the ``(N, N)`` matrix of sample differences
(the distance for length ``m`` is the running maximum of ``m`` shifted
diagonals), so the cost is ``O(N^2)`` per window but vectorised; batches keep
memory bounded.

* Sample entropy (Richman & Moorman 2000): with ``r = tolerance * std(x)``,
  ``B`` = number of pairs ``i != j`` (``i, j < N - m``) with ``d^m_ij <= r``,
  ``A`` = the same for length ``m + 1``; ``SampEn = -ln(A / B)``
  (``inf`` when ``A = 0``, NaN when ``B = 0``).
* Fuzzy entropy (Chen et al. 2007): templates have their own mean removed,
  similarity ``exp(-d_ij^n / r)`` with ``n = power``; ``phi^m`` = mean
  similarity over pairs ``i != j`` of the ``N - m`` templates;
  ``FuzzyEn = ln phi^m - ln phi^{m+1}``.

References
----------
* Richman JS, Moorman JR (2000). Physiological time-series analysis using
  approximate entropy and sample entropy. Am J Physiol Heart Circ Physiol
  278:H2039-H2049.
* Chen W, Wang Z, Xie H, Yu W (2007). Characterization of surface EMG signal
  based on fuzzy entropy. IEEE TNSRE 15(2):266-272.
"""

from __future__ import annotations

import numpy as np

from myograph.features.registry import Parameter, register

_BATCH_ELEMENTS = 2_000_000


def _batches(flat: np.ndarray):
    n = flat.shape[-1]
    per = max(1, _BATCH_ELEMENTS // (n * n))
    for s in range(0, flat.shape[0], per):
        yield s, flat[s : s + per]


def _cheb(u: np.ndarray, m: int, count: int) -> np.ndarray:
    """Chebyshev distances ``(b, count, count)`` between templates of length m of rows of u."""
    d = None
    for k in range(m):
        seg = u[:, k : k + count]
        dk = np.abs(seg[:, :, None] - seg[:, None, :])
        d = dk if d is None else np.maximum(d, dk)
    return d


@register("SAMPEN", definition="SampEn = -ln(A/B): B, A = template pairs (i != j) of length m, m+1 within r = tolerance*std(x) (Chebyshev)",
          reference="Richman & Moorman 2000, Am J Physiol 278:H2039", domain="entropy",
          parameters={"m": Parameter(2, "samples", "embedding dimension"), "tolerance": Parameter(0.2, "x std", "r as a fraction of the window's standard deviation")})
def sampen(w, fs, m, tolerance):
    m = int(m)
    lead = w.shape[:-1]
    flat = w.reshape(-1, w.shape[-1])
    n = flat.shape[-1]
    out = np.empty(flat.shape[0])
    count = n - m
    for s, b in _batches(flat):
        r = tolerance * b.std(axis=-1)
        dm = _cheb(b, m, count)
        dm1 = np.maximum(dm, np.abs(b[:, m : m + count, None] - b[:, None, m : m + count]))
        eye = np.eye(count, dtype=bool)
        rr = r[:, None, None]
        B = np.sum((dm <= rr) & ~eye, axis=(1, 2))
        A = np.sum((dm1 <= rr) & ~eye, axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[s : s + b.shape[0]] = -np.log(A / B)
    return out.reshape(lead)


@register("FUZZYEN", definition="FuzzyEn = ln phi^m - ln phi^(m+1), phi = mean over pairs i != j of exp(-d_ij^power / r) between mean-removed templates, r = tolerance*std(x)",
          reference="Chen et al. 2007, IEEE TNSRE 15:266", domain="entropy",
          parameters={"m": Parameter(2, "samples", "embedding dimension"), "tolerance": Parameter(0.2, "x std", "r as a fraction of the window's standard deviation"),
                      "power": Parameter(2, "", "fuzzy exponent n")})
def fuzzyen(w, fs, m, tolerance, power):
    m = int(m)
    lead = w.shape[:-1]
    flat = w.reshape(-1, w.shape[-1])
    n = flat.shape[-1]
    count = n - m
    out = np.empty(flat.shape[0])
    off = ~np.eye(count, dtype=bool)
    for s, b in _batches(flat):
        r = tolerance * b.std(axis=-1)
        phis = []
        for mm in (m, m + 1):
            idx = np.arange(count)[:, None] + np.arange(mm)[None, :]
            t = b[:, idx]  # (b, count, mm)
            t = t - t.mean(axis=-1, keepdims=True)
            d = np.abs(t[:, :, None, :] - t[:, None, :, :]).max(axis=-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                sim = np.exp(-(d**power) / r[:, None, None])
            phis.append(np.sum(sim * off, axis=(1, 2)) / (count * (count - 1)))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[s : s + b.shape[0]] = np.log(phis[0]) - np.log(phis[1])
    return out.reshape(lead)
