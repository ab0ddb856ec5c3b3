"""EDF+ annotations: the TAL (time-stamped annotation list) codec.

Reading: the annotation signals' bytes to TALs (tolerating missing signs,
decimal commas, non-UTF-8 texts), each record's time stamp, and the TALs to an
:class:`~myograph.core.annotations.Annotations` table in which ``label@@channel``
texts become channel-specific rows. Writing: a table to TAL texts and a TAL to
its bytes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.errors import ParameterError
from myograph.core.provenance import RepairLog
from myograph.io.edf.header import EdfHeader
from myograph.io.edf.records import _RecordSource
from myograph.io.edf.spec import _CHANNEL_SEP, _number_text

_TAL_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)")
_TAL_NOTE_TEXT = {
    "bad_tal": ("{n} time-stamped annotation lists (TALs) could not be parsed", "skipped them"),
    "unsigned": ("{n} TAL onsets lack the leading '+' or '-'", "read them as positive"),
    "comma": ("{n} TAL numbers use a decimal comma", "read it as a decimal point"),
    "tal_text": ("{n} annotation texts are not UTF-8", "decoded them as Latin-1"),
    "no_timekeeping": ("{n} data records lack the time-keeping TAL", "placed those records by their index"),
}


# --- reading ---------------------------------------------------------------------------------
def _tal_number(raw: bytes, counts: Counter, *, signed: bool) -> float | None:
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    m = _TAL_NUMBER.fullmatch(text)
    if m is None or (not signed and m.group(1)):
        return None
    if signed and not m.group(1):
        counts["unsigned"] += 1
    number = m.group(2)
    if "," in number:
        counts["comma"] += 1
        number = number.replace(",", ".")
    value = float(number) * (-1.0 if m.group(1) == "-" else 1.0)
    return value if math.isfinite(value) else None


def _tal_text(raw: bytes, counts: Counter) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        counts["tal_text"] += 1
        return raw.decode("latin-1")


def _parse_tals(raw: bytes, counts: Counter) -> list[tuple[float, float, list[str]]]:
    """The TALs of one record's annotation bytes: ``(onset s, duration s, texts)``."""
    out = []
    for piece in raw.split(b"\x00"):
        if not piece:
            continue
        parts = piece.split(b"\x14")
        if len(parts) < 2:
            counts["bad_tal"] += 1
            continue
        if parts[-1] == b"":
            parts = parts[:-1]
        timing = parts[0].split(b"\x15")
        onset = _tal_number(timing[0], counts, signed=True)
        duration = _tal_number(timing[1], counts, signed=False) if len(timing) == 2 and timing[1] else 0.0
        if onset is None or duration is None or len(timing) > 2:
            counts["bad_tal"] += 1
            continue
        out.append((onset, duration, [_tal_text(p, counts) for p in parts[1:]]))
    return out


def _scan_tals(header: EdfHeader, source: _RecordSource,
               log: RepairLog) -> tuple[list[tuple[float, float, list[str]]], np.ndarray]:
    """Every TAL ``(onset, duration, texts)`` in file time, and each record's time stamp (NaN when missing)."""
    ann = [s for s in header.signals if s.is_annotation]
    onsets = np.full(header.n_records, np.nan)
    rows: list[tuple[float, float, list[str]]] = []
    counts: Counter = Counter()
    for j, sig in enumerate(ann):
        cols = source.columns(sig.byte_offset, sig.samples_per_record * header.bytes_per_sample)
        for k in range(header.n_records):
            tals = _parse_tals(cols[k].tobytes(), counts)
            if j == 0:
                if tals and tals[0][2] and tals[0][2][0] == "":
                    onsets[k] = tals[0][0]
                    tals[0] = (tals[0][0], tals[0][1], tals[0][2][1:])
                else:
                    counts["no_timekeeping"] += 1
            rows.extend((onset, duration, [t for t in texts if t]) for onset, duration, texts in tals)
    for kind, n in counts.items():
        problem, action = _TAL_NOTE_TEXT[kind]
        log.repair("annotations", problem.format(n=n), action)
    return rows, onsets


def _annotations(tals: Iterable[tuple[float, float, list[str]]], names: set[str]) -> Annotations:
    """TALs to a table. Within one TAL, consecutive texts ``label@@channel`` with the same label
    are one row concerning those channels (how :func:`write` stores a channel-specific row)."""
    out: list[tuple[float, float, str, tuple[str, ...]]] = []
    for onset, duration, texts in tals:
        group: list[str] = []
        label = ""
        for text in texts:
            head, sep, channel = text.rpartition(_CHANNEL_SEP)
            if sep and head and channel in names:
                if group and head == label and channel not in group:
                    group.append(channel)
                    continue
                if group:
                    out.append((onset, duration, label, tuple(group)))
                label, group = head, [channel]
            else:
                if group:
                    out.append((onset, duration, label, tuple(group)))
                    group = []
                out.append((onset, duration, text, ()))
        if group:
            out.append((onset, duration, label, tuple(group)))
    return Annotations([r[0] for r in out], [r[1] for r in out], [r[2] for r in out], [r[3] for r in out])


# --- writing ---------------------------------------------------------------------------------
def _annotation_texts(annotations: Annotations, names: Sequence[str]) -> list[tuple[float, float, str]]:
    """``(onset, duration, text)`` per TAL; a channel-specific row is one TAL whose texts are
    ``label@@channel`` for each of its channels (joined by the TAL separator ``\\x14``)."""
    out = []
    name_set = set(names)
    for a in annotations:
        if not a.label or any(c in a.label for c in "\x00\x14\x15"):
            raise ParameterError("annotations", f"annotation at {a.onset:g} s: label {a.label!r} is empty or holds "
                                 "the EDF+ separators \\x00, \\x14, \\x15")
        if not a.channels:
            _, sep, tail = a.label.rpartition(_CHANNEL_SEP)
            if sep and tail in name_set:
                raise ParameterError("annotations", f"annotation label {a.label!r} ends in '@@<channel>', which EDF+ "
                                     "readers take for a channel-specific annotation")
            out.append((a.onset, a.duration, a.label))
        else:
            out.append((a.onset, a.duration, "\x14".join(f"{a.label}{_CHANNEL_SEP}{c}" for c in a.channels)))
    return out


def _tal_bytes(onset: float, duration: float | None, text: str) -> bytes:
    timing = ("+" if onset >= 0 else "-") + _number_text(abs(onset))
    if duration:
        timing += "\x15" + _number_text(duration)
    return f"{timing}\x14{text}\x14\x00".encode()
