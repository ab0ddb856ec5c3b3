"""Named feature sets users ask for, each with the paper that proposed it."""

from __future__ import annotations

from dataclasses import dataclass

from myograph.core.errors import ParameterError

__all__ = ["FeatureSet", "FEATURE_SETS", "ALIASES", "resolve_set"]


@dataclass(frozen=True)
class FeatureSet:
    """A named list of registry features and where it comes from."""

    name: str
    features: tuple[str, ...]
    reference: str
    description: str


_SETS = [
    FeatureSet("TD4", ("MAV", "WL", "ZC", "SSC"),
               "Hudgins B, Parker P, Scott RN (1993) IEEE Trans Biomed Eng 40:82-94; Englehart K, Hudgins B (2003) IEEE Trans Biomed Eng 50:848-854",
               "Hudgins' time-domain set: mean absolute value, waveform length, zero crossings, slope sign changes"),
    FeatureSet("TD9", ("MAV", "WL", "ZC", "SSC", "RMS", "IAV", "VAR", "WAMP", "DASDV"),
               "myograph: Hudgins TD4 (1993) plus the five time-domain features of Phinyomark et al. 2012 (Expert Syst Appl 39:7420) most often added to it",
               "TD4 extended with RMS, IAV, VAR, WAMP and DASDV (no single paper defines a 'TD9'; this is myograph's choice, stated here)"),
    FeatureSet("TDAR", ("MAV", "WL", "ZC", "SSC", "AR"),
               "Hargrove LJ, Englehart K, Hudgins B (2007) IEEE Trans Biomed Eng 54:847-853",
               "TD4 plus 4th-order autoregressive coefficients"),
    FeatureSet("LS4", ("LS", "MFL", "MSR", "WAMP"),
               "Phinyomark A, Khushaba RN, Scheme E (2018) Sensors 18:1615",
               "low-sampling-rate set of 4: L-scale, maximum fractal length, mean of square root, Willison amplitude"),
    FeatureSet("LS9", ("LS", "MFL", "MSR", "WAMP", "ZC", "RMS", "IAV", "DASDV", "VAR"),
               "Phinyomark A, Khushaba RN, Scheme E (2018) Sensors 18:1615",
               "low-sampling-rate set of 9: LS4 plus ZC, RMS, IAV, DASDV, VAR"),
    FeatureSet("TD-PSD", ("M0", "M2", "M4", "SPARSI", "IRF", "WLF"),
               "Khushaba RN et al. (2017) IEEE TNSRE 25:1821-1831; Al-Timemy AH et al. (2016) IEEE TNSRE 24:650-661",
               "time-domain power spectral descriptors, each as the similarity of the signal's and its log-power's descriptor"),
    FeatureSet("HJORTH", ("HACT", "HMOB", "HCOMP"), "Hjorth B (1970) Electroencephalogr Clin Neurophysiol 29:306-310",
               "Hjorth activity, mobility, complexity"),
    FeatureSet("SPECTRAL", ("MNF", "MDF", "PKF", "MNP", "TTP"), "Phinyomark A et al. (2012) Expert Syst Appl 39:7420-7431",
               "the classic frequency-domain descriptors of the periodogram"),
]

FEATURE_SETS: dict[str, FeatureSet] = {s.name: s for s in _SETS}
ALIASES = {"HTD": "TD4", "TDPSD": "TD-PSD", "TD-AR": "TDAR"}


def resolve_set(name: str) -> FeatureSet:
    """The set called ``name`` (aliases ``HTD``, ``TDPSD``, ``TD-AR``; case-insensitive)."""
    key = ALIASES.get(name.upper(), name.upper())
    if key not in FEATURE_SETS:
        raise ParameterError("features", f"unknown feature set {name!r}; known: {sorted(FEATURE_SETS)} (aliases {sorted(ALIASES)})")
    return FEATURE_SETS[key]
