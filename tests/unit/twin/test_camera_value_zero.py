"""A camera that costs nothing prints 0.0, not -0.0 (a negated zero read as a tiny loss)."""

import io

import pandas as pd
from rich.console import Console

from twin.camera_value import _ci
from twin.commands.cameras import cost_table


def test_a_zero_difference_is_not_a_negative_zero():
    """`cameras value` printed "cost -0.00 CNY per store-day (95% CI -0.00 to -0.00)"."""
    cost = _ci(pd.Series({"diff": 0.0, "ci_low": 0.0, "ci_high": 0.0}), 1.0, -1.0)
    assert [repr(v) for v in cost.values()] == ["0.0", "0.0", "0.0"]
    tiny = _ci(pd.Series({"diff": 0.001, "ci_low": -0.002, "ci_high": 0.004}), 1.0, -1.0)
    assert repr(tiny["mean"]) == "0.0"


def test_the_oracle_row_shows_no_negative_zero_margin():
    kpis = {k: {"value": 0.0} for k in ("balked", "reneged", "queue_wait_mean_s")}
    zero = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    arm = {"arm": "oracle", "cost_per_store_day": zero, "kpis": kpis}
    result = {"currency": "CNY", "scenario": "s", "days": 1, "replications": 2, "arms": [arm]}
    out = io.StringIO()
    Console(file=out, width=120).print(cost_table(result))
    assert "-0.0" not in out.getvalue()
