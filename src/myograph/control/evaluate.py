"""Evaluation protocols and metrics for myoelectric control.

Protocols are splitters in the scikit-learn style: ``split(X, y=None, groups=None)``
yields ``(train_index, test_index)``; ``groups`` is a :class:`GestureDataset`'s
``groups`` table (or pass the dataset itself as ``X``). :func:`evaluate` runs a
pipeline through a protocol and returns per-fold metrics, the pooled confusion
matrix and the decisions.

=========================  ===========================================================
``LeaveOneRepetitionOut``  within each subject and session, test one repetition after
                           training on the others
``CrossSession``           within each subject, test one session after training on the
                           others (leave-one-session-out)
``CrossSubject``           test one subject after training on all others
``ShortCalibration``       within each session, train on the first ``n_repetitions``
                           (optionally plus the subject's other sessions), test on the rest
=========================  ===========================================================

Metrics (``rejected = -1`` marks a rejected decision, see
:func:`myograph.control.postprocess.reject`):

- :func:`accuracy` — correct / decided windows; rejected windows are left out, as
  in LibEMG's CA (Eddy et al. 2023).
- :func:`balanced_accuracy` — mean of the per-class accuracies (rest windows often
  outnumber each gesture's several times).
- :func:`active_error` — after Scheme & Englehart (2011): among windows whose true
  class is an *active* (non-rest) class and whose decision is an active class, the
  fraction decided as a *different* active class — the errors that move the device
  the wrong way; decisions of rest or rejection are not active errors.
  ``definition="libemg"`` gives LibEMG's AER instead: the error among all windows
  whose decision is not rest (Eddy et al. 2023).
- :func:`instability` — fraction of consecutive decision pairs that differ while the
  true class stays the same, within one stream (Scheme & Englehart 2011; LibEMG INS
  counts every change).
- :func:`rejection_rate` — rejected / all windows.
- :func:`confusion_matrix` — counts, rows true class, columns decision.
- :func:`r2`, :func:`rmse`, :func:`nrmse` — regression, per output and averaged;
  NRMSE divides by the range of the true output.

References
----------
Scheme E., Englehart K. (2011) Electromyogram pattern recognition for control of
powered upper-limb prostheses: state of the art and challenges for clinical use.
J Rehabil Res Dev 48(6):643-659.
Scheme E., Englehart K., Hudgins B. (2011) Selective classification for improved
robustness of myoelectric control under nonideal conditions. IEEE Trans Biomed Eng
58(6):1698-1705.
Hargrove L., Englehart K., Hudgins B. (2007) A comparison of surface and
intramuscular myoelectric signal classification. IEEE Trans Biomed Eng 54(5):847-853.
Eddy E., Campbell E., Phinyomark A., Bateman S., Scheme E. (2023) LibEMG: an open
source library to facilitate the exploration of myoelectric control. IEEE Access 11.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from myograph.control.dataset import GestureDataset
from myograph.core.errors import ParameterError

__all__ = [
    "LeaveOneRepetitionOut", "CrossSession", "CrossSubject", "ShortCalibration",
    "accuracy", "balanced_accuracy", "active_error", "instability", "rejection_rate", "confusion_matrix",
    "r2", "rmse", "nrmse", "evaluate", "EvaluationResult", "streams", "REJECTED",
    "decisions", "classification_scores", "regression_scores",
]

#: the decision that says "rejected" (no output)
REJECTED = -1


def _groups(X: Any, groups: Any) -> pd.DataFrame:
    if isinstance(X, GestureDataset):
        return X.groups
    if isinstance(groups, GestureDataset):
        return groups.groups
    if isinstance(groups, pd.DataFrame):
        return groups.reset_index(drop=True)
    if isinstance(groups, dict):
        return pd.DataFrame(groups)
    raise ParameterError("groups", "pass the GestureDataset (as X or groups) or its .groups table")


class _Splitter:
    """Base: ``split`` over a groups table; ``get_n_splits`` counts the folds."""

    def _folds(self, g: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:  # pragma: no cover
        raise NotImplementedError

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for train, test, _ in self._folds(_groups(X, groups)):
            yield train, test

    def folds(self, X: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:
        """Like :meth:`split`, with a dict saying what each fold tests."""
        yield from self._folds(_groups(X, groups))

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return sum(1 for _ in self._folds(_groups(X, groups)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _by(g: pd.DataFrame, cols: list[str]) -> Iterator[tuple[tuple, np.ndarray]]:
    if not cols:
        yield (), np.arange(len(g))
        return
    for key, idx in g.groupby(cols, sort=True).indices.items():
        yield (key if isinstance(key, tuple) else (key,)), np.sort(idx)


class LeaveOneRepetitionOut(_Splitter):
    """Within each subject and session, test each repetition after training on the others.

    Parameters
    ----------
    augmented_in_test : bool
        Keep augmented windows in test folds (default False: they are training-only).
    """

    def __init__(self, augmented_in_test: bool = False) -> None:
        self.augmented_in_test = augmented_in_test

    def _folds(self, g: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:
        for (subj, sess), idx in _by(g, ["subject", "session"]):
            reps = g["repetition"].to_numpy()[idx]
            for r in np.unique(reps):
                test = idx[reps == r]
                train = idx[reps != r]
                if train.size and test.size:
                    yield train, _drop_aug(g, test, self.augmented_in_test), {"subject": subj, "session": sess, "repetition": int(r)}


def _drop_aug(g: pd.DataFrame, test: np.ndarray, keep: bool) -> np.ndarray:
    if keep or "augmented" not in g:
        return test
    return test[~g["augmented"].to_numpy()[test]]


class CrossSession(_Splitter):
    """Within each subject, test each session after training on the subject's other sessions."""

    def _folds(self, g: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:
        for (subj,), idx in _by(g, ["subject"]):
            sess = g["session"].to_numpy()[idx]
            for s in sorted(set(sess.tolist())):
                train, test = idx[sess != s], idx[sess == s]
                if train.size and test.size:
                    yield train, _drop_aug(g, test, False), {"subject": subj, "session": s}


class CrossSubject(_Splitter):
    """Test each subject after training on all the others (leave-one-subject-out)."""

    def _folds(self, g: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:
        subj = g["subject"].to_numpy()
        for s in sorted(set(subj.tolist())):
            train, test = np.flatnonzero(subj != s), np.flatnonzero(subj == s)
            if train.size and test.size:
                yield train, _drop_aug(g, test, False), {"subject": s}


class ShortCalibration(_Splitter):
    """Train on a short calibration, test on the rest of the session.

    Parameters
    ----------
    n_repetitions : int
        Calibration = repetitions ``0 .. n_repetitions - 1`` of the session; the test
        is every later repetition.
    with_other_sessions : bool
        Also train on the subject's other sessions (calibration that *updates* a
        model from earlier days). Default False: the calibration alone.
    """

    def __init__(self, n_repetitions: int = 1, with_other_sessions: bool = False) -> None:
        self.n_repetitions = n_repetitions
        self.with_other_sessions = with_other_sessions

    def _folds(self, g: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, dict]]:
        n = self.n_repetitions
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterError("n_repetitions", f"must be an integer >= 1, got {n!r}")
        reps = g["repetition"].to_numpy()
        subj_all = g["subject"].to_numpy()
        for (subj, sess), idx in _by(g, ["subject", "session"]):
            r = reps[idx]
            train, test = idx[r < n], idx[r >= n]
            if self.with_other_sessions:
                other = np.flatnonzero((subj_all == subj) & (g["session"].to_numpy() != sess))
                train = np.sort(np.concatenate([train, other]))
            if train.size and test.size:
                yield train, _drop_aug(g, test, False), {"subject": subj, "session": sess, "calibration_repetitions": int(n)}


# --- metrics -------------------------------------------------------------------------

def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ParameterError("y_pred", f"shape {p.shape} differs from y_true's {t.shape}")
    return t, p


def accuracy(y_true: Any, y_pred: Any, *, rejected: Any = REJECTED) -> float:
    """Correct decisions / decided windows (rejected windows left out); NaN if none decided."""
    t, p = _pair(y_true, y_pred)
    keep = p != rejected
    return float(np.mean(t[keep] == p[keep])) if keep.any() else float("nan")


def balanced_accuracy(y_true: Any, y_pred: Any, *, rejected: Any = REJECTED) -> float:
    """Mean over true classes of each class's accuracy (rejected windows left out).

    Use it beside :func:`accuracy` when rest windows outnumber each gesture's.
    """
    t, p = _pair(y_true, y_pred)
    keep = p != rejected
    t, p = t[keep], p[keep]
    if t.size == 0:
        return float("nan")
    return float(np.mean([np.mean(p[t == c] == c) for c in np.unique(t)]))


def active_error(y_true: Any, y_pred: Any, *, rest: Any, rejected: Any = REJECTED, definition: str = "scheme") -> float:
    """Error that would move the device the wrong way (see module docstring).

    ``definition="scheme"`` (default): among windows with an active true class and an
    active decision, the fraction whose decision is another active class.
    ``definition="libemg"``: among windows whose decision is neither rest nor
    rejected, the fraction wrong (LibEMG's AER). NaN when the denominator is empty.
    """
    t, p = _pair(y_true, y_pred)
    active_pred = (p != rest) & (p != rejected)
    if definition == "scheme":
        sel = (t != rest) & active_pred
    elif definition == "libemg":
        sel = active_pred
    else:
        raise ParameterError("definition", f"must be 'scheme' or 'libemg', got {definition!r}")
    return float(np.mean(p[sel] != t[sel])) if sel.any() else float("nan")


def instability(y_pred: Any, y_true: Any = None, *, groups: Any = None) -> float:
    """Fraction of consecutive decision pairs that change.

    Only pairs within one stream (equal ``groups``, e.g. from :func:`streams`) and,
    when ``y_true`` is given, with an unchanged true class count. NaN without pairs.
    """
    p = np.asarray(y_pred)
    ok = np.ones(max(p.size - 1, 0), dtype=bool)
    if groups is not None:
        gr = np.asarray(groups)
        ok &= gr[1:] == gr[:-1]
    if y_true is not None:
        t, p = _pair(y_true, p)
        ok &= t[1:] == t[:-1]
    return float(np.mean(p[1:][ok] != p[:-1][ok])) if ok.any() else float("nan")


def rejection_rate(y_pred: Any, *, rejected: Any = REJECTED) -> float:
    """Rejected decisions / all decisions (NaN for none)."""
    p = np.asarray(y_pred)
    return float(np.mean(p == rejected)) if p.size else float("nan")


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int, *, rejected: Any = REJECTED) -> np.ndarray:
    """Counts ``(n_classes, n_classes + 1)``: rows true class, columns decision, last column rejected."""
    t, p = _pair(y_true, y_pred)
    cm = np.zeros((n_classes, n_classes + 1), dtype=np.int64)
    col = np.where(p == rejected, n_classes, p).astype(np.int64)
    if t.size and (t.min() < 0 or t.max() >= n_classes or col.min() < 0 or col.max() > n_classes):
        raise ParameterError("y_true", f"class indices must lie in [0, {n_classes - 1}] (decisions may be {rejected})")
    np.add.at(cm, (t.astype(np.int64), col), 1)
    return cm


def _reg(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = _pair(np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64))
    if t.ndim == 1:
        t, p = t[:, None], p[:, None]
    return t, p


def rmse(y_true: Any, y_pred: Any, *, multioutput: str = "uniform_average") -> Any:
    """Root-mean-square error, per output (``multioutput="raw_values"``) or averaged."""
    t, p = _reg(y_true, y_pred)
    v = np.sqrt(np.mean((t - p) ** 2, axis=0))
    return v if multioutput == "raw_values" else float(v.mean())


def nrmse(y_true: Any, y_pred: Any, *, multioutput: str = "uniform_average") -> Any:
    """RMSE divided by the range (max - min) of each true output."""
    t, p = _reg(y_true, y_pred)
    rng = t.max(axis=0) - t.min(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.sqrt(np.mean((t - p) ** 2, axis=0)) / rng
    return v if multioutput == "raw_values" else float(v.mean())


def r2(y_true: Any, y_pred: Any, *, multioutput: str = "uniform_average") -> Any:
    """Coefficient of determination 1 - SS_res / SS_tot, per output or averaged."""
    t, p = _reg(y_true, y_pred)
    ss_res = np.sum((t - p) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = 1.0 - ss_res / ss_tot
    return v if multioutput == "raw_values" else float(v.mean())


def streams(dataset: GestureDataset) -> np.ndarray:
    """Stream index per window: a new stream at each new recording or gap in the window sequence."""
    if len(dataset) == 0:
        return np.zeros(0, dtype=np.int64)
    brk = np.ones(len(dataset), dtype=bool)
    brk[1:] = (dataset.recording[1:] != dataset.recording[:-1]) | (
        np.abs(np.diff(dataset.start_s) - dataset.step_s) > 0.5 * dataset.step_s)
    return np.cumsum(brk) - 1


# --- running a protocol ----------------------------------------------------------------

@dataclass
class EvaluationResult:
    """What :func:`evaluate` returns.

    Attributes
    ----------
    folds : DataFrame
        One row per fold: what it tests, ``n_train``, ``n_test`` and the metrics.
    confusion : ndarray or None
        Pooled confusion matrix over all test windows (classification).
    class_names : tuple of str
    y_true, y_pred : ndarray
        Pooled test truth and decisions, fold after fold.
    """

    folds: pd.DataFrame
    confusion: np.ndarray | None
    class_names: tuple[str, ...]
    y_true: np.ndarray
    y_pred: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Mean of the per-fold accuracies."""
        return float(self.folds["accuracy"].mean())

    def summary(self) -> dict[str, float]:
        """Mean and standard deviation of every metric over folds."""
        metrics = ["accuracy", "balanced_accuracy", "active_error", "instability", "rejection_rate", "r2", "rmse", "nrmse"]
        num = self.folds[[c for c in metrics if c in self.folds]]
        out: dict[str, float] = {}
        for c in num.columns:
            out[c] = float(num[c].mean())
            out[c + "_sd"] = float(num[c].std(ddof=0))
        return out


def decisions(fitted: Any, X: Any, *, streams: Any = None, vote: int = 1,
              reject_threshold: float | None = None) -> np.ndarray:
    """Decisions of a fitted classifier with the live controller's post-processing.

    Rejection below ``reject_threshold`` (:func:`~myograph.control.postprocess.reject`),
    then a majority vote over ``vote`` decisions
    (:func:`~myograph.control.postprocess.majority_vote`) within each stream of
    consecutive windows (``streams``, one id per window; default: one stream).
    """
    from myograph.control.postprocess import majority_vote, reject

    if reject_threshold is not None:
        if not hasattr(fitted, "predict_proba"):
            est = fitted.steps[-1][1] if hasattr(fitted, "steps") else fitted
            raise ParameterError("reject_threshold", f"needs class probabilities; {type(est).__name__} gives none "
                                                     "(use lda, qda, logreg, knn, rf, gb, mlp or svm_calibrated)")
        d = reject(fitted.predict_proba(X), reject_threshold, classes=fitted.classes_)
    else:
        d = np.asarray(fitted.predict(X))
    if vote > 1:
        ids = np.zeros(len(d), dtype=np.int64) if streams is None else np.asarray(streams)
        voted = d.copy()
        for sid in np.unique(ids):
            m = ids == sid
            voted[m] = majority_vote(d[m], vote)
        d = voted
    return d


def classification_scores(y_true: Any, y_pred: Any, *, rest: Any = None, streams: Any = None) -> dict[str, float]:
    """The per-fold metrics of :func:`evaluate`: accuracy, balanced accuracy, active error, instability, rejection rate."""
    return dict(
        accuracy=accuracy(y_true, y_pred),
        balanced_accuracy=balanced_accuracy(y_true, y_pred),
        active_error=active_error(y_true, y_pred, rest=rest) if rest is not None else float("nan"),
        instability=instability(y_pred, y_true, groups=streams),
        rejection_rate=rejection_rate(y_pred),
    )


def regression_scores(y_true: Any, y_pred: Any) -> dict[str, float]:
    """The per-fold metrics of :func:`evaluate` for a regressor: R², RMSE, NRMSE (averaged over outputs)."""
    return dict(r2=r2(y_true, y_pred), rmse=rmse(y_true, y_pred), nrmse=nrmse(y_true, y_pred))


def evaluate(
    pipeline: Any,
    dataset: GestureDataset,
    protocol: Any,
    *,
    augment: Callable[[GestureDataset], GestureDataset] | dict | None = None,
    decide: Callable[[Any, np.ndarray], np.ndarray] | None = None,
    vote: int = 1,
    reject_threshold: float | None = None,
) -> EvaluationResult:
    """Fit a fresh clone of ``pipeline`` on each training fold and score its test fold.

    Parameters
    ----------
    pipeline : sklearn estimator
        From :func:`make_pipeline` (input: ``dataset.X``).
    dataset : GestureDataset
    protocol : splitter
        :class:`LeaveOneRepetitionOut`, :class:`CrossSession`, :class:`CrossSubject`,
        :class:`ShortCalibration`, or any object with ``split(X, y, groups)``.
    augment : callable or dict, optional
        Applied to each training fold only: a function of the training
        :class:`GestureDataset`, or keyword arguments of
        :func:`myograph.control.augment`.
    decide : callable, optional
        ``decide(fitted_pipeline, X_test) -> decisions`` for decisions of your own;
        default :func:`decisions` with ``vote`` and ``reject_threshold``.
    vote, reject_threshold
        The live controller's post-processing of each test fold (see :func:`decisions`):
        rejection below a probability, then a majority vote within each stream.

    Regression pipelines (last step named ``regressor``) are scored against
    ``dataset.targets`` with R², RMSE and NRMSE.
    """
    from sklearn.base import clone

    from myograph.control.dataset import augment as _augment

    from sklearn.base import is_regressor

    regression = is_regressor(pipeline) or (hasattr(pipeline, "steps") and pipeline.steps[-1][0] == "regressor")
    if regression and dataset.targets is None:
        raise ParameterError("dataset", "a regression pipeline needs dataset.targets")
    rest = dataset.rest_index
    stream = streams(dataset)
    folds_iter = protocol.folds(dataset) if hasattr(protocol, "folds") else (
        (tr, te, {}) for tr, te in protocol.split(dataset.X, dataset.y, dataset.groups))
    rows, all_t, all_p = [], [], []
    for k, (train, test, what) in enumerate(folds_iter):
        tr = dataset.subset(train)
        if augment is not None:
            tr = augment(tr) if callable(augment) else _augment(tr, **augment)
        model = clone(pipeline)
        te = dataset.subset(test)
        row: dict[str, Any] = {"fold": k, **what, "n_train": len(tr), "n_test": len(te)}
        if regression:
            model.fit(tr.X, tr.targets)
            pred = np.asarray(model.predict(te.X)).reshape(te.targets.shape)  # a single output may come back 1-D
            row.update(regression_scores(te.targets, pred))
            all_t.append(te.targets)
            all_p.append(pred)
        else:
            model.fit(tr.X, tr.y)
            pred = np.asarray(decide(model, te.X) if decide is not None else decisions(
                model, te.X, streams=stream[test], vote=vote, reject_threshold=reject_threshold))
            row.update(classification_scores(te.y, pred, rest=rest, streams=stream[test]))
            all_t.append(te.y)
            all_p.append(pred)
        rows.append(row)
    if not rows:
        raise ParameterError("protocol", f"{protocol!r} made no folds from this dataset (one session/subject/repetition?)")
    y_true, y_pred = np.concatenate(all_t), np.concatenate(all_p)
    cm = None if regression else confusion_matrix(y_true, y_pred, len(dataset.class_names))
    return EvaluationResult(pd.DataFrame(rows), cm, dataset.class_names, y_true, y_pred)
