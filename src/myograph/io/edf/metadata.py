"""EDF+ patient and recording identification fields to :class:`~myograph.core.metadata.Metadata`."""

from __future__ import annotations

from datetime import datetime, timedelta

from myograph.core.metadata import Device, Metadata, Subject
from myograph.io._input import Input
from myograph.io.edf.fields import _edfplus_date
from myograph.io.edf.header import EdfHeader
from myograph.io.edf.timeline import _Timeline


def _subject(patient: str, start: datetime | None) -> Subject:
    tokens = patient.split()
    if len(tokens) >= 4 and tokens[1] in ("M", "F", "X"):  # EDF+: code sex birthdate name ...
        code = "" if tokens[0] == "X" else tokens[0]
        birth = _edfplus_date(tokens[2])
        age = None
        if birth is not None and start is not None:
            age = float(start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day)))
        return Subject(id=code, sex="" if tokens[1] == "X" else tokens[1], age_years=age)
    return Subject(id=patient)


def _recording_fields(recording: str) -> tuple[str, Device]:
    tokens = recording.split()
    if len(tokens) >= 5 and tokens[0] == "Startdate":  # EDF+: Startdate date admin-code technician equipment
        session = "" if tokens[2] == "X" else tokens[2]
        return session, Device(model="" if tokens[4] == "X" else tokens[4])
    return "", Device()


def _metadata(src: Input, header: EdfHeader, timeline: _Timeline) -> Metadata:
    start = header.start_time
    if start is not None and timeline.t0:
        start = start + timedelta(seconds=timeline.t0)
    session, device = _recording_fields(header.recording)
    return Metadata(
        subject=_subject(header.patient, header.start_time), session=session, device=device, start_time=start,
        source_file=src.name, source_format=header.variant,
        notes=(f"patient: {header.patient}", f"recording: {header.recording}"),
    )
