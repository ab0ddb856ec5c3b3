"""The simulated amplifier: an endless, seamless, seeded EMG stream with faults on demand.

:class:`SimulatedAmplifier` is the default source everywhere (tests, demos, the
benchmark). It streams what :mod:`myograph.simulate` models — motor-unit action
potential trains of a surface montage, an HD grid, a concentric needle or a
forearm armband while the subject performs gestures — for as long as it runs,
paced by the wall clock (or as fast as asked, with ``realtime=False``), and
deterministic for a seed.

How the stream stays seamless
-----------------------------
It does **not** glue independent simulations together. The muscle is built once
with the public :mod:`myograph.simulate` functions (:func:`~myograph.simulate.surface`,
:func:`~myograph.simulate.hdemg`, :func:`~myograph.simulate.needle`,
:func:`~myograph.simulate.gestures`, run for a few milliseconds): their
:class:`~myograph.simulate.Truth` gives every unit's MUAP templates at every
channel and its recruitment threshold and rates. The stream then *carries the
motor-unit state* from chunk to chunk:

* each unit is a renewal process in rescaled time, exactly as
  :mod:`myograph.simulate.firing` describes (Gaussian intervals of CV
  ``isi_cv`` around ``1/rate``, truncated at 0.3, the rate a function of the
  excitation): its *phase* — how much rescaled time remains until its next
  discharge — is kept between chunks, so a discharge train continues across a
  chunk boundary as if there were none; each unit draws its intervals from a
  random stream of its own, so the output does not even depend on where the
  chunks are cut;
* the MUAPs are summed by overlap-add: a chunk's discharges are rendered with
  :func:`myograph.simulate.synth.sum_templates` into the chunk plus one
  template length, and that tail is added to the next chunk, so a MUAP that
  straddles a boundary is whole;
* amplifier noise is white and the optional mains hum keeps its phase.

So a join is mathematically invisible: the output equals what one long
simulation with the same discharges would give (the test compares the RMS of
the first difference at joins with elsewhere). The stream starts "warm" (units
already firing at a random phase, tails of earlier MUAPs present).

Spontaneous activity (needle mode) comes from
:func:`myograph.simulate.spontaneous.simulate_spontaneous` in segments of
``spontaneous_segment_s`` (4 s) whose parameters (rate, amplitude, shape) are
drawn once from the seed, so each fibrillating fibre keeps its rate and shape.
That function places only whole potentials and leaves an exactly zero baseline,
so segments join without any discontinuity; the one trace of a join is that a
regular train restarts at a random phase there (one interval per segment is
not the steady one). Needle jitter is not streamed (the mean MUAPs are used).

Drive groups and the gestures mode
----------------------------------
The excitation is a schedule of knots, linear in between, with one level per
*drive group* of units. The surface, HD-grid and needle modes have one group
holding every unit (one drive for all muscles, as ever). The ``"gestures"``
mode has one group per forearm muscle (the 12 of
:data:`~myograph.simulate.gesture_set.FOREARM_MUSCLES`; ``truth.units["muscle"]``
says which unit belongs to which), and :meth:`SimulatedAmplifier.set_gesture`
moves each muscle to ``GESTURES[name][muscle] * effort`` (clipped to 1; 0 for
the others) over ``ramp_s``. Its muscle is that of
``myograph.simulate.gestures(seed=seed, fs=fs, channels=channels,
motor_units=motor_units)`` for session 0 without electrode shift — same
anatomy, units and templates, because that function draws them from the seed's
subject streams whatever the schedule — so a classifier trained offline on that
simulator can be run on this stream. With ``cycle=True`` the subject runs an
endless schedule by itself (``rest_s`` of rest, then every gesture held
``hold_s`` with ``rest_s`` of rest after it, in a fresh seeded random order each
round); its commands are issued chunk by chunk as generation reaches them, so
the stream and its labels depend on the seed only. Ground truth:
:meth:`SimulatedAmplifier.gesture_labels` (class per sample, switching at each
command's onset, as ``truth.gesture_labels`` of the offline simulator switches at
hold onset while the drive ramps) and one ``gesture`` event per command. What the
live subject does not do: the offline simulator's effort variation between
repetitions, fatigue and electrode shift.

Real time
---------
A background thread generates chunks (``chunk_s``, 0.1 s) ``lookahead_s``
ahead of the wall clock (or ahead of the reader, without real time), so
:meth:`read` only copies; blocks of ``block_s`` (1/32 s) become available when
their last sample's time has come. A reader more than ``buffer_s`` behind loses
the oldest samples, like a real device's buffer (a counter jump; recorded as an
``overflow`` event). 64 channels at 2048 Hz in real time cost about 6 % of one
core, acquisition thread included (measured on the project's 2-core machine;
see ``docs/acquire.md``).

Faults and ground truth
-----------------------
:meth:`inject_dropout`, :meth:`inject_clock_step`, :meth:`inject_saturation`,
:meth:`inject_disconnect`, :meth:`set_excitation` and :meth:`set_gesture` act
from the next sample not yet delivered (the drive: not yet generated, ≤
``lookahead_s`` + ``chunk_s`` later), or from ``at_sample`` for reproducible
tests. Each is recorded as a :class:`SimEvent` in :attr:`SimulatedAmplifier.events`:

dropout
    samples never delivered: the counter jumps (a gap downstream);
clock_step
    the device clock (``Block.timestamp_s``) jumps by ``value`` s; no sample lost;
saturation
    the channel sits at the positive rail ``+range_v`` (flat);
disconnect
    the channel reads exactly 0 V (lead-off; flat);
excitation
    the drive moves to ``value`` over ``ramp_s``;
gesture
    the subject starts gesture ``channel`` (``"rest"``: rests) at effort ``value``,
    the drive ramping over ``n_samples``;
overflow
    the reader fell more than ``buffer_s`` behind; the oldest samples were dropped.

Discharge times of every unit are kept (:meth:`SimulatedAmplifier.discharges`).
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from myograph.acquire.source import Block, Source, StreamInfo
from myograph.core.channels import ChannelTable
from myograph.core.errors import ParameterError
from myograph.core.metadata import Metadata

__all__ = ["SimulatedAmplifier", "SimEvent", "MODES"]

log = logging.getLogger("myograph.acquire")

#: defaults per mode
MODES: dict[str, dict[str, Any]] = {
    "surface": dict(fs=2048.0, channels=8, excitation=0.2, noise_uv_rms=2.0, motor_units=100),
    "needle": dict(fs=20000.0, channels=1, excitation=0.1, noise_uv_rms=5.0, motor_units=100),
    "hdemg": dict(fs=2048.0, channels=64, excitation=0.2, noise_uv_rms=2.0, motor_units=100),
    # the defaults of myograph.simulate.gestures (a classifier trained offline works live)
    "gestures": dict(fs=2000.0, channels=8, excitation=0.0, noise_uv_rms=2.0, motor_units=40),
}

#: excitation is held constant over steps of this length when rates are evaluated, s
_STEP_S = 0.01
#: smallest inter-spike interval drawn, fraction of the mean (as in myograph.simulate.firing)
_MIN_INTERVAL = 0.3
#: inter-spike intervals are drawn per unit in blocks of this many
_INC_BLOCK = 64


@dataclass(frozen=True)
class SimEvent:
    """One ground-truth event of the simulated amplifier.

    Attributes
    ----------
    kind : str
        ``"dropout"``, ``"clock_step"``, ``"saturation"``, ``"disconnect"``,
        ``"excitation"``, ``"gesture"``, ``"overflow"`` or ``"spontaneous:<kind>"``.
    start_sample : int
        First sample affected (the stream's counter).
    n_samples : int
        Samples affected (0 for a clock step; the ramp length for excitation and gestures).
    channel : str or None
        Channel affected (saturation, disconnect); the gesture (``"rest"``) for gestures.
    value : float
        Clock step (s), excitation level, gesture effort, or the rail (V) for saturation.
    """

    kind: str
    start_sample: int
    n_samples: int = 0
    channel: str | None = None
    value: float = math.nan


# ---------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class _Model:
    """What a mode's muscle is: templates and pool properties (built once, shared, read-only)."""

    channels: ChannelTable
    metadata: Metadata
    groups: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # (unit indices, channel indices, templates)
    lag0: int
    n_lag: int
    thresholds: np.ndarray
    min_rate_hz: np.ndarray
    peak_rate_hz: np.ndarray
    gain_hz: float
    truth: Any  # myograph.simulate.Truth of the short build run (templates, unit table)
    biggest_muap: np.ndarray | None = None
    # drive groups: units of one group share one excitation (one group of all units, except
    # in the gestures mode, where each forearm muscle is driven on its own)
    drive_groups: tuple[str, ...] = ("all",)
    unit_group: np.ndarray | None = None  # group index of each unit (None: all in group 0)


_MODEL_CACHE: dict[tuple, _Model] = {}
_MODEL_LOCK = threading.Lock()


def _build_model(mode: str, fs: float, channels: int, motor_units: int, pathology: str, isi_cv: float,
                 seed: int) -> _Model:
    key = (mode, fs, channels, motor_units, pathology, isi_cv, seed)
    with _MODEL_LOCK:
        if key in _MODEL_CACHE:
            return _MODEL_CACHE[key]
    from myograph import simulate as S
    from myograph.simulate.pool import make_pool

    build_s = 0.01
    if mode == "surface":
        rec, truth = S.surface(build_s, fs, channels=channels, motor_units=motor_units, excitation=0.0,
                               pathology=pathology, force=False, isi_cv=isi_cv, seed=seed)
    elif mode == "hdemg":
        if channels % 8:
            raise ParameterError("channels", f"hdemg grids have 8 columns: channels must be a multiple of 8, got {channels}")
        rec, truth = S.hdemg(build_s, fs, rows=channels // 8, cols=8, motor_units=motor_units, excitation=0.0,
                             pathology=pathology, force=False, isi_cv=isi_cv, seed=seed)
    elif mode == "needle":
        if channels != 1:
            raise ParameterError("channels", f"the needle mode has 1 channel, got {channels}")
        rec, truth = S.needle(build_s, fs, motor_units=motor_units, excitation=0.0, pathology=pathology,
                              isi_cv=isi_cv, seed=seed)
    elif mode == "gestures":
        # session 0, no electrode shift: the anatomy, units and templates of
        # simulate.gestures(seed=seed, fs=fs, channels=channels, motor_units=motor_units, ...),
        # which draws them from the seed's subject streams, independent of the schedule
        rec, truth = S.gestures(duration_s=build_s, fs=fs, channels=channels, motor_units=motor_units,
                                session=0, electrode_shift_deg=0.0, pathology=pathology, isi_cv=isi_cv, seed=seed)
    else:  # pragma: no cover - checked by the caller
        raise ParameterError("mode", f"must be one of {sorted(MODES)}, got {mode!r}")
    emg = [i for i, c in enumerate(rec.channels) if c.type == "EMG"]
    table = ChannelTable([rec.channels[i] for i in emg])
    tm = np.asarray(truth.templates, dtype=float)
    units = truth.units
    muscles = np.asarray(units["muscle"])
    groups = []
    for m in dict.fromkeys(muscles.tolist()):
        u_idx = np.flatnonzero(muscles == m)
        c_idx = np.flatnonzero(np.any(tm[u_idx] != 0, axis=(0, 2)))
        if c_idx.size:
            t = np.ascontiguousarray(tm[np.ix_(u_idx, c_idx)])
            t.flags.writeable = False
            groups.append((u_idx, c_idx, t))
    gain = make_pool(motor_units, np.random.default_rng(0), pathology=pathology, isi_cv=isi_cv).gain_hz
    biggest = None
    if mode == "needle" and tm.size:
        amp = np.ptp(tm[:, 0, :], axis=1)
        if amp.max() > 0:
            biggest = tm[int(np.argmax(amp)), 0, :].copy()
    drive_groups: tuple[str, ...] = ("all",)
    unit_group = None
    if mode == "gestures":
        from myograph.simulate.gesture_set import FOREARM_MUSCLES

        drive_groups = tuple(FOREARM_MUSCLES)
        index = {full: k for k, (full, *_rest) in enumerate(FOREARM_MUSCLES.values())}
        unit_group = np.array([index[str(m)] for m in muscles], dtype=np.intp)
        unit_group.flags.writeable = False
    model = _Model(table, rec.metadata, tuple(groups), int(truth.template_lag0), int(tm.shape[-1]),
                   np.asarray(units["threshold"], float), np.asarray(units["min_rate_hz"], float),
                   np.asarray(units["peak_rate_hz"], float), float(gain), truth, biggest, drive_groups, unit_group)
    with _MODEL_LOCK:
        _MODEL_CACHE[key] = model
        while len(_MODEL_CACHE) > 8:
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
    return model


# ---------------------------------------------------------------------------------- generator
@dataclass(frozen=True)
class _GestureSpec:
    """What the gestures mode adds to the generator: class patterns and the optional endless cycle."""

    class_names: tuple[str, ...]  # "rest" first; class k is class_names[k]
    patterns: np.ndarray  # (classes, drive groups): each muscle's excitation at effort 1 (rest: 0)
    cycle: bool
    hold: int  # samples
    rest: int  # samples
    ramp: int  # samples, of every command of the cycle
    effort: float


class _Generator:
    """Produces the clean stream chunk by chunk, carrying unit phases and MUAP tails (one thread only)."""

    def __init__(self, model: _Model, fs: float, seed: int, *, excitation: float, isi_cv: float, noise_uv_rms: float,
                 powerline_hz: float | None, powerline_uv: float, range_v: float, spontaneous: tuple[str, ...],
                 spontaneous_params: dict[str, dict[str, Any]], spontaneous_segment_s: float, chunk: int,
                 gestures: _GestureSpec | None = None) -> None:
        self.m = model
        self.fs = fs
        self.isi_cv = isi_cv
        self.noise_v = noise_uv_rms * 1e-6
        self.powerline_hz = powerline_hz
        self.powerline_v = powerline_uv * 1e-6
        self.range_v = range_v
        self.chunk = chunk
        self.step = max(1, int(round(_STEP_S * fs)))
        ss = np.random.SeedSequence([int(seed), 0x6D796F67])  # independent of the model's build seed streams
        # (spawning a sixth child leaves the first five, hence the other modes' streams, as they were)
        s_init, s_fire, s_noise, s_spont, s_mains, s_cycle = ss.spawn(6)
        r_init, r_spont, r_mains = (np.random.default_rng(s) for s in (s_init, s_spont, s_mains))
        self.r_noise = np.random.default_rng(s_noise)
        n_units = model.thresholds.size
        self.n_ch = len(model.channels)
        # one generator per unit, drawn in blocks: a unit's intervals do not depend on how the
        # stream is cut into chunks or on the other units, so the output is chunk-invariant
        self.r_units = [np.random.default_rng(s) for s in s_fire.spawn(n_units)]
        self.inc = np.empty((n_units, _INC_BLOCK))
        for u in range(n_units):
            self.inc[u] = self._draw(u)
        self.inc_ptr = np.zeros(n_units, dtype=np.int64)
        first = np.maximum(1.0 + isi_cv * r_init.standard_normal(n_units), _MIN_INTERVAL)
        self.phase = first * r_init.random(n_units)  # rescaled time until each unit's next discharge
        self.mains_phase = 2 * np.pi * r_mains.random(self.n_ch) if self.n_ch else np.zeros(0)
        # the excitation schedule: knots (sample, level of each drive group), linear in between
        self.n_groups = len(model.drive_groups)
        self.unit_group = np.zeros(n_units, dtype=np.intp) if model.unit_group is None else model.unit_group
        self.knots: list[tuple[float, np.ndarray]] = [(0, np.full(self.n_groups, float(excitation)))]
        self.knots_lock = threading.Lock()
        # gestures: the commands in effect, (onset sample, class), and their events; the cycle
        self.gestures = gestures
        self.commands: list[tuple[int, int]] = []
        self.gesture_events: list[SimEvent] = []
        self.cycle_rng = np.random.default_rng(s_cycle)
        self.cycle_queue: collections.deque[tuple[int, int]] = collections.deque()
        self.cycle_round_start = 0
        if gestures is not None and gestures.cycle:
            self.cycle_round_start = gestures.rest
        self.discharges: list[list[np.ndarray]] = [[] for _ in range(n_units)]
        self.spont_events: list[SimEvent] = []
        # spontaneous activity in segments with parameters fixed by the seed
        self.spont = tuple(spontaneous)
        self.spont_seg = int(round(spontaneous_segment_s * fs))
        self.spont_rng = r_spont
        self.spont_params = self._spont_params(spontaneous_params, np.random.default_rng(r_spont.integers(2 ** 63)))
        self.spont_buf = np.zeros(0)
        self.spont_start = 0  # output index of spont_buf[0]
        self.spont_next_seg = 0
        # the discharge clock: discharges in [d, d + chunk) render outputs [d - lag0, d - lag0 + chunk)
        self.tail = np.zeros((self.n_ch, model.n_lag))
        warm = -(-max(model.n_lag, 1) // self.step) * self.step
        self.d = model.lag0 - warm
        self._render(warm)  # warm start: tails of MUAPs discharged before sample 0
        self.out_pos = 0

    def _draw(self, u: int) -> np.ndarray:
        return np.maximum(1.0 + self.isi_cv * self.r_units[u].standard_normal(_INC_BLOCK), _MIN_INTERVAL)

    def _increments(self, units: np.ndarray) -> np.ndarray:
        """The next inter-spike interval (rescaled) of each of ``units`` (distinct)."""
        out = self.inc[units, self.inc_ptr[units]]
        self.inc_ptr[units] += 1
        for u in units[self.inc_ptr[units] >= _INC_BLOCK].tolist():
            self.inc[u] = self._draw(u)
            self.inc_ptr[u] = 0
        return out

    # -- excitation schedule
    def excitation_at(self, samples: np.ndarray) -> np.ndarray:
        """The excitation of every drive group at ``samples``: ``(len(samples), n_groups)``."""
        with self.knots_lock:
            return self._excitation_at_locked(samples)

    def _excitation_at_locked(self, samples: np.ndarray) -> np.ndarray:
        xs = np.array([s for s, _ in self.knots], dtype=float)
        ys = np.array([v for _, v in self.knots], dtype=float).reshape(len(self.knots), self.n_groups)
        return np.column_stack([np.interp(samples, xs, ys[:, g]) for g in range(self.n_groups)])

    def set_excitation(self, level: float | np.ndarray, at: int, ramp: int) -> None:
        """From sample ``at``, move linearly from the current levels to ``level`` (a scalar: every group) over ``ramp`` samples.

        Knots at or after ``at`` are replaced: a command overrides what was scheduled later.
        """
        with self.knots_lock:
            self._set_excitation_locked(level, at, ramp)

    def _set_excitation_locked(self, level: float | np.ndarray, at: int, ramp: int) -> None:
        target = np.broadcast_to(np.asarray(level, dtype=float), (self.n_groups,)).copy()
        start = self._excitation_at_locked(np.array([at], dtype=float))[0]
        kept = [(s, v) for s, v in self.knots if s < at]
        if ramp > 0:
            self.knots = kept + [(at, start), (at + ramp, target)]
        else:  # a step
            self.knots = kept + [(at - 1e-6, start), (at, target)]

    def _prune_knots(self) -> None:
        """Forget knots that no later sample can depend on (the schedule of an endless cycle stays short)."""
        with self.knots_lock:
            k = self.knots
            i = 0
            while i + 1 < len(k) and k[i + 1][0] <= self.d:
                i += 1
            if i:
                self.knots = k[i:]

    # -- gestures
    def command(self, cls: int, effort: float, at: int, ramp: int) -> SimEvent:
        """From sample ``at``, drive every muscle to the pattern of class ``cls`` times ``effort`` over ``ramp`` samples.

        The command replaces any command (and excitation knot) scheduled at or after ``at``.
        """
        g = self.gestures
        assert g is not None
        level = np.clip(g.patterns[cls] * effort, 0.0, 1.0)
        ev = SimEvent("gesture", int(at), int(ramp), g.class_names[cls], float(effort))
        with self.knots_lock:
            self._set_excitation_locked(level, at, ramp)
            self.commands = [c for c in self.commands if c[0] < at] + [(int(at), int(cls))]
            self.gesture_events = [e for e in self.gesture_events if e.start_sample < at] + [ev]
        return ev

    def labels(self, start: int, stop: int) -> np.ndarray:
        """The class in effect at each sample of ``[start, stop)`` (0 = rest before any command)."""
        with self.knots_lock:
            cmds = list(self.commands)
        out = np.zeros(stop - start, dtype=np.int16)
        if cmds:
            onsets = np.array([c[0] for c in cmds], dtype=np.int64)
            classes = np.array([0] + [c[1] for c in cmds], dtype=np.int16)
            idx = np.searchsorted(onsets, np.arange(start, stop, dtype=np.int64), side="right")
            out = classes[idx]
        return out

    def _run_cycle(self, until: int) -> None:
        """Issue the commands of the endless cycle whose onsets come before ``until`` (in order, seeded)."""
        g = self.gestures
        if g is None or not g.cycle:
            return
        while True:
            if not self.cycle_queue:  # the next round: each gesture once, in a fresh random order
                t = self.cycle_round_start
                for k in self.cycle_rng.permutation(len(g.class_names) - 1):
                    self.cycle_queue.append((t, int(k) + 1))
                    self.cycle_queue.append((t + g.hold, 0))
                    t += g.hold + g.rest
                self.cycle_round_start = t
            at, cls = self.cycle_queue[0]
            if at >= until:
                return
            self.cycle_queue.popleft()
            ev = self.command(cls, g.effort, at, g.ramp)
            log.debug("sim cycle: %s", ev)

    @property
    def generated_until(self) -> int:
        """Discharges are generated up to this sample (exclusive)."""
        return self.d + self.chunk

    # -- spontaneous activity
    def _spont_params(self, given: dict[str, dict[str, Any]], rng: np.random.Generator) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for kind in self.spont:
            p: dict[str, Any] = {}
            if kind in ("fibrillation", "positive_sharp_wave"):
                p["rate_hz"] = float(rng.uniform(0.5, 10.0))
                p["amplitude_uv"] = float(math.exp(rng.uniform(math.log(20.0), math.log(200.0))))
                if kind == "fibrillation":
                    p["radius_mm"] = float(rng.uniform(0.05, 0.2))
                    p["velocity_m_s"] = float(rng.uniform(3.0, 4.5))
                else:
                    p["duration_ms"] = float(rng.uniform(10.0, 30.0))
            elif kind == "fasciculation":
                p["rate_hz"] = float(rng.uniform(0.1, 0.5))
                if self.m.biggest_muap is not None:
                    p["muap_v"] = self.m.biggest_muap
            elif kind in ("myotonic", "complex_repetitive"):
                lo, hi = (50.0, 300.0) if kind == "myotonic" else (100.0, 1000.0)
                p["amplitude_uv"] = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
            p.update(given.get(kind, {}))
            out[kind] = p
        return out

    def _spontaneous(self, lo: int, n: int) -> np.ndarray:
        from myograph.simulate.spontaneous import simulate_spontaneous

        while self.spont_start + self.spont_buf.size < lo + n:
            seg = np.zeros(self.spont_seg)
            seg_start = self.spont_next_seg * self.spont_seg
            for kind in self.spont:
                params = dict(self.spont_params[kind])
                muap = params.pop("muap_v", None)
                sig, evs = simulate_spontaneous(kind, self.spont_seg / self.fs, self.fs, self.spont_rng, muap_v=muap, **params)
                seg += sig[:self.spont_seg]
                for e in evs:
                    self.spont_events.append(SimEvent(f"spontaneous:{e.kind}", seg_start + int(round(e.onset_s * self.fs)),
                                                      int(round(e.duration_s * self.fs)), self.m.channels.names[0],
                                                      float(e.amplitude_uv)))
            keep_from = max(0, lo - self.spont_start)
            self.spont_buf = np.concatenate([self.spont_buf[keep_from:], seg])
            self.spont_start += keep_from
            self.spont_next_seg += 1
        i = lo - self.spont_start
        return self.spont_buf[i:i + n]

    # -- discharges and MUAPs
    def _discharges(self, n: int) -> list[np.ndarray]:
        """Discharge samples (absolute) of every unit in ``[d, d + n)``; advances the unit phases."""
        m = self.m
        n_units = m.thresholds.size
        steps = np.arange(self.d, self.d + n, self.step)
        self._run_cycle(self.d + n)
        exc = self.excitation_at(steps + self.step / 2)
        per_unit: list[list[np.ndarray]] = [[] for _ in range(n_units)]
        for s0, e_group in zip(steps, exc):
            e = e_group[self.unit_group]  # each unit's excitation: its drive group's
            width = min(self.step, self.d + n - s0)
            rate = np.where(e >= m.thresholds, np.minimum(m.min_rate_hz + m.gain_hz * (e - m.thresholds), m.peak_rate_hz), 0.0)
            lam = rate * (width / self.fs)
            active = np.flatnonzero(lam > 0)
            if not active.size:
                continue
            ph = self.phase[active]
            la = lam[active]
            fire = ph < la
            while np.any(fire):
                idx = np.flatnonzero(fire)
                u = active[idx]
                t = ph[idx] / rate[u]
                samp = s0 + np.floor(t * self.fs + 0.5).astype(np.int64)
                for uu, ss in zip(u.tolist(), samp.tolist()):
                    per_unit[uu].append(ss)
                ph[idx] += self._increments(u)
                fire = ph < la
            self.phase[active] = ph - la
        return [np.asarray(p, dtype=np.int64) for p in per_unit]

    def _render(self, n: int) -> np.ndarray:
        """Outputs ``[d - lag0, d - lag0 + n)`` (MUAP sums only); advances the discharge clock by ``n``."""
        from myograph.simulate.synth import sum_templates

        m = self.m
        disch = self._discharges(n)
        out = np.zeros((self.n_ch, n + m.n_lag))
        out[:, :m.n_lag] += self.tail
        for u_idx, c_idx, tm in m.groups:
            trains = [disch[u] - self.d for u in u_idx]
            if any(t.size for t in trains):
                out[c_idx] += sum_templates(trains, tm, n + m.n_lag, lag0=0)
        for u, dd in enumerate(disch):
            if dd.size:
                keep = dd[dd >= 0]
                if keep.size:
                    self.discharges[u].append(keep)
        self.tail = out[:, n:].copy()
        self.d += n
        self._prune_knots()
        return out[:, :n]

    def next_chunk(self) -> tuple[int, np.ndarray]:
        """``(first output sample, samples)`` of the next chunk, volts, clipped to the amplifier range."""
        lo = self.out_pos
        n = self.chunk
        x = self._render(n)
        if self.noise_v > 0:  # drawn time-major, so the noise too does not depend on the chunking
            x += self.noise_v * self.r_noise.standard_normal((n, self.n_ch)).T
        if self.powerline_hz and self.powerline_v > 0:
            t = (lo + np.arange(n)) * (2 * np.pi * self.powerline_hz / self.fs)
            x += self.powerline_v * np.sin(t[None, :] + self.mains_phase[:, None])
        if self.spont:
            x[0] += self._spontaneous(lo, n)
        np.clip(x, -self.range_v, self.range_v, out=x)
        self.out_pos += n
        return lo, x


# ---------------------------------------------------------------------------------- the source
@dataclass
class _Span:
    kind: str
    start: int
    stop: int
    channel: int | None = None


class SimulatedAmplifier(Source):
    """A simulated EMG amplifier: surface, HD grid, concentric needle or a gesturing forearm, in real time.

    Parameters
    ----------
    mode : {"surface", "needle", "hdemg", "gestures"}
        ``"surface"``: bipolar channels over 8 muscles (2048 Hz); ``"needle"``:
        one concentric needle channel (20 kHz), optionally with spontaneous
        activity; ``"hdemg"``: a monopolar 8 x 8 grid (64 channels, 2048 Hz);
        ``"gestures"``: an armband of bipolar channels around a forearm of 12
        muscles (8 channels, 2000 Hz) whose subject performs hand and wrist
        gestures on command (:meth:`set_gesture`) or in an endless cycle
        (``cycle=True``) — the muscle model of :func:`myograph.simulate.gestures`
        for the same seed (session 0), so a classifier trained offline on that
        simulator works on this stream.
    fs : float, optional
        Sampling rate, Hz (mode default).
    channels : int, optional
        Surface: number of muscles (1-16); hdemg: grid channels, a multiple of
        8 (rows of 8); needle: 1; gestures: electrodes around the forearm (2-32).
    seed : int, default 0
        Same seed, same stream (and same muscle).
    excitation : float, optional
        Initial drive in [0, 1] (surface/hdemg 0.2; needle 0.1, or 0 with spontaneous
        activity; gestures: 0 only, the subject starts at rest).
    realtime : bool, default True
        Pace blocks by the wall clock; ``False`` delivers as fast as read.
    block_s : float, default 1/32
        Samples per block, s.
    motor_units : int, optional
        Units per muscle (100; gestures 40, as :func:`myograph.simulate.gestures`).
    pathology : str, default "normal"
        ``"normal"``, ``"myopathic"`` or ``"neurogenic"``.
    spontaneous : sequence of str
        Needle only: kinds of spontaneous activity (see
        :func:`myograph.simulate.spontaneous.simulate_spontaneous`).
    spontaneous_params : mapping, optional
        Per kind, parameters that override the ones drawn from the seed.
    noise_uv_rms : float, optional
        White amplifier noise, µV RMS (surface/hdemg 2, needle 5).
    powerline_hz, powerline_uv : float, optional
        Mains hum frequency (Hz) and amplitude (µV); none by default.
    range_v : float, default 0.01
        Amplifier input range ±``range_v``, V: samples are clipped to it and a
        saturation sits at ``+range_v``.
    isi_cv : float, default 0.15
        Coefficient of variation of inter-spike intervals.
    chunk_s, lookahead_s, buffer_s : float
        Generation chunk (0.1 s), how far ahead of the clock (or the reader)
        generation runs (0.25 s; 1 s without real time), and how far a reader
        may fall behind before the oldest samples are dropped (10 s).
    spontaneous_segment_s : float, default 4.0
        Length of the independently simulated spontaneous-activity segments, s.
    gesture_names : sequence of str or str, optional
        Gestures mode: the gestures of :data:`myograph.simulate.GESTURES` this
        subject knows (a comma-separated string is accepted, for source specs);
        class *k* is :attr:`gesture_names` ``[k]`` with 0 = rest. Default
        :data:`~myograph.simulate.gesture_set.DEFAULT_GESTURES`.
    cycle : bool, default False
        Gestures mode: the subject runs an endless schedule by itself — ``rest_s``
        of rest, then each gesture held ``hold_s`` with ``rest_s`` of rest after
        it, the gestures in a fresh random order each round (seeded; as the
        rounds of :func:`myograph.simulate.gestures`). :meth:`set_gesture` is
        then refused.
    hold_s, rest_s : float, default 3.0, 2.0
        Gestures mode: hold and rest durations of the cycle, s.
    effort : float, default 1.0
        Gestures mode: effort of the cycle's gestures (multiplies each muscle's
        excitation pattern; clipped to 1 per muscle).
    ramp_s : float, default 0.2
        Gestures mode: how long the drive of the cycle's commands takes to move
        from one pattern to the next, s.

    Examples
    --------
    >>> with SimulatedAmplifier("surface", channels=2, realtime=False, seed=1) as amp:
    ...     block = amp.read(timeout_s=5.0)
    >>> block.data.shape
    (2, 64)
    """

    def __init__(self, mode: str = "surface", *, fs: float | None = None, channels: int | None = None, seed: int = 0,
                 excitation: float | None = None, realtime: bool = True, block_s: float = 1 / 32,
                 motor_units: int | None = None, pathology: str = "normal", spontaneous: tuple[str, ...] | list[str] = (),
                 spontaneous_params: dict[str, dict[str, Any]] | None = None, noise_uv_rms: float | None = None,
                 powerline_hz: float | None = None, powerline_uv: float = 0.0, range_v: float = 0.01,
                 isi_cv: float = 0.15, chunk_s: float = 0.1, lookahead_s: float | None = None, buffer_s: float = 10.0,
                 spontaneous_segment_s: float = 4.0, gesture_names: Sequence[str] | str | None = None,
                 cycle: bool = False, hold_s: float = 3.0, rest_s: float = 2.0, effort: float = 1.0,
                 ramp_s: float = 0.2) -> None:
        if mode not in MODES:
            raise ParameterError("mode", f"must be one of {sorted(MODES)}, got {mode!r}")
        d = MODES[mode]
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ParameterError("seed", f"must be a non-negative integer, got {seed!r}")
        spont = tuple(str(k) for k in spontaneous)
        if spont and mode != "needle":
            raise ParameterError("spontaneous", f"spontaneous activity is simulated in the needle mode only, not {mode!r}")
        self.mode = mode
        self.fs = float(d["fs"] if fs is None else fs)
        n_ch = int(d["channels"] if channels is None else channels)
        self.seed = int(seed)
        self.realtime = bool(realtime)
        for name, v in (("block_s", block_s), ("chunk_s", chunk_s), ("buffer_s", buffer_s), ("range_v", range_v),
                        ("spontaneous_segment_s", spontaneous_segment_s)):
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ParameterError(name, f"must be a positive number, got {v!r}")
        exc = (0.0 if spont else d["excitation"]) if excitation is None else float(excitation)
        if not 0.0 <= exc <= 1.0:
            raise ParameterError("excitation", f"must be in [0, 1], got {excitation!r}")
        if mode == "gestures" and exc != 0.0:
            raise ParameterError("excitation", f"the gestures mode starts at rest (excitation 0) and its drive follows "
                                 f"the gestures (set_gesture or cycle=True), got {excitation!r}")
        gspec = self._gesture_spec(mode, gesture_names, cycle, hold_s, rest_s, effort, ramp_s)
        n_units = int(d["motor_units"] if motor_units is None else motor_units)
        self._model = _build_model(mode, self.fs, n_ch, n_units, pathology, isi_cv, self.seed)
        self.block_samples = max(1, int(round(block_s * self.fs)))
        step = max(1, int(round(_STEP_S * self.fs)))
        self._chunk = max(1, int(round(chunk_s * self.fs / step))) * step  # whole excitation steps
        look = (0.25 if self.realtime else 1.0) if lookahead_s is None else float(lookahead_s)
        self._lookahead = max(self._chunk + self.block_samples, int(round(look * self.fs)))
        self._buffer = max(self._chunk + self.block_samples, int(round(buffer_s * self.fs)))
        self.range_v = float(range_v)
        self._gen_kw = dict(excitation=exc, isi_cv=float(isi_cv),
                            noise_uv_rms=float(d["noise_uv_rms"] if noise_uv_rms is None else noise_uv_rms),
                            powerline_hz=powerline_hz, powerline_uv=float(powerline_uv), range_v=self.range_v,
                            spontaneous=spont, spontaneous_params=dict(spontaneous_params or {}),
                            spontaneous_segment_s=float(spontaneous_segment_s), gestures=gspec)
        meta = self._model.metadata.replace(notes=self._model.metadata.notes + (
            f"live simulated amplifier, mode {mode}, seed {self.seed}",))
        self.info = StreamInfo(f"sim:{mode}", self.fs, self._model.channels, meta,
                               physical_range=(-self.range_v, self.range_v), has_counter=True)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False
        self._reset()

    def _gesture_spec(self, mode: str, gesture_names: Sequence[str] | str | None, cycle: bool, hold_s: float,
                      rest_s: float, effort: float, ramp_s: float) -> _GestureSpec | None:
        """Check the gestures-mode parameters; ``None`` in the other modes (where they must be left alone)."""
        if mode != "gestures":
            if cycle:
                raise ParameterError("cycle", f"the gesture cycle belongs to the gestures mode, not {mode!r}")
            if gesture_names is not None:
                raise ParameterError("gesture_names", f"gestures belong to the gestures mode, not {mode!r}")
            return None
        from myograph.simulate.gesture_set import DEFAULT_GESTURES, FOREARM_MUSCLES, GESTURES, check_gesture_names

        if gesture_names is None:
            names = list(DEFAULT_GESTURES)
        elif isinstance(gesture_names, str):
            names = check_gesture_names([g.strip() for g in gesture_names.split(",") if g.strip()])
        else:
            names = check_gesture_names(gesture_names)
        for name, v, lo in (("hold_s", hold_s, 0.0), ("rest_s", rest_s, None), ("effort", effort, None),
                            ("ramp_s", ramp_s, None)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 or (lo is not None and v <= lo):
                raise ParameterError(name, f"must be a {'positive' if lo is not None else 'non-negative'} number, got {v!r}")
        if not (isinstance(cycle, (bool, np.bool_)) or (isinstance(cycle, (int, np.integer)) and cycle in (0, 1))):
            raise ParameterError("cycle", f"must be True or False, got {cycle!r}")
        hold = int(round(hold_s * self.fs))
        if hold < 1:
            raise ParameterError("hold_s", f"must last at least one sample at {self.fs:g} Hz, got {hold_s!r}")
        abbrs = list(FOREARM_MUSCLES)
        patterns = np.zeros((len(names) + 1, len(abbrs)))
        for k, g in enumerate(names, start=1):
            for m, level in GESTURES[g].items():
                patterns[k, abbrs.index(m)] = level
        patterns.flags.writeable = False
        return _GestureSpec(("rest", *names), patterns, bool(cycle), hold, int(round(rest_s * self.fs)),
                            int(round(ramp_s * self.fs)), float(effort))

    # ------------------------------------------------------------------ state
    def _reset(self) -> None:
        self._gen = _Generator(self._model, self.fs, self.seed, chunk=self._chunk, **self._gen_kw)
        self._fifo: collections.deque[tuple[int, np.ndarray]] = collections.deque()
        self._generated = 0  # output samples [0, generated) exist (some may have been dropped)
        self._delivered = 0  # next sample read() hands out
        self._spans: list[_Span] = []
        self._clock_steps: list[tuple[int, float]] = []
        self._events: list[SimEvent] = []
        self._t0 = 0.0
        self._error: BaseException | None = None

    @property
    def clock_is_monotonic(self) -> bool:
        """In real time, ``Block.timestamp_s`` is on ``time.monotonic()`` (latency can be measured against it)."""
        return self.realtime

    @property
    def truth(self) -> Any:
        """The :class:`~myograph.simulate.Truth` of the muscle (templates, unit table; discharges via :meth:`discharges`)."""
        return self._model.truth

    @property
    def events(self) -> list[SimEvent]:
        """Ground-truth events so far (faults, excitation changes, gestures, overflow, spontaneous discharges), by start sample."""
        with self._cond:
            with self._gen.knots_lock:  # (the lock order of set_gesture: _cond, then knots_lock)
                gestures = list(self._gen.gesture_events)
            ev = list(self._events) + list(self._gen.spont_events) + gestures
        return sorted(ev, key=lambda e: (e.start_sample, e.kind))

    @property
    def gesture_names(self) -> tuple[str, ...]:
        """Gestures mode: the class names, ``("rest", *gesture_names)`` (class *k* is ``gesture_names[k]``); else ``()``."""
        g = self._gen_kw["gestures"]
        return () if g is None else g.class_names

    def gesture_labels(self, start_sample: int, stop_sample: int) -> np.ndarray:
        """Gestures mode: the ground-truth class of each sample of ``[start_sample, stop_sample)``, int16.

        Class *k* is :attr:`gesture_names` ``[k]`` (0 = rest). A label switches at its
        command's onset sample while the drive ramps (the convention of
        ``truth.gesture_labels`` of :func:`myograph.simulate.gestures`, whose labels
        switch at hold onset). Labels are known for every sample generated so far
        (at least every sample delivered); later samples show the command last given.
        """
        if self._gen_kw["gestures"] is None:
            raise ParameterError("mode", f"gesture labels belong to the gestures mode, not {self.mode!r}")
        for name, v in (("start_sample", start_sample), ("stop_sample", stop_sample)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ParameterError(name, f"must be a non-negative integer sample counter, got {v!r}")
        if stop_sample < start_sample:
            raise ParameterError("stop_sample", f"must be >= start_sample ({start_sample}), got {stop_sample}")
        with self._cond:
            gen = self._gen
        return gen.labels(int(start_sample), int(stop_sample))

    def discharges(self) -> list[np.ndarray]:
        """Discharge sample indices of each unit generated so far (truth; unit order of :attr:`truth`)."""
        with self._cond:
            return [np.concatenate(d) if d else np.empty(0, np.int64) for d in self._gen.discharges]

    @property
    def samples_delivered(self) -> int:
        """The counter of the next sample :meth:`read` will hand out."""
        with self._cond:
            return self._delivered

    # ------------------------------------------------------------------ Source
    def start(self) -> None:
        """Start generating (a stopped amplifier restarts from sample 0 with the same seed)."""
        if self._running:
            return
        if self._thread is not None:
            self._reset()
        self._running = True
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._work, name=f"myograph-sim-{self.mode}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the generator thread (idempotent)."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def _due(self, now: float) -> int:
        """Samples whose time has come (real time)."""
        return int((now - self._t0) * self.fs)

    def _target(self) -> int:
        base = self._due(time.monotonic()) if self.realtime else self._delivered
        return max(base, self._delivered) + self._lookahead

    def _work(self) -> None:
        try:
            while True:
                with self._cond:
                    while self._running and self._generated >= self._target():
                        self._drop_backlog_locked()
                        self._cond.wait(timeout=self._chunk / self.fs / 2 if self.realtime else 0.5)
                    if not self._running:
                        return
                lo, x = self._gen.next_chunk()
                with self._cond:
                    self._fifo.append((lo, x))
                    self._generated = lo + x.shape[1]
                    self._drop_backlog_locked()
                    self._cond.notify_all()
        except BaseException as exc:  # pragma: no cover - surfaced by read()
            log.exception("simulated amplifier generator failed")
            with self._cond:
                self._error = exc
                self._running = False
                self._cond.notify_all()

    def _drop_backlog_locked(self) -> None:
        """A reader too far behind loses the oldest samples, like a device buffer."""
        newest = self._due(time.monotonic()) if self.realtime else self._generated
        excess = min(newest, self._generated) - self._buffer - self._delivered
        if excess > 0 and self.realtime:
            self._events.append(SimEvent("overflow", self._delivered, excess))
            self._delivered += excess
        while self._fifo and self._fifo[0][0] + self._fifo[0][1].shape[1] <= self._delivered:
            self._fifo.popleft()

    def read(self, timeout_s: float = 0.1) -> Block | None:
        """The next block, or ``None`` if it is not due (or not generated) within ``timeout_s``."""
        deadline = time.monotonic() + max(0.0, float(timeout_s))
        with self._cond:
            if self._error is not None:
                raise RuntimeError("the simulated amplifier's generator failed") from self._error
            if not self._running:
                raise ParameterError("source", "is not started; call start() or use it in a with-block")
            self._drop_backlog_locked()
            lo = self._skip_dropouts_locked(self._delivered)
            hi = self._block_end_locked(lo)
            while True:
                now = time.monotonic()
                wait = deadline - now
                due_wait = (self._t0 + hi / self.fs - now) if self.realtime else 0.0
                if due_wait <= 0 and self._generated >= hi:
                    break
                if wait <= 0 or not self._running:
                    return None
                self._cond.wait(timeout=min(wait, due_wait) if due_wait > 0 else wait)
                if self._delivered > lo:  # the backlog was dropped meanwhile: start again from there
                    lo = self._skip_dropouts_locked(self._delivered)
                    hi = self._block_end_locked(lo)
            data = self._take_locked(lo, hi)
            self._apply_faults_locked(data, lo)
            self._delivered = hi
            ts = (self._t0 if self.realtime else 0.0) + lo / self.fs + self._clock_offset_locked(lo)
            self._cond.notify_all()
        return Block(data, lo, ts, time.monotonic())

    def _block_end_locked(self, lo: int) -> int:
        hi = lo + self.block_samples
        for sp in self._spans:  # a dropout that starts inside the block cuts it there
            if sp.kind == "dropout" and lo < sp.start < hi:
                hi = sp.start
        for s, _ in self._clock_steps:  # so does a clock step (its timestamp belongs to the next block)
            if lo < s < hi:
                hi = s
        return hi

    def _skip_dropouts_locked(self, pos: int) -> int:
        moved = True
        while moved:
            moved = False
            for sp in self._spans:
                if sp.kind == "dropout" and sp.start <= pos < sp.stop:
                    pos, moved = sp.stop, True
        if pos != self._delivered:
            self._delivered = pos
            self._drop_backlog_locked()
        return pos

    def _take_locked(self, lo: int, hi: int) -> np.ndarray:
        parts = []
        for c0, x in self._fifo:
            c1 = c0 + x.shape[1]
            if c1 <= lo or c0 >= hi:
                continue
            parts.append(x[:, max(lo, c0) - c0:min(hi, c1) - c0])
        out = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0].copy()
        return out

    def _apply_faults_locked(self, data: np.ndarray, lo: int) -> None:
        hi = lo + data.shape[1]
        for sp in self._spans:
            if sp.kind == "dropout" or sp.stop <= lo or sp.start >= hi:
                continue
            a, b = max(sp.start, lo) - lo, min(sp.stop, hi) - lo
            data[sp.channel, a:b] = self.range_v if sp.kind == "saturation" else 0.0

    def _clock_offset_locked(self, sample: int) -> float:
        return float(sum(v for s, v in self._clock_steps if s <= sample))

    # ------------------------------------------------------------------ faults and drive
    def _at(self, at_sample: int | None) -> int:
        if at_sample is None:
            return self._delivered
        if isinstance(at_sample, bool) or not isinstance(at_sample, (int, np.integer)) or at_sample < 0:
            raise ParameterError("at_sample", f"must be a non-negative integer sample counter, got {at_sample!r}")
        return int(at_sample)

    def _n(self, duration_s: float) -> int:
        if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
            raise ParameterError("duration_s", f"must be a positive number of seconds, got {duration_s!r}")
        return max(1, int(round(duration_s * self.fs)))

    def _channel(self, channel: int | str) -> int:
        names = self.info.channels.names
        if isinstance(channel, str):
            if channel not in names:
                raise ParameterError("channel", f"no channel {channel!r}; channels are {names}")
            return names.index(channel)
        if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < len(names):
            raise ParameterError("channel", f"must be a channel name or an index in [0, {len(names)}), got {channel!r}")
        return int(channel)

    def _add(self, span: _Span | None, event: SimEvent) -> SimEvent:
        with self._cond:
            if span is not None:
                self._spans.append(span)
            self._events.append(event)
            self._cond.notify_all()
        log.info("sim: %s", event)
        return event

    def inject_dropout(self, duration_s: float, *, at_sample: int | None = None) -> SimEvent:
        """Lose ``duration_s`` of samples (never delivered: the counter jumps)."""
        with self._cond:
            at = self._at(at_sample)
        n = self._n(duration_s)
        return self._add(_Span("dropout", at, at + n), SimEvent("dropout", at, n))

    def inject_clock_step(self, seconds: float, *, at_sample: int | None = None) -> SimEvent:
        """Step the device clock (``Block.timestamp_s``) by ``seconds`` from ``at_sample`` on; no sample is lost."""
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds)):
            raise ParameterError("seconds", f"must be a finite number of seconds, got {seconds!r}")
        with self._cond:
            at = self._at(at_sample)
            self._clock_steps.append((at, float(seconds)))
        return self._add(None, SimEvent("clock_step", at, 0, None, float(seconds)))

    def inject_saturation(self, channel: int | str, duration_s: float, *, at_sample: int | None = None) -> SimEvent:
        """Hold ``channel`` at the positive rail (``+range_v``) for ``duration_s``."""
        c = self._channel(channel)
        with self._cond:
            at = self._at(at_sample)
        n = self._n(duration_s)
        return self._add(_Span("saturation", at, at + n, c),
                         SimEvent("saturation", at, n, self.info.channels.names[c], self.range_v))

    def inject_disconnect(self, channel: int | str, duration_s: float, *, at_sample: int | None = None) -> SimEvent:
        """Electrode off: ``channel`` reads exactly 0 V for ``duration_s``."""
        c = self._channel(channel)
        with self._cond:
            at = self._at(at_sample)
        n = self._n(duration_s)
        return self._add(_Span("disconnect", at, at + n, c), SimEvent("disconnect", at, n, self.info.channels.names[c], 0.0))

    def set_excitation(self, level: float, *, ramp_s: float = 0.1, at_sample: int | None = None) -> SimEvent:
        """Drive the muscle(s) to ``level`` (0-1) over ``ramp_s``: the "muscle" contracts when asked.

        Takes effect from the first sample not yet generated (at most
        ``lookahead_s + chunk_s`` after now), or from ``at_sample`` if that is later.
        The gestures mode refuses it (:class:`~myograph.ParameterError` naming
        ``mode``): there each muscle's drive follows the gesture, and
        ``set_gesture(name, effort=...)`` sets how hard.
        """
        if self._gen_kw["gestures"] is not None:
            raise ParameterError("mode", "the gestures mode drives each muscle by the gesture: use "
                                 "set_gesture(name, effort=...) instead of set_excitation")
        if not (isinstance(level, (int, float)) and 0.0 <= level <= 1.0):
            raise ParameterError("level", f"must be an excitation in [0, 1], got {level!r}")
        if not (isinstance(ramp_s, (int, float)) and math.isfinite(ramp_s) and ramp_s >= 0):
            raise ParameterError("ramp_s", f"must be >= 0 s, got {ramp_s!r}")
        with self._cond:
            floor = self._gen.generated_until if self._thread is not None else self._gen.d
            at = max(self._at(at_sample) if at_sample is not None else floor, floor)
            ramp = int(round(ramp_s * self.fs))
            self._gen.set_excitation(float(level), at, ramp)
        return self._add(None, SimEvent("excitation", at, ramp, None, float(level)))

    def set_gesture(self, name: str | None, *, effort: float = 1.0, ramp_s: float = 0.2,
                    at_sample: int | None = None) -> SimEvent:
        """Gestures mode: the subject performs gesture ``name`` (``None`` or ``"rest"``: rests).

        Each forearm muscle's excitation moves linearly over ``ramp_s`` from its
        current level to ``GESTURES[name][muscle] * effort`` (clipped to 1; 0 for
        muscles the gesture does not use). Like :meth:`set_excitation` it takes
        effect from the first sample not yet generated, or from ``at_sample`` if
        that is later; a command replaces any given for a later sample. The label
        (:meth:`gesture_labels`) switches at that sample.

        Returns
        -------
        SimEvent
            ``kind="gesture"``, ``start_sample`` the onset, ``n_samples`` the ramp,
            ``channel`` the gesture name (``"rest"``), ``value`` the effort; also in
            :attr:`events`.

        Raises
        ------
        ParameterError
            Naming ``gesture`` for a name this subject does not know (the message
            lists :attr:`gesture_names`) or outside the gestures mode; ``cycle`` when
            the amplifier runs its own cycle; ``effort``, ``ramp_s``, ``at_sample``
            when out of range.
        """
        g = self._gen_kw["gestures"]
        if g is None:
            raise ParameterError("gesture", f"gestures are simulated in the gestures mode only, not {self.mode!r} "
                                 "(SimulatedAmplifier('gestures'))")
        label = "rest" if name is None else name
        if not isinstance(label, str) or label not in g.class_names:
            raise ParameterError("gesture", f"unknown gesture {name!r}; this subject knows {list(g.class_names)}")
        if g.cycle:
            raise ParameterError("cycle", "the amplifier runs its own gesture cycle (cycle=True); "
                                 "open it with cycle=False to command gestures")
        if isinstance(effort, bool) or not isinstance(effort, (int, float)) or not (math.isfinite(effort) and effort >= 0):
            raise ParameterError("effort", f"must be a non-negative number (1 = the normal effort), got {effort!r}")
        if isinstance(ramp_s, bool) or not (isinstance(ramp_s, (int, float)) and math.isfinite(ramp_s) and ramp_s >= 0):
            raise ParameterError("ramp_s", f"must be >= 0 s, got {ramp_s!r}")
        with self._cond:
            floor = self._gen.generated_until if self._thread is not None else self._gen.d
            at = max(self._at(at_sample) if at_sample is not None else floor, floor)
            ev = self._gen.command(g.class_names.index(label), float(effort), at, int(round(ramp_s * self.fs)))
            self._cond.notify_all()
        log.info("sim: %s", ev)
        return ev

    def __repr__(self) -> str:
        return (f"SimulatedAmplifier({self.mode!r}, {len(self.info.channels)} ch, {self.fs:g} Hz, seed={self.seed}, "
                f"realtime={self.realtime})")
