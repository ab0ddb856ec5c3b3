"""Physiologically grounded EMG simulation with ground truth.

Five simulations, each returning ``(recording, truth)``:

* :func:`surface` — bipolar surface EMG (SENIAM-like) over one or more muscles, with force;
* :func:`needle` — concentric needle EMG, normal or pathological, with spontaneous activity;
* :func:`hdemg` — monopolar high-density grids with propagating MUAPs;
* :func:`gestures` — a forearm armband during gesture repetitions, with labels per sample;
* :func:`gait` — lower-limb muscles during walking, with gait events.

The :class:`Truth` holds the discharges, MUAP templates, thresholds, excitation,
force, activation intervals, labels and events behind each Recording. See
``docs/simulate.md`` for the models and their references.
"""

from myograph.simulate.api import hdemg, needle, surface
from myograph.simulate.gait_cycle import gait
from myograph.simulate.gesture_set import gestures
from myograph.simulate.noise import NoiseSpec
from myograph.simulate.pathology import PATHOLOGIES, Pathology, get_pathology
from myograph.simulate.truth import Truth

__all__ = ["surface", "needle", "hdemg", "gestures", "gait", "Truth", "NoiseSpec", "Pathology", "PATHOLOGIES",
           "get_pathology"]
