"""The public entry point: input checks, bad channels, ``nan_policy``, then the detector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from myograph.activation._result import ChannelOnsets, OnsetReport
from myograph.activation._runs import runs
from myograph.activation.detectors._registry import Detector, get_detector
from myograph.core.errors import MyographError, ParameterError
from myograph.core.recording import Recording
from myograph.signal import check_fs, check_signal

__all__ = ["detect_onsets", "detect_onsets_report", "FLAT_MIN_S", "MIN_RUN_S", "SATURATED_FRACTION"]

#: a stretch of identical consecutive samples at least this long is "flat" and left out, s
FLAT_MIN_S = 0.05
#: finite/usable runs shorter than this are not analysed, s
MIN_RUN_S = 0.1
#: a channel with more than this fraction of samples clipped at its rails is "saturated" (no result)
SATURATED_FRACTION = 0.5
_RAIL_RUN = 3  # consecutive samples at the extreme value that count as clipping


def _check_rest(rest_s: Any, fs: float, n: int) -> tuple[int, int] | None:
    if rest_s is None:
        return None
    try:
        a, b = (float(v) for v in rest_s)
    except (TypeError, ValueError):
        raise ParameterError("rest_s", f"must be (start_s, stop_s) in seconds, got {rest_s!r}") from None
    dur = n / fs
    if not (np.isfinite(a) and np.isfinite(b) and 0 <= a < b <= dur + 0.5 / fs):
        raise ParameterError("rest_s", f"need 0 <= start_s < stop_s <= {dur:g} s (the signal's duration), got ({a:g}, {b:g})")
    i0, i1 = int(round(a * fs)), min(n, int(round(b * fs)))
    if i1 - i0 < 2:
        raise ParameterError("rest_s", f"({a:g}, {b:g}) s holds fewer than 2 samples at {fs:g} Hz")
    return i0, i1


def _mask_runs(mask: np.ndarray, min_len: int) -> np.ndarray:
    """Samples inside runs of True at least ``min_len`` long (2-D, along the last axis)."""
    out = np.zeros(mask.shape, dtype=bool)
    if not mask.any():
        return out
    ch, start, stop = runs(mask)
    keep = (stop - start) >= min_len
    for c, a, b in zip(ch[keep], start[keep], stop[keep]):
        out[c, a:b] = True
    return out


def _flat_stretches(x: np.ndarray, min_len: int) -> np.ndarray:
    """True on samples inside stretches of >= ``min_len`` identical consecutive samples."""
    same = x[:, 1:] == x[:, :-1]
    if not same.any():
        return np.zeros(x.shape, dtype=bool)
    # a run of k equal neighbour pairs is a stretch of k + 1 samples
    pairs = _mask_runs(same, max(1, min_len - 1))
    out = np.zeros(x.shape, dtype=bool)
    out[:, 1:] |= pairs
    out[:, :-1] |= pairs
    return out


def _clipped(x: np.ndarray, finite: np.ndarray | None) -> np.ndarray:
    """True on samples in runs of >= 3 at a channel's own maximum or minimum (clipping at the rails)."""
    if finite is None:
        hi = x.max(axis=1, keepdims=True)
        lo = x.min(axis=1, keepdims=True)
    else:
        hi = np.where(finite, x, -np.inf).max(axis=1, keepdims=True)
        lo = np.where(finite, x, np.inf).min(axis=1, keepdims=True)
    rail = (x == hi) | (x == lo)
    if not (rail.sum(axis=1) >= _RAIL_RUN).any():
        return np.zeros(x.shape, dtype=bool)
    return _mask_runs(rail, _RAIL_RUN)


def _run_detector(det: Detector, x: np.ndarray, fs: float, rest: np.ndarray | None, params: dict) -> list[np.ndarray]:
    out = det.function(x, fs, rest=rest, **params)
    return [np.asarray(iv, dtype=np.float64).reshape(-1, 2) for iv in out]


def detect_onsets_report(
    x: Any,
    fs: float,
    method: str | Detector = "auto",
    *,
    rest_s: tuple[float, float] | None = None,
    nan_policy: str = "raise",
    exclude: Any = None,
    ch_names: Sequence[str] | None = None,
    **params: Any,
) -> OnsetReport:
    """Detect activation intervals and say, per channel, what was found or why nothing was.

    Parameters are those of :func:`detect_onsets`, plus ``ch_names`` (names
    for the report; default ``"0"``, ``"1"`` …). Returns an
    :class:`~myograph.activation.OnsetReport`.
    """
    if isinstance(x, Recording):
        raise ParameterError("x", "got a Recording; use myograph.activation.annotate_onsets(rec, ...) "
                                  "(annotations on a new Recording) or pass rec.get_data() and rec.fs")
    fs = check_fs(fs)
    det = get_detector(method)
    det.check_params(params)
    arr = check_signal(x, nan_policy=nan_policy, min_samples=2, why="onset detection")
    if arr.ndim > 2:
        raise ParameterError("x", f"must be 1-D (n_samples,) or 2-D (n_channels, n_samples), got shape {arr.shape}")
    one_d = arr.ndim == 1
    X = arr[np.newaxis, :] if one_d else arr
    n_ch, n = X.shape
    names = [str(i) for i in range(n_ch)] if ch_names is None else [str(c) for c in ch_names]
    if len(names) != n_ch:
        raise ParameterError("ch_names", f"need one name per channel ({n_ch}), got {len(names)}")
    rest_idx = _check_rest(rest_s, fs, n)
    if exclude is not None:
        ex = np.asarray(exclude, dtype=bool)
        if ex.ndim == 1:
            ex = ex[np.newaxis, :]
        if ex.shape != X.shape:
            raise ParameterError("exclude", f"must have the shape of x {X.shape}, got {ex.shape}")
    else:
        ex = None

    all_finite = nan_policy == "raise" or bool(np.isfinite(X).all())
    finite = None if all_finite else np.isfinite(X)
    flat = _flat_stretches(X, max(2, int(round(FLAT_MIN_S * fs))))
    clipped = _clipped(X, finite)
    usable = ~flat
    if finite is not None:
        usable &= finite
    if ex is not None:
        usable &= ~ex

    status: list[str] = ["ok"] * n_ch
    reason: list[str | None] = [None] * n_ch
    notes: list[list[str]] = [[] for _ in range(n_ch)]
    intervals: list[np.ndarray] = [np.zeros((0, 2)) for _ in range(n_ch)]
    min_run = max(2, int(round(MIN_RUN_S * fs)))
    whole: list[int] = []
    split: list[int] = []
    for c in range(n_ch):
        n_fin = n if finite is None else int(finite[c].sum())
        if n_fin == 0:
            status[c], reason[c] = "missing", "missing channel: no finite sample"
            continue
        if n_fin < n:
            bad = n - n_fin
            if nan_policy == "propagate":
                status[c] = "nonfinite"
                reason[c] = (f"{bad} non-finite sample(s); nan_policy='propagate' gives no intervals for this channel "
                             "(use nan_policy='mask' to analyse the finite stretches)")
                continue
            notes[c].append(f"{bad / fs:.3f} s of non-finite samples masked")
        n_flat = int(flat[c].sum())
        if n_flat >= n_fin:
            v = X[c][np.isfinite(X[c])][0]
            status[c], reason[c] = "flat", f"flat channel: every sample is {v:g}"
            continue
        if n_flat:
            notes[c].append(f"{n_flat / fs:.3f} s flat (identical samples for >= {FLAT_MIN_S:g} s) left out")
        n_clip = int(clipped[c].sum())
        if n_clip > SATURATED_FRACTION * n_fin:
            status[c] = "saturated"
            reason[c] = f"saturated channel: {100 * n_clip / n_fin:.1f} % of samples clipped at the rails"
            continue
        if n_clip:
            notes[c].append(f"{100 * n_clip / n_fin:.2f} % of samples clipped at the rails")
        if ex is not None and ex[c].any():
            notes[c].append(f"{ex[c].sum() / fs:.3f} s excluded")
        (whole if usable[c].all() else split).append(c)

    rest_all = None if rest_idx is None else X[:, rest_idx[0]:rest_idx[1]]
    if whole:
        rest = None if rest_all is None else rest_all[whole]
        for c, iv in zip(whole, _run_detector(det, X[whole], fs, rest, params)):
            intervals[c] = iv
    for c in split:
        pieces: list[np.ndarray] = []
        short = 0.0
        failed: list[str] = []
        rest = None if rest_all is None else rest_all[c:c + 1]
        if rest is not None and not np.isfinite(rest).all():
            raise ParameterError("rest_s", f"the rest segment of channel {names[c]!r} contains non-finite samples")
        _, starts, stops = runs(usable[c:c + 1])
        for a, b in zip(starts.tolist(), stops.tolist()):
            if b - a < min_run:
                short += (b - a) / fs
                continue
            try:
                got = _run_detector(det, X[c:c + 1, a:b], fs, rest, params)[0]
            except MyographError as exc:  # a stretch too short for this detector's windows/filters
                failed.append(f"{a / fs:.3f}-{b / fs:.3f} s ({exc})")
                continue
            pieces.append(got + a / fs)
        intervals[c] = np.concatenate(pieces) if pieces else np.zeros((0, 2))
        if short:
            notes[c].append(f"{short:.3f} s in usable stretches shorter than {MIN_RUN_S:g} s not analysed")
        if failed:
            notes[c].append("not analysed: " + "; ".join(failed))
        if not pieces and not (starts.size and (stops - starts).max() >= min_run):
            status[c], reason[c] = "too_short", f"no usable stretch of at least {MIN_RUN_S:g} s"
    for c in range(n_ch):
        if status[c] == "ok" and intervals[c].shape[0] == 0:
            status[c] = "no_activity"
            reason[c] = f"no activity above the noise floor ({det.name} detector)"
    chans = tuple(ChannelOnsets(names[c], intervals[c], status[c], reason[c], tuple(notes[c])) for c in range(n_ch))
    full = {**det.defaults, **params}
    return OnsetReport(det.name, fs, full, chans, n / fs, one_d)


def detect_onsets(
    x: Any,
    fs: float,
    method: str | Detector = "auto",
    *,
    rest_s: tuple[float, float] | None = None,
    nan_policy: str = "raise",
    exclude: Any = None,
    return_reasons: bool = False,
    **params: Any,
) -> Any:
    """Onsets and offsets of muscle activity, per channel, in seconds.

    Parameters
    ----------
    x : array_like
        Band-passed EMG, 1-D ``(n_samples,)`` or ``(n_channels, n_samples)``
        (``method="auto", kind="envelope"`` takes an amplitude envelope).
    fs : float
        Sampling rate, Hz.
    method : str, default "auto"
        A key of :data:`~myograph.activation.DETECTORS`. ``"auto"`` needs no
        rest segment and no threshold.
    rest_s : (start_s, stop_s), optional
        A rest (baseline) segment, seconds, for the detectors that use one;
        without it they use the quietest 0.5 s of each channel.
    nan_policy : {"raise", "mask", "propagate"}, default "raise"
        Non-finite samples: refuse them; leave them out and analyse each
        channel's finite stretches separately; or give no result for the
        channels that contain them (status ``"nonfinite"``). Never imputed.
    exclude : array_like of bool, optional
        Samples to leave out (same shape as ``x``), e.g. ``BAD_*`` spans;
        each channel's remaining stretches are analysed separately.
    return_reasons : bool, default False
        Also return, per channel, why its result is empty (None when bursts
        were found). :func:`detect_onsets_report` gives the full report.
    **params
        The detector's parameters (seconds, Hz, dB, baseline SDs); see
        ``DETECTORS[method].parameters``. Unknown names are refused.

    Returns
    -------
    list of ndarray, or ndarray for 1-D ``x``
        For each channel a float array of ``(onset_s, offset_s)`` rows (empty
        ``(0, 2)`` when nothing was found). With ``return_reasons=True``:
        ``(intervals, reasons)``.

    Notes
    -----
    A flat channel, a channel clipped at its rails for more than half its
    samples, an all-NaN channel and a channel without activity give an empty
    array and a reason — never an exception. Flat stretches (identical
    samples for at least 50 ms) are left out like masked samples.
    """
    report = detect_onsets_report(x, fs, method, rest_s=rest_s, nan_policy=nan_policy, exclude=exclude, **params)
    out: Any = report.intervals[0] if report.one_d else report.intervals
    if return_reasons:
        return out, (report.reasons[0] if report.one_d else report.reasons)
    return out
