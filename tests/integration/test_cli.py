import json

from typer.testing import CliRunner

from twin.cli import app

runner = CliRunner()


def test_scenarios_lists_the_library():
    out = runner.invoke(app, ["scenarios"])
    assert out.exit_code == 0
    assert "supermarket-v1" in out.stdout and "convenience-v1" in out.stdout


def test_scenarios_schema_is_json():
    out = runner.invoke(app, ["scenarios", "--schema"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["title"] == "Scenario"


def test_run_writes_summary_and_tables(tmp_path):
    target = tmp_path / "x"
    out = runner.invoke(
        app, ["run", "convenience", "--seed", "7", "--days", "1", "--out", str(target)]
    )
    assert out.exit_code == 0, out.output
    summary = json.loads((target / "summary.json").read_text())
    assert summary["scenario"] == "convenience-v1" and summary["seed"] == 7
    for key in (
        "visitors",
        "transactions",
        "conversion",
        "sales",
        "gross_margin",
        "avg_basket",
        "items_per_basket",
        "queue_wait_p50_s",
        "queue_wait_p95_s",
        "lost_sales_oos",
        "balked",
    ):
        assert key in summary["kpis"]
    assert (target / "hourly.parquet").exists() and (target / "visits.parquet").exists()
    assert (target / "store.db").exists()
    assert "conversion" in out.stdout and str(target) in out.stdout


def test_bad_scenario_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: shop\nname: Shop\nformat: kiosk\n")
    out = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert out.exit_code == 2
    assert "format = 'kiosk'" in out.stderr
    assert "arrivals: required field is missing" in out.stderr
    assert not (tmp_path / "o").exists()


def test_unknown_scenario_id(tmp_path):
    out = runner.invoke(app, ["run", "hypermarket", "--out", str(tmp_path / "o")])
    assert out.exit_code == 2
    assert "library ids" in out.stderr


def test_bench_twin_json(monkeypatch):
    import twin.bench

    def fake(scenario, seed, repeat):  # the real one takes seconds; the benchmarks run it
        return {
            "store_day_s": 1.0,
            "visitors": 1,
            "twin_events_per_s": 1.0,
            "simpy_events_per_s": 2.0,
            "ratio": 0.5,
        }

    monkeypatch.setattr(twin.bench, "bench_twin", fake)
    out = runner.invoke(app, ["bench", "twin", "--json"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["ratio"] == 0.5
