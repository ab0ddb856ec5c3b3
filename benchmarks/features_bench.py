"""Feature-extraction throughput: myograph.features vs LibEMG on the same array, same run.

    .venv/bin/python benchmarks/features_bench.py [--minutes 10] [--repeats 3]

Signal: 8 channels x 10 min of amplitude-modulated band-limited noise in volts
(about 50-500 uV), at 1 kHz and at 200 Hz; 200 ms windows every 50 ms.
Sets: TD4 (Hudgins; LibEMG 'HTD'), TD-PSD (LibEMG 'TDPSD'), LS4.

myograph is timed from the continuous (n_channels, n_samples) array to the
(n_windows, n_features) matrix, windowing included. LibEMG is timed from the
same array through ``libemg.utils.get_windows`` and
``FeatureExtractor.extract_features``. LibEMG runs in its own virtual
environment (benchmarks/.peers-libemg, created with
``python3 -m venv benchmarks/.peers-libemg && benchmarks/.peers-libemg/bin/pip install libemg``)
through a subprocess; if it is missing, only myograph's numbers are printed.

Values are compared feature by feature (max relative difference); features
whose definitions differ between the two libraries are listed with the reason.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import signal as sps

from myograph.features import extract

HERE = Path(__file__).resolve().parent
PEER_PY = HERE / ".peers-libemg" / "bin" / "python"

SETS = {"TD4": ("HTD", ["MAV", "WL", "ZC", "SSC"]),
        "TD-PSD": ("TDPSD", ["M0", "M2", "M4", "SPARSI", "IRF", "WLF"]),
        "LS4": ("LS4", ["LS", "MFL", "MSR", "WAMP"])}
# myograph name -> LibEMG name, where they differ
LIBEMG_NAME = {}
WAMP_THRESHOLD_V = 1e-5
DIFFERENT = {
    "MFL": "LibEMG computes log10(sum|dx|) (log of WL); Phinyomark 2018 defines MFL = log10(sqrt(sum dx^2)), which myograph follows",
}

PEER = r'''
import json, sys, time, numpy as np
from libemg.utils import get_windows
from libemg.feature_extractor import FeatureExtractor
x = np.load(sys.argv[1]); cfg = json.loads(sys.argv[2])
fe = FeatureExtractor()
out = {}
times = {}
for name, feats in cfg["sets"].items():
    best = np.inf
    for r in range(cfg["repeats"]):
        t0 = time.perf_counter()
        w = get_windows(x.T, cfg["n_win"], cfg["step"])
        res = fe.extract_features(feats, w, {"WAMP_threshold": cfg["wamp"]})
        best = min(best, time.perf_counter() - t0)
    times[name] = best
    for k, v in res.items():
        out[k] = np.asarray(v, dtype=float)
np.savez(sys.argv[3], **out)
print(json.dumps(times))
'''


def make_signal(fs: float, minutes: float, n_ch: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * fs)
    hi = min(450.0, 0.45 * fs)
    sos = sps.butter(4, [20.0 / (fs / 2), hi / (fs / 2)], btype="band", output="sos")
    noise = sps.sosfilt(sos, rng.standard_normal((n_ch, n)), axis=-1)
    t = np.arange(n) / fs
    env = 50e-6 + 450e-6 * (0.5 + 0.5 * np.sin(2 * np.pi * 0.2 * t[None, :] + rng.uniform(0, 6.28, (n_ch, 1)))) ** 2
    return np.ascontiguousarray(noise / noise.std(axis=-1, keepdims=True) * env)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    window_s, step_s = 0.2, 0.05
    have_peer = PEER_PY.exists() and not args.no_peer
    rows = []
    for fs in (1000.0, 200.0):
        x = make_signal(fs, args.minutes)
        n_win, step = int(round(window_s * fs)), int(round(step_s * fs))
        n_windows = (x.shape[1] - n_win) // step + 1
        ours = {}
        for set_name, (_, names) in SETS.items():
            best = np.inf
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                F = extract(x, set_name, fs=fs, window_s=window_s, step_s=step_s, params={"WAMP": {"threshold_v": WAMP_THRESHOLD_V}} if "WAMP" in names else None)
                best = min(best, time.perf_counter() - t0)
            ours[set_name] = (best, F)
        peer_times, peer_vals = {}, {}
        if have_peer:
            with tempfile.TemporaryDirectory() as td:
                np.save(Path(td) / "x.npy", x)
                cfg = {"sets": {k: [LIBEMG_NAME.get(f, f) for f in v[1]] for k, v in SETS.items()}, "repeats": args.repeats,
                       "n_win": n_win, "step": step, "wamp": WAMP_THRESHOLD_V}
                res = subprocess.run([str(PEER_PY), "-c", PEER, str(Path(td) / "x.npy"), json.dumps(cfg), str(Path(td) / "out.npz")],
                                     capture_output=True, text=True, check=True)
                peer_times = json.loads(res.stdout.strip().splitlines()[-1])
                with np.load(Path(td) / "out.npz") as z:
                    peer_vals = {k: z[k] for k in z.files}
        for set_name, (_, names) in SETS.items():
            t, F = ours[set_name]
            n_ch = x.shape[0]
            diffs = {}
            if peer_vals:
                for j, name in enumerate(names):
                    mine = F[:, j * n_ch:(j + 1) * n_ch]
                    theirs = peer_vals[LIBEMG_NAME.get(name, name)]
                    ok = np.isfinite(mine) & np.isfinite(theirs)
                    rel = np.abs(mine - theirs)[ok] / np.maximum(np.abs(theirs[ok]), 1e-300)
                    diffs[name] = float(rel.max()) if rel.size else float("nan")
            pt = peer_times.get(set_name)
            rows.append((fs, set_name, n_windows, n_windows / t, (n_windows / pt) if pt else None, (pt / t) if pt else None, diffs))
    print(f"features_bench: 8 channels x {args.minutes:g} min, 200 ms windows / 50 ms steps, best of {args.repeats}; "
          f"LibEMG {'in the same run' if have_peer else ('skipped (--no-peer)' if args.no_peer else 'not available (no benchmarks/.peers-libemg)')}")
    print(f"{'fs Hz':>6} {'set':<7} {'windows':>8} {'myograph win/s':>15} {'LibEMG win/s':>13} {'speed-up':>9}  max rel. diff per feature")
    for fs, s, nw, ours_r, peer_r, sp, diffs in rows:
        d = ", ".join(f"{k} {v:.1e}" + (" (*)" if k in DIFFERENT else "") for k, v in diffs.items())
        print(f"{fs:6.0f} {s:<7} {nw:8d} {ours_r:15,.0f} {peer_r if peer_r is None else format(peer_r, '13,.0f')!s:>13} "
              f"{'' if sp is None else format(sp, '8.1f') + 'x':>9}  {d}")
    for k, why in DIFFERENT.items():
        print(f"(*) {k}: {why}")


if __name__ == "__main__":
    main()
