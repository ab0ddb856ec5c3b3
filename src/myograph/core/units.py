"""Physical units: everything is SI inside (volts for EMG), µV on screen.

Readers call :func:`scale_to_si` to convert a channel's stated unit into the
SI unit that the Recording stores; unknown units are kept as they are.
"""

from __future__ import annotations

__all__ = ["VOLTAGE_SCALE", "normalize_unit", "scale_to_si", "is_voltage"]

#: factor from the named voltage unit to volts
VOLTAGE_SCALE: dict[str, float] = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "nV": 1e-9, "kV": 1e3}

_ALIASES = {
    "v": "V", "volt": "V", "volts": "V",
    "mv": "mV", "millivolt": "mV", "millivolts": "mV",
    "uv": "uV", "µv": "uV", "μv": "uV", "microvolt": "uV", "microvolts": "uV",
    "nv": "nV", "kv": "kV",
    "n": "N", "newton": "N", "nm": "N·m", "n.m": "N·m", "nmm": "N·mm", "n.mm": "N·mm",
    "g": "g", "m/s^2": "m/s²", "m/s2": "m/s²",
    "%mvc": "%MVC", "%": "%", "a.u.": "a.u.", "au": "a.u.", "": "",
}

#: SI unit stored for each non-voltage unit, and its factor
_OTHER_SCALE: dict[str, tuple[str, float]] = {"N·mm": ("N·m", 1e-3)}


def normalize_unit(unit: str | None) -> str:
    """Canonical spelling of ``unit`` (``"mv"`` → ``"mV"``, ``"µV"`` → ``"uV"``)."""
    if unit is None:
        return ""
    u = unit.strip()
    return _ALIASES.get(u.lower(), u)


def is_voltage(unit: str | None) -> bool:
    """True when ``unit`` is a voltage unit (V, mV, µV, nV, kV)."""
    return normalize_unit(unit) in VOLTAGE_SCALE


def scale_to_si(unit: str | None) -> tuple[str, float]:
    """Return ``(si_unit, factor)`` such that ``value_si = value * factor``.

    Voltages become volts; N·mm becomes N·m; other units are returned as they
    are with factor 1.
    """
    u = normalize_unit(unit)
    if u in VOLTAGE_SCALE:
        return "V", VOLTAGE_SCALE[u]
    if u in _OTHER_SCALE:
        return _OTHER_SCALE[u]
    return u, 1.0
