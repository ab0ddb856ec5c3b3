"""The Recording: construction, units, immutability, selection, cropping, provenance."""

from __future__ import annotations

import numpy as np
import pytest

import myograph
from myograph import Annotations, Channel, ChannelError, Metadata, ParameterError, Recording
from tests.conftest import make_recording


def test_samples_are_stored_in_volts_whatever_unit_they_came_in():
    rec = Recording(np.full((3, 10), 2.0), fs=100, ch_names=["a", "b", "c"], units=["mV", "uV", "µV"])
    np.testing.assert_allclose(rec.data[:, 0], [2e-3, 2e-6, 2e-6])
    assert [c.units for c in rec.channels] == ["V", "V", "V"]


def test_non_voltage_channels_keep_their_unit_and_nmm_becomes_nm():
    rec = Recording(np.ones((2, 5)), fs=10, ch_names=["Fz", "Mz"], units=["N", "Nmm"], ch_types=["FORCE", "TORQUE"])
    assert [c.units for c in rec.channels] == ["N", "N·m"]
    np.testing.assert_allclose(rec.data[:, 0], [1.0, 1e-3])


def test_a_one_dimensional_array_is_one_channel():
    rec = Recording(np.arange(5.0), fs=5)
    assert rec.data.shape == (1, 5)
    assert rec.ch_names == ["EMG1"]
    assert rec.duration == 1.0


def test_the_caller_cannot_corrupt_a_recording_through_its_arrays():
    src = np.zeros((1, 4))
    rec = Recording(src, fs=4)
    src[0, 0] = 99.0  # the input was copied
    assert rec.data[0, 0] == 0.0
    with pytest.raises(ValueError):
        rec.data[0, 0] = 1.0
    with pytest.raises(ValueError):
        rec.annotations.onset[:] = 1.0
    out = rec.get_data()
    out[0, 0] = 5.0  # get_data hands out a writable copy
    assert rec.data[0, 0] == 0.0


@pytest.mark.parametrize("fs", [0, -1, float("nan"), float("inf"), "fast", None])
def test_an_invalid_sampling_rate_is_refused_naming_fs(fs):
    with pytest.raises(ParameterError, match="fs"):
        Recording(np.zeros((1, 3)), fs=fs)


def test_mismatched_names_and_rows_are_refused():
    with pytest.raises(ParameterError, match="ch_names"):
        Recording(np.zeros((2, 3)), fs=1, ch_names=["only-one"])


def test_duplicate_channel_names_are_refused():
    with pytest.raises(ParameterError, match="unique"):
        Recording(np.zeros((2, 3)), fs=1, ch_names=["x", "x"])


def test_three_dimensional_data_is_refused():
    with pytest.raises(ParameterError, match="data"):
        Recording(np.zeros((2, 3, 4)), fs=1)


def test_select_by_name_keeps_the_given_order_and_records_provenance():
    rec = make_recording(4)
    sub = rec.select(["ch3", "ch1"])
    assert sub.ch_names == ["ch3", "ch1"]
    np.testing.assert_array_equal(sub.data, rec.data[[3, 1]])
    assert sub.provenance[-1].operation == "select"


def test_select_by_type_muscle_and_group():
    channels = [
        Channel("bic", muscle="biceps", side="R", group="arm"),
        Channel("tri", muscle="triceps", side="R", group="arm"),
        Channel("Fz", type="FORCE", units="N"),
    ]
    rec = Recording(np.zeros((3, 10)), fs=10, channels=channels)
    assert rec.select(type="EMG").ch_names == ["bic", "tri"]
    assert rec.select(muscle="triceps").ch_names == ["tri"]
    assert rec.select(group="arm", muscle=["biceps", "triceps"]).ch_names == ["bic", "tri"]
    with pytest.raises(ParameterError):
        rec.select(muscle="soleus")


def test_an_unknown_channel_name_raises_a_channel_error_listing_the_channels():
    rec = make_recording(2)
    with pytest.raises(ChannelError, match="ch0"):
        rec.select("nope")
    with pytest.raises(KeyError):  # ChannelError is also a KeyError
        rec.select("nope")


def test_bad_channels_can_be_excluded():
    rec = make_recording(3).mark_bad("ch1", "electrode off")
    assert rec.channels["ch1"].status == "bad"
    assert rec.channels["ch1"].status_description == "electrode off"
    assert rec.select(exclude_bad=True).ch_names == ["ch0", "ch2"]


def test_crop_takes_the_half_open_span_and_shifts_annotations():
    rec = make_recording(1, n_samples=2000, fs=1000.0)  # burst annotation at 0.5 s for 0.25 s
    part = rec.crop(0.6, 1.5)
    assert part.n_samples == 900
    np.testing.assert_array_equal(part.data, rec.data[:, 600:1500])
    a = part.annotations[0]
    assert a.label == "burst"
    assert a.onset == pytest.approx(0.0)
    assert a.duration == pytest.approx(0.15)
    assert [s.operation for s in part.provenance][-1] == "crop"


@pytest.mark.parametrize("span", [(-1, 1), (1, 0.5), (0, 3.0), (1.0, 1.0)])
def test_crop_outside_the_recording_is_refused(span):
    with pytest.raises(ParameterError, match="start_s"):
        make_recording(1, n_samples=2000, fs=1000.0).crop(*span)


def test_get_data_converts_voltage_channels_to_microvolts_only():
    rec = Recording(np.array([[1e-3], [2.0]]), fs=1, ch_names=["emg", "force"], units=["V", "N"], ch_types=["EMG", "FORCE"])
    np.testing.assert_allclose(rec.get_data(units="uV")[:, 0], [1000.0, 2.0])
    with pytest.raises(ParameterError, match="units"):
        rec.get_data(units="N")


def test_concatenating_channels_needs_equal_rates_and_lengths():
    a, b = make_recording(2, seed=1), make_recording(1, seed=2)
    b = Recording(b.data, fs=b.fs, ch_names=["other"])
    both = myograph.concatenate_channels([a, b])
    assert both.ch_names == ["ch0", "ch1", "other"]
    np.testing.assert_array_equal(both.data[2], b.data[0])
    with pytest.raises(ParameterError, match="fs"):
        myograph.concatenate_channels([a, Recording(b.data, fs=500.0)])
    with pytest.raises(ParameterError, match="n_samples"):
        myograph.concatenate_channels([a, Recording(np.zeros((1, 10)), fs=a.fs)])


def test_to_dataframe_has_a_time_index_and_one_column_per_channel():
    rec = make_recording(2, n_samples=100, fs=50.0)
    df = rec.to_dataframe(units="uV")
    assert list(df.columns) == ["ch0", "ch1"]
    assert df.index.name == "time_s"
    assert df.index[-1] == pytest.approx(99 / 50.0)
    np.testing.assert_allclose(df["ch1"].to_numpy(), rec.data[1] * 1e6)


def test_every_operation_returns_a_new_recording_and_leaves_the_original_alone():
    rec = make_recording(2)
    before = (rec.data.copy(), rec.ch_names, len(rec.annotations), len(rec.provenance))
    rec.crop(0.1, 0.5).select("ch0").annotate(0.0, 0.1, "x").mark_bad("ch0", "noisy")
    assert np.array_equal(rec.data, before[0])
    assert (rec.ch_names, len(rec.annotations), len(rec.provenance)) == before[1:]


def test_annotating_an_unknown_channel_is_refused():
    with pytest.raises(ChannelError):
        make_recording(1).annotate(0, 0, "x", channels=["ghost"])


def test_metadata_has_a_fixed_schema():
    rec = make_recording(1).with_metadata(power_line_hz=50, session="pre")
    assert rec.metadata.power_line_hz == 50 and rec.metadata.session == "pre"
    with pytest.raises(TypeError):
        rec.with_metadata(colour="blue")
    with pytest.raises(ParameterError, match="power_line_hz"):
        Metadata(power_line_hz=55)


def test_the_summary_is_json_able_and_complete():
    import json

    s = make_recording(2).summary()
    json.dumps(s)
    assert s["n_channels"] == 2 and s["fs_hz"] == 1000.0 and s["n_annotations"] == 1
    assert s["channels"][0]["type"] == "EMG"


def test_repr_names_channels_duration_and_rate():
    assert "2 channels" in repr(make_recording(2)) and "1000 Hz" in repr(make_recording(2))


def test_channel_table_exports_bids_column_names():
    df = Recording(np.zeros((1, 2)), fs=1, channels=[Channel("bic", muscle="biceps", row=0, col=1)]).channels.to_dataframe(bids=True)
    assert {"name", "type", "units", "target_muscle", "grid_row", "grid_col", "status_description"} <= set(df.columns)
    assert df.loc[0, "target_muscle"] == "biceps"


def test_an_unknown_channel_type_is_refused():
    with pytest.raises(ParameterError, match="type"):
        Channel("x", type="BRAINWAVE")


def test_annotations_passed_in_must_be_an_annotations_table():
    with pytest.raises(ParameterError, match="annotations"):
        Recording(np.zeros((1, 2)), fs=1, annotations=[(0, 1, "x")])
    rec = Recording(np.zeros((1, 2)), fs=1, annotations=Annotations.from_rows([(0, 1, "x")]))
    assert rec.annotations[0].label == "x"
