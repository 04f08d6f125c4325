"""Store runs of a pilot through the executor seam, read back as one store-day table.

Each (arm, store) is one ``twin.executor.Job`` writing its own result folder, so
a pilot's runs can move to a cluster with the rest of the twin. Only the daily
table is read back: the pilot judges store-days, not visits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    ready: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every arm's stores as one batch of jobs; the daily table of each arm by name.

    Stores whose folder is in ``ready`` (daily tables by folder, from ``job_frames``)
    are not simulated again.

    Returns:
        Per arm, one row per store and day: ``store_id``, ``day`` and the KPI columns.
    """
    tables = job_frames(arms, workers, progress, ready)
    parts: dict[str, list[pd.DataFrame]] = {arm.name: [] for arm in arms}
    for arm in arms:
        parts[arm.name] += [tables[_folder(arm, sid)] for sid in arm.store_ids]
    return {
        name: pd.concat(frames, ignore_index=True).sort_values(
            ["store_id", "day"], ignore_index=True
        )
        if frames
        else pd.DataFrame()
        for name, frames in parts.items()
    }


def job_frames(
    arms: Sequence[Arm],
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    ready: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Simulate the arms' stores not in ``ready`` as one batch; every store's daily table by folder.

    One batch keeps every worker busy to the end: the largest jobs start first
    whichever arm they belong to, where arms run one after another leave workers
    idle at the end of each.
    """
    from scenarios.chain import describe, expand

    have = dict(ready or {})
    jobs: list[Job] = []
    queued: set[str] = set()
    for arm in arms:
        stores = expand(arm.scenario)
        index = {s.store_id: s.index for s in stores}
        visitors = {row["store_id"]: row["daily_visitors"] for row in describe(stores)}
        data = arm.scenario.model_dump(mode="json")
        for sid in arm.store_ids:
            out = _folder(arm, sid)
            if out not in have and out not in queued:
                queued.add(out)
                jobs.append(Job(data, arm.seed, index[sid], arm.days, out, weight=visitors[sid]))
    if jobs:
        for job, folder in zip(jobs, run_many(jobs, workers, progress), strict=True):
            have[job.out] = pq.read_table(folder / "daily.parquet").to_pandas()
    return {_folder(arm, sid): have[_folder(arm, sid)] for arm in arms for sid in arm.store_ids}


def _folder(arm: Arm, store_id: str) -> str:
    return str(arm.out / store_id)
