"""Signal conditioning: filters, envelopes, spectra, resampling, normalisation, spatial filters.

Plain functions over arrays in the style of :mod:`scipy.signal`: time along
``axis`` (default ``-1``; 1-D and ``(n_channels, n_samples)`` both work), the
sampling rate ``fs`` in Hz always explicit, units in parameter names
(``cutoff_hz``, ``window_s``). Every filter is a cascade of second-order
sections, zero-phase offline, with a streaming twin that carries its state.
Filter designs are logged on the ``"myograph.signal"`` logger; the
:class:`~myograph.Recording` methods (``rec.bandpass(20, 450)`` …) record them
in provenance.

NaN/Inf samples are handled by ``nan_policy``, never silently imputed:

``"raise"`` (default)
    refuse them (:class:`~myograph.SignalError`, saying where they are);
``"mask"``
    leave them NaN and process the finite runs between them separately;
``"propagate"``
    compute anyway and let them spread.

The one-call standard chain is :func:`surface_pipeline`
(band-pass 20–450 Hz → 50 Hz notch → rectify → 6 Hz envelope).
"""

from myograph.signal._validate import check_cutoff, check_fs, check_signal
from myograph.signal.envelopes import (
    StreamingEnvelope,
    StreamingMovingAverage,
    StreamingMovingRMS,
    RMSMeter,
    StreamingTeagerKaiser,
    linear_envelope,
    moving_average,
    moving_rms,
    rectify,
    teager_kaiser,
    window_samples,
)
from myograph.signal.filters import (
    StreamingBandpass,
    StreamingFilter,
    StreamingHighpass,
    StreamingLowpass,
    StreamingNotch,
    StreamingPowerline,
    bandpass,
    cascade,
    check_sos,
    describe_sos,
    design_bandpass,
    design_highpass,
    design_lowpass,
    design_notch,
    design_powerline,
    filter_padlen,
    filter_sos,
    highpass,
    lowpass,
    notch,
    remove_dc,
    remove_powerline,
)
from myograph.signal.normalize import (
    Normalized,
    normalize_by,
    normalize_to_mvc,
    normalize_to_peak,
    normalize_to_reference,
    reference_amplitude,
)
from myograph.signal.pipeline import (
    StreamingSurfacePipeline,
    design_surface_pipeline,
    surface_pipeline,
    surface_pipeline_blocks,
)
from myograph.signal.resample import resample, resampling_factors
from myograph.signal.spatial import (
    double_differential,
    from_grid,
    grid_positions,
    laplacian,
    single_differential,
    to_grid,
)
from myograph.signal.spectra import band_power, mean_frequency_of, median_frequency_of, psd, spectrogram

__all__ = [
    # validation
    "check_signal", "check_fs", "check_cutoff", "check_sos",
    # filter designs
    "design_bandpass", "design_highpass", "design_lowpass", "design_notch", "design_powerline", "cascade",
    "describe_sos", "filter_padlen",
    # offline filters
    "filter_sos", "bandpass", "highpass", "lowpass", "notch", "remove_powerline", "remove_dc",
    # streaming filters
    "StreamingFilter", "StreamingBandpass", "StreamingHighpass", "StreamingLowpass", "StreamingNotch",
    "StreamingPowerline",
    # envelopes
    "rectify", "linear_envelope", "moving_rms", "moving_average", "teager_kaiser", "window_samples",
    "StreamingEnvelope", "StreamingMovingRMS", "RMSMeter", "StreamingMovingAverage", "StreamingTeagerKaiser",
    # spectra
    "psd", "spectrogram", "mean_frequency_of", "median_frequency_of", "band_power",
    # resampling
    "resample", "resampling_factors",
    # normalisation
    "Normalized", "reference_amplitude", "normalize_to_mvc", "normalize_to_peak", "normalize_to_reference",
    "normalize_by",
    # spatial
    "grid_positions", "to_grid", "from_grid", "single_differential", "double_differential", "laplacian",
    # pipeline
    "surface_pipeline", "surface_pipeline_blocks", "design_surface_pipeline", "StreamingSurfacePipeline",
]
