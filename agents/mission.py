"""What a shopper came for: a shopping list in the order they will walk it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.schema import Scenario, Segment
from twin.catalog import Catalog


@dataclass(frozen=True, eq=False)
class Mission:
    """The stops of one visit, sorted along the shopper's route."""

    sku: np.ndarray
    qty: np.ndarray
    intend: np.ndarray
    dwell_s: np.ndarray

    def __len__(self) -> int:
        return len(self.sku)


class MissionMaker:
    """Draws shopping lists: SKUs by popularity, then sorted into a serpentine route."""

    def __init__(self, scenario: Scenario, catalog: Catalog):
        self.cdf = np.cumsum(catalog.demand_weight)
        self.cdf /= self.cdf[-1]
        self.pick_s = scenario.shoppers.pick_s_per_item
        order = np.argsort([z.x for z in scenario.layout.zones], kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        zone_rank = rank[catalog.zone]
        direction = np.where(zone_rank % 2 == 0, 1.0, -1.0)
        self.route_key = zone_rank * 1e4 + direction * catalog.shelf_y
        self._route_key = self.route_key.tolist()

    def _route(self, draws: np.ndarray) -> np.ndarray:
        """The distinct SKUs picked by ``draws`` (uniforms), in the order of the walk.

        Plain Python on these few-element lists: numpy's per-call overhead on
        tiny arrays costs more than the work, and this runs once per visit.
        """
        picked = set(np.searchsorted(self.cdf, draws, side="right").tolist())
        # sorted by SKU first, so SKUs on the same spot keep that order (as np.unique did)
        return np.array(sorted(sorted(picked), key=self._route_key.__getitem__), dtype=np.int64)

    def draw_online(self, rng: np.random.Generator, lines_mean: float) -> Mission:
        """An online order's lines: SKUs by popularity, all wanted, in route order."""
        n = 1 + rng.poisson(max(lines_mean - 1.0, 0.0))
        sku = self._route(rng.random(n))
        qty = 1 + (rng.random(len(sku)) < 0.25)
        return Mission(sku, qty.astype(np.int64), np.ones(len(sku), bool), np.zeros(len(sku)))

    def draw(self, rng: np.random.Generator, segment: Segment) -> Mission:
        """One shopping list for a shopper of ``segment``."""
        n = 1 + rng.poisson(max(segment.list_mean - 1.0, 0.0))
        sku = self._route(rng.random(n))
        k = len(sku)
        qty = 1 + (rng.random(k) < segment.multi_buy)
        intend = rng.random(k) < segment.buy_probability
        dwell = rng.gamma(4.0, self.pick_s / 4.0, k)
        return Mission(sku, qty.astype(np.int64), intend, dwell)
