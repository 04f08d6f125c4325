"""Gymnasium-style check: each library scenario run twice with one seed gives the same bytes."""

import pytest

from scenarios import library
from scenarios.staffing import CashierPolicy, Shift
from twin.result import RunResult
from twin.run import run

LIBRARY = [s.versioned_id for s in library()]


@pytest.mark.parametrize("scenario_id", LIBRARY)
def test_same_seed_same_bytes(scenario_id, small, tmp_path):
    sc = small(next(s for s in library() if s.versioned_id == scenario_id))
    first = run(sc, seed=11).write(tmp_path / "a")
    second = run(sc, seed=11).write(tmp_path / "b")
    assert first["summary"].read_bytes() == second["summary"].read_bytes()
    assert first["hourly"].read_bytes() == second["hourly"].read_bytes()
    assert first["visits"].read_bytes() == second["visits"].read_bytes()


@pytest.mark.parametrize("scenario_id", LIBRARY)
def test_other_seed_other_numbers(scenario_id, small):
    sc = small(next(s for s in library() if s.versioned_id == scenario_id))
    assert run(sc, seed=1).kpis != run(sc, seed=2).kpis


def test_result_knows_what_made_it_and_round_trips(supermarket, small, tmp_path):
    result = run(small(supermarket), seed=3)
    assert (result.scenario_id, result.seed, result.days) == ("supermarket-v1", 3, 1)
    assert result.version
    result.write(tmp_path)
    again = RunResult.read(tmp_path)
    assert again == result
    assert again.frame("visits").shape[0] == result.kpis["visitors"]
    with pytest.raises(TypeError):
        result.kpis["sales"] = 0  # read-only


def test_kpis_agree_with_the_tables(supermarket, small):
    result = run(small(supermarket, 600), seed=5)
    k = result.kpis
    hourly = result.frame("hourly")
    visits = result.frame("visits")
    assert hourly["visitors"].sum() == k["visitors"] == len(visits)
    assert hourly["transactions"].sum() == k["transactions"]
    assert hourly["sales"].sum() == pytest.approx(k["sales"])
    assert hourly["lost_units_oos"].sum() == k["lost_sales_oos"]
    assert k["conversion"] == pytest.approx(k["transactions"] / k["visitors"], abs=1e-4)
    assert 0 < k["gross_margin"] < k["sales"]
    assert k["queue_wait_p50_s"] <= k["queue_wait_p95_s"]
    assert (visits["departure_s"] > visits["arrival_s"]).all()
    assert set(hourly["hour"]) <= set(range(24))
    assert k["balked"] == hourly["balked"].sum() == (visits["gave_up"] == "balked").sum()
    daily = result.frame("daily")
    assert daily["visitors"].sum() == k["visitors"]
    assert daily["sales"].sum() == pytest.approx(k["sales"])
    assert daily["labour_cost"].sum() == pytest.approx(k["labour_cost"])


def test_services_hold_the_sales(supermarket, small, db):
    """The twin's KPIs are what the order and payment services recorded."""
    from sqlalchemy import func, select

    from services.client import InProcessClient
    from services.db.models import Order, Payment

    client = InProcessClient(db)
    result = run(small(supermarket), seed=4, client=client)
    in_store = Order.channel == "in_store"
    with db.sessions() as s:
        assert s.scalar(select(func.count()).where(in_store)) == result.kpis["transactions"]
        total = s.scalar(
            select(func.sum(Payment.amount_cents))
            .join(Order, Order.id == Payment.order_id)
            .where(in_store)
        )
    assert total / 100 == pytest.approx(result.kpis["sales"])
    client.close()


def test_stock_carries_over_days(supermarket, small):
    """Without deliveries the shelves run dry day after day; with them they do not."""
    sc = small(supermarket, 1500)
    starved = sc.model_copy(
        update={
            "replenishment": sc.replenishment.model_copy(
                update={"backroom_days": 0.0, "cover_days": 0.01}
            )
        }
    )
    fed = run(sc, seed=9, days=3).frame("daily")
    dry = run(starved, seed=9, days=3).frame("daily")
    assert list(fed["day"]) == [0, 1, 2]
    # Day 0 already loses much (the morning peak empties the first facings), so day 2
    # can be at most about three times it: the loss must grow each day.
    lost = dry["lost_sales_oos"]
    assert lost.iloc[0] < lost.iloc[1] < lost.iloc[2] and lost.iloc[2] > 2 * lost.iloc[0]
    assert dry["lost_sales_oos"].iloc[2] > 3 * fed["lost_sales_oos"].iloc[2]


def test_out_of_stock_is_a_lost_sale(supermarket, small):
    catalog = supermarket.catalog.model_copy(update={"shelf_days": 0.05, "capacity_min": 1})
    starved = run(small(supermarket.model_copy(update={"catalog": catalog})), seed=2)
    normal = run(small(supermarket), seed=2)
    assert starved.kpis["lost_sales_oos"] > 5 * max(normal.kpis["lost_sales_oos"], 1)
    assert starved.kpis["sales"] < normal.kpis["sales"]


def test_more_cashiers_shorter_waits(supermarket, small):
    def with_cashiers(n):
        shifts = [
            {"role": "cashier", "start": "07:00", "end": "22:00", "count": n},
            {"role": "restocker", "start": "06:00", "end": "22:00", "count": 2},
        ]
        sc = supermarket.model_copy(
            update={
                "staff": supermarket.staff.model_copy(
                    update={
                        "shifts": [Shift(**s) for s in shifts],
                        "cashiers": CashierPolicy(mode="fixed"),
                    }
                )
            }
        )
        return run(small(sc, 2500), seed=6)

    few, many = with_cashiers(2), with_cashiers(6)
    assert few.kpis["queue_wait_p95_s"] > many.kpis["queue_wait_p95_s"]
    assert few.kpis["balked"] + few.kpis["reneged"] > many.kpis["balked"] + many.kpis["reneged"]
    assert few.kpis["labour_cost"] < many.kpis["labour_cost"]
