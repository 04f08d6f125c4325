"""``run(scenario, seed)``: the one pure function from a scenario to its result."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scenarios.chain import StoreSpec, expand
from scenarios.interventions import costs
from scenarios.schema import Scenario
from services.client import InProcessClient, StoreClient
from services.db import Database
from services.db.engine import MEMORY_URL
from twin import __version__
from twin.collector import fewer_collections
from twin.hotzones import with_observations
from twin.model import FLOWS, StoreModel
from twin.result import RunResult, compute_kpis, daily_table, hourly_table
from twin.rng import Streams
from twin.trace import Tracer


def run(
    scenario: Scenario,
    seed: int = 0,
    days: int = 1,
    *,
    client: StoreClient | None = None,
    db_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    trace: bool = False,
) -> RunResult:
    """Simulate ``days`` days of the scenario's store with random streams from ``seed``.

    For a scenario with a ``chain:`` block this runs its first store; use
    ``twin.chain_run.run_chain`` for all of them.

    Args:
        scenario: A validated scenario.
        seed: Run seed; the same scenario and seed give the same result.
        days: Days to simulate; stock carries over from one day to the next.
        client: Store services to use; by default in-process services on a fresh
            in-memory SQLite database (or on ``DATABASE_URL`` when set).
        db_path: Where that in-memory database is saved as a SQLite file when the
            run ends, also when it fails; an existing file there is replaced.
            Not saved when omitted.
        progress: Called with the share of simulated time done, from 0 to 1.
        trace: Also make the tables of the store-floor replay (tracks, queues,
            floor, shelf_events, camera frames; ``twin.trace``); the KPIs are the
            same either way.
    """
    return run_store(
        expand(scenario)[0],
        seed,
        days,
        client=client,
        db_path=db_path,
        progress=progress,
        trace=trace,
    )


def run_store(
    store: StoreSpec,
    seed: int = 0,
    days: int = 1,
    *,
    client: StoreClient | None = None,
    db_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    trace: bool = False,
) -> RunResult:
    """Simulate one store of a scenario (see ``run`` for the arguments)."""
    with fewer_collections():
        if client is not None:
            return _simulate(store, seed, days, client, progress, trace)
        db = Database.from_env(MEMORY_URL)
        db.create_schema()
        own = InProcessClient(db)
        try:
            return _simulate(store, seed, days, own, progress, trace)
        finally:
            if db_path is not None and db.in_memory:
                db.save(db_path)
            own.close()


def _simulate(
    store: StoreSpec,
    seed: int,
    days: int,
    client: StoreClient,
    progress: Callable[[float], None] | None,
    trace: bool = False,
) -> RunResult:
    started = time.perf_counter()
    streams = Streams(seed).child(store.index) if store.index else Streams(seed)
    model = StoreModel(
        store.scenario, streams, client, store_id=store.store_id, store_number=store.index + 1
    )
    if trace:
        model.tracer = Tracer()
        model.tracer.watch_shelves(model)
    model.run(days, progress)
    prices = model.pricing.true_cents()
    lost_value = int(np.dot(model.lost_units, prices))
    visits = model.visits.table().sort_by("visit_id")
    daily = daily_table(visits, model.daily, store.store_id)
    tables = {
        "hourly": hourly_table(model.datacollector.get_model_vars_dataframe(), FLOWS),
        "visits": visits,
        "daily": daily,
        **model.log.tables(),
    }
    tables["hotzones"] = with_observations(
        model.hotzones.table(), tables, model.scenario, model.plan.zone_of
    )
    if model.tracer is not None:
        model.tracer.staff(model.agents)
        model.tracer.floor(store.scenario.layout, model.tills())
        tables.update(model.tracer.tables())
    return RunResult(
        scenario_id=store.scenario.versioned_id,
        seed=seed,
        days=days,
        version=__version__,
        kpis=compute_kpis(visits, daily, lost_value, model.customers.captured),
        tables=tables,
        stats={
            "wall_s": round(time.perf_counter() - started, 3),
            "events": model.env.processed,
            "failures": model.failures[:20],
        },
        store_id=store.store_id,
        interventions=intervention_costs(store.scenario),
    )


def intervention_costs(scenario: Scenario) -> list[dict]:
    """Name, start day, parameters and per-store costs of each intervention of a scenario."""
    cost = costs(scenario)
    return [
        {
            "name": u.name,
            "start_day": u.start_day,
            "params": u.params.model_dump(mode="json"),
            "one_off": cost[u.name].one_off,
            "monthly": cost[u.name].monthly,
        }
        for u in scenario.interventions
    ]


def foreign_data(client: StoreClient, scenario: Scenario, days: int) -> list[str]:
    """What a shared services database already holds that would change this run's results.

    The twin registers its stores (S001, ...) and prices baskets with every
    promotion in force for them, so stores left by earlier runs (their members,
    orders and stock) and promotions of the chain or of those stores leak into
    the run. One line per finding; none for a fresh database.
    """
    own = {s.store_id for s in expand(scenario)}
    start = dt.datetime.combine(scenario.start_date, dt.time())
    end = start + dt.timedelta(days=days)
    found = []
    stores = client.list_stores()
    if stores:
        taken = sorted(s.id for s in stores if s.id in own)
        others = sorted(s.id for s in stores if s.id not in own)
        if taken:
            these = f"store {taken[0]} exists" if len(taken) == 1 else f"stores {_few(taken)} exist"
            found.append(
                f"{these} already (their members, points, coupons "
                "and orders from before are found by this run)"
            )
        if others:
            found.append(f"{len(others)} other store(s): {_few(others)}")
    promotions = [
        p
        for p in client.list_promotions()
        if (p.store_id is None or p.store_id in own) and p.starts_at < end and p.ends_at > start
    ]
    if promotions:
        shown = [f"{p.name!r} ({p.store_id or 'chain-wide'}, id {p.id})" for p in promotions]
        found.append(
            f"{len(promotions)} promotion(s) in force on the run's days that price its "
            f"baskets: {_few(shown)}"
        )
    return found


def _few(items: list[str], most: int = 8) -> str:
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more
