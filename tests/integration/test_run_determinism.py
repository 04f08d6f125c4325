"""Gymnasium-style check: each library scenario run twice with one seed gives the same bytes."""

import pytest

from scenarios import library
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
    assert k["balked"] == 0


def test_services_hold_the_sales(supermarket, small, db):
    """The twin's KPIs are what the order and payment services recorded."""
    from sqlalchemy import func, select

    from services.client import InProcessClient
    from services.db.models import Order, Payment

    client = InProcessClient(db)
    result = run(small(supermarket), seed=4, client=client)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == result.kpis["transactions"]
        total = s.scalar(select(func.sum(Payment.amount_cents)))
    assert total / 100 == pytest.approx(result.kpis["sales"])
    client.close()


def test_stock_carries_over_days_and_is_refilled(supermarket, small):
    sc = small(supermarket, 1500)
    one = run(sc, seed=9, days=1)
    three = run(sc, seed=9, days=3)
    hourly = three.frame("hourly")
    assert sorted(hourly["day"].unique()) == [0, 1, 2]
    assert three.kpis["visitors"] > 2 * one.kpis["visitors"]
    # Shelves are full at each opening, so empty shelves at open are zero every day.
    at_open = hourly[hourly["hour"] == 7]
    assert (at_open["empty_shelves"] == 0).all()


def test_out_of_stock_is_a_lost_sale(supermarket, small):
    catalog = supermarket.catalog.model_copy(update={"shelf_days": 0.05, "capacity_min": 1})
    starved = run(small(supermarket.model_copy(update={"catalog": catalog})), seed=2)
    normal = run(small(supermarket), seed=2)
    assert starved.kpis["lost_sales_oos"] > 5 * max(normal.kpis["lost_sales_oos"], 1)
    assert starved.kpis["sales"] < normal.kpis["sales"]


def test_more_lanes_shorter_waits(supermarket, small):
    def with_lanes(n):
        layout = supermarket.layout.model_copy(
            update={"checkout": supermarket.layout.checkout.model_copy(update={"lanes": n})}
        )
        return run(small(supermarket.model_copy(update={"layout": layout}), 2500), seed=6)

    assert with_lanes(2).kpis["queue_wait_p95_s"] > with_lanes(6).kpis["queue_wait_p95_s"]
