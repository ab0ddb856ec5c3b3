"""skip_bad_spans / good_mask: which samples analyses may use, and the fraction they skip."""

from __future__ import annotations

import numpy as np
import pytest

import myograph
from myograph import ChannelError
from myograph.core.spans import bad_spans, good_mask, good_windows, mask_to_spans, merge_spans, skip_bad_spans

FS = 100.0


def _rec():
    rec = myograph.Recording(np.zeros((3, 1000)), FS, ch_names=["a", "b", "c"])
    return (rec.annotate(1.0, 0.5, "BAD_motion", ["a"])
               .annotate(2.0, 1.0, "BAD_flat")
               .annotate(4.0, 0.0, "BAD_pop", ["b"])
               .annotate(5.0, 1.0, "onset", ["a"])
               .annotate(9.5, 2.0, "BAD_saturated", ["c"]))


def test_good_mask_follows_the_onset_rule_and_channel_lists():
    rec = _rec()
    a = good_mask(rec, "a")
    assert not a[100:150].any() and a[150] and a[99]        # [1.0, 1.5) s
    assert not a[200:300].any() and a[300]                  # all-channel annotation
    assert a[500:600].all()                                 # not a BAD_ label
    b = good_mask(rec, "b")
    assert b[100:150].all() and not b[400] and b[399] and b[401]  # zero duration: one sample
    c = good_mask(rec, "c")
    assert not c[950:].any() and c[949]                     # clipped at the end
    with pytest.raises(ChannelError):
        good_mask(rec, "nope")


def test_skip_bad_spans_reports_the_fraction_and_reasons():
    rec = _rec().mark_bad("c", "broken lead")
    good = skip_bad_spans(rec)
    np.testing.assert_allclose(good.fraction_skipped, [0.15, 0.101, 1.0])
    assert good.reasons[0] == "150 sample(s) in BAD_flat, BAD_motion"
    assert good.reasons[2] == "channel status bad: broken lead"
    assert good.summary()["b"]["fraction_skipped"] == pytest.approx(0.101)
    incl = skip_bad_spans(rec, ["c"], include_bad_channels=True)
    assert incl.fraction_skipped[0] == pytest.approx(0.15)
    only = skip_bad_spans(rec, "a", labels=["BAD_motion"])
    assert only.fraction_skipped[0] == pytest.approx(0.05)


def test_bad_spans_lists_merged_helpers_and_windows():
    rec = _rec()
    assert [s[2] for s in bad_spans(rec, "a")] == ["BAD_motion", "BAD_flat"]
    assert len(bad_spans(rec.annotations)) == 4
    assert mask_to_spans(np.array([0, 1, 1, 0, 1], bool)) == [(1, 3), (4, 5)]
    assert merge_spans([(0, 2), (3, 5), (10, 12)], gap=1) == [(0, 5), (10, 12)]
    m = good_mask(rec, "a")
    win = good_windows(m, np.array([0, 90, 150, 250]), 50)
    assert list(win) == [True, False, True, False]
