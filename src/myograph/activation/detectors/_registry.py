"""The registry of onset/offset detectors: one small pure function each, with its reference.

A detector is a function ``fn(x, fs, *, rest=None, **params) -> list[ndarray]``:

* ``x`` — finite float64 samples shaped ``(n_channels, n_samples)`` (band-passed
  EMG in V unless the detector says otherwise);
* ``fs`` — sampling rate, Hz;
* ``rest`` — ``None`` or samples of a rest (baseline) segment shaped
  ``(n_channels, n_rest)``; detectors whose published form needs one take the
  quietest stretch of ``x`` when it is ``None`` (see
  :func:`myograph.activation.detectors.rest_or_quietest`);
* ``params`` — keyword parameters in seconds, Hz, dB or multiples of a baseline
  statistic (never samples);

and returns, for each channel, a float64 array of ``(onset_s, offset_s)`` rows.
The public entry point :func:`myograph.activation.detect_onsets` validates
input, handles ``nan_policy`` and bad channels and then calls the function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from myograph.core.errors import ParameterError

__all__ = ["Detector", "DETECTORS", "register", "get_detector"]


@dataclass(frozen=True)
class Detector:
    """One registered detector.

    Attributes
    ----------
    name : str
        Registry key (``"bonato"``, ``"auto"`` …).
    function : callable
        ``fn(x, fs, *, rest=None, **params) -> list of (k, 2) arrays`` (seconds).
    reference : str
        The publication the method follows.
    summary : str
        One line: what it does.
    parameters : mapping
        Parameter name → meaning with its unit.
    uses_rest : bool
        Whether the published method needs a rest (baseline) segment. When no
        ``rest_s`` is given such detectors use the quietest stretch of the
        signal instead.
    """

    name: str
    function: Callable[..., list]
    reference: str
    summary: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    uses_rest: bool = True

    @property
    def defaults(self) -> dict[str, Any]:
        """Default parameter values, read from the function's signature."""
        sig = inspect.signature(self.function)
        return {k: p.default for k, p in sig.parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and k != "rest"}

    def check_params(self, params: Mapping[str, Any]) -> None:
        """Refuse parameters the detector does not take, naming the ones it does."""
        allowed = set(self.defaults)
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ParameterError(
                unknown[0], f"detector {self.name!r} has no parameter {unknown[0]!r}; its parameters are {sorted(allowed)}"
            )

    def __call__(self, x: Any, fs: float, **params: Any) -> list:
        self.check_params({k: v for k, v in params.items() if k != "rest"})
        return self.function(x, fs, **params)


_REGISTRY: dict[str, Detector] = {}

#: name → :class:`Detector` (read-only view; add with :func:`register`)
DETECTORS: Mapping[str, Detector] = MappingProxyType(_REGISTRY)


def register(name: str, *, reference: str, summary: str, parameters: Mapping[str, str] | None = None,
             uses_rest: bool = True) -> Callable[[Callable[..., list]], Callable[..., list]]:
    """Decorator: add a detector function to :data:`DETECTORS` under ``name``."""

    def deco(fn: Callable[..., list]) -> Callable[..., list]:
        if name in _REGISTRY:
            raise ParameterError("name", f"a detector named {name!r} is already registered")
        _REGISTRY[name] = Detector(name, fn, reference, summary, MappingProxyType(dict(parameters or {})), uses_rest)
        return fn

    return deco


def get_detector(method: Any) -> Detector:
    """The :class:`Detector` named ``method`` (or ``method`` itself if it is one)."""
    if isinstance(method, Detector):
        return method
    if not isinstance(method, str) or method not in _REGISTRY:
        raise ParameterError("method", f"must be one of {sorted(_REGISTRY)}, got {method!r}")
    return _REGISTRY[method]
