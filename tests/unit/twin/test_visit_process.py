"""A visit's process: driven like ``simpy.Process``, without its start and end events."""

import pytest
import simpy

from twin.model import CountingEnvironment
from twin.visit_process import first_of, start


def _walk(env, log, name, waits):
    for w in waits:
        got = yield env.timeout(w, value=w)
        log.append((env.now, name, got))


def _schedule(env, launch):
    """Two walkers, the second starting at t=1 from another process; returns what they saw."""
    log = []

    def later():
        yield env.timeout(1.0)
        launch(_walk(env, log, "b", [0.5, 2.0]))

    launch(_walk(env, log, "a", [1.5, 1.0]))
    env.process(later())
    env.run()
    return log


def test_a_generator_sees_the_same_times_and_values_as_under_simpy():
    plain = CountingEnvironment()
    ours = CountingEnvironment()
    expected = _schedule(plain, plain.process)
    assert (
        _schedule(ours, start)
        == expected
        == [
            (1.5, "a", 1.5),
            (1.5, "b", 0.5),
            (2.5, "a", 1.0),
            (3.5, "b", 2.0),
        ]
    )
    # simpy's two processes each add a start and an end event; started ones add none
    assert plain.processed - ours.processed == 4


def test_the_first_of_a_race_wakes_the_generator_and_the_other_does_not():
    env = simpy.Environment()
    till = simpy.Resource(env, capacity=1)
    log = []

    def holder():
        with till.request() as turn:
            yield turn
            yield env.timeout(5.0)

    def waiter(patience):
        with till.request() as turn:
            first = yield first_of(turn, env.timeout(patience))
            log.append((patience, env.now, "served" if first is turn else "gave up"))
            if first is turn:
                yield env.timeout(1.0)
        yield env.timeout(10.0)  # would be resumed a second time here if the loser woke it
        log.append((patience, env.now, "left"))

    start(holder())  # takes the till at once
    start(waiter(3.0))  # gives up at 3, before the till frees at 5
    start(waiter(9.0))  # served at 5
    env.run()
    assert log == [
        (3.0, 3.0, "gave up"),
        (9.0, 5.0, "served"),
        (3.0, 13.0, "left"),
        (9.0, 16.0, "left"),
    ]


def test_a_race_already_won_goes_on_at_once():
    env = simpy.Environment()
    done = env.event().succeed()
    log = []

    def racer():
        yield env.timeout(1.0)  # ``done`` is processed by now
        first = yield first_of(env.timeout(4.0), done)
        log.append((env.now, first is done))

    start(racer())
    env.run()
    assert log == [(1.0, True)]


def test_a_failed_event_is_thrown_into_the_generator():
    env = simpy.Environment()
    broken = env.event()
    caught = []

    def victim():
        try:
            yield broken
        except ValueError as exc:
            caught.append((env.now, str(exc)))

    def breaker():
        yield env.timeout(2.0)
        broken.fail(ValueError("till down"))

    start(victim())
    env.process(breaker())
    env.run()
    assert caught == [(2.0, "till down")]


def test_an_error_in_the_generator_stops_the_run():
    env = simpy.Environment()

    def faulty():
        yield env.timeout(1.0)
        raise RuntimeError("bug in a visit")

    start(faulty())
    with pytest.raises(RuntimeError, match="bug in a visit"):
        env.run()


def test_wait_queues_what_a_timeout_queues():
    from simpy.events import Timeout

    from twin.visit_process import wait

    ours, theirs = CountingEnvironment(), CountingEnvironment()
    for env, make in ((ours, wait), (theirs, Timeout)):
        env.timeout(2.0)
        made = [make(env, d) for d in (3.0, 0.0, 3.0, 1.5)]
        assert all(type(e) is Timeout and e.triggered and e.value is None for e in made)
    assert [q[:3] for q in ours._queue] == [q[:3] for q in theirs._queue]
    got = []
    for env in (ours, theirs):
        env.run()
        got.append((env.now, env.processed))
    assert got[0] == got[1] == (3.0, 5)
    with pytest.raises(ValueError, match="Negative delay"):
        wait(ours, -1.0)
