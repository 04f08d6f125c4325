"""storetwin cameras value on a tiny store: arms, the cost of error against the runs, errors."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from twin.cli import app

TINY = ["--param", "arrivals.daily_visitors=300", "--days", "1", "--workers", "1"]


@pytest.fixture(scope="module")
def noisy_table(tmp_path_factory):
    """A model of one's own that sees two people too many at every lane (bench.json format)."""
    counts = {str(n): {"2": 1.0} for n in range(1, 10)}
    entry = {"name": "noisy", "task": "people", "latency_ms_p50": 5.0, "recall": 1.0}
    entry |= {"fp_per_frame": 2.0, "count_error_by_count": counts}
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    path.write_text(json.dumps({"models": [entry]}))
    return path


@pytest.fixture(scope="module")
def valued(tmp_path_factory, noisy_table):
    out = tmp_path_factory.mktemp("value")
    args = ["cameras", "value", "convenience", "--camera", "queue", "--replications", "2"]
    args += ["--model", "blazepose", "--model", "noisy.xml", "--error-table", str(noisy_table)]
    args += ["--off-till-value", "1", *TINY, "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, " ".join(result.output.split())


def _contribution(out, arm, rep):
    return json.loads((out / "runs" / f"{arm:03d}" / f"r{rep:02d}" / "summary.json").read_text())[
        "kpis"
    ]["contribution"]


def test_value_prices_each_model_against_the_oracle_camera(valued):
    out, output = valued
    result = json.loads((out / "value.json").read_text())
    names = [a["arm"] for a in result["arms"]]
    assert names == ["no camera", "oracle", "measured blazepose", "measured noisy"]
    assert result["seeds"] == [0, 1] and result["replications"] == 2
    for i, arm in enumerate(result["arms"]):
        if arm["arm"] == "oracle":
            continue
        paired = [_contribution(out, 1, r) - _contribution(out, i, r) for r in (0, 1)]
        cost = arm["cost_per_store_day"]
        assert cost["mean"] == pytest.approx(sum(paired) / 2, abs=0.01)
        assert cost["ci_low"] <= cost["mean"] <= cost["ci_high"]
    noisy = result["arms"][3]
    assert noisy["breakdown_per_store_day"]["extra_labour"] > 50  # a second lane kept open
    assert noisy["cost_per_store_day"]["mean"] > 0
    assert noisy["count_error"]["bias"] > 1.5 and noisy["count_error"]["over_share"] > 0.8
    assert "count_error" not in result["arms"][0]  # the no-camera arm has no camera
    assert "measured noisy's errors cost" in output and "CNY per store-day (95% CI" in output
    page = (out / "value.html").read_text()
    assert "plotly" in page.lower() and "Breakdown of the cost" in page


def test_every_arm_meets_the_same_shoppers(valued):
    out, _ = valued
    arrivals = [
        pd.read_parquet(out / "runs" / f"{a:03d}" / "r00" / "visits.parquet")["arrival_s"]
        for a in range(4)
    ]
    assert all(a.equals(arrivals[0]) for a in arrivals)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--model", "mystery"], "no measured error rates for 'mystery'"),
        (["--camera", "door"], "door"),
        (["--model", "blazepose", "--error-table", "missing.json"], "not found"),
    ],
)
def test_bad_value_requests_are_one_line_errors(args, says, tmp_path):
    cmd = ["cameras", "value", "convenience", *args, "--out", str(tmp_path), "--quiet"]
    result = CliRunner().invoke(app, cmd)
    assert result.exit_code == 2
    assert "error:" in result.output and says in result.output
    assert "Traceback" not in result.output


def test_a_fixed_roster_is_flagged_as_pricing_no_labour(tmp_path):
    from scenarios import load
    from twin.camera_value import arms, merged_table

    table, models = merged_table([], tmp_path / "t.json")
    plan, notes = arms(load("convenience"), ["blazepose"], table, models)
    assert list(plan) == ["no camera", "oracle", "measured blazepose"]
    assert any("off_till_value = 0" in n for n in notes)
    assert plan["no camera"].scenario.devices.cameras.cameras == []
    assert plan["measured blazepose"].scenario.devices.cameras.cameras[0].model == "blazepose"
