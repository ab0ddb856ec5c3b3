"""Signal quality of EMG channels: metrics, artefact detection, ECG removal, bad spans.

Per channel: power-line ratio, SNR and baseline noise estimated from the signal's own
rest and activity, clipping/saturation runs, flat or disconnected spans, ECG
contamination, motion-artefact power and spans, electrode pops. Problems become data:
``BAD_*`` annotations and channel status with a reason — nothing is deleted — and
analyses skip the bad spans and report how much they skipped
(:func:`skip_bad_spans`)::

    from myograph.quality import assess_quality, skip_bad_spans
    rec2, report, spans = assess_quality(rec, line_hz=50)
    good = skip_bad_spans(rec2, ["biceps"])    # good.mask, good.fraction_skipped

See ``docs/quality.md`` for the methods, thresholds and references.
"""

from myograph.quality.annotate import BAD_LABELS, REPORT_COLUMNS, QualityAssessment, assess_quality
from myograph.quality.ecg import HEART_RATE_BPM, QrsDetection, clean_ecg, detect_qrs, ecg_template, remove_ecg
from myograph.quality.metrics import (
    EMG_BAND_HZ,
    MOTION_BAND_HZ,
    MotionSpans,
    NoiseLevels,
    baseline_noise_rms,
    clipping_runs,
    flat_spans,
    motion_power_ratio,
    motion_spans,
    noise_levels,
    powerline_ratio,
    snr_estimate,
    span_fraction,
)
from myograph.core.spans import (
    BAD_PREFIX,
    GoodSamples,
    bad_spans,
    good_mask,
    good_windows,
    mask_to_spans,
    merge_spans,
    skip_bad_spans,
)

__all__ = [
    # Recording level
    "assess_quality", "QualityAssessment", "REPORT_COLUMNS", "BAD_LABELS", "clean_ecg",
    # metrics
    "powerline_ratio", "noise_levels", "NoiseLevels", "snr_estimate", "baseline_noise_rms", "clipping_runs",
    "flat_spans", "motion_spans", "MotionSpans", "motion_power_ratio", "span_fraction", "EMG_BAND_HZ",
    "MOTION_BAND_HZ",
    # ECG
    "detect_qrs", "QrsDetection", "remove_ecg", "ecg_template", "HEART_RATE_BPM",
    # bad spans
    "skip_bad_spans", "good_mask", "good_windows", "bad_spans", "GoodSamples", "BAD_PREFIX", "mask_to_spans",
    "merge_spans",
]
