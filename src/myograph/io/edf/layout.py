"""Numbers for writing: physical ranges and record durations that fit the 8-character fields.

:func:`_record_layout` splits a recording into records of at most 1 s whose
duration text gives the sampling rate exactly, padding the last record only
when no exact split exists.
"""

from __future__ import annotations

import math

import numpy as np

from myograph.core.errors import ParameterError
from myograph.io.edf.spec import _MAX_RECORD_S, _number_text, _rate


def _fit8(value: float, up: bool) -> float | None:
    """The nearest number at or beyond ``value`` (above if ``up``) whose ``str`` has ≤ 8 characters, no exponent."""
    if value == 0:
        return 0.0
    if abs(value) < 1e-4:
        if up:
            return 1e-4 if value > 0 else 0.0
        return 0.0 if value > 0 else -1e-4
    for decimals in range(7, -1, -1):
        scale = 10 ** decimals
        q = math.ceil(value * scale) if up else math.floor(value * scale)
        v = q / scale
        if up and v < value:
            v = (q + 1) / scale
        if not up and v > value:
            v = (q - 1) / scale
        text = str(int(v)) if float(v).is_integer() else str(v)
        if len(text) <= 8 and "e" not in text:
            return float(v)
    return None


def _fit_range(lo: float, hi: float) -> tuple[float, float] | None:
    """``(min, max)`` fitted outwards to 8-character fields, or None when either does not fit."""
    pmin, pmax = _fit8(lo, up=False), _fit8(hi, up=True)
    if pmin is None or pmax is None:
        return None
    return pmin, pmax


def _physical_range(x: np.ndarray, name: str) -> tuple[float, float]:
    """The 8-character physical range that holds ``x`` (file units)."""
    lo, hi = float(np.min(x)), float(np.max(x))
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    fitted = _fit_range(lo, hi)
    if fitted is None:
        raise ParameterError("channels", f"channel {name!r}: values from {lo:g} to {hi:g} do not fit the 8-character "
                             "EDF physical range fields; rescale the channel")
    return fitted


def _duration_for(spr: int, fs: float) -> float | None:
    """A record duration (s) whose 8-character text gives exactly ``spr / duration == fs``."""
    d = spr / fs
    texts = [str(d)] + [f"{d:.{k}f}".rstrip("0").rstrip(".") for k in range(7, -1, -1)]
    for text in texts:
        if not text or len(text) > 8 or "e" in text:
            continue
        value = float(text)
        if value <= 0 or "e" in str(value) or len(_number_text(value)) > 8:
            continue
        if _rate(spr, _number_text(value), value) == fs:
            return value
    return None


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _record_layout(n_samples: int, fs: float) -> tuple[int, float, int]:
    """``(samples per record, record duration s, samples of padding)`` for one rate.

    Records last at most 1 s (or one sample, below 1 Hz). Exact layouts (no
    padding) are preferred; else the layout with the least padding.
    """
    limit = max(1, math.floor(fs * _MAX_RECORD_S + 1e-9))
    if n_samples > 0:
        for spr in reversed(_divisors(n_samples)):
            if spr <= limit:
                d = _duration_for(spr, fs)
                if d is not None:
                    return spr, d, 0
    best: tuple[int, int, float] | None = None  # (pad, -spr, duration)
    for spr in range(limit, 0, -1):
        pad = (-n_samples) % spr
        if best is not None and (pad, -spr) >= best[:2]:
            continue
        d = _duration_for(spr, fs)
        if d is not None:
            best = (pad, -spr, d)
    if best is None:
        raise ParameterError("fs", f"{fs!r} Hz cannot be written as EDF: no record duration fits the 8-character field exactly")
    return -best[1], best[2], best[0]
