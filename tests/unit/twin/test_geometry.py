import dataclasses

import numpy as np
import pytest

from scenarios import load
from twin.layout import FloorPlan, path_length
from twin.trajectory import Trajectory


@pytest.fixture
def plan() -> FloorPlan:
    sc = load("supermarket")
    return FloorPlan(sc.layout, sc.checkout.lanes)


def test_walk_within_one_aisle_is_straight(plan):
    x = plan.aisle_x(0)
    assert plan.route((x, 10), (x, 20)) == [(x, 20)]


def test_walk_between_aisles_uses_the_nearer_cross_aisle(plan):
    a, b = (plan.aisle_x(0), 8.0), (plan.aisle_x(3), 9.0)
    route = plan.route(a, b)
    assert route[0] == (a[0], plan.layout.front_aisle_y)
    assert path_length(a, route) == pytest.approx(3 + 4 + abs(a[0] - b[0]))
    far = plan.route((plan.aisle_x(0), 25.0), (plan.aisle_x(3), 24.0))
    assert far[0][1] == plan.layout.back_aisle_y


def test_front_area_is_crossed_directly(plan):
    assert plan.route(plan.entrance, plan.exit) == [plan.exit]


def test_trajectory_gives_positions_on_demand():
    traj = Trajectory(0.0, (0.0, 0.0))
    arrive = traj.walk(10.0, [(3.0, 0.0), (3.0, 4.0)], speed=1.0)
    assert arrive == pytest.approx(17.0)
    np.testing.assert_allclose(traj.position(5.0), [0.0, 0.0])
    np.testing.assert_allclose(traj.position(11.5), [1.5, 0.0])
    np.testing.assert_allclose(traj.position(np.array([15.0, 99.0])), [[3.0, 2.0], [3.0, 4.0]])


def test_trajectory_time_never_goes_back():
    traj = Trajectory(0.0, (0.0, 0.0))
    traj.walk(0.0, [(5.0, 0.0)], speed=1.0)
    later = traj.walk(2.0, [(5.0, 1.0)], speed=1.0)  # asked to start before it arrived
    assert later == pytest.approx(6.0)
    assert traj.t == sorted(traj.t)


def test_the_plain_geometry_is_the_layouts_and_follows_the_lane_count(plan):
    lay, t = plan.layout, plan.layout.tills
    assert plan.entrance == (lay.entrance.x, lay.entrance.y)
    assert plan.exit == (lay.exit.x, lay.exit.y)
    assert plan.lane_position(2) == (t.x + 2 * t.spacing_m, t.y)
    assert plan.queue_position(2, 3) == (t.x + 2 * t.spacing_m, t.y + 3 * t.queue_spacing_m)
    assert plan.checkout_area() == (t.x + (plan.lanes - 1) * t.spacing_m / 2, lay.front_aisle_y)
    wider = dataclasses.replace(plan, lanes=plan.lanes + 2)
    assert wider.checkout_area()[0] == plan.checkout_area()[0] + t.spacing_m
    assert wider == dataclasses.replace(wider)  # the copied numbers are no fields
