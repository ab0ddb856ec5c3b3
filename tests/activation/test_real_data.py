"""Real recordings from ../shared/data: counts and timing next to what is known about them.

* emgGO sample (Rashid et al., MIT licence): tibialis anterior, ballistic dorsiflexions at
  250 Hz; the tool's tutorial states 56 bursts. The record carries ECG (QRS complexes
  of +10 dB over a 70-100 ms span, ~85 per minute): a 30 Hz high-pass attenuates it
  (Drake & Callaghan 2006) and a 0.25 s minimum burst duration (the contractions last
  about 1.5 s) rejects what is left.
* BioSPPy ``emg_1.txt``: raw 12-bit ADC at 1 kHz with clear bursts and rests; no labels.
* musclesyneRgies walking trial (Santuz et al. 2020): 13 muscles at 1 kHz and 6
  touchdown/lift-off times.
"""

from __future__ import annotations

import warnings

import numpy as np

import myograph
from myograph.activation import detect_onsets, detect_onsets_report
from myograph.core.errors import MyographWarning
from myograph.signal import bandpass


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)  # "no unit stated" repairs
        return myograph.read(path)


def test_emggo_sample_gives_56_bursts_within_two(shared_data):
    path = shared_data / "emggo-sample" / "Sample Data.mat"
    try:
        rec = _read(path)
        x, fs = rec.data[0], rec.fs
    except Exception:  # pragma: no cover - the .mat reader is another engineer's work
        from scipy.io import loadmat

        emg = loadmat(path, squeeze_me=True, struct_as_record=False)["EMG"]
        x, fs = np.asarray(emg.channelData, dtype=float), float(emg.fs)
    assert fs == 250.0
    xb = bandpass(x, fs, 30.0, 120.0)
    iv = detect_onsets(xb, fs, min_on_s=0.25)
    assert abs(len(iv) - 56) <= 2, len(iv)
    d = iv[:, 1] - iv[:, 0]
    assert 0.5 < np.median(d) < 3.0  # ballistic contractions last about 1.5 s
    assert np.all(np.diff(iv[:, 0]) > 2.0)  # repetitions several seconds apart


def test_biosppy_emg_1_gives_a_plausible_count_with_the_visible_bursts(shared_data):
    rec = _read(shared_data / "biosppy-examples" / "emg_1.txt")
    fs = rec.fs
    xb = bandpass(rec.data[0], fs, 20.0, 450.0)
    rep = detect_onsets_report(xb, fs)
    iv = rep.intervals[0]
    assert 4 <= len(iv) <= 30, len(iv)
    # the four large bursts seen in the raw trace start near 1.5, 15.5, 25.6 and 26.5 s
    for t in (1.48, 15.46, 25.6, 26.5):
        assert np.min(np.abs(iv[:, 0] - t)) < 0.3, (t, iv[:, 0])


def test_gait_tibialis_anterior_fires_once_around_each_touchdown_and_gastrocnemius_in_stance(shared_data):
    folder = shared_data / "musclesynergies-gait"
    rec = _read(folder / "RAW_DATA_ID0012_TW_01_emg.csv")
    t0 = float(np.loadtxt(folder / "RAW_DATA_ID0012_TW_01_emg.csv", delimiter=",", skiprows=1, max_rows=1, usecols=0))
    cycles = np.loadtxt(folder / "RAW_DATA_ID0012_TW_01_cycles.csv", delimiter=",", skiprows=1)
    x = bandpass(rec.get_data(["TA", "GM"]), rec.fs, 20.0, 450.0)
    ta, gm = (iv + t0 for iv in detect_onsets(x, rec.fs))
    for touchdown, liftoff in cycles:
        # TA: one burst that starts in late swing (< 0.6 s before touchdown) and spans the touchdown
        around = ta[(ta[:, 0] > touchdown - 0.6) & (ta[:, 0] < touchdown)]
        assert len(around) == 1 and around[0, 1] > touchdown, (touchdown, ta)
        # GM: a burst whose middle lies in stance (between touchdown and lift-off)
        mid = gm.mean(axis=1)
        assert np.any((mid > touchdown) & (mid < liftoff)), (touchdown, gm)
