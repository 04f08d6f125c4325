"""When shoppers come in: a non-homogeneous Poisson process by hour of day and weekday."""

from __future__ import annotations

import numpy as np

from scenarios.demand import HOUR, hourly_rates
from scenarios.schema import Scenario

__all__ = ["arrival_times", "hourly_rates"]


def arrival_times(
    scenario: Scenario, weekday: int, rng: np.random.Generator, factor: float = 1.0
) -> np.ndarray:
    """Sorted arrival times (seconds after midnight) of one day.

    Piecewise-constant rates make this exact: a Poisson count per hour, then
    uniform times within the open part of that hour. ``factor`` scales the
    day's traffic (a holiday, say).
    """
    rates = hourly_rates(scenario, weekday, factor)
    counts = rng.poisson(rates)
    open_s, close_s = scenario.hours.open_s, scenario.hours.close_s
    starts = np.maximum(np.arange(24) * HOUR, open_s)
    ends = np.minimum(np.arange(24) * HOUR + HOUR, close_s)
    hour = np.repeat(np.arange(24), counts)
    times = starts[hour] + rng.random(hour.size) * (ends[hour] - starts[hour])
    return np.sort(times)
