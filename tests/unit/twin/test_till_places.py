"""A till grants a free place, and hands a freed one on, at once: no events of its own."""

import simpy

from twin.checkout import Places


def _day(resource_type: type[simpy.Resource], renege_at: float | None = None):
    env = simpy.Environment()
    till = resource_type(env, capacity=1)
    served: list[tuple[str, float]] = []
    steps = {"n": 0}

    def shopper(name: str, arrive: float, service: float, patience: float | None = None):
        yield env.timeout(arrive)
        with till.request() as turn:
            if patience is None:
                yield turn
            else:
                got = yield turn | env.timeout(patience)
                if turn not in got:
                    served.append((f"{name} left", env.now))
                    return
            served.append((name, env.now))
            yield env.timeout(service)

    env.process(shopper("a", 0.0, 5.0))
    env.process(shopper("b", 1.0, 3.0, patience=renege_at))
    env.process(shopper("c", 2.0, 1.0))
    while env.peek() < float("inf"):
        env.step()
        steps["n"] += 1
    return served, steps["n"], till


def test_places_serve_in_the_same_order_and_times_with_fewer_events():
    plain, plain_steps, _ = _day(simpy.Resource)
    places, places_steps, till = _day(Places)
    assert places == plain == [("a", 0.0), ("b", 5.0), ("c", 8.0)]
    # no Release event for each of the three sales, no grant event for the free place a took
    assert places_steps == plain_steps - 4
    assert till.users == [] and till.queue == []


def test_a_shopper_who_gives_up_frees_no_place_and_blocks_nobody():
    plain, _, _ = _day(simpy.Resource, renege_at=2.0)
    places, _, till = _day(Places, renege_at=2.0)
    assert places == plain == [("a", 0.0), ("b left", 3.0), ("c", 5.0)]
    assert till.users == [] and till.queue == []


def test_the_shortest_open_lane_ties_to_the_lowest_index():
    from scenarios import load
    from twin.checkout import Lane, shortest
    from twin.layout import FloorPlan

    env = simpy.Environment()
    plan = FloorPlan(load("supermarket").layout, 4)
    lanes = [Lane(env, i, plan) for i in range(4)]
    assert shortest(lanes) is None  # all closed
    for lane in lanes[1:]:
        lane.open = True
    for i in (1, 2, 2, 3):
        lanes[i].request()
    assert [len(lane) for lane in lanes] == [0, 1, 2, 1]
    assert shortest(lanes) is lanes[1]  # lane 0 is empty but closed; 1 and 3 tie


def test_a_request_made_in_one_call_is_the_one_simpy_makes():
    import numpy as np
    from simpy.resources.resource import Request

    rng = np.random.default_rng(5)
    env = simpy.Environment()
    fast, slow = Places(env, capacity=2), Places(env, capacity=2)
    held: list[tuple[simpy.Event, simpy.Event]] = []
    longest = 0
    for _ in range(300):
        if held and rng.random() < 0.45:
            a, b = held.pop(int(rng.integers(len(held))))
            for request, places in ((a, fast), (b, slow)):  # as ``with`` leaves a request
                request.cancel()
                places.release(request)
        else:
            held.append((fast.request(), Request(slow)))
        pairs = [(a.triggered, a.callbacks is None, a.usage_since) for a, _ in held]
        assert pairs == [(b.triggered, b.callbacks is None, b.usage_since) for _, b in held]
        index = {id(a): i for i, (a, _) in enumerate(held)}
        twin = {id(b): i for i, (_, b) in enumerate(held)}
        assert [index[id(e)] for e in fast.users] == [twin[id(e)] for e in slow.users]
        assert [index[id(e)] for e in fast.put_queue] == [twin[id(e)] for e in slow.put_queue]
        longest = max(longest, len(fast.put_queue))
    assert longest > 3  # requests waited, not only free places taken
