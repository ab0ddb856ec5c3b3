"""Gesture datasets: labelled analysis windows with their groups.

A :class:`GestureDataset` holds raw-signal windows ``X`` shaped ``(n_windows,
n_channels, n_window_samples)``, an integer class per window ``y`` (an index into
``class_names``), and for every window the groups that evaluation protocols split
on: ``repetition``, ``session``, ``subject`` and the source ``recording``. It is
built from Recordings whose gestures are annotations (``gesture:<name>`` from
:func:`myograph.simulate.gestures`, ``label:<k>`` from a reader's ``label_column=``)
or from a per-sample label array, and from folders of files by
:func:`load_folder`.

Windowing follows :func:`myograph.features.windows`: window ``k`` covers samples
``[k * step, k * step + n_window)`` with ``n_window = round(window_s * fs)`` and
``step = round(step_s * fs)``. By default a window is kept only when all its
samples carry one label of one contiguous block (windows across a cue change are
ambiguous) and no EMG channel is inside a ``BAD_*`` span.

Repetitions. Within one recording the *k*-th contiguous block of an active class is
its repetition *k*; a rest block takes the repetition of the active block that
follows it (the rest before a gesture belongs to that repetition; rest after the
last gesture to the last one). A file pattern with ``{repetition}`` overrides this.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from myograph.control.preprocess import Preprocess
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.core.spans import good_windows

__all__ = [
    "GestureDataset",
    "from_recording",
    "load_folder",
    "augment",
    "LAYOUTS",
    "MYO_READINGS_CLASSES",
    "window_starts",
]

#: annotation prefixes read as gesture labels, in order of preference
LABEL_PREFIXES = ("gesture:", "label:", "class:")

#: common folder layouts for :func:`load_folder` (``pattern=`` accepts these names)
LAYOUTS: dict[str, str] = {
    # myo-readings-dataset: <subject>-<session>/<label>.txt, per-sample label column
    "myo-readings": "{subject}-{session}/{class}.txt",
    # one CSV per class and repetition
    "class_rep": "{class}_{repetition}.csv",
    # one folder per subject and session, one CSV per class and repetition
    "subject/session/class_rep": "{subject}/{session}/{class}_{repetition}.csv",
}

#: class names of the myo-readings-dataset labels (README of that dataset)
MYO_READINGS_CLASSES: dict[str, str] = {
    "0": "rest",  # "hibernation"
    "1": "flexion",
    "2": "extension",
    "3": "radial_deviation",
    "4": "ulnar_deviation",
    "5": "pronation",
    "6": "supination",
    "7": "fist",
}


def _sort_names(names: Iterable[str], rest: str | None) -> list[str]:
    def key(n: str) -> tuple:
        return (n != rest, 0 if n.isdigit() else 1, int(n) if n.isdigit() else 0, n)

    return sorted(set(names), key=key)


@dataclass(frozen=True, eq=False)
class GestureDataset:
    """Labelled windows of raw EMG with their evaluation groups.

    Attributes
    ----------
    X : ndarray, shape (n_windows, n_channels, n_window_samples)
        Window samples (volts for EMG Recordings).
    y : ndarray of int, shape (n_windows,)
        Class index of each window into ``class_names``.
    class_names : tuple of str
        Class names; the rest class (if any) comes first.
    rest : str or None
        Name of the no-motion class (used by active error and post-processing).
    repetition, session, subject, recording : ndarray, shape (n_windows,)
        Groups: repetition index (int), session and subject (str), index of the
        source recording (int).
    start_s : ndarray, shape (n_windows,)
        Start time of each window in its recording, s.
    fs, window_s, step_s : float
        Sampling rate (Hz), window length and step (s).
    ch_names : tuple of str
        Channel names of the window's channel axis.
    targets : ndarray, shape (n_windows, n_outputs), optional
        Continuous targets (regression), each window's value at its last sample.
    augmented : ndarray of bool, shape (n_windows,)
        True for windows made by :func:`augment`.
    preprocess : Preprocess or None
        The causal conditioning the windows were cut after (``preprocess=`` of
        :func:`from_recording`); ``None`` when the windows are raw. A model trained
        on the dataset carries it to the live controller.
    """

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    rest: str | None
    repetition: np.ndarray
    session: np.ndarray
    subject: np.ndarray
    recording: np.ndarray
    start_s: np.ndarray
    fs: float
    window_s: float
    step_s: float
    ch_names: tuple[str, ...]
    targets: np.ndarray | None = None
    augmented: np.ndarray = field(default=None)  # type: ignore[assignment]
    preprocess: Preprocess | None = None

    def __post_init__(self) -> None:
        n = len(self.y)
        if self.augmented is None:
            object.__setattr__(self, "augmented", np.zeros(n, dtype=bool))
        for name in ("X", "repetition", "session", "subject", "recording", "start_s", "augmented"):
            if len(getattr(self, name)) != n:
                raise ParameterError(name, f"has {len(getattr(self, name))} rows, y has {n}")
        if self.targets is not None and len(self.targets) != n:
            raise ParameterError("targets", f"has {len(self.targets)} rows, y has {n}")

    # --- access --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (f"GestureDataset({len(self)} windows of {len(self.ch_names)} channels x {self.X.shape[-1]} samples, "
                f"classes {list(self.class_names)}, sessions {sorted(set(self.session.tolist()))}, "
                f"subjects {sorted(set(self.subject.tolist()))})")

    @property
    def rest_index(self) -> int | None:
        """Index of the rest class in ``class_names`` (None without one)."""
        return None if self.rest is None or self.rest not in self.class_names else self.class_names.index(self.rest)

    @property
    def labels(self) -> np.ndarray:
        """Class names per window."""
        return np.asarray(self.class_names, dtype=object)[self.y]

    @property
    def groups(self) -> pd.DataFrame:
        """One row per window: ``repetition``, ``session``, ``subject``, ``recording``, ``label``, ``augmented``."""
        return pd.DataFrame({
            "repetition": self.repetition, "session": self.session, "subject": self.subject,
            "recording": self.recording, "label": self.labels, "augmented": self.augmented,
        })

    def counts(self) -> pd.DataFrame:
        """Windows per class (rows) and session (columns)."""
        return pd.crosstab(self.labels, self.session)

    def subset(self, index: Any) -> "GestureDataset":
        """The windows selected by ``index`` (boolean mask or integer indices)."""
        idx = np.asarray(index)
        if idx.dtype == bool and idx.shape != (len(self),):
            raise ParameterError("index", f"boolean mask must have {len(self)} entries, got {idx.shape}")
        return dataclasses.replace(
            self, X=self.X[idx], y=self.y[idx], repetition=self.repetition[idx], session=self.session[idx],
            subject=self.subject[idx], recording=self.recording[idx], start_s=self.start_s[idx],
            targets=None if self.targets is None else self.targets[idx], augmented=self.augmented[idx],
        )

    @classmethod
    def concatenate(cls, datasets: Sequence["GestureDataset"], *, renumber: bool = True) -> "GestureDataset":
        """Join datasets of the same window geometry; classes are merged by name.

        With ``renumber`` (default) ``recording`` indices are offset so that the
        recordings of different datasets stay distinct.
        """
        ds = list(datasets)
        if not ds:
            raise ParameterError("datasets", "need at least one dataset")
        first = ds[0]
        for d in ds[1:]:
            if d.X.shape[1:] != first.X.shape[1:] or d.fs != first.fs:
                raise ParameterError("datasets", f"window shapes/rates differ: {first.X.shape[1:]} at {first.fs} Hz "
                                                 f"vs {d.X.shape[1:]} at {d.fs} Hz")
            if (d.targets is None) != (first.targets is None):
                raise ParameterError("datasets", "some datasets have targets and others not")
        pre = {d.preprocess for d in ds}
        if len(pre) > 1:
            raise ParameterError("datasets", f"windows were cut after different conditioning: {sorted(map(repr, pre))}")
        rests = {d.rest for d in ds if d.rest is not None}
        if len(rests) > 1:
            raise ParameterError("datasets", f"different rest classes: {sorted(rests)}")
        rest = rests.pop() if rests else None
        names = _sort_names([n for d in ds for n in d.class_names], rest)
        lookup = {n: i for i, n in enumerate(names)}
        ys, recs, offset = [], [], 0
        for d in ds:
            remap = np.array([lookup[n] for n in d.class_names], dtype=np.int64)
            ys.append(remap[d.y] if len(d) else np.zeros(0, dtype=np.int64))
            recs.append(d.recording + offset if renumber else d.recording)
            offset += int(d.recording.max()) + 1 if len(d) else 0
        return cls(
            X=np.concatenate([d.X for d in ds]), y=np.concatenate(ys), class_names=tuple(names), rest=rest,
            repetition=np.concatenate([d.repetition for d in ds]), session=np.concatenate([d.session for d in ds]),
            subject=np.concatenate([d.subject for d in ds]), recording=np.concatenate(recs),
            start_s=np.concatenate([d.start_s for d in ds]), fs=first.fs, window_s=first.window_s,
            step_s=first.step_s, ch_names=first.ch_names,
            targets=None if first.targets is None else np.concatenate([d.targets for d in ds]),
            augmented=np.concatenate([d.augmented for d in ds]), preprocess=first.preprocess,
        )


def window_starts(n_samples: int, fs: float, window_s: float, step_s: float) -> tuple[np.ndarray, int]:
    """Start samples of the whole windows in ``n_samples`` and the window length in samples."""
    if not (isinstance(fs, (int, float, np.number)) and math.isfinite(fs) and fs > 0):
        raise ParameterError("fs", f"must be a finite rate > 0 Hz, got {fs!r}")
    n_win, step = int(round(window_s * fs)), int(round(step_s * fs))
    if n_win < 2:
        raise ParameterError("window_s", f"{window_s!r} s is {n_win} sample(s) at {fs:g} Hz; need at least 2")
    if step < 1:
        raise ParameterError("step_s", f"{step_s!r} s is less than one sample at {fs:g} Hz")
    count = 0 if n_samples < n_win else (n_samples - n_win) // step + 1
    return np.arange(count, dtype=np.int64) * step, n_win


def _labels_from_annotations(rec: Recording, prefix: str | None) -> tuple[np.ndarray, str] | None:
    """Per-sample label names ('' where none) from the first prefix with any rows."""
    prefixes = (prefix,) if prefix else LABEL_PREFIXES
    for p in prefixes:
        sel = rec.annotations.select(prefix=p)
        if len(sel) == 0:
            continue
        lab = np.full(rec.n_samples, "", dtype=object)
        for on, du, la in zip(sel.onset, sel.duration, sel.label):
            i0 = max(0, int(round(on * rec.fs)))
            i1 = min(rec.n_samples, int(round((on + du) * rec.fs)))
            lab[i0:i1] = la[len(p):]
        return lab, p
    return None


def _blocks(labels: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, Any]]]:
    """Run index per sample and the runs ``(start, stop, label)``."""
    n = len(labels)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    change = np.ones(n, dtype=bool)
    change[1:] = labels[1:] != labels[:-1]
    run = np.cumsum(change) - 1
    starts = np.flatnonzero(change)
    stops = np.append(starts[1:], n)
    return run, [(int(a), int(b), labels[a]) for a, b in zip(starts, stops)]


def _repetitions(runs: list[tuple[int, int, Any]], rest: Any) -> np.ndarray:
    """Repetition of each run (see module docstring)."""
    reps = np.full(len(runs), -1, dtype=np.int64)
    seen: dict[Any, int] = {}
    for i, (_, _, lab) in enumerate(runs):
        if lab != rest:
            reps[i] = seen.get(lab, 0)
            seen[lab] = reps[i] + 1
    nxt = -1
    for i in range(len(runs) - 1, -1, -1):  # rest takes the following active block's repetition
        if reps[i] >= 0 and runs[i][2] != rest:
            nxt = reps[i]
        elif nxt >= 0:
            reps[i] = nxt
    prev = 0
    for i in range(len(runs)):  # trailing rest: the previous one
        if reps[i] < 0:
            reps[i] = prev
        prev = reps[i]
    return reps


def from_recording(
    rec: Recording,
    *,
    window_s: float = 0.2,
    step_s: float = 0.05,
    labels: Any = None,
    class_names: Sequence[str] | Mapping[str, str] | None = None,
    label_prefix: str | None = None,
    default_class: str | None = None,
    rest: str | None = "rest",
    channels: Sequence[str] | None = None,
    session: Any = None,
    subject: Any = None,
    repetition: int | None = None,
    targets: Any = None,
    keep_transitions: bool = False,
    skip_bad: bool = True,
    preprocess: Preprocess | None = None,
) -> GestureDataset:
    """Cut a labelled Recording into a :class:`GestureDataset`.

    Parameters
    ----------
    rec : Recording
    window_s, step_s : float
        Window length and step, s (rounded to whole samples at ``rec.fs``).
    labels : array_like of int or str, shape (n_samples,), optional
        Per-sample labels (e.g. ``truth.gesture_labels``). Integers index
        ``class_names`` when it is a sequence. Default: the annotations.
    class_names : sequence of str or mapping, optional
        A sequence names integer ``labels`` (``truth.gesture_names``); a mapping
        renames raw labels (``{"0": "rest", ...}``, see :data:`MYO_READINGS_CLASSES`).
    label_prefix : str, optional
        Annotation prefix of the labels; default the first of ``gesture:``,
        ``label:``, ``class:`` found. Samples in no such annotation are ``rest``.
    default_class : str, optional
        Class of every sample when the Recording has no labels at all (one file per
        class); without it such a Recording is refused.
    rest : str or None
        Name of the no-motion class (after renaming); default ``"rest"``.
    channels : sequence of str, optional
        Channels to use; default the EMG channels (all channels if none is EMG).
    session, subject : optional
        Group values; default ``rec.metadata.session`` / ``rec.metadata.subject.id``.
    repetition : int, optional
        Give every window this repetition (one file per repetition) instead of
        numbering blocks.
    targets : array_like, shape (n_outputs, n_samples) or (n_samples,), optional
        Continuous targets for regression; a window's target is the value at its
        last sample.
    keep_transitions : bool
        Keep windows spanning a label change (labelled by their last sample, as a
        causal controller would be scored). Default False: such windows are dropped.
    skip_bad : bool
        Drop windows overlapping a ``BAD_*`` span of a used channel (default True).
    preprocess : Preprocess, optional
        Causal conditioning applied to the used channels before cutting (the
        filter a live controller will run; see :mod:`myograph.control.preprocess`).

    Raises
    ------
    ParameterError
        No labels found, wrong label length, unknown channels, window longer than the
        Recording.
    """
    if not isinstance(rec, Recording):
        raise ParameterError("rec", f"expected a Recording, got {type(rec).__name__}")
    n = rec.n_samples
    if channels is None:
        channels = [c for c, t in zip(rec.ch_names, rec.ch_types) if t == "EMG"] or list(rec.ch_names)
    channels = list(channels)
    idx = [rec.channels.index(c) for c in channels]

    # --- per-sample label names
    rename: Mapping[str, str] = class_names if isinstance(class_names, Mapping) else {}
    if labels is not None:
        lab = np.asarray(labels)
        if lab.shape != (n,):
            raise ParameterError("labels", f"need one label per sample, shape ({n},), got {lab.shape}")
        if lab.dtype.kind in "iu":
            if class_names is not None and not isinstance(class_names, Mapping):
                names_arr = np.asarray([str(c) for c in class_names], dtype=object)
                if lab.min(initial=0) < 0 or lab.max(initial=0) >= len(names_arr):
                    raise ParameterError("labels", f"integer labels must lie in [0, {len(names_arr) - 1}] to index class_names")
                lab = names_arr[lab]
            else:
                lab = lab.astype(str).astype(object)
        else:
            lab = lab.astype(str).astype(object)
    else:
        found = _labels_from_annotations(rec, label_prefix)
        if found is None:
            if default_class is None:
                raise ParameterError(
                    "labels", f"the Recording has no label annotations (prefixes {list(LABEL_PREFIXES)}); pass labels= "
                              "or default_class= (one file per class)")
            lab = np.full(n, str(default_class), dtype=object)
        else:
            lab = found[0]
            lab[lab == ""] = rest if rest is not None else "rest"
    if rename:
        lab = np.asarray([rename.get(v, v) for v in lab], dtype=object) if n else lab
    # --- blocks, repetitions, windows
    run, runs = _blocks(lab)
    run_rep = _repetitions(runs, rest)
    starts, n_win = window_starts(n, rec.fs, window_s, step_s)
    if starts.size == 0:
        raise ParameterError("window_s", f"window of {window_s:g} s is longer than the Recording ({n / rec.fs:g} s)")
    last = starts + n_win - 1
    keep = np.ones(starts.size, dtype=bool)
    if not keep_transitions:
        keep &= run[starts] == run[last]
    if skip_bad:
        from myograph.core.spans import good_mask

        masks = np.vstack([good_mask(rec, c) for c in channels])
        keep &= good_windows(masks, starts, n_win).all(axis=0)
    starts, last = starts[keep], last[keep]
    data = rec.data[idx]
    if preprocess is not None:
        data = preprocess.apply(data, rec.fs)
    view = np.lib.stride_tricks.sliding_window_view(data, n_win, axis=1)  # (channels, n - n_win + 1, n_win)
    X = np.ascontiguousarray(view[:, starts].transpose(1, 0, 2))
    wl = lab[last]
    names = _sort_names([str(v) for v in np.unique(lab)] if n else [], rest)
    lookup = {nm: i for i, nm in enumerate(names)}
    y = np.array([lookup[v] for v in wl], dtype=np.int64)
    reps = run_rep[run[last]] if repetition is None else np.full(starts.size, int(repetition), dtype=np.int64)
    sess = rec.metadata.session if session is None else session
    subj = rec.metadata.subject.id if subject is None else subject
    tg = None
    if targets is not None:
        t = np.asarray(targets, dtype=np.float64)
        t = t[np.newaxis] if t.ndim == 1 else t
        if t.ndim != 2 or t.shape[1] != n:
            raise ParameterError("targets", f"need shape (n_outputs, {n}) or ({n},), got {np.shape(targets)}")
        tg = t[:, last].T.copy()
    return GestureDataset(
        X=X, y=y, class_names=tuple(names), rest=rest if rest in names else None,
        repetition=reps.astype(np.int64), session=np.full(starts.size, str(sess), dtype=object),
        subject=np.full(starts.size, str(subj), dtype=object), recording=np.zeros(starts.size, dtype=np.int64),
        start_s=starts / float(rec.fs), fs=float(rec.fs), window_s=float(window_s), step_s=float(step_s),
        ch_names=tuple(channels), targets=tg, preprocess=preprocess,
    )


_FIELDS = ("class", "repetition", "session", "subject")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    for m in re.finditer(r"\{(\w+)\}|\*\*/|\*", pattern):
        out.append(re.escape(pattern[i:m.start()]))
        if m.group(1):
            name = m.group(1)
            if name not in _FIELDS:
                raise ParameterError("pattern", f"unknown field {{{name}}}; allowed: {['{' + f + '}' for f in _FIELDS]}")
            out.append(f"(?P<{name}>[^/]+?)")
        elif m.group(0) == "**/":
            out.append("(?:.*/)?")
        else:
            out.append("[^/]*")
        i = m.end()
    out.append(re.escape(pattern[i:]))
    return re.compile("".join(out) + r"\Z")


def load_folder(
    path: Any,
    *,
    pattern: str,
    fs: float | None = None,
    window_s: float = 0.2,
    step_s: float = 0.05,
    class_names: Mapping[str, str] | None = None,
    rest: str | None = "rest",
    session: str | None = None,
    subject: str | None = None,
    keep_transitions: bool = False,
    preprocess: Preprocess | None = None,
    **read_options: Any,
) -> GestureDataset:
    """Read every file under ``path`` whose relative path matches ``pattern``.

    Parameters
    ----------
    path : path-like
        The folder.
    pattern : str
        A relative path with fields ``{class}``, ``{repetition}``, ``{session}``,
        ``{subject}`` and wildcards ``*`` (within one folder name) and ``**/`` (any
        folders), or a name from :data:`LAYOUTS` (``"myo-readings"``, ``"class_rep"``,
        ``"subject/session/class_rep"``). Files that do not match are ignored.
    fs : float, optional
        Sampling rate for formats that do not state one (text files), Hz.
    window_s, step_s : float
        Window length and step, s.
    class_names : mapping, optional
        Renames raw class labels (``MYO_READINGS_CLASSES``).
    rest : str or None
        The no-motion class after renaming (default ``"rest"``).
    session, subject : str, optional
        Values for files whose pattern has no such field (default ``""``).
    keep_transitions, preprocess
        As for :func:`from_recording`.
    **read_options
        Passed to :func:`myograph.read` (``label_column=8``, ``units="uV"``, ...).

    A file with per-sample labels (label annotations, e.g. from ``label_column=``)
    is labelled by them; otherwise the whole file is the ``{class}`` of its name.
    A file holding a single block of one class (``0.txt`` of myo-readings: rest
    only) is split in time into as many repetitions as the other files of its
    session have, so that leave-one-repetition-out leaves part of it out each time.

    Raises
    ------
    ParameterError
        No file matches, or a file has neither labels nor ``{class}``.
    """
    import myograph

    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    regex = _pattern_regex(LAYOUTS.get(pattern, pattern))
    matches = []
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        m = regex.match(f.relative_to(root).as_posix())
        if m:
            matches.append((f, m.groupdict()))
    if not matches:
        raise ParameterError("pattern", f"no file under {root} matches {pattern!r}")
    parts: list[GestureDataset] = []
    single_block: list[bool] = []
    for f, g in matches:
        rec = myograph.read(f, fs=fs, **read_options)
        cls_name = g.get("class")
        if cls_name is not None and class_names:
            cls_name = class_names.get(cls_name, cls_name)
        d = from_recording(
            rec, window_s=window_s, step_s=step_s, class_names=class_names, default_class=cls_name, rest=rest,
            session=g.get("session", session or ""), subject=g.get("subject", subject or ""),
            repetition=int(g["repetition"]) if g.get("repetition", "").isdigit() else None,
            keep_transitions=keep_transitions, preprocess=preprocess,
        )
        parts.append(d)
        single_block.append("repetition" not in g and len(d.class_names) == 1 and len(set(d.repetition.tolist())) <= 1)
    # split single-block files into the session's repetition count
    for i, d in enumerate(parts):
        if not single_block[i] or len(d) == 0:
            continue
        others = [p for j, p in enumerate(parts) if not single_block[j] and len(p)
                  and p.session[0] == d.session[0] and p.subject[0] == d.subject[0]]
        n_rep = max((int(p.repetition.max()) + 1 for p in others), default=1)
        if n_rep > 1:
            span = d.start_s.max() + 1e-9
            parts[i] = dataclasses.replace(d, repetition=np.minimum((d.start_s / span * n_rep).astype(np.int64), n_rep - 1))
    return GestureDataset.concatenate(parts)


def augment(
    dataset: GestureDataset,
    *,
    copies: int = 1,
    noise_snr_db: float | None = None,
    channel_shift: int = 0,
    gain: float = 0.0,
    seed: int | np.random.Generator | None = 0,
) -> GestureDataset:
    """The dataset plus ``copies`` perturbed copies of every window.

    Parameters
    ----------
    copies : int
        Perturbed copies per window (>= 1).
    noise_snr_db : float, optional
        Add white Gaussian noise at this SNR relative to each window's channel RMS, dB.
    channel_shift : int
        Rotate the channel axis by a random whole number of channels in
        ``[-channel_shift, channel_shift]`` (an armband put on rotated).
    gain : float
        Multiply each channel by a random factor in ``[1 - gain, 1 + gain]``
        (electrode contact / skin impedance change).
    seed : int or Generator

    Augment only training data: :func:`myograph.control.evaluate` applies it inside
    each training fold. Augmented windows are flagged in ``augmented``.
    """
    if isinstance(copies, bool) or not isinstance(copies, (int, np.integer)) or copies < 1:
        raise ParameterError("copies", f"must be an integer >= 1, got {copies!r}")
    if not 0 <= gain < 1:
        raise ParameterError("gain", f"must be in [0, 1), got {gain!r}")
    if isinstance(channel_shift, bool) or not isinstance(channel_shift, (int, np.integer)) or channel_shift < 0:
        raise ParameterError("channel_shift", f"must be an integer >= 0, got {channel_shift!r}")
    if noise_snr_db is None and channel_shift == 0 and gain == 0:
        raise ParameterError("augment", "nothing to do: give noise_snr_db, channel_shift or gain")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, c, _ = dataset.X.shape
    out = [dataset]
    for _ in range(int(copies)):
        X = np.array(dataset.X, dtype=np.float64, copy=True)
        if gain > 0:
            X *= rng.uniform(1 - gain, 1 + gain, size=(n, c, 1))
        if channel_shift > 0:
            shifts = rng.integers(-channel_shift, channel_shift + 1, size=n)
            rows = (np.arange(c)[None, :] - shifts[:, None]) % c
            X = X[np.arange(n)[:, None], rows]
        if noise_snr_db is not None:
            rms = np.sqrt(np.mean(X ** 2, axis=-1, keepdims=True))
            X = X + rng.standard_normal(X.shape) * rms * 10 ** (-float(noise_snr_db) / 20)
        out.append(dataclasses.replace(dataset, X=X, augmented=np.ones(n, dtype=bool)))
    return GestureDataset.concatenate(out, renumber=False)
