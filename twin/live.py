"""Live mode: the twin in (compressed) real time against HTTP services, reporting its lag.

The store runs on a ``simpy.rt.RealtimeEnvironment`` with ``factor = 1/speed``
in non-strict mode, so when the services answer slowly the twin falls behind
instead of failing. How far behind is measured at every event (wall time now
minus the wall time the event was due) and reported, rather than silently
stretching simulated time; the run stops after ``duration_s`` real seconds
even when the twin is behind. The wall time each checkout took is simulated
time at the till (``StoreModel.pos_wait``): slow services make the queues
grow as a slow POS would. The night before the store opens is skipped at full
speed.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import simpy
import simpy.rt

from scenarios.chain import StoreSpec
from services.client import StoreClient
from services.schemas import CheckoutRequest, Receipt
from twin.model import StoreModel
from twin.rng import Streams


class LiveEnvironment(simpy.rt.RealtimeEnvironment):
    """Real time from ``live_from`` (simulated seconds) on, as fast as possible before it.

    ``lags`` holds (simulated second, lag in seconds) of every event processed in
    real time; ``processed`` counts every event, like the twin's own environment.
    """

    def __init__(self, speed: float, live_from: float = 0.0, wall_s: float = float("inf")):
        super().__init__(initial_time=0, factor=1.0 / speed, strict=False)
        self.live_from = live_from
        self.wall_s = wall_s
        self.processed = 0
        self.lags: list[tuple[float, float]] = []
        self._live = False

    @property
    def live(self) -> bool:
        """Whether events now run in real time (from ``live_from`` on)."""
        return self._live

    def step(self) -> None:
        """Process the next event, sleeping until it is due once live."""
        self.processed += 1
        due = self.peek()
        if due < self.live_from:
            simpy.Environment.step(self)
            return
        if not self._live:
            self._live = True
            self.env_start = self.live_from
            self.sync()
        if time.monotonic() - self.real_start > self.wall_s:
            raise Finished  # behind: the real time is up before the simulated time
        super().step()
        wanted = self.real_start + (due - self.env_start) * self.factor
        self.lags.append((due, max(time.monotonic() - wanted, 0.0)))


class Finished(Exception):
    """The live run reached its duration."""


class TimedCheckouts:
    """The services' client, keeping the wall time of the checkout just made (the POS's wait)."""

    def __init__(self, client: StoreClient):
        self._client = client
        self._last_s = 0.0

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def checkout(self, request: CheckoutRequest) -> Receipt:
        """Check out through the real client, timing it."""
        started = time.monotonic()
        try:
            return self._client.checkout(request)
        finally:
            self._last_s += time.monotonic() - started

    def take(self) -> float:
        """Wall seconds of the checkout(s) since the last call."""
        last, self._last_s = self._last_s, 0.0
        return last


def _stop_after(env: LiveEnvironment, sim_s: float):
    yield env.timeout(max(env.live_from - env.now, 0) + sim_s)
    raise Finished


def run_live(
    store: StoreSpec,
    client: StoreClient,
    *,
    speed: float,
    duration_s: float,
    seed: int = 0,
    live_from: float = 7 * 3600.0,
    report: Callable[[float, float], None] | None = None,
) -> dict:
    """Run one store live for ``duration_s`` real seconds; lag figures and the calls made."""
    env = LiveEnvironment(speed, live_from, wall_s=duration_s)
    streams = Streams(seed).child(store.index) if store.index else Streams(seed)
    timed = TimedCheckouts(client)
    model = StoreModel(
        store.scenario,
        streams,
        timed,  # type: ignore[arg-type]  # a StoreClient in all but name
        store_id=store.store_id,
        store_number=store.index + 1,
        env=env,
    )

    def pos_time() -> float:  # the call's wall time is store time only once live
        waited = timed.take()
        return waited * speed if env.live else 0.0

    model.pos_time = pos_time
    env.process(_stop_after(env, duration_s * speed))
    if report is not None:
        env.process(_reporter(env, speed, report))
    started = time.monotonic()
    with contextlib.suppress(Finished):
        model.run(days=1)
    return summary(env, speed, time.monotonic() - started) | tills(model)


def _reporter(env: LiveEnvironment, speed: float, report: Callable[[float, float], None]):
    """Every 10 real seconds, tell the caller the simulated time and the worst recent lag."""
    yield env.timeout(max(env.live_from - env.now, 0))
    seen = 0
    while True:
        yield env.timeout(10 * speed)
        recent = [lag for _, lag in env.lags[seen:]]
        seen = len(env.lags)
        report(env.now, max(recent, default=0.0))


def summary(env: LiveEnvironment, speed: float, wall_s: float) -> dict:
    """Lag percentiles, the share of events over a second late, and lag per simulated minute."""
    lags = np.array([lag for _, lag in env.lags]) if env.lags else np.zeros(1)
    per_minute: dict[int, float] = {}
    for t, lag in env.lags:
        minute = int(t // 60)
        per_minute[minute] = max(per_minute.get(minute, 0.0), lag)
    return {
        "speed": speed,
        "wall_s": round(wall_s, 3),
        "events": env.processed,
        "live_events": len(env.lags),
        "lag_s": {
            "p50": round(float(np.percentile(lags, 50)), 4),
            "p95": round(float(np.percentile(lags, 95)), 4),
            "max": round(float(lags.max()), 4),
        },
        "late_share": round(float((lags > 1.0).mean()), 4),
        "max_lag_per_sim_minute": [
            {"minute": m, "lag_s": round(v, 4)} for m, v in sorted(per_minute.items())
        ],
    }


def tills(model: StoreModel) -> dict:
    """What the shoppers seen off in real time saw at the tills: waits, queues, POS time."""
    visits = model.visits.table().to_pandas()
    paid = visits[visits["converted"] & (visits["departure_s"] >= model.env.live_from)]
    waits = paid["wait_s"].fillna(0.0).to_numpy() if len(paid) else np.zeros(1)
    return {
        "sim_s": round(max(model.env.now - model.env.live_from, 0.0), 1),
        "checkouts": len(paid),
        "checkout_wait_s": {
            "mean": round(float(waits.mean()), 2),
            "p95": round(float(np.percentile(waits, 95)), 2),
            "max": round(float(waits.max()), 2),
        },
        "queue_seen_mean": round(float(paid["queue_seen"].mean()), 3) if len(paid) else 0.0,
        "pos_held_s": round(model.pos_held_s, 1),
    }


def write(result: dict, out: Path) -> Path:
    """live.json in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "live.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    return path
