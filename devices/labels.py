"""Shelf-edge price labels: the price a shopper reads and a shelf camera sees.

The services own the price; the label shows what was last put on it. Paper
labels are changed by staff some time after a price change, which is where
price mismatches come from; electronic labels (ESL) follow the services.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ShelfLabels:
    """Shown price per SKU index, and which SKUs carry an electronic label."""

    def __init__(self, skus: Sequence[str], price_cents: Sequence[int]):
        if len(skus) != len(price_cents):
            raise ValueError("one price per SKU is needed")
        self.skus = list(skus)
        self.shown_cents = np.asarray(price_cents, dtype=np.int64).copy()
        self.electronic = np.zeros(len(self.skus), dtype=bool)

    def show(self, sku: int, cents: int) -> None:
        """Put a new price on the label of SKU index ``sku``."""
        self.shown_cents[sku] = cents

    def mismatches(self, true_cents: np.ndarray) -> np.ndarray:
        """SKU indices whose label differs from the price the services charge."""
        return np.flatnonzero(self.shown_cents != true_cents)
