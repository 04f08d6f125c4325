"""The one seam for many runs: jobs in, result files out, local processes by default.

A job is (scenario, seed, store, days) plus where its result goes; the scenario
travels as JSON and each worker validates it again, so nothing but plain data
crosses the process boundary and a cluster backend can take the same jobs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.client import StoreClient


@dataclass(frozen=True)
class Job:
    """One store of one scenario, simulated for ``days`` days, written to ``out``."""

    scenario: dict[str, Any]
    seed: int
    store_index: int
    days: int
    out: str
    services: str | None = None

    @property
    def label(self) -> str:
        """A short name for progress lines and errors."""
        return f"store {self.store_index + 1}, seed {self.seed}"


def run_job(job: Job) -> str:
    """Run one job in this process and write its result; returns the output folder."""
    from scenarios import parse
    from scenarios.chain import expand
    from twin.run import run_store

    scenario = parse(job.scenario, source=job.label)
    store = expand(scenario)[job.store_index]
    out = Path(job.out)
    with connect(job.services) as client:
        result = run_store(
            store, seed=job.seed, days=job.days, client=client, db_path=out / "store.db"
        )
    result.write(out)
    return job.out


@contextmanager
def connect(services: str | None) -> Iterator[StoreClient | None]:
    """An HTTP client for a running ``storetwin serve`` (key from $STORETWIN_API_KEY), or None.

    None means each run makes its own in-process services.
    """
    if services is None:
        yield None
        return
    from services.client import HttpClient

    client = HttpClient(services, os.environ.get("STORETWIN_API_KEY"))
    try:
        yield client
    finally:
        client.close()


def run_many(
    jobs: Sequence[Job],
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Path]:
    """Run every job; results come back as output folders in the order of ``jobs``.

    ``workers=1`` runs in this process (easiest to debug); more uses a process pool.
    """
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    done = 0
    if workers <= 1 or len(jobs) <= 1:
        outs = []
        for job in jobs:
            outs.append(Path(run_job(job)))
            done += 1
            if progress:
                progress(done / len(jobs))
        return outs
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        outs: list[Path | None] = [None] * len(jobs)
        for fut in as_completed(futures):
            outs[futures[fut]] = Path(fut.result())
            done += 1
            if progress:
                progress(done / len(jobs))
    return [o for o in outs if o is not None]
