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
    """Walking geometry of one store: the scenario's layout and how many lanes stand in it."""

    layout: Layout
    lanes: int

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
        t = self.layout.tills
        return (t.x + lane * t.spacing_m, t.y)

    def queue_position(self, lane: int, place: int) -> Point:
        """Where the shopper ``place`` positions behind the paying one stands."""
        x, y = self.lane_position(lane)
        return (x, y + place * self.layout.tills.queue_spacing_m)

    def checkout_area(self) -> Point:
        """The point in front of the tills where shoppers choose a lane."""
        t = self.layout.tills
        return (t.x + (self.lanes - 1) * t.spacing_m / 2, self.layout.front_aisle_y)

    def zone_of(self, x: float, y: float) -> int:
        """Index of the zone containing (x, y), or -1 outside every zone."""
        for i, z in enumerate(self.layout.zones):
            if z.x <= x <= z.x + z.width and z.y <= y <= z.y + z.depth:
                return i
        return -1

    def patrol(self) -> list[tuple[int, Point]]:
        """A round through every aisle in serpentine order: (zone index, end of its aisle)."""
        order = sorted(range(len(self.layout.zones)), key=lambda i: self.layout.zones[i].x)
        stops = []
        for k, i in enumerate(order):
            z = self.layout.zones[i]
            y0, y1 = (z.y, z.y + z.depth) if k % 2 == 0 else (z.y + z.depth, z.y)
            stops.append((i, (self.aisle_x(i), y0)))
            stops.append((i, (self.aisle_x(i), y1)))
        return stops

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
