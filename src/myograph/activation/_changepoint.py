"""Maximum-likelihood time of a variance change near each detected edge, vectorised over events.

Model: around an onset the (band-passed, zero-mean) EMG is Gaussian with
variance ``var0`` before the change and ``var1`` after it (the reverse at an
offset). For samples ``v[i]`` in a search window the log-likelihood of a
change at ``k`` is

* known variances (Staude et al. 2001, AGLR):
  ``sum_{i>=k} l_i`` with ``l_i = 0.5 * (ln(var0/var1) + v_i**2 * (1/var0 - 1/var1))``;
* unknown variances (profile likelihood):
  ``-n0/2 * ln(S0/n0) - n1/2 * ln(S1/n1)``, where ``S0, n0`` (``S1, n1``) are
  the sum of squares and count of the samples before (from) ``k``.

Both are cumulative sums along a fixed-width window per event, so thousands
of edges are refined with a handful of array operations. Every event has its
own admissible range ``[lo, hi)`` (for example: after the previous burst,
before its own offset); samples outside it get weight 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["change_known", "change_profile"]


def _window(v: np.ndarray, ch: np.ndarray, centre: np.ndarray, half: int, lo: np.ndarray, hi: np.ndarray,
            dc: np.ndarray | None = None):
    n = v.shape[1]
    idx = centre[:, None] + np.arange(-half, half)[None, :]
    valid = (idx >= np.maximum(lo, 0)[:, None]) & (idx < np.minimum(hi, n)[:, None])
    vals = v[ch[:, None], np.clip(idx, 0, n - 1)]
    if dc is not None:
        vals = vals - dc[ch][:, None]
    return idx, valid, np.where(valid, vals * vals, 0.0)


def change_known(v: np.ndarray, ch: np.ndarray, centre: np.ndarray, half: int, lo: np.ndarray, hi: np.ndarray,
                 var0: np.ndarray, var1: np.ndarray) -> np.ndarray:
    """ML sample of a change from ``var0`` to ``var1`` (known, per event) in ``centre ± half`` ∩ ``[lo, hi)``.

    Returns the first sample of the new regime. Events whose window holds no
    admissible sample keep ``centre``.
    """
    if ch.size == 0:
        return centre.copy()
    idx, valid, e = _window(v, ch, centre, half, lo, hi)
    var0 = np.maximum(np.asarray(var0, dtype=np.float64), 1e-300)[:, None]
    var1 = np.maximum(np.asarray(var1, dtype=np.float64), 1e-300)[:, None]
    llr = np.where(valid, 0.5 * (np.log(var0 / var1) + e * (1.0 / var0 - 1.0 / var1)), 0.0)
    c = np.cumsum(llr, axis=1) - llr  # sum of l_i before position k
    score = np.where(valid, -c, -np.inf)  # total - c is the likelihood of a change at k; total is constant
    best = np.argmax(score, axis=1)
    rows = np.arange(ch.size)
    out = idx[rows, best]
    return np.where(valid.any(axis=1), out, centre)


def change_profile(v: np.ndarray, ch: np.ndarray, centre: np.ndarray, half: int, lo: np.ndarray, hi: np.ndarray,
                   *, min_segment: int = 4, rising: bool = True, dc: np.ndarray | None = None) -> np.ndarray:
    """ML sample of a variance change with both variances unknown (profile likelihood).

    ``rising=True`` admits only changes to a larger variance (onsets),
    ``False`` only to a smaller one (offsets). Each side needs at least
    ``min_segment`` admissible samples. ``dc``: per-channel offset subtracted
    from ``v`` first.
    """
    if ch.size == 0:
        return centre.copy()
    idx, valid, e = _window(v, ch, centre, half, lo, hi, dc)
    w = valid.astype(np.float64)
    s_before = np.cumsum(e, axis=1) - e
    n_before = np.cumsum(w, axis=1) - w
    s_after = e.sum(axis=1, keepdims=True) - s_before
    n_after = w.sum(axis=1, keepdims=True) - n_before
    ok = valid & (n_before >= min_segment) & (n_after >= min_segment)
    with np.errstate(divide="ignore", invalid="ignore"):
        m0 = s_before / n_before
        m1 = s_after / n_after
        ll = -n_before * np.log(np.maximum(m0, 1e-300)) - n_after * np.log(np.maximum(m1, 1e-300))
    ok &= (m1 > m0) if rising else (m1 < m0)
    score = np.where(ok, ll, -np.inf)
    best = np.argmax(score, axis=1)
    rows = np.arange(ch.size)
    out = idx[rows, best]
    return np.where(ok.any(axis=1), out, centre)
