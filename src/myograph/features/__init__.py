"""Windows and features for myoelectric pattern recognition (``myograph.features``).

* :func:`windows` cuts ``(n_channels, n_samples)`` into a read-only view
  ``(n_windows, n_channels, n_window_samples)`` plus window start times.
* :data:`FEATURES` is the registry of published EMG features: one small
  vectorised function each (all windows and channels at once) with its
  definition, reference, unit and parameters — time domain, TD-PSD,
  frequency domain, autoregressive/cepstral, entropy and wavelet.
* :data:`FEATURE_SETS` names the sets users ask for (``TD4``, ``TD9``,
  ``TDAR``, ``LS4``, ``LS9``, ``TD-PSD``, ``HJORTH``, ``SPECTRAL``).
* :class:`FeatureExtractor` wraps them as a scikit-learn transformer.

See ``docs/features.md``.
"""

from myograph.features import ar_cepstral, entropy, spectral, time_domain, wavelet  # noqa: F401  (register features)
from myograph.features.extractor import FeatureExtractor, extract, feature_names
from myograph.features.registry import FEATURES, Feature, Parameter, get_feature
from myograph.features.sets import ALIASES, FEATURE_SETS, FeatureSet, resolve_set
from myograph.features.windows import Windows, label_windows, window_lengths, windows

__all__ = [
    "FEATURES",
    "FEATURE_SETS",
    "ALIASES",
    "Feature",
    "FeatureSet",
    "Parameter",
    "FeatureExtractor",
    "extract",
    "feature_names",
    "get_feature",
    "resolve_set",
    "windows",
    "window_lengths",
    "label_windows",
    "Windows",
]
