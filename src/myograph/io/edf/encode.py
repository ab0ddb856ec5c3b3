"""Header fields for writing: checking and fitting values to their fixed-width ASCII fields.

Channel labels, units (volts as µV), transducer and prefilter fields, the EDF+
patient and recording identification, the checks a Recording must pass before
it is written, and the raw header bytes of :class:`~myograph.io.edf.EdfWriter`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import numpy as np

from myograph.core.channels import Channel
from myograph.core.errors import ParameterError, warn
from myograph.core.metadata import Metadata
from myograph.core.recording import Recording
from myograph.core.units import VOLTAGE_SCALE, is_voltage, scale_to_si
from myograph.io.edf.spec import TRANSDUCER_KEYS, _ANNOTATION_LABELS, _BDF_VERSION, _EDF_VERSION, _MAIN_FIELDS, _SIGNAL_FIELDS, _number_text


# --- field values ----------------------------------------------------------------------------
def _check_label(name: str) -> None:
    if not (name.isascii() and name.isprintable()):
        raise ParameterError("channels", f"channel {name!r}: EDF labels must be printable ASCII; rename the channel "
                             "(rec.with_channel_info(old, name=new))")
    if len(name) > 16:
        raise ParameterError("channels", f"channel {name!r}: EDF labels hold at most 16 characters, got {len(name)}; "
                             "rename the channel (rec.with_channel_info(old, name=new))")
    if name != name.strip() or name in _ANNOTATION_LABELS:
        raise ParameterError("channels", f"channel {name!r}: a label cannot start or end with spaces or be an annotation label")


def _unit_field(channel: Channel) -> tuple[str, float]:
    """``(physical dimension, factor SI → file unit)``: volts are written in µV."""
    if is_voltage(channel.units):
        return "uV", 1.0 / VOLTAGE_SCALE["uV"] * scale_to_si(channel.units)[1]
    text = channel.units.replace("·", ".").replace("²", "^2").replace("³", "^3").replace("µ", "u").replace("μ", "u")
    if not (text.isascii() and text.isprintable()) or len(text) > 8:
        raise ParameterError("channels", f"channel {channel.name!r}: unit {channel.units!r} does not fit the 8-character "
                             "ASCII EDF physical-dimension field")
    return text, 1.0


def _ascii_field(value: str, width: int, what: str) -> str:
    """``value`` fitted to an ASCII header field (non-ASCII → ``?``, cut to ``width``), warning if changed."""
    text = "".join(c if (c.isascii() and c.isprintable()) else "?" for c in value)[:width]
    if text != value:
        warn(f"{what}: {value!r} does not fit a {width}-character ASCII EDF field; written as {text!r}")
    return text


def _transducer_field(channel: Channel) -> str:
    """``TYPE;key=value…[: description]``: the channel's type and placement in the 80-character field.

    Values lose ``;`` and ``:`` (written as ``,``) so the field parses back unambiguously.
    """
    parts = [channel.type]
    for attr, key in TRANSDUCER_KEYS.items():
        value = getattr(channel, attr)
        if value not in (None, ""):
            text = _number_text(float(value)) if isinstance(value, float) else str(value)
            parts.append(f"{key}={text.replace(';', ',').replace(':', ',')}")
    text = ";".join(parts) + (f": {channel.description}" if channel.description else "")
    return _ascii_field(text, 80, f"channel {channel.name!r} transducer")


def _prefilter_field(channel: Channel) -> str:
    parts = []
    for key, value in (("HP", channel.low_cutoff_hz), ("LP", channel.high_cutoff_hz), ("N", channel.notch_hz)):
        if value is not None:
            parts.append(f"{key}:{_number_text(float(value))}Hz")
    return _ascii_field(" ".join(parts), 80, f"channel {channel.name!r} prefiltering")


def _subfield(value: str, what: str) -> str:
    """An EDF+ identification subfield: ``X`` when empty, spaces → ``_``, ASCII."""
    if not value:
        return "X"
    return _ascii_field(re.sub(r"\s+", "_", value.strip()), 80, what)


def _edfplus_identification(metadata: Metadata) -> tuple[str, str, str, str, date | None, time]:
    """(patient code, sex, session, equipment, start date, start time) for EDF+ headers."""
    start = metadata.start_time
    if start is not None and not 1985 <= start.year <= 2084:
        raise ParameterError("metadata.start_time", f"EDF stores start dates from 1985 to 2084, got {start.isoformat()}")
    sex = metadata.subject.sex if metadata.subject.sex in ("M", "F") else "X"
    equipment = metadata.device.model or metadata.device.manufacturer
    return (_subfield(metadata.subject.id, "subject.id"), sex, _subfield(metadata.session, "session"),
            _subfield(equipment, "device"), start.date() if start else None,
            start.time().replace(tzinfo=None) if start else time(0, 0, 0))


def _check_writable(recording: Recording) -> None:
    for i, ch in enumerate(recording.channels):
        _check_label(ch.name)
        _unit_field(ch)
        if not np.all(np.isfinite(recording.data[i])):
            raise ParameterError("data", f"channel {ch.name!r} holds NaN or infinite samples, which EDF cannot store")


# --- header bytes ----------------------------------------------------------------------------
def _field(value: str | int | float, width: int) -> bytes:
    text = value if isinstance(value, str) else (str(int(value)) if float(value).is_integer() else str(value))
    raw = text.encode("ascii")
    if len(raw) > width:
        raise ParameterError("header", f"{text!r} exceeds its {width}-character EDF field")
    return raw.ljust(width, b" ")


def _encode_header(*, bdf: bool, patient: str, recording: str, start: datetime | None, n_records: int,
                   duration: float, signals: Sequence[dict[str, Any]]) -> bytes:
    """A complete EDF+C/BDF+C header (256 · (n_signals + 1) bytes)."""
    ns = len(signals)
    main: dict[str, str | int | float] = {
        "patient": patient, "recording": recording,
        "startdate": start.strftime("%d.%m.%y") if start else "01.01.85",
        "starttime": start.strftime("%H.%M.%S") if start else "00.00.00",
        "header_bytes": 256 * (ns + 1), "reserved": "BDF+C" if bdf else "EDF+C",
        "n_records": n_records, "record_duration": duration, "n_signals": ns,
    }
    parts = [_BDF_VERSION if bdf else _EDF_VERSION]
    parts.extend(_field(main[name], width) for name, width in _MAIN_FIELDS[1:])
    for name, width in _SIGNAL_FIELDS:
        parts.append(b"".join(_field(s.get(name, ""), width) for s in signals))
    return b"".join(parts)
