"""One input gate for the signal layer.

Every public function of :mod:`myograph.signal` passes its inputs through the
checks here, so that a bad sampling rate, a cut-off at or above Nyquist, a
signal shorter than a filter's padding or a NaN sample is refused with the
same kind of message everywhere: the parameter's name, what was allowed and
what was got.

NaN/Inf handling (``nan_policy``) is implemented once, in :func:`apply_lanes`:

``"raise"`` (default)
    Refuse any non-finite sample with a :class:`~myograph.SignalError` that
    says how many there are and where the first one is.
``"propagate"``
    Compute as if nothing were wrong; non-finite values spread as far as the
    computation carries them (for an IIR filter: from the first bad sample to
    the end of the channel, and for a zero-phase filter the whole channel).
``"mask"``
    Non-finite samples are excluded, never filled in: they stay NaN in the
    output and split each channel into finite runs, each processed on its own
    as if it were a separate recording. Runs too short for the operation (for
    a zero-phase filter: not longer than its padding) are returned as NaN with
    a :class:`~myograph.MyographWarning` that says how many there were.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from myograph.core.checks import check_fs  # noqa: F401  (re-exported: signal's checks in one place)
from myograph.core.errors import ParameterError, SignalError, warn

__all__ = [
    "NAN_POLICIES",
    "check_fs",
    "check_positive",
    "check_order",
    "check_int",
    "check_cutoff",
    "check_band",
    "check_nan_policy",
    "check_signal",
    "check_length",
    "finite_runs",
    "apply_lanes",
]

NAN_POLICIES = ("raise", "mask", "propagate")


def check_positive(value: Any, name: str, unit: str = "", *, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        raise ParameterError(name, f"must be a number{' of ' + unit if unit else ''}, got {value!r}")
    v = float(value)
    bad = (v < 0) if allow_zero else (v <= 0)
    if not math.isfinite(v) or bad:
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(name, f"must be a finite number {bound}{' ' + unit if unit else ''}, got {value!r}")
    return v


def check_int(value: Any, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ParameterError(name, f"must be an integer >= {minimum}, got {value!r}")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        allowed = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ParameterError(name, f"must be an integer {allowed}, got {v}")
    return v


def check_order(order: Any, name: str = "order") -> int:
    """A filter order: an integer from 1 to 16 (higher Butterworth orders gain nothing for EMG and lose precision)."""
    return check_int(order, name, minimum=1, maximum=16)


def check_cutoff(cutoff_hz: Any, fs: float, name: str = "cutoff_hz") -> float:
    """A cut-off frequency strictly between 0 and the Nyquist frequency ``fs / 2``."""
    c = check_positive(cutoff_hz, name, "Hz")
    nyq = fs / 2.0
    if c >= nyq:
        raise ParameterError(
            name,
            f"must be below the Nyquist frequency fs/2 = {nyq:g} Hz (fs = {fs:g} Hz), got {c:g} Hz",
        )
    return c


def check_band(low_hz: Any, high_hz: Any, fs: float, names: tuple[str, str] = ("low_hz", "high_hz")) -> tuple[float, float]:
    """A pass band ``0 < low_hz < high_hz < fs / 2``."""
    lo = check_cutoff(low_hz, fs, names[0])
    hi = check_cutoff(high_hz, fs, names[1])
    if lo >= hi:
        raise ParameterError(f"{names[0]}/{names[1]}", f"need {names[0]} < {names[1]}, got {lo:g} Hz and {hi:g} Hz")
    return lo, hi


def check_nan_policy(nan_policy: Any, allowed: tuple[str, ...] = NAN_POLICIES) -> str:
    if nan_policy not in allowed:
        raise ParameterError("nan_policy", f"must be one of {list(allowed)}, got {nan_policy!r}")
    return nan_policy


def check_signal(
    x: Any,
    *,
    name: str = "x",
    axis: int = -1,
    nan_policy: str = "raise",
    min_samples: int = 1,
    why: str = "",
) -> np.ndarray:
    """``x`` as a float64 array with at least ``min_samples`` samples along ``axis``.

    1-D signals and ``(n_channels, n_samples)`` arrays (any number of leading
    dimensions) are accepted. The array is not copied when it already is
    float64. With ``nan_policy="raise"`` any NaN/Inf is refused here.

    Raises
    ------
    ParameterError
        ``x`` is not a real numeric array, ``axis`` is out of range, or
        ``nan_policy`` is unknown.
    SignalError
        Too few samples, or non-finite samples under ``nan_policy="raise"``.
    """
    check_nan_policy(nan_policy)
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # ragged lists and such
            raise ParameterError(name, f"must be an array of samples, got {type(x).__name__} ({exc})") from None
        if arr.dtype.kind not in "biuf":
            raise ParameterError(name, f"must be a real numeric array, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    if arr.ndim == 0:
        raise ParameterError(name, "must be 1-D (n_samples,) or (n_channels, n_samples), got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ParameterError("axis", f"axis {axis} is out of range for a {arr.ndim}-D {name} of shape {arr.shape}")
    n = arr.shape[axis]
    if n < min_samples:
        raise SignalError(f"{name}: {n} samples along axis {axis}; {why or 'this operation'} needs at least {min_samples}")
    if nan_policy == "raise":
        _refuse_nonfinite(arr, name, axis)
    return arr


def all_finite(arr: np.ndarray) -> bool:
    """True when no value of the float array ``arr`` is NaN or infinite.

    The sums of the rows (one BLAS matrix-vector product, a few times faster
    than testing every value and without a temporary array) are finite when
    every value is; NaN and infinities propagate into them. Only when a sum
    is not finite, because of a non-finite value or because large finite
    values overflowed, is every value tested.
    """
    if arr.ndim and arr.size and arr.flags.c_contiguous and arr.dtype == np.float64:
        rows = arr.reshape(-1, arr.shape[-1])
        with np.errstate(all="ignore"):  # inf - inf and overflow are answered below
            sums = rows @ np.ones(rows.shape[1])
        if np.isfinite(sums).all():
            return True
    return bool(np.isfinite(arr).all())


def _refuse_nonfinite(arr: np.ndarray, name: str, axis: int) -> None:
    if arr.size and not all_finite(arr):
        moved = np.moveaxis(arr, axis, -1)
        bad = ~np.isfinite(moved)
        count = int(bad.sum())
        first = np.unravel_index(int(np.argmax(bad)), bad.shape)
        where = f"sample {first[-1]}" + (f" of channel {first[:-1] if len(first) > 2 else first[0]}" if len(first) > 1 else "")
        raise SignalError(
            f"{name}: {count} non-finite sample(s) (NaN/Inf), the first at {where}; "
            "pass nan_policy='mask' to process the finite runs separately (non-finite samples stay NaN) "
            "or nan_policy='propagate' to let them spread"
        )


def check_length(n: int, padlen: int, name: str = "x", what: str = "zero-phase filtering with this design") -> None:
    """Refuse a signal not longer than a filter's padding (odd extension needs ``n > padlen``)."""
    if n <= padlen:
        raise SignalError(
            f"{name}: {n} samples along the time axis, but {what} pads {padlen} samples at each end "
            f"and needs at least {padlen + 1}; use a longer signal, a higher cut-off, or zero_phase=False"
        )


def finite_runs(finite: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the runs of True in a 1-D boolean array."""
    if finite.size == 0:
        return []
    d = np.diff(np.concatenate(([0], finite.view(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), stops.tolist()))


def apply_lanes(
    func: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    axis: int = -1,
    nan_policy: str = "raise",
    min_run: int = 1,
    name: str = "x",
    what: str = "this operation",
) -> np.ndarray:
    """Apply a same-shape operation along ``axis`` honouring ``nan_policy``.

    ``func`` receives an array with time on the last axis (any leading
    dimensions) and returns an array of the same shape. Under ``"mask"`` it is
    called once per finite run with a ``(1, run_length)`` array; runs shorter
    than ``min_run`` samples stay NaN and one :class:`MyographWarning` says how
    many there were. ``x`` must already have passed :func:`check_signal`.
    """
    moved = np.moveaxis(x, axis, -1)
    if nan_policy != "mask" or moved.size == 0 or np.isfinite(moved).all():
        return np.moveaxis(func(moved), -1, axis)
    lanes = moved.reshape(-1, moved.shape[-1])
    out = np.full(lanes.shape, np.nan)
    short = 0
    for i, lane in enumerate(lanes):
        for a, b in finite_runs(np.isfinite(lane)):
            if b - a < min_run:
                short += 1
                continue
            out[i, a:b] = func(lane[np.newaxis, a:b])[0]
    if short:
        warn(
            f"{name}: {short} finite run(s) between non-finite samples are shorter than the {min_run} samples "
            f"{what} needs; they were left NaN (nan_policy='mask')",
            stacklevel=3,
        )
    return np.moveaxis(out.reshape(moved.shape), -1, axis)
