"""The serpentine line: one queue, its head goes to the first free open lane."""

import simpy

from scenarios import load
from twin.checkout import Lane, SharedLine, open_lanes, shortest
from twin.layout import FloorPlan
from twin.trajectory import Trajectory


class Walker:
    def __init__(self) -> None:
        self.trajectory = Trajectory(0.0, (0.0, 0.0))
        self.speed = 1.0


def _front(lanes: int = 3) -> tuple[simpy.Environment, list[Lane], FloorPlan]:
    env = simpy.Environment()
    plan = FloorPlan(load("supermarket").layout, lanes)
    front = [Lane(env, i, plan) for i in range(lanes)]
    return env, front, plan


def _shopper(env, till, service_s, served):
    def visit():
        walker = Walker()
        till.join(walker, env.now)
        with till.request() as turn:
            yield turn
            till.leave(walker, env.now)
            lane = till.served_at(turn)
            served.append((env.now, lane.index))
            yield env.timeout(service_s)

    return env.process(visit())


def _run(serpentine: bool) -> list[tuple[float, int]]:
    """A long basket at lane 0, a short one at lane 1; a third shopper arrives at t=1."""
    env, lanes, plan = _front(2)
    for lane in lanes:
        lane.open = True
    line = SharedLine(env, plan, lanes) if serpentine else None
    served: list[tuple[float, int]] = []
    _shopper(env, line or lanes[0], 100.0, served)
    _shopper(env, line or lanes[1], 10.0, served)

    def late():
        yield env.timeout(1.0)
        # Per lane the newcomer picks a line by its length (both have one shopper):
        # the first, behind the long basket.
        _shopper(env, line or shortest(lanes), 5.0, served)

    env.process(late())
    env.run()
    return served


def test_shared_line_sends_the_head_to_the_first_free_lane():
    assert _run(serpentine=True)[-1] == (10.0, 1)
    assert _run(serpentine=False)[-1] == (100.0, 0)


def test_a_lane_that_opens_takes_the_head_of_the_line():
    env, lanes, plan = _front(2)
    lanes[0].open = True
    line = SharedLine(env, plan, lanes)
    served: list[tuple[float, int]] = []
    _shopper(env, line, 50.0, served)
    _shopper(env, line, 5.0, served)

    def open_second():
        yield env.timeout(20.0)
        lanes[1].open = True

    env.process(open_second())
    env.run()
    assert served == [(0.0, 0), (20.0, 1)]


def test_shared_line_counts_waiting_and_open_servers():
    env, lanes, plan = _front(3)
    lanes[0].open = lanes[1].open = True
    line = SharedLine(env, plan, lanes)
    served: list[tuple[float, int]] = []
    for _ in range(5):
        _shopper(env, line, 30.0, served)
    env.run(until=1.0)
    assert line.servers == 2
    assert len(line.turns) == 3
    assert len(line) == 5
    # Three ahead of a newcomer share two lanes: 1.5 services' wait (plus the next to finish).
    assert line.expected_wait(1.0) == (5 - 2 + 1) / 2


def test_open_lanes_are_the_lanes_whose_open_flag_is_set_in_order():
    _, front, _ = _front(4)
    assert open_lanes(front) == []
    front[3].open = True
    front[1].open = True
    assert open_lanes(front) == [front[1], front[3]]
    front[3].open = False
    assert open_lanes(front) == [front[1]]
