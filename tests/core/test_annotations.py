"""The annotation table: sorting, cropping, selection, channel restriction."""

from __future__ import annotations

import numpy as np
import pytest

from myograph import Annotation, Annotations, ParameterError


def test_rows_are_sorted_by_onset():
    a = Annotations([2.0, 0.5, 1.0], [0, 0.1, 0.2], ["c", "a", "b"])
    assert list(a.label) == ["a", "b", "c"]
    assert list(a.duration) == [0.1, 0.2, 0.0]


def test_crop_clips_spans_and_keeps_instants_inside():
    a = Annotations.from_rows([(0.0, 1.0, "span"), (1.5, 0.0, "instant"), (3.0, 0.0, "late"), (0.2, 0.1, "early")])
    c = a.crop(0.5, 2.0)
    assert list(c.label) == ["span", "instant"]
    np.testing.assert_allclose(c.onset, [0.0, 1.0])
    np.testing.assert_allclose(c.duration, [0.5, 0.0])


def test_a_span_ending_exactly_at_the_crop_start_is_dropped():
    assert len(Annotations.from_rows([(0.0, 1.0, "x")]).crop(1.0, 2.0)) == 0


def test_select_by_label_prefix_and_channel():
    a = Annotations.from_rows([
        Annotation(0, 1, "BAD_flat", ("c1",)),
        Annotation(1, 1, "BAD_gap"),
        Annotation(2, 0, "onset", ("c2",)),
    ])
    assert list(a.select(prefix="BAD_").label) == ["BAD_flat", "BAD_gap"]
    assert list(a.select(channel="c1").label) == ["BAD_flat", "BAD_gap"]  # all-channel rows concern c1 too
    assert list(a.select("onset").label) == ["onset"]


def test_restricting_channels_drops_rows_about_removed_channels_only():
    a = Annotations.from_rows([Annotation(0, 1, "x", ("c1",)), Annotation(1, 1, "y", ("c1", "c2")), Annotation(2, 1, "all")])
    r = a.restrict_channels(["c2"])
    assert list(r.label) == ["y", "all"]
    assert r.channels == (("c2",), ())


def test_negative_durations_and_non_finite_onsets_are_refused():
    with pytest.raises(ParameterError, match="duration"):
        Annotations([0.0], [-1.0], ["x"])
    with pytest.raises(ParameterError):
        Annotations([np.nan], [0.0], ["x"])


def test_unequal_column_lengths_are_refused():
    with pytest.raises(ParameterError):
        Annotations([0.0, 1.0], [0.0], ["x", "y"])


def test_to_dataframe_joins_channel_lists():
    df = Annotations.from_rows([Annotation(0, 1, "x", ("a", "b"))]).to_dataframe()
    assert df.loc[0, "channels"] == "a,b"
    assert list(df.columns) == ["onset", "duration", "label", "channels"]
