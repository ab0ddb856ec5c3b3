"""Shared fixtures: the real-data folder (skips when absent) and small recordings."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import myograph

#: ../shared/data beside the repository (override with MYOGRAPH_SHARED_DATA)
SHARED_DATA = Path(os.environ.get("MYOGRAPH_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The shared real-data folder; the test skips when it is absent (a user's fresh clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not available: {SHARED_DATA} is absent (see ../shared/data/README.md)")
    return SHARED_DATA


def make_recording(n_channels: int = 3, n_samples: int = 2000, fs: float = 1000.0, seed: int = 0) -> myograph.Recording:
    """A small random EMG-like recording (±1 mV) with one annotation."""
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 2e-4, size=(n_channels, n_samples))
    rec = myograph.Recording(data, fs=fs, ch_names=[f"ch{i}" for i in range(n_channels)])
    return rec.annotate(0.5, 0.25, "burst")


@pytest.fixture
def small_recording() -> myograph.Recording:
    return make_recording()
