"""Gesture sets: a forearm armband while a subject repeats hand and wrist gestures.

The forearm is a cylinder (radius 40 mm, circumference ~250 mm) with 12 muscles at
anatomical positions in its proximal third (angle around the forearm, 0° = volar
midline, +90° = radial side, 180° = dorsal; depth of the muscle's centre; radius of
its cross-section). Each gesture activates its own pattern of muscles (prime movers
and co-contracting antagonists; Kendall et al. 2005; Hoozemans & van Dieën 2005 for
the wrist); each muscle is a motor unit pool whose MUAPs are computed at every
electrode of the armband with the line-source model, so neighbouring channels share
(cross-talk) activity as they do on a real forearm. Channels are bipolar pairs along
the forearm, equally spaced around it.

A session is a schedule of repetitions: rest, gesture held for ``hold_s``, rest …
with the gestures in a fresh random order each repetition and the effort varying
(10% SD) between repetitions. Across sessions of one subject (same ``seed``,
different ``session``) the anatomy and motor units stay, while the armband is put
on again rotated by a few degrees (``electrode_shift_deg``; by default drawn with a
10° SD for sessions > 0) and discharges and noise are new. Within a session,
``fatigue`` lowers the conduction velocity linearly up to ``fatigue`` (a fraction)
by the end, which stretches the MUAPs in time (compressing the spectrum; Lindström &
Magnusson 1977), and raises the drive needed for the same gesture by up to
``fatigue / 2`` (amplitude increase during sustained work).

Labels: ``truth.gesture_labels`` per sample (0 = rest, *k* = ``gesture_names[k]``)
and one ``gesture:<name>`` annotation per hold.

References
----------
.. [1] Kendall FP, McCreary EK, Provance PG, Rodgers MM, Romani WA. Muscles: Testing
   and Function with Posture and Pain, 5th ed. Lippincott Williams & Wilkins, 2005.
.. [2] Lindström L, Magnusson R. Interpretation of myoelectric power spectra: a model
   and its applications. Proc IEEE 1977;65:653-662.
.. [3] Hargrove L, Englehart K, Hudgins B. The effect of electrode displacements on
   pattern recognition based myoelectric control. Proc IEEE EMBS 2006:2203-2206.
.. [4] Phinyomark A, Quaine F, Charbonnier S, Serviere C, Tarpin-Bernard F, Laurillau
   Y. EMG feature evaluation for improving myoelectric pattern recognition
   robustness. Expert Syst Appl 2013;40:4832-4840 (fatigue and electrode shift as
   sources of non-stationarity).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.simulate import _engine as E
from myograph.simulate.drive import sequence
from myograph.simulate.firing import DRIVE_FS_HZ, discharge_times
from myograph.simulate.noise import NoiseSpec
from myograph.simulate.pathology import Pathology, get_pathology
from myograph.simulate.pool import make_pool
from myograph.simulate.synth import sum_templates
from myograph.simulate.truth import Truth
from myograph.simulate.volume import ElectrodeSet, disc_points

__all__ = ["FOREARM_MUSCLES", "GESTURES", "DEFAULT_GESTURES", "gestures", "check_gesture_names"]

FOREARM_RADIUS_MM = 40.0

#: abbreviation → (name, angle deg, centre depth mm, cross-section radius mm)
FOREARM_MUSCLES: dict[str, tuple[str, float, float, float]] = {
    "PL": ("palmaris_longus", 5.0, 6.0, 4.0),
    "FCR": ("flexor_carpi_radialis", 35.0, 8.0, 6.0),
    "PT": ("pronator_teres", 65.0, 11.0, 6.0),
    "BRD": ("brachioradialis", 100.0, 7.0, 7.0),
    "ECRL": ("extensor_carpi_radialis", 130.0, 8.0, 7.0),
    "SUP": ("supinator", 145.0, 18.0, 6.0),
    "APL": ("abductor_pollicis_longus", 160.0, 14.0, 5.0),
    "EDC": ("extensor_digitorum", 180.0, 8.0, 7.0),
    "ECU": ("extensor_carpi_ulnaris", 220.0, 7.0, 5.0),
    "FCU": ("flexor_carpi_ulnaris", 290.0, 8.0, 6.0),
    "FDP": ("flexor_digitorum_profundus", 310.0, 19.0, 9.0),
    "FDS": ("flexor_digitorum_superficialis", 340.0, 13.0, 8.0),
}

#: gesture → {muscle: excitation at a normal effort}
GESTURES: dict[str, dict[str, float]] = {
    "wrist_flexion": {"FCR": 0.5, "PL": 0.4, "FCU": 0.5, "FDS": 0.25},
    "wrist_extension": {"ECRL": 0.5, "ECU": 0.5, "EDC": 0.3},
    "hand_close": {"FDS": 0.5, "FDP": 0.5, "FCU": 0.15, "FCR": 0.15, "ECRL": 0.25, "ECU": 0.15},
    "hand_open": {"EDC": 0.5, "APL": 0.3, "ECU": 0.15, "ECRL": 0.15},
    "radial_deviation": {"FCR": 0.35, "ECRL": 0.45, "APL": 0.3, "BRD": 0.2},
    "ulnar_deviation": {"FCU": 0.45, "ECU": 0.45},
    "pronation": {"PT": 0.5, "FCR": 0.15},
    "supination": {"SUP": 0.5, "BRD": 0.2},
}
DEFAULT_GESTURES = ("wrist_flexion", "wrist_extension", "hand_close", "hand_open", "radial_deviation", "ulnar_deviation")


def check_gesture_names(gesture_names: Sequence[str]) -> list[str]:
    """The names as a list, each a key of :data:`GESTURES` and given once (else :class:`~myograph.ParameterError`)."""
    names = [str(g) for g in gesture_names]
    unknown = [g for g in names if g not in GESTURES]
    if unknown or not names:
        raise ParameterError("gesture_names", f"unknown gestures {unknown}; known: {sorted(GESTURES)}")
    if len(set(names)) != len(names):
        raise ParameterError("gesture_names", f"each gesture may appear once, got {names}")
    return names


def _armband(n_channels: int, shift_deg: float, ied_mm: float, diameter_mm: float, axial_mm: float) -> tuple[ElectrodeSet, np.ndarray]:
    pts, w = disc_points(diameter_mm)
    angles = np.deg2rad(360.0 * np.arange(n_channels) / n_channels + shift_deg)
    ax, tr, ww = [], [], []
    for th in angles:
        a_c, t_c, w_c = [], [], []
        for sign, x in ((1.0, axial_mm - ied_mm / 2), (-1.0, axial_mm + ied_mm / 2)):
            for (da, db), wi in zip(pts, w):
                phi = th + db / FOREARM_RADIUS_MM
                a_c.append(x + da)
                t_c.append((FOREARM_RADIUS_MM * math.cos(phi), FOREARM_RADIUS_MM * math.sin(phi)))
                w_c.append(sign * wi)
        ax.append(a_c)
        tr.append(t_c)
        ww.append(w_c)
    return ElectrodeSet(np.array(ax), np.array(tr), np.array(ww)), angles


def _schedule(names: Sequence[str], repetitions: int, hold_s: float, rest_s: float, shuffle: bool,
              rng: np.random.Generator) -> list[tuple[float, float, int, int]]:
    """``(onset_s, offset_s, gesture_index (1-based), repetition)`` of every hold."""
    out = []
    t = rest_s
    for rep in range(repetitions):
        order = rng.permutation(len(names)) if shuffle else np.arange(len(names))
        for g in order:
            out.append((t, t + hold_s, int(g) + 1, rep))
            t += hold_s + rest_s
    return out


def _stretch(templates: np.ndarray, lag0: int, scale: float) -> np.ndarray:
    """Templates at conduction velocity ``scale`` times the original: ``T(t * scale)`` (time axis stretched by 1/scale)."""
    if scale == 1.0:
        return templates
    n_lag = templates.shape[-1]
    n_new = int(np.ceil((n_lag - lag0) / scale)) + lag0
    src = lag0 + (np.arange(n_new) - lag0) * scale
    k = np.arange(n_lag)
    flat = templates.reshape(-1, n_lag)
    out = np.empty((flat.shape[0], n_new))
    for i in range(flat.shape[0]):
        out[i] = np.interp(src, k, flat[i], left=0.0, right=0.0)
    return out.reshape(templates.shape[:-1] + (n_new,))


def gestures(
    *,
    gesture_names: Sequence[str] = DEFAULT_GESTURES,
    repetitions: int = 3,
    hold_s: float = 3.0,
    rest_s: float = 2.0,
    duration_s: float | None = None,
    fs: float = 2000.0,
    channels: int = 8,
    motor_units: int = 40,
    effort: float = 1.0,
    session: int = 0,
    electrode_shift_deg: float | None = None,
    fatigue: float = 0.0,
    shuffle: bool = True,
    pathology: str | Pathology = "normal",
    interelectrode_distance_mm: float = 20.0,
    electrode_diameter_mm: float = 10.0,
    isi_cv: float = 0.15,
    noise: NoiseSpec | None = None,
    snr_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[Recording, Truth]:
    """A forearm armband during repeated gestures, labelled per sample.

    Parameters
    ----------
    gesture_names : sequence of str
        Gestures from :data:`GESTURES` (class *k* is ``gesture_names[k-1]``; 0 = rest).
    repetitions : int
        How many times each gesture is held.
    hold_s, rest_s : float
        Hold and rest durations, s (the session starts with a rest).
    duration_s : float, optional
        Crop (or extend the repetitions) to this length, s.
    fs : float
        Sampling rate, Hz.
    channels : int
        Electrodes around the forearm (8-16 typical).
    motor_units : int
        Units per muscle.
    effort : float
        Multiplies every gesture's excitation pattern (clipped to 1).
    session : int
        Session index of the same subject (same ``seed``): 0 is the reference.
    electrode_shift_deg : float, optional
        Rotation of the armband relative to session 0, degrees; default 0 for session
        0 and N(0, 10°) (clipped to ±30°) for others.
    fatigue : float
        Fractional drop of conduction velocity by the end of the session (0-0.5).
    shuffle : bool
        Random gesture order within each repetition.
    pathology, interelectrode_distance_mm, electrode_diameter_mm, isi_cv, noise, snr_db, seed
        As for :func:`myograph.simulate.surface`.

    Returns
    -------
    recording : Recording
        Channels ``CH1`` … in the ``armband`` group (``x_mm`` along the forearm,
        ``y_mm`` arc length of the electrode from the volar midline, so a shifted
        armband shows in the table); ``gesture:<name>`` and ``activation`` annotations.
    truth : Truth
        ``gesture_labels`` per sample and ``gesture_names`` (``"rest"`` first);
        templates without fatigue; ``extra`` with the shift, schedule and per-repetition
        conduction-velocity scale.
    """
    names = check_gesture_names(gesture_names)
    if isinstance(repetitions, bool) or not isinstance(repetitions, (int, np.integer)) or repetitions < 1:
        raise ParameterError("repetitions", f"must be an integer >= 1, got {repetitions!r}")
    if not hold_s > 0 or not rest_s >= 0:
        raise ParameterError("hold_s", f"need hold_s > 0 and rest_s >= 0 s, got {hold_s!r}, {rest_s!r}")
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or not 2 <= channels <= 32:
        raise ParameterError("channels", f"an armband has 2-32 channels (8-16 typical), got {channels!r}")
    if not 0 <= fatigue <= 0.5:
        raise ParameterError("fatigue", f"must be a fraction in [0, 0.5], got {fatigue!r}")
    if isinstance(session, bool) or not isinstance(session, (int, np.integer)) or session < 0:
        raise ParameterError("session", f"must be an integer >= 0, got {session!r}")
    cycle = len(names) * (hold_s + rest_s)
    if duration_s is not None:
        repetitions = max(1, int(math.ceil((float(duration_s) - rest_s) / cycle)))
        total = float(duration_s)
    else:
        total = rest_s + repetitions * cycle
    total, fs, n = E.check_duration_fs(total, fs)
    subject, seed_used = E.seed_streams(seed)
    if seed_used is not None:
        ss = np.random.SeedSequence([seed_used, int(session)])
        sess = dict(zip(("shift", "schedule", "firing", "noise", "effort"), [np.random.default_rng(s) for s in ss.spawn(5)]))
    else:
        sess = dict(zip(("shift", "schedule", "firing", "noise", "effort"), subject["session"].spawn(5)))
    if electrode_shift_deg is None:
        shift = 0.0 if session == 0 else float(np.clip(10.0 * sess["shift"].standard_normal(), -30.0, 30.0))
    else:
        shift = float(electrode_shift_deg)
    path = get_pathology(pathology)
    n_units = int(motor_units)
    if not 1 <= n_units <= 2000:
        raise ParameterError("motor_units", f"must be in [1, 2000], got {motor_units!r}")

    # --- schedule and labels
    holds = [h for h in _schedule(names, repetitions, hold_s, rest_s, shuffle, sess["schedule"]) if h[0] < total]
    labels = np.zeros(n, dtype=np.int16)
    for on, off, g, _ in holds:
        labels[int(round(on * fs)):min(n, int(round(off * fs)))] = g
    t = E.drive_grid(total)
    progress = t / total
    reps_seen = max(h[3] for h in holds) + 1 if holds else 1

    # --- muscles, pools, templates (subject), excitation (session)
    electrodes, angles = _armband(channels, shift, interelectrode_distance_mm, electrode_diameter_mm, axial_mm=0.0)
    pool_rngs = subject["pool"].spawn(len(FOREARM_MUSCLES))
    place_rngs = subject["place"].spawn(len(FOREARM_MUSCLES))
    muap_rngs = subject["muap"].spawn(len(FOREARM_MUSCLES))
    eff = sess["effort"]
    rep_effort = 1.0 + 0.1 * eff.standard_normal((reps_seen, len(names)))
    specs, tmpls = [], []
    for k, (abbr, (mname, ang, depth, radius)) in enumerate(FOREARM_MUSCLES.items()):
        pool = make_pool(n_units, pool_rngs[k], pathology=path, isi_cv=isi_cv)
        pr = place_rngs[k]
        rr = radius * np.sqrt(pr.random(n_units))
        aa = 2 * np.pi * pr.random(n_units)
        cx = (FOREARM_RADIUS_MM - depth) * math.cos(math.radians(ang))
        cy = (FOREARM_RADIUS_MM - depth) * math.sin(math.radians(ang))
        centres = np.column_stack([cx + rr * np.cos(aa), cy + rr * np.sin(aa)])
        rho = np.hypot(centres[:, 0], centres[:, 1])
        limit = FOREARM_RADIUS_MM - 3.0
        centres[rho > limit] *= (limit / rho[rho > limit])[:, None]
        centres = centres[pool.normal_index]
        iz = -30.0 + 10.0 * (pr.random() - 0.5)
        segs = []
        for on, off, g, rep in holds:
            lv = GESTURES[names[g - 1]].get(abbr, 0.0)
            if lv > 0:
                lv = float(np.clip(lv * effort * rep_effort[rep, g - 1] * (1.0 + 0.05 * eff.standard_normal()), 0.0, 1.0))
                segs.append((on, min(off, total), lv))
        exc = sequence(t, segs, rise_s=min(0.3, hold_s / 4)) if segs else np.zeros(t.size)
        exc = np.clip(exc * (1.0 + 0.5 * fatigue * progress), 0.0, 1.0)
        m = E.MuscleSpec(abbr, mname, pool, centres, exc, end_plate_mm=iz, half_length_mm=50.0,
                         max_radius_mm=FOREARM_RADIUS_MM - 2.0, channels=list(range(channels)), force=False)
        specs.append(m)
        tmpls.append(E.muscle_templates(m, electrodes, fs, muap_rngs[k], n_pre=4, n_represent=8))
    templates = E.pad_stack(tmpls)
    lag0 = 4
    # a muscle "is at" a channel (for the activation truth) when its MUAP energy there is
    # at least 10% of the largest muscle's at that channel
    energy = np.array([np.sqrt(np.sum(tm ** 2, axis=(0, 2))) for tm in tmpls])  # (muscles, channels)
    top = energy.max(axis=0, initial=0.0)
    for k, m in enumerate(specs):
        m.channels = [c for c in range(channels) if top[c] > 0 and energy[k, c] >= 0.1 * top[c]]

    # --- discharges and EMG (fatigue: per-repetition conduction-velocity scale)
    fire_rngs = sess["firing"].spawn(len(specs))
    discharges: list[np.ndarray] = []
    for m, r in zip(specs, fire_rngs):
        discharges += E.to_samples(discharge_times(m.pool, m.excitation, DRIVE_FS_HZ, r), fs, n)
    if fatigue > 0:
        rep_starts = sorted({min(h[0] for h in holds if h[3] == r) for r in range(1, reps_seen)})
        bounds = [0.0] + rep_starts + [total + 1.0]
    else:
        bounds = [0.0, total + 1.0]
    emg = np.zeros((channels, n))
    cv_scales = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        mid = min(1.0, (a + min(b, total)) / 2 / total)
        scale = 1.0 - fatigue * mid
        cv_scales.append({"from_s": a, "to_s": min(b, total), "cv_scale": scale})
        part = [d[(d >= a * fs) & (d < b * fs)] for d in discharges]
        if any(p.size for p in part):
            emg += sum_templates(part, _stretch(templates, lag0, scale), n, lag0=lag0)
    emg_channels = []
    for c, th in enumerate(angles):
        deg = math.degrees(th) % 360.0
        emg_channels.append(Channel(f"CH{c + 1}", type="EMG", units="V", muscle="forearm", group="armband",
                                    interelectrode_distance_mm=interelectrode_distance_mm, x_mm=0.0,
                                    y_mm=round(FOREARM_RADIUS_MM * math.radians(deg), 1)))
    emg, events = E.apply_noise(emg, fs, noise, snr_db, sess["noise"], [c.name for c in emg_channels])
    ann = Annotations.from_rows([(on, min(off, total) - on, f"gesture:{names[g - 1]}") for on, off, g, _ in holds])
    params = dict(gesture_names=names, repetitions=repetitions, hold_s=hold_s, rest_s=rest_s, duration_s=total, fs=fs,
                  channels=channels, motor_units=n_units, effort=effort, session=int(session),
                  electrode_shift_deg=shift, fatigue=fatigue, shuffle=shuffle, pathology=path.name,
                  interelectrode_distance_mm=interelectrode_distance_mm, electrode_diameter_mm=electrode_diameter_mm,
                  isi_cv=isi_cv, noise=None if noise is None else noise.__dict__.copy(), snr_db=snr_db)
    meta = E.make_metadata("gestures", seed_used, f"armband, {channels} bipolar channels around the forearm", noise,
                           task="gestures")
    meta = meta.replace(session=str(session))
    extra: Mapping[str, Any] = {
        "electrode_shift_deg": shift, "session": int(session), "forearm_radius_mm": FOREARM_RADIUS_MM,
        "electrode_angles_deg": [float(math.degrees(a)) for a in angles],
        "schedule": [{"onset_s": on, "offset_s": min(off, total), "gesture": names[g - 1], "repetition": rep}
                     for on, off, g, rep in holds],
        "cv_scale": cv_scales,
        "muscles": {a: {"name": v[0], "angle_deg": v[1], "depth_mm": v[2]} for a, v in FOREARM_MUSCLES.items()},
    }
    return E.assemble(kind="gestures", fs=fs, n=n, seed=seed_used, emg=emg, emg_channels=emg_channels, muscles=specs,
                      templates=templates, lag0=lag0, discharges=discharges, force={}, annotations=ann, metadata=meta,
                      parameters=params, noise_events=events, gesture_labels=labels,
                      gesture_names=["rest"] + names, extra=extra)
