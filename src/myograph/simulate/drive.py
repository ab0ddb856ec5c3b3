"""Excitation profiles: the common drive to a motor unit pool as a function of time.

Every profile maps times ``t`` (s) to an excitation in [0, 1]: the fraction of the
maximal excitatory drive to the pool, as in Fuglevand, Winter & Patla (1993). A unit
is recruited when the excitation reaches its threshold and its discharge rate then
grows with the excitation (see :mod:`myograph.simulate.pool`).

Profiles are plain functions ``f(t, **params) -> ndarray`` collected in
:data:`PROFILES`; :func:`as_excitation` turns what a user passes (a number, an array,
a callable, or ``(name, params)``) into samples on a time grid.

References
----------
.. [1] Fuglevand AJ, Winter DA, Patla AE. Models of recruitment and rate coding
   organization in motor-unit pools. J Neurophysiol 1993;70:2470-2488.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError

__all__ = [
    "constant", "ramp", "trapezoid", "sinusoid", "bursts", "sequence", "periodic",
    "PROFILES", "as_excitation", "describe_excitation",
]


def _level(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or not 0.0 <= v <= 1.0:
        raise ParameterError(name, f"excitation levels are fractions of the maximal drive in [0, 1], got {value!r}")
    return v


def _nonneg(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ParameterError(name, f"must be a finite number >= 0 s, got {value!r}")
    return v


def _edge(x: np.ndarray) -> np.ndarray:
    """Raised-cosine step: 0 for x <= 0, 1 for x >= 1, smooth in between."""
    xc = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * xc)


def constant(t: np.ndarray, *, level: float = 0.3) -> np.ndarray:
    """A constant excitation ``level`` (fraction of maximal drive) at every time."""
    return np.full(np.shape(t), _level("level", level))


def ramp(t: np.ndarray, *, start_s: float = 0.0, stop_s: float = 10.0, start_level: float = 0.0,
         stop_level: float = 1.0) -> np.ndarray:
    """A linear ramp from ``start_level`` at ``start_s`` to ``stop_level`` at ``stop_s`` (held outside).

    Parameters
    ----------
    t : ndarray
        Times, s.
    start_s, stop_s : float
        Start and end of the ramp, s (``stop_s > start_s``).
    start_level, stop_level : float
        Excitation at the start and the end, in [0, 1].
    """
    a, b = _level("start_level", start_level), _level("stop_level", stop_level)
    if not float(stop_s) > float(start_s):
        raise ParameterError("stop_s", f"a ramp needs stop_s > start_s, got {start_s!r} and {stop_s!r}")
    x = (np.asarray(t, dtype=float) - start_s) / (stop_s - start_s)
    return a + (b - a) * np.clip(x, 0.0, 1.0)


def trapezoid(t: np.ndarray, *, level: float = 0.5, onset_s: float = 1.0, rise_s: float = 2.0, hold_s: float = 4.0,
              fall_s: float = 2.0) -> np.ndarray:
    """Rest, a linear rise to ``level``, a plateau, a linear fall, rest.

    Parameters
    ----------
    t : ndarray
        Times, s.
    level : float
        Plateau excitation in [0, 1].
    onset_s, rise_s, hold_s, fall_s : float
        Start of the rise, durations of rise, plateau and fall, s.
    """
    lv = _level("level", level)
    on, ri, ho, fa = (_nonneg(n, v) for n, v in (("onset_s", onset_s), ("rise_s", rise_s), ("hold_s", hold_s), ("fall_s", fall_s)))
    tt = np.asarray(t, dtype=float)
    up = np.clip((tt - on) / ri, 0.0, 1.0) if ri > 0 else (tt >= on).astype(float)
    t_down = on + ri + ho
    down = np.clip((tt - t_down) / fa, 0.0, 1.0) if fa > 0 else (tt >= t_down).astype(float)
    return lv * (up - down)


def sinusoid(t: np.ndarray, *, mean: float = 0.3, amplitude: float = 0.2, frequency_hz: float = 0.5,
             phase_rad: float = 0.0) -> np.ndarray:
    """``mean + amplitude * sin(2 pi f t + phase)``, clipped to [0, 1].

    Parameters
    ----------
    t : ndarray
        Times, s.
    mean, amplitude : float
        Excitation offset and modulation depth (fractions of maximal drive).
    frequency_hz : float
        Modulation frequency, Hz (> 0).
    phase_rad : float
        Phase at t = 0, rad.
    """
    _level("mean", mean)
    if float(frequency_hz) <= 0:
        raise ParameterError("frequency_hz", f"must be > 0 Hz, got {frequency_hz!r}")
    x = mean + amplitude * np.sin(2 * np.pi * frequency_hz * np.asarray(t, dtype=float) + phase_rad)
    return np.clip(x, 0.0, 1.0)


def sequence(t: np.ndarray, segments: Sequence[tuple[float, float, float]], *, rise_s: float = 0.1) -> np.ndarray:
    """Piecewise-constant excitation with smooth edges.

    Parameters
    ----------
    t : ndarray
        Times, s.
    segments : sequence of (start_s, stop_s, level)
        Spans at which the excitation is ``level``; overlapping spans add (clipped to 1).
    rise_s : float
        Duration of each raised-cosine edge, s, taken inside the span (so the
        excitation is ``level`` from ``start_s + rise_s`` to ``stop_s - rise_s``).
    """
    tt = np.asarray(t, dtype=float)
    r = _nonneg("rise_s", rise_s)
    out = np.zeros(tt.shape)
    for i, seg in enumerate(segments):
        try:
            a, b, lv = (float(v) for v in seg)
        except (TypeError, ValueError):
            raise ParameterError("segments", f"entry {i} must be (start_s, stop_s, level), got {seg!r}") from None
        lv = _level(f"segments[{i}].level", lv)
        if not b > a:
            raise ParameterError("segments", f"entry {i} needs stop_s > start_s, got {a!r}, {b!r}")
        edge = min(r, (b - a) / 2)
        if edge > 0:
            out += lv * (_edge((tt - a) / edge) - _edge((tt - (b - edge)) / edge))
        else:
            out += lv * ((tt >= a) & (tt < b))
    return np.clip(out, 0.0, 1.0)


def bursts(t: np.ndarray, *, onsets_s: Sequence[float] = (1.0,), durations_s: float | Sequence[float] = 1.0,
           level: float | Sequence[float] = 0.5, rise_s: float = 0.05) -> np.ndarray:
    """On/off bursts: excitation ``level`` from each onset for its duration, rest otherwise.

    Parameters
    ----------
    t : ndarray
        Times, s.
    onsets_s : sequence of float
        Burst onsets, s.
    durations_s : float or sequence of float
        Burst durations, s (one for all, or one per onset).
    level : float or sequence of float
        Burst excitation(s) in [0, 1].
    rise_s : float
        Raised-cosine edge duration, s, inside each burst.
    """
    on = np.atleast_1d(np.asarray(onsets_s, dtype=float))
    du = np.broadcast_to(np.asarray(durations_s, dtype=float), on.shape)
    lv = np.broadcast_to(np.asarray(level, dtype=float), on.shape)
    return sequence(t, [(a, a + d, v) for a, d, v in zip(on, du, lv)], rise_s=rise_s)


def periodic(t: np.ndarray, *, period_s: float | np.ndarray = 1.0, pattern: Sequence[tuple[float, float, float]] = ((0.0, 0.5, 0.5),),
             cycle_starts_s: np.ndarray | None = None) -> np.ndarray:
    """A periodic pattern of smooth bursts placed by phase of a cycle (e.g. a gait cycle).

    Parameters
    ----------
    t : ndarray
        Times, s.
    period_s : float
        Cycle duration, s (used when ``cycle_starts_s`` is None).
    pattern : sequence of (start_frac, stop_frac, peak)
        Bursts as fractions of the cycle (may start below 0 or end above 1 to wrap
        around the cycle boundary) and their peak excitation; each burst is a
        raised-cosine (Hann) bump between its start and stop.
    cycle_starts_s : ndarray, optional
        Start times of successive cycles, s (variable cycle durations); the last
        cycle's duration is repeated to the end.
    """
    tt = np.asarray(t, dtype=float)
    if cycle_starts_s is None:
        p = float(period_s)
        if p <= 0:
            raise ParameterError("period_s", f"must be > 0 s, got {period_s!r}")
        starts = np.arange(-1, int(np.ceil((tt.max(initial=0.0) + p) / p)) + 1) * p
    else:
        starts = np.asarray(cycle_starts_s, dtype=float)
        if starts.size < 2 or np.any(np.diff(starts) <= 0):
            raise ParameterError("cycle_starts_s", "needs at least two increasing cycle start times")
        last = starts[-1] - starts[-2]
        first = starts[1] - starts[0]
        n_more = int(np.ceil(max(0.0, tt.max(initial=0.0) - starts[-1]) / last)) + 2
        starts = np.concatenate([[starts[0] - first], starts, starts[-1] + last * np.arange(1, n_more + 1)])
    out = np.zeros(tt.shape)
    durations = np.diff(starts)
    for c0, dur in zip(starts[:-1], durations):
        for i, burst in enumerate(pattern):
            a, b, pk = (float(v) for v in burst)
            _level(f"pattern[{i}].peak", pk)
            if not b > a:
                raise ParameterError("pattern", f"burst {i} needs stop_frac > start_frac, got {a!r}, {b!r}")
            t0, t1 = c0 + a * dur, c0 + b * dur
            sel = (tt > t0) & (tt < t1)
            if np.any(sel):
                x = (tt[sel] - t0) / (t1 - t0)
                out[sel] += pk * np.sin(np.pi * x) ** 2
    return np.clip(out, 0.0, 1.0)


#: profile name → function ``f(t, **params)``
PROFILES: dict[str, Callable[..., np.ndarray]] = {
    "constant": constant,
    "ramp": ramp,
    "trapezoid": trapezoid,
    "sinusoid": sinusoid,
    "bursts": bursts,
    "sequence": sequence,
    "periodic": periodic,
}


def as_excitation(excitation: Any, t: np.ndarray, *, fs: float | None = None, name: str = "excitation") -> np.ndarray:
    """Excitation samples at times ``t`` from what a user passed.

    Parameters
    ----------
    excitation : float, array, callable, str, or (str, mapping)
        A constant level in [0, 1]; samples (resampled linearly from ``fs`` to ``t``
        when their length differs from ``t``'s); a function of time (s); a profile
        name from :data:`PROFILES` with default parameters; or ``(name, params)``.
    t : ndarray
        Times, s.
    fs : float, optional
        Sampling rate of an array ``excitation``, Hz (needed when its length differs
        from ``len(t)``).
    name : str
        Parameter name used in error messages.

    Returns
    -------
    ndarray
        Excitation in [0, 1] at ``t``.
    """
    tt = np.asarray(t, dtype=float)
    if isinstance(excitation, (int, float, np.integer, np.floating)) and not isinstance(excitation, bool):
        return constant(tt, level=_level(name, excitation))
    if isinstance(excitation, str):
        excitation = (excitation, {})
    if isinstance(excitation, tuple) and len(excitation) == 2 and isinstance(excitation[0], str):
        prof, params = excitation
        if prof not in PROFILES:
            raise ParameterError(name, f"unknown profile {prof!r}; profiles are {sorted(PROFILES)}")
        if not isinstance(params, Mapping):
            raise ParameterError(name, f"profile parameters must be a mapping, got {type(params).__name__}")
        try:
            out = PROFILES[prof](tt, **dict(params))
        except TypeError as exc:
            raise ParameterError(name, f"bad parameters for profile {prof!r}: {exc}") from None
    elif callable(excitation):
        out = np.asarray(excitation(tt), dtype=float)
        if out.shape != tt.shape:
            out = np.broadcast_to(out, tt.shape).astype(float)
    else:
        arr = np.asarray(excitation, dtype=float).reshape(-1)
        if arr.size == tt.size:
            out = arr.copy()
        else:
            if fs is None:
                raise ParameterError(name, f"an excitation array of {arr.size} samples needs its sampling rate (or {tt.size} samples)")
            out = np.interp(tt, np.arange(arr.size) / float(fs), arr)
    if not np.all(np.isfinite(out)):
        raise ParameterError(name, "excitation must be finite")
    if out.size and (out.min() < -1e-9 or out.max() > 1 + 1e-9):
        raise ParameterError(name, f"excitation must lie in [0, 1], got values from {out.min():.3g} to {out.max():.3g}")
    return np.clip(out, 0.0, 1.0)


def describe_excitation(excitation: Any) -> Any:
    """A JSON-able description of an excitation argument, for provenance."""
    if isinstance(excitation, (int, float, str)) and not isinstance(excitation, bool):
        return excitation
    if isinstance(excitation, tuple) and len(excitation) == 2 and isinstance(excitation[0], str):
        return {"profile": excitation[0], "params": dict(excitation[1])}
    if isinstance(excitation, Mapping):
        return {str(k): describe_excitation(v) for k, v in excitation.items()}
    if callable(excitation):
        return f"callable {getattr(excitation, '__name__', type(excitation).__name__)}"
    arr = np.asarray(excitation)
    return f"array of {arr.size} samples"
