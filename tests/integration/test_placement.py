"""Placement what-ifs and hot zones: moves change where shoppers walk and what they take."""

import numpy as np
import pytest

from scenarios import ScenarioError
from scenarios.overrides import apply
from twin.model import StoreModel
from twin.run import run

ENDCAP = {"moves": [{"category": "snacks", "fixture": "endcap"}]}


def snacks_sold(result) -> int:
    sku = result.frame("sku_daily")
    return int(sku[sku["sku"].str.startswith("SNA")]["sold"].sum())


def exposure(result, spot: str) -> tuple[int, float]:
    hz = result.frame("hotzones")
    row = hz[hz["spot"] == spot]
    return int(row["passers"].sum()), float(row["dwell_s"].sum())


@pytest.fixture(scope="module")
def arms():
    from scenarios import load

    sc = load("supermarket")
    sc = sc.model_copy(update={"arrivals": sc.arrivals.model_copy(update={"daily_visitors": 400})})
    return run(sc, seed=4), run(apply(sc, {"placement": ENDCAP}), seed=4)


def test_snacks_on_the_end_cap_are_seen_and_bought_more_by_the_same_shoppers(arms):
    base, moved = arms
    visits_b, visits_m = base.frame("visits"), moved.frame("visits")
    for same in ("arrival_s", "segment", "list_lines"):  # same shoppers with the same lists
        assert visits_b[same].tolist() == visits_m[same].tolist()
    aisle_passers, aisle_dwell = exposure(base, "snacks")  # where snacks stand without the move
    cap_passers, cap_dwell = exposure(moved, "snacks:endcap_front")
    assert cap_passers > 1.5 * aisle_passers
    assert cap_dwell > exposure(base, "snacks:endcap_front")[1]
    assert exposure(moved, "snacks")[1] < aisle_dwell  # snack shoppers stop at the end-cap now
    assert snacks_sold(moved) > 1.1 * snacks_sold(base)
    hz = moved.frame("hotzones")
    assert hz.loc[hz["spot"] == "snacks:endcap_front", "placed"].tolist() == ["snacks"]
    assert (base.frame("hotzones")["placed"] == "").all()


def test_a_move_that_changes_nothing_changes_no_kpi(supermarket, small):
    """With a placement block, the old streams are untouched and no display draws."""
    sc = small(supermarket, 200)
    same = apply(sc, {"placement": {"moves": [{"category": "snacks"}]}})
    assert run(same, seed=2).kpis == run(sc, seed=2).kpis


def test_hot_zone_truth_adds_up_to_the_trajectories(supermarket, small, monkeypatch):
    paths = []
    record = StoreModel.record_visit

    def keep(model, shopper):
        t = shopper.trajectory
        paths.append(np.asarray([t.t, t.x, t.y]))
        record(model, shopper)

    monkeypatch.setattr(StoreModel, "record_visit", keep)
    sc = small(supermarket, 120)
    result = run(apply(sc, {"placement": ENDCAP}), seed=6)
    hz = result.frame("hotzones")
    assert len(paths) == result.kpis["visitors"]
    dt = 0.02
    for z in sc.layout.zones:
        dwell, passers = 0.0, 0
        for t, x, y in paths:
            ts = np.arange(t[0], t[-1], dt)
            xs, ys = np.interp(ts, t, x), np.interp(ts, t, y)
            inside = (xs >= z.x) & (xs <= z.x + z.width) & (ys >= z.y) & (ys <= z.y + z.depth)
            dwell += inside.sum() * dt
            passers += bool(inside.any())
        row = hz[hz["spot"] == z.id]
        assert row["dwell_s"].sum() == pytest.approx(dwell, rel=0.01, abs=2.0)
        assert abs(int(row["passers"].sum()) - passers) <= 1
    walked = sum(t[-1] - t[0] for t, _, _ in paths)
    assert hz[hz["kind"] == "zone"]["dwell_s"].sum() <= walked


@pytest.mark.parametrize(
    ("move", "path", "allowed"),
    [
        ({"category": "snacks", "zone": "nowhere"}, "placement.moves[0].zone", "dairy"),
        ({"category": "snacks", "fixture": "top_shelf"}, "placement.moves[0].fixture", "endcap"),
        ({"category": "crisps"}, "placement.moves[0].category", "snacks"),
        ({"sku": "SNA9999"}, "placement.moves[0].sku", "SNA0001..SNA0045"),
        ({"category": "snacks", "sku": "SNA0001"}, "placement.moves[0].category", "exactly one"),
    ],
)
def test_a_bad_placement_names_the_field_and_what_is_allowed(supermarket, move, path, allowed):
    with pytest.raises(ScenarioError) as err:
        apply(supermarket, {"placement": {"moves": [move]}})
    [problem] = err.value.problems
    assert problem.path == path
    assert allowed in problem.message


def test_a_placement_pilot_runs_the_six_steps_and_knows_the_true_lift(tmp_path):
    import json

    from scenarios.pilot import parse_pilot, run_pilot

    pilot = parse_pilot(
        {
            "id": "tiny_endcap",
            "name": "tiny end-cap",
            "seed": 5,
            "chain": {
                "scenario": "convenience",
                "set": {
                    "arrivals.daily_visitors": 40,
                    "chain": {"stores": 3, "seed": 3, "formats": {"convenience": 1.0}},
                },
            },
            "interventions": [{"name": "placement", "params": {"moves": [ENDCAP["moves"][0]]}}],
            "stores": {
                "formats": ["convenience"],
                "pilot": 1,
                "references_per_pilot": 2,
                "match_on": ["sales"],
            },
            "periods": {"pre_days": 4, "pilot_days": 2},
            "kpis": ["sales", "items", "contribution"],
            "decision": {"kpi": "sales", "allow_underpowered": True},
            "estimate": {"days": 1},
        }
    )
    run_pilot(pilot, tmp_path, workers=1)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["pre_period_identical"] is True
    assert report["estimates"]["items"]["true_effect"] > 0
    assert report["estimates"]["sales"]["true_effect"] > 0


def test_hot_zones_sit_beside_what_wifi_probes_and_cameras_saw(small):
    from scenarios import load

    sc = small(load("department"), 100)  # the library department store has WiFi probes
    women = sc.layout.zones[0]
    camera = {"kind": "ceiling", "id": "c1", "x": women.x + women.width / 2, "y": women.y + 2}
    sc = apply(sc, {"devices.cameras": {"fidelity": "oracle", "cameras": [camera]}})
    hz = run(sc, seed=1).frame("hotzones")
    zones = hz[hz["kind"] == "zone"]
    assert zones["wifi_dwell_s"].notna().all() and zones["wifi_dwell_s"].sum() > 0
    assert hz[hz["kind"] == "endcap"]["wifi_dwell_s"].isna().all()  # probes cannot tell
    row = zones[zones["spot"] == women.id].iloc[0]
    assert row["camera_person_s"] == row["camera_true_person_s"] > 0  # oracle sees the truth
    assert zones[zones["spot"] != women.id]["camera_person_s"].isna().all()
