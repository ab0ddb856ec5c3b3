"""``myograph control train|evaluate|run``: myoelectric control from the command line.

Thin: parse the options and call :mod:`myograph.control` —

- ``train`` cuts labelled recordings (or one folder, :func:`~myograph.control.load_folder`)
  into a :class:`~myograph.control.GestureDataset` behind a causal
  :class:`~myograph.control.Preprocess`, optionally cross-validates
  (:func:`~myograph.control.evaluate`), fits a :class:`~myograph.control.ControlModel` on
  all windows and saves it (JSON + ``.npz``);
- ``evaluate`` runs a protocol with a fresh pipeline, or scores a saved model on all
  windows of new data (cut with the model's own window, filter and channels), with
  optional confidence rejection and majority vote
  (:func:`~myograph.control.reject`, :func:`~myograph.control.majority_vote`, per stream);
- ``run`` calls :func:`myograph.acquire.run_control` on a live source, showing a
  live line, and ends (at ``--duration`` or Ctrl-C) with the decisions per class and the
  controller-delay report.

Errors go through :func:`myograph.apps.console.friendly_errors`: one red line, exit status 2.
"""

from __future__ import annotations

import dataclasses
import json
import math
import signal
import threading
import time
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer
from rich import box
from rich.table import Table

from myograph.apps.console import err, friendly_errors, out, split_names
from myograph.core.errors import MyographWarning, ParameterError

__all__ = ["register", "control_app", "train_command", "evaluate_command", "run_command"]

control_app = typer.Typer(
    help="Myoelectric control: train a gesture model, evaluate it, run it live.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Protocol(str, Enum):
    loro = "loro"
    session = "session"
    subject = "subject"
    calibration = "calibration"


class Validate(str, Enum):
    loro = "loro"
    session = "session"
    none = "none"


PROTOCOL_NAMES = {
    "loro": "leave-one-repetition-out",
    "session": "cross-session (leave-one-session-out)",
    "subject": "cross-subject (leave-one-subject-out)",
    "calibration": "short calibration",
}

# --- options shared by train and evaluate ---------------------------------------------------
DataArg = Annotated[list[Path], typer.Argument(
    help="Recording files whose gestures are annotations (gesture:<name>, label:<k>, class:<name>), "
         "or ONE folder read with --pattern.", show_default=False, metavar="DATA")]
FeaturesOpt = Annotated[Optional[str], typer.Option(
    "--features", help="Feature set (TD4, TD9, TDAR, LS4, LS9, TD-PSD) or comma-separated feature names.",
    show_default="TD4")]
ClassifierOpt = Annotated[Optional[str], typer.Option(
    "--classifier", help="lda, qda, svm, svm_linear, knn, rf, gb, mlp, logreg.", show_default="lda")]
RegressorOpt = Annotated[Optional[str], typer.Option(
    "--regressor", help="Continuous outputs instead of classes: linear, ridge, rf, mlp (needs --targets).",
    show_default=False)]
TargetsOpt = Annotated[Optional[str], typer.Option(
    "--targets", help="Comma-separated channels holding the regression targets (force, joint angle); "
                      "left out of the inputs.", show_default=False)]
WindowOpt = Annotated[Optional[float], typer.Option(
    "--window", help="Analysis window, s.", show_default="0.2")]
StepOpt = Annotated[Optional[float], typer.Option(
    "--step", help="Decision step, s.", show_default="0.05")]
HighpassOpt = Annotated[Optional[str], typer.Option(
    "--highpass", help="Causal high-pass cut-off, Hz, or 'none' (the live controller runs the same filter).",
    show_default="20")]
PowerlineOpt = Annotated[Optional[str], typer.Option(
    "--powerline", help="Mains notch with harmonics: 50, 60 or 'none'.", show_default="none")]
ChannelsOpt = Annotated[Optional[str], typer.Option(
    "--channels", help="Comma-separated input channels (default: every EMG channel).", show_default=False)]
LabelsOpt = Annotated[Optional[str], typer.Option(
    "--labels", help="Annotation prefix of the labels: gesture, label, class (default: the first found).",
    show_default=False)]
PatternOpt = Annotated[Optional[str], typer.Option(
    "--pattern", help="Folder layout (myo-readings, class_rep, subject/session/class_rep) or a pattern "
                      "with {class} {repetition} {session} {subject}, e.g. '{class}_{repetition}.csv'.",
    show_default=False)]
FsOpt = Annotated[Optional[float], typer.Option(
    "--fs", help="Sampling rate, Hz, for files without one (text).", show_default=False)]
LabelColumnOpt = Annotated[Optional[int], typer.Option(
    "--label-column", help="Text files: the column (from 0) holding a label per sample.", show_default=False)]
UnitsOpt = Annotated[Optional[str], typer.Option(
    "--units", help="Text files: units of the samples (V, mV, uV).", show_default=False)]
ClassNamesOpt = Annotated[Optional[str], typer.Option(
    "--class-names", help="Rename raw labels: 'myo-readings' or '0=rest,1=flexion,...'.", show_default=False)]
VoteOpt = Annotated[int, typer.Option("--vote", min=1, help="Majority vote over this many decisions (1: none).")]
RejectOpt = Annotated[Optional[float], typer.Option(
    "--reject", min=0.0, max=1.0, help="Reject decisions whose largest class probability is below P.",
    show_default=False)]


# --- parsing --------------------------------------------------------------------------------
def _frequency(value: Optional[str], name: str, default: Optional[float]) -> Optional[float]:
    if value is None:
        return default
    if value.strip().lower() in ("none", "off", "no"):
        return None
    try:
        f = float(value)
    except ValueError:
        raise ParameterError(name, f"must be a frequency in Hz or 'none', got {value!r}") from None
    if not (math.isfinite(f) and f > 0):
        raise ParameterError(name, f"must be a frequency in Hz > 0 or 'none', got {value!r}")
    return f


def _preprocess(highpass: Optional[str], powerline: Optional[str]):
    from myograph.control import Preprocess

    pre = Preprocess(highpass_hz=_frequency(highpass, "highpass", 20.0), powerline_hz=_frequency(powerline, "powerline", None))
    return None if pre.is_identity else pre


def _class_names(spec: Optional[str]) -> Optional[dict[str, str]]:
    if spec is None or not spec.strip():
        return None
    from myograph.control import MYO_READINGS_CLASSES

    if spec.strip().lower() == "myo-readings":
        return dict(MYO_READINGS_CLASSES)
    names = {}
    for part in spec.split(","):
        raw, eq, name = part.partition("=")
        if not eq or not raw.strip() or not name.strip():
            raise ParameterError("class-names", f"must be 'myo-readings' or raw=name pairs joined by ',', got {part!r}")
        names[raw.strip()] = name.strip()
    return names


def _features(spec: Optional[str]) -> Any:
    if spec is None:
        return "TD4"
    from myograph.features import ALIASES, FEATURE_SETS, FEATURES

    names = split_names(spec)
    if not names:
        raise ParameterError("features", f"give a feature set or feature names, got {spec!r}")
    for n in names:  # checked now, not after the data are read
        if not (n in FEATURES or n.upper() in FEATURES or n.upper() in FEATURE_SETS or n.upper() in ALIASES):
            raise ParameterError("features", f"unknown feature or feature set {n!r}; sets: {', '.join(sorted(FEATURE_SETS))}; "
                                             f"features: {', '.join(sorted(FEATURES))}")
    return names[0] if len(names) == 1 else names


def _estimator(classifier: Optional[str], regressor: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """``(classifier, regressor)`` with the names checked now, before any data is read."""
    from myograph.control import make_estimator

    if classifier is not None and regressor is not None:
        raise ParameterError("regressor", "give --classifier or --regressor, not both")
    if regressor is not None:
        make_estimator(regressor, kind="regressor")
        return None, regressor
    classifier = classifier or "lda"
    make_estimator(classifier, kind="classifier")
    return classifier, None


def _protocol(name: str, calibration: int):
    from myograph.control import CrossSession, CrossSubject, LeaveOneRepetitionOut, ShortCalibration

    if name == "calibration":
        return ShortCalibration(n_repetitions=calibration)
    return {"loro": LeaveOneRepetitionOut, "session": CrossSession, "subject": CrossSubject}[name]()


@dataclasses.dataclass
class _Loaded:
    """A dataset and the name of each of its recordings (index ``dataset.recording``)."""

    dataset: Any
    names: list[str]
    source: str


def _select(ds: Any, channels: list[str]) -> Any:
    missing = [c for c in channels if c not in ds.ch_names]
    if missing:
        raise ParameterError("channels", f"no channel {missing[0]!r} in the data; channels are {list(ds.ch_names)}")
    idx = [ds.ch_names.index(c) for c in channels]
    return dataclasses.replace(ds, X=ds.X[:, idx], ch_names=tuple(channels))


def _load(data: list[Path], *, pattern: Optional[str], fs: Optional[float], read_options: dict[str, Any],
          window_s: float, step_s: float, class_names: Optional[dict[str, str]], label_prefix: Optional[str],
          channels: Optional[list[str]], targets: Optional[list[str]], preprocess: Any,
          model_fs: Optional[float] = None) -> _Loaded:
    """Read DATA into one GestureDataset (files concatenated, or one folder)."""
    import myograph
    from myograph.control import GestureDataset, from_recording, load_folder

    if not data:
        raise ParameterError("DATA", "give recording files or one folder")
    for p in data:
        if not p.exists():
            raise FileNotFoundError(2, "No such file or directory", str(p))
    folders = [p for p in data if p.is_dir()]
    if folders:
        if len(data) > 1:
            raise ParameterError("DATA", f"give one folder, or recording files; got {len(folders)} folder(s) among "
                                         f"{len(data)} paths")
        folder = folders[0]
        if pattern is None:
            raise ParameterError("pattern", f"{folder} is a folder: say which files to read with --pattern (a layout: "
                                            "myo-readings, class_rep, subject/session/class_rep; or a pattern such as "
                                            "'{subject}/{class}_{repetition}.csv')")
        if label_prefix is not None:
            raise ParameterError("labels", "applies to recording files; a folder is labelled by its files' label "
                                           "annotations (--label-column) or the {class} of --pattern")
        if targets is not None:
            raise ParameterError("targets", "applies to recording files, not to a folder")
        ds = load_folder(folder, pattern=pattern, fs=fs, window_s=window_s, step_s=step_s, class_names=class_names,
                         preprocess=preprocess, **read_options)
        if model_fs is not None and not math.isclose(ds.fs, model_fs, rel_tol=1e-6):
            raise ParameterError("fs", f"{folder} is sampled at {ds.fs:g} Hz but the model was trained at "
                                       f"{model_fs:g} Hz; resample the data or retrain")
        if channels is not None:
            ds = _select(ds, channels)
        names = []
        for k in range(int(ds.recording.max()) + 1 if len(ds) else 0):
            m = ds.recording == k
            subj, sess = (str(ds.subject[m][0]), str(ds.session[m][0])) if m.any() else ("", "")
            names.append(f"{subj or '-'}/{sess or '-'} #{k}")  # subject/session and the file's number
        return _Loaded(ds, names, f"{folder} ({len(names)} files)")
    if pattern is not None:
        raise ParameterError("pattern", "applies to a folder; DATA are files")
    prefix = None if label_prefix is None else (label_prefix if label_prefix.endswith(":") else label_prefix + ":")
    parts, names, first = [], [], None
    for f in data:
        rec = myograph.read(f, fs=fs, **read_options)
        if model_fs is not None and not math.isclose(rec.fs, model_fs, rel_tol=1e-6):
            raise ParameterError("fs", f"{f} is sampled at {rec.fs:g} Hz but the model was trained at {model_fs:g} Hz; "
                                       "resample it (Recording.resample, then myograph.write) or retrain")
        if first is not None and not math.isclose(rec.fs, first[1], rel_tol=1e-6):
            raise ParameterError("fs", f"{f} is sampled at {rec.fs:g} Hz, {first[0]} at {first[1]:g} Hz: "
                                       "windows of one model need one rate")
        first = first or (f, rec.fs)
        use, tg = channels, None
        if targets is not None:
            tg = rec.get_data(targets)
            if use is None:
                emg = [c for c, t in zip(rec.ch_names, rec.ch_types) if t == "EMG" and c not in targets]
                use = emg or [c for c in rec.ch_names if c not in targets]
        try:
            d = from_recording(rec, window_s=window_s, step_s=step_s, class_names=class_names, label_prefix=prefix,
                               channels=use, targets=tg, preprocess=preprocess)
        except ParameterError as exc:
            if exc.name != "labels":
                raise
            found = sorted({a.split(":", 1)[0] + ":" for a in rec.annotations.label if ":" in a})
            wanted = f"'{prefix}'" if prefix else "gesture:, label: or class:"
            raise ParameterError("labels", f"{f} has no {wanted} annotations to learn from"
                                           + (f" (it has {', '.join(found)}; choose with --labels)" if found else "")
                                           + "; annotate each gesture's span as gesture:<name> (Recording.annotate), "
                                             "simulate gestures (myograph simulate gestures), or read a text file's "
                                             "label column with --label-column") from None
        if len(d):
            parts.append(d)
            names.append(str(f))
    if not parts:
        raise ParameterError("DATA", "no whole analysis window with one label in any file")
    return _Loaded(GestureDataset.concatenate(parts) if len(parts) > 1 else parts[0], names,
                   names[0] if len(names) == 1 else f"{len(names)} recordings")


def _read_options(label_column: Optional[int], units: Optional[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if label_column is not None:
        opts["label_column"] = label_column
    if units is not None:
        opts["units"] = units
    return opts


# --- decisions and results ------------------------------------------------------------------
def _num(v: Any, digits: int = 3) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "–" if not math.isfinite(f) else f"{f:.{digits}f}"


SHORT = {"repetition": "rep", "calibration_repetitions": "cal.reps"}
CLASS_METRICS = ("accuracy", "balanced_accuracy", "active_error", "instability", "rejection_rate")
REG_METRICS = ("r2", "rmse", "nrmse")
HEADERS = {"accuracy": "accuracy", "balanced_accuracy": "balanced", "active_error": "act.err",
           "instability": "instab", "rejection_rate": "rej", "r2": "R²", "rmse": "RMSE", "nrmse": "NRMSE"}


def _print_result(res: Any, title: str) -> None:
    folds = res.folds
    metrics = [m for m in (*CLASS_METRICS, *REG_METRICS) if m in folds]
    what = [c for c in folds.columns if c not in metrics and c not in ("fold", "n_train", "n_test")]
    if len(folds):  # what every fold shares goes in the title, not in a column
        same = [c for c in what if c != "recording" and folds[c].astype(str).nunique() == 1]
        if same:
            title += " · " + ", ".join(f"{SHORT.get(c, c)} {folds[c].iloc[0]}" for c in same)
        what = [c for c in what if c not in same]
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", title_style="bold",
                  title_justify="left")
    table.add_column("fold", justify="right", no_wrap=True)
    for c in what:
        table.add_column(SHORT.get(c, c), no_wrap=c != "recording")
    counts = [c for c in ("n_train", "n_test") if c in folds]
    for c in counts:
        table.add_column(c[2:], justify="right", no_wrap=True)
    for m in metrics:
        table.add_column(HEADERS[m], justify="right", no_wrap=True, min_width=5)
    for _, row in folds.iterrows():
        table.add_row(str(row["fold"]), *(str(row[c]) for c in what), *(str(row[c]) for c in counts),
                      *(_num(row[m]) for m in metrics))
    out.print(table)
    s = res.summary()
    sd = len(folds) > 1
    parts = [f"{HEADERS[m] if m in REG_METRICS else m.replace('_', ' ')} {_num(s[m])}" + (f" ± {_num(s[m + '_sd'])}" if sd else "")
             for m in metrics]
    out.print(f"[bold]{'mean over ' + str(len(folds)) + ' folds' if sd else 'summary'}:[/bold] " + " · ".join(parts),
              highlight=False)
    if res.confusion is not None:
        _print_confusion(res.confusion, res.class_names)


def _print_confusion(cm: np.ndarray, class_names: tuple[str, ...]) -> None:
    """Row-normalised: the diagonal is each class's recall; the counts are in --json."""
    rejected = bool(cm[:, -1].sum())
    table = Table(title="confusion matrix: % of each true class decided as class 0, 1, …",
                  box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", title_style="bold", title_justify="left")
    table.add_column("true class", no_wrap=True)
    for j in range(len(class_names)):
        table.add_column(str(j), justify="right", no_wrap=True)
    if rejected:
        table.add_column("rej", justify="right", no_wrap=True)
    table.add_column("windows", justify="right", no_wrap=True)

    def pct(v: int, n: int, diagonal: bool) -> str:
        if v == 0:
            return "·"
        text = f"{100 * v / n:.0f}" if 100 * v / n >= 0.5 else "<1"
        return f"[bold green]{text}[/bold green]" if diagonal else text

    for i, c in enumerate(class_names):
        row, n = cm[i], int(cm[i].sum())
        if not n:
            continue
        cells = [pct(int(v), n, j == i) for j, v in enumerate(row[:-1].tolist())]
        if rejected:
            cells.append(pct(int(row[-1]), n, False))
        table.add_row(f"{i} {c}", *cells, str(n))
    out.print(table)


def _json_safe(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, np.ndarray):
        return _json_safe(v.tolist())
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _write_json(path: Path, res: Any, extra: dict[str, Any]) -> None:
    from myograph.io.atomic import atomic_open

    doc = {**extra, "class_names": list(res.class_names), "summary": res.summary(),
           "folds": res.folds.to_dict(orient="records"),
           "confusion": None if res.confusion is None else res.confusion,
           "confusion_columns": None if res.confusion is None else [*res.class_names, "rejected"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "w", encoding="utf-8") as f:
        json.dump(_json_safe(doc), f, indent=1)


def _describe(loaded: _Loaded) -> str:
    ds, src = loaded.dataset, loaded.source
    sessions, subjects = sorted(set(map(str, ds.session.tolist()))), sorted(set(map(str, ds.subject.tolist())))
    return (f"{len(ds)} windows of {len(ds.ch_names)} channels ({ds.window_s * 1e3:g} ms every {ds.step_s * 1e3:g} ms "
            f"at {ds.fs:g} Hz) from {src}; sessions {sessions}, subjects {subjects}")


def _print_counts(ds: Any) -> None:
    counts = ds.counts()
    sessions = [str(c) for c in counts.columns]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold")
    table.add_column("class")
    if len(sessions) > 1:
        for s in sessions:
            table.add_column(f"session {s}", justify="right")
    table.add_column("windows", justify="right")
    for name in ds.class_names:
        if name not in counts.index:
            continue
        row = counts.loc[name]
        label = f"{name} (rest)" if name == ds.rest and name != "rest" else name
        table.add_row(label, *([str(int(v)) for v in row.tolist()] if len(sessions) > 1 else []), str(int(row.sum())))
    out.print(table)


# --- train ----------------------------------------------------------------------------------
def train_command(
    data: DataArg,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Model file to write (.json, with its .npz beside it).",
                                           show_default=False)],
    features: FeaturesOpt = None,
    classifier: ClassifierOpt = None,
    regressor: RegressorOpt = None,
    targets: TargetsOpt = None,
    window: WindowOpt = None,
    step: StepOpt = None,
    highpass: HighpassOpt = None,
    powerline: PowerlineOpt = None,
    channels: ChannelsOpt = None,
    labels: LabelsOpt = None,
    pattern: PatternOpt = None,
    fs: FsOpt = None,
    label_column: LabelColumnOpt = None,
    units: UnitsOpt = None,
    class_names: ClassNamesOpt = None,
    validate: Annotated[Validate, typer.Option("--validate", help="Cross-validate before fitting on all data.")] = Validate.none,
) -> None:
    """Train a gesture classifier (or regressor) on labelled recordings and save it as a model file."""
    from myograph.control import ControlModel, evaluate, make_pipeline

    classifier, regressor = _estimator(classifier, regressor)
    feats = _features(features)
    pre = _preprocess(highpass, powerline)
    target_names = split_names(targets)
    if regressor is not None and target_names is None:
        raise ParameterError("regressor", "needs continuous targets: name the channels that hold them with --targets "
                                          "(force, joint angle); the data have no targets otherwise")
    loaded = _load(data, pattern=pattern, fs=fs, read_options=_read_options(label_column, units),
                   window_s=0.2 if window is None else window, step_s=0.05 if step is None else step,
                   class_names=_class_names(class_names), label_prefix=labels, channels=split_names(channels),
                   targets=target_names, preprocess=pre)
    ds = loaded.dataset
    out.print(f"data: {_describe(loaded)}", markup=False, highlight=False)
    _print_counts(ds)
    if validate is not Validate.none:
        protocol = _protocol(validate.value, 1)
        pipe = make_pipeline(feats, classifier or "lda", regressor=regressor, window_s=ds.window_s, step_s=ds.step_s,
                             fs=ds.fs)
        with err.status(f"cross-validating ({PROTOCOL_NAMES[validate.value]}) …"):
            res = evaluate(pipe, ds, protocol)
        s = res.summary()
        metrics = REG_METRICS if regressor is not None else ("accuracy", "balanced_accuracy")
        out.print(f"{PROTOCOL_NAMES[validate.value]}, {len(res.folds)} folds: "
                  + " · ".join(f"{HEADERS[m] if m in REG_METRICS else m.replace('_', ' ')} {_num(s[m])} ± {_num(s[m + '_sd'])}"
                               for m in metrics), highlight=False)
    with err.status("fitting on all windows …"):
        model = ControlModel.train(ds, features=feats, classifier=classifier or "lda", regressor=regressor,
                                   outputs=target_names)
    out.print(repr(model), markup=False, highlight=False)
    i = model.info
    out.print(f"preprocess: {(i.preprocess.describe())}", markup=False, highlight=False)
    if i.kind == "classifier" and i.intensity_low is not None and i.intensity_high is not None:
        out.print(f"speed calibration: contraction intensity {i.intensity_low * 1e6:.1f} µV (rest) to "
                  f"{i.intensity_high * 1e6:.1f} µV (strong)", highlight=False)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    written = model.save(out_path)
    out.print(f"wrote {written} (+ {written.with_suffix('.npz').name})", markup=False, highlight=False)


# --- evaluate -------------------------------------------------------------------------------
def evaluate_command(
    data: DataArg,
    protocol: Annotated[Optional[Protocol], typer.Option("--protocol", help="loro: leave one repetition out; session: "
                                                         "leave one session out; subject: leave one subject out; "
                                                         "calibration: train on the first --calibration repetitions.",
                                                         show_default="loro")] = None,
    model_path: Annotated[Optional[Path], typer.Option("--model", "-m", help="Test this saved model on all windows "
                                                       "of DATA instead of running a protocol.", show_default=False)] = None,
    calibration: Annotated[Optional[int], typer.Option("--calibration", min=1, help="Repetitions of the short "
                                                       "calibration.", show_default="1")] = None,
    features: FeaturesOpt = None,
    classifier: ClassifierOpt = None,
    regressor: RegressorOpt = None,
    targets: TargetsOpt = None,
    window: WindowOpt = None,
    step: StepOpt = None,
    highpass: HighpassOpt = None,
    powerline: PowerlineOpt = None,
    channels: ChannelsOpt = None,
    labels: LabelsOpt = None,
    pattern: PatternOpt = None,
    fs: FsOpt = None,
    label_column: LabelColumnOpt = None,
    units: UnitsOpt = None,
    class_names: ClassNamesOpt = None,
    vote: VoteOpt = 1,
    reject_p: RejectOpt = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Write folds, summary and confusion matrix as JSON.",
                                                      show_default=False)] = None,
) -> None:
    """Cross-validate a pipeline with a protocol, or test a saved model on new data."""
    read_options = _read_options(label_column, units)
    names = _class_names(class_names)
    target_names = split_names(targets)
    if calibration is not None and (protocol or Protocol.loro) is not Protocol.calibration:
        raise ParameterError("calibration", "applies to --protocol calibration")
    if model_path is not None:
        given = [opt for opt, v in (("--protocol", protocol), ("--features", features), ("--classifier", classifier), ("--regressor", regressor),
                                    ("--window", window), ("--step", step), ("--highpass", highpass),
                                    ("--powerline", powerline), ("--channels", channels)) if v is not None]
        if given:
            raise ParameterError(given[0].lstrip("-"), f"{', '.join(given)} cannot be used with --model: the model's "
                                                       "own features, estimator, window, filter and channels are used, on all windows")
        res, title, extra = _evaluate_model(model_path, data, pattern=pattern, fs=fs, read_options=read_options,
                                            class_names=names, labels=labels, targets=target_names, vote=vote,
                                            reject_p=reject_p)
    else:
        res, title, extra = _evaluate_protocol(data, (protocol or Protocol.loro).value, calibration or 1, features=features,
                                               classifier=classifier, regressor=regressor, targets=target_names,
                                               window=window, step=step, highpass=highpass, powerline=powerline,
                                               channels=channels, labels=labels, pattern=pattern, fs=fs,
                                               read_options=read_options, class_names=names, vote=vote,
                                               reject_p=reject_p)
    _print_result(res, title)
    if json_path is not None:
        _write_json(json_path, res, {**extra, "vote": vote, "reject": reject_p})
        out.print(f"wrote {json_path}", markup=False, highlight=False)


def _post_text(vote: int, reject_p: Optional[float]) -> str:
    parts = ([f"rejection below p {reject_p:g}"] if reject_p is not None else []) + ([f"vote of {vote}"] if vote > 1 else [])
    return f", {' then '.join(parts)}" if parts else ""


def _evaluate_protocol(data: list[Path], protocol_name: str, calibration: int, *, features, classifier, regressor,
                       targets, window, step, highpass, powerline, channels, labels, pattern, fs, read_options,
                       class_names, vote, reject_p) -> tuple[Any, str, dict[str, Any]]:
    from myograph.control import evaluate, make_pipeline

    classifier, regressor = _estimator(classifier, regressor)
    if regressor is not None and targets is None:
        raise ParameterError("regressor", "needs continuous targets: name the channels that hold them with --targets "
                                          "(force, joint angle); the data have no targets otherwise")
    if regressor is not None and (vote > 1 or reject_p is not None):
        raise ParameterError("vote", "--vote and --reject post-process class decisions, not regression outputs")
    feats = _features(features)
    pre = _preprocess(highpass, powerline)
    loaded = _load(data, pattern=pattern, fs=fs, read_options=read_options, window_s=0.2 if window is None else window,
                   step_s=0.05 if step is None else step, class_names=class_names, label_prefix=labels,
                   channels=split_names(channels), targets=targets, preprocess=pre)
    ds = loaded.dataset
    out.print(f"data: {_describe(loaded)}", markup=False, highlight=False)
    protocol = _protocol(protocol_name, calibration)
    pipe = make_pipeline(feats, classifier or "lda", regressor=regressor, window_s=ds.window_s, step_s=ds.step_s, fs=ds.fs)
    est = regressor or classifier
    pre_text = "no filter" if pre is None else pre.describe()
    with err.status(f"evaluating ({PROTOCOL_NAMES[protocol_name]}) …"):
        res = evaluate(pipe, ds, protocol, vote=vote, reject_threshold=reject_p)
    title = (f"{PROTOCOL_NAMES[protocol_name]}: {feats if isinstance(feats, str) else '+'.join(feats)} + {est}, "
             f"{pre_text}{_post_text(vote, reject_p)}")
    return res, title, {"protocol": protocol_name, "pipeline": repr(pipe), "data": loaded.names, "model": None}


def _evaluate_model(model_path: Path, data: list[Path], *, pattern, fs, read_options, class_names, labels, targets,
                    vote, reject_p) -> tuple[Any, str, dict[str, Any]]:
    import pandas as pd

    from myograph.control import (
        ControlModel,
        EvaluationResult,
        classification_scores,
        confusion_matrix,
        decisions,
        regression_scores,
        streams,
    )

    model = ControlModel.load(model_path)
    info = model.info
    out.print(f"model: {model!r}", markup=False, highlight=False)
    regression = info.kind == "regressor"
    if regression and (vote > 1 or reject_p is not None):
        raise ParameterError("vote", "--vote and --reject post-process class decisions, not regression outputs")
    if regression and targets is None:
        targets = list(info.outputs)
    loaded = _load(data, pattern=pattern, fs=fs, read_options=read_options, window_s=info.window_s, step_s=info.step_s,
                   class_names=class_names, label_prefix=labels, channels=list(info.ch_names),
                   targets=targets if regression else None,
                   preprocess=None if info.preprocess.is_identity else info.preprocess, model_fs=info.fs)
    ds = loaded.dataset
    out.print(f"data: {_describe(loaded)}", markup=False, highlight=False)
    rows: list[dict[str, Any]] = []
    if regression:
        if ds.targets is None or ds.targets.shape[1] != len(info.outputs):
            raise ParameterError("targets", f"the model predicts {len(info.outputs)} outputs {list(info.outputs)}; "
                                            "name as many target channels with --targets")
        pred = np.asarray(model.predict(ds.X), dtype=np.float64).reshape(ds.targets.shape)
        for k, name in enumerate(loaded.names):
            m = ds.recording == k
            rows.append({"fold": k, "recording": name, "n_test": int(m.sum()),
                         **regression_scores(ds.targets[m], pred[m])})
        res = EvaluationResult(pd.DataFrame(rows), None, (), ds.targets, pred)
    else:
        unknown = [c for c in ds.class_names if c not in info.class_names]
        if unknown:
            raise ParameterError("class-names", f"the data have classes {unknown} the model does not know; its classes "
                                                f"are {list(info.class_names)} (rename labels with --class-names)")
        remap = np.array([info.class_names.index(c) for c in ds.class_names], dtype=np.int64)
        y = remap[ds.y]
        rest = info.class_names.index(info.rest) if info.rest in info.class_names else None
        stream = streams(ds)
        pred = decisions(model.pipeline, ds.X, streams=stream, vote=vote, reject_threshold=reject_p)
        for k, name in enumerate(loaded.names):
            m = ds.recording == k
            rows.append({"fold": k, "recording": name, "n_test": int(m.sum()),
                         **classification_scores(y[m], pred[m], rest=rest, streams=stream[m])})
        res = EvaluationResult(pd.DataFrame(rows), confusion_matrix(y, pred, len(info.class_names)), info.class_names,
                               y, pred)
    title = f"{model_path.name} on all windows{_post_text(vote, reject_p)}"
    return res, title, {"protocol": None, "model": str(model_path), "model_info": info.to_dict(), "data": loaded.names}


# --- run ------------------------------------------------------------------------------------
def run_command(
    model_path: Annotated[Path, typer.Option("--model", "-m", help="Model file from 'myograph control train'.",
                                             show_default=False)],
    source: Annotated[str, typer.Option("--source", "-s", help="Live source: sim:gestures?cycle=true (a simulated "
                                        "subject cycling through the gestures; add &fs=…&seed=…&channels=… to match the "
                                        "model), brainflow:ID, lsl:NAME, lsl:type=EMG.")] = "sim:gestures?cycle=true",
    output: Annotated[str, typer.Option("--output", help="Where decisions go: udp://HOST:PORT | lsl[:NAME] | "
                                        "keyboard[:class=key,...] | stdout | none.")] = "none",
    duration: Annotated[Optional[float], typer.Option("--duration", "-d", help="Stop after this much of the stream, s "
                                                      "(default: until Ctrl-C).", show_default=False)] = None,
    log: Annotated[Optional[Path], typer.Option("--log", help="Decision log CSV (and <log>.json summary).",
                                                show_default=False)] = None,
    record: Annotated[Optional[Path], typer.Option("--record", help="Record the input stream to this BDF, with "
                                                   "decision annotations.", show_default=False)] = None,
    vote: VoteOpt = 1,
    reject_p: RejectOpt = None,
    dead_band: Annotated[float, typer.Option("--dead-band", min=0.0, max=0.99, help="Dead band of the proportional "
                                             "speed, fraction of its range.")] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No live line.")] = False,
) -> None:
    """Run a model on a live source: decide every step, send each decision to the output, report the delay."""
    from myograph.acquire.specs import open_source, parse_spec
    from myograph.control import ControlModel
    from myograph.acquire.control import run_control
    from myograph.control.outputs import open_output

    if duration is not None and not duration > 0:
        raise ParameterError("duration", f"must be a positive number of seconds, got {duration!r}")
    model = ControlModel.load(model_path)
    info = model.info
    if info.kind == "regressor" and (vote > 1 or reject_p is not None):
        raise ParameterError("vote", "--vote and --reject post-process class decisions; this model is a regressor")
    if reject_p is not None and not model.has_proba:
        raise ParameterError("reject", f"needs class probabilities; {info.estimator} gives none "
                                       "(train with lda, qda, logreg, knn, rf, gb or mlp)")
    out_obj = open_output(output, class_names=info.class_names, outputs=info.outputs, rest=info.rest)
    # with --output stdout the decisions own standard output; everything else goes to standard error
    report = err if out_obj.spec == "stdout" else out
    try:
        kind, target, options = parse_spec(source)
        if kind == "sim":  # a simulator's rate is known before building it (which takes seconds)
            from myograph.acquire.sim import MODES

            mode_fs = options.get("fs", MODES.get(target or "surface", {}).get("fs"))
            if isinstance(mode_fs, (int, float)):
                _check_rate(source, float(mode_fs), info.fs, sim=True)
        try:
            with err.status(f"opening {source} …"):
                src = open_source(source)
        except TypeError as exc:  # an option the source does not take
            raise ParameterError("source", f"{source!r}: {exc}") from None
        _check_rate(source, src.info.fs, info.fs, sim=kind == "sim")
        report.print(f"model: {model!r}", markup=False, highlight=False)
        until = f"for {duration:g} s" if duration is not None else "until Ctrl-C"
        report.print(f"source: {src.info.name}, {src.info.n_channels} channels at {src.info.fs:g} Hz → output "
                     f"{out_obj.spec or type(out_obj).__name__}, {until}" + (f"; log {log}" if log else "")
                     + (f"; recording {record}" if record else ""), markup=False, highlight=False)
        run, interrupted = _run_live(run_control, model, src, out_obj, duration=duration, log=log, record=record,
                                     vote=vote, reject_p=reject_p, dead_band=dead_band, quiet=quiet)
    except BaseException:
        out_obj.close()
        raise
    _print_run(report, run, info, interrupted, getattr(out_obj, "errors", 0))


def _check_rate(source: str, fs: float, model_fs: float, *, sim: bool) -> None:
    if not math.isclose(fs, model_fs, rel_tol=1e-6):
        hint = f" (open the simulator at the model's rate: {source}{'&' if '?' in source else '?'}fs={model_fs:g})" if sim else ""
        raise ParameterError("source", f"{source} streams at {fs:g} Hz but the model was trained at {model_fs:g} Hz"
                                       f"{hint}; or retrain at the source's rate")


def _run_live(run_control: Any, model: Any, src: Any, out_obj: Any, *, duration, log, record, vote, reject_p,
              dead_band, quiet) -> tuple[Any, bool]:
    """Call run_control with a Ctrl-C handler that stops it cleanly and, unless quiet, a live line."""
    from rich.live import Live
    from rich.text import Text

    stop = threading.Event()
    interrupted = {"yes": False}
    previous = None

    def on_sigint(signum: int, frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: give up at once
            raise KeyboardInterrupt
        interrupted["yes"] = True
        stop.set()

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        previous = signal.signal(signal.SIGINT, on_sigint)
    # with --output stdout the decisions are the live display
    live = None if quiet or getattr(out_obj, "spec", "") == "stdout" else Live(Text("waiting for the first decision …"), console=err, transient=True,
                                   auto_refresh=False)
    state = {"last": 0.0, "n": 0, "t0": time.monotonic()}

    def on_decision(d: Any) -> None:
        state["n"] += 1
        now = time.monotonic()
        if live is None or now - state["last"] < 0.1:
            return
        state["last"] = now
        what = d.name if d.name else "outputs " + " ".join(f"{v:+.3f}" for v in d.outputs)
        line = Text.assemble((f"{what:<17}", "bold cyan"),
                             f" p {_num(d.probability, 2):>4}  speed {_num(d.speed, 2):>4}  "
                             f"{d.processing_s * 1e3:5.2f} ms  #{state['n']:<6} {now - state['t0']:6.1f} s",
                             no_wrap=True, overflow="ellipsis")
        live.update(line, refresh=True)

    def show_now(message, category, filename, lineno, file=None, line=None) -> None:
        err.print(f"warning: {message}", style="yellow", markup=False, highlight=False)

    try:
        with warnings.catch_warnings():  # show the controller's warnings (channel order) now, not after the run
            warnings.simplefilter("always", MyographWarning)
            warnings.showwarning = show_now
            if live is not None:
                live.start()
            try:
                run = run_control(model, src, out_obj, duration_s=duration, log=log, record=record, vote=vote,
                                  reject_threshold=reject_p, dead_band=dead_band, on_decision=on_decision, stop=stop)
            finally:
                if live is not None:
                    live.stop()
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    return run, interrupted["yes"]


def _print_run(report: Any, run: Any, info: Any, interrupted: bool, send_errors: int) -> None:
    fs = info.fs
    how = "stopped by Ctrl-C" if interrupted else "done"
    report.print(f"{how}: {len(run.decisions)} decisions from {run.samples} samples ({run.samples / fs:.2f} s of "
                 f"stream, {run.duration_s:.2f} s wall), {run.gaps} gap{'s' if run.gaps != 1 else ''}",
                 markup=False, highlight=False)
    if info.kind == "classifier" and run.decisions:
        counts: dict[str, int] = {}
        for d in run.decisions:
            counts[d.name] = counts.get(d.name, 0) + 1
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold")
        table.add_column("decision")
        table.add_column("count", justify="right")
        table.add_column("share", justify="right")
        order = [*info.class_names, "rejected"]
        for name in sorted(counts, key=lambda n: order.index(n) if n in order else len(order)):
            table.add_row(name, str(counts[name]), f"{counts[name] / len(run.decisions):.1%}")
        report.print(table)
    if send_errors:
        err.print(f"warning: {send_errors} decisions could not be sent to {run.output} (nobody listening?)",
                  style="yellow", markup=False, highlight=False)
    if run.log is not None:
        report.print(f"wrote {run.log} (+ {run.log.name}.json)", markup=False, highlight=False)
    if run.record is not None:
        report.print(f"wrote {run.record}", markup=False, highlight=False)
    if run.latency is not None:
        report.print(run.latency.table(), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``control`` command group (train, evaluate, run) to ``app``."""
    control_app.command("train")(friendly_errors(train_command))
    control_app.command("evaluate")(friendly_errors(evaluate_command))
    control_app.command("run")(friendly_errors(run_command))
    app.add_typer(control_app, name="control")
