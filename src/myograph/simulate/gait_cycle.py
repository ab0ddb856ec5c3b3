"""Walking: lower-limb muscles driven by the phasic patterns of normal gait.

Each muscle's excitation is a set of smooth (Hann-shaped) bursts placed by phase of
the gait cycle, 0 = initial contact (heel strike) to 1 = the next one, following the
normative patterns of level walking at a natural speed (Winter 1991; Perry &
Burnfield 2010): tibialis anterior at loading response and through swing; the
plantar flexors (gastrocnemius, soleus) in mid and terminal stance; the vasti and
gluteus maximus from terminal swing into loading response; the hamstrings in terminal
swing and early stance; rectus femoris around loading and pre-swing / initial swing.
Cycle durations vary from stride to stride (coefficient of variation ~2-3%,
Hausdorff et al. 1995) and toe-off falls at ~60% of the cycle.

The EMG comes from the surface model (:func:`myograph.simulate.api.bipolar_simulation`):
one bipolar channel per muscle. Heel strikes and toe-offs are instant annotations
``gait:heel_strike`` / ``gait:toe_off`` and are listed in ``truth.extra``.

References
----------
.. [1] Winter DA. The Biomechanics and Motor Control of Human Gait: Normal, Elderly and
   Pathological, 2nd ed. University of Waterloo Press, 1991.
.. [2] Perry J, Burnfield JM. Gait Analysis: Normal and Pathological Function, 2nd ed.
   SLACK, 2010.
.. [3] Hausdorff JM, Peng CK, Ladin Z, Wei JY, Goldberger AL. Is walking a random walk?
   Evidence for long-range correlations in stride interval of human gait. J Appl
   Physiol 1995;78:349-358.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.simulate import _engine as E
from myograph.simulate.api import bipolar_simulation, resolve_muscles
from myograph.simulate.drive import periodic
from myograph.simulate.noise import NoiseSpec
from myograph.simulate.pathology import Pathology
from myograph.simulate.truth import Truth

__all__ = ["GAIT_PATTERNS", "DEFAULT_GAIT_MUSCLES", "gait_cycles", "gait"]

#: muscle → bursts (start, stop as fractions of the cycle from heel strike; peak excitation)
GAIT_PATTERNS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "TA": ((-0.06, 0.14, 0.45), (0.56, 0.98, 0.30)),
    "GM": ((0.06, 0.50, 0.55),),
    "SOL": ((0.04, 0.54, 0.50),),
    "VL": ((-0.10, 0.20, 0.40),),
    "RF": ((-0.05, 0.12, 0.20), (0.50, 0.66, 0.25)),
    "BF": ((-0.16, 0.12, 0.40),),
    "ST": ((-0.18, 0.08, 0.40),),
    "GMAX": ((-0.08, 0.20, 0.35),),
}
DEFAULT_GAIT_MUSCLES = ("TA", "GM", "SOL", "VL", "RF", "BF", "ST", "GMAX")


def gait_cycles(duration_s: float, rng: np.random.Generator, *, cycle_s: float = 1.1, cycle_cv: float = 0.025,
                toe_off_fraction: float = 0.61) -> tuple[np.ndarray, np.ndarray]:
    """Heel-strike and toe-off times (s) covering ``[0, duration_s)``.

    The first heel strike falls at a random phase within the first cycle; cycle
    durations are Gaussian with coefficient of variation ``cycle_cv``; toe-off at
    ``toe_off_fraction`` (± 1%) of each cycle.
    """
    if cycle_s <= 0.2:
        raise ParameterError("cycle_s", f"a gait cycle must last more than 0.2 s, got {cycle_s!r}")
    if not 0 <= cycle_cv < 0.3:
        raise ParameterError("cycle_cv", f"must be in [0, 0.3), got {cycle_cv!r}")
    n = int(np.ceil(duration_s / cycle_s)) + 4
    durs = cycle_s * np.clip(1.0 + cycle_cv * rng.standard_normal(n), 0.5, 1.5)
    start = -rng.random() * durs[0]
    hs = start + np.concatenate([[0.0], np.cumsum(durs)])
    to = hs[:-1] + durs * np.clip(toe_off_fraction + 0.01 * rng.standard_normal(n), 0.5, 0.7)
    return hs, to


def gait(
    duration_s: float = 30.0,
    fs: float = 2000.0,
    *,
    muscles: Sequence[str] | None = None,
    channels: int | None = None,
    cycle_s: float = 1.1,
    cycle_cv: float = 0.025,
    intensity: float = 1.0,
    motor_units: int = 60,
    pathology: str | Pathology = "normal",
    force: bool = False,
    interelectrode_distance_mm: float = 20.0,
    electrode_diameter_mm: float = 10.0,
    fat_mm: float = 4.0,
    isi_cv: float = 0.15,
    noise: NoiseSpec | None = None,
    snr_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[Recording, Truth]:
    """Surface EMG of lower-limb muscles during level walking.

    Parameters
    ----------
    duration_s, fs : float
        Length (s) and sampling rate (Hz).
    muscles : sequence of str, optional
        Muscles with a pattern in :data:`GAIT_PATTERNS` (default
        :data:`DEFAULT_GAIT_MUSCLES`).
    channels : int, optional
        Take the first ``channels`` default muscles (when ``muscles`` is None).
    cycle_s, cycle_cv : float
        Mean gait cycle (stride) duration, s, and its coefficient of variation.
    intensity : float
        Multiplies every burst's peak excitation (faster walking > 1), clipped to 1.
    motor_units : int
        Units per muscle.
    pathology, force, interelectrode_distance_mm, electrode_diameter_mm, fat_mm, isi_cv, noise, snr_db, seed
        As for :func:`myograph.simulate.surface`.

    Returns
    -------
    recording : Recording
        One bipolar channel per muscle; ``gait:heel_strike`` and ``gait:toe_off``
        annotations; ``activation`` spans per channel.
    truth : Truth
        ``extra["heel_strikes_s"]``, ``extra["toe_offs_s"]``.
    """
    duration_s, fs, n = E.check_duration_fs(duration_s, fs)
    if muscles is None:
        k = len(DEFAULT_GAIT_MUSCLES) if channels is None else channels
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(DEFAULT_GAIT_MUSCLES):
            raise ParameterError("channels", f"gait has {len(DEFAULT_GAIT_MUSCLES)} muscles; channels must be 1-{len(DEFAULT_GAIT_MUSCLES)}, got {channels!r}")
        muscles = DEFAULT_GAIT_MUSCLES[:k]
    chosen = resolve_muscles(muscles, len(muscles))
    missing = [a for a, _ in chosen if a not in GAIT_PATTERNS]
    if missing:
        raise ParameterError("muscles", f"no gait pattern for {missing}; muscles with patterns: {sorted(GAIT_PATTERNS)}")
    if not intensity > 0:
        raise ParameterError("intensity", f"must be > 0, got {intensity!r}")
    streams, seed_used = E.seed_streams(seed)
    hs, to = gait_cycles(duration_s, streams["cycle"], cycle_s=cycle_s, cycle_cv=cycle_cv)
    t = E.drive_grid(duration_s)
    excitations = {}
    for abbr, _ in chosen:
        pattern = tuple((a, b, min(1.0, pk * intensity)) for a, b, pk in GAIT_PATTERNS[abbr])
        excitations[abbr] = periodic(t, pattern=pattern, cycle_starts_s=hs)
    inside_hs = hs[(hs >= 0) & (hs < duration_s)]
    inside_to = to[(to >= 0) & (to < duration_s)]
    ann = Annotations.from_rows([(float(x), 0.0, "gait:heel_strike") for x in inside_hs]
                                + [(float(x), 0.0, "gait:toe_off") for x in inside_to])
    extra = {"heel_strikes_s": inside_hs.tolist(), "toe_offs_s": inside_to.tolist(),
             "patterns": {a: [list(b) for b in GAIT_PATTERNS[a]] for a, _ in chosen}}
    return bipolar_simulation(
        "gait", duration_s, fs, chosen, excitations, seed=seed_used if seed_used is not None else streams["session"],
        motor_units=motor_units, pathology=pathology,
        force=force, max_force_n=100.0, interelectrode_distance_mm=interelectrode_distance_mm,
        electrode_diameter_mm=electrode_diameter_mm, electrode_offset_mm=30.0, fat_mm=fat_mm,
        muscle_thickness_mm=25.0, muscle_width_mm=30.0, fibre_length_mm=120.0, isi_cv=isi_cv, noise=noise,
        snr_db=snr_db, parameters={"cycle_s": cycle_s, "cycle_cv": cycle_cv, "intensity": intensity},
        task="walking", annotations=ann, extra=extra,
    )
