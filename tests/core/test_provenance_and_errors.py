"""Provenance steps, the repair log, units and the error vocabulary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from myograph import FileFormatError, MyographError, MyographWarning, ParameterError, Step
from myograph.core.provenance import RepairLog
from myograph.core.units import is_voltage, normalize_unit, scale_to_si


def test_a_step_freezes_json_able_parameters_and_round_trips():
    s = Step("signal.bandpass", {"band_hz": (20, 450), "order": np.int64(4), "x": np.float32(0.5)})
    d = s.to_dict()
    json.dumps(d)
    assert d["parameters"] == {"band_hz": [20, 450], "order": 4, "x": 0.5}
    with pytest.raises(TypeError):
        s.parameters["order"] = 2  # type: ignore[index]
    assert Step.from_dict(d).parameters == s.parameters


def test_a_tolerant_repair_warns_and_is_recorded():
    log = RepairLog("f.edf")
    with pytest.warns(MyographWarning, match="n_records"):
        log.repair("n_records", "header says -1", "counted 10 records from the file size")
    steps = log.provenance("edf")
    assert [s.operation for s in steps] == ["read", "repair"]
    assert steps[1].parameters["field"] == "n_records"


def test_a_strict_repair_raises_naming_file_and_field():
    log = RepairLog("f.edf", strict=True)
    with pytest.raises(FileFormatError) as e:
        log.repair("n_records", "header says -1", "counted")
    assert e.value.file == "f.edf" and e.value.field == "n_records"
    assert "f.edf" in str(e.value) and "n_records" in str(e.value)


def test_errors_share_one_base_and_are_also_value_errors():
    for cls in (FileFormatError, ParameterError):
        assert issubclass(cls, MyographError) and issubclass(cls, ValueError)


@pytest.mark.parametrize(("unit", "si", "factor"), [
    ("mV", "V", 1e-3), ("mv", "V", 1e-3), ("uV", "V", 1e-6), ("µV", "V", 1e-6), ("μV", "V", 1e-6),
    ("V", "V", 1.0), ("N", "N", 1.0), ("Nmm", "N·m", 1e-3), ("%MVC", "%MVC", 1.0), ("", "", 1.0),
])
def test_units_convert_to_si(unit, si, factor):
    assert scale_to_si(unit) == (si, pytest.approx(factor))


def test_voltage_units_are_recognised_in_any_spelling():
    assert is_voltage("microvolts") and is_voltage("MV".lower()) and not is_voltage("N")
    assert normalize_unit(" uv ") == "uV"
