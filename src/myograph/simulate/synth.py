"""Sum MUAP templates at discharge times: the EMG is a sum of filtered impulse trains.

``y_c(t) = sum_u sum_k w_uk T_uc(t - t_uk)`` for units *u*, channels *c* and
discharges *k*. Three exact implementations:

* ``"lags"`` (few channels): every (discharge, lag) pair scattered by one windowed
  ``bincount`` per chunk of discharges and channel — ``n_discharges * n_lags`` per
  channel;
* ``"sparse"`` (many channels): one sparse-times-dense product of a matrix whose rows
  (unit, lag) hold the shifted impulse positions with the flattened templates —
  ``n_discharges * n_lags * n_channels`` multiply-adds in compiled code;
* ``"fft"``: overlap-add in blocks, the spectra of all units' impulse trains combined
  with the template spectra by one matrix product per frequency; cost grows with
  ``n_samples * n_units`` and pays off only when discharges are dense.

Discharges may carry weights and fall between samples (fractional sample positions
are split linearly between the two neighbouring samples).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.fft import irfft, next_fast_len, rfft

from myograph.core.errors import ParameterError

__all__ = ["sum_templates"]

#: memory budget for one batch of block spectra, bytes
_BATCH_BYTES = 64 * 2 ** 20


def _flatten(trains: Sequence[np.ndarray], weights: Sequence[np.ndarray] | None, n_units: int,
             fractional: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if len(trains) != n_units:
        raise ParameterError("discharges", f"need one discharge array per template ({n_units}), got {len(trains)}")
    pos = [np.asarray(t, dtype=float).reshape(-1) for t in trains]
    unit = np.concatenate([np.full(p.size, i, dtype=np.int64) for i, p in enumerate(pos)]) if pos else np.empty(0, np.int64)
    p = np.concatenate(pos) if pos else np.empty(0)
    if weights is None:
        w = np.ones(p.size)
    else:
        w = np.concatenate([np.broadcast_to(np.asarray(wi, dtype=float), (pi.size,)) for wi, pi in zip(weights, pos)]) if pos else np.empty(0)
    if fractional:
        i0 = np.floor(p).astype(np.int64)
        f = p - i0
        nz = f > 0
        return (np.concatenate([i0, i0[nz] + 1]), np.concatenate([unit, unit[nz]]),
                np.concatenate([w * (1.0 - f), w[nz] * f[nz]]))
    return np.round(p).astype(np.int64), unit, w


def _lag_loop(idx, unit, w, templates, n_out, lag0) -> np.ndarray:
    """Scatter every (discharge, lag) pair with one windowed ``bincount`` per chunk of discharges."""
    n_units, n_ch, n_lag = templates.shape
    start = idx - lag0
    order = np.argsort(start, kind="stable")
    start, unit, w = start[order], unit[order], w[order]
    lo_all = -n_lag
    acc = np.zeros((n_ch, n_out + 2 * n_lag))  # acc[k] is output sample k + lo_all
    lags = np.arange(n_lag)
    per_channel = [np.ascontiguousarray(templates[:, c, :]) for c in range(n_ch)]
    unweighted = bool(np.all(w == 1.0))
    chunk = 2048  # discharges per bincount: small enough for the scatter to stay in cache
    for c0 in range(0, start.size, chunk):
        s = start[c0:c0 + chunk]
        keep = (s > -n_lag) & (s < n_out)
        if not np.any(keep):
            continue
        s, uk, wk = s[keep], unit[c0:c0 + chunk][keep], w[c0:c0 + chunk][keep]
        lo = int(s[0])
        hi = int(s[-1]) + n_lag
        pos = ((s - lo)[:, None] + lags).ravel()
        for c in range(n_ch):
            vals = per_channel[c][uk] if unweighted else per_channel[c][uk] * wk[:, None]
            acc[c, lo - lo_all:hi - lo_all] += np.bincount(pos, weights=vals.ravel(), minlength=hi - lo)
    return acc[:, -lo_all:-lo_all + n_out]


def _block_fft(idx, unit, w, templates, n_out, lag0) -> np.ndarray:
    n_units, n_ch, n_lag = templates.shape
    nfft = next_fast_len(max(1024, 8 * n_lag))
    block = nfft - n_lag + 1
    spec_t = rfft(templates, nfft, axis=-1)  # (u, c, F)
    spec_t = np.ascontiguousarray(np.transpose(spec_t, (2, 0, 1)))  # (F, u, c)
    n_freq = spec_t.shape[0]
    # output sample of discharge at idx, lag l: idx - lag0 + l; work in shifted time s = idx - lag0 + n_lag
    s = idx - lag0
    keep = (s > -n_lag) & (s < n_out)
    s, unit, w = s[keep] + n_lag, unit[keep], w[keep]
    total = n_out + 2 * n_lag
    n_blocks = int(np.ceil(total / block))
    order = np.argsort(s, kind="stable")
    s, unit, w = s[order], unit[order], w[order]
    acc = np.zeros((n_ch, n_blocks * block + nfft))
    per_block = n_units * nfft * 8 + n_units * n_freq * 16 + n_ch * n_freq * 16
    batch = max(1, int(_BATCH_BYTES // per_block))
    for b0 in range(0, n_blocks, batch):
        b1 = min(n_blocks, b0 + batch)
        lo, hi = np.searchsorted(s, [b0 * block, b1 * block])
        if hi <= lo:
            continue
        trains = np.zeros((b1 - b0, n_units, nfft))
        sb = s[lo:hi]
        np.add.at(trains, (sb // block - b0, unit[lo:hi], sb % block), w[lo:hi])
        spec_s = np.ascontiguousarray(np.transpose(rfft(trains, axis=-1), (2, 0, 1)))  # (F, B, u)
        spec_y = np.matmul(spec_s, spec_t)  # (F, B, c)
        y = irfft(np.ascontiguousarray(np.transpose(spec_y, (1, 2, 0))), nfft, axis=-1)  # (B, c, nfft)
        for j in range(b1 - b0):
            start = (b0 + j) * block
            acc[:, start:start + nfft] += y[j]
    return acc[:, n_lag:n_lag + n_out]


def _sparse(idx, unit, w, templates, n_out, lag0) -> np.ndarray:
    """One sparse-times-dense product: rows (unit, lag) of impulse positions against the flattened templates."""
    n_units, n_ch, n_lag = templates.shape
    order = np.lexsort((idx, unit))
    idx, unit, w = idx[order], unit[order], w[order]
    start = idx - lag0 + n_lag  # extended output: sample k - n_lag
    counts = np.bincount(unit, minlength=n_units)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    offs = np.arange(n_lag)
    ind = np.empty(start.size * n_lag, dtype=np.int64)
    dat = np.empty(start.size * n_lag)
    for u in range(n_units):
        a, b = bounds[u], bounds[u + 1]
        ind[a * n_lag:b * n_lag] = (offs[:, None] + start[None, a:b]).ravel()
        dat[a * n_lag:b * n_lag] = np.tile(w[a:b], n_lag)
    n_ext = n_out + 2 * n_lag + 2
    ok = (ind >= 0) & (ind < n_ext)
    row_counts = np.repeat(counts, n_lag)
    if not np.all(ok):
        seg = np.repeat(np.arange(n_units * n_lag), row_counts)
        row_counts = np.bincount(seg[ok], minlength=n_units * n_lag)
        ind, dat = ind[ok], dat[ok]
    indptr = np.concatenate([[0], np.cumsum(row_counts)])
    dt = sp.csr_matrix((dat, ind, indptr), shape=(n_units * n_lag, n_ext))
    tflat = np.ascontiguousarray(np.transpose(templates, (0, 2, 1)).reshape(n_units * n_lag, n_ch))
    y = dt.T @ tflat  # (n_ext, c)
    return np.ascontiguousarray(y[n_lag:n_lag + n_out].T)


def sum_templates(discharges: Sequence[np.ndarray], templates: np.ndarray, n_samples: int, *, lag0: int = 0,
                  weights: Sequence[np.ndarray] | None = None, fractional: bool = False,
                  method: str = "auto") -> np.ndarray:
    """Sum each unit's template at each of its discharges.

    Parameters
    ----------
    discharges : sequence of ndarray
        Per unit, discharge positions in samples (integers, or fractional with
        ``fractional=True``).
    templates : ndarray, shape (n_units, n_channels, n_lags)
        Template of each unit at each channel; sample ``lag0`` is the discharge.
    n_samples : int
        Output length.
    lag0 : int
        Index of the discharge sample within the templates.
    weights : sequence of ndarray, optional
        Per unit, a weight per discharge (default 1).
    fractional : bool
        Split fractional positions linearly between neighbouring samples; otherwise
        positions are rounded.
    method : {"auto", "lags", "sparse", "fft"}
        Implementation; ``"auto"`` takes ``"lags"`` for up to 4 channels and
        ``"sparse"`` otherwise (the block FFT only pays off for dense discharges).

    Returns
    -------
    ndarray, shape (n_channels, n_samples)
    """
    t = np.asarray(templates, dtype=float)
    if t.ndim != 3:
        raise ParameterError("templates", f"must be shaped (n_units, n_channels, n_lags), got {t.shape}")
    n_units, n_ch, n_lag = t.shape
    idx, unit, w = _flatten(discharges, weights, n_units, fractional)
    if idx.size == 0 or n_lag == 0:
        return np.zeros((n_ch, n_samples))
    if method == "auto":
        # measured on 2 cores: the windowed bincount wins for a few channels, the
        # sparse product for many (its cost grows less than linearly with channels)
        method = "lags" if n_ch <= 4 else "sparse"
    if method == "lags":
        return _lag_loop(idx, unit, w, t, n_samples, lag0)
    if method == "sparse":
        return _sparse(idx, unit, w, t, n_samples, lag0)
    if method == "fft":
        return _block_fft(idx, unit, w, t, n_samples, lag0)
    raise ParameterError("method", f"must be 'auto', 'lags', 'sparse' or 'fft', got {method!r}")
