"""Cutting ``(n_channels, n_samples)`` signals into analysis windows.

:func:`windows` returns a read-only strided *view* of the input (no samples
are copied), shaped ``(n_windows, n_channels, n_window_samples)``, and the
start time of every window in seconds. Window ``k`` covers samples
``[k * step, k * step + n_window)`` where ``n_window = round(window_s * fs)``
and ``step = round(step_s * fs)``; windows that would run past the end of
the signal are not made (no padding), so there are
``(n_samples - n_window) // step + 1`` of them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from myograph.core.errors import ParameterError
from myograph.signal._validate import check_fs

__all__ = ["Windows", "windows", "window_lengths", "n_windows", "label_windows"]


class Windows(NamedTuple):
    """What :func:`windows` returns.

    Attributes
    ----------
    data : ndarray, shape (n_windows, n_channels, n_window_samples)
        Read-only view of the input.
    start_s : ndarray, shape (n_windows,)
        Start time of each window, s from the first sample.
    """

    data: np.ndarray
    start_s: np.ndarray


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        raise ParameterError(name, f"must be a number of seconds, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ParameterError(name, f"must be a finite number of seconds > 0, got {value!r}")
    return v


def window_lengths(fs: Any, window_s: Any, step_s: Any) -> tuple[int, int]:
    """``(n_window_samples, step_samples)`` for ``window_s`` and ``step_s`` at ``fs`` (rounded).

    Raises
    ------
    ParameterError
        ``fs``, ``window_s`` or ``step_s`` not positive, or shorter than one sample.
    """
    fs = check_fs(fs)
    w = _seconds(window_s, "window_s")
    s = _seconds(step_s, "step_s")
    n_win = int(round(w * fs))
    step = int(round(s * fs))
    if n_win < 2:
        raise ParameterError("window_s", f"{w:g} s is {n_win} sample(s) at fs = {fs:g} Hz; a window needs at least 2 samples")
    if step < 1:
        raise ParameterError("step_s", f"{s:g} s is less than one sample at fs = {fs:g} Hz (at least {1 / fs:g} s)")
    return n_win, step


def n_windows(n_samples: int, n_window: int, step: int) -> int:
    """How many whole windows of ``n_window`` samples every ``step`` fit in ``n_samples``."""
    return 0 if n_samples < n_window else (n_samples - n_window) // step + 1


def windows(x: Any, fs: float, window_s: float, step_s: float) -> Windows:
    """Sliding windows over the last axis, as a read-only view.

    Parameters
    ----------
    x : array_like, shape (n_channels, n_samples) or (n_samples,)
        Signal (any units; myograph's Recordings hold volts). A 1-D signal is
        treated as one channel.
    fs : float
        Sampling rate, Hz.
    window_s : float
        Window length, s (rounded to whole samples, at least 2).
    step_s : float
        Step between window starts, s (rounded to whole samples, at least 1).

    Returns
    -------
    Windows
        ``(data, start_s)``: ``data`` shaped ``(n_windows, n_channels,
        n_window_samples)`` is a view sharing memory with ``x`` when ``x`` is
        already a float64 array (no copy), marked read-only; ``start_s`` the
        start time of each window in seconds.

    Raises
    ------
    ParameterError
        Bad ``fs``/``window_s``/``step_s``, or ``window_s`` longer than the signal.
    """
    n_win, step = window_lengths(fs, window_s, step_s)
    arr = x if isinstance(x, np.ndarray) and x.dtype == np.float64 else np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ParameterError("x", f"must be (n_channels, n_samples) or (n_samples,), got shape {arr.shape}")
    n_ch, n = arr.shape
    count = n_windows(n, n_win, step)
    if count == 0:
        raise ParameterError(
            "window_s",
            f"window of {window_s:g} s ({n_win} samples) is longer than the signal ({n} samples, {n / float(fs):g} s)",
        )
    s_ch, s_t = arr.strides
    view = as_strided(arr, shape=(count, n_ch, n_win), strides=(step * s_t, s_ch, s_t), writeable=False)
    start_s = np.arange(count) * (step / float(fs))
    return Windows(view, start_s)


def label_windows(labels: Any, fs: float, window_s: float, step_s: float, *, how: str = "majority") -> np.ndarray:
    """One label per window of :func:`windows` from per-sample ``labels``.

    Parameters
    ----------
    labels : array_like of int, shape (n_samples,)
        Per-sample class labels (e.g. ``truth.gesture_labels``).
    fs, window_s, step_s : float
        As for :func:`windows`.
    how : {"majority", "last"}
        ``"majority"``: the most frequent label in the window (ties: the
        smallest); ``"last"``: the label of the window's last sample (what a
        causal controller knows when the window closes).
    """
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ParameterError("labels", f"must be 1-D (n_samples,), got shape {lab.shape}")
    if how not in ("majority", "last"):
        raise ParameterError("how", f"must be 'majority' or 'last', got {how!r}")
    n_win, step = window_lengths(fs, window_s, step_s)
    count = n_windows(lab.size, n_win, step)
    if count == 0:
        raise ParameterError("window_s", f"window of {window_s:g} s ({n_win} samples) is longer than the labels ({lab.size} samples)")
    if how == "last":
        return lab[np.arange(count) * step + n_win - 1]
    classes, codes = np.unique(lab, return_inverse=True)
    onehot = np.zeros((classes.size, lab.size + 1))
    onehot[codes, np.arange(lab.size) + 1] = 1.0
    cs = np.cumsum(onehot, axis=1)
    starts = np.arange(count) * step
    counts = cs[:, starts + n_win] - cs[:, starts]
    return classes[np.argmax(counts, axis=0)]
