"""The twin's environment counts processed events as a tally in ``step`` would."""

import simpy

from twin.model import CountingEnvironment


class _Tally(simpy.Environment):
    def __init__(self) -> None:
        super().__init__()
        self.processed = 0

    def step(self) -> None:
        self.processed += 1
        super().step()


def _counts(env) -> list[int]:
    """Counts after runs that stop at a time, at an event (twice) and at a later time."""

    def walker():
        for _ in range(5):
            yield env.timeout(1)

    env.process(walker())
    env.process(walker())
    env.run(until=2.5)
    seen = [env.processed]
    done = env.event()

    def closer():
        yield env.timeout(3)
        done.succeed()

    env.process(walker())
    env.process(closer())
    env.run(until=done)
    seen.append(env.processed)
    env.run(until=done)  # the stopping event was put back: it comes round again
    seen.append(env.processed)
    env.run(until=100)
    seen.append(env.processed)
    return seen


def test_processed_matches_a_tally_of_steps_across_stopped_runs():
    assert _counts(CountingEnvironment()) == _counts(_Tally()) == [7, 23, 24, 30]


def test_raw_steps_are_counted():
    env = CountingEnvironment()
    for i in range(10):
        env.timeout(i)
    for _ in range(4):
        env.step()
    assert env.processed == 4


def test_the_event_factories_are_bound_to_the_environment_as_simpy_binds_its_own():
    """``env.timeout`` and the like are the instance's own, not a new bound method per call."""
    env = CountingEnvironment()
    for name in ("timeout", "event", "process", "all_of", "any_of"):
        assert name in vars(env), name
        assert getattr(env, name) is getattr(env, name)
    assert env.timeout(2, value="x").value == "x"
