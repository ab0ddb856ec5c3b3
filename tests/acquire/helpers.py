"""Shared helpers for the acquire tests: small, fast, deterministic simulated sources."""

from __future__ import annotations

import numpy as np

from myograph.acquire import Block, SimulatedAmplifier


def sim(mode: str = "surface", **kw) -> SimulatedAmplifier:
    """A simulated amplifier that runs as fast as it is read (2 surface channels by default: cheap to build)."""
    if mode == "surface":
        kw.setdefault("channels", 2)
    kw.setdefault("realtime", False)
    kw.setdefault("seed", 1)
    return SimulatedAmplifier(mode, **kw)


def read_samples(src, n_samples: int, timeout_s: float = 10.0) -> list[Block]:
    """Blocks from a started source until at least ``n_samples`` have come."""
    out, n = [], 0
    while n < n_samples:
        b = src.read(timeout_s=timeout_s)
        assert b is not None, "the source delivered nothing within the timeout"
        out.append(b)
        n += b.n_samples
    return out


def joined(blocks: list[Block]) -> np.ndarray:
    return np.concatenate([b.data for b in blocks], axis=1)
