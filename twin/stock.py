"""Physical stock: units on the shelf, units in the back room, and what was sold or lost.

This is the world, not the books. The inventory service holds book stock; the
two agree until something physical happens that nobody scans (theft, a missed
scan), which stock-takes, smart shelves and shelf cameras exist to find.
"""

from __future__ import annotations

import numpy as np


class Stock:
    """Shelf and back-room units per SKU index, with per-day sales for the forecast."""

    def __init__(self, capacity: np.ndarray, backroom: np.ndarray, history_days: int):
        self.facing = capacity.astype(np.int64)
        self.capacity = self.facing.copy()
        self.shelf = self.capacity.copy()
        self.backroom = backroom.astype(np.int64).copy()
        self.sold_today = np.zeros_like(self.capacity)
        self.stolen_today = np.zeros_like(self.capacity)
        self.history: list[np.ndarray] = []
        self.history_days = history_days

    @property
    def physical(self) -> np.ndarray:
        """Units in the store, shelf and back room together."""
        return self.shelf + self.backroom

    def take(self, sku: int, qty: int) -> int:
        """Take up to ``qty`` units from the shelf; returns how many were there."""
        have = self.shelf.item(sku)
        got = min(qty, have)
        if got:
            self.shelf[sku] = have - got
        return got

    def take_backroom(self, sku: int, qty: int) -> int:
        """Take up to ``qty`` units straight from the back room (pickers may)."""
        got = max(min(qty, int(self.backroom[sku])), 0)
        self.backroom[sku] -= got
        return got

    def put_back(self, sku: int, qty: int) -> None:
        """Return units to the shelf (an abandoned basket is reshelved)."""
        self.shelf[sku] += qty

    def refill(self, sku: int) -> int:
        """Move units from the back room to fill the facing; returns units moved."""
        moved = int(min(self.capacity[sku] - self.shelf[sku], self.backroom[sku]))
        if moved > 0:
            self.shelf[sku] += moved
            self.backroom[sku] -= moved
        return max(moved, 0)

    def below(self, share: float) -> np.ndarray:
        """SKU indices whose facing is below ``share`` of capacity and can be refilled."""
        return np.flatnonzero((self.shelf < share * self.capacity) & (self.backroom > 0))

    def empty(self) -> np.ndarray:
        """SKU indices with nothing on the shelf."""
        return np.flatnonzero(self.shelf == 0)

    def display(self, skus: list[int], factor: float) -> None:
        """Promotion displays: ``skus`` hold ``factor`` times their facing, others one facing."""
        self.capacity = self.facing.copy()
        if skus:
            self.capacity[skus] = np.ceil(self.facing[skus] * factor).astype(np.int64)

    def receive(self, units: np.ndarray) -> None:
        """A delivery into the back room."""
        self.backroom += units

    def close_day(self) -> None:
        """Keep the day's sales for the forecast and start a new day."""
        self.history.append(self.sold_today.copy())
        self.history = self.history[-self.history_days :]
        self.sold_today[:] = 0
        self.stolen_today[:] = 0

    def forecast(self, prior: np.ndarray) -> np.ndarray:
        """Expected daily sales per SKU: the mean of the kept days, ``prior`` before any."""
        if not self.history:
            return prior
        return np.mean(self.history, axis=0)
