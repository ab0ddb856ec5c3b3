"""Channels from signal headers, and channel groups: the data signals sharing one sampling rate.

Each group becomes one Recording; it carries the calibration (SI units per
digital step, offset) and the runs of adjacent signals that decode together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from myograph.core.channels import CHANNEL_TYPES, Channel, ChannelTable, guess_type
from myograph.core.units import scale_to_si
from myograph.io.edf.fields import parse_prefilter
from myograph.io.edf.header import EdfHeader, SignalHeader
from myograph.io.edf.spec import TRANSDUCER_KEYS

_TYPE_TOKEN = re.compile(r"([A-Z]+)((?:;[a-z_]+=[^;:]*)*)(?::\s?(.*))?", re.DOTALL)
_KEY_VALUE = re.compile(r";([a-z_]+)=([^;:]*)")
_INT_FIELDS = {"row", "col"}
_FLOAT_FIELDS = {"interelectrode_distance_mm", "x_mm", "y_mm", "z_mm"}


@dataclass(frozen=True)
class _Group:
    """Signals sharing one sampling rate: one Recording."""

    fs: float
    spr: int
    channels: ChannelTable
    gain: np.ndarray  # SI units per digital step
    offset: np.ndarray  # SI units
    runs: tuple[tuple[int, int, int], ...]  # (first row, row count, byte offset in a record)


def _placement(pairs: str) -> dict[str, object]:
    """Channel fields from the ``;key=value`` part of a transducer field written by myograph."""
    by_key = {key: attr for attr, key in TRANSDUCER_KEYS.items()}
    out: dict[str, object] = {}
    for key, text in _KEY_VALUE.findall(pairs):
        attr = by_key.get(key)
        if attr is None:
            continue
        try:
            out[attr] = int(text) if attr in _INT_FIELDS else float(text) if attr in _FLOAT_FIELDS else text
        except ValueError:
            continue  # a field cut at 80 characters, or written by another program: keep what parses
    return out


def _channel_type(label: str, transducer: str, si_unit: str) -> tuple[str, str, dict[str, object]]:
    """``(type, description, placement fields)`` from the label and transducer fields."""
    m = _TYPE_TOKEN.fullmatch(transducer)
    if m and m.group(1) in CHANNEL_TYPES:
        return m.group(1), (m.group(3) or "").strip(), _placement(m.group(2) or "")
    kind = guess_type(label, "") or guess_type(transducer, "")
    return kind or ("EMG" if si_unit == "V" else "MISC"), transducer, {}


def _channel(sig: SignalHeader) -> Channel:
    unit, _ = scale_to_si(sig.physical_dimension)
    kind, description, placement = _channel_type(sig.label, sig.transducer, unit)
    high_pass, low_pass, notch = parse_prefilter(sig.prefiltering)
    return Channel(sig.name, type=kind, units=unit, description=description,
                   low_cutoff_hz=high_pass, high_cutoff_hz=low_pass, notch_hz=notch, **placement)


def _groups(header: EdfHeader) -> list[_Group]:
    by_spr: dict[int, list[SignalHeader]] = {}
    for s in header.data_signals:
        by_spr.setdefault(s.samples_per_record, []).append(s)
    groups = []
    for spr, sigs in by_spr.items():
        cal = np.array([s.calibration() for s in sigs], dtype=float).reshape(-1, 2)
        runs: list[tuple[int, int, int]] = []
        for row, s in enumerate(sigs):
            if runs and sigs[row - 1].index == s.index - 1:
                r0, count, off = runs[-1]
                runs[-1] = (r0, count + 1, off)
            else:
                runs.append((row, 1, s.byte_offset))
        groups.append(_Group(header.fs(sigs[0]), spr, ChannelTable(_channel(s) for s in sigs),
                             np.ascontiguousarray(cal[:, 0]), np.ascontiguousarray(cal[:, 1]), tuple(runs)))
    return groups
