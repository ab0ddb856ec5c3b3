"""Benchmark: stream a long 24-bit BDF file with ``myograph.open(...).iter_chunks`` vs bare numpy.

Writes a synthetic BDF+ file (default: 1 hour, 64 channels, 2048 Hz, about
1.4 GB) with :class:`myograph.io.edf.EdfWriter` in chunks, never holding the
whole recording in memory, into a temporary folder (deleted afterwards). Then
computes per-channel RMS twice, alternating, and keeps each method's best run:

* **bare numpy** (the baseline): ``numpy.fromfile`` of whole data records, 24-bit
  decode by viewing the bytes as ``(n, 3)`` uint8 and combining them to int32
  with sign extension, scaling to volts, sum of squares per channel;
* **myograph**: ``myograph.open(path).iter_chunks(chunk_s)`` and the same sum of squares.

Prints a table: wall time, throughput (MB/s of file data and samples/s), and
peak resident memory of this process (``resource.getrusage``), which must stay
below 400 MB. The goal is myograph ≥ 0.5× bare numpy.

Usage::

    python benchmarks/io_bench.py              # the full hour
    python benchmarks/io_bench.py --minutes 2  # a quick run
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import myograph
from myograph.io.edf import EdfWriter, read_header

RANGE_V = 5e-3  # physical range ±5 mV


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ru / 1024 if sys.platform != "darwin" else ru / 2**20


def write_file(path: Path, minutes: float, n_channels: int, fs: float, chunk_s: float, seed: int = 0) -> float:
    """Write the synthetic BDF in chunks; return seconds taken."""
    rng = np.random.default_rng(seed)
    total = int(round(minutes * 60 * fs))
    step = int(round(chunk_s * fs))
    amplitude = np.linspace(20e-6, 400e-6, n_channels)[:, None]  # per-channel RMS, V
    names = [f"EMG{i + 1}" for i in range(n_channels)]
    t0 = time.perf_counter()
    with EdfWriter(path, names, fs, (-RANGE_V, RANGE_V), record_s=1.0) as w:
        for i0 in range(0, total, step):
            n = min(step, total - i0)
            w.write(rng.standard_normal((n_channels, n)) * amplitude)
    return time.perf_counter() - t0


def bare_numpy_rms(path: Path, chunk_s: float) -> tuple[np.ndarray, float, int]:
    """Per-channel RMS by numpy.fromfile + (n, 3)-byte decode; returns (rms, seconds, samples)."""
    h = read_header(path)  # layout only (not timed)
    data = [s for s in h.signals if not s.is_annotation]
    ns, spr, rb = len(data), data[0].samples_per_record, h.record_bytes
    gain = np.array([s.calibration()[0] for s in data])[:, None, None]
    offset = np.array([s.calibration()[1] for s in data])[:, None, None]
    per = max(1, int(round(chunk_s / h.record_duration_s)))
    ss = np.zeros(ns)
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        f.seek(h.header_bytes)
        for k0 in range(0, h.n_records, per):
            n_rec = min(per, h.n_records - k0)
            raw = np.fromfile(f, dtype=np.uint8, count=n_rec * rb).reshape(n_rec, rb)
            b = raw[:, : ns * spr * 3].reshape(n_rec, ns, spr, 3).astype(np.int32)
            v = b[..., 0] | (b[..., 1] << 8) | (b[..., 2] << 16)
            v = (v ^ 0x800000) - 0x800000  # sign-extend 24 → 32 bit
            x = v.transpose(1, 0, 2) * gain + offset  # (ns, n_rec, spr) volts
            ss += np.einsum("ijk,ijk->i", x, x)
    seconds = time.perf_counter() - t0
    n = h.n_records * spr
    return np.sqrt(ss / n), seconds, n * ns


def myograph_rms(path: Path, chunk_s: float) -> tuple[np.ndarray, float, int]:
    """Per-channel RMS by myograph.open(path).iter_chunks(chunk_s)."""
    t0 = time.perf_counter()
    lazy = myograph.open(path)
    ss = np.zeros(lazy.n_channels)
    n = 0
    for chunk in lazy.iter_chunks(chunk_s):
        x = chunk.data
        ss += np.einsum("ij,ij->i", x, x)
        n += chunk.n_samples
    lazy.close()
    seconds = time.perf_counter() - t0
    return np.sqrt(ss / n), seconds, n * lazy.n_channels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="recording length, minutes (default 60)")
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--fs", type=float, default=2048.0, help="sampling rate, Hz")
    ap.add_argument("--chunk-s", type=float, default=10.0, help="chunk length for streaming, s")
    ap.add_argument("--dir", type=Path, default=None, help="folder for the temporary file (default: system temp)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="myograph-bench-", dir=args.dir))
    try:
        path = tmp / "bench.bdf"
        t_write = write_file(path, args.minutes, args.channels, args.fs, args.chunk_s)
        size_mb = path.stat().st_size / 1e6
        rss_write = peak_rss_mb()
        runs: dict[str, list[tuple[np.ndarray, float, int]]] = {"bare numpy.fromfile": [], "myograph.open": []}
        for _ in range(2):  # alternate so both see the same page-cache state
            runs["bare numpy.fromfile"].append(bare_numpy_rms(path, args.chunk_s))
            runs["myograph.open"].append(myograph_rms(path, args.chunk_s))
        best = {k: min(v, key=lambda r: r[1]) for k, v in runs.items()}
        rms_bare, rms_mg = best["bare numpy.fromfile"][0], best["myograph.open"][0]
        agree = float(np.max(np.abs(rms_mg - rms_bare) / rms_bare))

        print(f"file: {args.minutes:g} min x {args.channels} ch x {args.fs:g} Hz BDF, {size_mb:.1f} MB; "
              f"chunks of {args.chunk_s:g} s; written in {t_write:.1f} s ({size_mb / t_write:.0f} MB/s, "
              f"peak RSS while writing {rss_write:.0f} MB)")
        print(f"{'method':<22}{'best s':>9}{'MB/s':>9}{'Msamples/s':>12}{'vs bare':>9}")
        bare_s = best["bare numpy.fromfile"][1]
        for name, (_, seconds, samples) in best.items():
            print(f"{name:<22}{seconds:>9.2f}{size_mb / seconds:>9.0f}{samples / seconds / 1e6:>12.1f}{bare_s / seconds:>8.2f}x")
        peak = peak_rss_mb()
        print(f"peak RSS of the whole run: {peak:.0f} MB (limit 400 MB: {'ok' if peak < 400 else 'EXCEEDED'})")
        print(f"RMS agreement myograph vs bare: max relative difference {agree:.1e}")
        return 0 if peak < 400 and agree < 1e-9 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
