"""A SimPy process without the two events of its own that ``simpy.Process`` costs.

``env.process(gen)`` schedules an ``Initialize`` event to start the generator
and, when the generator returns, schedules the process itself as an event so
that others may wait for it. A shopper's visit starts the moment it is created
and nobody waits for it to end, so those are two of the dozen events a visit
costs, each a heap push and pop and a step. ``start`` drives the generator the
same way (``yield event`` resumes it with the event's value, a failed event is
thrown into it) from the events it waits on only.

``first_of`` is the other saving: a race between two events (a turn at the till
and the patience timer) without the ``Condition`` event simpy's ``a | b`` adds.
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Timeout


class FirstOf:
    """Wait for whichever of two events is processed first; the generator gets that event.

    Only for generators run by ``start``. The loser keeps its place in the
    schedule but no longer resumes the generator.
    """

    __slots__ = ("a", "b")

    def __init__(self, a: simpy.Event, b: simpy.Event):
        self.a = a
        self.b = b


def first_of(a: simpy.Event, b: simpy.Event) -> FirstOf:
    """Yield this from a visit to race ``a`` against ``b`` (see ``FirstOf``)."""
    return FirstOf(a, b)


class _Driver:
    """Resumes one generator from the callbacks of the events it yields."""

    __slots__ = ("_generator", "_race")

    def __init__(self, generator: Generator[Any, Any, None]):
        self._generator = generator
        self._race: FirstOf | None = None

    def resume(self, event: simpy.Event | None) -> None:
        """Send ``event``'s value (a race's winner: the event) in; wait on what comes out."""
        gen = self._generator
        race, self._race = self._race, None
        if race is not None:  # the first of a race: the other one no longer wakes us
            other = race.b if event is race.a else race.a
            if other.callbacks is not None:
                other.callbacks.remove(self.resume)
        while True:
            try:
                if event is None:
                    target = gen.send(None)
                elif event._ok:
                    target = gen.send(event if race is not None else event._value)
                else:
                    event._defused = True  # handled here: the generator gets the error
                    error = event._value
                    copy = type(error)(*error.args)
                    copy.__cause__ = error
                    target = gen.throw(copy)
            except StopIteration:
                return
            race = None
            if type(target) is FirstOf:
                a, b = target.a, target.b
                if a.callbacks is not None and b.callbacks is not None:
                    self._race = target
                    a.callbacks.append(self.resume)
                    b.callbacks.append(self.resume)
                    return
                event, race = (a if a.callbacks is None else b), target  # one is over already
                continue
            if target.callbacks is not None:
                target.callbacks.append(self.resume)
                return
            event = target  # processed already: go on at once, as simpy does


def start(generator: Generator[Any, Any, None]) -> None:
    """Run ``generator`` as a process from now: its first step runs before this returns."""
    _Driver(generator).resume(None)


_SCHEDULE = simpy.Environment.schedule
_new_timeout = Timeout.__new__


def wait(env: simpy.Environment, delay: float) -> Timeout:
    """``simpy.Timeout(env, delay)``, made and scheduled in one call: the same event, queued alike.

    Timeout's ``__init__`` and the environment's ``schedule`` are two Python
    calls for each of a visit's half-dozen waits; this sets what they set and
    pushes the same entry (time, priority, next event id, event) on the queue.
    An environment that schedules in its own way gets a plain Timeout.
    """
    if delay < 0:
        raise ValueError(f"Negative delay {delay}")
    if type(env).schedule is not _SCHEDULE:
        return Timeout(env, delay)
    event = _new_timeout(Timeout)
    event.env = env
    event.callbacks = []
    event._value = None
    event._delay = delay
    event._ok = True
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), event))
    return event
