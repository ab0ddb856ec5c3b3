"""Causal signal conditioning shared by training and the live controller.

A live controller can only filter causally, so a model must be trained on signals
filtered the same causal way, or its features will not match what it sees online.
:class:`Preprocess` names the conditioning once (a high-pass against motion
artefact and electrode offset, optionally a power-line notch with its harmonics)
and gives both twins of it:

- :meth:`Preprocess.apply` filters a whole ``(n_channels, n_samples)`` signal
  causally from a zero state (``scipy.signal.sosfilt``), as training does;
- :meth:`Preprocess.streaming` returns a :class:`~myograph.signal.StreamingFilter`
  that gives the same output block by block, as the live controller does.

Both restart the filter after a non-finite run (``nan_policy="mask"``), so a gap
in the stream is treated alike offline and online. The spec travels with the
model (:meth:`to_dict` / :meth:`from_dict`), so ``myograph control run`` rebuilds
exactly the filter the model was trained behind.

The 20 Hz high-pass default follows the SENIAM and ISEK recommendations for
surface EMG (10-20 Hz: movement artefact lies below, little EMG power does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError

__all__ = ["Preprocess"]


@dataclass(frozen=True)
class Preprocess:
    """Causal conditioning: high-pass, then power-line notches.

    Parameters
    ----------
    highpass_hz : float or None, default 20
        Butterworth high-pass cut-off, Hz (``None``: none).
    powerline_hz : float or None, default None
        Mains frequency (50 or 60 Hz): notches at it and its harmonics
        (``None``: none).
    harmonics : int or None, default None
        How many notches (the fundamental is 1); ``None``: every harmonic below
        Nyquist. Each notch is one more filter section per sample, so a live
        controller at 2 kHz may prefer 3 (50, 100, 150 Hz) to all 19.
    order : int, default 4
        High-pass order.
    quality : float, default 30
        Notch quality factor.
    """

    highpass_hz: float | None = 20.0
    powerline_hz: float | None = None
    order: int = 4
    quality: float = 30.0
    harmonics: int | None = None

    def __post_init__(self) -> None:
        for name in ("highpass_hz", "powerline_hz"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0):
                raise ParameterError(name, f"must be a frequency in Hz > 0 or None, got {v!r}")
        if isinstance(self.order, bool) or not isinstance(self.order, int) or not 1 <= self.order <= 10:
            raise ParameterError("order", f"must be an integer in [1, 10], got {self.order!r}")
        h = self.harmonics
        if h is not None and (isinstance(h, bool) or not isinstance(h, int) or h < 1):
            raise ParameterError("harmonics", f"must be an integer >= 1 or None, got {h!r}")

    @property
    def is_identity(self) -> bool:
        """True when nothing is filtered."""
        return self.highpass_hz is None and self.powerline_hz is None

    def sos(self, fs: float) -> np.ndarray | None:
        """The cascaded second-order sections at ``fs`` (``None`` for the identity)."""
        from myograph.signal.filters import cascade, design_highpass, design_powerline

        parts = []
        if self.highpass_hz is not None:
            parts.append(design_highpass(self.highpass_hz, fs, order=self.order))
        if self.powerline_hz is not None:
            parts.append(design_powerline(self.powerline_hz, fs, n_harmonics=self.harmonics, quality=self.quality))
        return cascade(*parts) if parts else None

    def apply(self, x: Any, fs: float) -> np.ndarray:
        """Filter ``(n_channels, n_samples)`` causally from a zero state (what :meth:`streaming` gives)."""
        from myograph.signal.filters import filter_sos

        arr = np.asarray(x, dtype=np.float64)
        sos = self.sos(fs)
        if sos is None:
            return arr.copy()
        return filter_sos(arr, sos, zero_phase=False, nan_policy="mask")

    def streaming(self, fs: float, n_channels: int):
        """The streaming twin of :meth:`apply` (``None`` for the identity)."""
        from myograph.signal.filters import StreamingFilter

        sos = self.sos(fs)
        return None if sos is None else StreamingFilter(sos, n_channels, nan_policy="mask")

    def describe(self) -> str:
        """One line for reports: ``"high-pass 20 Hz (order 4), notch 50 Hz + harmonics"``."""
        if self.is_identity:
            return "none"
        out = []
        if self.highpass_hz is not None:
            out.append(f"high-pass {self.highpass_hz:g} Hz (order {self.order})")
        if self.powerline_hz is not None:
            which = "all harmonics" if self.harmonics is None else f"{self.harmonics} notch(es)"
            out.append(f"notch {self.powerline_hz:g} Hz, {which} (Q {self.quality:g})")
        return ", ".join(out)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "Preprocess":
        """From :meth:`to_dict`; ``None`` gives the identity (no filtering)."""
        if d is None:
            return cls(highpass_hz=None, powerline_hz=None)
        if not isinstance(d, Mapping):
            raise ParameterError("preprocess", f"must be a mapping, got {type(d).__name__}")
        unknown = set(d) - {"highpass_hz", "powerline_hz", "order", "quality", "harmonics"}
        if unknown:
            raise ParameterError("preprocess", f"unknown fields {sorted(unknown)}")
        return cls(**dict(d))


#: no filtering at all
IDENTITY = Preprocess(highpass_hz=None, powerline_hz=None)
