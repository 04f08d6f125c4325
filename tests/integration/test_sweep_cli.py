"""storetwin sweep and run --replications on a tiny store: files, CRN, verdicts, errors."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from scenarios import load
from twin.cli import app

TINY = ["--param", "arrivals.daily_visitors=60", "--days", "1", "--workers", "2"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    args = ["sweep", "convenience", "--vary", "checkout.lanes=1,2", "--replications", "2"]
    args += [*TINY, "--constraint", "queue_wait_p95_s<600", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_sweep_writes_one_row_per_variant_replication_and_kpi(swept):
    out, output = swept
    table = pd.read_parquet(out / "sweep.parquet")
    assert set(table["variant"]) == {"base", "checkout.lanes=1", "checkout.lanes=2"}
    per_run = table.groupby(["variant", "replication"]).size()
    assert len(per_run) == 3 * 2 and per_run.nunique() == 1
    assert sorted(table["seed"].unique()) == [0, 1]
    assert set(table.loc[table["variant"] == "checkout.lanes=1", "checkout.lanes"]) == {1}
    # the base sits on the parameter's axis at the scenario's own value, not NaN
    lanes = load("convenience").checkout.lanes
    assert set(table.loc[table["variant"] == "base", "checkout.lanes"]) == {lanes}
    params = json.loads((out / "sweep.json").read_text())["variants"]["base"]["params"]
    assert params == {"checkout.lanes": lanes}
    html = (out / "sweep.html").read_text()
    assert "Pareto front" in html and "95% CI" in html
    assert "best under max contribution, queue_wait_p95_s<600" in " ".join(output.split())


def test_sweep_uses_common_random_numbers(swept):
    out, _ = swept
    # convenience has 2 lanes: that variant is the base, seed for seed.
    diffs = json.loads((out / "sweep.json").read_text())["differences"]
    same = [d for d in diffs if d["variant"] == "checkout.lanes=2"]
    assert same and all(d["diff"] == 0 for d in same)
    assert all(d["distinguishable"] is False for d in same)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--vary", "checkout.lanes"], "expected PATH=V1,V2"),
        (["--vary", "checkout.lanes=1,2", "--goal", "max profit"], "'profit' is not a KPI"),
        (["--vary", "checkout.lanes=1", "--constraint", "wait<3"], "'wait' is not a KPI"),
        (["--vary", "checkout.lanes=1,99"], "checkout.lanes"),
        (["--vary", "nonsense.field=1"], "nonsense"),
    ],
)
def test_bad_sweep_input_is_a_clear_error(args, says):
    result = CliRunner().invoke(app, ["sweep", "convenience", *args])
    assert result.exit_code == 2
    assert "error:" in result.output and says in result.output


def test_run_with_replications_gives_paired_cis(tmp_path):
    args = ["run", "convenience", "--set", "interventions=[esl]", "--replications", "2"]
    result = CliRunner().invoke(app, [*args, *TINY, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "differences.json").read_text())["rows"]
    esl = {r["kpi"]: r for r in rows if r["variant"] == "set"}
    assert esl["price_mismatches"]["replications"] == 2
    assert esl["labour_cost"]["ci_low"] is not None
    assert "vs noise" in result.output
    assert "seeds 0..1" in result.output and "seed 0," not in result.output
    long = pd.read_parquet(tmp_path / "replications.parquet")
    assert set(long["variant"]) == {"base", "set"} and set(long["seed"]) == {0, 1}
