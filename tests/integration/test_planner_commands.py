"""Planners' commands do what they say: plain overrides, chain changes, errors, listings."""

import json

from typer.testing import CliRunner

from twin.cli import app

runner = CliRunner()


def test_param_changes_one_run_without_a_what_if(tmp_path):
    out = runner.invoke(
        app,
        ["run", "convenience", "--param", "arrivals.daily_visitors=60", "--out", str(tmp_path)],
    )
    assert out.exit_code == 0, out.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["kpis"]["visitors"] < 120  # the library store has ~900
    assert not (tmp_path / "what_if.json").exists() and not (tmp_path / "base").exists()
    assert "What-if" not in out.stdout


def test_param_and_set_together_compare_on_the_changed_base(tmp_path):
    out = runner.invoke(
        app,
        [
            "run",
            "convenience",
            "--param",
            "arrivals.daily_visitors=60",
            "--set",
            "checkout.queue=serpentine",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
    )
    assert out.exit_code == 0, out.output
    base = json.loads((tmp_path / "base" / "summary.json").read_text())["kpis"]
    variant = json.loads((tmp_path / "set" / "summary.json").read_text())["kpis"]
    assert base["visitors"] == variant["visitors"] < 120


def test_a_chain_override_that_some_stores_cannot_take_is_named(tmp_path):
    chain = "chain={stores: 3, seed: 1, formats: {department: 0.5, convenience: 0.5}}"
    out = runner.invoke(
        app,
        [
            "run",
            "department",
            "--param",
            chain,
            "--param",
            "checkout.lanes=9",
            "--param",
            "arrivals.daily_visitors=40",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "warning: checkout.lanes not applied to the convenience stores" in out.stderr
    assert "layout.width_m" in out.stderr


def test_errors_name_the_field_the_user_typed(tmp_path):
    out = runner.invoke(app, ["run", "convenience", "--set", "checkout.lanes=3"])
    assert out.exit_code == 2
    assert out.stderr.startswith("error:")
    assert "checkout.lanes = 3" in out.stderr and "layout.width_m" in out.stderr
    assert "(top level)" not in out.stderr


def test_usage_errors_start_like_every_other_error():
    for args in (["run", "convenience", "--days", "0"], ["runn"], ["run", "x", "--bogus"]):
        out = runner.invoke(app, args)
        assert out.exit_code == 2
        assert out.stderr.startswith("error:"), out.stderr
        assert "--help" in out.stderr


def test_pilot_validate_states_the_minimum_it_enforces():
    helped = runner.invoke(app, ["pilot", "validate", "--help"], env={"COLUMNS": "200"})
    assert "10 for self_checkout" in helped.stdout and "x>=4" not in helped.stdout
    out = runner.invoke(app, ["pilot", "validate", "--stores", "8"])
    assert out.exit_code == 2
    assert out.stderr.startswith("error:") and "needs at least 10" in out.stderr


def test_listings_keep_identifiers_whole_and_have_json():
    listed = runner.invoke(app, ["interventions"])
    assert any("ai_loss_prevention" in line for line in listed.stdout.splitlines())
    assert any("targeted_coupons" in line for line in listed.stdout.splitlines())
    scenarios = runner.invoke(app, ["scenarios"])
    assert any("convenience-v1" in line for line in scenarios.stdout.splitlines())
    rows = json.loads(runner.invoke(app, ["scenarios", "--json"]).stdout)
    assert {r["id"] for r in rows} >= {"supermarket-v1", "convenience-v1"}
    assert json.loads(runner.invoke(app, ["interventions", "--json"]).stdout)[0]["name"]


def test_calibrate_prints_json(monkeypatch):
    import twin.baselines
    import twin.calibration
    from twin.baselines import BaselineRow, Reference
    from twin.calibration import Row

    def fake(seed, days, visitors, tick):  # the real one runs every intervention
        return [Row("ai_loss_prevention", "case", "theft -80%", "theft", -84.0, -80.0, 10.0, True)]

    def fake_baselines(seed, days, tick):  # the real one runs every format for a week
        ref = Reference("sales lost to empty shelves", "oos_share", 0.0, 0.08, "%", "a study")
        return [BaselineRow("convenience", ref, 0.02)], {}

    monkeypatch.setattr(twin.calibration, "sanity_table", fake)
    monkeypatch.setattr(twin.baselines, "baseline_table", fake_baselines)
    out = runner.invoke(app, ["calibrate", "--json"])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.stdout)
    assert printed["sanity"][0]["intervention"] == "ai_loss_prevention"
    assert printed["sanity"][0]["verdict"] == "fitted, holds"
    assert printed["baselines"][0]["within"] is True


def test_a_one_seed_what_if_says_its_differences_may_be_chance(tmp_path):
    args = ["run", "convenience", "--param", "arrivals.daily_visitors=60"]
    out = runner.invoke(app, [*args, "--set", "checkout.queue=serpentine", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())  # rich wraps long lines
    assert "may still be chance" in text and "--replications" in text
