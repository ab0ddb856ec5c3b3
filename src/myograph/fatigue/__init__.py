"""Myoelectric manifestations of muscle fatigue.

Spectral indices over sliding windows (mean and median frequency, Dimitrov's FInsm5),
their trends in Hz/s and %/s, the joint analysis of spectrum and amplitude (JASA),
and muscle-fibre conduction velocity from two channels along the fibres.

Arrays in, arrays out, ``fs`` explicit, all channels at once::

    from myograph.fatigue import median_frequency, fatigue_slopes
    t, mdf = median_frequency(emg, fs=2000.0, window_s=0.5, step_s=0.25)   # (n_channels, n_windows) Hz
    fit = fatigue_slopes(t, mdf)                                            # fit.slope Hz/s, fit.slope_pct_per_s

or on a Recording, skipping ``BAD_*`` spans and reporting how much was skipped::

    windows = analyze_fatigue(rec, window_s=0.5, step_s=0.25)   # one row per channel and window
    summary = summarize_fatigue(windows)                        # slopes, r², CI, JASA, skipped fraction

See ``docs/fatigue.md`` for the methods, units and references.
"""

from myograph.fatigue.analysis import WINDOW_STATUSES, analyze_fatigue, summarize_fatigue
from myograph.fatigue.conduction import (
    PHYSIOLOGICAL_CV_M_PER_S,
    ConductionVelocity,
    conduction_velocity,
    estimate_delay,
)
from myograph.fatigue.dimitrov import DIMITROV_BAND_HZ, dimitrov_index, finsm5, spectral_moment
from myograph.fatigue.jasa import JASA_LABELS, JasaResult, jasa, jasa_quadrant
from myograph.fatigue.spectral import (
    DEFAULT_BAND_HZ,
    MIN_FS_HZ,
    SlopeFit,
    check_band_for_fs,
    fatigue_slopes,
    mean_frequency,
    median_frequency,
    sliding_indices,
    sliding_spectrum,
)

__all__ = [
    # sliding spectral indices
    "sliding_spectrum", "sliding_indices", "mean_frequency", "median_frequency", "check_band_for_fs", "DEFAULT_BAND_HZ", "MIN_FS_HZ",
    # trends
    "fatigue_slopes", "SlopeFit",
    # Dimitrov
    "finsm5", "dimitrov_index", "spectral_moment", "DIMITROV_BAND_HZ",
    # JASA
    "jasa", "jasa_quadrant", "JasaResult", "JASA_LABELS",
    # conduction velocity
    "conduction_velocity", "estimate_delay", "ConductionVelocity", "PHYSIOLOGICAL_CV_M_PER_S",
    # Recording level
    "analyze_fatigue", "summarize_fatigue", "WINDOW_STATUSES",
]
