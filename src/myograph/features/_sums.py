"""Running sums over windows of a continuous signal (the sliding twins' engine)."""

from __future__ import annotations

import numpy as np

__all__ = ["window_sums", "n_win_count"]


def n_win_count(n_samples: int, n_window: int, step: int) -> int:
    return 0 if n_samples < n_window else (n_samples - n_window) // step + 1


def window_sums(g: np.ndarray, length: int, step: int, count: int) -> np.ndarray:
    """``out[k, c] = g[c, k*step : k*step + length].sum()`` for ``k < count``.

    ``g`` is ``(n_channels, m)``: one contribution per sample (or per sample
    pair for difference-based features, then ``length = n_window - 1``).
    Boolean ``g`` is summed exactly in integers. Float sums use a running
    cumulative sum restarted every block of windows, so the rounding error
    stays at the size of a few windows' sums, not the whole signal's.
    """
    n_ch, m = g.shape
    starts = np.arange(count) * step
    if g.dtype == bool:
        cs = np.zeros((n_ch, m + 1), dtype=np.int64)
        np.cumsum(g, axis=1, out=cs[:, 1:])
        return (cs[:, starts + length] - cs[:, starts]).T.astype(np.float64)
    # block sums of `step` samples where the window is a whole number of steps: exact-ish and fast
    if length % step == 0 and count * step + length - step <= m:
        k = length // step
        nb = count + k - 1
        blocks = g[:, : nb * step].reshape(n_ch, nb, step).sum(axis=2)
        out = blocks[:, :count].copy()
        for j in range(1, k):
            out += blocks[:, j : j + count]
        return out.T
    cs = np.zeros((n_ch, m + 1))
    np.cumsum(g, axis=1, out=cs[:, 1:])
    return (cs[:, starts + length] - cs[:, starts]).T
