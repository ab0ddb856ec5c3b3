"""Skipping bad spans: which samples of a channel analyses may use, and how much they skipped.

Quality problems are annotations (``BAD_saturated``, ``BAD_flat``, ``BAD_motion`` …,
see :func:`myograph.quality.assess_quality`); analyses do not delete them, they skip
them. This module turns a Recording's ``BAD_*`` annotations into per-sample masks so
that every analysis skips the same samples and reports the same fraction.

A sample ``i`` (time ``i / fs``) lies in an annotation when
``onset <= i / fs < onset + duration``; an annotation with zero duration covers the
one sample nearest its onset. An annotation with an empty channel list concerns every
channel.

It lives in ``core`` because every domain (activation, fatigue, quality …) skips
the same spans, and domains never import each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording

__all__ = [
    "BAD_PREFIX",
    "GoodSamples",
    "bad_spans",
    "good_mask",
    "skip_bad_spans",
    "good_windows",
    "mask_to_spans",
    "merge_spans",
]

#: label prefix of bad-span annotations (as in MNE-Python and BIDS)
BAD_PREFIX = "BAD_"


def _sample_span(onset_s: float, duration_s: float, fs: float, n: int) -> tuple[int, int]:
    """Samples ``i`` with ``onset <= i / fs < onset + duration``, clipped to ``[0, n)``."""
    if duration_s <= 0:
        i = int(round(onset_s * fs))
        return (i, i + 1) if 0 <= i < n else (0, 0)
    i0 = max(0, min(n, int(math.ceil(onset_s * fs - 1e-9))))
    i1 = max(0, min(n, int(math.ceil((onset_s + duration_s) * fs - 1e-9))))
    return i0, i1


def _label_matches(label: str, prefix: str, labels: Iterable[str] | None) -> bool:
    if labels is not None:
        return label in labels
    return label.startswith(prefix)


def bad_spans(
    annotations: Annotations | Recording,
    channel: str | None = None,
    *,
    prefix: str = BAD_PREFIX,
    labels: Iterable[str] | None = None,
) -> list[tuple[float, float, str]]:
    """The bad spans concerning ``channel``: ``[(onset_s, stop_s, label), ...]`` sorted by onset.

    Parameters
    ----------
    annotations : Annotations or Recording
    channel : str, optional
        Only annotations for this channel or for all channels; None = every annotation.
    prefix : str, default ``"BAD_"``
        Labels starting with it are bad.
    labels : iterable of str, optional
        Exactly these labels instead of the prefix rule.
    """
    ann = annotations.annotations if isinstance(annotations, Recording) else annotations
    chosen = set(labels) if labels is not None else None
    out = []
    for a in ann:
        if not _label_matches(a.label, prefix, chosen):
            continue
        if channel is not None and a.channels and channel not in a.channels:
            continue
        out.append((a.onset, a.onset + a.duration, a.label))
    return sorted(out)


def good_mask(
    rec: Recording,
    channel: str,
    *,
    prefix: str = BAD_PREFIX,
    labels: Iterable[str] | None = None,
) -> np.ndarray:
    """Boolean mask over ``rec``'s samples, True where ``channel`` lies in no bad span.

    Raises :class:`~myograph.ChannelError` for an unknown channel.
    """
    rec.channels.index(channel)
    n = rec.n_samples
    mask = np.ones(n, dtype=bool)
    for onset, stop, _ in bad_spans(rec.annotations, channel, prefix=prefix, labels=labels):
        i0, i1 = _sample_span(onset, stop - onset, rec.fs, n)
        mask[i0:i1] = False
    return mask


@dataclass(frozen=True)
class GoodSamples:
    """Which samples of each channel an analysis may use.

    Attributes
    ----------
    channels : list of str
    mask : ndarray of bool, shape (n_channels, n_samples)
        True = usable (in no bad span and, unless asked otherwise, the channel's
        status is ``good``).
    fraction_skipped : ndarray, shape (n_channels,)
        Fraction of each channel's samples that are not usable (0–1).
    reasons : list of str
        Per channel: ``""`` when nothing was skipped, else what was skipped and why
        (the bad labels met, or the channel's bad status and its reason).
    """

    channels: list[str]
    mask: np.ndarray
    fraction_skipped: np.ndarray
    reasons: list[str]

    def summary(self) -> dict[str, dict[str, object]]:
        """``{channel: {"fraction_skipped": f, "reason": r}}``."""
        return {c: {"fraction_skipped": float(f), "reason": r}
                for c, f, r in zip(self.channels, self.fraction_skipped, self.reasons)}


def skip_bad_spans(
    rec: Recording,
    channels: str | Sequence[str] | None = None,
    *,
    prefix: str = BAD_PREFIX,
    labels: Iterable[str] | None = None,
    include_bad_channels: bool = False,
) -> GoodSamples:
    """Usable samples of ``channels`` (default: all) and the fraction each analysis skips.

    Parameters
    ----------
    rec : Recording
    channels : str or sequence of str, optional
        Channel names; default every channel.
    prefix, labels
        Which annotations are bad (see :func:`bad_spans`).
    include_bad_channels : bool, default False
        A channel whose status is ``bad`` is skipped entirely (mask all False,
        reason ``"channel status bad: <its reason>"``) unless this is True.

    Examples
    --------
    >>> good = skip_bad_spans(rec, ["biceps"])          # doctest: +SKIP
    >>> good.fraction_skipped                            # doctest: +SKIP
    array([0.031])
    """
    names = rec.ch_names if channels is None else ([channels] if isinstance(channels, str) else list(channels))
    masks = np.ones((len(names), rec.n_samples), dtype=bool)
    reasons = []
    chosen = set(labels) if labels is not None else None
    for k, name in enumerate(names):
        ch = rec.channels[name]
        if ch.status == "bad" and not include_bad_channels:
            masks[k] = False
            reasons.append(f"channel status bad: {ch.status_description or 'no reason given'}")
            continue
        masks[k] = good_mask(rec, name, prefix=prefix, labels=chosen)
        met = sorted({lab for _, _, lab in bad_spans(rec.annotations, name, prefix=prefix, labels=chosen)})
        skipped = int((~masks[k]).sum())
        reasons.append(f"{skipped} sample(s) in {', '.join(met)}" if skipped else "")
    n = max(rec.n_samples, 1)
    frac = (~masks).sum(axis=1) / n
    return GoodSamples(list(names), masks, frac, reasons)


def good_windows(mask: np.ndarray, starts: np.ndarray, window_samples: int) -> np.ndarray:
    """For each window ``[start, start + window_samples)``: True when all its samples are usable.

    ``mask`` is ``(n_samples,)`` or ``(n_channels, n_samples)``; the result has its
    leading shape plus ``(n_windows,)``.
    """
    m = np.asarray(mask, dtype=bool)
    w = int(window_samples)
    if w < 1:
        raise ParameterError("window_samples", f"must be >= 1, got {window_samples!r}")
    starts = np.asarray(starts, dtype=np.int64)
    bad = np.concatenate([np.zeros(m.shape[:-1] + (1,), dtype=np.int64), np.cumsum(~m, axis=-1)], axis=-1)
    stops = np.minimum(starts + w, m.shape[-1])
    return (bad[..., stops] - bad[..., starts]) == 0


def mask_to_spans(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` sample indices of the runs of True in a 1-D boolean mask."""
    m = np.asarray(mask, dtype=bool).reshape(-1)
    if m.size == 0:
        return []
    d = np.diff(np.concatenate(([0], m.view(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def merge_spans(spans: Iterable[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    """Merge ``(start, stop)`` spans that overlap or lie at most ``gap`` apart."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
