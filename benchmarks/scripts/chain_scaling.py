"""Where a chain run's CPU time goes, and the 1 -> 2 worker speed-up it allows (Amdahl).

Wall-clock scaling needs idle cores; CPU seconds do not. This runs the chain's
jobs one after another in this process, timing each phase with the process's
CPU clock, then computes the speed-up W workers could reach at best: the
driver's serial part plus the makespan of the jobs on W workers, handed out
in job order (as before) and largest first (as ``run_many`` does), against
everything on one worker.

    PYTHONPATH=. python benchmarks/scripts/chain_scaling.py supermarket \
        --param "chain={stores: 8, seed: 1}" --days 1 --seed 1
"""

from __future__ import annotations

import argparse
import heapq
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

CPU: dict[str, float] = defaultdict(float)
"""CPU seconds by phase, this process."""


def timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` that adds its CPU seconds to ``CPU[phase]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[phase] += time.process_time() - start

    return wrapper


def makespan(sizes: list[float], workers: int) -> float:
    """When the last of ``sizes`` ends, handed in this order to the first free of ``workers``."""
    free = [0.0] * workers
    for size in sizes:
        heapq.heapreplace(free, free[0] + size)
    return max(free)


def main() -> None:
    """Print the CPU seconds per phase and the Amdahl bound as JSON."""
    start = time.process_time()
    import twin.cli  # noqa: F401  (what the CLI pays before any work)

    imports = time.process_time() - start
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("--param", action="append", default=[])
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import services.db.engine as engine
    import twin.executor as executor
    import twin.run as run
    from scenarios import load
    from scenarios.overrides import apply_everywhere, parse_assignment
    from twin import chain_run
    from twin.result import RunResult

    engine.Database.create_schema = timed("db schema", engine.Database.create_schema)
    engine.Database.save = timed("db save", engine.Database.save)
    run._simulate = timed("simulate", run._simulate)
    RunResult.write = timed("store write", RunResult.write)
    RunResult.read = timed("driver read", RunResult.read)

    sc = load(args.scenario)
    params = dict(parse_assignment(a) for a in args.param)
    if params:
        sc = apply_everywhere(sc, params, source="--param")
    with tempfile.TemporaryDirectory(prefix="storetwin-scaling-") as tmp:
        out = Path(tmp)
        jobs = chain_run.chain_jobs(sc, args.seed, args.days, out)
        per_job = []
        for job in jobs:
            before = time.process_time()
            executor.run_job(job)
            per_job.append(time.process_time() - before)
        before = time.process_time()
        result = chain_run.collect(sc, args.seed, args.days, [Path(j.out) for j in jobs])
        result.write(out)
        collect = time.process_time() - before - CPU["driver read"]
    jobs_total = sum(per_job)
    serial = imports + collect + CPU["driver read"]
    one = serial + jobs_total
    report: dict[str, Any] = {
        "store_days": len(jobs) * args.days,
        "cpu_s": {
            "driver imports": round(imports, 2),
            "driver read store folders": round(CPU["driver read"], 2),
            "driver collect + write chain": round(collect, 2),
            "jobs in all": round(jobs_total, 2),
            **{f"  {k}": round(v, 2) for k, v in CPU.items() if k != "driver read"},
        },
        "per_job_cpu_s": [round(s, 2) for s in per_job],
        "cpu_s_per_store_day": round(jobs_total / (len(jobs) * args.days), 2),
    }
    handed = [per_job[i] for i in executor.largest_first(jobs)]
    for w in (2, 4):
        report[f"bound_{w}_workers"] = {
            "in_job_order": round(one / (serial + makespan(per_job, w)), 2),
            "largest_first": round(one / (serial + makespan(handed, w)), 2),
            "perfect_split": round(one / (serial + jobs_total / w), 2),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
