"""Quality assessment of real recordings from ../shared/data (skipped when absent).

* pyomeca-vicon-c3d (pyomeca, MIT): Vicon C3D with Delsys Trigno EMG; EMG12-16 and 14 of
  the 16 IMU-sensor EMG channels are all zero (PROVENANCE.txt).
* emgdb (PhysioNet "Examples of Electromyograms", needle EMG of tibialis anterior at
  4 kHz: healthy, myopathy, neuropathy).
* biosppy-examples (PIA-Group/BioSPPy, BSD-3): emg.txt a very low-amplitude record
  (ADC 2037..2071), emg_1.txt clear bursts with rests; raw 12-bit counts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import myograph
from myograph.quality import assess_quality

pytestmark = pytest.mark.shared_data


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", myograph.MyographWarning)  # reader repairs (zero channels, ADC counts)
        return myograph.read(path)


def test_vicon_all_zero_channels_are_flagged_flat_and_the_rest_are_assessed(shared_data):
    rec = _read(shared_data / "pyomeca-vicon-c3d" / "markers_analogs.c3d")
    out, report, spans = assess_quality(rec)
    zero = [f"Sensor {i}.EMG{i}" for i in range(12, 17)] + [f"Sensor {i}.IM EMG{i}" for i in range(1, 17) if i not in (12, 13)]
    assert (report.loc[zero, "flat_fraction"] == 1.0).all()
    assert (report.loc[zero, "status"] == "bad").all()
    flat = out.annotations.select("BAD_flat")
    assert {a.channels[0] for a in flat} == set(zero)
    active = report.drop(index=zero)
    assert len(active) == 13 and (active.flat_fraction == 0).all() and (active.status == "good").all()
    assert active.powerline_ratio.between(0, 0.2).all()          # measured 0.03-0.08
    assert (active.snr_db > 5).all()                             # measured 9-35 dB
    assert (active.baseline_rms_uv < 200).all()


@pytest.mark.parametrize("record", ["healthy", "myopathy", "neuropathy"])
def test_emgdb_needle_records_get_a_quality_report_with_the_power_line_ratio(shared_data, record):
    rec = _read(shared_data / "emgdb" / f"emg_{record}.hea")
    out, report, _ = assess_quality(rec, line_hz=50)
    row = report.loc["EMG"]
    assert row.status == "good" and row.flat_fraction == 0 and row.clipped_fraction == 0
    assert 0 <= row.powerline_ratio < 0.2 and row.powerline_hz == 50   # measured about 0.05
    assert np.isfinite(row.motion_power_db)


def test_biosppy_low_amplitude_record_reports_a_low_snr_and_the_bursty_one_a_high_snr(shared_data):
    low = _read(shared_data / "biosppy-examples" / "emg.txt")
    high = _read(shared_data / "biosppy-examples" / "emg_1.txt")
    _, rep_low, _ = assess_quality(low)
    _, rep_high, _ = assess_quality(high)
    assert rep_low.loc["EMG", "snr_db"] < 6            # measured 2.5 dB
    assert rep_high.loc["EMG", "snr_db"] > 15          # measured 20.4 dB
    assert rep_low.loc["EMG", "units"] == "a.u." and np.isnan(rep_low.loc["EMG", "baseline_rms_uv"])
    assert 0.5 < rep_low.loc["EMG", "baseline_rms"] < 5  # ADC counts
