"""LSL: an outlet republishing the simulated amplifier, read back by an inlet on this machine."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from myograph.acquire import GapDetector
from myograph.core.errors import ParameterError
from tests.acquire.helpers import joined, read_samples, sim

pylsl = pytest.importorskip("pylsl", reason="pylsl is an optional extra: pip install 'myograph[acquire]'")

from myograph.acquire.lsl import LSLInlet, LSLOutlet  # noqa: E402


@pytest.fixture
def loop():
    """A fresh outlet for an 8-channel simulated grid, and an inlet resolved by its unique name."""
    amp = sim("hdemg", channels=8, seed=2)
    name = f"myograph-test-{uuid.uuid4().hex[:10]}"
    outlet = LSLOutlet(amp.info, name=name, source_id=name)
    try:
        inlet = LSLInlet(name=name, timeout_s=3.0, dejitter=True)
    except ParameterError:
        outlet.close()
        pytest.skip("LSL cannot resolve a stream on this machine (no sockets / multicast)")
    yield amp, outlet, inlet
    inlet.stop()
    outlet.close()


def pull(inlet, n_samples: int) -> list:
    out, n = [], 0
    for _ in range(200):
        b = inlet.read(timeout_s=0.2)
        if b is not None:
            out.append(b)
            n += b.n_samples
            if n >= n_samples:
                break
    return out


def test_outlet_to_inlet_loopback_keeps_samples_channels_and_timing(loop):
    amp, outlet, inlet = loop
    assert inlet.info.channels.names == amp.info.channels.names
    assert all(c.units == "V" and c.type == "EMG" for c in inlet.info.channels)
    assert inlet.info.fs == amp.fs and not inlet.info.has_counter
    with amp, inlet:
        assert outlet.wait_for_consumers(5.0)
        sent = read_samples(amp, 1024)
        for b in sent:
            outlet.push(b)
        got = pull(inlet, sum(b.n_samples for b in sent))
    x, y = joined(sent), joined(got)
    assert y.shape == x.shape
    assert np.allclose(y, x, rtol=1e-6, atol=1e-12)  # float32 µV on the wire
    # raw timestamps: consecutive blocks are 1/fs per sample apart, as the source's were
    det = GapDetector(inlet.info.fs, counter=False)
    for b in got:
        det.feed(b)
    assert not det.gaps and not det.clock_steps
    assert [b.first_sample for b in got][0] == 0
    # clock offsets and dejittered times are kept apart from the raw timestamps
    assert inlet.offsets and abs(inlet.offsets[-1][1]) < 1.0
    assert len(inlet.dejittered) >= 1
    first, t_dj = inlet.dejittered[-1]
    raw = {b.first_sample: b.timestamp_s for b in got}
    assert t_dj == pytest.approx(raw[first], abs=1e-3)


def test_a_dropout_at_the_source_reaches_the_inlet_as_a_timestamp_gap_of_its_length(loop):
    amp, outlet, inlet = loop
    with amp, inlet:
        assert outlet.wait_for_consumers(5.0)
        drop = amp.inject_dropout(0.05, at_sample=500)
        sent = read_samples(amp, 1200)
        for b in sent:
            outlet.push(b)
        got = pull(inlet, sum(b.n_samples for b in sent))
    det = GapDetector(inlet.info.fs, counter=False)
    for b in got:
        det.feed(b)
    assert [(g.start_sample, g.n_missing) for g in det.gaps] == [(500, drop.n_samples)]


def test_resolving_a_stream_that_does_not_exist_names_the_source():
    with pytest.raises(ParameterError, match="source"):
        LSLInlet(name=f"no-such-stream-{uuid.uuid4().hex}", timeout_s=0.2)
    with pytest.raises(ParameterError, match="source"):
        LSLInlet(name="a", type="EMG")
