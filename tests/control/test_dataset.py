"""GestureDataset: windows, labels and groups from Recordings and folders; augmentation."""

from __future__ import annotations

import numpy as np
import pytest

import myograph
from myograph import ParameterError
from myograph.control import GestureDataset, augment, from_recording, load_folder


def _labelled(fs: float = 100.0) -> tuple[myograph.Recording, np.ndarray]:
    """2 channels, 10 s: rest 0-2, A 2-4, rest 4-6, B 6-8, A 8-9, rest 9-10 (labels per sample)."""
    n = int(10 * fs)
    rng = np.random.default_rng(0)
    rec = myograph.Recording(rng.normal(0, 1e-4, (2, n)), fs=fs, ch_names=["a", "b"])
    lab = np.zeros(n, dtype=np.int64)
    lab[200:400] = 1
    lab[600:800] = 2
    lab[800:900] = 1
    return rec, lab


def test_windows_inside_one_block_get_its_label_and_transitions_are_dropped():
    rec, lab = _labelled()
    d = from_recording(rec, labels=lab, class_names=["rest", "A", "B"], window_s=0.5, step_s=0.25)
    assert d.X.shape[1:] == (2, 50)
    first = (d.start_s * 100).astype(int)
    for s, y in zip(first, d.y):
        assert len(set(lab[s:s + 50].tolist())) == 1  # no window spans a label change
        assert d.class_names[y] == ["rest", "A", "B"][lab[s]]
    np.testing.assert_array_equal(d.X[3], rec.data[:, first[3]:first[3] + 50])
    kept = from_recording(rec, labels=lab, class_names=["rest", "A", "B"], window_s=0.5, step_s=0.25, keep_transitions=True)
    assert len(kept) == (1000 - 50) // 25 + 1 > len(d)


def test_repetitions_count_blocks_and_rest_takes_the_following_gesture():
    rec, lab = _labelled()
    d = from_recording(rec, labels=lab, class_names=["rest", "A", "B"], window_s=0.2, step_s=0.1)
    g = d.groups
    a = g[g.label == "A"]
    assert set(a.repetition[a.index[d.start_s[a.index] < 4]]) == {0}
    assert set(a.repetition[a.index[d.start_s[a.index] > 7.5]]) == {1}
    rest = g[g.label == "rest"]
    starts = d.start_s[rest.index]
    assert set(rest.repetition[starts < 1.8]) == {0}          # before A rep 0
    assert set(rest.repetition[(starts > 4) & (starts < 5.8)]) == {0}  # before B rep 0
    assert set(rest.repetition[starts > 9]) == {1}            # trailing rest: the last (A rep 1)


def test_annotations_and_label_array_give_the_same_dataset(sim_sessions):
    rec, truth = sim_sessions[0]
    a = from_recording(rec, labels=truth.gesture_labels, class_names=truth.gesture_names)
    b = from_recording(rec)  # gesture:<name> annotations, rest where none
    assert a.class_names == b.class_names
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.repetition, b.repetition)
    assert a.rest == "rest" and a.rest_index == 0


def test_windows_in_bad_spans_are_dropped():
    rec, lab = _labelled()
    bad = rec.annotate(1.0, 0.5, "BAD_saturated")
    d0 = from_recording(rec, labels=lab, class_names=["rest", "A", "B"], window_s=0.2, step_s=0.1)
    d1 = from_recording(bad, labels=lab, class_names=["rest", "A", "B"], window_s=0.2, step_s=0.1)
    assert len(d1) < len(d0)
    assert not np.any((d1.start_s + 0.2 > 1.0) & (d1.start_s < 1.5))


def test_unlabelled_recording_is_refused_unless_a_default_class_is_given():
    rec, _ = _labelled()
    with pytest.raises(ParameterError, match="labels"):
        from_recording(rec)
    d = from_recording(rec, default_class="fist", rest=None)
    assert d.class_names == ("fist",) and len(d) > 0


def test_concatenate_merges_classes_by_name_and_keeps_recordings_apart():
    rec, lab = _labelled()
    d1 = from_recording(rec, labels=lab, class_names=["rest", "A", "B"], session="1")
    d2 = from_recording(rec, labels=np.where(lab == 2, 3, lab), class_names=["rest", "A", "B", "C"], session="2")
    d = GestureDataset.concatenate([d1, d2])
    assert d.class_names == ("rest", "A", "B", "C")
    assert set(d.labels[d.session == "2"]) == {"rest", "A", "C"}
    assert set(d.recording.tolist()) == {0, 1}
    np.testing.assert_array_equal(d.subset(d.session == "1").labels, d1.labels)


def test_load_folder_one_csv_per_class_and_repetition(tmp_path):
    rng = np.random.default_rng(1)
    for subj in ("s01", "s02"):
        for cls in ("open", "close"):
            for rep in (0, 1, 2):
                f = tmp_path / subj / "day1" / f"{cls}_{rep}.csv"
                f.parent.mkdir(parents=True, exist_ok=True)
                np.savetxt(f, rng.normal(size=(300, 3)), delimiter=",", header="c1,c2,c3", comments="")
    (tmp_path / "README.txt").write_text("not data")
    d = load_folder(tmp_path, pattern="subject/session/class_rep", fs=500.0, units="uV", rest=None)
    assert d.class_names == ("close", "open")
    assert sorted(set(d.subject.tolist())) == ["s01", "s02"] and set(d.session.tolist()) == {"day1"}
    assert sorted(set(d.repetition.tolist())) == [0, 1, 2]
    assert len(set(d.recording.tolist())) == 12
    with pytest.raises(ParameterError, match="no file"):
        load_folder(tmp_path, pattern="{class}.edf", fs=500.0)
    with pytest.raises(ParameterError, match="unknown field"):
        load_folder(tmp_path, pattern="{gesture}.csv", fs=500.0)


def test_load_folder_per_sample_label_columns_and_a_rest_only_file(tmp_path):
    rng = np.random.default_rng(2)
    sess = tmp_path / "77-1"
    sess.mkdir()
    for k in (0, 1, 2):  # file k alternates rest/k every 100 samples (3 repetitions); 0 is rest only
        lab = np.tile(np.repeat([0, k], 100), 3)
        np.savetxt(sess / f"{k}.txt", np.column_stack([rng.integers(-50, 50, (600, 2)), lab]), delimiter=",", fmt="%d")
    d = load_folder(tmp_path, pattern="myo-readings", fs=100.0, label_column=2, units="uV",
                    class_names={"0": "rest", "1": "up", "2": "down"}, window_s=0.2, step_s=0.1)
    assert d.class_names == ("rest", "down", "up")
    assert set(d.subject.tolist()) == {"77"} and set(d.session.tolist()) == {"1"}
    rest_only = d.recording == d.recording[(d.labels == "rest")][0]
    # the rest-only file 0.txt is split into the session's 3 repetitions
    assert sorted(set(d.repetition[rest_only].tolist())) == [0, 1, 2]
    assert sorted(set(d.repetition[d.labels == "up"].tolist())) == [0, 1, 2]


def test_augment_adds_flagged_perturbed_copies_with_the_same_groups():
    rec, lab = _labelled()
    d = from_recording(rec, labels=lab, class_names=["rest", "A", "B"])
    a = augment(d, copies=2, gain=0.2, seed=3)
    assert len(a) == 3 * len(d) and a.augmented.sum() == 2 * len(d)
    np.testing.assert_array_equal(a.y[len(d):2 * len(d)], d.y)
    np.testing.assert_array_equal(a.recording[len(d):2 * len(d)], d.recording)
    ratio = a.X[len(d):2 * len(d)] / d.X
    assert np.all((ratio > 0.8 - 1e-12) & (ratio < 1.2 + 1e-12))
    assert np.allclose(ratio, ratio[..., :1])  # one gain per window and channel
    s = augment(d, channel_shift=1, seed=0).X[len(d):]
    for w, orig in zip(s, d.X):
        assert any(np.array_equal(w, np.roll(orig, k, axis=0)) for k in (-1, 0, 1))
    n = augment(d, noise_snr_db=20, seed=0).X[len(d):] - d.X
    snr = 10 * np.log10(np.mean(d.X ** 2) / np.mean(n ** 2))
    assert abs(snr - 20) < 1.0
    with pytest.raises(ParameterError, match="nothing to do"):
        augment(d)
