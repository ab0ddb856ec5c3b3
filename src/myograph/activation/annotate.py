"""Activation intervals ↔ annotations, and onset detection on a Recording.

Each burst becomes one annotation: ``onset`` = burst onset (s), ``duration`` =
offset − onset, ``label`` = ``"activation"`` (by default) and ``channels`` = the
channel's name. :func:`detect_onsets` runs a detector on a Recording's EMG
channels, leaves out every ``BAD_*`` span that concerns a channel (reporting
how many seconds were skipped) and returns a new Recording (via
``rec.derive``) with the annotations and a provenance step that holds the
method, all parameters, and each channel's burst count, status and — for
channels without bursts — the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from myograph.activation._detect import detect_onsets_report
from myograph.activation._result import OnsetReport
from myograph.core.annotations import Annotations
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.core.spans import good_mask

__all__ = ["intervals_to_annotations", "annotations_to_intervals", "detect_onsets", "LABEL"]

#: default label of activation annotations
LABEL = "activation"


def intervals_to_annotations(intervals: Sequence[Any], ch_names: Sequence[str], *, label: str = LABEL) -> Annotations:
    """One annotation per ``(onset_s, offset_s)`` row, labelled ``label``, concerning its channel."""
    if len(intervals) != len(ch_names):
        raise ParameterError("intervals", f"need one array per channel ({len(ch_names)}), got {len(intervals)}")
    on, du, ch = [], [], []
    for name, iv in zip(ch_names, intervals):
        rows = np.asarray(iv, dtype=np.float64).reshape(-1, 2)
        on.extend(rows[:, 0].tolist())
        du.extend((rows[:, 1] - rows[:, 0]).tolist())
        ch.extend([(str(name),)] * rows.shape[0])
    return Annotations(on, du, [label] * len(on), ch)


def annotations_to_intervals(annotations: Annotations, ch_names: Sequence[str], *, label: str = LABEL) -> list[np.ndarray]:
    """Per channel, the ``(onset_s, offset_s)`` rows of the annotations labelled ``label`` that concern it.

    An annotation without channels concerns every channel.
    """
    out = []
    for name in ch_names:
        sel = annotations.select(label, channel=str(name))
        out.append(np.column_stack([sel.onset, sel.onset + sel.duration]) if len(sel) else np.zeros((0, 2)))
    return out


def detect_onsets(
    rec: Recording,
    method: str = "auto",
    *,
    channels: str | Sequence[str] | None = None,
    label: str = LABEL,
    rest_s: tuple[float, float] | None = None,
    nan_policy: str = "raise",
    skip_bad: bool = True,
    replace: bool = True,
    return_report: bool = False,
    **params: Any,
) -> Recording | tuple[Recording, OnsetReport]:
    """Detect activation on a Recording; a new Recording with ``label`` annotations per channel.

    Parameters
    ----------
    rec : Recording
    method : str, default "auto"
        A key of :data:`~myograph.activation.DETECTORS`.
    channels : str or sequence of str, optional
        Channels to analyse; default every ``EMG`` channel.
    label : str, default "activation"
    rest_s, nan_policy, **params
        As for :func:`myograph.activation.detect_onsets`.
    skip_bad : bool, default True
        Leave out the samples inside ``BAD_*`` annotations that concern a
        channel (each channel's remaining stretches are analysed separately);
        the seconds skipped per channel go to provenance.
    replace : bool, default True
        Drop existing ``label`` annotations of the analysed channels first
        (so that running twice does not duplicate them).
    return_report : bool, default False
        Also return the :class:`~myograph.activation.OnsetReport`.

    Returns
    -------
    Recording, or (Recording, OnsetReport)
        Samples unchanged; annotations plus one row per burst; a provenance
        step ``activation.detect_onsets``.
    """
    if not isinstance(rec, Recording):
        raise ParameterError("rec", f"must be a Recording, got {type(rec).__name__}; for arrays use myograph.activation.detect_onsets(x, fs)")
    if channels is None:
        idx = rec.channels.where(type="EMG")
        if not idx:
            raise ParameterError("channels", f"no EMG channel (types are {sorted(set(rec.ch_types))}); name the channels")
        names = [rec.ch_names[i] for i in idx]
    else:
        names = [channels] if isinstance(channels, str) else [str(c) for c in channels]
    data = rec.get_data(names)
    skipped = ~np.stack([good_mask(rec, name) for name in names]) if skip_bad else None
    report = detect_onsets_report(data, rec.fs, method, rest_s=rest_s, nan_policy=nan_policy, exclude=skipped,
                                  ch_names=names, **params)
    new = intervals_to_annotations(report.intervals, names, label=label)
    old = rec.annotations
    if replace and len(old):
        keep = [i for i, a in enumerate(old) if not (a.label == label and (not a.channels or set(a.channels) <= set(names)))]
        old = Annotations(old.onset[keep], old.duration[keep], [old.label[i] for i in keep], [old.channels[i] for i in keep])
    per_channel = {
        c.name: {"n_bursts": c.n_bursts, "status": c.status, "reason": c.reason, "notes": list(c.notes),
                 "skipped_s": float(skipped[k].sum() / rec.fs) if skipped is not None else 0.0}
        for k, c in enumerate(report.channels)
    }
    params_out = {"method": report.method, "parameters": dict(report.parameters), "rest_s": rest_s,
                  "nan_policy": nan_policy, "skip_bad": bool(skip_bad), "label": label, "channels": per_channel}
    out = rec.derive("activation.detect_onsets", params_out, annotations=old + new)
    return (out, report) if return_report else out
