"""Physical shelf stock: the units a shopper can actually take.

This is the world, not the books. The inventory service holds book stock; the
two agree until something physical happens that nobody scans (theft, damage,
a late restock), which is exactly what shelf cameras and smart shelves find.
"""

from __future__ import annotations

import numpy as np


class Shelves:
    """Units on the shelf per SKU index, and the capacity each facing holds."""

    def __init__(self, capacity: np.ndarray):
        self.capacity = capacity.astype(np.int64)
        self.units = self.capacity.copy()

    def take(self, sku: int, qty: int) -> int:
        """Take up to ``qty`` units; returns how many were there to take."""
        taken = min(qty, int(self.units[sku]))
        self.units[sku] -= taken
        return taken

    def refill(self) -> np.ndarray:
        """Fill every facing to capacity; returns the units put out per SKU."""
        added = self.capacity - self.units
        self.units[:] = self.capacity
        return added

    def empty(self) -> np.ndarray:
        """Indices of SKUs with nothing on the shelf."""
        return np.flatnonzero(self.units == 0)
