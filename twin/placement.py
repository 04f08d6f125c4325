"""The planogram in the twin: moves take effect on their day, displays tempt passers-by.

A move changes where its SKUs stand (the catalogue's zone and shelf position,
so shoppers, restockers and pickers walk there) and how much the shelf holds.
A display (an end-cap, eye level, more facings) raises the chance that a
shopper who passes it picks one unplanned: each passer draws once per display
and visit, from the visit's own ``placement`` stream, so a store without a
placement block draws nothing new and keeps its results byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scenarios.demand import items_per_visit
from scenarios.placement import Fixture, Move, Placement
from twin.hotzones import disc_share, rect_share
from twin.layout import Point

if TYPE_CHECKING:
    from agents.shopper import Shopper
    from twin.model import StoreModel


@dataclass(frozen=True)
class Display:
    """Where one move's SKUs stand once it applies: a point (end-cap) or a stretch of aisle."""

    index: int
    name: str
    move: Move
    skus: np.ndarray
    zone: int
    a: Point
    b: Point
    extra_probability: float
    weights: np.ndarray
    relocated: bool


class Planogram:
    """The scenario's moves for one store: applies them on their day and runs their displays."""

    def __init__(self, model: StoreModel, placement: Placement):
        self.model = model
        self.placement = placement
        cat, lay = model.catalog, model.scenario.layout
        zone_index = {z.id: i for i, z in enumerate(lay.zones)}
        planned = items_per_visit(model.scenario)  # units an average list holds
        self.displays: list[Display] = []
        for i, move in enumerate(placement.moves):
            if move.category is not None:
                skus = np.flatnonzero([p.category == move.category for p in cat.products])
            else:
                skus = np.asarray([cat.index[move.sku]])
            zone = zone_index[move.zone] if move.zone is not None else int(cat.zone[skus[0]])
            relocated = zone != int(cat.zone[skus[0]])
            a, b = self._where(move, zone, skus, relocated)
            w = cat.demand_weight[skus]
            self.displays.append(
                Display(
                    index=i,
                    name=f"{move.category or move.sku}@{lay.zones[zone].id}:{move.fixture.value}",
                    move=move,
                    skus=skus,
                    zone=zone,
                    a=a,
                    b=b,
                    extra_probability=min(placement.lift(move) * planned * w.sum(), 1.0),
                    weights=w / w.sum(),
                    relocated=relocated,
                )
            )

    def _where(
        self, move: Move, zone: int, skus: np.ndarray, relocated: bool
    ) -> tuple[Point, Point]:
        """The display's ends: one point for an end-cap, the stretch of aisle otherwise."""
        m = self.model
        spec, x = m.scenario.layout.zones[zone], m.plan.aisle_x(zone)
        if move.fixture is Fixture.endcap:
            y = spec.y if move.end == "front" else spec.y + spec.depth
            return (x, y), (x, y)
        if not relocated:
            ys = m.catalog.shelf_y[skus]
            return (x, float(ys.min())), (x, float(ys.max()))
        return (x, spec.y + 0.5), (x, spec.y + spec.depth - 0.5)

    def apply(self, day: int) -> None:
        """Put today's moves in place (before the doors open): positions, facings, routes."""
        m = self.model
        cat, stock = m.catalog, m.stock
        moved = False
        for d in self.displays:
            if d.move.from_day != day:
                continue
            moved = True
            cat.zone[d.skus] = d.zone
            if d.move.fixture is Fixture.endcap or d.relocated:
                cat.shelf_y[d.skus] = np.linspace(d.a[1], d.b[1], len(d.skus))
            if d.move.facings != 1.0:
                for arr in (stock.facing, stock.capacity):
                    arr[d.skus] = np.maximum(np.ceil(arr[d.skus] * d.move.facings), 1)
                stock.shelf[d.skus] = np.minimum(stock.shelf[d.skus], stock.capacity[d.skus])
        if moved:
            m.rebuild_routes()

    def active(self, day: int) -> list[Display]:
        """The displays in place on ``day``."""
        return [d for d in self.displays if d.move.from_day <= day]

    def passing(
        self, shopper: Shopper, toward: Point | None = None, upto: int | None = None
    ) -> None:
        """Offer the displays the shopper walked past since the last call; one draw each.

        With ``toward``, also those on the walk from here to that point, which the
        shopper is about to make (to the tills or, with a smart cart, the exit).
        ``upto``: only the path's first ``upto`` waypoints count (the shopper has
        laid down the rest of the zone's walk already, but not walked it yet).
        """
        m, traj = self.model, shopper.trajectory
        start = max(shopper.placement_checked - 1, 0)
        end = len(traj.t) if upto is None else upto
        xy = np.column_stack([traj.x[start:end], traj.y[start:end]])
        shopper.placement_checked = end
        if toward is not None:
            xy = np.vstack([xy, m.plan.route(traj.here, toward)])
        if len(xy) < 2:
            return
        reach = self.placement.reach_m
        for d in self.active(m.day):
            if d.index in shopper.displays_seen or d.extra_probability <= 0:
                continue
            if not self._passes(xy, d, reach):
                continue
            shopper.displays_seen.add(d.index)
            rng = shopper.placement_rng()
            u, pick = rng.random(2)
            if u >= d.extra_probability:
                continue
            k = min(int(np.searchsorted(np.cumsum(d.weights), pick)), len(d.skus) - 1)
            sku = int(d.skus[k])
            if sku not in shopper.basket and m.stock.take(sku, 1):
                shopper.impulse_units += 1
                shopper._add(sku, 1, int(m.labels.shown_cents[sku]))

    @staticmethod
    def _passes(xy: np.ndarray, d: Display, reach: float) -> bool:
        """Whether the path ``xy`` comes within reach of the display (as hot zones count it)."""
        p0, p1 = xy[:-1], xy[1:]
        if d.move.fixture is Fixture.endcap:
            return bool((disc_share(p0, p1, np.asarray([d.a]), reach) >= 0).any())
        (x, ya), (_, yb) = d.a, d.b
        rect = np.asarray([[x - reach, x + reach, ya, yb]])
        return bool((rect_share(p0, p1, rect) >= 0).any())
