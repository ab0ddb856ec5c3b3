"""FInsm5 (Dimitrov et al. 2006), JASA (Luttmann et al. 1996/2000) and conduction velocity.

References checked against: direct numerical integration (scipy.integrate.quad) of an
analytic spectrum; the scaling law of spectral moments; JASA quadrants on constructed
trends; a fractional-sample delay applied as an FFT phase shift (McGill & Dorfman 1984).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from myograph import MyographWarning, ParameterError, SignalError
from myograph.fatigue import (
    DIMITROV_BAND_HZ,
    conduction_velocity,
    dimitrov_index,
    estimate_delay,
    fatigue_slopes,
    finsm5,
    jasa,
    jasa_quadrant,
    spectral_moment,
)
from tests.quality.synth import analytic_psd, compressing_emg, shaped_noise

FS = 2048.0


def _bump(f, centre=150.0, width=20.0):
    return np.exp(-0.5 * ((f - centre) / width) ** 2)


def test_finsm5_equals_direct_numerical_integration_of_the_spectrum():
    f = np.linspace(0, FS / 2, 200_001)
    p = analytic_psd(f, FS)
    band = DIMITROV_BAND_HZ

    def dens(v):
        return float(analytic_psd(np.array([v]), FS)[0])

    num = quad(lambda v: dens(v) / v, *band, limit=200)[0]
    den = quad(lambda v: dens(v) * v ** 5, *band, limit=200)[0]
    np.testing.assert_allclose(dimitrov_index(f, p, band_hz=band), num / den, rtol=1e-4)
    np.testing.assert_allclose(spectral_moment(f, p, -1, band_hz=band), num, rtol=1e-4)
    np.testing.assert_allclose(spectral_moment(f, p, 5, band_hz=band), den, rtol=1e-4)


def test_finsm5_of_filtered_noise_matches_the_analytic_value_on_average():
    x = shaped_noise(3, int(60 * FS), FS, np.random.default_rng(1))
    t, fi = finsm5(x, FS, 0.5, 0.25)
    f = np.linspace(0, FS / 2, 200_001)
    truth = dimitrov_index(f, analytic_psd(f, FS), band_hz=DIMITROV_BAND_HZ)
    # per-window spread about 18 %; the mean of 239 windows is within 3 % (measured 0.4-1.4 %)
    np.testing.assert_allclose(fi.mean(axis=1), truth, rtol=0.03)


def test_spectral_compression_by_s_multiplies_finsm5_by_s_to_the_minus_6():
    f = np.linspace(0, 1000, 400_001)
    for s in (0.9, 0.8, 0.7):
        ratio = dimitrov_index(f, _bump(f / s), band_hz=(1e-3, 1000)) / dimitrov_index(f, _bump(f), band_hz=(1e-3, 1000))
        assert ratio == pytest.approx(s ** -6, rel=1e-6)


def test_finsm5_rises_far_more_than_mdf_falls_during_compression():
    y = compressing_emg(40.0, FS, 0.006, seed=2)
    t, fi = finsm5(y, FS, 1.0, 0.5, band_hz=(20, 450))
    fit = fatigue_slopes(t, fi)
    assert fit.slope_pct_per_s[0] > 2.0  # spectrum compressed by 0.6 %/s: s^-6 → roughly +4 %/s


def test_finsm5_band_must_start_above_0_hz():
    with pytest.raises(ParameterError, match="band_hz"):
        dimitrov_index(np.arange(10.0), np.ones(10), band_hz=(0, 5))


@pytest.mark.parametrize(
    ("rms_slope", "freq_slope", "label"),
    [(1.0, -1.0, "fatigue"), (1.0, 1.0, "force_increase"), (-1.0, -1.0, "force_decrease"),
     (-1.0, 1.0, "recovery"), (0.0, -1.0, "undetermined"), (np.nan, 1.0, "undetermined")],
)
def test_jasa_quadrants_on_constructed_slopes(rms_slope, freq_slope, label):
    assert jasa_quadrant(rms_slope, freq_slope)[()] == label


def test_jasa_dead_bands_make_small_trends_undetermined():
    got = jasa_quadrant([0.05, 0.5], [-0.5, -0.5], rms_deadband=0.1)
    assert list(got) == ["undetermined", "fatigue"]


def test_jasa_from_windowed_series_classifies_each_channel():
    t = np.arange(60) * 1.0
    rng = np.random.default_rng(3)
    rms = np.stack([50 * (1 + 0.004 * t), 50 * (1 + 0.004 * t), 50 * (1 - 0.004 * t), 50 * (1 - 0.004 * t),
                    50 + rng.normal(0, 5, t.size)])
    mnf = np.stack([100 * (1 - 0.003 * t), 100 * (1 + 0.003 * t), 100 * (1 - 0.003 * t), 100 * (1 + 0.003 * t),
                    100 + rng.normal(0, 5, t.size)])
    res = jasa(t, rms, mnf, significant_only=True)
    assert list(res.quadrant) == ["fatigue", "force_increase", "force_decrease", "recovery", "undetermined"]
    np.testing.assert_allclose(res.rms_slope_pct_per_s[:2], 0.4, rtol=1e-9)
    np.testing.assert_allclose(res.freq_slope_pct_per_s[:2], [-0.3, 0.3], rtol=1e-9)


def _delayed_pair(delay_samples, n, seed=0, snr_db=None):
    """A band-limited signal and a copy delayed by a fractional number of samples (FFT phase shift)."""
    rng = np.random.default_rng(seed)
    x1 = shaped_noise(1, n, FS, rng)[0]
    k = np.arange(n // 2 + 1)
    x2 = np.fft.irfft(np.fft.rfft(x1) * np.exp(-2j * np.pi * k * delay_samples / n), n)
    if snr_db is not None:
        sd = x1.std() / 10 ** (snr_db / 20)
        x1 = x1 + rng.normal(0, sd, n)
        x2 = x2 + rng.normal(0, sd, n)
    return x1, x2


@pytest.mark.parametrize("method", ["spectral", "xcorr"])
@pytest.mark.parametrize("cv_true", [3.0, 4.0, 5.5])
def test_conduction_velocity_from_a_fractional_sample_delay_is_within_2_percent(method, cv_true):
    ied_mm = 10.0
    delay = ied_mm * 1e-3 / cv_true * FS  # e.g. 5.12 samples at 4 m/s
    x1, x2 = _delayed_pair(delay, int(2 * FS))
    cv = conduction_velocity(x1, x2, FS, ied_mm, method=method)
    assert cv.cv_m_per_s[0] == pytest.approx(cv_true, rel=0.02)
    assert cv.in_range[0] and cv.correlation[0] > 0.99
    noisy = conduction_velocity(*_delayed_pair(delay, int(2 * FS), seed=1, snr_db=20), FS, ied_mm, method=method,
                                window_s=0.5, step_s=0.25)
    np.testing.assert_allclose(noisy.cv_m_per_s, cv_true, rtol=0.02)


def test_spectral_matching_resolves_a_fraction_of_a_sample():
    x1, x2 = _delayed_pair(5.37, int(4 * FS), seed=2)
    # measured error about 1e-3 samples (the residue of the circular shift at the ends)
    assert estimate_delay(x1, x2, FS) * FS == pytest.approx(5.37, abs=0.01)
    assert estimate_delay(x2, x1, FS) * FS == pytest.approx(-5.37, abs=0.01)


def test_conduction_velocity_outside_2_to_7_m_per_s_is_flagged_with_a_warning():
    x1, x2 = _delayed_pair(10e-3 / 12.0 * FS, int(2 * FS), seed=3)  # 12 m/s
    with pytest.warns(MyographWarning, match="physiological range"):
        cv = conduction_velocity(x1, x2, FS, 10.0)
    assert not cv.in_range[0] and cv.cv_m_per_s[0] == pytest.approx(12.0, rel=0.02)
    with pytest.warns(MyographWarning, match="physiological range"):
        rev = conduction_velocity(x2, x1, FS, 10.0)
    assert rev.cv_m_per_s[0] < 0


def test_conduction_velocity_nan_policy():
    x1, x2 = _delayed_pair(5.0, int(2 * FS))
    x2[100] = np.nan
    with pytest.raises(SignalError, match="non-finite"):
        conduction_velocity(x1, x2, FS, 10.0)
    cv = conduction_velocity(x1, x2, FS, 10.0, window_s=0.5, step_s=0.5, nan_policy="propagate")
    assert np.isnan(cv.cv_m_per_s[0]) and np.all(np.isfinite(cv.cv_m_per_s[1:]))
    with pytest.raises(ParameterError, match="nan_policy"):
        conduction_velocity(x1, x2, FS, 10.0, nan_policy="mask")


def test_conduction_velocity_of_a_simulated_hd_emg_column_lies_within_the_units_velocities():
    # myograph.simulate.hdemg: MUAPs propagate along the rows at each unit's conduction velocity.
    from myograph.simulate import hdemg

    rec, truth = hdemg(3.0, FS, rows=8, cols=1, interelectrode_distance_mm=5.0, motor_units=60, excitation=0.4,
                       innervation_zone_mm=-30.0, seed=1)
    units = truth.units_table()
    active = units[units.n_discharges > 0].conduction_velocity_m_s
    dd = np.diff(rec.select(type="EMG").data, 2, axis=0)  # double differentials along the fibres
    cvs = np.array([conduction_velocity(dd[i], dd[i + 1], FS, 5.0).cv_m_per_s[0] for i in range(dd.shape[0] - 1)])
    # measured 4.12-4.13 m/s for units at 3.58-4.20 m/s: the large, fast units dominate the surface signal
    assert np.all((cvs >= active.min()) & (cvs <= active.max()))
    assert np.ptp(cvs) < 0.05 * cvs.mean()
