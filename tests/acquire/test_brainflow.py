"""BrainFlow: the synthetic board streams EMG in volts with a running counter and UNIX timestamps."""

from __future__ import annotations

import time

import numpy as np
import pytest

from myograph.core.errors import ParameterError

pytest.importorskip("brainflow", reason="BrainFlow is an optional extra: pip install 'myograph[acquire]'")

from myograph.acquire.brainflow import BrainFlowSource, unwrap_counter  # noqa: E402


def test_package_numbers_unwrap_into_a_running_count_with_gaps():
    steps, mod = unwrap_counter(np.array([250, 251, 252]), None, None)
    assert steps.tolist() == [1, 1, 1] and mod is None
    steps, mod = unwrap_counter(np.array([254, 255, 0, 1, 5, 6]), 253, None)
    assert steps.tolist() == [1, 1, 1, 1, 4, 1] and mod == 256  # three packages lost after 1
    steps, mod = unwrap_counter(np.array([250, 3]), 249, 256)
    assert steps.tolist() == [1, 9]  # 251 … 255, 0 … 2 lost across the wrap


def test_the_synthetic_board_streams_emg_in_volts_with_counters_and_timestamps():
    src = BrainFlowSource(-1)
    from brainflow.board_shim import BoardIds, BoardShim

    assert src.board_id == BoardIds.SYNTHETIC_BOARD.value
    assert src.info.n_channels == len(BoardShim.get_emg_channels(-1)) == 16
    assert src.info.fs == 250.0 and src.info.has_counter
    assert all(c.units == "V" and c.type == "EMG" for c in src.info.channels)
    blocks, n = [], 0
    t_wall = time.time()
    with src:
        deadline = time.monotonic() + 10
        while n < 125 and time.monotonic() < deadline:
            b = src.read(timeout_s=0.5)
            if b is not None:
                blocks.append(b)
                n += b.n_samples
    assert n >= 125
    x = np.concatenate([b.data for b in blocks], axis=1)
    # BrainFlow documents µV for EXG rows; the synthetic board's are tens to hundreds of µV → 1e-5 … 1e-3 V
    rms = np.sqrt(np.mean(x ** 2, axis=1))
    assert np.all((rms > 1e-6) & (rms < 1e-3)), rms
    assert np.max(np.abs(x)) < 5e-3
    # the counter runs on without jumps, the UNIX timestamps rise at about 1/fs per sample
    assert blocks[0].first_sample == 0
    assert all(b.first_sample == a.first_sample + a.n_samples for a, b in zip(blocks, blocks[1:]))
    ts = np.array([b.timestamp_s for b in blocks])
    assert np.all(np.diff(ts) > 0) and abs(ts[0] - t_wall) < 5.0
    span = (blocks[-1].first_sample - blocks[0].first_sample) / src.info.fs
    assert ts[-1] - ts[0] == pytest.approx(span, abs=0.05)


def test_an_unknown_board_or_parameter_is_refused():
    with pytest.raises(ParameterError, match="board_id"):
        BrainFlowSource(123456)
    with pytest.raises(ParameterError, match="serial_prot"):
        BrainFlowSource(-1, {"serial_prot": "/dev/null"})
    with pytest.raises(ParameterError, match="source"):
        BrainFlowSource(-1).read()
