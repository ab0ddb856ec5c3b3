"""Per-sample marks to annotations: runs of unreadable cells (``BAD_gap``) and per-sample label columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from myograph.core.annotations import Annotations


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the runs of True in a 1-D boolean array."""
    if not mask.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def gap_annotations(mask: np.ndarray, fs: float, names: Sequence[str], label: str = "BAD_gap") -> Annotations:
    """One ``label`` annotation per run of True in each row of ``mask``.

    Parameters
    ----------
    mask : ndarray of bool, shape (n_channels, n_samples)
        Samples to mark (e.g. cells that could not be read).
    fs : float
        Sampling rate, Hz.
    names : sequence of str
        Channel name of each row; each annotation concerns its channel only.
    label : str, default ``"BAD_gap"``
    """
    rows = [(a / fs, (b - a) / fs, label, (names[i],)) for i in range(mask.shape[0]) for a, b in _runs(mask[i])]
    return Annotations.from_rows(rows)


def label_annotations(values: Sequence[str], fs: float, prefix: str) -> Annotations:
    """One annotation per constant-label segment of a per-sample label sequence.

    Parameters
    ----------
    values : sequence of str
        One label per sample; empty strings are unlabelled samples (no annotation).
    fs : float
        Sampling rate, Hz.
    prefix : str
        Prepended to each value (``"gesture:"`` gives ``"gesture:3"``).

    Returns
    -------
    Annotations
        Onset (s) at the segment's first sample, duration (s) = its number of samples / ``fs``.
    """
    vals = np.asarray([str(v).strip() for v in values], dtype=object)
    if vals.size == 0:
        return Annotations()
    change = np.flatnonzero(vals[1:] != vals[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [vals.size]])
    rows = [(a / fs, (b - a) / fs, f"{prefix}{vals[a]}") for a, b in zip(starts.tolist(), stops.tolist()) if vals[a] != ""]
    return Annotations.from_rows(rows)
