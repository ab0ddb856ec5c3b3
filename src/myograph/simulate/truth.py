"""Ground truth of a simulation: everything that produced the Recording.

A :class:`Truth` holds, for every motor unit, its discharge times, its MUAP template
at every EMG channel and its properties (muscle, recruitment threshold, rates,
twitch, fibres, territory, conduction velocity); per muscle, the excitation and the
force; per channel, the activation intervals; per sample, the gesture labels; and
the spontaneous-activity and noise events, the pathology and every parameter.

:meth:`Truth.to_json` writes a JSON file with the scalars, tables and events, and a
sidecar ``.npz`` (same stem) with the arrays; the JSON records the sidecar's name and
SHA-256 checksum, and :meth:`Truth.from_json` refuses a sidecar whose checksum
differs. Both files are written atomically. No pickle is used anywhere: the ``.npz``
holds only numeric arrays and is read with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from myograph.core.errors import FileFormatError, ParameterError
from myograph.core.provenance import jsonable
from myograph.io.atomic import atomic_open

__all__ = ["Truth", "TRUTH_FORMAT"]

#: identifies the JSON layout (bumped when it changes)
TRUTH_FORMAT = "myograph.simulate.truth/1"

#: per-unit table columns that are arrays of numbers
_UNIT_NUMERIC = (
    "threshold", "min_rate_hz", "peak_rate_hz", "twitch_n", "contraction_time_s", "n_fibres",
    "territory_radius_mm", "fibre_diameter_um", "conduction_velocity_m_s", "normal_index", "y_mm", "depth_mm",
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Truth:
    """What produced a simulated Recording.

    Attributes
    ----------
    kind : str
        ``"surface"``, ``"needle"``, ``"hdemg"``, ``"gestures"`` or ``"gait"``.
    fs : float
        Sampling rate of the Recording, Hz.
    n_samples : int
        Length of the Recording.
    seed : int or None
        The seed the simulation was run with (None when a Generator was passed).
    ch_names : list of str
        EMG channels, in the order of the template axis.
    units : dict of str to ndarray
        Per-unit properties (one entry per unit, same order everywhere): ``muscle``
        (str), ``threshold`` (fraction of maximal excitation), ``min_rate_hz``,
        ``peak_rate_hz``, ``twitch_n``, ``contraction_time_s``, ``n_fibres``,
        ``territory_radius_mm``, ``fibre_diameter_um``, ``conduction_velocity_m_s``,
        ``normal_index``, and where meaningful ``y_mm`` and ``depth_mm`` (territory
        centre).
    discharges : list of ndarray
        Discharge sample indices of each unit (ints); times are ``discharges / fs``.
    templates : ndarray, shape (n_units, n_channels, n_lags)
        Each unit's mean MUAP at each EMG channel, V.
    template_lag0 : int
        Index of the discharge sample in the template axis: unit *u* contributes
        ``templates[u, c, k]`` at sample ``d + k - template_lag0`` for each discharge
        ``d``.
    excitation : dict of str to ndarray
        Excitation (0-1) of each muscle on a grid at ``excitation_fs``.
    excitation_fs : float
        Hz.
    force : dict of str to ndarray
        Force of each muscle at ``fs``, N (empty where no force is simulated).
    activation : list of (str, float, float)
        ``(channel, onset_s, offset_s)`` spans in which the channel's muscle(s) had at
        least one unit recruited.
    gesture_labels : ndarray of int or None
        Per sample, index into ``gesture_names`` (0 = rest); None unless gestures.
    gesture_names : list of str
    spontaneous_events : list of dict
        ``{"kind", "onset_s", "duration_s"}`` rows.
    noise_events : list of dict
        ``{"kind", "channel", "onset_s", "duration_s"}`` rows.
    pathology : dict
        The pathology's fields.
    parameters : dict
        Every parameter of the simulation, the seed included.
    extra : dict
        Kind-specific extras (needle position, grid geometry, gait events …).
    """

    kind: str
    fs: float
    n_samples: int
    seed: int | None
    ch_names: list[str]
    units: dict[str, np.ndarray]
    discharges: list[np.ndarray]
    templates: np.ndarray
    template_lag0: int
    excitation: dict[str, np.ndarray] = field(default_factory=dict)
    excitation_fs: float = 500.0
    force: dict[str, np.ndarray] = field(default_factory=dict)
    activation: list[tuple[str, float, float]] = field(default_factory=list)
    gesture_labels: np.ndarray | None = None
    gesture_names: list[str] = field(default_factory=list)
    spontaneous_events: list[dict[str, Any]] = field(default_factory=list)
    noise_events: list[dict[str, Any]] = field(default_factory=list)
    pathology: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    # --- views ---------------------------------------------------------------
    @property
    def n_units(self) -> int:
        return len(self.discharges)

    @property
    def discharge_times_s(self) -> list[np.ndarray]:
        """Discharge times of each unit, s."""
        return [d / self.fs for d in self.discharges]

    @property
    def recruitment_thresholds(self) -> np.ndarray:
        """Recruitment threshold of each unit, fraction of maximal excitation."""
        return np.asarray(self.units["threshold"], dtype=float)

    def units_table(self) -> pd.DataFrame:
        """The per-unit properties with the number of discharges and the mean rate (Hz)."""
        df = pd.DataFrame({k: np.asarray(v) for k, v in self.units.items()})
        df["n_discharges"] = [d.size for d in self.discharges]
        dur = self.n_samples / self.fs
        df["mean_rate_hz"] = df["n_discharges"] / dur if dur > 0 else 0.0
        return df

    def activation_for(self, channel: str) -> list[tuple[float, float]]:
        """``(onset_s, offset_s)`` activation spans of ``channel``."""
        return [(a, b) for c, a, b in self.activation if c == channel]

    def template(self, unit: int, channel: str | int) -> np.ndarray:
        """One unit's MUAP at one channel (name or index), V."""
        c = self.ch_names.index(channel) if isinstance(channel, str) else int(channel)
        return self.templates[unit, c]

    # --- files -----------------------------------------------------------------
    def _arrays(self) -> dict[str, np.ndarray]:
        counts = np.array([d.size for d in self.discharges], dtype=np.int64)
        arrays: dict[str, np.ndarray] = {
            "discharge_samples": np.concatenate(self.discharges).astype(np.int64) if self.discharges else np.empty(0, np.int64),
            "discharge_counts": counts,
            "templates": np.asarray(self.templates, dtype=np.float64),
        }
        for k, v in self.units.items():
            a = np.asarray(v)
            if a.dtype.kind in "biuf":
                arrays[f"unit.{k}"] = a
        for k, v in self.excitation.items():
            arrays[f"excitation.{k}"] = np.asarray(v, dtype=np.float64)
        for k, v in self.force.items():
            arrays[f"force.{k}"] = np.asarray(v, dtype=np.float64)
        if self.gesture_labels is not None:
            arrays["gesture_labels"] = np.asarray(self.gesture_labels, dtype=np.int16)
        return arrays

    def to_json(self, path: str | Path) -> Path:
        """Write ``path`` (JSON) and its sidecar ``<stem>.npz`` atomically.

        Returns
        -------
        Path
            The sidecar's path.
        """
        p = Path(path)
        if p.suffix.lower() != ".json":
            raise ParameterError("path", f"the truth file must end in .json, got {p.name!r}")
        side = p.with_suffix(".npz")
        buf = io.BytesIO()
        np.savez_compressed(buf, **self._arrays())
        blob = buf.getvalue()
        with atomic_open(side, "wb") as f:
            f.write(blob)
        doc = {
            "format": TRUTH_FORMAT,
            "kind": self.kind,
            "fs": self.fs,
            "n_samples": self.n_samples,
            "duration_s": self.n_samples / self.fs,
            "seed": self.seed,
            "ch_names": list(self.ch_names),
            "n_units": self.n_units,
            "unit_muscle": [str(m) for m in self.units.get("muscle", [])],
            "template_lag0": self.template_lag0,
            "excitation_fs": self.excitation_fs,
            "excitation_muscles": list(self.excitation),
            "force_muscles": list(self.force),
            "activation": [{"channel": c, "onset_s": a, "offset_s": b} for c, a, b in self.activation],
            "gesture_names": list(self.gesture_names),
            "spontaneous_events": self.spontaneous_events,
            "noise_events": self.noise_events,
            "pathology": self.pathology,
            "parameters": self.parameters,
            "extra": self.extra,
            "arrays": {"file": side.name, "sha256": _sha256(blob),
                       "layout": "discharge_samples concatenated per unit, split by discharge_counts; "
                                 "templates (unit, channel, lag) in V; unit.<column>; excitation.<muscle>; "
                                 "force.<muscle> in N; gesture_labels per sample"},
        }
        text = json.dumps(jsonable(doc), indent=1, allow_nan=False)
        with atomic_open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return side

    @classmethod
    def from_json(cls, path: str | Path) -> "Truth":
        """Read a truth file written by :meth:`to_json` (verifying the sidecar's checksum)."""
        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FileFormatError(p, "json", f"is not valid JSON: {exc}") from None
        if doc.get("format") != TRUTH_FORMAT:
            raise FileFormatError(p, "format", f"expected {TRUTH_FORMAT!r}, got {doc.get('format')!r}")
        side = p.parent / doc["arrays"]["file"]
        blob = side.read_bytes()
        if _sha256(blob) != doc["arrays"]["sha256"]:
            raise FileFormatError(side, "sha256", "the array sidecar does not match the checksum in its JSON file")
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        counts = arrays["discharge_counts"]
        splits = np.cumsum(counts)[:-1] if counts.size else []
        discharges = list(np.split(arrays["discharge_samples"], splits)) if counts.size else []
        units: dict[str, np.ndarray] = {"muscle": np.asarray(doc.get("unit_muscle", []), dtype=object)}
        for k, v in arrays.items():
            if k.startswith("unit."):
                units[k[5:]] = v
        return cls(
            kind=doc["kind"], fs=float(doc["fs"]), n_samples=int(doc["n_samples"]), seed=doc["seed"],
            ch_names=list(doc["ch_names"]), units=units, discharges=discharges, templates=arrays["templates"],
            template_lag0=int(doc["template_lag0"]),
            excitation={k: arrays[f"excitation.{k}"] for k in doc["excitation_muscles"]},
            excitation_fs=float(doc["excitation_fs"]),
            force={k: arrays[f"force.{k}"] for k in doc["force_muscles"]},
            activation=[(a["channel"], float(a["onset_s"]), float(a["offset_s"])) for a in doc["activation"]],
            gesture_labels=arrays.get("gesture_labels"),
            gesture_names=list(doc["gesture_names"]),
            spontaneous_events=list(doc["spontaneous_events"]),
            noise_events=list(doc["noise_events"]),
            pathology=dict(doc["pathology"]),
            parameters=dict(doc["parameters"]),
            extra=dict(doc["extra"]),
        )
