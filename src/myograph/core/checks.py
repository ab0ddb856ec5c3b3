"""Argument checks shared by every layer (the layers above import them from here)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from myograph.core.errors import ParameterError

__all__ = ["check_fs"]


def check_fs(fs: Any, name: str = "fs") -> float:
    """``fs`` as a positive finite float (Hz); :class:`ParameterError` naming ``name`` otherwise."""
    if isinstance(fs, bool) or not isinstance(fs, (numbers.Real, np.number)):
        raise ParameterError(name, f"sampling rate must be a number in Hz, got {fs!r}")
    f = float(fs)
    if not math.isfinite(f) or f <= 0:
        raise ParameterError(name, f"sampling rate must be a positive finite number of Hz, got {fs!r}")
    return f
