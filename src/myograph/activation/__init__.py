"""Muscle activation: onset/offset detection and activation levels.

* :func:`detect_onsets` — for each channel an array of ``(onset_s, offset_s)``
  rows, by any detector in :data:`DETECTORS` (``method="auto"`` by default:
  no rest segment to pick, no threshold to set);
  :func:`detect_onsets_report` — the same with a status and, for empty
  channels, the reason (no activity, flat, saturated, missing …).
* :data:`DETECTORS` — the registry of published detectors, each a small
  function with its reference (Hodges & Bui 1996, Bonato 1998, Lidierth 1986,
  Abbink 1998, Solnik 2010, Silva 2012, Londral 2013, AGLR/Staude 2001) and
  myograph's ``auto``.
* :mod:`~myograph.activation.annotate` — intervals ↔ ``activation``
  annotations; :func:`annotate_onsets` runs a detector on a Recording and
  returns a new Recording with the annotations.
* :mod:`~myograph.activation.levels` — integrated EMG, %MVC, burst statistics,
  co-contraction indices.

All parameters are in seconds, Hz, dB or baseline SDs — never samples.
"""

from myograph.activation._detect import detect_onsets, detect_onsets_report
from myograph.activation._result import STATUSES, ChannelOnsets, OnsetReport
from myograph.activation.auto import auto  # importing it registers "auto"
from myograph.activation.detectors import DETECTORS, Detector, get_detector, register
from myograph.activation.annotate import annotations_to_intervals, intervals_to_annotations
from myograph.activation.annotate import detect_onsets as annotate_onsets
from myograph.activation.scoring import match_onsets, score_onsets
from myograph.activation.levels import (
    burst_statistics,
    burst_summary,
    cocontraction_index,
    integrated_emg,
    percent_mvc,
)

__all__ = [
    "detect_onsets", "detect_onsets_report", "DETECTORS", "Detector", "get_detector", "register", "auto",
    "OnsetReport", "ChannelOnsets", "STATUSES",
    "annotate_onsets", "intervals_to_annotations", "annotations_to_intervals",
    "match_onsets", "score_onsets", "integrated_emg", "percent_mvc", "burst_statistics", "burst_summary", "cocontraction_index",
]
