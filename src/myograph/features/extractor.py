"""``FeatureExtractor``: windows -> features as a scikit-learn transformer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from myograph.core.errors import ParameterError
from myograph.features._sums import RunningSums, shared
from myograph.features.registry import FEATURES, Feature, get_feature
from myograph.features.sets import FEATURE_SETS, ALIASES, resolve_set
from myograph.features.windows import window_lengths, windows as cut_windows
from myograph.signal._validate import check_fs, check_signal

__all__ = ["FeatureExtractor", "extract", "feature_names"]

_TDPSD = ("M0", "M2", "M4", "SPARSI", "IRF", "WLF")


def _resolve(features: Any, params: Mapping[str, Mapping[str, Any]] | None) -> list[tuple[Feature, dict[str, Any]]]:
    if isinstance(features, str):
        key = features if features in FEATURES else None
        if key is None and (features.upper() in FEATURE_SETS or features.upper() in ALIASES):
            names: Sequence[str] = resolve_set(features).features
        else:
            names = [features]
    elif isinstance(features, Sequence) and len(features) > 0:
        names = []
        for f in features:
            if not isinstance(f, str):
                raise ParameterError("features", f"must be feature or set names (str), got {f!r}")
            if f not in FEATURES and (f.upper() in FEATURE_SETS or f.upper() in ALIASES):
                names.extend(resolve_set(f).features)
            else:
                names.append(f)
    else:
        raise ParameterError("features", f"must be a set name like 'TD4' or a non-empty list of feature names, got {features!r}")
    params = dict(params or {})
    out: list[tuple[Feature, dict[str, Any]]] = []
    seen: set[str] = set()
    for n in names:
        feat = get_feature(n)
        if feat.name in seen:
            continue
        seen.add(feat.name)
        out.append((feat, feat.resolve(params.get(feat.name))))
    for k in params:
        if get_feature(k).name not in seen:
            raise ParameterError("params", f"parameters given for {k}, which is not among the features {sorted(seen)}")
    return out


def feature_names(spec: list[tuple[Feature, dict[str, Any]]], n_channels: int) -> list[str]:
    """Column names, feature-major: ``ch0_MAV, ch1_MAV, ..., ch0_WL, ...`` (``ch0_AR1`` for multi-valued)."""
    names = []
    for feat, p in spec:
        k = feat.n_values(p)
        for c in range(n_channels):
            if k == 1:
                names.append(f"ch{c}_{feat.name}")
            else:
                names.extend(f"ch{c}_{feat.name}{j + 1}" for j in range(k))
    return names


def _columns(n_windows: int, n_features: int) -> np.ndarray:
    """An uninitialised ``(n_windows, n_features)`` output stored column by column (Fortran order).

    The running-sum features come as contiguous rows per channel over the
    windows, so each is one contiguous copy into this layout.
    """
    return np.empty((n_features, n_windows)).T


def _stack(values: list[np.ndarray], n_windows: int, out: np.ndarray | None = None) -> np.ndarray:
    """The feature values side by side, ``(n_windows, n_features)``, written into ``out`` when given."""
    cols = [v.reshape(n_windows, -1) for v in values]
    if out is None:
        out = _columns(n_windows, sum(c.shape[1] for c in cols))
    j = 0
    for c in cols:
        out[:, j : j + c.shape[1]] = c
        j += c.shape[1]
    return out


def _compute_windows(w: np.ndarray, fs: float, spec) -> np.ndarray:
    values = []
    tdpsd_needed = [f.name for f, _ in spec if f.name in _TDPSD]
    cache: dict[str, np.ndarray] = {}
    if len(tdpsd_needed) > 1:
        from myograph.features.time_domain import tdpsd_windows

        cache = tdpsd_windows(w, tuple(tdpsd_needed))
    for feat, p in spec:
        values.append(cache[feat.name] if feat.name in cache else feat.function(w, fs, **p))
    return _stack(values, w.shape[0])


#: samples per channel processed at a time, so that intermediates stay in cache ...
CHUNK_SAMPLES = 1 << 14
#: ... or fewer (down to half) where the running-sum buffers of that many samples would pass this many bytes
CHUNK_BYTES = 4 << 20
#: up to this many windows, the windowed functions are used on a continuous signal instead of running sums
FEW_WINDOWS = 8


class _Summed:
    """The requested features that have a running-sum form, computed together from one :class:`RunningSums`.

    ``per`` is the number of windows per chunk: :data:`CHUNK_SAMPLES`, fewer
    when the terms' buffers would pass :data:`CHUNK_BYTES`.
    """

    def __init__(self, spec, n_channels: int, n_win: int, step: int, n_samples: int) -> None:
        self.items = [(feat, tuple(feat.sums.terms(**p))) for feat, p in spec if feat.sums is not None]
        terms = list({t.key: t for _, ts in self.items for t in ts}.values())
        per_sample = n_channels * sum(4 if t.count else 8 for t in terms)  # bytes of buffer per sample
        chunk = max(CHUNK_SAMPLES // 2, min(CHUNK_SAMPLES, CHUNK_BYTES // per_sample)) if terms else CHUNK_SAMPLES
        self.per = max(1, (chunk - n_win) // step + 1)
        max_samples = min(n_samples, (self.per - 1) * step + n_win)
        self.engine = RunningSums(terms, n_channels, n_win, step, max_samples) if terms else None
        self.n_win = n_win

    def compute(self, x: np.ndarray, count: int) -> dict[str, np.ndarray]:
        """``{name: (n_channels, count)}`` for the chunk ``x`` (inside :func:`shared`)."""
        if self.engine is None:
            return {}
        sums = self.engine.sums(x, count)
        done, families = {}, {}
        for feat, terms in self.items:
            s = tuple(sums[t.key] for t in terms)
            if feat.sums.family is None:
                done[feat.name] = feat.sums.finish(s, self.n_win)
            else:
                families.setdefault(feat.sums.family, (s, []))[1].append(feat.name)
        for family, (s, names) in families.items():
            done.update(family(s, self.n_win, tuple(names)))
        return done


def _compute_continuous(x: np.ndarray, fs: float, window_s: float, step_s: float, spec) -> np.ndarray:
    n_win, step = window_lengths(fs, window_s, step_s)
    cut = cut_windows(x, fs, window_s, step_s).data  # validates the lengths
    count = cut.shape[0]
    if count <= FEW_WINDOWS:  # e.g. one live decision: cheaper than setting up the running sums
        return _compute_windows(cut, fs, spec)
    summed = _Summed(spec, x.shape[0], n_win, step, x.shape[1])
    per = summed.per  # windows per chunk
    if count <= per:
        return _continuous_chunk(x, fs, n_win, step, count, spec, summed)
    out = _columns(count, sum(feat.n_values(p) for feat, p in spec) * x.shape[0])
    for k0 in range(0, count, per):
        k1 = min(count, k0 + per)
        seg = x[:, k0 * step : (k1 - 1) * step + n_win]
        _continuous_chunk(seg, fs, n_win, step, k1 - k0, spec, summed, out=out[k0:k1])
    return out


def _continuous_chunk(x: np.ndarray, fs: float, n_win: int, step: int, count: int, spec, summed: _Summed,
                      out: np.ndarray | None = None) -> np.ndarray:
    values, wv = [], None
    with shared(x):  # diff(x), |x| ... computed once for all features
        done = summed.compute(x, count)
        for feat, p in spec:
            if feat.name in done:
                values.append(done[feat.name].T)
            elif feat.sliding is not None:
                values.append(feat.sliding(x, fs, n_win, step, **p))
            else:
                if wv is None:
                    wv = np.lib.stride_tricks.as_strided(x, (count, x.shape[0], n_win), (step * x.strides[1], x.strides[0], x.strides[1]), writeable=False)
                values.append(feat.function(wv, fs, **p))
    return _stack(values, count, out)


def _as_input(X: Any, fs: Any) -> tuple[np.ndarray, float | None]:
    from myograph.core.recording import Recording

    if isinstance(X, Recording):
        if fs is not None and float(fs) != X.fs:
            raise ParameterError("fs", f"the extractor was set to fs = {fs} Hz but the Recording is sampled at {X.fs} Hz")
        return X.data, X.fs
    arr = check_signal(X, name="X")
    if arr.ndim not in (2, 3):
        raise ParameterError("X", f"must be (n_channels, n_samples), a Recording, or pre-cut windows (n_windows, n_channels, n_window_samples); got shape {arr.shape}")
    return arr, None if fs is None else check_fs(fs)


def extract(X: Any, features: Any = "TD4", *, fs: float | None = None, window_s: float | None = None, step_s: float | None = None,
            params: Mapping[str, Mapping[str, Any]] | None = None) -> np.ndarray:
    """Features ``(n_windows, n_features)`` of a continuous signal, Recording, or pre-cut windows.

    ``fs`` is required for arrays (a Recording carries its own); ``window_s`` and
    ``step_s`` are required for continuous input and ignored for 3-D windows.
    Columns are named by :func:`feature_names`.
    """
    spec = _resolve(features, params)
    arr, rate = _as_input(X, fs)
    return _extract(arr, rate, spec, window_s, step_s)


def _extract(arr: np.ndarray, rate: float | None, spec, window_s: float | None, step_s: float | None) -> np.ndarray:
    """:func:`extract` on validated input (``_as_input``) and a resolved ``spec``."""
    if rate is None:
        raise ParameterError("fs", "the sampling rate in Hz is required (fs is never guessed)")
    if arr.ndim == 3:
        return _compute_windows(arr, rate, spec)
    if window_s is None or step_s is None:
        raise ParameterError("window_s" if window_s is None else "step_s", "required to cut a continuous signal into windows")
    return _compute_continuous(arr, rate, window_s, step_s, spec)


class FeatureExtractor(TransformerMixin, BaseEstimator):
    """Windowed EMG features as a scikit-learn transformer.

    Parameters
    ----------
    features : str or list of str
        A set name from :data:`FEATURE_SETS` (``"TD4"``, ``"TD-PSD"``, ``"LS4"`` …),
        or a list of feature and/or set names from :data:`FEATURES`.
    window_s, step_s : float
        Window length and step, s, for continuous input (2-D arrays and
        Recordings). Pre-cut 3-D windows are used as they are.
    fs : float, optional
        Sampling rate, Hz. Required for arrays; a Recording's own rate is used
        (and must agree if ``fs`` is given).
    params : dict, optional
        Per-feature parameters, e.g. ``{"WAMP": {"threshold_v": 2e-5}}``.
    normalize : bool
        Learn each output column's mean and standard deviation in ``fit``
        (attributes ``mean_``, ``scale_``) and standardise in ``transform``.
        Features differ by orders of magnitude in scale (V, V^2, counts,
        Hz), which distance- and gradient-based classifiers need removed.
    repair_nonfinite : bool
        Some features are infinite or undefined on a window by their
        definition (``MFL`` and ``LD`` of a flat window are ``-inf``,
        ``SKEW`` of a constant window is NaN). When True (default), ``fit``
        learns each column's finite range and mean (``min_``, ``max_``,
        ``mean_``) and the output replaces ``-inf``/``+inf`` by that minimum/
        maximum and NaN by the mean, so classifiers get finite input. When
        False the values are returned as computed.

    Input
    -----
    ``X`` is one of: a Recording; an array ``(n_channels, n_samples)`` (one
    continuous signal, windowed here, output rows = windows); or an array
    ``(n_windows, n_channels, n_window_samples)`` of pre-cut windows (output
    rows = the windows — the form for ``Pipeline`` + ``GridSearchCV``, whose
    splits cut along the first axis).
    """

    def __init__(self, features: Any = "TD4", window_s: float = 0.2, step_s: float = 0.05, fs: float | None = None,
                 params: Mapping[str, Mapping[str, Any]] | None = None, normalize: bool = True,
                 repair_nonfinite: bool = True) -> None:
        self.features = features
        self.window_s = window_s
        self.step_s = step_s
        self.fs = fs
        self.params = params
        self.normalize = normalize
        self.repair_nonfinite = repair_nonfinite

    def _raw(self, X: Any) -> tuple[np.ndarray, int]:
        arr, rate = _as_input(X, self.fs)  # validated once
        out = _extract(arr, rate, _resolve(self.features, self.params), self.window_s, self.step_s)
        return out, arr.shape[-2]

    def fit(self, X: Any, y: Any = None) -> "FeatureExtractor":
        self._fit(X)
        return self

    def _fit(self, X: Any) -> np.ndarray:
        spec = _resolve(self.features, self.params)
        F, n_ch = self._raw(X)
        self.n_channels_ = n_ch
        self.feature_names_out_ = np.asarray(feature_names(spec, n_ch), dtype=object)
        self.n_features_out_ = F.shape[1]
        finite = np.isfinite(F)
        if self.normalize or self.repair_nonfinite:
            Fm = np.where(finite, F, np.nan)
            ok = finite.any(axis=0)
            safe = np.where(ok[None, :], Fm, 0.0)  # all-NaN columns -> 0 (no RuntimeWarning from nan-reductions)
            mean = np.where(ok, np.nanmean(safe, axis=0), 0.0) if F.shape[0] else np.zeros(F.shape[1])
            std = np.where(ok, np.nanstd(safe, axis=0), 1.0) if F.shape[0] else np.ones(F.shape[1])
            self.mean_ = mean
            self.scale_ = np.where(np.isfinite(std) & (std > 0), std, 1.0)
            self.min_ = np.where(ok, np.nanmin(safe, axis=0), 0.0) if F.shape[0] else np.zeros(F.shape[1])
            self.max_ = np.where(ok, np.nanmax(safe, axis=0), 0.0) if F.shape[0] else np.zeros(F.shape[1])
        return F

    def _apply(self, F: np.ndarray) -> np.ndarray:
        if self.repair_nonfinite and not np.isfinite(F).all():
            F = np.where(np.isnan(F), self.mean_, F)
            F = np.where(F == -np.inf, self.min_, np.where(F == np.inf, self.max_, F))
        return (F - self.mean_) / self.scale_ if self.normalize else F

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        return self._apply(self._fit(X))

    def transform(self, X: Any) -> np.ndarray:
        if not hasattr(self, "n_features_out_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("FeatureExtractor is not fitted yet; call fit first")
        F, n_ch = self._raw(X)
        if n_ch != self.n_channels_:
            raise ParameterError("X", f"was fitted on {self.n_channels_} channels, got {n_ch}")
        return self._apply(F)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names like ``ch0_MAV`` (feature-major order)."""
        if not hasattr(self, "feature_names_out_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("FeatureExtractor is not fitted yet; call fit first")
        return self.feature_names_out_.copy()
