"""Every registered feature against a direct loop over the paper's formula (rtol 1e-9),
and every sliding (running-sum) twin against the windowed function."""

import numpy as np
import pytest

from myograph.features import FEATURES, extract, windows
from myograph.features import extractor as extractor_module

from . import reference as ref

FS = 1000.0


@pytest.fixture(scope="module")
def win():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 160)) * 1e-4 + 2e-6  # volts, small offset so symmetric cases are not special
    x[1] *= np.linspace(0.5, 2.0, 160)
    return windows(x, FS, 0.064, 0.048).data  # 3 windows x 2 channels x 64 samples


def test_registry_is_large_and_documented():
    assert len(FEATURES) >= 50
    for f in FEATURES.values():
        assert f.definition and f.reference, f.name
        assert (f.function.__doc__ or f.definition)
        for p in f.parameters.values():
            assert isinstance(p.unit, str)


def test_every_feature_has_a_reference_loop():
    missing = [n for n in FEATURES if not hasattr(ref, n)]
    assert missing == []


PARAMS = {  # non-default thresholds where the default would make the count trivial
    "ZC": {"threshold_v": 2e-5},
    "WAMP": {"threshold_v": 5e-5},
    "MYOP": {"threshold_v": 1e-4},
    "SSC": {"threshold_v2": 1e-10},
    "CARD": {"threshold_v": 1e-6},
}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_feature_matches_reference(name, win):
    feat = FEATURES[name]
    p = feat.resolve(PARAMS.get(name))
    got = feat(win, FS, **p)
    k = feat.n_values(p)
    assert got.shape == win.shape[:2] + ((k,) if k > 1 else ())
    for i in range(win.shape[0]):
        for c in range(win.shape[1]):
            expected = getattr(ref, name)([float(v) for v in win[i, c]], FS, **p)
            np.testing.assert_allclose(got[i, c], expected, rtol=1e-9, atol=0, err_msg=f"{name} window {i} channel {c}")


@pytest.mark.parametrize("name", sorted(n for n in FEATURES if n in ("ZC", "SSC", "WAMP", "MYOP")))
def test_default_thresholds_reference(name, win):
    feat = FEATURES[name]
    got = feat(win, FS)
    for i in range(win.shape[0]):
        for c in range(win.shape[1]):
            assert got[i, c] == getattr(ref, name)([float(v) for v in win[i, c]], FS, **feat.resolve())


def test_dwt_preserves_energy(win):
    e = FEATURES["DWTE"](win, FS, levels=3)
    np.testing.assert_allclose(e.sum(axis=-1), np.sum(win**2, axis=-1), rtol=1e-12)


def test_ar_recovers_a_known_model():
    rng = np.random.default_rng(3)
    a1, a2 = -1.2, 0.5  # x_n - 1.2 x_{n-1} + 0.5 x_{n-2} = e_n
    e = rng.standard_normal(20000)
    x = np.zeros_like(e)
    for n in range(2, e.size):
        x[n] = e[n] - a1 * x[n - 1] - a2 * x[n - 2]
    got = FEATURES["AR"](x[None, None, :], FS, order=2)[0, 0]
    np.testing.assert_allclose(got, [a1, a2], atol=0.03)


def test_sampen_of_a_sine_is_low_and_noise_high():
    t = np.arange(300) / FS
    sine = np.sin(2 * np.pi * 10 * t)
    noise = np.random.default_rng(0).standard_normal(300)
    s = FEATURES["SAMPEN"](np.stack([sine, noise])[None], FS)[0]
    assert s[0] < 0.3 < 1.5 < s[1]


SLIDING = sorted(n for n, f in FEATURES.items() if f.sliding is not None)


@pytest.mark.parametrize("name", SLIDING)
@pytest.mark.parametrize("fs, window_s, step_s", [(1000.0, 0.2, 0.05), (1000.0, 0.15, 0.037), (200.0, 0.2, 0.05), (500.0, 0.1, 0.1)])
def test_sliding_twin_equals_windowed(name, fs, window_s, step_s, monkeypatch):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 3000)) * 1e-4
    x[1] = np.round(x[1] * 1e5) / 1e5  # quantised: exact zeros and ties, as from an ADC
    x[2, 100:400] = 0.0  # a flat stretch
    if name == "LD":
        x[1] += 1e-6  # log detector is undefined at exact zeros; keep one channel finite
    w = windows(x, fs, window_s, step_s).data
    feat = FEATURES[name]
    expected = feat(w, fs)
    monkeypatch.setattr(extractor_module, "CHUNK_SAMPLES", 700)  # several chunks
    got = extract(x, [name], fs=fs, window_s=window_s, step_s=step_s)
    assert got.shape == (w.shape[0], 3)
    np.testing.assert_allclose(got, expected.reshape(w.shape[0], -1), rtol=1e-9, atol=1e-300)


def test_sliding_twins_with_thresholds():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 2000)) * 1e-4
    w = windows(x, 1000.0, 0.2, 0.05).data
    for name, p in PARAMS.items():
        feat = FEATURES[name]
        got = extract(x, [name], fs=1000.0, window_s=0.2, step_s=0.05, params={name: p})
        np.testing.assert_allclose(got, feat(w, 1000.0, **p).reshape(w.shape[0], -1), rtol=1e-12, err_msg=name)
