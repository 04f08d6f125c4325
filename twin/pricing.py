"""HQ's price changes and how shelf labels catch up with them.

HQ reprices some SKUs of the chain each morning through the product service (the
same SKUs in every store of a format: they share the catalogue); labels then
follow: electronic ones after the sync delay, paper ones when staff get to them.
The gap between the two is what price-audit cameras and ESL are bought for.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from twin.clock import DAY, HOUR

if TYPE_CHECKING:
    from twin.model import StoreModel


class PriceBook:
    """HQ's record of the prices it set, and the daily repricing round."""

    def __init__(self, model: StoreModel):
        self.model = model
        self.products = list(model.catalog.products)
        self.cents = np.asarray([p.price_cents for p in self.products], dtype=np.int64)
        self.changes = 0
        self.paper_labels = 0

    def current(self, sku: int) -> int:
        """The price the services charge now."""
        return int(self.cents[sku])

    def reprice(self, day: int) -> list[int]:
        """Today's price changes: pushed to the services, then to the labels. Returns SKUs."""
        m, spec = self.model, self.model.scenario.pricing
        # HQ reprices the chain, not a store: stores of a format share the
        # catalogue, so they all see the same changes on the same morning.
        rng = m.streams.chain().generator("pricing", day)
        staff = m.streams.generator("relabel", day)
        n = min(int(rng.poisson(spec.changes_per_day)), len(self.products))
        skus = sorted(rng.choice(len(self.products), size=n, replace=False).tolist())
        updated = []
        for sku in skus:
            old = int(self.cents[sku])
            new = max(
                round(old / 100 * float(np.exp(rng.normal(0.0, spec.change_sd)))) * 100 - 10, 90
            )
            if new == old:
                continue
            self.cents[sku] = new
            self.products[sku] = self.products[sku].model_copy(update={"price_cents": new})
            updated.append(sku)
        if updated:
            m.client.upsert_products([self.products[s] for s in updated])
            self.changes += len(updated)
            for sku in updated:
                self._relabel(sku, staff)
        return updated

    def _relabel(self, sku: int, rng: np.random.Generator) -> None:
        m = self.model
        if m.esl is not None and m.labels.electronic:
            m.esl.push(sku, int(self.cents[sku]))
        else:
            lag = rng.exponential(m.scenario.staff.label_update_lag_h * HOUR)
            m.env.process(self._paper(sku, int(self.cents[sku]), lag))

    def _paper(
        self, sku: int, cents: int, lag: float, ticket: bool = False
    ) -> Generator[simpy.Event, object, None]:
        """Staff replace the label after ``lag`` seconds of their working time.

        A paper round skips electronic labels; a ticket fixes any label (staff
        reprint it, or force the ESL to resync). Each paper label put up is
        counted: it costs staff time (``staff.label_change_s``) that ESL saves.
        """
        m = self.model
        due = m.staff.after_working_time(m.env.now, lag)
        yield m.env.timeout(due - m.env.now)
        if self.cents[sku] == cents and (ticket or not m.labels.electronic):
            m.labels.show(sku, cents)
            if not m.labels.electronic:
                self.paper_labels += 1

    def ticket(self, sku: int, fix_h: float, rng: np.random.Generator) -> None:
        """A price-audit ticket: staff put the services' price on the label within ``fix_h``."""
        lag = rng.exponential(fix_h * HOUR)
        self.model.env.process(self._paper(sku, int(self.cents[sku]), lag, ticket=True))

    def true_cents(self) -> np.ndarray:
        """The services' current price of every SKU (HQ's own record of it)."""
        return self.cents.copy()

    def relabel_all(self) -> None:
        """Install day of electronic labels: every label shows the current price."""
        self.model.labels.shown_cents[:] = self.cents


__all__ = ["DAY", "PriceBook"]
