"""Checkout queue discipline and the shoppers' switches (balking, reneging, walking speed)."""

import numpy as np
import pytest

from scenarios import ScenarioError, load
from scenarios.overrides import apply
from twin.run import run

BUSY = {
    "arrivals.daily_visitors": 1000,
    "staff.cashiers.mode": "fixed",
    "staff.shifts": [{"role": "cashier", "start": "07:00", "end": "22:00", "count": 2}],
    "shoppers.balking": False,
    "shoppers.reneging": False,
}


def _lane_waits(queue: str) -> np.ndarray:
    sc = apply(load("supermarket"), {**BUSY, "checkout.queue": queue})
    visits = run(sc, seed=1, days=1).tables["visits"].to_pandas()
    return visits.loc[visits.till == "lane", "wait_s"].to_numpy()


def test_a_serpentine_line_evens_out_the_wait_at_the_same_staffing():
    per_lane, serpentine = _lane_waits("per_lane"), _lane_waits("serpentine")
    assert len(per_lane) == len(serpentine) > 500  # the same shoppers, all served
    assert serpentine.std() < per_lane.std()
    assert np.percentile(serpentine, 95) < np.percentile(per_lane, 95)


def test_queue_discipline_is_checked():
    with pytest.raises(ScenarioError, match=r"checkout.queue.*per_lane.*serpentine"):
        apply(load("convenience"), {"checkout.queue": "snake"})


@pytest.mark.parametrize(
    ("switch", "tight", "kpi"),
    [
        ("shoppers.balking", {"shoppers.balk_queue_mean": 0.05}, "balked"),
        (
            "shoppers.reneging",
            {"shoppers.balking": False, "shoppers.patience_min_mean": 0.01},
            "reneged",
        ),
    ],
)
def test_balking_and_reneging_switch_off(small, switch, tight, kpi):
    store = small(load("convenience"), 300)
    on = run(apply(store, tight), seed=2).kpis
    off = run(apply(store, {**tight, switch: False}), seed=2).kpis
    assert on[kpi] > 0
    assert off[kpi] == 0
    assert off["transactions"] > on["transactions"]


def test_walking_speed_bounds_are_fields():
    with pytest.raises(ScenarioError, match="walking_speed_min_mps"):
        apply(load("convenience"), {"shoppers.walking_speed_min_mps": 1.5})
    from services.client import InProcessClient
    from services.db import Database
    from services.db.engine import MEMORY_URL
    from twin.model import StoreModel
    from twin.rng import Streams

    sc = apply(
        load("convenience"),
        {
            "shoppers.walking_speed_sd": 2.0,
            "shoppers.walking_speed_min_mps": 0.9,
            "shoppers.walking_speed_max_mps": 1.1,
        },
    )
    db = Database(MEMORY_URL)
    db.create_schema()
    model = StoreModel(sc, Streams(1), InProcessClient(db))
    speeds = [model._spawn(np.random.default_rng(i)).speed for i in range(200)]
    assert min(speeds) == 0.9 and max(speeds) == 1.1


def test_no_scanning_time_at_the_lanes_with_a_self_checkout_runs(small):
    sc = apply(
        small(load("convenience"), 100),
        {"checkout.scan_s_per_item": 0, "interventions": ["self_checkout"]},
    )
    kpis = run(sc, seed=1).kpis
    assert kpis["transactions"] > 0
