"""Store runs of a pilot through the executor seam, read back as one store-day table.

Each (arm, store) is one ``twin.executor.Job`` writing its own result folder, so
a pilot's runs can move to a cluster with the rest of the twin. Only the daily
table is read back: the pilot judges store-days, not visits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from scenarios.schema import Scenario
from twin.executor import Job, Workers, run_many


@dataclass(frozen=True)
class Arm:
    """Some stores of one scenario, run for ``days`` days with one seed, under ``out``."""

    name: str
    scenario: Scenario
    store_ids: tuple[str, ...]
    seed: int
    days: int
    out: Path

    @property
    def store_days(self) -> int:
        """How many store-days the arm simulates."""
        return len(self.store_ids) * self.days


def run_arms(
    arms: Sequence[Arm],
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every arm's stores as one batch of jobs; the daily table of each arm by name.

    Returns:
        Per arm, one row per store and day: ``store_id``, ``day`` and the KPI columns.
    """
    from scenarios.chain import describe, expand

    jobs: list[Job] = []
    owner: list[str] = []
    for arm in arms:
        stores = expand(arm.scenario)
        index = {s.store_id: s.index for s in stores}
        visitors = {row["store_id"]: row["daily_visitors"] for row in describe(stores)}
        data = arm.scenario.model_dump(mode="json")
        for sid in arm.store_ids:
            out = str(arm.out / sid)
            jobs.append(Job(data, arm.seed, index[sid], arm.days, out, weight=visitors[sid]))
            owner.append(arm.name)
    if not jobs:
        return {arm.name: pd.DataFrame() for arm in arms}
    folders = run_many(jobs, workers, progress)
    frames: dict[str, list[pd.DataFrame]] = {arm.name: [] for arm in arms}
    for name, folder in zip(owner, folders, strict=True):
        frames[name].append(pq.read_table(folder / "daily.parquet").to_pandas())
    return {
        name: pd.concat(parts, ignore_index=True).sort_values(
            ["store_id", "day"], ignore_index=True
        )
        for name, parts in frames.items()
    }
