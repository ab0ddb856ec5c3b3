"""The EDF/BDF file layout shared by the reader and both writers.

Version bytes, header field names and widths, the reserved signal labels and
annotation texts, digital ranges and sample widths, the limits this package
works to, and the two number rules both directions rely on: the exact sampling
rate ``samples per record / record duration`` and the text of a number in a
header field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np

_EDF_VERSION = b"0       "
_BDF_VERSION = b"\xffBIOSEMI"
_MAIN_FIELDS = (("version", 8), ("patient", 80), ("recording", 80), ("startdate", 8), ("starttime", 8),
                ("header_bytes", 8), ("reserved", 44), ("n_records", 8), ("record_duration", 8), ("n_signals", 4))
_SIGNAL_FIELDS = (("label", 16), ("transducer", 80), ("physical_dimension", 8), ("physical_min", 8),
                  ("physical_max", 8), ("digital_min", 8), ("digital_max", 8), ("prefiltering", 80),
                  ("samples_per_record", 8), ("reserved", 32))
_ANNOTATION_LABELS = frozenset({"EDF Annotations", "BDF Annotations"})
_DIGITAL_RANGE = {False: (-32768, 32767), True: (-8388608, 8388607)}
_PAD_LABEL = "BAD_padding"
_GAP_LABEL = "BAD_gap"
_CHANNEL_SEP = "@@"
_MAX_RECORD_S = 1.0
_MAX_TIMELINE_S = 1e9
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}


def _sample_bytes(bdf: bool) -> int:
    """Bytes per sample: 3 (24-bit BDF) or 2 (16-bit EDF)."""
    return 3 if bdf else 2


def _rate(spr: int, duration_text: str, duration_s: float) -> float:
    """``spr / duration`` in Hz, exact in decimal where the field allows."""
    try:
        return float(Decimal(spr) / Decimal(duration_text.replace(",", ".")))
    except (InvalidOperation, ZeroDivisionError, ValueError):
        return spr / duration_s


def _number_text(value: float) -> str:
    return np.format_float_positional(value, trim="-")


#: Channel attribute → key in the transducer field (``EMG;muscle=biceps brachii;side=R: description``)
TRANSDUCER_KEYS = {
    "muscle": "muscle", "side": "side", "group": "group", "reference": "ref",
    "interelectrode_distance_mm": "ied_mm", "row": "row", "col": "col", "x_mm": "x_mm", "y_mm": "y_mm", "z_mm": "z_mm",
}
