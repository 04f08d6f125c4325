"""Ray behind ``twin.executor.run_many``: the same jobs on a local Ray or on a cluster.

Imported only when ``--executor ray`` is asked for, so other commands never pay
Ray's start-up. A worker runs the job in a scratch folder. On another node it
returns the folder's files as bytes and the driver writes them where the job
says, so the cluster's nodes need no shared disk; on the driver's own node it
moves them into place itself, so the driver does not copy every store's files
(a 28-day store's ``store.db`` alone is about 100 MB) through Ray's object
store and write them one store after another. Either way the same runner
writes the same files, so a run gives the same bytes wherever it ran. A worker
that dies has its job rerun (Ray's ``max_retries``); a tally actor counts the
store-days finished across workers for the progress bar and notices reruns.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from twin.executor import Job, JobFailed, Runner, Workers, largest_first

RETRIES = 3
"""Reruns of a job whose worker died (not of one that raised: that is a bug, not bad luck)."""


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None)
    text = str(cause) if isinstance(cause, BaseException) else str(exc)
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()


def init_options(address: str | None, cpus: int | None = None) -> dict[str, Any]:
    """``ray.init``'s arguments: join ``address`` (or $RAY_ADDRESS), else start a local Ray.

    A local Ray started for ``cpus`` workers gets that many CPUs: as the driver
    connects Ray starts an idle worker per CPU, each importing Ray (about 1 CPU s),
    and on a machine of many cores the ones no job needs only compete with the jobs.
    Without ``cpus`` a local Ray has all the machine's cores.
    """
    address = address or os.environ.get("RAY_ADDRESS") or None
    options: dict[str, Any] = {
        "address": address,
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
    }
    if address is None and cpus:
        options["num_cpus"] = cpus
    return options


def connect_ray(address: str | None, cpus: int | None = None) -> Any:
    """The ``ray`` module, initialised: joined to ``address`` or $RAY_ADDRESS, else local.

    An already initialised Ray (a test's, an earlier call's) is used as it is.
    """
    import ray

    if not ray.is_initialized():
        ray.init(**init_options(address, cpus))
    return ray


class Tally:
    """Store-days done per job (reset when a job starts again) and how often each started."""

    def __init__(self) -> None:
        self.days: dict[int, int] = {}
        self.starts: dict[int, int] = {}

    def start(self, index: int) -> None:
        """A job (re)starts: its days count from zero."""
        self.starts[index] = self.starts.get(index, 0) + 1
        self.days[index] = 0

    def advance(self, index: int, days: int) -> None:
        """A job has finished ``days`` of its store-days."""
        self.days[index] = days

    def state(self) -> tuple[int, list[int]]:
        """Store-days finished in all, and the jobs that started more than once."""
        return sum(self.days.values()), sorted(i for i, n in self.starts.items() if n > 1)


def driver_node() -> str | None:
    """The Ray node this driver runs on (workers there write their own results).

    None through Ray Client (``ray://``): the driver's context then lives on the
    head node, whose disk is not this machine's, so every result comes back.
    """
    import ray
    from ray.util.client import ray as client

    if client.is_connected():
        return None
    return ray.get_runtime_context().get_node_id()


def warm_worker() -> None:
    """Import the twin and freeze the heap, once per Ray worker process.

    A local pool's forked workers inherit the driver's imports with its heap
    frozen (``gc.freeze``), so their collections skip the ~160k objects of the
    imported modules. A Ray worker starts bare and imports the twin itself in
    its first job; unfrozen, every full collection of every later job walks
    those objects again (about 10% of a supermarket store-day's CPU).
    """
    if gc.get_freeze_count() == 0:
        import twin.run  # noqa: F401  (what every job needs, imported before freezing)

        gc.collect()
        gc.freeze()


def attempt(
    runner: Runner, job: Job, index: int, tally: Any, driver: str | None = None
) -> dict[str, bytes] | None:
    """Run one job on a worker; its folder's files by relative path, or None if written here.

    On the ``driver`` node the worker runs the job in a scratch folder beside
    ``job.out`` and moves the files into place (``move_files``); elsewhere it
    returns them for the driver to write (``write_files``).
    """
    import ray

    warm_worker()
    ray.get(tally.start.remote(index))
    reported = 0

    def tick(share: float) -> None:
        nonlocal reported
        days = int(share * job.days)
        if days > reported:
            reported = days
            tally.advance.remote(index, days)

    if driver is not None and ray.get_runtime_context().get_node_id() == driver:
        out = Path(job.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{out.name}.part-"
        for stale in out.parent.glob(f"{prefix}*"):  # left by an attempt whose worker died
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=prefix) as scratch:
            runner(dataclasses.replace(job, out=scratch), tick)
            move_files(Path(scratch), out)
        return None
    with tempfile.TemporaryDirectory(prefix="storetwin-job-") as scratch:
        runner(dataclasses.replace(job, out=scratch), tick)
        root = Path(scratch)
        return {
            str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }


def move_files(scratch: Path, out: Path) -> Path:
    """Move a job's files from ``scratch`` into ``out`` (same disk: each an atomic rename)."""
    for path in sorted(scratch.rglob("*")):
        if path.is_file():
            target = out / path.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    return out


def write_files(files: dict[str, bytes], out: Path) -> Path:
    """Write a job's returned files under ``out``, each to a temporary name first."""
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_bytes(data)
        part.replace(path)
    return out


def run_on_ray(
    jobs: Sequence[Job],
    workers: Workers,
    progress: Callable[[float], None] | None,
    runner: Runner,
) -> list[Path]:
    """``run_many`` on Ray: at most ``workers.count`` jobs in flight (all the cluster's CPUs).

    Jobs are submitted largest first (``largest_first``); results land in job order.
    """
    ray = connect_ray(workers.address, workers.count)
    remote = ray.remote(num_cpus=1, max_retries=RETRIES)(attempt)
    tally = ray.remote(num_cpus=0)(Tally).remote()
    total = sum(j.days for j in jobs) or 1
    limit = workers.count or len(jobs)
    queue = [(i, jobs[i]) for i in largest_first(jobs)]
    here = driver_node()
    pending: dict[Any, int] = {}
    outs: list[Path | None] = [None] * len(jobs)
    shown = 0
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                i, job = queue.pop(0)
                absolute = dataclasses.replace(job, out=str(Path(job.out).absolute()))
                pending[remote.remote(runner, absolute, i, tally, here)] = i
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
            for ref in ready:
                i = pending.pop(ref)
                try:
                    files = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    raise JobFailed(f"{jobs[i].label} failed on Ray: {_reason(exc)}") from exc
                out = Path(jobs[i].out)
                outs[i] = out if files is None else write_files(files, out)
            if progress:
                days, _ = ray.get(tally.state.remote())
                shown = max(shown, days)
                progress(min(shown, total) / total)
        _, rerun = ray.get(tally.state.remote())
    finally:
        ray.kill(tally)
    if rerun:
        labels = "; ".join(jobs[i].label for i in rerun)
        workers.say(
            f"{len(rerun)} job(s) rerun after their worker died ({labels}); "
            "their results are from the rerun"
        )
    return [o for o in outs if o is not None]
