"""Promotions of the marketing center reach the twin's shoppers, who respond as studies describe."""

import json

import numpy as np
import pytest

from scenarios import ScenarioError, load
from scenarios.overrides import apply
from twin.run import run
from twin.whatif import compare

SPEND_SAVE = {
    "kind": "spend_save",
    "name": "满100减20",
    "threshold_cents": 10000,
    "save_cents": 2000,
}


def _shares(result) -> tuple[float, float]:
    """Shares of paid baskets whose list value is in [90, 100) and in [100, 110)."""
    v = result.frame("visits")
    v = v[v.converted]
    value = (v.total_cents + v.discount_cents) / 100
    below = float(((value >= 90) & (value < 100)).mean())
    above = float(((value >= 100) & (value < 110)).mean())
    return below, above


@pytest.fixture(scope="module")
def supermarket():
    return apply(load("supermarket"), {"arrivals.daily_visitors": 1500})


def test_spend_save_bunches_baskets_just_above_its_threshold(supermarket):
    without = run(supermarket, seed=3, days=1)
    with_it = run(apply(supermarket, {"marketing": {"promotions": [SPEND_SAVE]}}), seed=3, days=1)
    below0, above0 = _shares(without)
    below1, above1 = _shares(with_it)
    assert above1 > above0
    assert below1 < below0
    row = with_it.frame("promotions").iloc[0]
    assert row["top_ups"] > 0 and row["exposure"] > 0
    # the real pricing engine took 20 off every basket of 100 or more
    assert with_it.kpis["discount"] > without.kpis["discount"]
    assert row["review_redemptions"] >= row["buyers"] > 0


def test_deeper_markdown_sells_more_units_with_diminishing_returns(supermarket):
    sc = supermarket
    base = run(sc, seed=2, days=1)
    top = base.frame("sku_daily").sort_values("sold", ascending=False).head(10)
    skus, prices = top.sku.tolist(), top.price_cents.tolist()

    def units(depth: float) -> int:
        promos = [
            {"kind": "markdown", "name": f"md-{s}", "skus": [s], "save_cents": round(p * depth)}
            for s, p in zip(skus, prices, strict=True)
        ]
        r = run(apply(sc, {"marketing": {"promotions": promos}}), seed=2, days=1)
        sold = r.frame("sku_daily")
        return int(sold[sold.sku.isin(skus)].sold.sum())

    sold = [int(top.sold.sum()), units(0.1), units(0.2), units(0.4)]
    assert sold[0] < sold[1] < sold[2] < sold[3]
    per_point = np.diff(sold) / np.array([10, 10, 20])
    assert per_point[0] > per_point[1] > per_point[2]


def test_a_marketing_variant_reports_true_and_reviewed_increments(tmp_path):
    sc = apply(load("convenience"), {"arrivals.daily_visitors": 300})
    variant = apply(sc, {"marketing": {"promotions": [SPEND_SAVE | {"threshold_cents": 3000}]}})
    compare(sc, {"promo": variant}, seed=1, days=1, out=tmp_path)
    report = json.loads((tmp_path / "promo" / "promotions.json").read_text(encoding="utf-8"))
    base = json.loads((tmp_path / "base" / "summary.json").read_text())["kpis"]
    treated = json.loads((tmp_path / "promo" / "summary.json").read_text())["kpis"]
    row = report["promotions"][0]
    assert report["counterfactual"] == "base"
    assert row["true_incremental_sales"] == round(treated["sales"] - base["sales"], 2)
    for key in ("exposure", "penetration", "conversion", "repeat_purchase_rate", "review_roi"):
        assert key in row
    assert not (tmp_path / "base" / "promotions.json").exists()


@pytest.mark.parametrize(
    ("promotion", "where"),
    [
        ({"kind": "spend_save", "threshold_cents": 10000, "save": 2000}, "save"),
        ({"kind": "markdown", "skus": [], "save_cents": 100}, "skus"),
        ({"kind": "pay_gift", "method": "mobile"}, "coupon"),
        ({"kind": "flash_sale", "sku": "X", "price_cents": 1, "days": 0}, "days"),
    ],
)
def test_a_bad_promotion_names_its_field(promotion, where):
    with pytest.raises(ScenarioError) as err:
        apply(load("convenience"), {"marketing": {"promotions": [promotion]}})
    assert where in str(err.value)


def test_an_unknown_sku_is_a_clear_error():
    sc = apply(
        load("convenience"),
        {"marketing": {"promotions": [{"kind": "markdown", "skus": ["NOPE"], "save_cents": 1}]}},
    )
    with pytest.raises(ValueError, match="NOPE"):
        run(sc, seed=0, days=1)


def test_a_flash_sale_brings_members_in_its_window_and_gifts_bring_them_back():
    sc = apply(load("convenience"), {"arrivals.daily_visitors": 400})
    base = run(sc, seed=4, days=2)
    sku = base.frame("sku_daily").sort_values("sold").sku.iloc[-1]
    promos = [
        {
            "kind": "flash_sale",
            "sku": sku,
            "price_cents": 100,
            "hours": {"start": "17:00", "end": "19:00"},
            "quota": 200,
        },
        {"kind": "pay_gift", "method": "mobile", "coupon": {"value": 300}},
    ]
    treated = run(apply(sc, {"marketing": {"promotions": promos}}), seed=4, days=2)
    flash, gift = treated.frame("promotions").itertuples()
    assert flash.lured_visits > 0 and gift.return_visits > 0
    extra = treated.kpis["visitors"] - base.kpis["visitors"]
    assert extra == flash.lured_visits + gift.return_visits
    v = treated.frame("visits")
    in_window = v[(v.day == 0) & (v.arrival_s >= 17 * 3600) & (v.arrival_s < 19 * 3600)]
    b = base.frame("visits")
    base_window = b[(b.day == 0) & (b.arrival_s >= 17 * 3600) & (b.arrival_s < 19 * 3600)]
    assert len(in_window) - len(base_window) == flash.lured_visits
    assert treated.kpis["coupons_redeemed"] > base.kpis["coupons_redeemed"]


def test_stockpiling_leaves_a_dip_after_a_markdown():
    # A small customer pool, so shoppers who stocked up come back within the run.
    sc = apply(load("convenience"), {"shoppers.customer_pool_factor": 2})
    base = run(sc, seed=6, days=2)
    sold = base.frame("sku_daily")
    top = sold[sold.day == 0].sort_values("sold", ascending=False).head(8)
    promos = [
        {"kind": "markdown", "name": f"md-{s}", "skus": [s], "save_cents": round(p * 0.3)}
        for s, p in zip(top.sku, top.price_cents, strict=True)
    ]
    treated = run(apply(sc, {"marketing": {"promotions": promos}}), seed=6, days=2)
    assert treated.frame("promotions")["stockpiled_units"].sum() > 0
    categories = {s[:3] for s in top.sku}  # SKU codes start with their category's prefix

    def units(result, day):
        t = result.frame("sku_daily")
        return t[(t.day == day) & t.sku.str[:3].isin(categories)].sold.sum()

    assert units(treated, 0) > units(base, 0)  # the bump
    assert units(treated, 1) < units(base, 1)  # the dip after it


def test_a_promotion_after_the_run_is_listed_and_changes_nothing():
    sc = apply(load("convenience"), {"arrivals.daily_visitors": 200})
    later = SPEND_SAVE | {"from_day": 3, "cost": 50}
    treated = run(apply(sc, {"marketing": {"promotions": [later]}}), seed=1, days=1)
    [row] = treated.tables["promotions"].to_pylist()
    assert row["exposure"] == row["review_reach"] == 0 and row["review_roi"] is None
    assert treated.kpis == run(sc, seed=1, days=1).kpis
