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
    """Walking geometry of one store: the scenario's layout and how many lanes stand in it.

    The few numbers a walk reads (aisles, tills, doors) are copied out of the
    layout once: every route and till position of a store-day reads them, and
    an attribute of a pydantic model costs some twenty times a plain one.
    """

    layout: Layout
    lanes: int

    def __post_init__(self) -> None:
        lay, t = self.layout, self.layout.tills
        plain = {
            "_front": lay.front_aisle_y,
            "_back": lay.back_aisle_y,
            "_till_x": t.x,
            "_till_y": t.y,
            "_till_spacing": t.spacing_m,
            "_queue_spacing": t.queue_spacing_m,
            "_entrance": (lay.entrance.x, lay.entrance.y),
            "_exit": (lay.exit.x, lay.exit.y),
            "_checkout_area": (t.x + (self.lanes - 1) * t.spacing_m / 2, lay.front_aisle_y),
        }
        for name, value in plain.items():
            object.__setattr__(self, name, value)

    @property
    def entrance(self) -> Point:
        """Where shoppers come in."""
        return self._entrance

    @property
    def exit(self) -> Point:
        """Where shoppers leave."""
        return self._exit

    def aisle_x(self, zone_index: int) -> float:
        """X of the walkway down the middle of a zone."""
        zone = self.layout.zones[zone_index]
        return zone.x + zone.width / 2

    def lane_position(self, lane: int) -> Point:
        """Where a shopper stands to pay at a lane."""
        return (self._till_x + lane * self._till_spacing, self._till_y)

    def queue_position(self, lane: int, place: int) -> Point:
        """Where the shopper ``place`` positions behind the paying one stands."""
        # ``lane_position``'s point, inline: asked for every shopper who joins or moves up
        return (
            self._till_x + lane * self._till_spacing,
            self._till_y + place * self._queue_spacing,
        )

    def checkout_area(self) -> Point:
        """The point in front of the tills where shoppers choose a lane."""
        return self._checkout_area

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
        front, back = self._front, self._back
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
