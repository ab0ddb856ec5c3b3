"""Threshold with duration rules (Lidierth 1986)."""

from __future__ import annotations

from typing import Any

import numpy as np

from myograph.activation._runs import clean_runs, runs
from myograph.activation.detectors._common import (
    as_2d, intervals_seconds, nonneg, positive, rectified_envelope, rest_mean_sd, rest_or_quietest, samples,
)
from myograph.activation.detectors._registry import register

REFERENCE = (
    "Lidierth M. A computer based method for automated measurement of the periods of muscular activity from an EMG "
    "and its application to locomotor EMGs. Electroencephalogr Clin Neurophysiol 1986;64:378-380."
)


@register(
    "lidierth",
    reference=REFERENCE,
    summary="threshold on the smoothed rectified EMG; a state must last T1 and excursions shorter than T2 are ignored",
    parameters={
        "window_s": "moving-average window of the rectified EMG, s",
        "threshold_sd": "threshold above the baseline mean, in baseline SDs",
        "min_duration_s": "T1: minimum duration of an active (and of an inactive) state, s",
        "max_excursion_s": "T2: excursions across the threshold shorter than this are ignored, s",
    },
)
def lidierth(x: Any, fs: float, *, rest: Any = None, window_s: float = 0.025, threshold_sd: float = 3.0,
             min_duration_s: float = 0.050, max_excursion_s: float = 0.010) -> list[np.ndarray]:
    """Lidierth's detector: a threshold crossing becomes an onset (offset) only if the new
    state lasts ``T1`` while excursions back across the threshold shorter than ``T2`` are ignored.

    Test function ``MA_W(|x - mean_rest|)``, threshold baseline mean +
    ``threshold_sd`` SD. Vectorised as: ignore excursions shorter than ``T2``
    (both directions), then discard states shorter than ``T1``.
    """
    x = as_2d(x)
    positive(threshold_sd, "threshold_sd")
    r = rest_or_quietest(x, fs, rest)
    dc = r.mean(axis=1, keepdims=True)
    tf = rectified_envelope(x - dc, fs, lowpass_hz=None, window_s=window_s)
    mu, sd = rest_mean_sd(rectified_envelope(r - dc, fs, lowpass_hz=None, window_s=window_s))
    ch, start, stop = runs(tf >= (mu + threshold_sd * sd)[:, None])
    t2 = samples(nonneg(max_excursion_s, "max_excursion_s", "s"), fs, "max_excursion_s", minimum=0)
    t1 = samples(nonneg(min_duration_s, "min_duration_s", "s"), fs, "min_duration_s", minimum=0)
    ch, start, stop = clean_runs(ch, start, stop, min_on=t2, min_off=t2)
    ch, start, stop = clean_runs(ch, start, stop, min_on=t1, min_off=t1)
    return intervals_seconds(ch, start, stop, x.shape[0], fs)
