"""A traced run (the store-floor replay's data) has the same KPIs as an untraced one."""

import json

import pyarrow.compute as pc
import pytest
import yaml
from typer.testing import CliRunner

from scenarios.overrides import apply
from twin.cli import app
from twin.run import run
from twin.trace import SHELF_STEP_S, STEP_S


def test_trace_changes_no_kpi_and_samples_every_visit(supermarket, small):
    scenario = small(supermarket, 150)
    plain = run(scenario, seed=4)
    traced = run(scenario, seed=4, trace=True)
    assert traced.kpis == plain.kpis
    for name, table in plain.tables.items():
        assert traced.tables[name].equals(table), name
    assert set(traced.tables) - set(plain.tables) == {"tracks", "queues", "floor", "shelf_events"}

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


def _last(events, kinds):
    """Each SKU's last event among ``kinds``."""
    return events[events["event"].isin(kinds)].groupby("sku")["event"].last()


def test_shelf_events_end_where_the_last_day_ends(supermarket, small):
    """Out-of-stock and label-mismatch spells still open at the end are the SKUs that the
    run's own day-end table books as empty, or as labelled with another price."""
    scenario = apply(small(supermarket, 400), {"pricing.changes_per_day": 40})
    traced = run(scenario, seed=1, days=2, trace=True)
    events = traced.tables["shelf_events"].to_pandas()
    assert (events["t_s"] % SHELF_STEP_S == 0).all() and events["t_s"].is_monotonic_increasing
    last = traced.tables["sku_daily"].to_pandas().query("day == 1")
    stock = _last(events, ["out_of_stock", "restocked"])
    assert len(stock) > 0
    assert set(stock[stock == "out_of_stock"].index) == set(last.loc[last["shelf_end"] == 0, "sku"])
    labels = _last(events, ["price_mismatch", "price_fixed"])
    wrong = last.loc[last["label_cents"] != last["price_cents"], "sku"]
    assert (labels == "price_fixed").any()
    assert set(labels[labels == "price_mismatch"].index) == set(wrong)
    mismatch = events[events["event"] == "price_mismatch"]
    assert (mismatch["shown_cents"] != mismatch["price_cents"]).all()
    assert set(mismatch["labels"]) == {"paper"}
    zones = {z.id: z for z in scenario.layout.zones}
    for row in events.drop_duplicates("sku").itertuples():
        z = zones[row.zone]
        assert z.x <= row.x <= z.x + z.width and z.y <= row.y <= z.y + z.depth


@pytest.mark.slow
def test_a_real_camera_leaves_sample_frames_with_both_box_sets(supermarket, small):
    queue = {"kind": "queue", "id": "q1", "lanes": [0], "interval_s": 3600}
    cameras = {"fidelity": "real", "cameras": [queue]}
    scenario = apply(small(supermarket, 200), {"devices.cameras": cameras})
    traced = run(scenario, seed=1, trace=True)
    frames = traced.tables["frames"].to_pandas()
    assert 1 <= len(frames) <= 4 and set(frames["camera"]) == {"q1"}
    assert frames["t_s"].diff().dropna().ge(3 * 3600).all()
    for row in frames.itertuples():
        assert row.jpeg[:2] == b"\xff\xd8" and 5_000 < len(row.jpeg) < 100_000
        truth, predicted = json.loads(row.truth), json.loads(row.predicted)
        assert truth and all(len(b) == 4 for b in truth)
        assert all(len(b) == 5 and 0 < b[4] <= 1 for b in predicted)
        assert all(0 <= b[0] < b[2] <= row.width + 1 for b in truth)
