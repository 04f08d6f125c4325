"""HQ reprices the chain, not each store: stores of a format see the same price changes.

Independent repricing per store made each store's margin per item wander on
its own for days, noise a difference-in-differences between stores cannot
remove (issue 15: the pilot's store-level noise).
"""

from scenarios import load
from scenarios.chain import expand
from scenarios.overrides import apply
from twin.run import run_store


def test_two_stores_of_a_chain_get_the_same_price_changes_and_their_own_relabelling():
    sc = apply(
        load("supermarket"),
        {
            "chain": {"stores": 2, "seed": 1, "formats": {"supermarket": 1.0}},
            "arrivals.daily_visitors": 40,
            "pricing.changes_per_day": 30,
        },
    )
    first, second = (run_store(s, seed=3, days=2) for s in expand(sc)[:2])
    prices = [r.frame("sku_daily")[["day", "sku", "price_cents"]] for r in (first, second)]
    assert prices[0].equals(prices[1])
    assert (prices[0]["price_cents"].diff() != 0).sum() > 30  # prices did change
    # Each store's staff put the paper labels up on their own time.
    labels = [r.frame("sku_daily")["label_cents"].tolist() for r in (first, second)]
    assert labels[0] != labels[1]
