"""Pathology profiles: how myopathy and chronic denervation change a motor unit pool.

A :class:`Pathology` is a set of multiplicative factors (and two absolute values)
that the motor unit pool and MUAP models apply to their normal parameters. The
profiles encode the textbook needle-EMG patterns:

normal
    All factors 1; normal jitter; a few polyphasic MUAPs.
myopathic
    Fibres are lost from every unit and the survivors are smaller and more variable
    in size, so MUAPs are small, short and polyphasic; the number of units is
    unchanged but each generates less force, so many units are recruited at low
    force ("early recruitment").
neurogenic (chronic, reinnervated)
    Fewer units survive; they adopt the orphaned fibres by collateral sprouting, so
    each has more fibres, higher fibre density and a somewhat larger territory: MUAPs
    are fewer, larger, longer and often polyphasic, with unstable (jittery)
    components; recruitment is reduced, the first units firing at 20 Hz or more
    before the next is recruited.

Where each number comes from is written beside it in ``PATHOLOGIES``.

References
----------
.. [1] Daube JR, Rubin DI. Needle electromyography. Muscle Nerve 2009;39:244-270.
.. [2] Preston DC, Shapiro BE. Electromyography and Neuromuscular Disorders, 3rd ed.
   Elsevier, 2013; chapters 15 (MUAP analysis) and 16 (recruitment).
.. [3] Kimura J. Electrodiagnosis in Diseases of Nerve and Muscle, 4th ed. Oxford
   University Press, 2013.
.. [4] Stålberg E, Trontelj JV. Single Fiber Electromyography, 2nd ed. Raven Press,
   1994 (fibre density and jitter in myopathy and reinnervation).
.. [5] Stålberg E, Sanders DB, Ali S, et al. Reference values for jitter recorded by
   concentric needle electrodes in healthy controls: a multicenter study. Muscle
   Nerve 2016;53:351-362.
.. [6] Petajan JH. AAEM minimonograph #3: motor unit recruitment. Muscle Nerve
   1991;14:489-502.
.. [7] Stålberg E, Dioszeghy P. Scanning EMG in normal muscle and in neuromuscular
   disorders. Electroencephalogr Clin Neurophysiol 1991;81:403-416.
.. [8] Dubowitz V, Sewry CA, Oldfors A. Muscle Biopsy: A Practical Approach, 5th ed.
   Elsevier, 2020 (fibre size variability).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from myograph.core.errors import ParameterError

__all__ = ["Pathology", "PATHOLOGIES", "get_pathology", "with_severity"]

#: the factors that multiply a normal parameter (1 = normal); interpolated geometrically
_FACTOR_FIELDS = (
    "unit_count_factor",
    "fibres_per_unit_factor",
    "fibre_diameter_scale",
    "threshold_factor",
    "peak_rate_factor",
    "min_rate_factor",
    "territory_factor",
    "fibre_diameter_cv_factor",
)


def get_pathology(name: str | Pathology) -> Pathology:
    """The profile called ``name`` (case and surrounding spaces ignored).

    Parameters
    ----------
    name : str or Pathology
        ``"normal"``, ``"myopathic"`` or ``"neurogenic"``; a :class:`Pathology` is
        returned as it is (so callers can pass either).

    Returns
    -------
    Pathology

    Raises
    ------
    ParameterError
        Naming ``pathology`` and the allowed names when ``name`` is unknown.
    """
    if isinstance(name, Pathology):
        return name
    key = str(name).strip().lower() if isinstance(name, str) else None
    if key not in PATHOLOGIES:
        raise ParameterError("pathology", f"must be one of {sorted(PATHOLOGIES)}, got {name!r}")
    return PATHOLOGIES[key]


def with_severity(pathology: str | Pathology, severity: float) -> Pathology:
    """A milder or stronger version of ``pathology``.

    Each factor ``f`` becomes ``f ** severity`` (geometric interpolation from 1 =
    normal); jitter and the polyphasic probability are interpolated linearly from the
    normal profile's values (the probability is clipped to [0, 1]). ``severity`` 0
    gives the normal values, 1 the profile itself; values above 1 extrapolate.

    Parameters
    ----------
    pathology : str or Pathology
    severity : float
        ``>= 0``, dimensionless.

    Returns
    -------
    Pathology
        Named ``"<name>"`` at severity 1, else ``"<name>@<severity>"``.
    """
    base = get_pathology(pathology)
    s = float(severity)
    if not math.isfinite(s) or s < 0:
        raise ParameterError("severity", f"must be a finite number >= 0, got {severity!r}")
    if s == 1.0:
        return base
    normal = PATHOLOGIES["normal"]
    changes: dict[str, float | str] = {f: getattr(base, f) ** s for f in _FACTOR_FIELDS}
    changes["jitter_us"] = max(0.0, normal.jitter_us + s * (base.jitter_us - normal.jitter_us))
    p = normal.extra_phase_probability + s * (base.extra_phase_probability - normal.extra_phase_probability)
    changes["extra_phase_probability"] = min(1.0, max(0.0, p))
    changes["name"] = f"{base.name}@{s:g}"
    return replace(base, **changes)


@dataclass(frozen=True)
class Pathology:
    """How a disease changes the motor unit pool (factors multiply normal values).

    Parameters
    ----------
    name : str
        ``"normal"``, ``"myopathic"``, ``"neurogenic"`` (or a user's own name).
    unit_count_factor : float
        Fraction of the normal number of motor units (> 0).
    fibres_per_unit_factor : float
        Multiplies the number of fibres per unit: > 1 after collateral
        reinnervation, < 1 with myopathic fibre loss.
    fibre_diameter_scale : float
        Multiplies the mean fibre diameter (myopathy: smaller fibres).
    threshold_factor : float
        Multiplies recruitment thresholds (< 1: early recruitment).
    peak_rate_factor, min_rate_factor : float
        Multiply the peak and minimum (onset) discharge rates.
    territory_factor : float
        Multiplies the territory radius the unit has with its *normal* fibre count;
        the unit's own fibre density then changes by
        ``fibres_per_unit_factor / territory_factor ** 2`` (neurogenic: 2.5 / 1.25² =
        1.6x, the raised fibre density of reinnervation).
    jitter_us : float
        Neuromuscular jitter (mean consecutive difference of single-fibre
        latencies), microseconds; an absolute value, not a factor.
    extra_phase_probability : float
        Probability, per MUAP, that extra (polyphasic) components are added; in
        [0, 1]; an absolute value.
    fibre_diameter_cv_factor : float, default 1
        Multiplies the coefficient of variation of fibre diameters (myopathy: more
        variable fibre size).

    Raises
    ------
    ParameterError
        When a factor is not a finite number > 0, ``jitter_us`` is negative or the
        probability is outside [0, 1].
    """

    name: str
    unit_count_factor: float
    fibres_per_unit_factor: float
    fibre_diameter_scale: float
    threshold_factor: float
    peak_rate_factor: float
    min_rate_factor: float
    territory_factor: float
    jitter_us: float
    extra_phase_probability: float
    fibre_diameter_cv_factor: float = 1.0

    def __post_init__(self) -> None:
        for f in _FACTOR_FIELDS:
            v = getattr(self, f)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ParameterError(f, f"must be a finite number > 0, got {v!r}")
        if not isinstance(self.jitter_us, (int, float)) or not math.isfinite(self.jitter_us) or self.jitter_us < 0:
            raise ParameterError("jitter_us", f"must be a finite number >= 0 µs, got {self.jitter_us!r}")
        p = self.extra_phase_probability
        if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ParameterError("extra_phase_probability", f"must be in [0, 1], got {p!r}")

    def as_dict(self) -> dict[str, float | str]:
        """The fields as a plain dict (for JSON ground-truth files)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


PATHOLOGIES: dict[str, Pathology] = {
    "normal": Pathology(
        name="normal",
        unit_count_factor=1.0,
        fibres_per_unit_factor=1.0,
        fibre_diameter_scale=1.0,
        threshold_factor=1.0,
        peak_rate_factor=1.0,
        min_rate_factor=1.0,
        territory_factor=1.0,
        # Mean jitter (MCD) of normal muscles with concentric needles is ~20-30 µs,
        # upper reference limits of the mean ~30-45 µs depending on the muscle [5];
        # single-fibre EMG gives similar values [4].
        jitter_us=25.0,
        # Up to ~10% (15% in some muscles, 25% in deltoid) of normal MUAPs are
        # polyphasic (> 4 phases) [1][2].
        extra_phase_probability=0.10,
        fibre_diameter_cv_factor=1.0,
    ),
    "myopathic": Pathology(
        name="myopathic",
        # The number of motor units is preserved in myopathy; fibres are lost from
        # within each unit [1][2][3].
        unit_count_factor=1.0,
        # Fibre loss (necrosis, splitting) halves the fibres near the needle: MUAP
        # amplitude and duration fall to ~50-70% of normal means [1][3]; a factor of
        # 0.5 on fibre number gives that range in line-source MUAP models.
        fibres_per_unit_factor=0.5,
        # Atrophic and regenerating fibres: mean diameter reduced (dystrophic muscle
        # shows many fibres < 30-40 µm against a normal ~50-60 µm) [8].
        fibre_diameter_scale=0.7,
        # Variability coefficient of fibre size ~150-250 normally, > 300-400 in
        # dystrophies [8]: about double the normal coefficient of variation.
        fibre_diameter_cv_factor=2.0,
        # "Early recruitment": each unit produces less force, so many units are
        # recruited at minimal effort [1][2][6]; thresholds at half of normal.
        threshold_factor=0.5,
        # Discharge rates are normal in myopathy [2][6].
        peak_rate_factor=1.0,
        min_rate_factor=1.0,
        # Fibre loss is scattered within the unit; its territory is taken as unchanged
        # (scanning-EMG territories in myopathy are near normal [7]).
        territory_factor=1.0,
        # Jitter is mildly increased in myopathies (regenerating fibres, split fibres,
        # slowed conduction) [4]: ~40-50 µs.
        jitter_us=45.0,
        # Polyphasic (and satellite) MUAPs are common: often 30-80% of MUAPs [1][2].
        extra_phase_probability=0.5,
    ),
    "neurogenic": Pathology(
        name="neurogenic",
        # Loss of motor neurones/axons: reduced recruitment; surviving units ~30-50%
        # of normal in chronic neurogenic disorders with clear EMG changes [1][2].
        unit_count_factor=0.4,
        # Collateral sprouting adopts the orphaned fibres: with full reinnervation the
        # total fibre number is kept, 0.4 x 2.5 = 1; fibre density rises 2-4 fold in
        # SFEMG [4]; MUAP amplitude 2-5x normal [1][2].
        fibres_per_unit_factor=2.5,
        # A mixture of atrophic (denervated) and hypertrophic fibres; mean taken as
        # normal [8].
        fibre_diameter_scale=1.0,
        fibre_diameter_cv_factor=1.5,
        # Surviving units keep their size-ordered thresholds [6].
        threshold_factor=1.0,
        # Reduced recruitment: the first units fire at >= 20 Hz (normal ~10 Hz) before
        # the next is recruited; recruitment ratio > 10 [2][6]. Peak rates rise from
        # ~30 Hz to ~45 Hz.
        peak_rate_factor=1.5,
        # Onset (minimum) rates stay ~5-8 Hz [6].
        min_rate_factor=1.0,
        # Scanning EMG: reinnervated units have a moderately larger territory; fibre
        # density rises more than territory [7][4] (radius x1.25, density x1.6).
        territory_factor=1.25,
        # Immature sprouts have unstable neuromuscular transmission: jitter of 50 to
        # > 100 µs with blocking in ongoing reinnervation [4][1].
        jitter_us=70.0,
        # Polyphasic, long-duration MUAPs and late components in reinnervation [1][2].
        extra_phase_probability=0.4,
    ),
}
