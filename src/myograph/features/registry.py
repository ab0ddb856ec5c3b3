"""The feature registry: one small vectorised function per published feature.

Every feature function has the signature ``f(w, fs, **parameters)`` where
``w`` is an array of windows with time on the last axis — typically
``(n_windows, n_channels, n_window_samples)`` — and returns an array of the
leading shape (``(n_windows, n_channels)``) or, for features with several
values per channel (AR coefficients, wavelet levels), the leading shape plus
one axis of length :attr:`Feature.size`. ``fs`` (Hz) is always passed; features
that do not need it ignore it.

Features that are made from sums over the window of per-sample quantities
(MAV, WL, ZC, …) also carry a ``sliding(x, fs, n_window, step, **parameters)``
twin that works on the continuous ``(n_channels, n_samples)`` signal with
running sums, so overlapping windows do not recompute the shared samples.
Most declare it as a :class:`~myograph.features._sums.SumForm` (their
per-sample terms and what to make of the sums), so that the extractor sums
the terms of all requested features together in one pass. Both forms give
the same numbers (tests compare them); the extractor uses the sliding form
when it is given a continuous signal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError
from myograph.features._sums import SumForm

__all__ = ["Parameter", "Feature", "FEATURES", "register", "get_feature"]


@dataclass(frozen=True)
class Parameter:
    """A feature parameter: default value, unit (``""`` if none) and meaning."""

    default: Any
    unit: str
    description: str


@dataclass(frozen=True)
class Feature:
    """One registered feature.

    Attributes
    ----------
    name : str
        Registry key (``"MAV"``); also the suffix of output column names.
    function : callable
        ``function(w, fs, **parameters)`` as described in the module docstring.
    definition : str
        The formula in words/plain text, for documentation.
    reference : str
        The paper the definition follows.
    unit : str
        Unit of the output for a signal in volts (``"V"``, ``"Hz"``, ``""``).
    size : int or callable
        Values per channel: an int, or ``size(**parameters)``.
    parameters : mapping of str to Parameter
        Tunable parameters with defaults and units.
    domain : str
        ``"time"``, ``"frequency"`` … (for documentation and grouping).
    sliding : callable or None
        The twin over a continuous signal (module docstring).
    sums : SumForm or None
        The running-sum form, when the feature has one (``sliding`` is then
        ``sums.sliding``).
    """

    name: str
    function: Callable[..., np.ndarray]
    definition: str
    reference: str
    unit: str = ""
    size: int | Callable[..., int] = 1
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    domain: str = "time"
    sliding: Callable[..., np.ndarray] | None = None
    sums: SumForm | None = None

    def resolve(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The parameters with defaults filled in; unknown names are refused."""
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            allowed = sorted(self.parameters) or "none"
            raise ParameterError(f"{self.name}.{unknown[0]}", f"unknown parameter of feature {self.name}; allowed: {allowed}")
        return {k: params.get(k, p.default) for k, p in self.parameters.items()}

    def n_values(self, params: Mapping[str, Any] | None = None) -> int:
        """Values per channel for these parameters."""
        if callable(self.size):
            return int(self.size(**self.resolve(params)))
        return int(self.size)

    def __call__(self, w: Any, fs: float, **params: Any) -> np.ndarray:
        return self.function(np.asarray(w, dtype=np.float64), float(fs), **self.resolve(params))


FEATURES: dict[str, Feature] = {}


def register(
    name: str,
    *,
    definition: str,
    reference: str,
    unit: str = "",
    size: int | Callable[..., int] = 1,
    parameters: Mapping[str, Parameter] | None = None,
    domain: str = "time",
    sliding: Callable[..., np.ndarray] | None = None,
    sums: SumForm | None = None,
) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Decorator adding a function to :data:`FEATURES` under ``name``."""

    def deco(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        if name in FEATURES:
            raise RuntimeError(f"feature {name} registered twice")
        twin = sums.sliding if sums is not None else sliding
        FEATURES[name] = Feature(name, fn, definition, reference, unit, size, dict(parameters or {}), domain, twin, sums)
        return fn

    return deco


def get_feature(name: str) -> Feature:
    """The registered feature called ``name`` (case-insensitive)."""
    key = name if name in FEATURES else name.upper()
    if key not in FEATURES:
        raise ParameterError("features", f"unknown feature {name!r}; known: {sorted(FEATURES)}")
    return FEATURES[key]
