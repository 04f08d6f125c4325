"""Each mechanism of the twin matters: the same store and seed with and without it differ.

Arms share the seed, so shoppers are the same people making the same choices
wherever the mechanism does not reach them (common random numbers).
"""

import numpy as np
import pytest

from scenarios import load
from scenarios.overrides import apply
from twin.run import run


@pytest.fixture(scope="module")
def market():
    sc = load("supermarket")
    return apply(sc, {"arrivals.daily_visitors": 1200})


def kpis(sc, seed=5, days=1, **sets):
    return run(apply(sc, sets) if sets else sc, seed=seed, days=days).kpis


def test_esl_means_fewer_price_mismatches_than_paper(market):
    busy = apply(market, {"pricing.changes_per_day": 60, "staff.label_update_lag_h": 10})
    paper = run(busy, seed=4, days=2)
    esl = run(apply(busy, {"interventions": ["esl"]}), seed=4, days=2)
    assert paper.kpis["price_mismatches"] > 3 * max(esl.kpis["price_mismatches"], 1)
    assert (
        paper.frame("daily")["label_mismatches_at_close"].sum()
        > esl.frame("daily")["label_mismatches_at_close"].sum()
    )
    # Paper labels cost paid staff time (on top of the roster); ESL saves it.
    paper_days, esl_days = paper.frame("daily"), esl.frame("daily")
    assert paper_days["label_changes"].sum() > 20 and esl_days["label_changes"].sum() == 0
    per_label = busy.staff.label_change_s / 3600
    assert paper_days["label_hours"].sum() == pytest.approx(
        paper_days["label_changes"].sum() * per_label, abs=0.02
    )
    saved = paper.kpis["labour_hours"] - esl.kpis["labour_hours"]
    assert saved == pytest.approx(paper_days["label_hours"].sum(), abs=0.02)


def test_theft_raises_shrink_and_ai_loss_prevention_lowers_it(market):
    base = {"interventions": [{"name": "self_checkout", "params": {"theft_share": 0.15}}]}
    honest = kpis(market, interventions=[{"name": "self_checkout", "params": {"theft_share": 0}}])
    thieves = kpis(market, **base)
    watched = kpis(market, interventions=[*base["interventions"], {"name": "ai_loss_prevention"}])
    assert thieves["shrink_value"] > 3 * honest["shrink_value"]
    assert watched["shrink_value"] < 0.4 * thieves["shrink_value"]
    assert watched["sales"] > thieves["sales"]  # recovered items are paid for


def test_balking_rises_with_the_queue_a_shopper_sees(market):
    short_staffed = apply(
        market,
        {
            "arrivals.daily_visitors": 2500,
            "staff.cashiers.mode": "fixed",
            "staff.shifts": [{"role": "cashier", "start": "07:00", "end": "22:00", "count": 2}],
        },
    )
    visits = run(short_staffed, seed=2).frame("visits")
    queued = visits[visits["till"] == "lane"]
    balked = queued["gave_up"] == "balked"
    short = balked[queued["queue_seen"] <= 2].mean()
    long = balked[queued["queue_seen"] >= 6].mean()
    assert long > short + 0.2


def test_smart_shelves_cut_out_of_stock(market):
    slow = apply(market, {"staff.restock.patrol_every_min": 300, "catalog.shelf_days": 0.3})
    without = kpis(slow, days=2)
    with_ = kpis(slow, days=2, interventions=["smart_shelf"])
    assert with_["lost_sales_oos"] < 0.7 * without["lost_sales_oos"]


def test_voice_promoter_lifts_promoted_items(market):
    without = run(market, seed=8).frame("visits")["impulse_units"].sum()
    with_ = run(apply(market, {"interventions": ["voice_promoter"]}), seed=8)
    assert with_.frame("visits")["impulse_units"].sum() > without
    readings = with_.tables["readings"].to_pandas()
    robot = readings[readings["kind"] == "voice_promoter"]
    assert len(robot) > 0 and (robot["observed"] <= robot["truth"]).all()


def test_smart_carts_take_shoppers_off_the_lanes(market):
    base = kpis(market)
    carts = kpis(market, interventions=["smart_cart"])
    assert 0.25 < carts["smart_cart_share"] < 0.6
    assert carts["labour_cost"] < base["labour_cost"]
    assert carts["queue_wait_p95_s"] < base["queue_wait_p95_s"]


def test_ai_scale_speeds_up_the_tills(market):
    crowded = apply(market, {"arrivals.daily_visitors": 2500})
    assert (
        kpis(crowded, interventions=["ai_scale"])["queue_wait_mean_s"]
        < kpis(crowded)["queue_wait_mean_s"]
    )


def test_shift_optimizer_plans_cashiers_from_traffic(market):
    planned = run(apply(market, {"interventions": ["shift_optimizer"]}), seed=5)
    hourly = planned.frame("hourly")
    day = hourly[(hourly["hour"] >= 7) & (hourly["hour"] < 22)]
    peak = day.loc[day["visitors"].idxmax(), "cashiers_on_duty"]
    quiet = day.loc[day["visitors"].idxmin(), "cashiers_on_duty"]
    assert peak > quiet


def test_a_blind_queue_counter_makes_cashiers_open_every_lane(market):
    blind = apply(market, {"devices.people_counter.faults": {"mtbf_h": 0.01, "repair_h": 1000}})
    result = run(blind, seed=3)
    events = result.tables["device_events"].to_pandas()
    assert (events["event"] == "fault").any()
    hourly = result.frame("hourly")
    open_hours = hourly[(hourly["hour"] >= 8) & (hourly["hour"] < 21)]
    seeing = run(market, seed=3).frame("hourly")
    assert (open_hours["open_lanes"] == open_hours["cashiers_on_duty"]).all()
    assert seeing["open_lanes"].sum() < hourly["open_lanes"].sum()


def test_sensors_report_truth_beside_what_they_saw(market):
    sc = apply(market, {"devices.wifi_probe": {"detect_rate": 0.6}})
    result = run(sc, seed=6)
    readings = result.tables["readings"].to_pandas()
    door = readings[readings["kind"] == "door_counter"]
    assert door["truth"].sum() == result.kpis["visitors"]
    assert 0.9 < door["observed"].sum() / door["truth"].sum() < 1.0
    dwell = result.tables["wifi_dwell"].to_pandas()
    seen = dwell["visit_id"].nunique() / result.kpis["visitors"]
    assert 0.5 < seen < 0.7
    assert np.corrcoef(dwell["observed_s"], dwell["true_s"])[0, 1] > 0.6
    assert result.tables["heat"].num_rows > 0
    energy = readings[readings["metric"] == "kwh"]
    assert (energy["observed"] - energy["truth"]).abs().max() < 0.05 * energy["truth"].max()


def test_self_checkout_takes_small_baskets(market):
    result = run(apply(market, {"interventions": ["self_checkout"]}), seed=9)
    visits = result.frame("visits")
    sco = visits[visits["till"] == "self_checkout"]
    assert 0.15 < result.kpis["self_checkout_share"] < 0.7
    assert sco["items"].max() <= 15
