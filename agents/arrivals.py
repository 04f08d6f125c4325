"""When shoppers come in: a non-homogeneous Poisson process by hour of day and weekday."""

from __future__ import annotations

import numpy as np

from scenarios.schema import Scenario

HOUR = 3600


def hourly_rates(scenario: Scenario, weekday: int) -> np.ndarray:
    """Expected arrivals in each hour 0..23 of a day (0 = Monday), zero while closed."""
    open_s, close_s = scenario.hours.open_s, scenario.hours.close_s
    starts = np.arange(24) * HOUR
    open_share = np.clip(np.minimum(starts + HOUR, close_s) - np.maximum(starts, open_s), 0, HOUR)
    weights = np.asarray(scenario.arrivals.hourly_profile) * open_share / HOUR
    daily = scenario.arrivals.daily_visitors * scenario.arrivals.weekday_factors[weekday]
    return daily * weights / weights.sum()


def arrival_times(scenario: Scenario, weekday: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times (seconds after midnight) of one day.

    Piecewise-constant rates make this exact: a Poisson count per hour, then
    uniform times within the open part of that hour.
    """
    rates = hourly_rates(scenario, weekday)
    counts = rng.poisson(rates)
    open_s, close_s = scenario.hours.open_s, scenario.hours.close_s
    starts = np.maximum(np.arange(24) * HOUR, open_s)
    ends = np.minimum(np.arange(24) * HOUR + HOUR, close_s)
    hour = np.repeat(np.arange(24), counts)
    times = starts[hour] + rng.random(hour.size) * (ends[hour] - starts[hour])
    return np.sort(times)
