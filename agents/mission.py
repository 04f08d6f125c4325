"""What a shopper came for: a shopping list in the order they will walk it."""

from __future__ import annotations

import numpy as np

from scenarios.schema import Scenario, Segment
from twin.catalog import Catalog


class Mission:
    """The stops of one visit, sorted along the shopper's route.

    Held as plain lists, which is what a walking shopper reads stop by stop;
    the numpy arrays (``sku``, ``qty``, ``intend``, ``dwell_s``) are made on
    first use, for the code that edits lists with numpy (marketing).
    """

    __slots__ = ("_arrays", "_lists")

    def __init__(
        self,
        sku: np.ndarray | list[int],
        qty: np.ndarray | list[int],
        intend: np.ndarray | list[bool],
        dwell_s: np.ndarray | list[float],
    ):
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._lists: tuple[list[int], list[int], list[bool], list[float]] | None = None
        if isinstance(sku, np.ndarray):
            self._arrays = (sku, np.asarray(qty), np.asarray(intend), np.asarray(dwell_s))
        else:
            self._lists = (list(sku), list(qty), list(intend), list(dwell_s))

    def stops(self) -> tuple[list[int], list[int], list[bool], list[float]]:
        """SKU, quantity, intent to buy and dwell seconds of each stop, as Python lists."""
        if self._lists is None:
            a = self._arrays
            self._lists = (a[0].tolist(), a[1].tolist(), a[2].tolist(), a[3].tolist())
        return self._lists

    def _array(self, k: int) -> np.ndarray:
        if self._arrays is None:
            sku, qty, intend, dwell = self._lists
            self._arrays = (
                np.asarray(sku, dtype=np.int64),
                np.asarray(qty, dtype=np.int64),
                np.asarray(intend, dtype=bool),
                np.asarray(dwell, dtype=float),
            )
        return self._arrays[k]

    @property
    def sku(self) -> np.ndarray:
        """SKU index of each stop."""
        return self._array(0)

    @property
    def qty(self) -> np.ndarray:
        """Units wanted at each stop."""
        return self._array(1)

    @property
    def intend(self) -> np.ndarray:
        """Whether the shopper means to buy there (else only looks)."""
        return self._array(2)

    @property
    def dwell_s(self) -> np.ndarray:
        """Seconds spent finding and taking (or looking) at each stop."""
        return self._array(3)

    def with_intend(self, intend: np.ndarray) -> Mission:
        """The same stops with other intents to buy."""
        return Mission(self.sku, self.qty, np.asarray(intend, dtype=bool), self.dwell_s)

    def __len__(self) -> int:
        return len(self._lists[0] if self._lists is not None else self._arrays[0])


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
        self.zone: list[int] = catalog.zone.tolist()
        """Zone of each SKU as the shopper walks to it (a placement move makes a new maker)."""
        self.shelf_y: list[float] = catalog.shelf_y.tolist()
        """Where along its aisle each SKU stands."""

    def _route(self, draws: np.ndarray) -> np.ndarray:
        """The distinct SKUs picked by ``draws`` (uniforms), in the order of the walk."""
        picked = np.searchsorted(self.cdf, draws, side="right").tolist()
        return np.array(self.route(picked), dtype=np.int64)

    def route(self, picks: list[int]) -> list[int]:
        """The distinct SKUs of ``picks``, in the order of the walk.

        Plain Python on these few-element lists: numpy's per-call overhead on
        tiny arrays costs more than the work, and this runs once per visit.
        """
        # sorted by SKU first, so SKUs on the same spot keep that order (as np.unique did)
        return sorted(sorted(set(picks)), key=self._route_key.__getitem__)

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
