"""Reading whole files: :func:`read_all` (one Recording per sampling rate) and :func:`read_annotations`.

Also the steps :mod:`~myograph.io.edf.lazy` shares: reading options, parsing a
file up to its time line (:func:`_prepare`), picking a channel group, and the
zero-channel Recording of an annotation-only file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from myograph.core.annotations import Annotations
from myograph.core.channels import ChannelTable
from myograph.core.errors import ParameterError
from myograph.core.metadata import Metadata
from myograph.core.provenance import RepairLog
from myograph.core.recording import Recording
from myograph.io._input import Input, as_input
from myograph.io.edf.channels import _Group, _groups
from myograph.io.edf.header import EdfHeader, _parse_header
from myograph.io.edf.metadata import _metadata
from myograph.io.edf.records import _positions, _read_span, _RecordSource
from myograph.io.edf.spec import _MAX_TIMELINE_S
from myograph.io.edf.timeline import _n_samples, _Timeline, _timeline

_READ_OPTIONS = frozenset({"rate_hz"})


def _check_options(options: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(unknown[0], f"unknown EDF/BDF reading option; options are {sorted(allowed)}")


def _pick_group(groups: Sequence[_Group], rate_hz: float | None) -> _Group:
    if rate_hz is None:
        return max(groups, key=lambda g: (sum(t == "EMG" for t in g.channels.types), len(g.channels), g.fs))
    for g in groups:
        if math.isclose(g.fs, float(rate_hz), rel_tol=1e-9):
            return g
    raise ParameterError("rate_hz", f"no channel group at {rate_hz} Hz; the file has {[g.fs for g in groups]} Hz")


def _annotation_only(header: EdfHeader, timeline: _Timeline, metadata: Metadata, log: RepairLog,
                     fs: float | None) -> Recording:
    rate = 1.0 if fs is None else float(fs)
    if not (math.isfinite(rate) and rate > 0):
        raise ParameterError("fs", f"time base of an annotation-only file must be a positive rate in Hz, got {fs!r}")
    ann = timeline.annotations
    end = float(np.max(ann.onset + ann.duration, initial=0.0))
    if end > _MAX_TIMELINE_S:
        raise log.error("annotations", f"an annotation ends {end:g} s after the start; implausible")
    n = max(0, math.ceil(end * rate))
    return Recording._trusted(np.zeros((0, n)), rate, ChannelTable([]), ann, metadata,
                              log.provenance("edf", variant=header.variant, fs=rate, channels=[], annotation_only=True))


def _prepare(src: Input, log: RepairLog) -> tuple[EdfHeader, list[_Group], _RecordSource, _Timeline, Metadata]:
    header = _parse_header(src, log)
    groups = _groups(header)
    source = _RecordSource(src, header)
    with source.closed_on_error():
        timeline = _timeline(header, groups, source, log)
    return header, groups, source, timeline, _metadata(src, header, timeline)


def read_all(src: Input, *, log: RepairLog, fs: float | None = None, **options: Any) -> list[Recording]:
    """Read an EDF/EDF+/BDF/BDF+ file: one Recording per sampling rate.

    Parameters
    ----------
    src : Input
        The file (path or bytes), see :func:`myograph.io.as_input`.
    log : RepairLog
        Collects repairs (warns) or refuses them (``strict``).
    fs : float, optional
        Time base in Hz for a file without data signals (default 1 Hz); ignored otherwise.
    rate_hz : float, optional
        Return only the channel group at this sampling rate (Hz).

    Returns
    -------
    list of Recording
        In order of each rate's first signal; samples in SI units (volts).

    Raises
    ------
    FileFormatError
        The file is not EDF/BDF or a field is unusable; the message names file and field.
    """
    _check_options(options, _READ_OPTIONS)
    header, groups, source, timeline, metadata = _prepare(src, log)
    try:
        if not groups:
            return [_annotation_only(header, timeline, metadata, log, fs)]
        if options.get("rate_hz") is not None:
            groups = [_pick_group(groups, options["rate_hz"])]
        source.preload()
        data_bytes = header.n_records * header.record_bytes
        recs = []
        for g in groups:
            positions = _positions(timeline.rel, g)
            n = _n_samples(header, g, timeline, positions)
            if positions is not None and n * len(g.channels) * 8 > max(4 * data_bytes, 1 << 30):
                raise log.error("data", f"EDF+D gaps span {n / g.fs:g} s; zero-filling them at {g.fs:g} Hz would need "
                                f"{n * len(g.channels) * 8 / 1e9:.1f} GB: read spans with myograph.open() instead")
            data = np.ascontiguousarray(_read_span(source, header, g, positions, 0, n))
            recs.append(Recording._trusted(
                data, g.fs, g.channels, timeline.annotations.restrict_channels(g.channels.names), metadata,
                log.provenance("edf", variant=header.variant, fs=g.fs, channels=g.channels.names),
            ))
        return recs
    finally:
        source.close()


def read_annotations(source: Any, *, strict: bool = False) -> Annotations:
    """The EDF+/BDF+ annotations of a file, onsets in s from its first sample.

    Reads only the header and the annotation signal; works for annotation-only
    files (hypnograms) and for files with data alike. Empty for plain EDF/BDF.
    """
    src = as_input(source)
    log = RepairLog(src.name, strict=strict)
    header, groups, rs, timeline, _ = _prepare(src, log)
    rs.close()
    return timeline.annotations
