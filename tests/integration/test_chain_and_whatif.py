import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from scenarios import ScenarioError, load
from scenarios.chain import describe, expand
from scenarios.overrides import apply, parse_assignment
from twin.chain_run import run_chain
from twin.cli import app
from twin.executor import run_many
from twin.run import run


@pytest.fixture(scope="module")
def chain():
    sc = load("supermarket")
    return apply(
        sc,
        {
            "arrivals.daily_visitors": 400,
            "chain": {"stores": 3, "formats": {"supermarket": 0.6, "convenience": 0.4}},
        },
    )


def test_a_chain_has_different_stores_from_one_seed(chain):
    stores = expand(chain)
    assert [s.store_id for s in stores] == ["S001", "S002", "S003"]
    assert describe(stores) == describe(expand(chain))
    traffic = [row["traffic_factor"] for row in describe(stores)]
    assert len(set(traffic)) == 3
    other = apply(chain, {"chain.seed": 2})
    assert describe(expand(other)) != describe(stores)


def test_chain_runs_each_store_and_stacks_the_days(chain, tmp_path):
    inline = run_chain(chain, seed=1, days=2, out=tmp_path / "a", workers=1)
    pooled = run_chain(chain, seed=1, days=2, out=tmp_path / "b", workers=2)
    daily = inline.daily.to_pandas()
    assert len(daily) == 3 * 2 and sorted(daily["store_id"].unique()) == ["S001", "S002", "S003"]
    assert inline.summary() == pooled.summary()
    paths = inline.write(tmp_path / "a")
    assert json.loads(paths["summary"].read_text())["stores"] == 3
    assert (tmp_path / "a" / "stores" / "S002" / "daily.parquet").exists()
    per_store = sum(s.kpis["visitors"] for s in inline.stores)
    assert inline.kpis["visitors"] == per_store


def test_what_if_base_arm_is_the_plain_run(tmp_path):
    out = tmp_path / "wi"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "convenience",
            "--seed",
            "2",
            "--out",
            str(out),
            "--quiet",
            "--set",
            "checkout.fixed_s=3",
        ],
    )
    assert result.exit_code == 0, result.output
    base = json.loads((out / "base" / "summary.json").read_text())["kpis"]
    assert base == dict(run(load("convenience"), seed=2).kpis)
    rows = json.loads((out / "what_if.json").read_text())["rows"]
    assert {r["variant"] for r in rows} == {"set"}


def test_what_if_block_runs_each_variant(tmp_path):
    sc = apply(
        load("convenience"),
        {
            "arrivals.daily_visitors": 300,
            "what_if": {"variants": [{"name": "carts", "set": {"interventions": ["smart_cart"]}}]},
        },
    )
    from twin.whatif import compare, variants_of

    comparison = compare(sc, variants_of(sc, {}), seed=1, days=1, out=tmp_path)
    smart = {r["kpi"]: r for r in comparison.rows()}["smart_cart_share"]
    assert smart["base"] == 0 and smart["value"] > 0


def test_interventions_are_validated_with_paths():
    sc = load("supermarket")
    with pytest.raises(ScenarioError) as bad_name:
        apply(sc, {"interventions": ["teleporter"]})
    assert "self_checkout" in str(bad_name.value) and "esl" in str(bad_name.value)
    with pytest.raises(ScenarioError) as bad_param:
        apply(sc, {"interventions": [{"name": "self_checkout", "params": {"stations": -1}}]})
    assert "interventions[0].self_checkout.params.stations" in str(bad_param.value)
    with pytest.raises(ValueError, match="add self_checkout first"):
        run(apply(sc, {"interventions": ["ai_loss_prevention"]}), seed=1)


def test_set_needs_path_and_value():
    with pytest.raises(ScenarioError, match="PATH=VALUE"):
        parse_assignment("checkout.lanes")
    assert parse_assignment("interventions=[esl, smart_cart]") == (
        "interventions",
        ["esl", "smart_cart"],
    )
    with pytest.raises(ScenarioError, match=r"checkout\.lanes"):
        apply(load("supermarket"), {"checkout.lanes": "many"})


def test_intervention_costs_are_in_the_summary(small):
    sc = small(apply(load("supermarket"), {"interventions": ["self_checkout", "esl"]}))
    summary = run(sc, seed=1).summary()
    costs = {i["name"]: i for i in summary["interventions"]}
    assert costs["self_checkout"]["one_off"] == 4 * 35000.0
    assert costs["esl"]["one_off"] > 8000.0
    assert costs["self_checkout"]["params"]["stations"] == 4


def test_interventions_command_lists_the_library():
    out = CliRunner().invoke(app, ["interventions", "--json"])
    assert out.exit_code == 0
    names = {row["name"] for row in json.loads(out.stdout)}
    assert {"self_checkout", "esl", "smart_cart", "voice_promoter", "shift_optimizer"} <= names


def test_a_one_store_what_if_runs_its_arms_as_one_batch_with_the_same_results(
    tmp_path, monkeypatch
):
    import twin.whatif as whatif

    sc = apply(load("convenience"), {"arrivals.daily_visitors": 300})
    variants = whatif.variants_of(sc, {"checkout.lanes": 1})
    batches = []

    def spy(jobs, *args, **kwargs):
        batches.append(list(jobs))
        return run_many(jobs, *args, **kwargs)

    monkeypatch.setattr(whatif, "run_many", spy)
    comparison = whatif.compare(sc, variants, seed=1, days=1, out=tmp_path, workers=2)
    [jobs] = batches
    assert [Path(j.out).name for j in jobs] == ["base", "set"]
    alone = {"base": run(sc, seed=1), "set": run(variants["set"], seed=1)}
    assert dict(comparison.base) == dict(alone["base"].kpis)
    assert dict(comparison.variants["set"]) == dict(alone["set"].kpis)
    for name, result in alone.items():
        daily = pq.read_table(tmp_path / name / "daily.parquet")
        assert daily.equals(result.tables["daily"])
