"""Speed of one supermarket store-day; asserts the answer too, so a wrong speed-up fails."""

from scenarios import load
from twin.bench import raw_simpy_events_per_s
from twin.run import run


def test_store_day(benchmark):
    sc = load("supermarket")
    result = benchmark.pedantic(run, args=(sc,), kwargs={"seed": 7}, rounds=3, iterations=1)
    assert result.kpis["visitors"] == 2981
    assert result.kpis["transactions"] == 2680  # day blocks of arrival draws (agents/visitors.py)
    # Tills that grant and hand on places without events; paper-label lags on the
    # store's own stream since HQ reprices the chain (twin/pricing.py).
    assert result.stats["events"] == 27529


def test_raw_simpy_loop(benchmark):
    processed, _ = benchmark(raw_simpy_events_per_s, 40000)
    assert processed == 40000
