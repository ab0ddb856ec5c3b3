"""Writing a Recording with edfio: :func:`write` (EDF+C from ``.edf``, BDF+C from ``.bdf``), atomically."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from myograph.core.errors import ParameterError
from myograph.core.recording import Recording
from myograph.io.atomic import atomic_path
from myograph.io.edf.annotations import _annotation_texts
from myograph.io.edf.encode import _check_writable, _edfplus_identification, _prefilter_field, _transducer_field, _unit_field
from myograph.io.edf.layout import _physical_range, _record_layout
from myograph.io.edf.spec import _PAD_LABEL

logger = logging.getLogger("myograph.io.edf")


def write(recording: Recording, path: str | os.PathLike[str], *, bdf: bool | None = None) -> None:
    """Write ``recording`` as EDF+C (``.edf``, 16-bit) or BDF+C (``.bdf``, 24-bit), atomically, with edfio.

    Parameters
    ----------
    recording : Recording
        Voltage channels are written in µV; each channel's physical range is its data range.
    path : path-like
        Target file; written to a temporary file beside it, then renamed.
    bdf : bool, optional
        24-bit BDF instead of 16-bit EDF; default from the extension (``.bdf``).

    Raises
    ------
    ParameterError
        A label longer than 16 characters or not printable ASCII, a unit or range
        that does not fit its 8-character field, NaN samples, an annotation label
        holding TAL separators, or a start date outside 1985–2084.
    """
    import edfio

    target = Path(path)
    use_bdf = target.suffix.lower() == ".bdf" if bdf is None else bool(bdf)
    _check_writable(recording)
    names = recording.ch_names
    annotations = recording.annotations
    data = recording.data
    signals = []
    duration: float | None = None
    if recording.n_channels:
        spr, duration, pad = _record_layout(recording.n_samples, recording.fs)
        if pad:
            logger.info("%s: %d samples are not whole %d-sample records; padded %d samples marked %s",
                        target, recording.n_samples, spr, pad, _PAD_LABEL)
            data = np.concatenate([data, np.zeros((recording.n_channels, pad))], axis=1)
            annotations = annotations.add(recording.n_samples / recording.fs, pad / recording.fs, _PAD_LABEL)
        signal_class = edfio.BdfSignal if use_bdf else edfio.EdfSignal
        for i, ch in enumerate(recording.channels):
            unit, factor = _unit_field(ch)
            x = data[i] * factor if factor != 1.0 else data[i]
            signals.append(signal_class(
                x, recording.fs, label=ch.name, transducer_type=_transducer_field(ch), physical_dimension=unit,
                physical_range=_physical_range(x, ch.name), prefiltering=_prefilter_field(ch),
            ))
    tals = [edfio.EdfAnnotation(o, d if d > 0 else None, t) for o, d, t in _annotation_texts(annotations, names)]
    code, sex, session, equipment, startdate, starttime = _edfplus_identification(recording.metadata)
    cls = edfio.Bdf if use_bdf else edfio.Edf
    try:
        edf = cls(signals, patient=edfio.Patient(code=code, sex=sex),  # type: ignore[arg-type]
                  recording=edfio.Recording(startdate=startdate, hospital_administration_code=session, equipment_code=equipment),
                  starttime=starttime, data_record_duration=duration, annotations=tals)
    except ValueError as exc:
        raise ParameterError("recording", f"cannot be written as {'BDF' if use_bdf else 'EDF'}+: {exc}") from exc
    with atomic_path(target) as tmp:
        edf.write(tmp)
