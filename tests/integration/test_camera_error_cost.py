"""Model error has a price: lanes opened on a false count cost labour, lanes kept shut cost waits.

Every arm runs the same seed (common random numbers); the cameras differ only
in the error table their measured fidelity draws from.
"""

import json

import pytest

from scenarios import load
from scenarios.overrides import apply
from twin.run import run

ON_CALL = {"staff.cashiers.off_till_value": 1.0}


@pytest.fixture(scope="module")
def busy():
    """A convenience store busy enough that the second lane matters, paying only till time."""
    return apply(load("convenience"), {"arrivals.daily_visitors": 2000, **ON_CALL})


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """Error rates of a camera that always sees two too many and one that sees up to two too few."""
    sizes = range(1, 10)
    models = [
        {
            "name": "over",
            "task": "people",
            "latency_ms_p50": 0,
            "recall": 1.0,
            "fp_per_frame": 2.0,
            "count_error_by_count": {str(n): {"2": 1.0} for n in sizes},
        },
        {
            "name": "under",
            "task": "people",
            "latency_ms_p50": 0,
            "recall": 0.5,
            "fp_per_frame": 0.0,
            "count_error_by_count": {str(n): {str(-min(n, 2)): 1.0} for n in sizes},
        },
    ]
    path = tmp_path_factory.mktemp("errors") / "table.json"
    path.write_text(json.dumps({"models": models}))
    return path


def camera(fidelity, model, table):
    cams = [{"kind": "queue", "id": "q", "model": model}]
    return {"devices.cameras": {"fidelity": fidelity, "error_table": str(table), "cameras": cams}}


def test_over_counting_costs_labour_and_under_counting_costs_waits(busy, table):
    oracle = run(apply(busy, camera("oracle", "blazepose", table)), seed=1)
    over = run(apply(busy, camera("measured", "over", table)), seed=1)
    under = run(apply(busy, camera("measured", "under", table)), seed=1)
    o, hi, lo = oracle.kpis, over.kpis, under.kpis
    assert hi["labour_cost"] > o["labour_cost"] + 100  # an extra lane open most of the day
    assert hi["contribution"] < o["contribution"] - 50
    assert lo["queue_wait_mean_s"] > 1.15 * o["queue_wait_mean_s"]
    assert lo["balked"] + lo["reneged"] > o["balked"] + o["reneged"]
    assert lo["transactions"] < o["transactions"]
    assert lo["contribution"] < o["contribution"]
    off = {r.kpis["labour_cost"]: r.frame("daily") for r in (oracle, over, under)}
    assert all((d["cashier_off_till_hours"] > 0).all() for d in off.values())


def test_a_fixed_roster_pays_idle_cashiers_and_an_on_call_one_does_not():
    fixed = {"staff.cashiers.mode": "fixed", "checkout.lanes": 1, "arrivals.daily_visitors": 200}
    paid = run(apply(load("convenience"), fixed), seed=2)
    on_call = run(apply(load("convenience"), {**fixed, **ON_CALL}), seed=2)
    idle_h = float(on_call.frame("daily")["cashier_off_till_hours"].sum())
    assert idle_h == pytest.approx(9.0, abs=0.05)  # 11:00-20:00: two cashiers, one lane
    wage = load("convenience").staff.wages["cashier"]
    assert paid.kpis["labour_cost"] - on_call.kpis["labour_cost"] == pytest.approx(idle_h * wage)
    assert paid.kpis["transactions"] == on_call.kpis["transactions"]
