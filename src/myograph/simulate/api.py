"""The five simulations: surface, needle, HD grid, gesture armband, gait.

Each returns ``(recording, truth)``: a :class:`~myograph.Recording` in volts with a
channel table, annotations (``activation`` per channel, gesture labels, gait events,
spontaneous activity, artefacts), metadata and a provenance step that records every
parameter and the seed; and a :class:`~myograph.simulate.truth.Truth` with the
discharges, templates, thresholds, excitation, force and events behind it. The same
seed gives the same output; every random choice comes from named streams spawned from
the seed (no global random state).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.simulate import _engine as E
from myograph.simulate.drive import as_excitation, describe_excitation
from myograph.simulate.firing import DRIVE_FS_HZ
from myograph.simulate.muap_needle import NeedleGeometry, needle_muaps
from myograph.simulate.noise import NoiseSpec
from myograph.simulate.pathology import Pathology, get_pathology
from myograph.simulate.pool import make_pool
from myograph.simulate.synth import sum_templates
from myograph.simulate.truth import Truth
from myograph.simulate.volume import ElectrodeSet, disc_points

__all__ = ["surface", "needle", "hdemg", "resolve_muscles", "bipolar_simulation", "grid_electrodes"]

_SURFACE_N_PRE = 4


def _noise_params(noise: NoiseSpec | None) -> Any:
    return None if noise is None else dataclasses.asdict(noise)


def _count(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ParameterError(name, f"must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def resolve_muscles(muscles: Sequence[str] | None, channels: int) -> list[tuple[str, str]]:
    """``(abbreviation, name)`` of the muscles asked for (by abbreviation or name), or the first ``channels``."""
    names = {v: k for k, v in E.MUSCLES.items()}
    if muscles is None:
        n = _count("channels", channels, 1, len(E.MUSCLES))
        return list(E.MUSCLES.items())[:n]
    out = []
    for m in muscles:
        key = str(m)
        if key.upper() in E.MUSCLES:
            out.append((key.upper(), E.MUSCLES[key.upper()]))
        elif key.lower() in names:
            out.append((names[key.lower()], key.lower()))
        else:
            raise ParameterError("muscles", f"unknown muscle {m!r}; known: {sorted(E.MUSCLES)} or {sorted(names)}")
    if len({a for a, _ in out}) != len(out):
        raise ParameterError("muscles", f"each muscle may appear once, got {list(muscles)}")
    return out


def _excitation_for(excitation: Any, abbr: str, name: str, t: np.ndarray) -> np.ndarray:
    if isinstance(excitation, Mapping):
        for key in (abbr, name):
            if key in excitation:
                return as_excitation(excitation[key], t, fs=DRIVE_FS_HZ, name=f"excitation[{key!r}]")
        raise ParameterError("excitation", f"no excitation given for muscle {abbr!r}; keys are {list(excitation)}")
    return as_excitation(excitation, t, fs=DRIVE_FS_HZ)


def surface(
    duration_s: float = 10.0,
    fs: float = 2048.0,
    *,
    channels: int = 1,
    muscles: Sequence[str] | None = None,
    motor_units: int = 100,
    excitation: Any = 0.3,
    pathology: str | Pathology = "normal",
    force: bool = True,
    max_force_n: float = 100.0,
    interelectrode_distance_mm: float = 20.0,
    electrode_diameter_mm: float = 10.0,
    electrode_offset_mm: float = 30.0,
    fat_mm: float = 3.0,
    muscle_thickness_mm: float = 20.0,
    muscle_width_mm: float = 30.0,
    fibre_length_mm: float = 120.0,
    isi_cv: float = 0.15,
    noise: NoiseSpec | None = None,
    snr_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[Recording, Truth]:
    """Surface EMG: one bipolar channel (SENIAM-like) over each muscle, plus its force.

    Each muscle is a pool of ``motor_units`` units (Fuglevand et al. 1993) whose MUAPs
    come from the finite-fibre line-source model of :mod:`~myograph.simulate.volume`
    (generation at the end plate, propagation at the unit's conduction velocity,
    extinction at the tendons, tissue low-pass filtering with depth, disc electrodes).
    The electrode pair lies along the fibres between the innervation zone and the
    distal tendon, as SENIAM recommends (Hermens et al. 2000).

    Parameters
    ----------
    duration_s : float
        Length, s.
    fs : float
        Sampling rate, Hz (500-100000; 1-2 kHz is usual for surface EMG).
    channels : int
        Number of muscles (one channel each) when ``muscles`` is not given.
    muscles : sequence of str, optional
        Muscles by abbreviation (``"BB"``, ``"TA"`` …) or name (``"biceps_brachii"``).
    motor_units : int
        Units per muscle (normal pool; a neurogenic pool keeps a fraction).
    excitation : float, array, callable, (profile, params) or mapping
        Drive to each pool in [0, 1] (see :func:`~myograph.simulate.drive.as_excitation`);
        a mapping gives one per muscle (by abbreviation or name).
    pathology : str or Pathology
        ``"normal"``, ``"myopathic"`` or ``"neurogenic"``.
    force : bool
        Add a FORCE channel per muscle (N), named ``F_<abbreviation>``.
    max_force_n : float
        Force of a normal muscle at full excitation, N.
    interelectrode_distance_mm, electrode_diameter_mm : float
        Centre-to-centre distance of the pair (SENIAM: 20 mm) and disc diameter (≤ 10 mm), mm.
    electrode_offset_mm : float
        Distance of the pair's centre from the innervation zone along the fibres, mm.
    fat_mm, muscle_thickness_mm, muscle_width_mm : float
        Depth of the muscle below the skin, its thickness and width, mm.
    fibre_length_mm : float
        Mean fibre length, mm (end plate near the middle).
    isi_cv : float
        Coefficient of variation of inter-spike intervals.
    noise : NoiseSpec, optional
        Noise and artefacts; ``snr_db`` alone adds white amplifier noise at that SNR.
    snr_db : float, optional
        Amplifier noise scaled to this signal-to-noise ratio per channel, dB.
    seed : int, Generator or None
        Seed of every random choice.

    Returns
    -------
    recording : Recording
        EMG channels (V) then FORCE channels (N).
    truth : Truth
    """
    duration_s, fs, n = E.check_duration_fs(duration_s, fs)
    chosen = resolve_muscles(muscles, channels)
    t = E.drive_grid(duration_s)
    excitations = {abbr: _excitation_for(excitation, abbr, name, t) for abbr, name in chosen}
    return bipolar_simulation(
        "surface", duration_s, fs, chosen, excitations, seed=seed, motor_units=motor_units, pathology=pathology,
        force=force, max_force_n=max_force_n, interelectrode_distance_mm=interelectrode_distance_mm,
        electrode_diameter_mm=electrode_diameter_mm, electrode_offset_mm=electrode_offset_mm, fat_mm=fat_mm,
        muscle_thickness_mm=muscle_thickness_mm, muscle_width_mm=muscle_width_mm, fibre_length_mm=fibre_length_mm,
        isi_cv=isi_cv, noise=noise, snr_db=snr_db, parameters={"excitation": describe_excitation(excitation)},
        task="simulated contraction")


def bipolar_simulation(
    kind: str,
    duration_s: float,
    fs: float,
    chosen: Sequence[tuple[str, str]],
    excitations: Mapping[str, np.ndarray],
    *,
    seed: int | np.random.Generator | None,
    motor_units: int,
    pathology: str | Pathology,
    force: bool,
    max_force_n: float,
    interelectrode_distance_mm: float,
    electrode_diameter_mm: float,
    electrode_offset_mm: float,
    fat_mm: float,
    muscle_thickness_mm: float,
    muscle_width_mm: float,
    fibre_length_mm: float,
    isi_cv: float,
    noise: NoiseSpec | None,
    snr_db: float | None,
    parameters: Mapping[str, Any],
    task: str,
    annotations: Annotations | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[Recording, Truth]:
    """One bipolar channel per muscle, each muscle its own pool and drive (``excitations`` on the drive grid)."""
    duration_s, fs, n = E.check_duration_fs(duration_s, fs)
    streams, seed_used = E.seed_streams(seed)
    path = get_pathology(pathology)
    n_units = _count("motor_units", motor_units, 1, 2000)
    pool_rngs = streams["pool"].spawn(len(chosen))
    place_rngs = streams["place"].spawn(len(chosen))
    muap_rngs = streams["muap"].spawn(len(chosen))
    electrodes = E.bipolar_electrodes([(electrode_offset_mm, 0.0, 0.0)], ied_mm=interelectrode_distance_mm,
                                      diameter_mm=electrode_diameter_mm)
    specs, tmpls = [], []
    for k, (abbr, name) in enumerate(chosen):
        pool = make_pool(n_units, pool_rngs[k], pathology=path, isi_cv=isi_cv, max_force_n=max_force_n)
        centres = E.place_planar(n_units, place_rngs[k], width_mm=muscle_width_mm, fat_mm=fat_mm,
                                 thickness_mm=muscle_thickness_mm)[pool.normal_index]
        m = E.MuscleSpec(abbr, name, pool, centres, np.asarray(excitations[abbr]), end_plate_mm=0.0,
                         half_length_mm=fibre_length_mm / 2, min_depth_mm=fat_mm, channels=[k], force=force)
        specs.append(m)
        tm = E.muscle_templates(m, electrodes, fs, muap_rngs[k], n_pre=_SURFACE_N_PRE)
        full = np.zeros((pool.n_units, len(chosen), tm.shape[-1]))
        full[:, k, :] = tm[:, 0, :]
        tmpls.append(full)
    templates = E.pad_stack(tmpls)
    tm_per_muscle = np.split(templates, np.cumsum([m.pool.n_units for m in specs])[:-1])
    emg, discharges, forces = E.simulate_muscles(specs, tm_per_muscle, len(chosen), fs, n, streams["firing"], lag0=_SURFACE_N_PRE)
    emg_channels = [Channel(abbr, type="EMG", units="V", muscle=name, side="R", reference="bipolar",
                            interelectrode_distance_mm=interelectrode_distance_mm, x_mm=electrode_offset_mm, y_mm=0.0)
                    for abbr, name in chosen]
    emg, events = E.apply_noise(emg, fs, noise, snr_db, streams["noise"], [c.name for c in emg_channels])
    extra_rows = [(Channel(f"F_{m.abbr}", type="FORCE", units="N", muscle=m.name, side="R"), forces[m.abbr]) for m in specs if m.force]
    params = dict(duration_s=duration_s, fs=fs, channels=len(chosen), muscles=[a for a, _ in chosen], motor_units=n_units,
                  pathology=path.name, force=force, max_force_n=max_force_n,
                  interelectrode_distance_mm=interelectrode_distance_mm, electrode_diameter_mm=electrode_diameter_mm,
                  electrode_offset_mm=electrode_offset_mm, fat_mm=fat_mm, muscle_thickness_mm=muscle_thickness_mm,
                  muscle_width_mm=muscle_width_mm, fibre_length_mm=fibre_length_mm, isi_cv=isi_cv,
                  noise=_noise_params(noise), snr_db=snr_db, **dict(parameters))
    meta = E.make_metadata(kind, seed_used, f"SENIAM-like bipolar, {interelectrode_distance_mm:g} mm IED, "
                           f"{electrode_diameter_mm:g} mm discs", noise, task=task)
    return E.assemble(kind=kind, fs=fs, n=n, seed=seed_used, emg=emg, emg_channels=emg_channels,
                      extra_rows=extra_rows, muscles=specs, templates=templates, lag0=_SURFACE_N_PRE,
                      discharges=discharges, force=forces, annotations=annotations or Annotations(), metadata=meta,
                      parameters=params, noise_events=events, extra=extra)


def grid_electrodes(rows: int, cols: int, ied_mm: float, diameter_mm: float) -> tuple[ElectrodeSet, np.ndarray]:
    """Monopolar grid: rows along the fibres (x), columns across (y), centred on (0, 0).

    Returns the electrode set and the ``(n, 2)`` array of ``(x_mm, y_mm)`` positions
    in row-major order.
    """
    pts, w = disc_points(diameter_mm if diameter_mm >= 5.0 else 0.0)
    xy = np.array([((r - (rows - 1) / 2) * ied_mm, (c - (cols - 1) / 2) * ied_mm) for r in range(rows) for c in range(cols)])
    ax = xy[:, 0:1] + pts[None, :, 0]
    tr = np.stack([xy[:, 1:2] + pts[None, :, 1], np.zeros((xy.shape[0], pts.shape[0]))], axis=-1)
    return ElectrodeSet(ax, tr, np.broadcast_to(w, ax.shape).copy()), xy


def hdemg(
    duration_s: float = 10.0,
    fs: float = 2048.0,
    *,
    rows: int = 8,
    cols: int = 8,
    interelectrode_distance_mm: float = 8.0,
    motor_units: int = 100,
    excitation: Any = None,
    pathology: str | Pathology = "normal",
    muscle: str = "TA",
    force: bool = True,
    max_force_n: float = 100.0,
    electrode_diameter_mm: float = 3.0,
    innervation_zone_mm: float = 0.0,
    fat_mm: float = 3.0,
    muscle_thickness_mm: float = 20.0,
    muscle_width_mm: float = 60.0,
    fibre_length_mm: float = 120.0,
    isi_cv: float = 0.15,
    noise: NoiseSpec | None = None,
    snr_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[Recording, Truth]:
    """High-density surface EMG from a monopolar electrode grid over one muscle.

    Rows run along the muscle fibres (x), columns across them (y); the grid is centred
    at x = y = 0 and the innervation zone lies at ``x = innervation_zone_mm``, so the
    MUAPs propagate away from it along the columns at each unit's conduction velocity
    (3.5-4.4 m/s), with a spatial pattern set by the unit's position and depth. Channel
    ``R{r}C{c}`` (1-based in the name) has ``row``/``col`` (0-based) and ``x_mm``/``y_mm``
    in the channel table.

    Parameters
    ----------
    duration_s, fs : float
        Length (s) and sampling rate (Hz).
    rows, cols : int
        Grid size (8 x 8 by default).
    interelectrode_distance_mm : float
        Grid spacing, mm.
    motor_units : int
        Units in the pool.
    excitation : optional
        Drive in [0, 1]; default a trapezoid to 0.3 (rise and fall over 20% of the
        record each, plateau over 40%).
    pathology, muscle, force, max_force_n, isi_cv, noise, snr_db, seed
        As for :func:`surface`.
    electrode_diameter_mm : float
        Electrode diameter, mm (below 5 mm electrodes are modelled as points).
    innervation_zone_mm : float
        Axial position of the innervation zone in the grid frame, mm.
    fat_mm, muscle_thickness_mm, muscle_width_mm, fibre_length_mm : float
        Muscle geometry, mm.

    Returns
    -------
    recording, truth
    """
    duration_s, fs, n = E.check_duration_fs(duration_s, fs)
    rows = _count("rows", rows, 1, 32)
    cols = _count("cols", cols, 1, 32)
    streams, seed_used = E.seed_streams(seed)
    path = get_pathology(pathology)
    (abbr, name), = resolve_muscles([muscle], 1)
    n_units = _count("motor_units", motor_units, 1, 2000)
    t = E.drive_grid(duration_s)
    if excitation is None:
        excitation = ("trapezoid", dict(level=0.3, onset_s=0.1 * duration_s, rise_s=0.2 * duration_s,
                                        hold_s=0.4 * duration_s, fall_s=0.2 * duration_s))
    exc = as_excitation(excitation, t, fs=DRIVE_FS_HZ)
    pool = make_pool(n_units, streams["pool"], pathology=path, isi_cv=isi_cv, max_force_n=max_force_n)
    centres = E.place_planar(n_units, streams["place"], width_mm=muscle_width_mm, fat_mm=fat_mm,
                             thickness_mm=muscle_thickness_mm)[pool.normal_index]
    electrodes, xy = grid_electrodes(rows, cols, interelectrode_distance_mm, electrode_diameter_mm)
    m = E.MuscleSpec(abbr, name, pool, centres, exc, end_plate_mm=innervation_zone_mm, half_length_mm=fibre_length_mm / 2,
                     min_depth_mm=fat_mm, channels=list(range(rows * cols)), force=force)
    templates = E.muscle_templates(m, electrodes, fs, streams["muap"], n_pre=_SURFACE_N_PRE, n_represent=10)
    emg, discharges, forces = E.simulate_muscles([m], [templates], rows * cols, fs, n, streams["firing"], lag0=_SURFACE_N_PRE)
    emg_channels = []
    for i, (x, y) in enumerate(xy):
        r, c = divmod(i, cols)
        # side, reference and spacing are in the metadata: an EDF transducer field holds 80 characters
        emg_channels.append(Channel(f"R{r + 1}C{c + 1}", type="EMG", units="V", muscle=name, group="grid", row=r, col=c,
                                    x_mm=round(float(x), 3), y_mm=round(float(y), 3)))
    emg, events = E.apply_noise(emg, fs, noise, snr_db, streams["noise"], [c.name for c in emg_channels])
    extra_rows = [(Channel("FORCE", type="FORCE", units="N", muscle=name, side="R"), forces[abbr])] if force else []
    params = dict(duration_s=duration_s, fs=fs, rows=rows, cols=cols, interelectrode_distance_mm=interelectrode_distance_mm,
                  motor_units=n_units, excitation=describe_excitation(excitation), pathology=path.name, muscle=abbr,
                  force=force, max_force_n=max_force_n, electrode_diameter_mm=electrode_diameter_mm,
                  innervation_zone_mm=innervation_zone_mm, fat_mm=fat_mm, muscle_thickness_mm=muscle_thickness_mm,
                  muscle_width_mm=muscle_width_mm, fibre_length_mm=fibre_length_mm, isi_cv=isi_cv,
                  noise=_noise_params(noise), snr_db=snr_db)
    meta = E.make_metadata("hdemg", seed_used, f"{rows}x{cols} grid, {interelectrode_distance_mm:g} mm, monopolar; "
                           "rows along the fibres", noise, task="simulated contraction")
    extra = {"rows": rows, "cols": cols, "interelectrode_distance_mm": interelectrode_distance_mm,
             "innervation_zone_mm": innervation_zone_mm, "fibre_direction": "rows (x)"}
    return E.assemble(kind="hdemg", fs=fs, n=n, seed=seed_used, emg=emg, emg_channels=emg_channels,
                      extra_rows=extra_rows, muscles=[m], templates=templates, lag0=_SURFACE_N_PRE,
                      discharges=discharges, force=forces, annotations=Annotations(), metadata=meta, parameters=params,
                      noise_events=events, extra=extra)


def needle(
    duration_s: float = 5.0,
    fs: float = 20000.0,
    *,
    muscle: str = "BB",
    motor_units: int = 100,
    excitation: Any = None,
    pathology: str | Pathology = "normal",
    spontaneous: Sequence[str] = (),
    spontaneous_params: Mapping[str, Mapping[str, Any]] | None = None,
    needle_axial_mm: float = 15.0,
    pickup_radius_mm: float = 2.5,
    fibre_density_per_mm2: float = 200.0,
    isi_cv: float = 0.15,
    noise: NoiseSpec | None = None,
    snr_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[Recording, Truth]:
    """Concentric needle EMG: short, sharp MUAPs of the units near the tip.

    Every fibre of every unit within ``pickup_radius_mm`` of the core is simulated (see
    :mod:`~myograph.simulate.muap_needle`), so near units dominate; jitter moves each
    unit's largest fibre potentials from discharge to discharge. With
    ``spontaneous=[kinds]`` the muscle is at rest by default (excitation 0) and the
    spontaneous activity of :mod:`~myograph.simulate.spontaneous` is added, its events
    in the truth and as ``spontaneous:<kind>`` annotations.

    Parameters
    ----------
    duration_s : float
        Length, s.
    fs : float
        Sampling rate, Hz (10-20 kHz for needle EMG; at least 4 kHz).
    muscle : str
        Muscle abbreviation or name (labels only).
    motor_units : int
        Units of the (normal) pool; the muscle's cross-section holds their fibres at
        ``fibre_density_per_mm2``, so about 20 territories overlap at the needle.
    excitation : optional
        Drive in [0, 1]; default 0 with ``spontaneous`` (rest), else 0.1 (slight
        voluntary effort: the first units recruited, as for MUAP analysis).
    pathology : str or Pathology
    spontaneous : sequence of str
        Kinds of spontaneous activity (``"fibrillation"``, ``"positive_sharp_wave"``,
        ``"fasciculation"``, ``"myotonic"``, ``"complex_repetitive"``).
    spontaneous_params : mapping, optional
        Per kind, parameters for :func:`~myograph.simulate.spontaneous.simulate_spontaneous`.
    needle_axial_mm : float
        Distance of the needle from the innervation zone along the fibres, mm.
    pickup_radius_mm : float
        Fibres further from the core are not simulated, mm.
    fibre_density_per_mm2 : float
        Muscle fibres per mm² of cross-section.
    isi_cv, noise, snr_db, seed
        As for :func:`surface`.

    Returns
    -------
    recording : Recording
        One EMG channel ``needle`` (core minus cannula, V).
    truth : Truth
        Templates are the mean MUAPs (without jitter); ``extra`` holds the needle
        geometry and which units have fibres within the pickup radius.
    """
    duration_s, fs, n = E.check_duration_fs(duration_s, fs, fs_range=(4000.0, 100_000.0))
    streams, seed_used = E.seed_streams(seed)
    path = get_pathology(pathology)
    (abbr, name), = resolve_muscles([muscle], 1)
    n_units = _count("motor_units", motor_units, 1, 2000)
    kinds = [str(k) for k in spontaneous]
    if excitation is None:
        excitation = 0.0 if kinds else 0.1
    t = E.drive_grid(duration_s)
    exc = as_excitation(excitation, t, fs=DRIVE_FS_HZ)
    pool = make_pool(n_units, streams["pool"], pathology=path, isi_cv=isi_cv)
    normal = make_pool(n_units, np.random.default_rng(0))
    radius = math.sqrt(float(normal.n_fibres.sum()) / fibre_density_per_mm2 / math.pi)
    pr = streams["place"]
    rr = radius * np.sqrt(pr.random(n_units))
    aa = 2 * np.pi * pr.random(n_units)
    centres = np.column_stack([rr * np.cos(aa), rr * np.sin(aa)])[pool.normal_index]
    geometry = NeedleGeometry(axial_mm=needle_axial_mm, pickup_radius_mm=pickup_radius_mm)
    muaps = needle_muaps(pool, centres, streams["muap"], fs, geometry=geometry)
    lag0 = muaps.lag0
    m = E.MuscleSpec(abbr, name, pool, centres, exc, channels=[0], force=False)
    emg, discharges, _ = E.simulate_muscles([m], [muaps.main[:, None, :]], 1, fs, n, streams["firing"], lag0=lag0)
    # jittering fibre components: each discharge moves them by N(0, sd) (fractional samples)
    if muaps.components:
        sd = path.jitter_us * 1e-6 * math.sqrt(math.pi) / (2.0 * math.sqrt(2.0)) * fs
        jr = streams["jitter"]
        pos = [discharges[u] + sd * jr.standard_normal(discharges[u].size) for u, _ in muaps.components]
        comp_t = np.stack([c for _, c in muaps.components])[:, None, :]
        emg += sum_templates(pos, comp_t, n, lag0=lag0, fractional=True)
    # spontaneous activity
    spont_events: list[dict[str, Any]] = []
    spont_ann = []
    if kinds:
        from myograph.simulate.spontaneous import simulate_spontaneous  # the second engineer's module

        sp_rngs = streams["spontaneous"].spawn(len(kinds))
        amp = np.ptp(muaps.templates(), axis=1)
        biggest = muaps.templates()[int(np.argmax(amp))] if amp.size and amp.max() > 0 else None
        for kind, r in zip(kinds, sp_rngs):
            kw = dict((spontaneous_params or {}).get(kind, {}))
            if kind == "fasciculation" and biggest is not None and "muap_v" not in kw:
                kw["muap_v"] = biggest
            sig, evs = simulate_spontaneous(kind, duration_s, fs, r, **kw)
            emg[0] += sig[:n]
            for e in evs:
                spont_events.append({"kind": e.kind, "onset_s": e.onset_s, "duration_s": e.duration_s,
                                     "source": e.source, "burst": e.burst, "amplitude_uv": e.amplitude_uv})
                spont_ann.append((e.onset_s, e.duration_s, f"spontaneous:{e.kind}", ("needle",)))
    ch = Channel("needle", type="EMG", units="V", muscle=name, side="R", reference="cannula")
    emg, events = E.apply_noise(emg, fs, noise, snr_db, streams["noise"], ["needle"])
    params = dict(duration_s=duration_s, fs=fs, muscle=abbr, motor_units=n_units, excitation=describe_excitation(excitation),
                  pathology=path.name, spontaneous=kinds, spontaneous_params={k: {kk: vv for kk, vv in v.items() if kk != "muap_v"}
                                                                              for k, v in (spontaneous_params or {}).items()},
                  needle_axial_mm=needle_axial_mm, pickup_radius_mm=pickup_radius_mm,
                  fibre_density_per_mm2=fibre_density_per_mm2, isi_cv=isi_cv, noise=_noise_params(noise), snr_db=snr_db)
    meta = E.make_metadata("needle", seed_used, "concentric needle", noise,
                           task="rest" if float(np.max(exc, initial=0.0)) == 0 else "slight voluntary contraction")
    extra = {"needle_axial_mm": needle_axial_mm, "pickup_radius_mm": pickup_radius_mm,
             "muscle_radius_mm": radius, "units_within_pickup": np.flatnonzero(muaps.n_fibres_near > 0).tolist(),
             "extra_phase_units": np.flatnonzero(muaps.extra_phase).tolist(), "jitter_us": path.jitter_us}
    return E.assemble(kind="needle", fs=fs, n=n, seed=seed_used, emg=emg, emg_channels=[ch], muscles=[m],
                      templates=muaps.templates()[:, None, :], lag0=lag0, discharges=discharges, force={},
                      annotations=Annotations.from_rows(spont_ann), metadata=meta, parameters=params,
                      noise_events=events, spontaneous_events=spont_events, extra=extra,
                      unit_extra={"fibres_within_pickup": muaps.n_fibres_near})
