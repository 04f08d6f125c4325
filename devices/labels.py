"""Shelf-edge price labels: the price a shopper reads and a shelf camera sees.

The services own the price; a label shows what was last put on it. Paper
labels are changed by staff some hours after a price change, which is where
price mismatches come from; electronic labels (ESL) follow the services within
seconds, except when an update fails and waits for the next resync.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device
from scenarios.features import Labels

if TYPE_CHECKING:
    from twin.model import StoreModel


class ShelfLabels:
    """Shown price per SKU index, and whether labels are electronic."""

    def __init__(self, skus: Sequence[str], price_cents: Sequence[int]):
        if len(skus) != len(price_cents):
            raise ValueError("one price per SKU is needed")
        self.skus = list(skus)
        self.shown_cents = np.asarray(price_cents, dtype=np.int64).copy()
        self.electronic = False

    def show(self, sku: int, cents: int) -> None:
        """Put a new price on the label of SKU index ``sku``."""
        self.shown_cents[sku] = cents

    def mismatches(self, true_cents: np.ndarray) -> np.ndarray:
        """SKU indices whose label differs from the price the services charge."""
        return np.flatnonzero(self.shown_cents != true_cents)


class EslSystem(Device):
    """Electronic labels and their base station: each price change is pushed to the label."""

    kind = "esl"

    def __init__(self, model: StoreModel, spec: Labels, rng: np.random.Generator):
        super().__init__(model, "esl-base", model.plan.checkout_area(), rng)
        self.spec = spec

    def push(self, sku: int, cents: int) -> None:
        """Send a new price to one label; it lands after the sync delay unless the update fails."""
        self.model.env.process(self._sync(sku, cents))

    def _sync(self, sku: int, cents: int) -> Generator[simpy.Event, object, None]:
        env, spec, labels = self.model.env, self.spec, self.model.labels
        yield env.timeout(self.rng.exponential(spec.esl_latency_s))
        while not self.ok or self.rng.random() < spec.esl_failure_rate:
            self.report("label_synced", 0.0, 1.0)
            yield env.timeout(spec.esl_resync_min * 60)
        if self.model.pricing.current(sku) == cents:  # a later change supersedes this one
            labels.show(sku, cents)
        self.report("label_synced", 1.0, 1.0)
