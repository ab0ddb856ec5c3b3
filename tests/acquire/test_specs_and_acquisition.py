"""open_source specs, the acquisition thread's fan-out, and `myograph record`."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import myograph
from myograph.acquire import Acquisition, Recorder, SimulatedAmplifier, open_source, parse_spec
from myograph.core.errors import ParameterError
from tests.acquire.helpers import sim


def test_specs_name_the_simulated_modes_with_options():
    for spec, mode, n_ch in (("sim", "surface", 2), ("sim:needle", "needle", 1), ("sim:hdemg?channels=16", "hdemg", 16)):
        kw = {"channels": 2} if mode == "surface" else {}
        src = open_source(spec, realtime=False, **kw)
        assert isinstance(src, SimulatedAmplifier) and src.mode == mode and src.info.n_channels == n_ch
    src = open_source("sim:surface?seed=4&excitation=0.5&realtime=false", channels=2)
    assert src.seed == 4 and not src.realtime and src._gen_kw["excitation"] == 0.5  # noqa: SLF001


def test_spec_parsing_and_unknown_sources():
    assert parse_spec("brainflow:0?serial_port=/dev/ttyUSB0&timeout=5") == (
        "brainflow", "0", {"serial_port": "/dev/ttyUSB0", "timeout": 5})
    assert parse_spec("lsl:type=EMG") == ("lsl", "type=EMG", {})
    for bad in ("wifi:3", "", "sim:ecg", "brainflow:cyton", "lsl:", "lsl:colour=red"):
        with pytest.raises(ParameterError, match="^source"):
            open_source(bad)


def test_brainflow_and_lsl_specs_open_their_sources():
    pytest.importorskip("brainflow")
    src = open_source("brainflow:-1")
    assert src.info.name == "brainflow:-1" and src.info.n_channels == 16


def test_the_acquisition_thread_fans_every_block_out_and_survives_a_failing_subscriber(tmp_path):
    amp = sim()
    amp.inject_dropout(0.05, at_sample=1000)
    acq = Acquisition(amp)
    ring = acq.add_ring(1.0)
    seen = []
    acq.subscribe(seen.append)
    acq.subscribe(lambda b: 1 / 0)
    rec = Recorder(amp.info, tmp_path / "acq.bdf", background=True)
    acq.subscribe(rec.write)
    with acq:
        assert acq.wait_samples(4096, timeout_s=30)
    rec.close()
    assert acq.errors and sum(acq.errors.values()) == acq.blocks
    assert acq.samples == sum(b.n_samples for b in seen)
    assert [(g.start_sample, g.n_missing) for g in acq.gaps.gaps] == [(1000, 102)]
    data, first = ring.read()
    assert first + data.shape[1] == acq.gaps.next_position  # the ring holds the newest second on the same axis
    r = myograph.read(tmp_path / "acq.bdf")
    assert r.n_samples == acq.samples + 102 and len(r.annotations.select("BAD_gap")) == 1
    lat = acq.latency()
    assert lat.n_blocks == acq.blocks and lat.fanout_median_s >= 0
    assert np.isnan(lat.source_median_s)  # the clock is not time.monotonic without real time


def test_cli_record_writes_the_asked_duration(tmp_path):
    from myograph.apps.cli import app

    out = tmp_path / "x.bdf"
    result = CliRunner().invoke(app, ["record", "--source", "sim", "--duration", "2", "-o", str(out), "--seed", "3",
                                      "--channels", "2", "--marker", "1=mid"])
    assert result.exit_code == 0, result.output
    r = myograph.read(out)
    assert r.n_samples == 4096 and r.fs == 2048.0 and r.n_channels == 2
    assert r.annotations.select("mid").onset[0] == pytest.approx(1.0, abs=0.05)
    assert not (tmp_path / "x.bdf.part").exists()


def test_cli_record_refuses_unknown_sources_and_sim_options_for_other_sources(tmp_path):
    from myograph.apps.cli import app

    result = CliRunner().invoke(app, ["record", "--source", "wifi", "-o", str(tmp_path / "x.bdf")])
    assert result.exit_code == 2 and "source" in result.output
    result = CliRunner().invoke(app, ["record", "--source", "lsl:EMG", "--seed", "1", "-o", str(tmp_path / "x.bdf")])
    assert result.exit_code == 2 and "seed" in result.output
