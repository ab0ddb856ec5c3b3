"""Streaming twins: any chunking gives the causal offline result to float precision."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as sps
from hypothesis import given, settings
from hypothesis import strategies as st

from myograph import ParameterError, SignalError
from myograph.signal import (
    StreamingBandpass,
    StreamingFilter,
    StreamingHighpass,
    StreamingLowpass,
    StreamingNotch,
    StreamingPowerline,
    bandpass,
    cascade,
    design_bandpass,
    design_lowpass,
    design_notch,
    filter_sos,
)

FS = 2000.0
N = 3000
X = np.random.default_rng(11).normal(0.0, 1e-4, size=(3, N)) + 2e-4  # EMG-sized, with an offset


def feed(stream, x, sizes):
    """Feed ``x`` in chunks of ``sizes`` (the remainder as a last chunk) and concatenate."""
    out, i = [], 0
    for s in sizes:
        if i >= x.shape[-1]:
            break
        out.append(stream.process(x[..., i:i + s]))
        i += s
    out.append(stream.process(x[..., i:]))
    return np.concatenate(out, axis=-1)


chunkings = st.lists(st.integers(min_value=0, max_value=700), min_size=1, max_size=40)


@settings(max_examples=30, deadline=None)
@given(sizes=chunkings)
def test_streaming_band_pass_over_random_chunks_equals_causal_sosfilt(sizes):
    live = StreamingBandpass(FS, 20, 450, n_channels=3)
    expected = sps.sosfilt(design_bandpass(20, 450, FS), X, axis=-1)
    np.testing.assert_allclose(feed(live, X, sizes), expected, rtol=1e-10, atol=1e-18)


@settings(max_examples=15, deadline=None)
@given(sizes=chunkings)
def test_streaming_cascade_equals_the_offline_causal_filter(sizes):
    sos = cascade(design_bandpass(20, 450, FS), design_notch(50, FS, harmonics=3))
    live = StreamingFilter(sos, 3)
    np.testing.assert_allclose(feed(live, X, sizes), filter_sos(X, sos, zero_phase=False), rtol=1e-10, atol=1e-18)


@pytest.mark.parametrize(
    ("make", "offline"),
    [
        (lambda: StreamingHighpass(FS, 20, 3), lambda x: sps.sosfilt(sps.butter(4, 20, "highpass", fs=FS, output="sos"), x)),
        (lambda: StreamingLowpass(FS, 6, 3, order=2), lambda x: sps.sosfilt(sps.butter(2, 6, fs=FS, output="sos"), x)),
        (lambda: StreamingNotch(FS, 60, 3, harmonics=2), lambda x: filter_sos(x, design_notch(60, FS, harmonics=2), zero_phase=False)),
        (lambda: StreamingPowerline(FS, 50, 3, n_harmonics=5), lambda x: filter_sos(x, design_notch(50, FS, harmonics=5), zero_phase=False)),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_streaming_filter_matches_its_causal_offline_twin(make, offline, seed):
    sizes = np.random.default_rng(seed).integers(1, 400, size=30)
    np.testing.assert_allclose(feed(make(), X, sizes), offline(X), rtol=1e-10, atol=1e-18)


def test_steady_initial_state_matches_sosfilt_started_at_steady_state():
    sos = design_bandpass(20, 450, FS)
    live = StreamingFilter(sos, 3, initial="steady")
    zi = sps.sosfilt_zi(sos)[:, np.newaxis, :] * X[:, 0][np.newaxis, :, np.newaxis]
    expected, _ = sps.sosfilt(sos, X, axis=-1, zi=zi)
    np.testing.assert_allclose(feed(live, X, [7, 100, 1, 900]), expected, rtol=1e-10, atol=1e-18)


def test_the_carried_state_is_scipy_s_zi_and_reset_forgets_it():
    sos = design_lowpass(6, FS)
    live = StreamingFilter(sos, 3)
    live.process(X[:, :500])
    _, zf = sps.sosfilt(sos, X[:, :500], axis=-1, zi=np.zeros((2, 3, 2)))
    np.testing.assert_allclose(live.zi, zf, rtol=1e-12)
    assert live.n_samples_seen == 500
    live.reset()
    assert live.n_samples_seen == 0 and not live.zi.any()


def test_streaming_band_pass_is_close_to_zero_phase_only_in_magnitude_not_in_phase():
    """The causal twin is not the zero-phase result: how close they are, stated as numbers.

    For a 80 Hz tone the zero-phase band-pass has gain |H|^2 and no phase shift; the causal one
    has gain |H| and a phase shift (at 80 Hz a lead of about 1.1 samples, the high-pass edge
    dominating). Both keep the tone's amplitude within 1 %, and once shifted by the phase delay the
    causal output matches the zero-phase one within 1 % of the amplitude; unshifted they differ by
    more than 10 %.
    """
    t = np.arange(int(4 * FS)) / FS
    x = np.sin(2 * np.pi * 80 * t)
    live = StreamingBandpass(FS, 20, 450, 1)
    causal = feed(live, x, [256] * 40)
    zero_phase = bandpass(x, FS, 20, 450)
    mid = slice(2000, 6000)
    assert np.std(causal[mid]) == pytest.approx(np.std(zero_phase[mid]), rel=0.01)
    _, h = sps.sosfreqz(design_bandpass(20, 450, FS), worN=[80.0], fs=FS)
    lag = -np.angle(h[0]) / (2 * np.pi * 80) * FS  # phase delay, samples (negative: a lead)
    assert 0.5 < abs(lag) < 5
    shifted = np.interp(np.arange(2000, 6000) - lag, np.arange(len(x)), zero_phase)
    np.testing.assert_allclose(causal[mid], shifted, atol=0.01)
    assert np.max(np.abs(causal[mid] - zero_phase[mid])) > 0.1


def test_streaming_mask_restarts_after_a_gap_like_the_offline_causal_filter_per_run():
    x = X.copy()
    x[1, 1000:1050] = np.nan
    sos = design_bandpass(20, 450, FS)
    live = StreamingFilter(sos, 3, nan_policy="mask")
    got = feed(live, x, [1020, 10, 300])  # the gap straddles three chunks
    expected = filter_sos(x, sos, zero_phase=False, nan_policy="mask")
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-18)
    assert np.isnan(got[1, 1000:1050]).all() and np.isfinite(got[1, 1050:]).all()


def test_streaming_refuses_nan_by_default_and_propagate_poisons_the_state():
    x = X[:, :100].copy()
    x[0, 5] = np.nan
    with pytest.raises(SignalError, match="chunk: 1 non-finite"):
        StreamingBandpass(FS, 20, 450, 3).process(x)
    live = StreamingBandpass(FS, 20, 450, 3, nan_policy="propagate")
    live.process(x)
    assert np.isnan(live.process(X[:, 100:200])[0]).all()
    live.reset()
    assert np.isfinite(live.process(X[:, 100:200])).all()


def test_chunks_of_the_wrong_shape_are_refused():
    live = StreamingBandpass(FS, 20, 450, 3)
    with pytest.raises(ParameterError, match=r"chunk: expected shape \(3, n_samples\), got \(2, 10\)"):
        live.process(np.zeros((2, 10)))
    with pytest.raises(ParameterError, match="1-D chunk"):
        live.process(np.zeros(10))
    assert StreamingBandpass(FS, 20, 450, 1).process(np.zeros(10)).shape == (10,)
    assert live.process(np.zeros((3, 0))).shape == (3, 0)


def test_streaming_designs_are_validated_like_offline_ones():
    with pytest.raises(ParameterError, match="Nyquist"):
        StreamingLowpass(FS, 1200, 2)
    with pytest.raises(ParameterError, match="n_channels"):
        StreamingFilter(design_lowpass(6, FS), 0)
    with pytest.raises(ParameterError, match="initial"):
        StreamingFilter(design_lowpass(6, FS), 1, initial="warm")
