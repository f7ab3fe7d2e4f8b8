import math
from dataclasses import FrozenInstanceError

import pytest

from psikometri import Estimate


def test_estimate_float_repr_html_and_frozen():
    e = Estimate(0.8123, 0.77, 0.85, se=0.02, n=120, method="cronbach_alpha", ci_method="feldt", level=0.95)
    assert float(e) == 0.8123
    assert f"{e:.2f}" == "0.81"
    assert repr(e) == "Estimate(cronbach_alpha = 0.812, 95% CI [0.770, 0.850] (feldt), se = 0.020, n = 120)"
    h = e._repr_html_()
    assert "<table" in h and "0.8123" in h and "95% CI (feldt)" in h
    assert "value    : 0.8123" in e.summary()
    assert e.ci == (0.77, 0.85)
    with pytest.raises(FrozenInstanceError):
        e.value = 1.0
    d = e.to_dict()
    assert d["value"] == 0.8123 and d["method"] == "cronbach_alpha"


def test_estimate_nan_with_note():
    e = Estimate(math.nan, n=2, method="icc", note="too few targets")
    assert math.isnan(float(e))
    assert "NaN" in repr(e) and "too few targets" in repr(e) and "CI" not in repr(e)
    assert "too few targets" in e._repr_html_()


def test_html_is_escaped():
    e = Estimate(1.0, method="<script>")
    assert "<script>" not in e._repr_html_()
