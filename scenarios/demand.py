"""Expected demand of a scenario: arrivals by hour and the checkout load they bring.

Used by the arrival process (to draw visits) and by planning tools that size
shelves or rosters from what the scenario expects, before anything is simulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scenarios.schema import Scenario

HOUR = 3600


def hourly_rates(scenario: Scenario, weekday: int, factor: float = 1.0) -> np.ndarray:
    """Expected arrivals in each hour 0..23 of a day (0 = Monday), zero while closed."""
    open_s, close_s = scenario.hours.open_s, scenario.hours.close_s
    starts = np.arange(24) * HOUR
    open_share = np.clip(np.minimum(starts + HOUR, close_s) - np.maximum(starts, open_s), 0, HOUR)
    weights = np.asarray(scenario.arrivals.hourly_profile) * open_share / HOUR
    a = scenario.arrivals
    daily = a.daily_visitors * a.traffic_factor * a.weekday_factors[weekday] * factor
    return daily * weights / weights.sum()


def items_per_visit(scenario: Scenario) -> float:
    """Expected units bought per visit, found or not."""
    return sum(
        s.share * max(s.list_mean, 1.0) * s.buy_probability * (1 + s.multi_buy)
        for s in scenario.shoppers.segments
    )


def paying_share(scenario: Scenario) -> float:
    """Expected share of visits that end with something to pay for."""
    return sum(
        s.share * (1.0 - (1.0 - s.buy_probability) ** max(s.list_mean, 1.0))
        for s in scenario.shoppers.segments
    )


def mean_service_s(scenario: Scenario, self_service: bool = False) -> float:
    """Expected seconds at a staffed till (or a self-checkout station) for an average basket."""
    c = scenario.checkout
    payment = sum(share * c.payment_s[m] for m, share in scenario.shoppers.payment_mix.items())
    items = items_per_visit(scenario) / max(paying_share(scenario), 1e-9)
    part = c.self_checkout if self_service and c.self_checkout is not None else c
    return part.fixed_s + part.scan_s_per_item * items + payment


def cashiers_needed(scenario: Scenario, utilisation: float = 0.75) -> np.ndarray:
    """Cashiers to keep each hour's expected till load at ``utilisation`` (an average weekday)."""
    weekday_mean = float(np.mean(scenario.arrivals.weekday_factors))
    arrivals = hourly_rates(scenario, 0) / scenario.arrivals.weekday_factors[0] * weekday_mean
    erlangs = arrivals * paying_share(scenario) * mean_service_s(scenario) / HOUR
    need = np.ceil(erlangs / utilisation).astype(int)
    open_hours = hourly_rates(scenario, 0) > 0
    return np.where(open_hours, np.maximum(need, 1), 0)
