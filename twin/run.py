"""``run(scenario, seed)``: the one pure function from a scenario to its result."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scenarios.schema import Scenario
from services.client import InProcessClient, StoreClient
from services.db import Database
from services.db.engine import sqlite_url
from twin import __version__
from twin.model import FLOWS, StoreModel
from twin.result import RunResult, compute_kpis, hourly_table
from twin.rng import Streams


def run(
    scenario: Scenario,
    seed: int = 0,
    days: int = 1,
    *,
    client: StoreClient | None = None,
    db_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> RunResult:
    """Simulate ``days`` days of the scenario's store with random streams from ``seed``.

    Args:
        scenario: A validated scenario.
        seed: Run seed; the same scenario and seed give the same result.
        days: Days to simulate; stock carries over from one day to the next.
        client: Store services to use; by default in-process services on a fresh
            SQLite file at ``db_path`` (or ``DATABASE_URL`` when set).
        db_path: Where the default SQLite file goes; a temporary file when omitted.
            An existing file there is replaced.
        progress: Called with the share of simulated time done, from 0 to 1.
    """
    if client is not None:
        return _simulate(scenario, seed, days, client, progress)
    with tempfile.TemporaryDirectory(prefix="storetwin-") as tmp:
        path = db_path or Path(tmp) / "store.db"
        _remove_sqlite(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database.from_env(sqlite_url(path))
        db.create_schema()
        own = InProcessClient(db)
        try:
            return _simulate(scenario, seed, days, own, progress)
        finally:
            own.close()


def _simulate(
    scenario: Scenario,
    seed: int,
    days: int,
    client: StoreClient,
    progress: Callable[[float], None] | None,
) -> RunResult:
    started = time.perf_counter()
    model = StoreModel(scenario, Streams(seed), client)
    model.run(days, progress)
    prices = {p.sku: p.price_cents for p in client.list_products()}
    lost_value = int(np.dot(model.lost_units, [prices[sku] for sku in model.catalog.skus]))
    visits = model.visits.table().sort_by("visit_id")
    tables = {
        "hourly": hourly_table(model.datacollector.get_model_vars_dataframe(), FLOWS),
        "visits": visits,
        **model.log.tables(),
    }
    return RunResult(
        scenario_id=scenario.versioned_id,
        seed=seed,
        days=days,
        version=__version__,
        kpis=compute_kpis(visits, lost_value),
        tables=tables,
        stats={
            "wall_s": round(time.perf_counter() - started, 3),
            "events": model.env.processed,
            "failures": model.failures[:20],
        },
    )


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
