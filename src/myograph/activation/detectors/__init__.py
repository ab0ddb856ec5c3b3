"""Published onset/offset detectors, one module each, collected in :data:`DETECTORS`.

========================  ==========================================================
name                      method
========================  ==========================================================
``hodges_bui``            single threshold over baseline (Hodges & Bui 1996)
``bonato``                double threshold (Bonato, D'Alessio & Knaflitz 1998)
``lidierth``              threshold with duration rules (Lidierth 1986)
``abbink``                threshold + transition index (Abbink et al. 1998)
``solnik``                Teager–Kaiser conditioning (Solnik et al. 2010)
``silva``                 adaptive threshold (Silva et al. 2012)
``londral``               moving variance (Londral et al. 2013)
``aglr``                  approximate GLR + ML change time (Staude et al. 2001)
``auto``                  myograph's default (:mod:`myograph.activation.auto`)
========================  ==========================================================
"""

from myograph.activation.detectors._common import QUIET_S, quietest_segment
from myograph.activation.detectors._registry import DETECTORS, Detector, get_detector, register
from myograph.activation.detectors.abbink import abbink
from myograph.activation.detectors.aglr import aglr
from myograph.activation.detectors.bonato import bonato, bonato_threshold
from myograph.activation.detectors.hodges_bui import hodges_bui
from myograph.activation.detectors.lidierth import lidierth
from myograph.activation.detectors.londral import londral
from myograph.activation.detectors.silva import silva
from myograph.activation.detectors.solnik import solnik

__all__ = [
    "DETECTORS", "Detector", "register", "get_detector", "quietest_segment", "QUIET_S",
    "hodges_bui", "bonato", "bonato_threshold", "lidierth", "abbink", "solnik", "silva", "londral", "aglr",
]
