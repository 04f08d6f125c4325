"""The one seam for many runs: jobs in, result files out, local processes by default.

A job is (scenario, seed, store, days) plus where its result goes; the scenario
travels as JSON and each worker validates it again, so nothing but plain data
crosses the process boundary and a cluster backend (``twin.ray_backend``) takes
the same jobs and gives the same files, byte for byte.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from services.client import StoreClient

BACKENDS = ("local", "ray")
"""Where ``run_many`` can run its jobs."""


@dataclass(frozen=True)
class Job:
    """One store of one scenario, simulated for ``days`` days, written to ``out``."""

    scenario: dict[str, Any]
    seed: int
    store_index: int
    days: int
    out: str
    services: str | None = None
    weight: float = 1.0
    """Work per simulated day relative to the other jobs (a store's visitors a day)."""

    @property
    def label(self) -> str:
        """A short name for progress lines and errors."""
        return f"store {self.store_index + 1}, seed {self.seed}"

    @property
    def work(self) -> float:
        """Expected work of the whole job, to start the largest first."""
        return self.weight * self.days


def largest_first(jobs: Sequence[Job]) -> list[int]:
    """Indices of ``jobs``, the most work first (ties keep their order).

    Handing out the largest jobs first keeps the workers busy to the end: a
    large job started last would leave the others idle while it runs. Results
    still come back in the order of ``jobs``, so the order changes no file.
    """
    return sorted(range(len(jobs)), key=lambda i: -jobs[i].work)


class JobFailed(RuntimeError):
    """A job failed on a cluster worker (it raised, or its worker died on every retry)."""


Runner = Callable[[Job, Callable[[float], None] | None], str]
"""Runs one job where it is called and writes its folder: ``run_job`` unless a test swaps it."""


@dataclass(frozen=True)
class Workers:
    """Where and how widely ``run_many`` runs its jobs.

    Attributes:
        count: Jobs at once (local: processes; ray: tasks in flight); None for all cores.
        backend: ``local`` (this machine's processes) or ``ray``.
        address: A Ray cluster to join (``ray://...`` or ``host:port``); None reads
            ``$RAY_ADDRESS``, and without it starts a local Ray with this machine's cores.
        note: Called with a line for the user (e.g. that a job was rerun); logged when None.
    """

    count: int | None = None
    backend: Literal["local", "ray"] = "local"
    address: str | None = None
    note: Callable[[str], None] | None = None

    def say(self, line: str) -> None:
        """Tell the user ``line`` through ``note`` (or the log)."""
        if self.note is not None:
            self.note(line)
        else:
            logging.getLogger("storetwin").warning(line)


def as_workers(workers: Workers | int | None) -> Workers:
    """A ``Workers`` from what callers pass: a process count, None, or a ``Workers``."""
    return workers if isinstance(workers, Workers) else Workers(count=workers)


def run_job(job: Job, progress: Callable[[float], None] | None = None) -> str:
    """Run one job in this process and write its result; returns the output folder.

    ``progress`` gets the share of the job's simulated time done, 0 to 1.
    """
    from scenarios import parse
    from scenarios.chain import expand
    from twin.run import run_store

    scenario = parse(job.scenario, source=job.label)
    store = expand(scenario)[job.store_index]
    out = Path(job.out)
    with connect(job.services) as client:
        result = run_store(
            store,
            seed=job.seed,
            days=job.days,
            client=client,
            db_path=out / "store.db",
            progress=progress,
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
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    runner: Runner = run_job,
) -> list[Path]:
    """Run every job; results come back as output folders in the order of ``jobs``.

    Args:
        jobs: The jobs, plain data.
        workers: A ``Workers`` (backend and width) or a process count. One local
            worker runs in this process (easiest to debug); more use a process pool.
        progress: Called with the share of store-days finished, 0 to 1.
        runner: What runs one job; ``run_job`` but in tests.
    """
    spec = as_workers(workers)
    if spec.backend == "ray":
        from twin.ray_backend import run_on_ray

        return run_on_ray(jobs, spec, progress, runner)
    if spec.backend != "local":
        raise ValueError(f"unknown executor {spec.backend!r}; choose from {', '.join(BACKENDS)}")
    count = spec.count or min(len(jobs), os.cpu_count() or 1)
    total = sum(j.days for j in jobs) or 1
    done = 0
    outs: list[Path | None] = [None] * len(jobs)
    if count <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):

            def within(share: float, before: int = done, days: int = job.days) -> None:
                if progress:
                    progress((before + int(share * days)) / total)

            outs[i] = Path(runner(job, within))
            done += job.days
        return [o for o in outs if o is not None]
    import twin.run  # noqa: F401  (imported once here, not in every forked worker)

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    gc.freeze()  # forked workers' collections skip the ~200k inherited objects (pages stay shared)
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=ctx) as pool:
            futures = {pool.submit(runner, jobs[i], None): i for i in largest_first(jobs)}
            for fut in as_completed(futures):
                i = futures[fut]
                outs[i] = Path(fut.result())
                done += jobs[i].days
                if progress:
                    progress(done / total)
    finally:
        gc.unfreeze()
    return [o for o in outs if o is not None]
