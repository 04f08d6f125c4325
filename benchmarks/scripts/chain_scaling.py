"""A chain run's wall time and CPU by executor and worker count, and where its CPU goes.

Two modes. The default runs ``storetwin run`` on a chain of S stores x D days
once per executor and worker count, each in a fresh process (as a user would),
and prints wall seconds, CPU seconds (the driver's own, the serial part when
W > 1, and its workers'), store-days per second, the 1 -> W scaling, and
whether every run wrote the same bytes (summary.json and Parquet tables):

    PYTHONPATH=. python benchmarks/scripts/chain_scaling.py --stores 8 --days 1 \
        --workers 1,2 --executors local,ray
    PYTHONPATH=. python benchmarks/scripts/chain_scaling.py --stores 100 --days 28 \
        --workers 1,2 --executors local,ray          # idle machine: hours at W = 1

Wall time needs idle cores; on a busy machine trust the CPU columns only.
For Ray the workers' CPU is that of the local Ray's processes still running
when the command ends (workers, raylet, GCS; on a cluster only this node's).

``--phases`` instead runs the jobs one after another in this process, timing
each phase with the process's CPU clock, and prints the speed-up W workers
could reach at best (Amdahl: the driver's serial part plus the makespan of
the jobs handed out largest first), which a loaded machine does not blur.
"""

from __future__ import annotations

import argparse
import filecmp
import heapq
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

CPU: dict[str, float] = defaultdict(float)
"""CPU seconds by phase, this process (``--phases``)."""

DRIVER = """
import json, resource, sys, time
start = time.perf_counter()
from twin.cli import app
try:
    app(sys.argv[2:], standalone_mode=False)
finally:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    try:  # a local Ray's processes are still running until the interpreter exits
        import psutil
        for p in psutil.Process().children(recursive=True):
            try:
                t = p.cpu_times()
                live += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    except ImportError:
        pass
    with open(sys.argv[1], "w") as f:
        json.dump({"wall_s": time.perf_counter() - start,
                   "driver_cpu_s": me.ru_utime + me.ru_stime,
                   "workers_cpu_s": kids.ru_utime + kids.ru_stime + live}, f)
"""
"""Runs the CLI in the child and writes its own CPU and that of its processes (ended or not)."""


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


def chain_params(args: argparse.Namespace) -> list[str]:
    """The ``--param`` changes of the run: the chain's size first, then the user's."""
    sized = [f"chain={{stores: {args.stores}, seed: {args.chain_seed}}}"] if args.stores else []
    return sized + args.param


def results(folder: Path) -> list[Path]:
    """The files a run must write the same wherever it ran (not store.db, run_stats.json)."""
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.suffix in (".json", ".parquet") and p.name != "run_stats.json"
    )


def same_bytes(a: Path, b: Path) -> bool:
    """Whether two run folders hold the same result files, byte for byte."""
    files = results(a)
    if files != results(b):
        return False
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def one_run(args: argparse.Namespace, executor: str, workers: int, out: Path) -> dict[str, Any]:
    """Run the CLI in a fresh process; its wall and CPU seconds."""
    stats = out.with_suffix(".json")
    cli = ["run", args.scenario, "--days", str(args.days), "--seed", str(args.seed)]
    cli += [x for p in chain_params(args) for x in ("--param", p)]
    cli += ["--quiet", "--workers", str(workers), "--executor", executor, "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DRIVER, str(stats), *cli], env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{executor} W={workers} failed (exit {done.returncode})")
    measured = json.loads(stats.read_text())
    return {"process_wall_s": wall, **measured}


def wall_mode(args: argparse.Namespace) -> dict[str, Any]:
    """Every executor x worker count, ``--repeat`` times; medians, scaling, identical bytes."""
    store_days = (args.stores or 1) * args.days
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="storetwin-scaling-", dir=args.tmp) as tmp:
        folders: list[Path] = []
        for executor in args.executors:
            for w in args.workers:
                runs = []
                for r in range(args.repeat):
                    out = Path(tmp) / f"{executor}-w{w}-r{r}"
                    runs.append(one_run(args, executor, w, out))
                    folders.append(out)
                    print(f"{executor} W={w} run {r + 1}: {runs[-1]}", file=sys.stderr)
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rows.append(
                    {
                        "executor": executor,
                        "workers": w,
                        "wall_s": round(med["process_wall_s"], 2),
                        "driver_cpu_s": round(med["driver_cpu_s"], 2),
                        "workers_cpu_s": round(med["workers_cpu_s"], 2),
                        "store_days_per_s": round(store_days / med["process_wall_s"], 3),
                    }
                )
        identical = all(same_bytes(folders[0], f) for f in folders[1:])
    for row in rows:
        one = next(
            (r for r in rows if r["executor"] == row["executor"] and r["workers"] == 1), None
        )
        if one is not None:
            row["scaling_vs_1"] = round(one["wall_s"] / row["wall_s"], 2)
    return {
        "scenario": args.scenario,
        "params": chain_params(args),
        "days": args.days,
        "store_days": store_days,
        "repeat": args.repeat,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": rows,
        "results_byte_identical": identical,
    }


def phases_mode(args: argparse.Namespace) -> dict[str, Any]:
    """CPU per phase with every job in this process, and the Amdahl bound it gives."""
    start = time.process_time()
    import twin.cli  # noqa: F401  (what the CLI pays before any work)

    imports = time.process_time() - start
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

    before = time.process_time()
    sc = load(args.scenario)
    params = dict(parse_assignment(a) for a in chain_params(args))
    if params:
        sc = apply_everywhere(sc, params, source="--param")
    with tempfile.TemporaryDirectory(prefix="storetwin-scaling-", dir=args.tmp) as tmp:
        out = Path(tmp)
        jobs = chain_run.chain_jobs(sc, args.seed, args.days, out)
        build = time.process_time() - before
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
    serial = imports + build + collect + CPU["driver read"]
    one = serial + jobs_total
    report: dict[str, Any] = {
        "store_days": len(jobs) * args.days,
        "cpu_s": {
            "driver imports": round(imports, 2),
            "driver load scenario + build jobs": round(build, 3),
            "driver read store folders": round(CPU["driver read"], 2),
            "driver collect + write chain": round(collect, 2),
            "driver serial in all": round(serial, 2),
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
    return report


def main() -> None:
    """Parse the options and print the chosen mode's report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="supermarket")
    parser.add_argument("--stores", type=int, default=None, help="Stores of the chain.")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chain-seed", type=int, default=1, help="Seed of the chain's draw.")
    parser.add_argument("--param", action="append", default=[], help="More PATH=VALUE changes.")
    parser.add_argument("--workers", default="1,2", help="Worker counts, comma-separated.")
    parser.add_argument("--executors", default="local", help="local, ray or local,ray.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each; medians shown.")
    parser.add_argument("--tmp", default=None, help="Where the run folders go (then deleted).")
    parser.add_argument("--phases", action="store_true", help="CPU per phase, in this process.")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    args.executors = args.executors.split(",")
    report = phases_mode(args) if args.phases else wall_mode(args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
