"""Locust file: recorded twin traffic replayed on its own schedule (an open model).

Each Locust user is one store of the chain. It sends its store's setup calls
one after the other, then every recorded call at its simulated time divided by
the speed factor (``--twin-speeds``: a ramp of speeds, see ``ramp.Clock``),
each in its own greenlet, so a slow reply never delays the next request
(Locust's users are a closed model: a user waits for its reply
before its next task; this is what is added on top). Latency is measured from
the intended send time, so time spent waiting for the schedule, for a free
connection or for an id a previous reply hands out all counts (no coordinated
omission). A ``LoadTestShape`` adds stores over the ramp.

Alone: ``locust -f twin/loadtest/locustfile.py --headless --host URL --traffic
runs/x/traffic.jsonl.gz --twin-speed 600 --twin-duration 300 --twin-ramp 60``.
Distributed: the same with ``--master --expect-workers N --twin-workers N`` on
one machine and ``locust -f twin/loadtest/locustfile.py --worker --master-host
HOST`` on each worker (each needs the traffic file at the same path).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import time
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from gevent.pool import Pool
from locust import FastHttpUser, LoadTestShape, constant, events, task
from locust.exception import StopUser

from twin.loadtest.ramp import Clock
from twin.loadtest.traffic import Call, first_open, predecessors, read_traffic, rewrite

# Replies whose ids are acknowledged writes, checked against the database afterwards.
ACKED = {"order": "orders", "payment": "payments", "member": "members"}
# After the last request is due, replies still on their way are awaited this long.
DRAIN_S = 30.0
# Resent like HttpClient does: refused connections always, 0/502/503/504 when the call is safe.
RETRY_STATUS = frozenset({0, 502, 503, 504})
RETRY_BACKOFF_S = 0.1
SAMPLES: list[list] = []
USERS: list[TwinStore] = []


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    group = parser.add_argument_group("storetwin", "Replay of recorded twin traffic")
    group.add_argument("--traffic", default="", help="Recorded traffic (traffic.jsonl.gz).")
    group.add_argument("--twin-speed", type=float, default=60.0, help="Simulated s per real s.")
    group.add_argument(
        "--twin-speeds", default="", help="A speed ramp: speeds, one per equal step (200,400,...)."
    )
    group.add_argument("--twin-duration", type=float, default=60.0, help="Test length, s.")
    group.add_argument("--twin-ramp", type=float, default=0.0, help="Stores join over this, s.")
    group.add_argument("--twin-stores", type=int, default=0, help="Stores (0: all recorded).")
    group.add_argument("--twin-workers", type=int, default=1, help="Locust workers in the run.")
    group.add_argument("--twin-inflight", type=int, default=500, help="Open requests per store.")
    group.add_argument("--twin-out", default="", help="Folder for samples and acknowledged ids.")
    group.add_argument("--twin-retries", type=int, default=8, help="Resends of a failed call.")
    group.add_argument(
        "--twin-api-key",
        default=os.environ.get("STORETWIN_API_KEY", "dev-hq-key"),
        help="An HQ key of the services ($STORETWIN_API_KEY; default the development key).",
    )


@cache
def traffic(path: str) -> tuple[float, dict[str, list[Call]]]:
    """The recording's zero (first checkout of the chain) and its calls by store, in order."""
    calls = read_traffic(Path(path))
    by_store: dict[str, list[Call]] = defaultdict(list)
    for c in calls:
        by_store[c.store].append(c)
    return first_open(calls), dict(by_store)


class _Ids:
    """Recorded id -> the id the server under test handed out, per kind, for one store."""

    def __init__(self, calls: list[Call]):
        self.live: dict[tuple[str, str], Any] = {}
        self.ready: dict[tuple[str, str], Event] = {}
        self.failed: set[tuple[str, str]] = set()
        for c in calls:
            for _, kind, value in c.made:
                self.ready.setdefault((kind, str(value)), Event())

    def resolve(self, kind: str, value: Any, timeout: float) -> Any:
        """The live id for a recorded one, waiting for its reply; KeyError if it never came."""
        key = (kind, str(value))
        event = self.ready.get(key)
        if event is None:
            return value  # not handed out by the services during the recording
        event.wait(timeout)
        if key in self.failed or key not in self.live:
            raise KeyError(f"{kind} {value} was not created")
        return self.live[key]

    def learn(self, call: Call, reply: Any) -> None:
        """Record the ids a successful reply handed out."""
        for path, kind, value in call.made:
            live = reply
            try:
                for step in path:
                    live = live[step]
            except (KeyError, IndexError, TypeError):
                continue
            key = (kind, str(value))
            self.live.setdefault(key, live)
            self.ready[key].set()

    def lost(self, call: Call) -> None:
        """A creating call failed: whatever waits for its ids gives up."""
        for _, kind, value in call.made:
            key = (kind, str(value))
            if key not in self.live:
                self.failed.add(key)
                self.ready[key].set()


class TwinStore(FastHttpUser):
    """One store of the chain replaying its recorded calls on schedule."""

    wait_time = constant(0)
    _next = 0
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        """Pick this user's store: user k of worker w of W replays store w + k * W."""
        opts = self.environment.parsed_options
        zero, stores = traffic(opts.traffic)
        names = sorted(stores)[: opts.twin_stores or None]
        runner = self.environment.runner
        index = max(getattr(runner, "worker_index", 0), 0)
        slot = index + TwinStore._next * max(opts.twin_workers, 1)
        TwinStore._next += 1
        if slot >= len(names):
            raise StopUser()
        self.store = names[slot]
        self.zero = zero
        self.calls = stores[self.store]
        self.ids = _Ids(self.calls)
        self.after = predecessors(self.calls)
        self.finished = [Event() for _ in self.calls]
        self.started = [False] * len(self.calls)
        self.base: float | None = None
        USERS.append(self)
        speeds = [float(x) for x in opts.twin_speeds.split(",") if x] or [opts.twin_speed]
        step_s = opts.twin_duration / len(speeds) if len(speeds) > 1 else math.inf
        self.clock = Clock(tuple(speeds), step_s)
        self.end = self.environment.twin_started + opts.twin_duration
        self.pool = Pool(opts.twin_inflight)
        self.headers = {"X-API-Key": opts.twin_api_key}
        self.retries = opts.twin_retries

    @task
    def replay(self) -> None:
        """Setup calls in order, then the day's calls at their times; then idle to the end."""
        setup = [i for i, c in enumerate(self.calls) if c.t is None or c.t < self.zero]
        timed = [i for i, c in enumerate(self.calls) if c.t is not None and c.t >= self.zero]
        for i in setup:
            if time.time() >= self.end:
                break
            self._send(i, time.time(), "setup ")
        base = self.base = time.time()
        for i in timed:
            intended = base + self.clock.wall(self.calls[i].t - self.zero)
            if intended >= self.end:
                break
            delay = intended - time.time()
            if delay > 0:
                gevent.sleep(delay)
            self.pool.spawn(self._send, i, intended)
        self.pool.join(timeout=DRAIN_S + max(self.end - time.time(), 0))
        gevent.sleep(max(self.end - time.time(), 0) + DRAIN_S)

    def _send(self, index: int, intended: float, prefix: str = "") -> None:
        """Send call ``index`` once the calls before it on the same order, member... are done."""
        self.environment.twin_inflight += 1
        began = time.time()  # how late the generator itself is: the open model's honesty
        self.started[index] = True
        try:
            for before in self.after[index]:
                self.finished[before].wait(self._patience())
            self._exchange(self.calls[index], intended, began, prefix)
        finally:
            self.finished[index].set()
            self.environment.twin_inflight -= 1

    def _exchange(self, call: Call, intended: float, began: float, prefix: str) -> None:
        name = prefix + call.name
        sent = time.time()
        status, error, reply, attempts = 0, None, None, 0
        try:
            path, body = rewrite(call, lambda k, v: self.ids.resolve(k, v, self._patience()))
        except KeyError as exc:
            error = f"dependency: {exc.args[0]}"
        else:
            sent = time.time()
            if call.params:
                path = f"{path}?{urlencode(call.params)}"
            status, error, reply, attempts = self._request(call, path, body, name)
        done = time.time()
        if reply is not None:
            self.ids.learn(call, reply)
            if call.method in ("POST", "PUT"):
                self._acknowledge(call, reply)
        elif call.made:
            self.ids.lost(call)
        step = -1 if prefix else self.clock.step(call.t - self.zero)
        SAMPLES.append(
            [round(intended, 4), name, round((done - intended) * 1000, 3), status, error,
             round((sent - intended) * 1000, 3), round((began - intended) * 1000, 3), attempts,
             step]
        )  # fmt: skip

    def _patience(self) -> float:
        """How long a call may still wait for an earlier one: until the test is over."""
        return max(self.end + DRAIN_S - time.time(), 0.0)

    def missed(self, now: float) -> list[list]:
        """Samples for calls due before the end that never left or never got a reply.

        Without these a generator that falls behind would hide the requests it
        did not manage to send (coordinated omission at the end of the test).
        """
        if self.base is None:
            return []
        rows = []
        for i, call in enumerate(self.calls):
            if call.t is None or call.t < self.zero or self.finished[i].is_set():
                continue
            due = self.base + self.clock.wall(call.t - self.zero)
            if due >= self.end:
                continue
            why = "no reply before the end" if self.started[i] else "not sent: generator behind"
            late = round((now - due) * 1000, 3)
            step = self.clock.step(call.t - self.zero)
            rows.append([round(due, 4), call.name, late, 0, why, late, late, 0, step])
        return rows

    def _request(
        self, call: Call, path: str, body: Any, name: str
    ) -> tuple[int, str | None, Any, int]:
        """Send, resending as ``HttpClient`` does; (status, error or None, parsed reply, sends)."""
        safe = call.method in ("GET", "PUT", "DELETE") or (
            isinstance(body, dict) and "idempotency_key" in body
        )
        for attempt in range(self.retries + 1):
            with self.client.request(
                call.method, path, name=name, json=body, headers=self.headers, catch_response=True
            ) as r:
                status = r.status_code or 0
                expected = call.status
                if status == expected or (200 <= status < 300 and 200 <= expected < 300):
                    r.success()
                    ok = r.json() if 200 <= status < 300 and call.made else None
                    return status, None, ok, attempt + 1
                error = f"HTTP {status} (the twin got {expected}) {getattr(r, 'error', '') or ''}"
                r.failure(error)
            never_sent = isinstance(getattr(r, "error", None), ConnectionRefusedError)
            if attempt == self.retries or not (never_sent or (safe and status in RETRY_STATUS)):
                return status, error.strip(), None, attempt + 1
            gevent.sleep(min(RETRY_BACKOFF_S * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def _acknowledge(self, call: Call, reply: Any) -> None:
        acked = self.environment.twin_acked
        for path, kind, _ in call.made:
            if kind in ACKED and len(path) == 1:
                value = reply.get(path[0]) if isinstance(reply, dict) else None
                if isinstance(value, int):
                    acked[ACKED[kind]].add(value)


class TwinShape(LoadTestShape):
    """Stores join evenly over the ramp (the knee shows as latency rising with stores)."""

    def tick(self) -> tuple[int, float] | None:
        """(stores, join rate) now, or None when the test is over."""
        opts = self.runner.environment.parsed_options
        run_time = self.get_run_time()
        if run_time >= opts.twin_duration:
            # local users: wait for replies still on their way (a master cannot see them)
            draining = self.runner.environment.twin_inflight > 0
            return (
                (self.runner.user_count, 1.0)
                if draining and run_time < opts.twin_duration + DRAIN_S
                else None
            )
        stores = opts.twin_stores or len(traffic(opts.traffic)[1])
        if opts.twin_ramp <= 0:
            return stores, float(stores)
        share = min(1.0, (run_time + 1) / opts.twin_ramp)
        return max(1, math.ceil(stores * share)), max(stores / opts.twin_ramp, 1.0)


@events.init.add_listener
def _init(environment: Any, **_: Any) -> None:
    environment.twin_started = time.time()
    environment.twin_acked = defaultdict(set)
    environment.twin_inflight = 0


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    environment.twin_started = time.time()


@events.test_stop.add_listener
def _stop(environment: Any, **_: Any) -> None:
    out = getattr(environment.parsed_options, "twin_out", "")
    if not out:
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    index = max(getattr(environment.runner, "worker_index", 0), 0)
    now = time.time()
    SAMPLES.extend(row for user in USERS for row in user.missed(now))
    USERS.clear()  # once, should test_stop fire again
    with gzip.open(folder / f"samples-{index}.jsonl.gz", "wt") as f:
        for s in SAMPLES:
            f.write(json.dumps(s) + "\n")
    acked = {k: sorted(v) for k, v in environment.twin_acked.items()}
    (folder / f"acked-{index}.json").write_text(json.dumps(acked))
