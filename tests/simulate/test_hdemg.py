"""HD-EMG grids: electrode positions in the channel table and MUAP propagation."""

from __future__ import annotations

import numpy as np
import pytest

import myograph.simulate as sim
from tests.simulate.helpers import delay_s, spike_triggered_average


def test_grid_channels_carry_rows_columns_and_positions():
    rec, truth = sim.hdemg(0.5, 2048.0, rows=4, cols=6, interelectrode_distance_mm=10.0, motor_units=10, seed=1)
    emg = rec.select(type="EMG")
    assert emg.n_channels == 24 and rec.ch_names[-1] == "FORCE"
    for ch in emg.channels:
        assert ch.group == "grid" and ch.name == f"R{ch.row + 1}C{ch.col + 1}"
        assert ch.x_mm == pytest.approx((ch.row - 1.5) * 10.0) and ch.y_mm == pytest.approx((ch.col - 2.5) * 10.0)
    xs = sorted({c.x_mm for c in emg.channels})
    assert np.allclose(np.diff(xs), 10.0)
    assert truth.templates.shape[:2] == (10, 24) and "8x8" not in rec.metadata.placement_scheme


def test_muaps_propagate_along_the_fibres_at_the_units_conduction_velocity():
    # Along the fibre direction, single-differential signals of a MUAP are delayed by
    # IED / CV between neighbouring electrode pairs (Farina & Merletti 2004; Merletti et
    # al. 2003). Measured on spike-triggered averages of the output at the truth's
    # discharges, rows on one side of the innervation zone (x = 8-32 mm from it),
    # for the two largest (most superficial) MUAPs of two recordings: CV within ±20%.
    for seed in (0, 2):
        rec, truth = sim.hdemg(6.0, 2048.0, motor_units=30, excitation=0.15, seed=seed)
        x = rec.get_data(truth.ch_names)
        amp = np.array([np.ptp(t) if d.size > 30 else 0.0 for t, d in zip(truth.templates, truth.discharges)])
        for u in np.argsort(amp)[::-1][:2]:
            sta, _ = spike_triggered_average(x, truth.discharges[u], -4, 60)
            grid = sta.reshape(8, 8, -1)
            sd = grid[1:] - grid[:-1]  # single differentials along the fibres
            col = int(np.argmax(np.ptp(sd[4:7], axis=(0, 2))))
            delays = [delay_s(sd[r, col], sd[r + 1, col], rec.fs) for r in (4, 5)]
            cv = 8e-3 / np.mean(delays)
            assert cv == pytest.approx(truth.units["conduction_velocity_m_s"][u], rel=0.2), (seed, u)


def test_the_propagation_direction_reverses_across_the_innervation_zone():
    rec, truth = sim.hdemg(0.1, 2048.0, motor_units=10, excitation=0.0, seed=3)
    u = int(np.argmax(np.ptp(truth.templates, axis=(1, 2))))
    grid = truth.templates[u].reshape(8, 8, -1)
    col = int(np.argmax(np.ptp(grid, axis=(0, 2))))
    sd = grid[1:, col] - grid[:-1, col]
    assert delay_s(sd[5], sd[6], rec.fs) > 0 and delay_s(sd[1], sd[0], rec.fs) > 0


def test_spike_triggered_averages_reproduce_the_multichannel_templates():
    rec, truth = sim.hdemg(5.0, 2048.0, motor_units=20, excitation=0.1, seed=4)
    x = rec.get_data(truth.ch_names)
    amp = np.array([np.ptp(t) if d.size > 30 else 0.0 for t, d in zip(truth.templates, truth.discharges)])
    n_lags = truth.templates.shape[-1]
    big = np.flatnonzero(amp >= 0.2 * amp.max())  # MUAPs that stand out of the interference
    assert big.size >= 2
    for u in big:
        sta, _ = spike_triggered_average(x, truth.discharges[u], -truth.template_lag0, n_lags - truth.template_lag0)
        assert np.corrcoef(sta.ravel(), truth.templates[u].ravel())[0, 1] > 0.9
