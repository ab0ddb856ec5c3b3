"""Per-decision processing latency of the live controller: myograph vs LibEMG, same run.

    .venv/bin/python benchmarks/control_bench.py [--decisions 2000]

What is timed, per decision, for 8 and 64 channels at 2000 Hz, 200 ms windows every
50 ms, TD4 features, LDA and SVM (linear kernel with probabilities — LibEMG's "SVM"):

``myograph``
    ``OnlineController.feed`` of one step of samples (100 per channel): the causal
    20 Hz high-pass + 50/100/150 Hz notch streaming filter of that block, the window, TD4,
    scaling, the classifier's probabilities, post-processing — everything from the
    block to the :class:`~myograph.control.Decision`.
``myograph, sklearn path``
    the same with the LDA fast path switched off (scikit-learn's ``predict_proba``
    through the Pipeline): what the fast path saves.
``LibEMG``
    what ``OnlineEMGClassifier`` does per window (LibEMG 2.x): ``FeatureExtractor.
    extract_features(["MAV", "WL", "ZC", "SSC"], window)``, stack, and
    ``EMGClassifier.run`` (``predict_proba``, then its decision helper). No filtering
    (LibEMG filters in the data handler, outside this path), so the comparison
    favours LibEMG. It runs in its own virtual environment
    (``benchmarks/.peers-libemg``; see ``benchmarks/features_bench.py``); without it
    only myograph's rows are printed.

The training data is a simulated armband session (``myograph.simulate.gestures``;
64 channels are two rings of 32 electrodes, the second rotated by half a spacing).
Goal (issue 6): p99 < 2 ms for 8 channels with LDA.

Measured 2026-11-24 on the project's 2-core machine, otherwise idle
(``--decisions 3000``), median / p99 in ms:

    myograph                   8 LDA     0.351    0.416
    myograph, sklearn path     8 LDA     0.866    0.964
    myograph                   8 SVM     0.584    0.660
    LibEMG (no filter)         8 LDA     0.378    0.427
    LibEMG (no filter)         8 SVM     0.378    0.421
    myograph                  64 LDA     0.609    0.717
    myograph, sklearn path    64 LDA     1.139    1.271
    myograph                  64 SVM     0.857    0.967
    LibEMG (no filter)        64 LDA     0.598    0.692
    LibEMG (no filter)        64 SVM     0.596    0.688
    goal p99 < 2 ms for 8 channels with LDA: 0.416 ms -> met

About 0.08 ms of each myograph decision is the streaming filter, which LibEMG's path
leaves out. See ``docs/control_online.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from myograph.control import ControlModel, OnlineController, Preprocess, from_recording
from myograph.core.recording import Recording

HERE = Path(__file__).resolve().parent
PEER_PY = HERE / ".peers-libemg" / "bin" / "python"
FS = 2000.0
WINDOW_S, STEP_S = 0.2, 0.05
PRE = Preprocess(highpass_hz=20.0, powerline_hz=50.0, harmonics=3)

PEER = r'''
import json, sys, time, gc, numpy as np
from libemg.feature_extractor import FeatureExtractor
from libemg.emg_predictor import EMGClassifier
d = np.load(sys.argv[1]); cfg = json.loads(sys.argv[2])
fe = FeatureExtractor()
feats = ["MAV", "WL", "ZC", "SSC"]
train = fe.extract_features(feats, d["X"])
out = {}
for model in cfg["models"]:
    clf = EMGClassifier(model)
    clf.fit(feature_dictionary={"training_features": dict(train), "training_labels": d["y"]})
    W = d["T"]
    ts = []
    gc.disable()
    for i in range(cfg["n"]):
        w = W[i % len(W)][None]
        t0 = time.perf_counter()
        f = fe.extract_features(feats, w)
        pred, prob = clf.run(f)
        ts.append(time.perf_counter() - t0)
    gc.enable()
    out[model] = ts
print(json.dumps(out))
'''


def session(n_channels: int):
    """A labelled simulated session with ``n_channels`` (8, or 64 as two rings of 32)."""
    from myograph.simulate import gestures

    kw = dict(gesture_names=["wrist_flexion", "wrist_extension", "hand_close", "hand_open"], repetitions=2, hold_s=2.0,
              rest_s=1.0, fs=FS, motor_units=20, seed=3)
    if n_channels == 8:
        rec, truth = gestures(channels=8, **kw)
        return rec, truth.gesture_labels, truth.gesture_names
    a, truth = gestures(channels=32, **kw)
    b, _ = gestures(channels=32, electrode_shift_deg=360 / 64, **kw)
    data = np.vstack([a.data, b.data])
    names = [f"R1_{c}" for c in a.ch_names] + [f"R2_{c}" for c in b.ch_names]
    return Recording(data, FS, names, annotations=a.annotations), truth.gesture_labels, truth.gesture_names


def estimator(name: str):
    if name == "LDA":
        return "lda"
    from sklearn.svm import SVC

    return SVC(kernel="linear", probability=True, random_state=0)  # LibEMG's "SVM"


def time_myograph(model: ControlModel, rec: Recording, n: int, *, fast: bool = True) -> np.ndarray:
    ctl = OnlineController(model, fs=rec.fs, ch_names=rec.ch_names)
    ctl._predictor.fast = ctl._predictor.fast and fast
    step = ctl.step
    x = rec.data
    ctl.feed(x[:, :ctl.n_window])  # fill the first window
    pos, ts = ctl.n_window, []
    gc.disable()
    try:
        while len(ts) < n:
            if pos + step > x.shape[1]:
                pos = ctl.n_window  # wrap around (the stream counter goes on)
            t0 = time.perf_counter()
            got = ctl.feed(x[:, pos:pos + step], first_sample=ctl._next)
            ts.append(time.perf_counter() - t0)
            assert len(got) == 1
            pos += step
    finally:
        gc.enable()
    return np.asarray(ts)


def time_libemg(ds, n: int, models: list[str]) -> dict[str, np.ndarray] | None:
    if not PEER_PY.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "d.npz"
        np.savez(f, X=ds.X, y=ds.y, T=ds.X[::7])
        r = subprocess.run([str(PEER_PY), "-c", PEER, str(f), json.dumps({"n": n, "models": models})],
                           capture_output=True, text=True, check=False)
    if r.returncode != 0:
        print(f"LibEMG peer failed: {r.stderr.strip()[-500:]}")
        return None
    return {k: np.asarray(v) for k, v in json.loads(r.stdout.strip().splitlines()[-1]).items()}


def row(name: str, ch: int, clf: str, ts: np.ndarray) -> str:
    ms = ts * 1e3
    return (f"{name:<24} {ch:>3} {clf:<4} {np.median(ms):8.3f} {np.percentile(ms, 99):8.3f} {ms.max():8.3f} "
            f"{len(ms):>6}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--decisions", type=int, default=2000)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    n = args.decisions
    print(f"per-decision processing, ms ({n} decisions each; window {WINDOW_S * 1e3:g} ms, step {STEP_S * 1e3:g} ms, "
          f"{FS:g} Hz, TD4)")
    print(f"{'implementation':<24} {'ch':>3} {'clf':<4} {'median':>8} {'p99':>8} {'max':>8} {'n':>6}")
    results = {}
    for ch in (8, 64):
        rec, labels, names = session(ch)
        ds = from_recording(rec, labels=labels, class_names=names, window_s=WINDOW_S, step_s=STEP_S, preprocess=PRE)
        for clf in ("LDA", "SVM"):
            with warnings.catch_warnings():  # scikit-learn 1.9 deprecates probability=True, which LibEMG's "SVM" uses
                warnings.filterwarnings("ignore", "The `probability` parameter", FutureWarning)
                model = ControlModel.train(ds, features="TD4", classifier=estimator(clf))
            ts = time_myograph(model, rec, n)
            results[(ch, clf, "myograph")] = ts
            print(row("myograph", ch, clf, ts))
            if clf == "LDA":
                print(row("myograph, sklearn path", ch, clf, time_myograph(model, rec, n, fast=False)))
        peer = None if args.no_peer else time_libemg(ds, n, ["LDA", "SVM"])
        if peer is None:
            print(f"{'LibEMG':<24} {ch:>3} (not installed in benchmarks/.peers-libemg: skipped)")
            continue
        for clf, ts in peer.items():
            results[(ch, clf, "libemg")] = ts
            print(row("LibEMG (no filter)", ch, clf, ts))
    print()
    for ch in (8, 64):
        for clf in ("LDA", "SVM"):
            m, p = results.get((ch, clf, "myograph")), results.get((ch, clf, "libemg"))
            if m is not None and p is not None:
                print(f"{ch:>2} ch {clf}: myograph median {np.median(p) / np.median(m):5.1f}x faster than LibEMG, "
                      f"p99 {np.percentile(p, 99) / np.percentile(m, 99):5.1f}x")
    m8 = results[(8, "LDA", "myograph")]
    p99 = np.percentile(m8, 99) * 1e3
    print(f"goal p99 < 2 ms for 8 channels with LDA: {p99:.3f} ms -> {'met' if p99 < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
