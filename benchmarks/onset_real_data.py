"""Onset detection on real recordings from ../shared/data, next to what is known about them.

* ``emggo-sample`` (emgGO, Rashid et al.; MIT): tibialis anterior, repeated ballistic
  dorsiflexion at 250 Hz, 550 s; the tool's tutorial states **56 bursts**. The record
  carries ECG (QRS complexes ~85/min, ~+10 dB over the background after a 30 Hz
  high-pass).
* ``biosppy-examples/emg_1.txt`` (BioSPPy; BSD-3): 64 s at 1 kHz, raw 12-bit ADC,
  "clear activation bursts with rest periods"; no labels (four large bursts start
  near 1.5, 15.5, 25.6 and 26.5 s by eye).
* ``musclesynergies-gait`` (musclesyneRgies, Santuz et al. 2020; MIT): one walking
  trial, 13 muscles at 1 kHz, 6 touchdown / lift-off times. Expected: tibialis
  anterior active from late swing through loading response (around touchdown);
  gastrocnemius medialis in mid/late stance.

Every detector of ``DETECTORS`` runs with its defaults (rest-based ones on the quietest
0.5 s) on the band-passed signal; ``auto`` also with the stated task-specific duration
rule. Prints counts, burst timing and wall time.

Usage::

    python benchmarks/onset_real_data.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import myograph
from myograph.activation import DETECTORS, detect_onsets
from myograph.core.errors import MyographWarning
from myograph.signal import bandpass

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


def read(path: Path) -> myograph.Recording:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MyographWarning)
        return myograph.read(path)


def timed(x: np.ndarray, fs: float, name: str, **kw) -> tuple[list | np.ndarray, float]:
    t0 = time.perf_counter()
    out = detect_onsets(x, fs, name, **kw)
    return out, time.perf_counter() - t0


def emggo(root: Path) -> None:
    rec = read(root / "emggo-sample" / "Sample Data.mat")
    fs = rec.fs
    print(f"\nemggo-sample: {rec.duration:.0f} s at {fs:g} Hz; known: 56 bursts")
    for band in ((20.0, 120.0), (30.0, 120.0)):
        x = bandpass(rec.data[0], fs, *band)
        print(f"  band-pass {band[0]:g}-{band[1]:g} Hz:")
        runs = [(n, {}) for n in DETECTORS] + [("auto", {"min_on_s": 0.25})]
        for name, kw in runs:
            iv, dt = timed(x, fs, name, **kw)
            label = name + (" " + ", ".join(f"{k}={v}" for k, v in kw.items()) if kw else "")
            med = np.median(iv[:, 1] - iv[:, 0]) if len(iv) else float("nan")
            print(f"    {label:<24} {len(iv):5d} bursts (known 56), median duration {med:5.2f} s, {1e3 * dt:7.1f} ms")


def biosppy(root: Path) -> None:
    rec = read(root / "biosppy-examples" / "emg_1.txt")
    fs = rec.fs
    x = bandpass(rec.data[0], fs, 20.0, 450.0)
    print(f"\nbiosppy emg_1.txt: {rec.duration:.1f} s at {fs:g} Hz; no labels, large bursts by eye near 1.5, 15.5, 25.6, 26.5 s")
    for name in DETECTORS:
        iv, dt = timed(x, fs, name)
        big = [float(iv[np.argmin(np.abs(iv[:, 0] - t)), 0]) if len(iv) else float("nan") for t in (1.48, 15.46, 25.6, 26.5)]
        print(f"    {name:<12} {len(iv):4d} bursts; nearest onsets to the large bursts: "
              + ", ".join(f"{b:.2f}" for b in big) + f" s; {1e3 * dt:6.1f} ms")


def gait(root: Path) -> None:
    folder = root / "musclesynergies-gait"
    rec = read(folder / "RAW_DATA_ID0012_TW_01_emg.csv")
    t0 = float(np.loadtxt(folder / "RAW_DATA_ID0012_TW_01_emg.csv", delimiter=",", skiprows=1, max_rows=1, usecols=0))
    cycles = np.loadtxt(folder / "RAW_DATA_ID0012_TW_01_cycles.csv", delimiter=",", skiprows=1)
    x = bandpass(rec.get_data(["TA", "GM"]), rec.fs, 20.0, 450.0)
    print(f"\nmusclesynergies gait: {rec.duration:.1f} s at {rec.fs:g} Hz; touchdowns {cycles[:, 0].tolist()} s")
    for name in DETECTORS:
        (ta, gm), dt = timed(x, rec.fs, name)
        ta, gm = ta + t0, gm + t0
        lead = []
        for td, lo in cycles:
            around = ta[(ta[:, 0] > td - 0.6) & (ta[:, 0] < td) & (ta[:, 1] > td)]
            lead.append(td - around[0, 0] if len(around) == 1 else np.nan)
        stance = sum(np.any((gm.mean(axis=1) > td) & (gm.mean(axis=1) < lo)) for td, lo in cycles)
        print(f"    {name:<12} TA {len(ta):2d} bursts, one spanning each touchdown in "
              f"{np.isfinite(lead).sum()}/6 cycles (onset {np.nanmedian(lead) * 1e3 if np.isfinite(lead).any() else np.nan:.0f} ms "
              f"before touchdown); GM {len(gm):2d} bursts, one in stance in {stance}/6 cycles; {1e3 * dt:5.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    args = ap.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data} not found (the shared real-data folder)")
    emggo(args.data)
    biosppy(args.data)
    gait(args.data)


if __name__ == "__main__":
    main()
