"""The store's customers: a pool that visits repeatedly, some of them members.

Visits are drawn from a finite pool so the same people come back: members
carry their history (recency, frequency, spend) across days, and a shopper
captured as a member today is a member on the next visit.
"""

from __future__ import annotations

import numpy as np


class CustomerPool:
    """Per-customer arrays indexed by customer number."""

    def __init__(self, size: int, member_share: float, rng: np.random.Generator):
        if size < 1:
            raise ValueError(f"the customer pool needs at least one customer, got {size}")
        self.member = rng.random(size) < member_share
        self.visits = np.zeros(size, dtype=np.int64)
        self.last_day = np.full(size, -1, dtype=np.int64)
        self.spend_cents = np.zeros(size, dtype=np.int64)
        self.captured = 0

    def __len__(self) -> int:
        return len(self.member)

    def pick(self, u: float) -> int:
        """The customer behind a visit, from a uniform draw ``u`` in [0, 1)."""
        return min(int(u * len(self.member)), len(self.member) - 1)

    def record(self, customer: int, day: int, spend_cents: int) -> None:
        """Book a visit into the customer's history."""
        self.visits[customer] += 1
        self.last_day[customer] = day
        self.spend_cents[customer] += spend_cents

    def capture(self, customer: int) -> None:
        """The customer signs up as a member."""
        if not self.member[customer]:
            self.member[customer] = True
            self.captured += 1
