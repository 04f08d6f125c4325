"""Piecewise-linear trajectories: where a shopper is at any time, computed on demand.

Agents do not tick every second; they record waypoints as they move, and
cameras or WiFi probes ask for positions later with numpy interpolation.
"""

from __future__ import annotations

import math

import numpy as np

from twin.layout import Point


class Trajectory:
    """Timed waypoints of one walker; times never go backwards."""

    __slots__ = ("t", "x", "y")

    def __init__(self, t: float, at: Point):
        self.t = [t]
        self.x = [at[0]]
        self.y = [at[1]]

    @property
    def end(self) -> float:
        """Time of the last waypoint."""
        return self.t[-1]

    @property
    def here(self) -> Point:
        """Position at the last waypoint."""
        return (self.x[-1], self.y[-1])

    def wait_until(self, t: float) -> None:
        """Stand still until ``t``."""
        if t > self.t[-1]:
            self._add(t, self.x[-1], self.y[-1])

    def walk(self, start: float, waypoints: list[Point], speed: float) -> float:
        """Walk through ``waypoints`` from ``start`` (or the last waypoint's time, if later).

        Returns:
            The time of arrival at the last waypoint.
        """
        ts, xs, ys = self.t, self.x, self.y
        t, x0, y0 = ts[-1], xs[-1], ys[-1]
        if start > t:  # stand still until the walk starts
            ts.append(start)
            xs.append(x0)
            ys.append(y0)
            t = start
        for x1, y1 in waypoints:
            t += math.hypot(x1 - x0, y1 - y0) / speed
            ts.append(t)
            xs.append(x1)
            ys.append(y1)
            x0, y0 = x1, y1
        return t

    def stops_along(
        self,
        start: float,
        to_first: list[Point],
        x: float,
        ys: list[float],
        pauses: list[float],
        speed: float,
    ) -> list[int]:
        """Walk ``to_first`` to the first stop, then up the aisle at ``x`` to each of ``ys``.

        The shopper stands ``pauses[j]`` seconds at stop j. The same waypoints as
        ``walk`` and ``wait_until`` stop by stop (the route between two stops of one
        aisle is the straight line), in one call for a zone's stops.

        Returns:
            The number of waypoints once each stop's pause is over.
        """
        ts, xs, yv = self.t, self.x, self.y
        t, x0, y0 = ts[-1], xs[-1], yv[-1]
        if start > t:  # as ``walk``, inline: one call a zone, not two
            ts.append(start)
            xs.append(x0)
            yv.append(y0)
            t = start
        for x1, y1 in to_first:
            t += math.hypot(x1 - x0, y1 - y0) / speed
            ts.append(t)
            xs.append(x1)
            yv.append(y1)
            x0, y0 = x1, y1
        marks = []
        for j, y in enumerate(ys):
            if j:
                t += math.hypot(0.0, y - y0) / speed
                ts.append(t)
                xs.append(x)
                yv.append(y)
                y0 = y
            end = t + pauses[j]
            if end > t:
                ts.append(end)
                xs.append(x)
                yv.append(y)
                t = end
            marks.append(len(ts))
        return marks

    def _add(self, t: float, x: float, y: float) -> None:
        self.t.append(t)
        self.x.append(x)
        self.y.append(y)

    def position(self, t: float | np.ndarray) -> np.ndarray:
        """Position(s) at time(s) ``t``; clamped to the first/last waypoint outside the span."""
        times = np.asarray(self.t)
        return np.stack([np.interp(t, times, self.x), np.interp(t, times, self.y)], axis=-1)
