"""Pathology profiles change the pool in the published directions.

Directions from Daube & Rubin 2009 (Muscle Nerve 39:244-270) and Preston & Shapiro
2013 (Electromyography and Neuromuscular Disorders, 3rd ed., chapters 15-16):
myopathy: fibre loss, small and variable fibres, early recruitment, normal rates;
chronic neurogenic: fewer units with more fibres (reinnervation), larger
territories, reduced recruitment with high discharge rates, increased jitter
(Stålberg & Trontelj 1994; normal concentric-needle jitter 20-35 µs, Stålberg et al.
2016, Muscle Nerve 53:351-362).
"""

from __future__ import annotations

import dataclasses

import pytest

from myograph.core.errors import ParameterError
from myograph.simulate.pathology import PATHOLOGIES, Pathology, get_pathology, with_severity

FACTORS = ("unit_count_factor", "fibres_per_unit_factor", "fibre_diameter_scale", "threshold_factor",
           "peak_rate_factor", "min_rate_factor", "territory_factor", "fibre_diameter_cv_factor")


def test_the_profiles_are_normal_myopathic_and_neurogenic():
    assert set(PATHOLOGIES) == {"normal", "myopathic", "neurogenic"}
    assert all(PATHOLOGIES[k].name == k for k in PATHOLOGIES)


def test_the_normal_profile_changes_nothing():
    p = get_pathology("normal")
    assert all(getattr(p, f) == 1.0 for f in FACTORS)


def test_neurogenic_has_fewer_units_with_more_fibres_larger_territories_and_higher_rates():
    p = get_pathology("neurogenic")
    assert 0.3 <= p.unit_count_factor <= 0.5
    assert p.fibres_per_unit_factor > 1.0
    assert p.territory_factor > 1.0
    assert p.peak_rate_factor > 1.0
    assert p.threshold_factor == pytest.approx(1.0)


def test_neurogenic_reinnervation_keeps_the_number_of_innervated_fibres():
    p = get_pathology("neurogenic")
    assert p.unit_count_factor * p.fibres_per_unit_factor == pytest.approx(1.0, abs=0.05)


def test_myopathic_recruits_early_with_fewer_smaller_more_variable_fibres():
    p = get_pathology("myopathic")
    assert p.threshold_factor < 1.0
    assert p.fibres_per_unit_factor < 1.0
    assert p.fibre_diameter_scale < 1.0
    assert p.fibre_diameter_cv_factor > 1.0
    assert p.unit_count_factor == pytest.approx(1.0)
    assert p.peak_rate_factor == pytest.approx(1.0)


def test_jitter_is_normal_at_20_to_35_us_and_raised_in_disease():
    n, m, g = (get_pathology(k).jitter_us for k in ("normal", "myopathic", "neurogenic"))
    assert 20.0 <= n <= 35.0
    assert m > n and g > m
    assert g >= 50.0


def test_polyphasic_muaps_are_rare_normally_and_common_in_disease():
    n, m, g = (get_pathology(k).extra_phase_probability for k in ("normal", "myopathic", "neurogenic"))
    assert n <= 0.15
    assert m >= 0.3 and g >= 0.3


def test_unknown_pathology_raises_parameter_error_naming_pathology_and_the_allowed_names():
    with pytest.raises(ParameterError) as info:
        get_pathology("dystrophic")
    assert info.value.name == "pathology"
    for allowed in ("normal", "myopathic", "neurogenic"):
        assert allowed in str(info.value)
    with pytest.raises(ParameterError, match="pathology"):
        get_pathology(3)  # type: ignore[arg-type]


def test_get_pathology_ignores_case_and_spaces_and_passes_profiles_through():
    assert get_pathology(" Neurogenic ") is PATHOLOGIES["neurogenic"]
    custom = dataclasses.replace(PATHOLOGIES["myopathic"], name="mine", threshold_factor=0.3)
    assert get_pathology(custom) is custom


def test_severity_zero_is_normal_one_is_the_profile_and_half_lies_between():
    assert all(getattr(with_severity("neurogenic", 0.0), f) == 1.0 for f in FACTORS)
    assert with_severity("neurogenic", 0.0).jitter_us == get_pathology("normal").jitter_us
    assert with_severity("neurogenic", 1.0) == get_pathology("neurogenic")
    half = with_severity("neurogenic", 0.5)
    full = get_pathology("neurogenic")
    assert full.unit_count_factor < half.unit_count_factor < 1.0
    assert 1.0 < half.fibres_per_unit_factor < full.fibres_per_unit_factor
    assert get_pathology("normal").jitter_us < half.jitter_us < full.jitter_us
    with pytest.raises(ParameterError, match="severity"):
        with_severity("neurogenic", -1.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit_count_factor", 0.0), ("territory_factor", float("inf")), ("jitter_us", -1.0),
     ("extra_phase_probability", 1.5)],
)
def test_invalid_profile_values_raise_parameter_error_naming_the_field(field, value):
    with pytest.raises(ParameterError) as info:
        dataclasses.replace(PATHOLOGIES["normal"], **{field: value})
    assert info.value.name == field


def test_profiles_are_frozen_and_serialise_to_plain_dicts():
    p = get_pathology("myopathic")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.threshold_factor = 2.0  # type: ignore[misc]
    d = p.as_dict()
    assert d["name"] == "myopathic" and Pathology(**d) == p
