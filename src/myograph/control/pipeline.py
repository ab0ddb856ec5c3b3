"""One pipeline for every estimator: windows -> features -> (scaling) -> estimator.

:func:`make_pipeline` builds a scikit-learn :class:`~sklearn.pipeline.Pipeline`
whose input is an array of raw windows ``(n_windows, n_channels,
n_window_samples)`` (``GestureDataset.X``) and whose steps are ``features`` (a
:class:`myograph.features.FeatureExtractor`, or any transformer you pass),
``scale`` (a :class:`~sklearn.preprocessing.StandardScaler`, unless
``scale=False``) and ``classifier`` or ``regressor`` — a name from
:data:`CLASSIFIERS` / :data:`REGRESSORS` or any scikit-learn estimator.

The registries map names to small factories with the defaults the myoelectric
literature uses; keyword arguments of :func:`make_pipeline` that are not its own are
passed to the factory (``make_pipeline(classifier="knn", n_neighbors=5, fs=1000.0)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.pipeline import Pipeline

from myograph.core.errors import ParameterError

__all__ = ["make_pipeline", "CLASSIFIERS", "REGRESSORS", "make_estimator"]


def _lda(**kw: Any) -> BaseEstimator:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    return LinearDiscriminantAnalysis(**kw)


def _qda(**kw: Any) -> BaseEstimator:
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

    kw.setdefault("reg_param", 0.01)  # features are correlated; unregularised QDA is singular on short calibrations
    return QuadraticDiscriminantAnalysis(**kw)


def _svm(**kw: Any) -> BaseEstimator:
    from sklearn.svm import SVC

    kw.setdefault("kernel", "rbf")
    return SVC(**kw)


def _svm_calibrated(**kw: Any) -> BaseEstimator:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    # class probabilities (for rejection and confidence displays) by Platt scaling of the SVM's
    # decision values over 5 folds; decisions are their argmax (scikit-learn 1.9 deprecates
    # SVC(probability=True) in favour of this form)
    kw.setdefault("kernel", "rbf")
    return CalibratedClassifierCV(SVC(**kw), method="sigmoid", ensemble=False)


def _svm_linear(**kw: Any) -> BaseEstimator:
    from sklearn.svm import SVC

    return SVC(kernel="linear", **kw)


def _knn(**kw: Any) -> BaseEstimator:
    from sklearn.neighbors import KNeighborsClassifier

    kw.setdefault("n_neighbors", 5)
    return KNeighborsClassifier(**kw)


def _rf(**kw: Any) -> BaseEstimator:
    from sklearn.ensemble import RandomForestClassifier

    kw.setdefault("n_estimators", 100)
    kw.setdefault("random_state", 0)
    return RandomForestClassifier(**kw)


def _gb(**kw: Any) -> BaseEstimator:
    from sklearn.ensemble import HistGradientBoostingClassifier

    kw.setdefault("random_state", 0)
    return HistGradientBoostingClassifier(**kw)


def _mlp(**kw: Any) -> BaseEstimator:
    from sklearn.neural_network import MLPClassifier

    kw.setdefault("hidden_layer_sizes", (64,))
    kw.setdefault("max_iter", 500)
    kw.setdefault("random_state", 0)
    return MLPClassifier(**kw)


def _logreg(**kw: Any) -> BaseEstimator:
    from sklearn.linear_model import LogisticRegression

    kw.setdefault("max_iter", 1000)
    return LogisticRegression(**kw)


def _linear(**kw: Any) -> BaseEstimator:
    from sklearn.linear_model import LinearRegression

    return LinearRegression(**kw)


def _ridge(**kw: Any) -> BaseEstimator:
    from sklearn.linear_model import Ridge

    return Ridge(**kw)


def _rf_reg(**kw: Any) -> BaseEstimator:
    from sklearn.ensemble import RandomForestRegressor

    kw.setdefault("n_estimators", 100)
    kw.setdefault("random_state", 0)
    return RandomForestRegressor(**kw)


def _mlp_reg(**kw: Any) -> BaseEstimator:
    from sklearn.neural_network import MLPRegressor

    kw.setdefault("hidden_layer_sizes", (64,))
    kw.setdefault("max_iter", 1000)
    kw.setdefault("random_state", 0)
    return MLPRegressor(**kw)


#: named classifiers: name -> factory(**params)
CLASSIFIERS: dict[str, Callable[..., BaseEstimator]] = {
    "lda": _lda,            # linear discriminant analysis (Englehart & Hudgins 2003)
    "qda": _qda,            # quadratic discriminant analysis, reg_param 0.01
    "svm": _svm,            # RBF support vector machine
    "svm_calibrated": _svm_calibrated,  # RBF SVM with calibrated probabilities (rejection needs them)
    "svm_linear": _svm_linear,
    "knn": _knn,            # k nearest neighbours, k = 5
    "rf": _rf,              # random forest, 100 trees
    "gb": _gb,              # histogram gradient boosting
    "mlp": _mlp,            # one hidden layer of 64 units
    "logreg": _logreg,      # multinomial logistic regression
}

#: named regressors (simultaneous proportional control of several DOFs): name -> factory(**params)
REGRESSORS: dict[str, Callable[..., BaseEstimator]] = {
    "linear": _linear,
    "ridge": _ridge,
    "rf": _rf_reg,
    "mlp": _mlp_reg,
}


def make_estimator(name_or_estimator: Any, *, kind: str = "classifier", **params: Any) -> BaseEstimator:
    """An estimator from :data:`CLASSIFIERS`/:data:`REGRESSORS` by name, or the estimator given."""
    registry = CLASSIFIERS if kind == "classifier" else REGRESSORS
    if isinstance(name_or_estimator, str):
        key = name_or_estimator.lower().replace("-", "_")
        if key not in registry:
            raise ParameterError(kind, f"unknown {kind} {name_or_estimator!r}; known: {sorted(registry)} "
                                       "or any scikit-learn estimator")
        return registry[key](**params)
    if not (hasattr(name_or_estimator, "fit") and hasattr(name_or_estimator, "predict")):
        raise ParameterError(kind, f"expected a name or an estimator with fit/predict, got {type(name_or_estimator).__name__}")
    if params:
        name_or_estimator.set_params(**params)
    return name_or_estimator


def _feature_step(features: Any, *, window_s: float, step_s: float, fs: float, feature_params: dict | None,
                  scale: bool) -> Any:
    if hasattr(features, "transform") and hasattr(features, "fit"):
        return features
    if isinstance(features, str) or (isinstance(features, Sequence) and all(isinstance(f, str) for f in features)):
        try:
            from myograph.features import FeatureExtractor
        except ImportError as exc:  # pragma: no cover - until the features domain lands
            raise ParameterError("features", "myograph.features is not available; pass a transformer instead") from exc
        # the scaling step standardises; the extractor's own normalisation would repeat it
        return FeatureExtractor(features=features if isinstance(features, str) else list(features),
                                window_s=window_s, step_s=step_s, fs=fs, params=feature_params, normalize=not scale)
    raise ParameterError("features", f"expected a feature-set name, a list of feature names or a transformer, got {features!r}")


def make_pipeline(
    features: Any = "TD4",
    classifier: Any = "lda",
    *,
    regressor: Any = None,
    window_s: float = 0.2,
    step_s: float = 0.05,
    fs: float,
    scale: bool = True,
    feature_params: dict | None = None,
    **estimator_params: Any,
) -> Pipeline:
    """Windows -> features -> standard scaling -> classifier or regressor.

    Parameters
    ----------
    features : str, list of str or transformer
        A feature set (``"TD4"``, ``"TD9"``, ...) or feature names for
        :class:`myograph.features.FeatureExtractor`, or any transformer taking
        windows ``(n_windows, n_channels, n_window_samples)``.
    classifier : str or estimator
        A name from :data:`CLASSIFIERS` or a scikit-learn classifier (default LDA).
        Ignored when ``regressor`` is given.
    regressor : str or estimator, optional
        A name from :data:`REGRESSORS` or a scikit-learn regressor: the pipeline
        then predicts continuous outputs (``GestureDataset.targets``).
    window_s, step_s : float
        Window length and step, s (used by the feature extractor; must match the
        dataset's windows).
    fs : float
        Sampling rate, Hz (no default).
    scale : bool
        Standardise features before the estimator (default True; LDA and trees do
        not need it, SVM/kNN/MLP do).
    feature_params : dict, optional
        Per-feature parameters (``params=`` of the extractor), e.g.
        ``{"ZC": {"threshold_v": 1e-5}}``.
    **estimator_params
        Passed to the estimator factory (or ``set_params`` of a given estimator).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``features``, ``scale`` (if any), ``classifier`` or ``regressor``.
    """
    feat = _feature_step(features, window_s=window_s, step_s=step_s, fs=fs, feature_params=feature_params, scale=scale)
    if regressor is not None:
        est = make_estimator(regressor, kind="regressor", **estimator_params)
        if is_classifier(est):
            raise ParameterError("regressor", f"{type(est).__name__} is a classifier")
        name = "regressor"
    else:
        est = make_estimator(classifier, kind="classifier", **estimator_params)
        if is_regressor(est):
            raise ParameterError("classifier", f"{type(est).__name__} is a regressor; pass it as regressor=")
        name = "classifier"
    steps: list[tuple[str, Any]] = [("features", feat)]
    if scale:
        from sklearn.preprocessing import StandardScaler

        steps.append(("scale", StandardScaler()))
    steps.append((name, est))
    return Pipeline(steps)
