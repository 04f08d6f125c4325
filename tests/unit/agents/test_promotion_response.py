"""The response curves shoppers follow when they see a promotion."""

import numpy as np
import pytest

from agents.promotion_response import filler, tops_up, unit_lift
from scenarios import load
from scenarios.interventions import costs, resolve
from scenarios.marketing import Response
from scenarios.overrides import apply

R = Response()


def test_unit_lift_rises_with_depth_at_a_falling_rate():
    depths = np.linspace(0.0, 0.9, 10)
    lifts = np.array([unit_lift(d, R) for d in depths])
    assert lifts[0] == 0.0
    assert (np.diff(lifts) > 0).all()
    assert (np.diff(lifts, 2) < 0).all()
    assert lifts[-1] < R.max_lift
    # the slope at a small discount is the promotional elasticity
    assert unit_lift(0.001, R) / 0.001 == pytest.approx(-R.elasticity, rel=0.01)


def test_only_shoppers_a_little_below_a_threshold_top_up():
    rng = np.random.default_rng(0)
    share = {
        gap: np.mean([tops_up(rng, 10000 - gap, 10000, R) for _ in range(4000)])
        for gap in (-100, 100, 700, 1400, 1600)
    }
    assert share[-100] == 0.0 and share[1600] == 0.0  # above it, or beyond the reach
    assert share[100] > share[700] > share[1400] > 0.0
    assert share[100] == pytest.approx(R.topup_probability * (1 - 100 / 1500), abs=0.03)


def test_a_shopper_fills_the_gap_with_the_cheapest_item_that_closes_it():
    prices = np.array([300, 1200, 800, 2500])
    assert filler(prices, 700) == 2  # 800 closes 700; 1200 and 2500 too, but cost more
    assert filler(prices, 3000) == 3  # nothing closes it: the dearest, then look again


def test_a_promotions_intervention_counts_its_days_from_the_start_day():
    promo = {"kind": "spend_save", "threshold_cents": 5000, "save_cents": 500, "from_day": 2}
    sc = apply(
        load("convenience"),
        {
            "interventions": [
                {
                    "name": "promotions",
                    "start_day": 7,
                    "params": {"promotions": [promo | {"cost": 120}]},
                }
            ]
        },
    )
    [spec] = resolve(sc).marketing.promotions
    assert spec.from_day == 9 and spec.threshold_cents == 5000
    assert costs(sc)["promotions"].one_off == 120
