"""Recording methods: thin wrappers that filter EMG channels and record provenance."""

from __future__ import annotations

import json

import numpy as np
import pytest

from myograph import Channel, ParameterError, Recording
from myograph.signal import bandpass, design_bandpass, linear_envelope, moving_rms, resample, surface_pipeline

FS = 2000.0


def mixed_recording(seconds=4.0, power_line_hz=None):
    rng = np.random.default_rng(7)
    n = int(seconds * FS)
    data = np.vstack([rng.normal(0, 1e-4, size=(2, n)), np.linspace(0, 50, n), (np.arange(n) % 1000 < 10) * 5.0])
    channels = [Channel("bic", muscle="biceps"), Channel("tri", muscle="triceps"),
                Channel("Fz", type="FORCE", units="N"), Channel("sync", type="TRIG", units="V")]
    rec = Recording(data, fs=FS, channels=channels).annotate(1.0, 0.5, "burst")
    if power_line_hz is not None:
        rec = rec.with_metadata(power_line_hz=power_line_hz)
    return rec


def test_bandpass_filters_emg_channels_only_and_records_the_design():
    rec = mixed_recording()
    out = rec.bandpass(20, 450)
    np.testing.assert_allclose(out.data[:2], bandpass(rec.data[:2], FS, 20, 450), rtol=1e-12)
    np.testing.assert_array_equal(out.data[2:], rec.data[2:])  # force and trigger untouched
    step = out.provenance[-1]
    assert step.operation == "signal.bandpass"
    p = step.parameters
    assert p["low_hz"] == 20 and p["high_hz"] == 450 and p["order"] == 4 and p["zero_phase"] is True
    assert p["channels"] == ["bic", "tri"] and p["family"] == "butterworth"
    np.testing.assert_allclose(np.array(p["design"]["sos"]), design_bandpass(20, 450, FS))
    json.dumps(step.to_dict())  # provenance stays JSON-able
    assert len(out.provenance) == len(rec.provenance) + 1
    assert out.annotations == rec.annotations
    assert [c.low_cutoff_hz for c in out.channels] == [None] * 4  # hardware fields are not software filters


def test_channels_argument_selects_what_is_filtered():
    rec = mixed_recording()
    out = rec.lowpass(10, channels=["sync"])
    np.testing.assert_array_equal(out.data[:3], rec.data[:3])
    assert np.abs(out.data[3] - rec.data[3]).max() > 1.0  # the 5 ms pulses are smeared
    assert out.provenance[-1].parameters["channels"] == ["sync"]
    every = rec.highpass(20, channels="all")
    assert every.provenance[-1].parameters["channels"] == ["bic", "tri", "Fz", "sync"]


def test_a_recording_without_emg_channels_needs_channels_named():
    rec = Recording(np.zeros((1, 5000)), fs=FS, ch_names=["Fz"], ch_types=["FORCE"], units="N")
    with pytest.raises(ParameterError, match="channels: no EMG channel"):
        rec.bandpass(20, 450)


def test_notch_and_powerline_take_the_mains_frequency_from_metadata():
    rec = mixed_recording(power_line_hz=60)
    assert rec.notch().provenance[-1].parameters["freq_hz"] == 60
    step = rec.remove_powerline().provenance[-1]
    assert step.parameters["line_hz"] == 60 and step.parameters["n_harmonics"] == 16
    with pytest.raises(ParameterError, match="freq_hz: the recording's power-line frequency is unknown"):
        mixed_recording().notch()
    assert mixed_recording().notch(50).provenance[-1].parameters["freq_hz"] == 50


def test_surface_pipeline_method_matches_the_function_and_records_both_designs():
    rec = mixed_recording(power_line_hz=50)
    out = rec.surface_pipeline()
    np.testing.assert_allclose(out.data[:2], surface_pipeline(rec.data[:2], FS), rtol=1e-12)
    np.testing.assert_array_equal(out.data[2:], rec.data[2:])
    p = out.provenance[-1].parameters
    assert out.provenance[-1].operation == "signal.surface_pipeline"
    assert p["band_hz"] == [20.0, 450.0] and p["notch_hz"] == 50 and p["envelope_hz"] == 6
    assert p["design"]["conditioning"]["n_sections"] == 5 and p["design"]["envelope"]["n_sections"] == 2


def test_surface_pipeline_refuses_a_notch_that_contradicts_the_recording_s_mains():
    with pytest.raises(ParameterError, match="notch_hz: 50 Hz, but this recording's power line is 60 Hz"):
        mixed_recording(power_line_hz=60).surface_pipeline()
    mixed_recording(power_line_hz=60).surface_pipeline(notch_hz=60)


def test_method_chain_gives_the_pipeline_result_and_a_step_per_operation():
    rec = mixed_recording()
    chained = rec.bandpass(20, 450).notch(50).rectify().envelope(6)
    ops = [s.operation for s in chained.provenance[-4:]]
    assert ops == ["signal.bandpass", "signal.notch", "signal.rectify", "signal.envelope"]
    inner = slice(int(1.5 * FS), -int(1.5 * FS))
    direct = rec.surface_pipeline().data[:2, inner]
    np.testing.assert_allclose(chained.data[:2, inner], direct, atol=1e-4 * np.abs(direct).max())


def test_envelope_rectify_remove_dc_and_moving_rms_methods():
    rec = mixed_recording()
    np.testing.assert_allclose(rec.envelope(5).data[:2], linear_envelope(rec.data[:2], FS, 5), rtol=1e-12)
    np.testing.assert_array_equal(rec.rectify().data[:2], np.abs(rec.data[:2]))
    np.testing.assert_allclose(rec.remove_dc().data[:2].mean(axis=1), 0, atol=1e-18)
    out = rec.moving_rms(0.1)
    np.testing.assert_allclose(out.data[:2], moving_rms(rec.data[:2], FS, 0.1), rtol=1e-12)
    assert out.provenance[-1].parameters["window_samples"] == 200
    np.testing.assert_array_equal(out.data[2:], rec.data[2:])


def test_resample_changes_the_rate_of_every_channel_and_keeps_annotations_in_seconds():
    rec = mixed_recording()
    out = rec.resample(1000)
    assert out.fs == 1000 and out.n_samples == rec.n_samples // 2
    np.testing.assert_allclose(out.data, resample(rec.data, FS, 1000.0))
    assert out.annotations == rec.annotations
    p = out.provenance[-1].parameters
    assert (p["up"], p["down"], p["fs_in"], p["fs_out"]) == (1, 2, FS, 1000.0)


def test_normalize_to_an_mvc_recording_records_the_reference_per_channel():
    rec = mixed_recording().envelope(6)
    mvc = mixed_recording().envelope(6)
    mvc_data = mvc.get_data()
    mvc_data[:2] *= 4
    mvc = Recording(mvc_data, fs=FS, channels=list(mvc.channels))
    out = rec.normalize("mvc", mvc, window_s=0.5)
    p = out.provenance[-1].parameters
    assert out.provenance[-1].operation == "signal.normalize"
    assert set(p["reference_v"]) == {"bic", "tri"}
    ref = np.array([p["reference_v"]["bic"], p["reference_v"]["tri"]])
    np.testing.assert_allclose(out.data[:2], rec.data[:2] / ref[:, None] * 100)
    assert [c.units for c in out.channels] == ["%MVC", "%MVC", "N", "V"]
    assert 0 <= p["reference_time_s"]["bic"] <= mvc.duration
    assert p["reference_source"]["duration_s"] == mvc.duration
    np.testing.assert_array_equal(out.data[2:], rec.data[2:])


def test_normalize_to_peak_and_to_given_values():
    rec = mixed_recording().rectify()
    peak = rec.normalize("peak", window_s=None)
    np.testing.assert_allclose(peak.data[:2].max(axis=1), 100.0)
    given = rec.normalize("value", {"bic": 2e-4, "tri": 1e-4}, percent=False)
    np.testing.assert_allclose(given.data[0], rec.data[0] / 2e-4)
    assert given.channels["bic"].units == "a.u."
    assert given.provenance[-1].parameters["reference_v"] == {"bic": 2e-4, "tri": 1e-4}
    with pytest.raises(ParameterError, match="method"):
        rec.normalize("zscore")
    with pytest.raises(ParameterError, match="reference"):
        rec.normalize("mvc", np.ones(3))


def test_importing_core_does_not_import_the_signal_layer():
    import subprocess
    import sys

    code = "import sys, myograph.core; print('myograph.signal' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
