"""run_many hands out the largest jobs first and still returns folders in job order."""

import gc
import os
from pathlib import Path

from scenarios import load
from scenarios.overrides import apply_everywhere
from twin.chain_run import chain_jobs
from twin.executor import Job, largest_first, run_many


def test_largest_first_orders_by_work_and_keeps_ties_in_order():
    jobs = [
        Job({}, 0, i, days, "x", weight=w)
        for i, (w, days) in enumerate([(100.0, 1), (50.0, 4), (100.0, 1), (300.0, 1)])
    ]
    assert largest_first(jobs) == [3, 1, 0, 2]


def test_chain_jobs_weigh_each_store_by_its_traffic(tmp_path):
    sc = apply_everywhere(load("convenience"), {"chain": {"stores": 4, "traffic_sd": 0.5}})
    jobs = chain_jobs(sc, 1, 2, tmp_path)
    weights = [j.weight for j in jobs]
    assert len(set(weights)) == 4 and all(w > 0 for w in weights)


def starts(job: Job, progress=None) -> str:
    """Note that the job started (one short append is atomic), then return its folder."""
    fd = os.open(job.services, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, f"{job.store_index}\n".encode())
    os.close(fd)
    return job.out


def test_the_pool_starts_the_largest_jobs_first(tmp_path):
    log = str(tmp_path / "started")
    weights = [1.0, 2.0, 3.0, 9.0, 8.0, 1.5]
    jobs = [Job({}, 0, i, 1, f"out{i}", log, weight=w) for i, w in enumerate(weights)]
    outs = run_many(jobs, 2, runner=starts)
    assert outs == [Path(f"out{i}") for i in range(6)]
    order = [int(x) for x in Path(log).read_text().split()]
    # The first two handed out are 3 and 4; a third starts only once one of them is done.
    assert order[0] in {3, 4} and sorted(order) == list(range(6))


def frozen(job: Job, progress=None) -> str:
    """Note how many objects the worker's collector skips (those frozen before the fork)."""
    Path(job.out).write_text(str(gc.get_freeze_count()))
    return job.out


def test_forked_workers_inherit_a_frozen_heap_and_the_driver_gets_its_own_back(tmp_path):
    jobs = [Job({}, 0, i, 1, str(tmp_path / f"n{i}")) for i in range(2)]
    outs = run_many(jobs, 2, runner=frozen)
    assert all(int(p.read_text()) > 10_000 for p in outs)
    assert gc.get_freeze_count() == 0
