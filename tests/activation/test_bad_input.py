"""Bad input: no activity, flat, saturated, NaN/Inf and missing channels give reasons, not crashes."""

from __future__ import annotations

import numpy as np
import pytest

from myograph.activation import DETECTORS, detect_onsets, detect_onsets_report
from myograph.core.errors import SignalError
from tests.activation.synth import make_bursts, score

FS = 1000.0


@pytest.fixture(scope="module")
def bursts():
    return make_bursts(3, 12.0, FS, 20.0, seed=5)


def test_a_channel_with_no_activity_gives_an_empty_result_with_a_reason():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 60_000)) * 1e-5
    rep = detect_onsets_report(x, FS)
    for ch in rep.channels:
        assert ch.intervals.shape == (0, 2)
        assert ch.status == "no_activity"
        assert "no activity above the noise floor" in ch.reason
    iv, reasons = detect_onsets(x[0], FS, return_reasons=True)
    assert iv.shape == (0, 2) and reasons.startswith("no activity")


def test_auto_gives_no_false_bursts_on_ten_minutes_of_band_limited_noise():
    from myograph.signal import bandpass

    rng = np.random.default_rng(1)
    x = bandpass(rng.standard_normal((2, 600_000)), FS, 20, 450)
    assert sum(len(iv) for iv in detect_onsets(x, FS)) == 0


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_a_flat_channel_is_reported_by_every_detector(name, bursts):
    x, truth = bursts
    x = x.copy()
    x[1] = 0.0
    rep = detect_onsets_report(x, FS, name, rest_s=None if name == "auto" else (0.1, 0.9))
    assert rep[1].status == "flat" and "flat channel" in rep[1].reason
    assert rep[1].intervals.shape == (0, 2)
    assert rep[0].status == "ok"


def test_a_flat_stretch_is_left_out_and_noted(bursts):
    x, truth = bursts
    x = x.copy()
    x[0, 4000:5000] = x[0, 4000]
    rep = detect_onsets_report(x, FS)
    assert any("flat" in n for n in rep[0].notes)
    iv = rep[0].intervals
    assert not np.any((iv[:, 0] > 4.0) & (iv[:, 0] < 5.0))


def test_a_channel_clipped_at_its_rails_is_reported_saturated(bursts):
    x, truth = bursts
    x = x.copy()
    x[2] = np.clip(x[2] * 1000, -1e-5, 1e-5)  # almost every sample at +-rail
    x[1] = np.clip(x[1], -0.5 * np.abs(x[1]).max(), 0.5 * np.abs(x[1]).max())  # bursts clipped, still bursts
    rep = detect_onsets_report(x, FS)
    assert rep[2].status == "saturated" and "clipped at the rails" in rep[2].reason
    assert rep[1].status == "ok" and any("clipped" in n for n in rep[1].notes)
    assert score([rep[1].intervals], [truth[1]])["f1"] >= 0.95


def test_nan_samples_are_refused_by_default_naming_where(bursts):
    x, _ = bursts
    x = x.copy()
    x[1, 300] = np.nan
    with pytest.raises(SignalError, match="non-finite"):
        detect_onsets(x, FS)


def test_masked_nan_samples_split_the_channel_and_bursts_are_still_found(bursts):
    x, truth = bursts
    x = x.copy()
    x[0, 6000:6200] = np.nan
    x[1, 100] = np.inf
    rep = detect_onsets_report(x, FS, nan_policy="mask")
    assert any("non-finite" in n for n in rep[0].notes)
    iv = rep[0].intervals
    assert not np.any((iv[:, 0] < 6.2) & (iv[:, 1] > 6.0))  # nothing spans the gap
    keep = [t[(t[:, 1] < 6.0) | (t[:, 0] > 6.2)] for t in truth[:2]]
    assert score(rep.intervals[:2], keep)["recall"] >= 0.95


def test_propagated_nan_gives_no_result_for_that_channel_only(bursts):
    x, _ = bursts
    x = x.copy()
    x[2, 50] = np.nan
    rep = detect_onsets_report(x, FS, nan_policy="propagate")
    assert rep[2].status == "nonfinite" and rep[2].intervals.shape == (0, 2)
    assert rep[0].status == "ok"


def test_an_all_nan_channel_is_reported_missing(bursts):
    x, _ = bursts
    x = x.copy()
    x[1] = np.nan
    rep = detect_onsets_report(x, FS, nan_policy="mask")
    assert rep[1].status == "missing" and "missing channel" in rep[1].reason
    assert rep[0].status == "ok"


def test_a_channel_with_only_short_finite_stretches_is_too_short(bursts):
    x, _ = bursts
    x = x.copy()
    x[1, ::50] = np.nan
    rep = detect_onsets_report(x, FS, nan_policy="mask")
    assert rep[1].status == "too_short"


def test_excluded_samples_are_left_out_like_masked_ones(bursts):
    x, truth = bursts
    ex = np.zeros(x.shape, dtype=bool)
    ex[:, :3000] = True
    rep = detect_onsets_report(x, FS, exclude=ex)
    assert all(iv[:, 0].min() >= 3.0 for iv in rep.intervals if iv.size)
    assert "3.000 s excluded" in rep[0].notes
