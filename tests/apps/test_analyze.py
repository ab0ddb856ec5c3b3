"""``myograph analyze`` and :func:`myograph.apps.analyze.analyze_recording` on simulated BDF files.

Ground truth: ``myograph.simulate.surface`` with sharp burst edges (``rise_s=0``), so the
true onsets are the excitation's onsets. The files carry no annotations, so nothing the
command reports can be echoed from the file.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import myograph
from myograph.apps.analyze import BURST_COLUMNS, COLUMNS, analyze_recording
from myograph.apps.cli import app
from myograph.core.annotations import Annotations
from myograph.core.recording import concatenate_channels

runner = CliRunner()
FS = 2048.0
TRIAL = {
    "BB": ("bursts", {"onsets_s": [1.0, 4.0, 7.0], "durations_s": 1.5, "level": 0.5, "rise_s": 0.0}),
    "TB": ("bursts", {"onsets_s": [2.5, 5.5], "durations_s": 1.0, "level": 0.4, "rise_s": 0.0}),
}
NOISE = dict(amplifier_uv_rms=3.0, powerline_hz=50, powerline_uv=10.0)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "analysis.md"


def _simulate(duration_s, excitation, seed, noise_kw=None, **kw):
    from myograph.simulate import NoiseSpec, surface

    rec, truth = surface(duration_s, FS, muscles=list(excitation), motor_units=60, excitation=excitation,
                         noise=NoiseSpec(**{**NOISE, **(noise_kw or {})}), seed=seed, **kw)
    return rec.with_annotations(Annotations()), truth


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A trial and an MVC trial as BDF, the truth, and one CLI run writing CSV, plot and report."""
    d = tmp_path_factory.mktemp("analyze")
    rec, truth = _simulate(10.0, TRIAL, seed=3)
    mvc, _ = _simulate(4.0, {"BB": 1.0, "TB": 1.0}, seed=4)
    myograph.write(rec, d / "trial.bdf")
    myograph.write(mvc, d / "mvc.bdf")
    result = runner.invoke(app, ["analyze", str(d / "trial.bdf"), "--mvc", str(d / "mvc.bdf"), "--line-hz", "50",
                                 "--out", str(d / "results.csv"), "--plot", str(d / "fig.png"),
                                 "--report", str(d / "report.html")])
    assert result.exit_code == 0, result.output
    return {"dir": d, "truth": truth, "stdout": result.stdout}


def _onsets_from_csv(path: Path) -> dict[str, list[float]]:
    frame = pd.read_csv(path, keep_default_na=False)
    return {r["channel"]: [float(v) for v in str(r["onsets_s"]).split(";") if v] for _, r in frame.iterrows()}


def _assert_onsets_match(found: dict[str, list[float]], truth) -> None:
    for ch in ("BB", "TB"):
        true_on = [a for a, _ in truth.activation_for(ch)]
        assert len(found[ch]) == len(true_on), (ch, found[ch], true_on)
        err = np.abs(np.asarray(found[ch]) - np.asarray(true_on))
        assert err.max() <= 0.020, (ch, found[ch], true_on)


def test_onsets_in_the_csv_match_the_simulation_truth_within_20_ms(files):
    _assert_onsets_match(_onsets_from_csv(files["dir"] / "results.csv"), files["truth"])


def test_onsets_in_the_json_match_the_simulation_truth_within_20_ms(files, tmp_path):
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["analyze", str(files["dir"] / "trial.bdf"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    _assert_onsets_match({c["channel"]: c["onsets_s"] for c in doc["channels"]}, files["truth"])
    # offsets follow the last discharges' MUAPs, a little after the excitation ends
    for c in doc["channels"]:
        true_off = [b for _, b in files["truth"].activation_for(c["channel"])]
        assert np.abs(np.asarray(c["offsets_s"]) - true_off).max() <= 0.05
    assert {"parameters", "provenance", "bursts", "quality", "columns"} <= set(doc)
    assert len(doc["bursts"]) == 5 and set(doc["bursts"][0]) == set(BURST_COLUMNS) - {"mean_pct_mvc", "peak_pct_mvc"}


def test_the_csv_has_one_row_per_channel_with_the_documented_columns(files):
    frame = pd.read_csv(files["dir"] / "results.csv", keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["channel"]) == ["BB", "TB"]  # EMG channels only; the force channels are left alone
    assert (frame["quality_status"] == "good").all() and (frame["onset_status"] == "ok").all()
    assert list(frame["n_bursts"]) == [3, 2]
    assert (frame["mdf_initial_hz"].astype(float).between(40, 200)).all()
    assert set(frame["jasa"]) <= {"fatigue", "recovery", "force_increase", "force_decrease", "undetermined"}
    text = DOCS.read_text(encoding="utf-8")
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert not missing, f"columns not documented in docs/analysis.md: {missing}"


def test_percent_mvc_with_an_mvc_file_equals_the_ratio_computed_by_hand(files):
    d = files["dir"]
    frame = pd.read_csv(d / "results.csv", keep_default_na=False).set_index("channel")
    trial = myograph.read(d / "trial.bdf")
    mvc = myograph.read(d / "mvc.bdf")
    w = int(round(0.5 * mvc.fs))
    for k, ch in enumerate(["BB", "TB"]):
        assert float(frame.loc[ch, "bad_fraction"]) == 0.0  # every sample counts
        # the same processing for both: band-pass 20-450 Hz, 50 Hz notch, 6 Hz linear envelope
        env = trial.bandpass(20, 450).notch(50).envelope(6.0).get_data([ch])[0]
        env_mvc = mvc.bandpass(20, 450).notch(50).envelope(6.0).get_data([ch])[0]
        reference = np.convolve(env_mvc, np.ones(w) / w, mode="valid").max()  # highest 0.5-s mean
        on = [float(v) for v in frame.loc[ch, "onsets_s"].split(";")]
        off = [float(v) for v in frame.loc[ch, "offsets_s"].split(";")]
        inside = np.zeros(env.size, dtype=bool)
        for a, b in zip(on, off):
            inside[int(round(a * trial.fs)):int(round(b * trial.fs))] = True
        by_hand = 100.0 * env[inside].mean() / reference
        assert float(frame.loc[ch, "mvc_reference_uv"]) == pytest.approx(reference * 1e6, rel=1e-6)
        assert float(frame.loc[ch, "active_mean_pct_mvc"]) == pytest.approx(by_hand, rel=1e-3)
        assert float(frame.loc[ch, "peak_pct_mvc"]) == pytest.approx(100.0 * env.max() / reference, rel=1e-6)
    # the biceps works at about half its MVC excitation
    assert 20 < float(frame.loc["BB", "active_mean_pct_mvc"]) < 80


def test_the_html_report_is_one_file_with_embedded_images_and_the_parameter_section(files):
    text = (files["dir"] / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 2  # one figure per channel
    for b64 in images:
        assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"
    # nothing to fetch: no external link, script, stylesheet or font
    assert not re.search(r'(src|href)="(?!data:|#)', text)
    assert "<script" not in text.lower() and "http://" not in text and "https://" not in text
    assert 'id="parameters"' in text and 'id="provenance"' in text
    for param in ("band_hz", "envelope_hz", "onset_method", "onset_parameters.on_db", "fatigue.window_s",
                  "mvc.window_s", "nan_policy"):
        assert f"<dt>{param}</dt>" in text, param
    for step in ("quality.assess_quality", "signal.bandpass", "activation.detect_onsets", "signal.notch",
                 "signal.envelope", "signal.normalize"):
        assert step in text, step
    assert "%MVC" in text and "BB" in text and "TB" in text
    # written atomically: no temporary file left beside it
    assert not [p for p in files["dir"].iterdir() if p.name.startswith(".")]


def test_the_html_report_opens_in_headless_chromium_without_console_errors_and_is_not_blank(files, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"the browser check needs Debian's chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser check needs playwright")
    from matplotlib.image import imread

    report = files["dir"] / "report.html"
    shot = tmp_path / "report.png"
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            loaded = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth)")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert len(loaded) == 2 and all(w and w > 500 for w in loaded), loaded
    img = imread(shot)[..., :3]
    assert img.shape[0] > 1500  # summary, two channel sections, parameters
    assert img.std() > 0.05 and (img.mean(axis=-1) < 0.9).mean() > 0.03  # not blank


def test_plot_writes_a_png_of_traces_envelopes_and_bursts(files):
    from matplotlib.image import imread

    img = imread(files["dir"] / "fig.png")[..., :3]
    assert img.shape[0] > 300 and img.shape[1] > 1000
    red = (np.abs(img[..., 0] - 0xD1 / 255) < 0.08) & (np.abs(img[..., 1] - 0x49 / 255) < 0.08)  # envelopes
    assert red.sum() > 500


def test_the_summary_table_names_every_channel_and_the_output_files(files):
    out = files["stdout"]
    assert "BB" in out and "TB" in out and "%MVC" in out
    assert "results.csv" in out and "fig.png" in out and "report.html" in out


def test_a_flat_channel_and_a_silent_channel_are_reported_not_crashed_on(tmp_path):
    rec, _ = _simulate(6.0, {"BB": TRIAL["BB"], "TB": 0.0}, seed=5, force=False, noise_kw={"powerline_uv": 1.0})
    flat = myograph.Recording(np.zeros((1, rec.n_samples)), fs=rec.fs, ch_names=["FLAT"])
    path = tmp_path / "bad.bdf"
    myograph.write(concatenate_channels([rec, flat]), path)
    out = tmp_path / "bad.csv"
    result = runner.invoke(app, ["analyze", str(path), "--out", str(out), "--report", str(tmp_path / "bad.html")])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, keep_default_na=False).set_index("channel")
    assert frame.loc["FLAT", "quality_status"] == "bad" and "flat" in frame.loc["FLAT", "quality_reason"]
    assert int(frame.loc["FLAT", "n_bursts"]) == 0 and frame.loc["FLAT", "onsets_s"] == ""
    assert frame.loc["FLAT", "fatigue_reason"] != ""
    assert frame.loc["TB", "onset_status"] == "no_activity" and "no activity" in frame.loc["TB", "onset_reason"]
    assert int(frame.loc["TB", "n_bursts"]) == 0
    assert int(frame.loc["BB", "n_bursts"]) == 2  # the bursts at 1 and 4 s of a 6-s record
    assert "flat" in result.stdout  # the reason is in the printed summary too
    assert (tmp_path / "bad.html").stat().st_size > 10_000


def test_an_unknown_channel_is_exit_status_2_with_one_clear_line(files):
    result = runner.invoke(app, ["analyze", str(files["dir"] / "trial.bdf"), "--channels", "BB,XX"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no channel named 'XX'" in lines[0] and "BB" in lines[0]
    assert "Traceback" not in result.output


def test_an_output_with_an_unknown_extension_is_refused_before_any_work(files, tmp_path):
    result = runner.invoke(app, ["analyze", str(files["dir"] / "trial.bdf"), "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2 and ".csv or .json" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_nan_samples_follow_the_nan_policy(tmp_path):
    rec, truth = _simulate(8.0, {"BB": ("bursts", {"onsets_s": [1.0, 5.0], "durations_s": 1.5, "level": 0.5,
                                                    "rise_s": 0.0})}, seed=6, force=False)
    data = rec.get_data()
    data[0, int(3.0 * FS):int(3.2 * FS)] = np.nan  # a gap between the bursts
    path = tmp_path / "gap.csv"
    pd.DataFrame({"time": rec.times, "BB": data[0]}).to_csv(path, index=False)
    nan_rec = myograph.Recording(data, fs=FS, ch_names=["BB"])

    with pytest.raises(myograph.SignalError, match="non-finite"):
        analyze_recording(nan_rec)
    masked = analyze_recording(nan_rec, nan_policy="mask")
    assert masked.onsets["BB"].n_bursts == 2
    assert np.abs(masked.onsets["BB"].intervals[:, 0] - [1.0, 5.0]).max() <= 0.02
    assert "BAD_nonfinite" in set(masked.recording.annotations.label)
    spread = analyze_recording(nan_rec, nan_policy="propagate")
    assert spread.onsets["BB"].n_bursts == 0 and spread.to_frame().loc[0, "onset_reason"] != ""


def test_analyze_recording_keeps_every_parameter_the_annotations_and_the_provenance():
    rec, truth = _simulate(10.0, TRIAL, seed=3)
    res = analyze_recording(rec.with_metadata(power_line_hz=50), channels=["TB"], envelope_hz=8.0)
    assert res.channels == ["TB"] and res.parameters["notch_hz"] == 50.0 and res.parameters["envelope_hz"] == 8.0
    assert res.parameters["onset_method"] == "auto" and "on_db" in res.parameters["onset_parameters"]
    assert res.parameters["fatigue"]["window_s"] == 0.5 and res.parameters["band_hz"] == [20.0, 450.0]
    ops = [s["operation"] for s in res.provenance]
    assert ops[-5:] == ["quality.assess_quality", "signal.bandpass", "activation.detect_onsets", "signal.notch",
                        "signal.envelope"]
    acts = res.recording.annotations.select("activation", channel="TB")
    assert len(acts) == 2 and np.allclose(acts.onset, [2.5, 5.5], atol=0.02)
    assert res.envelope.channels[0].units == "V" and res.envelope_pct_mvc is None
    frame = res.to_frame()
    assert list(frame.columns) == list(COLUMNS) and np.isnan(frame.loc[0, "active_mean_pct_mvc"])
    json.loads(res.to_json())  # valid JSON (NaN written as null)
    with pytest.raises(myograph.ChannelError):
        analyze_recording(rec, channels=["nope"])
    with pytest.raises(myograph.ParameterError, match="volts"):
        analyze_recording(rec, channels=["F_BB"])


def test_a_low_sampling_rate_skips_the_fatigue_indices_with_a_reason_and_lowers_the_band():
    from myograph.simulate import NoiseSpec, surface

    rec, _ = surface(6.0, 2048.0, muscles=["BB"], motor_units=60, force=False,
                     excitation={"BB": ("bursts", {"onsets_s": [1.0, 3.5], "durations_s": 1.0, "level": 0.5})},
                     noise=NoiseSpec(amplifier_uv_rms=3.0), seed=1)
    res = analyze_recording(rec.resample(300.0))
    row = res.to_frame().iloc[0]
    assert "below 400 Hz" in row["fatigue_reason"] and np.isnan(row["mdf_slope_hz_per_s"])
    assert res.parameters["band_hz"][1] == pytest.approx(0.95 * 150.0)
    assert any("lowered" in n for n in res.parameters["notes"])
    assert row["n_bursts"] == 2
