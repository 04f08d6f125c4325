"""The smart-cart fleet: carts taken at the door and returned at the exit."""

from __future__ import annotations

import numpy as np

from scenarios.features import SmartCarts


class CartFleet:
    """How many carts are free; a shopper takes one if one is free and they want it."""

    def __init__(self, spec: SmartCarts):
        self.spec = spec
        self.free = spec.fleet
        self.taken_total = 0
        self.refused = 0

    def take(self, rng: np.random.Generator) -> bool:
        """Whether this shopper shops with a smart cart."""
        if rng.random() >= self.spec.adoption:
            return False
        if self.free == 0:
            self.refused += 1
            return False
        self.free -= 1
        self.taken_total += 1
        return True

    def give_back(self) -> None:
        """A cart comes back at the exit."""
        self.free += 1
