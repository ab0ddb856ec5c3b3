"""The Recording: one sampling rate, samples in SI units, channels, annotations.

A :class:`Recording` is immutable. Operations return new Recordings and append
a :class:`~myograph.core.provenance.Step` to the provenance; the sample array
handed out by :attr:`Recording.data` is a read-only view, so no caller can
change a Recording behind its back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from myograph.core.annotations import Annotations
from myograph.core.channels import Channel, ChannelTable
from myograph.core.checks import check_fs
from myograph.core.errors import ParameterError
from myograph.core.metadata import Metadata
from myograph.core.provenance import Step
from myograph.core.units import VOLTAGE_SCALE, normalize_unit, scale_to_si

if TYPE_CHECKING:  # pragma: no cover
    from os import PathLike

__all__ = ["Recording", "concatenate_channels"]


def _as_2d(data: Any) -> np.ndarray:
    arr = np.array(data, dtype=np.float64, copy=True)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ParameterError("data", f"samples must be shaped (n_channels, n_samples), got {arr.ndim}-D {arr.shape}")
    return arr


def _owned(data: Any) -> np.ndarray:
    """A 2-D float64 array safe to freeze: read-only views are shared, fresh arrays adopted, others copied."""
    arr = data if isinstance(data, np.ndarray) else np.asarray(data, dtype=np.float64)
    if arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    elif arr.flags.writeable and not arr.flags.owndata:
        arr = arr.copy()  # a writable view: someone else can still write through its base
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    return arr


def _per_channel(value: Any, n: int, name: str) -> list:
    if value is None or isinstance(value, str):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ParameterError(name, f"need one entry per channel ({n}), got {len(values)}")
    return values


class Recording:
    """Multichannel samples at one rate, with channels, annotations and history.

    Parameters
    ----------
    data : array-like, shape (n_channels, n_samples) or (n_samples,)
        Samples in ``units``. They are copied and converted to SI (volts).
    fs : float
        Sampling rate in Hz. Always explicit.
    ch_names : sequence of str, optional
        Channel names; default ``EMG1 … EMGn``.
    units : str or sequence of str, default ``"V"``
        Unit of ``data`` per channel (``"V"``, ``"mV"``, ``"uV"``/``"µV"``, ``"N"`` ...).
        Voltages are stored in volts.
    ch_types : str or sequence of str, optional
        Channel types (default ``"EMG"``).
    channels : sequence of Channel, optional
        Full channel descriptions instead of ``ch_names``/``ch_types``; each
        channel's ``units`` then states the unit of its row of ``data``.
    annotations : Annotations, optional
    metadata : Metadata, optional
    provenance : sequence of Step, optional
        History so far (readers pass ``read`` and ``repair`` steps).

    Examples
    --------
    >>> import numpy as np, myograph
    >>> rec = myograph.Recording(np.zeros((2, 1000)), fs=1000.0, ch_names=["biceps", "triceps"], units="uV")
    >>> rec.duration
    1.0
    """

    __slots__ = ("_data", "_fs", "_channels", "_annotations", "_metadata", "_provenance")

    def __init__(
        self,
        data: Any,
        fs: float,
        ch_names: Sequence[str] | None = None,
        units: str | Sequence[str] = "V",
        *,
        ch_types: str | Sequence[str] | None = None,
        channels: Sequence[Channel] | ChannelTable | None = None,
        annotations: Annotations | None = None,
        metadata: Metadata | None = None,
        provenance: Iterable[Step] = (),
    ) -> None:
        arr = _as_2d(data)
        n = arr.shape[0]
        if channels is not None:
            if ch_names is not None or ch_types is not None:
                raise ParameterError("channels", "give either channels or ch_names/ch_types, not both")
            rows = list(channels)
        else:
            names = list(ch_names) if ch_names is not None else [f"EMG{i + 1}" for i in range(n)]
            types = _per_channel(ch_types, len(names), "ch_types")
            units_in = _per_channel(units, len(names), "units")
            rows = [Channel(str(nm), type=t or "EMG", units=normalize_unit(u)) for nm, t, u in zip(names, types, units_in)]
        if len(rows) != n:
            raise ParameterError("ch_names", f"{len(rows)} channel names for {n} rows of data")
        scaled = []
        for i, ch in enumerate(rows):
            si, factor = scale_to_si(ch.units)
            if factor != 1.0:
                arr[i] *= factor
            scaled.append(ch if ch.units == si else ch.replace(units=si))
        self._init(arr, check_fs(fs), ChannelTable(scaled), annotations, metadata, tuple(provenance))

    def _init(self, arr, fs, table, annotations, metadata, provenance) -> None:
        arr.flags.writeable = False
        self._data = arr
        self._fs = fs
        self._channels = table
        self._annotations = annotations if annotations is not None else Annotations()
        self._metadata = metadata if metadata is not None else Metadata()
        self._provenance = provenance
        if not isinstance(self._annotations, Annotations):
            raise ParameterError("annotations", f"expected an Annotations table, got {type(annotations).__name__}")
        if not isinstance(self._metadata, Metadata):
            raise ParameterError("metadata", f"expected a Metadata object, got {type(metadata).__name__}")

    @classmethod
    def _trusted(cls, arr: np.ndarray, fs: float, channels: ChannelTable, annotations: Annotations,
                 metadata: Metadata, provenance: tuple[Step, ...]) -> "Recording":
        """Build without copying or converting; ``arr`` must be a fresh float64 array in SI units."""
        if arr.ndim != 2 or arr.shape[0] != len(channels):
            raise ParameterError("data", f"shape {arr.shape} does not match {len(channels)} channels")
        self = cls.__new__(cls)
        self._init(arr, fs, channels, annotations, metadata, provenance)
        return self

    # --- read-only properties ---------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """Samples, shape ``(n_channels, n_samples)``, SI units (volts), read-only."""
        return self._data

    @property
    def fs(self) -> float:
        """Sampling rate, Hz."""
        return self._fs

    @property
    def channels(self) -> ChannelTable:
        return self._channels

    @property
    def ch_names(self) -> list[str]:
        return self._channels.names

    @property
    def ch_types(self) -> list[str]:
        return self._channels.types

    @property
    def annotations(self) -> Annotations:
        return self._annotations

    @property
    def metadata(self) -> Metadata:
        return self._metadata

    @property
    def provenance(self) -> tuple[Step, ...]:
        return self._provenance

    @property
    def n_channels(self) -> int:
        return self._data.shape[0]

    @property
    def n_samples(self) -> int:
        return self._data.shape[1]

    @property
    def duration(self) -> float:
        """Length in seconds (``n_samples / fs``)."""
        return self.n_samples / self._fs

    @property
    def times(self) -> np.ndarray:
        """Time of each sample, s from the start."""
        return np.arange(self.n_samples) / self._fs

    def __len__(self) -> int:
        return self.n_samples

    def __repr__(self) -> str:
        types = ", ".join(f"{n} {t}" for t, n in pd.Series(self.ch_types).value_counts().items())
        return (
            f"<Recording | {self.n_channels} channels ({types}), {self.duration:.3f} s at {self._fs:g} Hz, "
            f"{len(self._annotations)} annotations>"
        )

    # --- the one mechanism for derived recordings ---------------------------------
    def derive(
        self,
        operation: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        data: np.ndarray | None = None,
        fs: float | None = None,
        channels: ChannelTable | None = None,
        annotations: Annotations | None = None,
        metadata: Metadata | None = None,
    ) -> "Recording":
        """A new Recording with some parts replaced and ``operation`` appended to provenance.

        This is how every transforming operation (filters, crops, selections)
        makes its result. ``data`` must already be in SI units.
        """
        return Recording._trusted(
            self._data if data is None else _owned(data),
            self._fs if fs is None else check_fs(fs),
            self._channels if channels is None else channels,
            self._annotations if annotations is None else annotations,
            self._metadata if metadata is None else metadata,
            self._provenance + (Step(operation, parameters or {}),),
        )

    # --- selection ---------------------------------------------------------------------
    def _indices(self, channels: str | Sequence[str] | None, **criteria: Any) -> list[int]:
        if channels is None:
            idx = list(range(self.n_channels))
        elif isinstance(channels, str):
            idx = [self._channels.index(channels)]
        else:
            idx = [self._channels.index(c) for c in channels]
        crit = {k: v for k, v in criteria.items() if v is not None}
        if crit:
            allowed = set(self._channels.where(**crit))
            idx = [i for i in idx if i in allowed]
        return idx

    def select(
        self,
        channels: str | Sequence[str] | None = None,
        *,
        type: str | Sequence[str] | None = None,  # noqa: A002 - matches the BIDS field
        muscle: str | Sequence[str] | None = None,
        group: str | Sequence[str] | None = None,
        side: str | None = None,
        exclude_bad: bool = False,
    ) -> "Recording":
        """Channels by name and/or field, in the order given (names) or stored.

        Raises :class:`~myograph.ChannelError` for an unknown name and
        :class:`~myograph.ParameterError` when nothing matches.
        """
        idx = self._indices(channels, type=type, muscle=muscle, group=group, side=side,
                            status="good" if exclude_bad else None)
        if not idx:
            raise ParameterError("select", f"no channel matches channels={channels!r}, type={type!r}, muscle={muscle!r}, group={group!r}, side={side!r}")
        table = self._channels.take(idx)
        return self.derive(
            "select",
            {"channels": table.names},
            data=self._data[idx],
            channels=table,
            annotations=self._annotations.restrict_channels(table.names),
        )

    def crop(self, start_s: float = 0.0, stop_s: float | None = None) -> "Recording":
        """The span ``[start_s, stop_s)`` in seconds; annotations are clipped and shifted."""
        stop = self.duration if stop_s is None else float(stop_s)
        start = float(start_s)
        if not (0 <= start < stop <= self.duration + 0.5 / self._fs):
            raise ParameterError("start_s/stop_s", f"need 0 <= start_s < stop_s <= duration ({self.duration:g} s), got {start:g}, {stop:g}")
        i0 = int(round(start * self._fs))
        i1 = min(self.n_samples, int(round(stop * self._fs)))
        if i1 <= i0:
            raise ParameterError("start_s/stop_s", f"span {start:g}–{stop:g} s holds no sample at {self._fs:g} Hz")
        return self.derive(
            "crop",
            {"start_s": start, "stop_s": stop},
            data=self._data[:, i0:i1],
            annotations=self._annotations.crop(i0 / self._fs, i1 / self._fs),
        )

    def get_data(
        self,
        channels: str | Sequence[str] | None = None,
        *,
        start_s: float | None = None,
        stop_s: float | None = None,
        units: str = "V",
    ) -> np.ndarray:
        """A writable copy of (some of) the samples, in ``units`` for voltage channels."""
        idx = self._indices(channels)
        i0 = 0 if start_s is None else max(0, int(round(start_s * self._fs)))
        i1 = self.n_samples if stop_s is None else min(self.n_samples, int(round(stop_s * self._fs)))
        out = self._data[idx, i0:i1].copy()
        u = normalize_unit(units)
        if u != "V":
            if u not in VOLTAGE_SCALE:
                raise ParameterError("units", f"must be a voltage unit {sorted(VOLTAGE_SCALE)}, got {units!r}")
            volt = np.array([self._channels[i].units == "V" for i in idx])
            out[volt] /= VOLTAGE_SCALE[u]
        return out

    # --- annotations, channels and metadata ------------------------------------------------
    def annotate(self, onset: float, duration: float, label: str, channels: Iterable[str] = ()) -> "Recording":
        """A copy with one more annotation (onset and duration in s)."""
        chans = tuple(channels)
        for c in chans:
            self._channels.index(c)
        return self.derive("annotate", {"onset": onset, "duration": duration, "label": label, "channels": list(chans)},
                           annotations=self._annotations.add(onset, duration, label, chans))

    def with_annotations(self, annotations: Annotations, operation: str = "set_annotations") -> "Recording":
        """A copy whose annotation table is ``annotations``."""
        return self.derive(operation, {"n": len(annotations)}, annotations=annotations)

    def mark_bad(self, channel: str, reason: str) -> "Recording":
        """A copy in which ``channel`` has status ``bad`` with ``reason``."""
        table = self._channels.replace(channel, status="bad", status_description=reason)
        return self.derive("mark_bad", {"channel": channel, "reason": reason}, channels=table)

    def with_channel_info(self, channel: str, **fields: Any) -> "Recording":
        """A copy where ``channel`` has ``fields`` changed (muscle, side, group, position ...)."""
        if "units" in fields:
            raise ParameterError("units", "a channel's unit follows its samples and cannot be relabelled")
        table = self._channels.replace(channel, **fields)
        return self.derive("set_channel_info", {"channel": channel, **fields}, channels=table)

    def with_metadata(self, **changes: Any) -> "Recording":
        """A copy whose metadata has ``changes`` applied."""
        return self.derive("set_metadata", {k: str(v) for k, v in changes.items()}, metadata=self._metadata.replace(**changes))

    # --- export -----------------------------------------------------------------------------
    def to_dataframe(self, *, units: str = "V") -> pd.DataFrame:
        """Samples as a DataFrame: index ``time_s``, one column per channel."""
        return pd.DataFrame(self.get_data(units=units).T, columns=self.ch_names,
                            index=pd.Index(self.times, name="time_s"))

    def summary(self) -> dict[str, Any]:
        """A JSON-able overview (what ``myograph info`` prints)."""
        return {
            "format": self._metadata.source_format,
            "file": self._metadata.source_file,
            "fs_hz": self._fs,
            "n_channels": self.n_channels,
            "n_samples": self.n_samples,
            "duration_s": self.duration,
            "channels": [
                {"name": c.name, "type": c.type, "units": c.units, "muscle": c.muscle, "side": c.side,
                 "group": c.group, "status": c.status}
                for c in self._channels
            ],
            "n_annotations": len(self._annotations),
            "annotation_labels": sorted(set(self._annotations.label)),
            "subject": self._metadata.subject.id,
            "start_time": self._metadata.start_time.isoformat() if self._metadata.start_time else None,
            "provenance": [s.to_dict() for s in self._provenance],
        }

    def write(self, path: "str | PathLike[str]", **kwargs: Any) -> None:
        """Write to ``path``; the format follows the extension (see :func:`myograph.write`)."""
        from myograph.io import write

        write(self, path, **kwargs)

    # --- signal conditioning (thin wrappers over myograph.signal) ---------------------------
    # Each method imports myograph.signal inside itself (core must not import the signal layer
    # at module import time), processes only the EMG channels unless ``channels=`` names
    # others (``channels="all"`` for every channel), leaves the other channels' samples
    # untouched, and appends one provenance step with every parameter and, for filters, the
    # SOS design. Software filters go to provenance only: the channels' hardware
    # ``low_cutoff_hz``/``high_cutoff_hz`` fields are not changed.
    def _signal_channel_indices(self, channels: str | Sequence[str] | None) -> list[int]:
        if channels is None:
            idx = self._channels.where(type="EMG")
            if not idx:
                raise ParameterError(
                    "channels",
                    f"no EMG channel to process (channel types are {sorted(set(self.ch_types))}); "
                    "name the channels with channels=[...] or channels='all'",
                )
            return idx
        if isinstance(channels, str) and channels == "all":
            return list(range(self.n_channels))
        return self._indices(channels)

    def _signal_apply(self, operation: str, parameters: Mapping[str, Any], func: Any,
                      channels: str | Sequence[str] | None) -> "Recording":
        idx = self._signal_channel_indices(channels)
        out = np.array(self._data, dtype=np.float64, copy=True)
        if idx:
            out[idx] = func(self._data[idx])
        params = {**parameters, "channels": [self._channels[i].name for i in idx]}
        return self.derive(operation, params, data=out)

    def _signal_filter(self, operation: str, parameters: Mapping[str, Any], sos: np.ndarray, *,
                       zero_phase: bool, nan_policy: str, channels: str | Sequence[str] | None) -> "Recording":
        from myograph.signal import describe_sos, filter_sos

        params = {**parameters, "zero_phase": bool(zero_phase), "nan_policy": nan_policy,
                  "design": describe_sos(sos, self._fs)}
        return self._signal_apply(
            operation, params, lambda d: filter_sos(d, sos, zero_phase=zero_phase, nan_policy=nan_policy), channels
        )

    def _signal_line_hz(self, value: float | None, name: str) -> float:
        if value is not None:
            return value
        if self._metadata.power_line_hz is None:
            raise ParameterError(name, "the recording's power-line frequency is unknown (metadata.power_line_hz is None); "
                                       f"pass {name}=50 or {name}=60")
        return float(self._metadata.power_line_hz)

    def bandpass(self, low_hz: float, high_hz: float, *, order: int = 4, zero_phase: bool = True,
                 nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Butterworth band-pass (:func:`myograph.signal.bandpass`), zero-phase by default.

        Only EMG channels are filtered unless ``channels`` names others
        (``"all"`` for every channel); the rest pass through unchanged. The
        design (SOS coefficients, padding) is recorded in provenance as
        ``signal.bandpass``.
        """
        from myograph.signal import design_bandpass

        sos = design_bandpass(low_hz, high_hz, self._fs, order=order)
        return self._signal_filter("signal.bandpass", {"low_hz": low_hz, "high_hz": high_hz, "order": order,
                                                       "family": "butterworth"}, sos,
                                   zero_phase=zero_phase, nan_policy=nan_policy, channels=channels)

    def highpass(self, cutoff_hz: float, *, order: int = 4, zero_phase: bool = True,
                 nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Butterworth high-pass (:func:`myograph.signal.highpass`); EMG channels only by default (see :meth:`bandpass`)."""
        from myograph.signal import design_highpass

        sos = design_highpass(cutoff_hz, self._fs, order=order)
        return self._signal_filter("signal.highpass", {"cutoff_hz": cutoff_hz, "order": order, "family": "butterworth"},
                                   sos, zero_phase=zero_phase, nan_policy=nan_policy, channels=channels)

    def lowpass(self, cutoff_hz: float, *, order: int = 4, zero_phase: bool = True,
                nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Butterworth low-pass (:func:`myograph.signal.lowpass`); EMG channels only by default (see :meth:`bandpass`)."""
        from myograph.signal import design_lowpass

        sos = design_lowpass(cutoff_hz, self._fs, order=order)
        return self._signal_filter("signal.lowpass", {"cutoff_hz": cutoff_hz, "order": order, "family": "butterworth"},
                                   sos, zero_phase=zero_phase, nan_policy=nan_policy, channels=channels)

    def notch(self, freq_hz: float | None = None, *, quality: float = 30.0, harmonics: int = 1,
              zero_phase: bool = True, nan_policy: str = "raise",
              channels: str | Sequence[str] | None = None) -> "Recording":
        """Notch at ``freq_hz`` (:func:`myograph.signal.notch`); EMG channels only by default.

        ``freq_hz=None`` takes the recording's ``metadata.power_line_hz`` and
        refuses when that is unknown.
        """
        from myograph.signal import design_notch

        f = self._signal_line_hz(freq_hz, "freq_hz")
        sos = design_notch(f, self._fs, quality=quality, harmonics=harmonics)
        return self._signal_filter("signal.notch", {"freq_hz": f, "quality": quality, "harmonics": harmonics}, sos,
                                   zero_phase=zero_phase, nan_policy=nan_policy, channels=channels)

    def remove_powerline(self, line_hz: float | None = None, *, n_harmonics: int | None = None, quality: float = 30.0,
                         zero_phase: bool = True, nan_policy: str = "raise",
                         channels: str | Sequence[str] | None = None) -> "Recording":
        """Notches at the power-line frequency and its harmonics (:func:`myograph.signal.remove_powerline`).

        ``line_hz=None`` takes ``metadata.power_line_hz`` (refused when unknown);
        ``n_harmonics=None`` notches every multiple below Nyquist. EMG channels
        only by default.
        """
        from myograph.signal import design_powerline

        f = self._signal_line_hz(line_hz, "line_hz")
        sos = design_powerline(f, self._fs, n_harmonics=n_harmonics, quality=quality)
        return self._signal_filter("signal.remove_powerline",
                                   {"line_hz": f, "n_harmonics": int(sos.shape[0]), "quality": quality}, sos,
                                   zero_phase=zero_phase, nan_policy=nan_policy, channels=channels)

    def remove_dc(self, *, nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Subtract each channel's mean (:func:`myograph.signal.remove_dc`); EMG channels only by default."""
        from myograph.signal import remove_dc

        return self._signal_apply("signal.remove_dc", {"nan_policy": nan_policy},
                                  lambda d: remove_dc(d, nan_policy=nan_policy), channels)

    def rectify(self, *, nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Full-wave rectification ``|x|`` (:func:`myograph.signal.rectify`); EMG channels only by default."""
        from myograph.signal import rectify

        return self._signal_apply("signal.rectify", {"nan_policy": nan_policy},
                                  lambda d: rectify(d, nan_policy=nan_policy), channels)

    def envelope(self, cutoff_hz: float = 6.0, *, order: int = 4, zero_phase: bool = True,
                 nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """Linear envelope: rectify, then Butterworth low-pass at ``cutoff_hz`` Hz.

        See :func:`myograph.signal.linear_envelope`. EMG channels only by
        default; units stay volts. Recorded as ``signal.envelope`` with the
        low-pass design.
        """
        from myograph.signal import describe_sos, design_lowpass, linear_envelope

        sos = design_lowpass(cutoff_hz, self._fs, order=order)
        params = {"cutoff_hz": cutoff_hz, "order": order, "family": "butterworth", "zero_phase": bool(zero_phase),
                  "nan_policy": nan_policy, "design": describe_sos(sos, self._fs)}
        return self._signal_apply(
            "signal.envelope", params,
            lambda d: linear_envelope(d, self._fs, cutoff_hz, order=order, zero_phase=zero_phase, nan_policy=nan_policy),
            channels,
        )

    def moving_rms(self, window_s: float, *, center: bool = True, nan_policy: str = "raise",
                   channels: str | Sequence[str] | None = None) -> "Recording":
        """Moving RMS over ``window_s`` seconds (:func:`myograph.signal.moving_rms`); EMG channels only by default."""
        from myograph.signal import moving_rms, window_samples

        params = {"window_s": window_s, "window_samples": window_samples(window_s, self._fs), "center": bool(center),
                  "nan_policy": nan_policy}
        return self._signal_apply("signal.moving_rms", params,
                                  lambda d: moving_rms(d, self._fs, window_s, center=center, nan_policy=nan_policy),
                                  channels)

    def resample(self, fs_out: float, *, nan_policy: str = "raise") -> "Recording":
        """Every channel resampled to ``fs_out`` Hz (:func:`myograph.signal.resample`).

        A Recording has one rate, so all channels are resampled (trigger and
        other step-like channels ring slightly at their edges). Annotations are
        in seconds and stay as they are. Recorded as ``signal.resample`` with
        the integer factors used.
        """
        from myograph.signal import resample, resampling_factors

        up, down = resampling_factors(self._fs, fs_out)
        data = resample(self._data, self._fs, fs_out, nan_policy=nan_policy)
        return self.derive("signal.resample", {"fs_in": self._fs, "fs_out": float(fs_out), "up": up, "down": down,
                                               "method": "polyphase FIR, kaiser(5.0) window", "nan_policy": nan_policy},
                           data=data, fs=fs_out)

    def normalize(self, method: str = "mvc", reference: Any = None, *, window_s: float | None = 0.5,
                  statistic: str = "mean", percent: bool = True, nan_policy: str = "raise",
                  channels: str | Sequence[str] | None = None) -> "Recording":
        """Amplitude normalisation of (envelope) channels, recording the reference used.

        Parameters
        ----------
        method : {"mvc", "peak", "reference", "value"}
            ``"mvc"``: ``reference`` is the MVC trial as a Recording (same
            channel names, processed the same way), divided by its highest
            ``window_s`` mean; ``"peak"``: each channel's own peak (``window_s``
            None = single largest sample); ``"reference"``: ``reference`` is a
            reference-contraction Recording, its ``statistic`` ("mean" or
            "peak"); ``"value"``: ``reference`` maps channel name → amplitude
            in V (or is a sequence, one per processed channel).
        percent : bool, default True
            Output in % (unit ``"%MVC"`` for ``"mvc"``, else ``"%"``); ``False``
            gives fractions (unit ``"a.u."``).

        Only EMG channels are normalised unless ``channels`` says otherwise.
        The provenance step ``signal.normalize`` holds the reference amplitude
        (V) and time (s) per channel and where the reference came from.
        """
        from myograph.signal import normalize_by, normalize_to_mvc, normalize_to_peak, normalize_to_reference

        idx = self._signal_channel_indices(channels)
        names = [self._channels[i].name for i in idx]
        data = self._data[idx]
        source: dict[str, Any] = {}
        if method in ("mvc", "reference"):
            if not isinstance(reference, Recording):
                raise ParameterError("reference", f"method={method!r} needs the reference trial as a Recording, got {type(reference).__name__}")
            ref_data = reference.get_data(names)
            source = {"file": reference.metadata.source_file, "duration_s": reference.duration, "fs": reference.fs,
                      "operations": [s.operation for s in reference.provenance]}
            if method == "mvc":
                res = normalize_to_mvc(data, ref_data, reference.fs, window_s=window_s, percent=percent, nan_policy=nan_policy)
            else:
                res = normalize_to_reference(data, ref_data, reference.fs, statistic=statistic, window_s=window_s,
                                             percent=percent, nan_policy=nan_policy)
        elif method == "peak":
            res = normalize_to_peak(data, self._fs, window_s=window_s, percent=percent, nan_policy=nan_policy)
        elif method == "value":
            if isinstance(reference, Mapping):
                missing = [n for n in names if n not in reference]
                if missing:
                    raise ParameterError("reference", f"no reference value for channel(s) {missing}")
                values = [reference[n] for n in names]
            else:
                values = list(np.atleast_1d(np.asarray(reference, dtype=np.float64)))
            res = normalize_by(data, np.asarray(values, dtype=np.float64), percent=percent, nan_policy=nan_policy)
        else:
            raise ParameterError("method", f"must be 'mvc', 'peak', 'reference' or 'value', got {method!r}")
        unit = ("%MVC" if method == "mvc" else "%") if percent else "a.u."
        out = np.array(self._data, dtype=np.float64, copy=True)
        out[idx] = res.values
        rows = list(self._channels)
        for i in idx:
            rows[i] = rows[i].replace(units=unit)
        params = {
            "method": method, "window_s": window_s, "percent": bool(percent), "nan_policy": nan_policy, "unit": unit,
            "statistic": statistic if method == "reference" else None,
            "channels": names,
            "reference_v": dict(zip(names, np.asarray(res.reference, dtype=float).tolist())),
            "reference_time_s": dict(zip(names, np.asarray(res.reference_time_s, dtype=float).tolist())),
            "reference_source": source,
        }
        return self.derive("signal.normalize", params, data=out, channels=ChannelTable(rows))

    def surface_pipeline(self, band_hz: tuple[float, float] = (20.0, 450.0), notch_hz: float | None = 50.0,
                         envelope_hz: float = 6.0, *, order: int = 4, envelope_order: int = 4,
                         notch_quality: float = 30.0, notch_harmonics: int = 1, zero_phase: bool = True,
                         nan_policy: str = "raise", channels: str | Sequence[str] | None = None) -> "Recording":
        """The standard chain band-pass → notch → rectify → envelope (:func:`myograph.signal.surface_pipeline`).

        EMG channels only by default. Refuses a ``notch_hz`` that contradicts
        a known ``metadata.power_line_hz`` (pass the recording's mains
        frequency, or ``None`` to skip the notch). Recorded as one step
        ``signal.surface_pipeline`` with both SOS designs.
        """
        from myograph.signal import describe_sos, design_surface_pipeline, surface_pipeline

        line = self._metadata.power_line_hz
        if notch_hz is not None and line is not None and float(notch_hz) != float(line):
            raise ParameterError("notch_hz", f"{notch_hz:g} Hz, but this recording's power line is {line:g} Hz "
                                             f"(metadata.power_line_hz); pass notch_hz={line:g} (or None to skip the notch)")
        conditioning, envelope = design_surface_pipeline(
            self._fs, band_hz, notch_hz, envelope_hz, order=order, envelope_order=envelope_order,
            notch_quality=notch_quality, notch_harmonics=notch_harmonics)
        params = {
            "band_hz": list(band_hz), "notch_hz": notch_hz, "envelope_hz": envelope_hz, "order": order,
            "envelope_order": envelope_order, "notch_quality": notch_quality, "notch_harmonics": notch_harmonics,
            "zero_phase": bool(zero_phase), "nan_policy": nan_policy, "family": "butterworth + iirnotch",
            "design": {"conditioning": describe_sos(conditioning, self._fs), "envelope": describe_sos(envelope, self._fs)},
        }
        return self._signal_apply(
            "signal.surface_pipeline", params,
            lambda d: surface_pipeline(d, self._fs, band_hz, notch_hz, envelope_hz, order=order,
                                       envelope_order=envelope_order, notch_quality=notch_quality,
                                       notch_harmonics=notch_harmonics, zero_phase=zero_phase, nan_policy=nan_policy),
            channels,
        )
    # --- end of signal conditioning ----------------------------------------------------------


def concatenate_channels(recordings: Sequence[Recording]) -> Recording:
    """Stack the channels of equal-rate, equal-length recordings into one.

    Annotations are merged; metadata and provenance come from the first.
    """
    recs = list(recordings)
    if not recs:
        raise ParameterError("recordings", "need at least one Recording")
    first = recs[0]
    for r in recs[1:]:
        if r.fs != first.fs:
            raise ParameterError("fs", f"cannot stack channels at {first.fs:g} Hz and {r.fs:g} Hz; resample one explicitly")
        if r.n_samples != first.n_samples:
            raise ParameterError("n_samples", f"cannot stack channels of {first.n_samples} and {r.n_samples} samples; crop first")
    table = ChannelTable([c for r in recs for c in r.channels])
    ann = first.annotations
    for r in recs[1:]:
        ann = ann + r.annotations
    return first.derive(
        "concatenate_channels",
        {"channels": table.names},
        data=np.concatenate([r.data for r in recs], axis=0),
        channels=table,
        annotations=ann,
    )
