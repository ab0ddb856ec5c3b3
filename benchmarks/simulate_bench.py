"""Simulator throughput: time and memory of the two reference simulations.

Cases (issue 3), each against its budget on the 2-core reference machine:

* ``hdemg``: 64-channel (8 x 8, 8 mm) HD grid, 60 s at 2048 Hz, 200 motor units,
  default drive (trapezoid to 30% of maximal excitation) — budget 20 s;
* ``surface``: 8 bipolar channels (8 muscles, 100 units each), 10 min at 2000 Hz,
  30% excitation — budget 10 s.

Each case runs once for time after a short warm-up (imports, FFT plans), then once
more under ``tracemalloc`` for memory (the peak of numpy/Python allocations during the
case; tracing slows the run, so it is not timed). The process's peak resident set is
printed too. Run: ``.venv/bin/python benchmarks/simulate_bench.py``.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np

import myograph.simulate as sim

CASES = {
    "hdemg 8x8, 60 s @ 2048 Hz, 200 MUs": (lambda: sim.hdemg(60.0, 2048.0, rows=8, cols=8, motor_units=200, seed=1), 20.0, 60.0),
    "surface 8 ch, 600 s @ 2000 Hz, 8x100 MUs": (lambda: sim.surface(600.0, 2000.0, channels=8, motor_units=100, seed=1), 10.0, 600.0),
}


def _rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 2 ** 20


def main() -> int:
    sim.hdemg(1.0, 2048.0, motor_units=20, seed=0)  # warm-up
    sim.surface(1.0, 2000.0, channels=2, motor_units=20, seed=0)
    rows = []
    for name, (run, budget_s, signal_s) in CASES.items():
        t0 = time.perf_counter()
        rec, truth = run()
        dt = time.perf_counter() - t0
        n_dis = sum(d.size for d in truth.discharges)
        n_ch = rec.n_channels
        del rec, truth
        tracemalloc.start()
        run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append((name, dt, budget_s, signal_s / dt, peak / 2 ** 20, _rss_mb(), n_ch, n_dis))
    head = f"{'case':44s} {'time s':>7s} {'budget':>7s} {'x real':>7s} {'peak MB':>8s} {'RSS MB':>7s} {'chans':>6s} {'discharges':>11s}  verdict"
    print(head)
    print("-" * len(head))
    ok = True
    for name, dt, budget, xr, peak, rss, nch, nd in rows:
        verdict = "within budget" if dt <= budget else "OVER BUDGET"
        ok &= dt <= budget
        print(f"{name:44s} {dt:7.2f} {budget:7.1f} {xr:7.1f} {peak:8.0f} {rss:7.0f} {nch:6d} {nd:11d}  {verdict}")
    print(f"numpy {np.__version__}; baseline = the issue's budgets (20 s and 10 s on the 2-core machine)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
