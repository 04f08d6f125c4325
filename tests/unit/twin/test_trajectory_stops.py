"""A zone's stops in one call lay down the same waypoints as walking them one by one."""

import numpy as np

from scenarios import load
from twin.layout import FloorPlan
from twin.trajectory import Trajectory


def _one_by_one(plan, start, t0, x, ys, pauses, speed):
    traj = Trajectory(0.0, start)
    marks = []
    for y, pause in zip(ys, pauses, strict=True):
        there = traj.walk(t0, plan.route(traj.here, (x, y)), speed)
        traj.wait_until(there + pause)
        marks.append(len(traj.t))
    return traj, marks


def test_stops_along_an_aisle_match_the_walk_stop_by_stop():
    plan = FloorPlan(load("supermarket").layout, 4)
    rng = np.random.default_rng(3)
    for _ in range(200):
        x = plan.aisle_x(int(rng.integers(0, 4)))
        start = (float(rng.uniform(0, 30)), float(rng.uniform(0, 20)))
        ys = rng.uniform(2, 18, int(rng.integers(1, 6))).tolist()
        pauses = (rng.gamma(4.0, 2.0, len(ys)) * (rng.random(len(ys)) < 0.9)).tolist()
        t0, speed = float(rng.uniform(0, 5)), float(rng.uniform(0.6, 1.4))
        expected, marks = _one_by_one(plan, start, t0, x, ys, pauses, speed)
        traj = Trajectory(0.0, start)
        got = traj.stops_along(t0, plan.route(start, (x, ys[0])), x, ys, pauses, speed)
        assert got == marks
        assert (traj.t, traj.x, traj.y) == (expected.t, expected.x, expected.y)
