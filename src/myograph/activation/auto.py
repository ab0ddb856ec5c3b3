"""The recommended default detector: no rest segment to pick, no threshold to set.

``auto`` estimates each channel's noise floor from the signal itself, finds
bursts with two thresholds in dB above that floor (hysteresis) and minimum
on/off durations in seconds, and then moves each onset and offset to the
maximum-likelihood time of the variance change near it. Everything is
vectorised over all channels and all bursts at once.

Algorithm (``kind="emg"``, band-passed EMG in):

1. **Power in short blocks.** The mean square of ``x - mean(x)`` over
   non-overlapping blocks of ``step_s`` (5 ms): one pass over the samples.
2. **Smoothing.** A centred moving mean of the block powers over ``window_s``
   (100 ms): the detection envelope ``P(t)``, at the block rate.
3. **Noise floor** ``P0`` without a rest segment: start from the
   ``noise_percentile``-th percentile of ``P(t)`` (10 %: the channel needs to
   rest for at least that fraction of the record), then twice replace it by
   the mean block power over the blocks whose ``P(t)`` is below the on
   threshold — the percentile of a noisy estimate is biased low, the mean
   over the inactive stretch is not.
4. **Hysteresis in SNR units.** Active when ``10 log10(P/P0)`` rises above
   ``on_db`` (3 dB: the power doubles); inactive again when it falls below
   ``off_db`` (1.5 dB). Active runs
   shorter than ``min_on_s`` are dropped, gaps shorter than ``min_off_s`` are
   closed.
5. **Change-point refinement.** Around each coarse edge (``± refine_s``,
   bounded by the neighbouring bursts) the onset is the sample that
   maximises the profile likelihood of a change from a smaller to a larger
   variance, both unknown (the change-time estimate of the AGLR family,
   Staude et al. 2001); offsets likewise from larger to smaller. The coarse
   edges are only a few blocks off, so this costs a small window per burst.

``kind="envelope"`` takes an amplitude envelope instead (linear envelope,
moving RMS) whose square is used as the power; step 5 then puts each onset
where the envelope crosses half-way (in amplitude) between the noise floor
and the burst's level (mean of its first 0.25 s), and each offset where it
falls back through half of the burst's final level. A zero-phase envelope
spreads a step symmetrically, so its half-level point is where the step was;
a causal envelope delays it by its group delay.

The thresholds are in dB above the estimated floor, so they mean the same
thing at any gain, unit and sampling rate; every duration is in seconds.

References
----------
.. [1] Staude G, Flachenecker C, Daumer M, Wolf W. Onset detection in surface
   electromyographic signals: a systematic comparison of methods. EURASIP J
   Appl Signal Process 2001;2:67-81 (maximum-likelihood change time).
.. [2] Martin R. Noise power spectral density estimation based on optimal
   smoothing and minimum statistics. IEEE Trans Speech Audio Process
   2001;9:504-512 (noise floor from the low tail of a smoothed power).
.. [3] Hodges PW, Bui BH 1996 and Bonato P et al. 1998 (thresholds relative to
   the baseline, duration rules).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation._changepoint import change_profile
from myograph.activation._runs import clean_runs, hysteresis, merge_overlaps, runs
from myograph.activation.detectors._common import as_2d, intervals_seconds, nonneg, positive, samples
from myograph.activation.detectors._registry import register
from myograph.core.errors import ParameterError, SignalError

__all__ = ["auto", "noise_floor", "block_power"]

REFERENCE = (
    "myograph default: noise floor from the signal (low percentile, then mean over inactive blocks; cf. "
    "Martin 2001, minimum statistics), hysteresis in dB above it, and maximum-likelihood variance change "
    "times (Staude G et al. EURASIP J Appl Signal Process 2001;2:67-81)."
)

KINDS = ("emg", "envelope")


def block_power(x: np.ndarray, block: int, kind: str = "emg") -> tuple[np.ndarray, np.ndarray]:
    """Mean square of ``x - mean`` (``kind="emg"``) or of ``max(x, 0)`` (``"envelope"``) over blocks of ``block`` samples.

    Returns ``(power, dc)``: ``power`` shaped ``(n_channels, n // block)``
    (the last ``n % block`` samples are not used) and the per-channel mean
    that was removed (0 for envelopes).
    """
    n_ch, n = x.shape
    nb = n // block
    if kind == "envelope":  # a low-passed envelope undershoots below 0 after bursts: that is not power
        x = np.maximum(x[:, : nb * block], 0.0)
    blocks = x[:, : nb * block].reshape(n_ch, nb, block)
    ss = np.einsum("ijk,ijk->ij", blocks, blocks) / block
    if kind == "envelope":
        return ss, np.zeros(n_ch)
    dc = x.mean(axis=1)
    s = blocks.sum(axis=2) / block
    return np.maximum(ss - 2.0 * dc[:, None] * s + (dc * dc)[:, None], 0.0), dc


def _smooth(p: np.ndarray, k: int) -> np.ndarray:
    """Centred moving mean over ``k`` blocks (truncated at the ends)."""
    nb = p.shape[1]
    c = np.zeros((p.shape[0], nb + 1))
    np.cumsum(p, axis=1, out=c[:, 1:])
    i = np.arange(nb)
    lo = np.clip(i - k // 2, 0, nb)
    hi = np.clip(i - k // 2 + k, 0, nb)
    return (c[:, hi] - c[:, lo]) / (hi - lo)


def noise_floor(power: np.ndarray, smoothed: np.ndarray, *, on_ratio: float, percentile: float = 10.0,
                iterations: int = 2) -> np.ndarray:
    """Per-channel noise power from block powers, without a rest segment.

    Start: the ``percentile`` of the smoothed power. Then ``iterations``
    times: the mean block power over the blocks whose smoothed power is
    below ``on_ratio`` times the current estimate.
    """
    p0 = np.percentile(smoothed, percentile, axis=1)
    for _ in range(iterations):
        quiet = smoothed < (p0 * on_ratio)[:, None]
        count = quiet.sum(axis=1)
        total = np.where(quiet, power, 0.0).sum(axis=1)
        p0 = np.where(count > 0, total / np.maximum(count, 1), p0)
    return p0


def adaptive_thresholds(level: np.ndarray, on_db: float, off_db: float, spread_z: float) -> tuple[np.ndarray, np.ndarray]:
    """On/off thresholds (dB above the floor) per channel, raised above the background's own variability.

    The background's log-power is taken as Gaussian and located from the 5th
    and 20th percentiles of ``10 log10(level)`` (so at least a fifth of the
    record must be background): ``sd = (P20 - P5) / 0.803`` and
    ``centre = P20 + 0.842 sd``. The on threshold is
    ``max(on_db, centre + spread_z * sd)``; the off threshold keeps the
    ratio ``off_db / on_db`` to it. Over stationary noise ``sd`` is a
    fraction of a dB and ``on_db`` rules; over a fluctuating background
    (ECG, tremor, movement) the threshold rises above it.
    """
    n_ch = level.shape[0]
    if spread_z <= 0:
        return np.full(n_ch, on_db), np.full(n_ch, off_db)
    db = 10.0 * np.log10(np.maximum(level, 1e-300))
    p5, p20 = np.percentile(db, [5.0, 20.0], axis=1)
    sd = (p20 - p5) / 0.803
    on_eff = np.maximum(on_db, p20 + (0.842 + spread_z) * sd)
    return on_eff, on_eff * (off_db / on_db)


def _neighbours(ch: np.ndarray, start: np.ndarray, stop: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Previous burst's stop (0 for the first of a channel) and next burst's start (``n`` for the last)."""
    same_prev = np.r_[False, ch[1:] == ch[:-1]]
    same_next = np.r_[ch[1:] == ch[:-1], False]
    prev_stop = np.where(same_prev, np.r_[0, stop[:-1]], 0)
    next_start = np.where(same_next, np.r_[start[1:], n], n)
    return prev_stop, next_start


def _levels(env: np.ndarray, ch: np.ndarray, a: np.ndarray, b: np.ndarray, length: int) -> np.ndarray:
    """Mean of ``env[ch, a:b]`` per event, over at most ``length`` samples from ``a``."""
    n = env.shape[1]
    idx = a[:, None] + np.arange(length)[None, :]
    inside = idx < np.minimum(b, n)[:, None]
    vals = np.where(inside, env[ch[:, None], np.clip(idx, 0, n - 1)], 0.0)
    return vals.sum(axis=1) / np.maximum(inside.sum(axis=1), 1)


def _refine_envelope(env: np.ndarray, ch: np.ndarray, start: np.ndarray, stop: np.ndarray, half: int,
                     lo: np.ndarray, hi: np.ndarray, floor: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Edges of an envelope burst at half its rise: where the envelope crosses the midpoint
    between the noise floor and the burst's level (mean over its first / last 0.25 s).

    A symmetric (zero-phase) smoothing spreads a step equally to both sides, so the
    half-level crossing is where the step was, whatever its height. The coarse edges
    sit low on the flanks, so the crossing is searched from ``half`` before the coarse
    onset to 0.5 s after it (and from 0.5 s before the coarse offset to ``half`` after).
    """
    n = env.shape[1]
    length = max(1, int(round(0.25 * fs)))
    reach = max(half, int(round(0.5 * fs)))
    rows = np.arange(ch.size)
    idx = start[:, None] + np.arange(-half, reach)[None, :]
    valid = (idx >= np.maximum(lo, 0)[:, None]) & (idx < np.minimum(stop, n)[:, None])
    w = env[ch[:, None], np.clip(idx, 0, n - 1)]
    onset = start
    for _ in range(2):  # the level is measured from the current onset estimate, which moves it up the flank
        mid = 0.5 * (floor + _levels(env, ch, onset, stop, length))
        above = valid & (w >= mid[:, None])
        onset = np.where(above.any(axis=1), idx[rows, np.argmax(above, axis=1)], start)
    idx = stop[:, None] + np.arange(-reach, half)[None, :]
    valid = (idx >= np.maximum(onset, 0)[:, None]) & (idx < np.minimum(hi, n)[:, None])
    w = env[ch[:, None], np.clip(idx, 0, n - 1)]
    offset = stop
    for _ in range(2):
        mid = 0.5 * (floor + _levels(env, ch, np.maximum(onset, offset - length), offset, length))
        above = valid & (w >= mid[:, None])
        last = idx.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1)
        offset = np.where(above.any(axis=1), idx[rows, last] + 1, stop)
    return onset, offset


@register(
    "auto",
    reference=REFERENCE,
    summary="recommended default: noise floor from the signal, hysteresis in dB above it, "
            "maximum-likelihood onset/offset times; no rest segment, no hand-set threshold",
    parameters={
        "kind": "'emg' (band-passed EMG, default) or 'envelope' (an amplitude envelope, e.g. linear envelope)",
        "window_s": "smoothing window of the detection power, s",
        "step_s": "block length of the power (time resolution of the coarse detection), s",
        "on_db": "onset threshold, dB above the noise floor (power)",
        "off_db": "offset threshold, dB above the noise floor (power); <= on_db",
        "min_on_s": "drop bursts shorter than this, s",
        "min_off_s": "close gaps shorter than this, s",
        "refine_s": "half-width of the search for the exact onset/offset around each coarse edge, s (0: no refinement)",
        "noise_percentile": "starting percentile of the smoothed power for the noise floor, %",
        "spread_z": "the on threshold is at least this many SDs of the background's log-power above its centre "
                    "(0: on_db only)",
    },
    uses_rest=False,
)
def auto(x: Any, fs: float, *, rest: Any = None, kind: str = "emg", window_s: float = 0.1, step_s: float = 0.005,
         on_db: float = 3.0, off_db: float = 1.5, min_on_s: float = 0.05, min_off_s: float = 0.05,
         refine_s: float = 0.1, noise_percentile: float = 10.0, spread_z: float = 3.0) -> list[np.ndarray]:
    """myograph's default onset/offset detector (see the module docstring for the algorithm).

    ``rest`` is optional: when given, the noise floor is its mean square
    instead of the estimate from the signal.
    """
    x = as_2d(x)
    if kind not in KINDS:
        raise ParameterError("kind", f"must be one of {list(KINDS)}, got {kind!r}")
    positive(fs, "fs", "Hz")
    on = float(on_db)
    off = float(off_db)
    if not np.isfinite(on) or not np.isfinite(off) or on <= 0 or off > on:
        raise ParameterError("on_db/off_db", f"need 0 < on_db and off_db <= on_db (dB), got on_db={on_db!r}, off_db={off_db!r}")
    if not 0 < float(noise_percentile) < 100:
        raise ParameterError("noise_percentile", f"must be between 0 and 100 %, got {noise_percentile!r}")
    block = samples(positive(step_s, "step_s", "s"), fs, "step_s")
    k = max(1, int(round(positive(window_s, "window_s", "s") / (block / fs))))
    n_ch, n = x.shape
    if n // block < 2:
        raise SignalError(f"x: {n} samples ({n / fs:g} s) is shorter than two detection steps of {block / fs:g} s")
    power, dc = block_power(x, block, kind)
    smoothed = _smooth(power, k)
    on_ratio = 10 ** (on / 10)
    if rest is not None:
        r = as_2d(rest)
        if r.shape[0] != n_ch:
            raise ParameterError("rest", f"needs one row per channel ({n_ch}), got {r.shape[0]}")
        centred = r if kind == "envelope" else r - dc[:, None]
        p0 = np.mean(centred * centred, axis=1)
    else:
        p0 = noise_floor(power, smoothed, on_ratio=on_ratio, percentile=float(noise_percentile))
    p0 = np.maximum(p0, np.finfo(np.float64).tiny)
    level = smoothed / p0[:, None]
    on_eff, off_eff = adaptive_thresholds(level, on, off, float(spread_z))
    state = hysteresis(level >= (10 ** (on_eff / 10))[:, None], level < (10 ** (off_eff / 10))[:, None])
    ch, start, stop = runs(state)
    rate = fs / block
    ch, start, stop = clean_runs(ch, start, stop, min_on=samples(min_on_s, rate, "min_on_s", minimum=0),
                                 min_off=samples(min_off_s, rate, "min_off_s", minimum=0))
    start = start * block
    stop = np.minimum(stop * block, n)
    half = samples(nonneg(refine_s, "refine_s", "s"), fs, "refine_s", minimum=0)
    if ch.size and half > 0:
        margin = (k * block) // 2
        prev_stop, next_start = _neighbours(ch, start, stop, n)
        if kind == "emg":
            onset = change_profile(x, ch, start, half, prev_stop + margin, stop, rising=True, dc=dc,
                                   min_segment=max(4, block))
            offset = change_profile(x, ch, stop, half, onset + 1, next_start - margin, rising=False, dc=dc,
                                    min_segment=max(4, block))
        else:
            onset, offset = _refine_envelope(x, ch, start, stop, half, prev_stop, next_start, np.sqrt(p0)[ch], fs)
        ch, start, stop = merge_overlaps(ch, onset, np.maximum(offset, onset + 1))
    return intervals_seconds(ch, start, stop, n_ch, fs)
