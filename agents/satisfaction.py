"""A satisfaction score per visit (0..10) from what went right and wrong.

The weights say how much each annoyance costs in points; they are a model, not
a measurement, and live in one place so a planner can see and change them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Satisfaction:
    """Points a visit starts with, and what each annoyance takes away."""

    start: float = 8.0
    free_wait_s: float = 120.0
    per_wait_min: float = 0.8
    per_out_of_stock: float = 0.6
    per_price_mismatch: float = 1.5
    per_price_skip: float = 0.2
    gave_up_cap: float = 2.0
    fast_checkout_bonus: float = 0.5

    def score(
        self,
        wait_s: float,
        out_of_stock: int,
        price_mismatches: int,
        price_skips: int,
        gave_up: bool,
        fast_checkout: bool,
    ) -> float:
        """The visit's score: long waits, stock-outs and overcharges cost points."""
        s = self.start
        s -= self.per_wait_min * max(wait_s - self.free_wait_s, 0.0) / 60.0
        s -= self.per_out_of_stock * out_of_stock
        s -= self.per_price_mismatch * price_mismatches
        s -= self.per_price_skip * price_skips
        if fast_checkout:
            s += self.fast_checkout_bonus
        if gave_up:
            s = min(s, self.gave_up_cap)
        return round(min(max(s, 0.0), 10.0), 2)
