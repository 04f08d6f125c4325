import numpy as np
import pytest

from agents.arrivals import arrival_times, hourly_rates
from scenarios import load


def test_no_arrivals_while_closed():
    sc = load("supermarket")
    rates = hourly_rates(sc, weekday=0)
    assert rates[:7].sum() == 0 and rates[22:].sum() == 0
    assert rates.sum() == pytest.approx(sc.arrivals.daily_visitors)
    times = arrival_times(sc, 0, np.random.default_rng(1))
    assert times.min() >= sc.hours.open_s and times.max() < sc.hours.close_s
    assert (np.diff(times) >= 0).all()


def test_weekday_factor_scales_traffic():
    sc = load("supermarket")
    saturday = hourly_rates(sc, weekday=5).sum()
    assert saturday == pytest.approx(sc.arrivals.daily_visitors * sc.arrivals.weekday_factors[5])


def test_counts_follow_the_profile():
    sc = load("supermarket")
    rng = np.random.default_rng(2)
    hours = np.concatenate([arrival_times(sc, 0, rng) // 3600 for _ in range(50)])
    observed = np.bincount(hours.astype(int), minlength=24) / 50
    np.testing.assert_allclose(observed, hourly_rates(sc, 0), atol=12)
