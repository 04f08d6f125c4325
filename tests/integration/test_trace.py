"""A traced run (the store-floor replay's data) has the same KPIs as an untraced one."""

import pyarrow.compute as pc
import yaml
from typer.testing import CliRunner

from twin.cli import app
from twin.run import run
from twin.trace import STEP_S


def test_trace_changes_no_kpi_and_samples_every_visit(supermarket, small):
    scenario = small(supermarket, 150)
    plain = run(scenario, seed=4)
    traced = run(scenario, seed=4, trace=True)
    assert traced.kpis == plain.kpis
    for name, table in plain.tables.items():
        assert traced.tables[name].equals(table), name
    assert set(traced.tables) - set(plain.tables) == {"tracks", "queues", "floor"}

    tracks = traced.tables["tracks"].to_pandas()
    visits = plain.tables["visits"].to_pandas()
    shoppers = tracks[tracks["kind"] == "shopper"]
    long_enough = visits[visits["departure_s"] - visits["arrival_s"] > STEP_S]
    assert set(long_enough["visit_id"]) <= set(shoppers["id"])
    assert (tracks["t_s"] % STEP_S == 0).all() and tracks["t_s"].is_monotonic_increasing
    assert (tracks["kind"] == "restocker").any()
    floor = scenario.layout
    assert tracks["x"].between(-1, floor.width_m + 1).all()
    assert tracks["y"].between(-1, floor.depth_m + 1).all()

    floor_plan = traced.tables["floor"].to_pandas()
    assert (floor_plan["kind"] == "zone").sum() == len(floor.zones)
    assert (floor_plan["kind"] == "lane").sum() == scenario.checkout.lanes

    queues = traced.tables["queues"]
    waited = visits[visits["wait_s"].notna()]
    assert queues.num_rows == len(waited)
    spell = pc.subtract(queues["end_s"], queues["start_s"]).to_numpy()
    assert sorted(spell.round(6)) == sorted(waited["wait_s"].to_numpy().round(6))


def test_cli_trace_writes_the_tracks_and_refuses_a_chain(supermarket, small, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small(supermarket, 60).model_dump(mode="json")))
    runner = CliRunner()
    args = ["run", str(path), "--quiet", "--trace", "--out", str(tmp_path / "c")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c" / "tracks.parquet").exists()
    assert (tmp_path / "c" / "queues.parquet").exists()
    chain = runner.invoke(
        app, ["run", str(path), "--trace", "--set", 'chain={"stores": 2}', "--quiet"]
    )
    assert chain.exit_code != 0 and "--trace replays one store" in chain.output
