"""The machinery shared by every simulation: seeds, muscles, templates, synthesis, assembly.

Internal; the public entry points are in :mod:`myograph.simulate.api`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from myograph._version import __version__
from myograph.core.annotations import Annotations
from myograph.core.channels import Channel
from myograph.core.errors import ParameterError, SignalError
from myograph.core.metadata import Device, Metadata, Subject
from myograph.core.provenance import Step
from myograph.core.recording import Recording
from myograph.simulate.firing import DRIVE_FS_HZ, discharge_times
from myograph.simulate.force import muscle_force
from myograph.simulate.noise import NoiseSpec, add_noise, noise_events_to_annotations
from myograph.simulate.pool import MotorUnitPool
from myograph.simulate.synth import sum_templates
from myograph.simulate.truth import Truth
from myograph.simulate.volume import ElectrodeSet, disc_points, sample_fibres, unit_templates

log = logging.getLogger("myograph.simulate")

#: abbreviation → muscle (channel names are the abbreviations; EDF labels hold 16 characters)
MUSCLES: dict[str, str] = {
    "BB": "biceps_brachii", "TB": "triceps_brachii", "DA": "deltoid_anterior", "BR": "brachioradialis",
    "FCR": "flexor_carpi_radialis", "ECR": "extensor_carpi_radialis", "TA": "tibialis_anterior",
    "GM": "gastrocnemius_medialis", "VL": "vastus_lateralis", "RF": "rectus_femoris", "BF": "biceps_femoris",
    "SOL": "soleus", "ST": "semitendinosus", "GMAX": "gluteus_maximus", "ES": "erector_spinae",
    "UT": "upper_trapezius",
}

#: the order in which the named random streams are spawned from the seed (never reorder; append only)
STREAMS = ("pool", "place", "firing", "muap", "noise", "spontaneous", "jitter", "session", "cycle")


def seed_streams(seed: int | np.random.Generator | None) -> tuple[dict[str, np.random.Generator], int | None]:
    """Named, independent generators from one seed (a Generator is spawned from)."""
    if isinstance(seed, np.random.Generator):
        children = seed.spawn(len(STREAMS))
        recorded = None
    else:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ParameterError("seed", f"must be a non-negative integer, a numpy Generator or None, got {seed!r}")
        ss = np.random.SeedSequence(None if seed is None else int(seed))
        recorded = int(ss.entropy) if seed is None else int(seed)
        children = [np.random.default_rng(s) for s in ss.spawn(len(STREAMS))]
    return dict(zip(STREAMS, children, strict=True)), recorded


def check_duration_fs(duration_s: float, fs: float, *, fs_range: tuple[float, float] = (500.0, 100_000.0)) -> tuple[float, float, int]:
    """Validate duration (s) and sampling rate (Hz); return them with the number of samples."""
    try:
        d, f = float(duration_s), float(fs)
    except (TypeError, ValueError):
        raise ParameterError("duration_s", f"duration and fs must be numbers, got {duration_s!r}, {fs!r}") from None
    if not np.isfinite(d) or d <= 0:
        raise ParameterError("duration_s", f"must be a positive number of seconds, got {duration_s!r}")
    if not np.isfinite(f) or not fs_range[0] <= f <= fs_range[1]:
        raise ParameterError("fs", f"must be between {fs_range[0]:g} and {fs_range[1]:g} Hz, got {fs!r}")
    n = int(round(d * f))
    if n < 2:
        raise ParameterError("duration_s", f"{d:g} s at {f:g} Hz holds fewer than 2 samples")
    return d, f, n


def drive_grid(duration_s: float) -> np.ndarray:
    """Times of the excitation grid, s."""
    return np.arange(int(np.ceil(duration_s * DRIVE_FS_HZ)) + 1) / DRIVE_FS_HZ


def place_planar(n: int, rng: np.random.Generator, *, width_mm: float, fat_mm: float, thickness_mm: float) -> np.ndarray:
    """Territory centres uniform in a rectangular muscle cross-section under the skin: (y_mm, depth_mm)."""
    y = (rng.random(n) - 0.5) * width_mm
    depth = fat_mm + rng.random(n) * thickness_mm
    return np.column_stack([y, depth])


def pad_stack(blocks: Sequence[np.ndarray]) -> np.ndarray:
    """Stack ``(units, channels, lags)`` blocks of different lag lengths, zero-padded at the end."""
    n_lag = max((b.shape[-1] for b in blocks), default=0)
    return np.concatenate([np.pad(b, ((0, 0), (0, 0), (0, n_lag - b.shape[-1]))) for b in blocks], axis=0)


@dataclass
class MuscleSpec:
    """One muscle of a simulation.

    Attributes
    ----------
    abbr, name : str
        Channel-friendly abbreviation and full name.
    pool : MotorUnitPool
    centres_mm : ndarray, shape (n_units, 2)
        Territory centres in the transverse frame of the electrodes, mm.
    excitation : ndarray
        Excitation on the drive grid.
    end_plate_mm : float
        Axial position of the innervation zone in the electrodes' frame, mm.
    half_length_mm : float
        Mean fibre semi-length, mm.
    min_depth_mm : float or None
        Shallowest fibre depth (planar geometry), mm.
    max_radius_mm : float or None
        Largest fibre distance from the limb axis (cylindrical geometry), mm.
    side : str
    channels : list of int
        EMG channels this muscle is simulated at (others get nothing from it).
    force : bool
        Whether its force is simulated.
    """

    abbr: str
    name: str
    pool: MotorUnitPool
    centres_mm: np.ndarray
    excitation: np.ndarray
    end_plate_mm: float = 0.0
    half_length_mm: float = 60.0
    min_depth_mm: float | None = None
    max_radius_mm: float | None = None
    side: str = "R"
    channels: list[int] = field(default_factory=list)
    force: bool = True


def muscle_templates(muscle: MuscleSpec, electrodes: ElectrodeSet, fs: float, rng: np.random.Generator, *,
                     n_represent: int = 12, n_pre: int = 4, image_factor: float = 2.0, dz_max_mm: float = 0.5,
                     cv_scale: float = 1.0) -> np.ndarray:
    """MUAPs of every unit of ``muscle`` at every channel of ``electrodes``: ``(units, channels, lags)``, V."""
    pool = muscle.pool
    children = rng.spawn(pool.n_units)
    out = []
    for i in range(pool.n_units):
        fib = sample_fibres(
            children[i], centre_mm=tuple(muscle.centres_mm[i]), radius_mm=float(pool.territory_radius_mm[i]),
            n_fibres=int(pool.n_fibres[i]), n_represent=n_represent, diameter_um=float(pool.fibre_diameter_um[i]),
            diameter_cv=pool.fibre_diameter_cv, end_plate_mm=muscle.end_plate_mm + 2.0 * children[i].standard_normal(),
            half_length_mm=muscle.half_length_mm, min_depth_mm=muscle.min_depth_mm,
            max_radius_mm=muscle.max_radius_mm,
        )
        t = unit_templates(fib, electrodes, float(pool.conduction_velocity_m_s[i]) * cv_scale, fs,
                           image_factor=image_factor, n_pre=n_pre, dz_max_mm=dz_max_mm)
        out.append(t[None])
    return trim_lags(pad_stack(out))


def trim_lags(templates: np.ndarray, rel: float = 1e-6) -> np.ndarray:
    """Drop trailing lags where every template is below ``rel`` of the largest magnitude (decimation padding)."""
    mag = np.abs(templates).max(axis=tuple(range(templates.ndim - 1)), initial=0.0)
    if mag.size == 0 or mag.max() == 0:
        return templates
    last = int(np.flatnonzero(mag >= rel * mag.max())[-1])
    return np.ascontiguousarray(templates[..., :last + 1])


def bipolar_electrodes(centres: Sequence[tuple[float, float, float]], *, ied_mm: float, diameter_mm: float,
                       axis: str = "axial") -> ElectrodeSet:
    """Bipolar channels: ``(axial_mm, transverse_1_mm, transverse_2_mm)`` centres, poles ± ied/2 along the fibres.

    Transverse coordinates are in the plane across the fibres (planar: ``(y, 0)`` on
    the skin); the disc's tangential offsets are applied along transverse 1.
    """
    pts, w = disc_points(diameter_mm)
    ax, tr, ww = [], [], []
    for (x, a, b) in centres:
        axc, trc, wc = [], [], []
        for sign, xp in ((1.0, x - ied_mm / 2), (-1.0, x + ied_mm / 2)):
            axc += list(xp + pts[:, 0])
            trc += [(a + p[1], b) for p in pts]
            wc += list(sign * w)
        ax.append(axc)
        tr.append(trc)
        ww.append(wc)
    return ElectrodeSet(np.array(ax), np.array(tr), np.array(ww))


def to_samples(times_s: Sequence[np.ndarray], fs: float, n: int) -> list[np.ndarray]:
    """Discharge times (s) → sample indices within ``[0, n)``."""
    out = []
    for t in times_s:
        s = np.round(np.asarray(t) * fs).astype(np.int64)
        out.append(s[(s >= 0) & (s < n)])
    return out


def activation_spans(excitation: np.ndarray, grid_fs: float, threshold: float, duration_s: float) -> list[tuple[float, float]]:
    """``(onset_s, offset_s)`` spans where ``excitation >= threshold`` (at least one unit recruited)."""
    on = np.asarray(excitation) >= threshold
    if not np.any(on):
        return []
    d = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return [(float(a / grid_fs), float(min(b / grid_fs, duration_s))) for a, b in zip(starts, stops) if a / grid_fs < duration_s]


def merge_spans(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of possibly overlapping spans."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def simulate_muscles(muscles: Sequence[MuscleSpec], templates: Sequence[np.ndarray], n_channels: int, fs: float, n: int,
                     rng: np.random.Generator, *, lag0: int) -> tuple[np.ndarray, list[np.ndarray], dict[str, np.ndarray]]:
    """Discharges, EMG and force of every muscle.

    Returns
    -------
    emg : ndarray, shape (n_channels, n), V
    discharges : list of ndarray
        Sample indices per unit, muscles in order.
    force : dict of str to ndarray
        Per muscle with ``force=True``, N.
    """
    emg = np.zeros((n_channels, n))
    discharges: list[np.ndarray] = []
    force: dict[str, np.ndarray] = {}
    children = rng.spawn(len(muscles))
    for m, tmpl, r in zip(muscles, templates, children):
        times = discharge_times(m.pool, m.excitation, DRIVE_FS_HZ, r)
        samples = to_samples(times, fs, n)
        discharges += samples
        chans = list(m.channels)
        if chans and tmpl.shape[-1]:
            emg[chans] += sum_templates(samples, tmpl[:, chans, :], n, lag0=lag0)
        if m.force:
            force[m.abbr] = muscle_force([s / fs for s in samples], m.pool.twitch_n, m.pool.contraction_time_s, fs, n)
    return emg, discharges, force


def apply_noise(emg: np.ndarray, fs: float, noise: NoiseSpec | None, snr_db: float | None, rng: np.random.Generator,
                ch_names: Sequence[str]) -> tuple[np.ndarray, list]:
    """Noise and artefacts on the EMG channels (nothing when neither ``noise`` nor ``snr_db`` is given)."""
    if noise is None and snr_db is None:
        return emg, []
    spec = noise if noise is not None else NoiseSpec()
    if not isinstance(spec, NoiseSpec):
        raise ParameterError("noise", f"must be a NoiseSpec or None, got {type(noise).__name__}")
    if snr_db is not None:
        silent = [c for c, row in zip(ch_names, emg) if not np.any(row)]
        if silent:
            raise ParameterError("snr_db", f"channels {silent} carry no EMG to scale the noise against; "
                                           "give noise=NoiseSpec(amplifier_uv_rms=...) instead")
    try:
        return add_noise(emg, fs, spec, rng, snr_db=snr_db, ch_names=list(ch_names))
    except SignalError as exc:  # pragma: no cover - guarded above
        raise ParameterError("snr_db", str(exc)) from None


def noise_event_rows(events: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"kind": e.kind, "channel": e.channel, "channel_name": e.channel_name, "onset_s": e.onset_s,
             "duration_s": e.duration_s} for e in events]


def make_metadata(kind: str, seed: int | None, placement: str, noise: NoiseSpec | None, task: str) -> Metadata:
    pl = None
    if noise is not None and noise.powerline_hz in (50, 60, 50.0, 60.0) and noise.powerline_uv > 0:
        pl = float(noise.powerline_hz)
    return Metadata(
        subject=Subject(id=f"sim-{seed}" if seed is not None else "sim"),
        session="",
        task=task,
        device=Device(manufacturer="myograph", model="myograph simulator", software=f"myograph {__version__}"),
        power_line_hz=pl,
        placement_scheme=placement,
        notes=(f"simulated {kind} EMG; ground truth in the Truth object returned with it",),
    )


def assemble(
    *,
    kind: str,
    fs: float,
    n: int,
    seed: int | None,
    emg: np.ndarray,
    emg_channels: Sequence[Channel],
    extra_rows: Sequence[tuple[Channel, np.ndarray]] = (),
    muscles: Sequence[MuscleSpec],
    templates: np.ndarray,
    lag0: int,
    discharges: list[np.ndarray],
    force: Mapping[str, np.ndarray],
    annotations: Annotations,
    metadata: Metadata,
    parameters: Mapping[str, Any],
    noise_events: Sequence[Any] = (),
    spontaneous_events: Sequence[dict[str, Any]] = (),
    gesture_labels: np.ndarray | None = None,
    gesture_names: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
    unit_extra: Mapping[str, np.ndarray] | None = None,
) -> tuple[Recording, Truth]:
    """Build the Recording (EMG rows, then extra rows such as FORCE) and its Truth."""
    names = [c.name for c in emg_channels]
    # activation truth: a channel is active while any muscle simulated at it has a unit recruited
    activation: list[tuple[str, float, float]] = []
    duration = n / fs
    for ci, cname in enumerate(names):
        spans: list[tuple[float, float]] = []
        for m in muscles:
            if ci in m.channels:
                spans += activation_spans(m.excitation, DRIVE_FS_HZ, float(m.pool.thresholds.min()), duration)
        activation += [(cname, a, b) for a, b in merge_spans(spans)]
    ann = annotations + Annotations.from_rows((a, b - a, "activation", (c,)) for c, a, b in activation)
    if noise_events:
        ann = ann + noise_events_to_annotations(noise_events, names)
    data = np.vstack([emg] + [row[None, :] for _, row in extra_rows]) if extra_rows else emg
    channels = list(emg_channels) + [c for c, _ in extra_rows]
    step = Step(f"simulate.{kind}", {**dict(parameters), "seed": seed})
    rec = Recording(data, fs, channels=channels, annotations=ann, metadata=metadata, provenance=(step,))
    units: dict[str, np.ndarray] = {"muscle": np.concatenate([np.full(m.pool.n_units, m.name, dtype=object) for m in muscles])}
    for key in ("threshold", "min_rate_hz", "peak_rate_hz", "twitch_n", "contraction_time_s", "n_fibres",
                "territory_radius_mm", "fibre_diameter_um", "conduction_velocity_m_s", "normal_index"):
        units[key] = np.concatenate([np.asarray(m.pool.table()[key]) for m in muscles])
    units["y_mm"] = np.concatenate([m.centres_mm[:, 0] for m in muscles])
    units["depth_mm"] = np.concatenate([m.centres_mm[:, 1] for m in muscles])
    if unit_extra:
        units.update({k: np.asarray(v) for k, v in unit_extra.items()})
    first = muscles[0].pool.pathology
    truth = Truth(
        kind=kind, fs=fs, n_samples=n, seed=seed, ch_names=names, units=units, discharges=discharges,
        templates=templates, template_lag0=lag0,
        excitation={m.abbr: np.asarray(m.excitation) for m in muscles}, excitation_fs=DRIVE_FS_HZ,
        force=dict(force), activation=activation,
        gesture_labels=gesture_labels, gesture_names=list(gesture_names),
        spontaneous_events=list(spontaneous_events), noise_events=noise_event_rows(noise_events),
        pathology=first.as_dict(), parameters={**dict(parameters), "seed": seed}, extra=dict(extra or {}),
    )
    log.info("simulated %s: %d channels, %.1f s at %g Hz, %d units, %d discharges", kind, len(names), duration, fs,
             truth.n_units, sum(d.size for d in discharges))
    return rec, truth
