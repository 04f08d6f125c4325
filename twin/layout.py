"""Floor geometry and walking routes.

Zones are aisles running front to back between two cross aisles. A walk
between different aisles goes out to the nearer cross aisle, along it and back
in; the open front area (entrance, tills, exit) is crossed in a straight line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scenarios.schema import Layout

Point = tuple[float, float]


@dataclass(frozen=True)
class FloorPlan:
    """Walking geometry of one store, built from the scenario's layout."""

    layout: Layout

    @property
    def entrance(self) -> Point:
        """Where shoppers come in."""
        return (self.layout.entrance.x, self.layout.entrance.y)

    @property
    def exit(self) -> Point:
        """Where shoppers leave."""
        return (self.layout.exit.x, self.layout.exit.y)

    def aisle_x(self, zone_index: int) -> float:
        """X of the walkway down the middle of a zone."""
        zone = self.layout.zones[zone_index]
        return zone.x + zone.width / 2

    def lane_position(self, lane: int) -> Point:
        """Where a shopper stands to pay at a lane."""
        c = self.layout.checkout
        return (c.x + lane * c.spacing_m, c.y)

    def queue_position(self, lane: int, place: int) -> Point:
        """Where the shopper ``place`` positions behind the paying one stands."""
        x, y = self.lane_position(lane)
        return (x, y + place * self.layout.checkout.queue_spacing_m)

    def checkout_area(self) -> Point:
        """The point in front of the tills where shoppers choose a lane."""
        c = self.layout.checkout
        return (c.x + (c.lanes - 1) * c.spacing_m / 2, self.layout.front_aisle_y)

    def route(self, a: Point, b: Point) -> list[Point]:
        """Waypoints of the walk from ``a`` to ``b`` (``a`` excluded, ``b`` included)."""
        front, back = self.layout.front_aisle_y, self.layout.back_aisle_y
        (ax, ay), (bx, by) = a, b
        if math.isclose(ax, bx) or (ay <= front and by <= front):
            return [b]
        cross = (
            front if abs(ay - front) + abs(by - front) <= abs(ay - back) + abs(by - back) else back
        )
        return [(ax, cross), (bx, cross), b]


def path_length(start: Point, waypoints: list[Point]) -> float:
    """Length of the polyline from ``start`` through ``waypoints``."""
    total, (x0, y0) = 0.0, start
    for x1, y1 in waypoints:
        total += math.hypot(x1 - x0, y1 - y0)
        x0, y0 = x1, y1
    return total
