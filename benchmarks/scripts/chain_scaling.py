"""A chain run's wall time and CPU by executor and worker count, and where its CPU goes.

Two modes. The default runs ``storetwin run`` on a chain of S stores x D days
(one job per store) once per executor and worker count, each in a fresh
process (as a user would), and prints per run the wall seconds, the CPU
seconds of each process group (``driver``: the CLI's process, the serial part
when W > 1; ``workers``: the processes that run the jobs, their start-up and
imports included; ``ray_system``: a local Ray's other processes), CPU seconds
per store-day and store-days per CPU second, the wall scaling against W = 1,
the speed-up bounds the CPU seconds give (``add_scaling``), and whether every
run wrote the same bytes (summary.json and Parquet tables). ``--json`` prints
the report as JSON instead of a table. Jobs of realistic length, both
executors, 1 -> 2 workers (about 3.5 minutes on two idle cores):

    PYTHONPATH=. python benchmarks/scripts/chain_scaling.py supermarket --stores 4 --days 7 \
        --workers 1,2 --executors local,ray --json

Wall time needs idle cores; on a busy machine trust the CPU columns only.
For Ray the CPU is that of the local Ray's processes still running when the
command ends (on a cluster only this node's).

``--phases`` instead runs the jobs one after another in this process, timing
each phase with the process's CPU clock, and prints (as JSON) the speed-up W
workers could reach at best (Amdahl: the driver's serial part plus the
makespan of the jobs handed out largest first), which a loaded machine does
not blur.
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
    wall = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"driver": me.ru_utime + me.ru_stime, "workers": kids.ru_utime + kids.ru_stime,
           "ray_system": 0.0}
    try:  # a local Ray's processes are still running until the interpreter exits
        import psutil
        for p in psutil.Process().children(recursive=True):
            try:
                t = p.cpu_times()
                title = (p.cmdline() or [p.name()])[0].strip()
            except psutil.Error:
                continue
            runs_jobs = title in ("ray::IDLE", "ray::attempt")
            cpu["workers" if runs_jobs else "ray_system"] += t.user + t.system
            cpu["workers"] += t.children_user + t.children_system  # ended workers
    except ImportError:
        pass
    with open(sys.argv[1], "w") as f:
        json.dump({"wall_s": wall, "cpu_s": cpu}, f)
"""
"""Runs the CLI in the child and writes its wall time and CPU seconds by process group.

``driver``: the CLI's own process. ``workers``: the processes that run the jobs
(a local pool's, or a Ray's task workers, their start-up and imports
included). ``ray_system``: a local Ray's other processes (GCS, raylet,
dashboard, agents, log monitor, the progress tally actor).
"""

GROUPS = ("driver", "workers", "ray_system")


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


def job_work(args: argparse.Namespace) -> list[float]:
    """Each store job's expected work (visitors a day x days), as ``run_many`` weighs it."""
    from scenarios import load
    from scenarios.overrides import apply_everywhere, parse_assignment
    from twin.chain_run import chain_jobs

    sc = load(args.scenario)
    params = dict(parse_assignment(a) for a in chain_params(args))
    if params:
        sc = apply_everywhere(sc, params, source="--param")
    return [job.work for job in chain_jobs(sc, args.seed, args.days, Path("unused"))]


def balance(work: list[float], workers: int) -> float:
    """How much longer than a perfect split the jobs take, handed out largest first (>= 1)."""
    if not work or workers <= 1:
        return 1.0
    return makespan(sorted(work, reverse=True), workers) / (sum(work) / workers)


def amdahl(serial: float, parallel: float, workers: int, spread: float) -> float:
    """Speed-up bound of W workers: serial CPU stays, the jobs' CPU splits ``spread`` unevenly."""
    return (serial + parallel) / (serial + spread * parallel / workers)


def summarise(
    executor: str, workers: int, runs: list[dict[str, Any]], store_days: int
) -> dict[str, Any]:
    """The medians of one executor x worker count's runs, per process group and per store-day."""
    wall = statistics.median(r["process_wall_s"] for r in runs)
    cpu = {g: statistics.median(r["cpu_s"][g] for r in runs) for g in GROUPS}
    total = statistics.median(sum(r["cpu_s"].values()) for r in runs)
    return {
        "executor": executor,
        "workers": workers,
        "wall_s": round(wall, 2),
        "cpu_s": {g: round(v, 2) for g, v in cpu.items()},
        "cpu_s_total": round(total, 2),
        "cpu_s_per_store_day": round(total / store_days, 3),
        "store_days_per_cpu_s": round(store_days / total, 4),
        "store_days_per_s": round(store_days / wall, 4),
    }


def add_scaling(rows: list[dict[str, Any]], spread: dict[int, float]) -> None:
    """Add each row's wall scaling against W = 1 and the bounds its CPU seconds give.

    ``amdahl_bound``: the run's own serial part (driver + Ray's system
    processes, which on W = cores compete with the workers for the cores) and
    its jobs' CPU split over W workers as unevenly as largest-first hands them
    out. ``cpu_scaling_bound``: W = 1's CPU seconds in all (one core does
    everything) over that same W-worker estimate, so it also charges the extra
    CPU of more workers (each imports the twin) to the speed-up.
    """
    for row in rows:
        one = next(
            (r for r in rows if r["executor"] == row["executor"] and r["workers"] == 1), None
        )
        if one is not None:
            row["scaling_vs_1"] = round(one["wall_s"] / row["wall_s"], 2)
        w = row["workers"]
        if w <= 1:
            continue
        cpu = row["cpu_s"]
        serial = cpu["driver"] + cpu["ray_system"]
        row["amdahl_bound"] = round(amdahl(serial, cpu["workers"], w, spread[w]), 2)
        if one is not None:
            estimate = serial + spread[w] * cpu["workers"] / w
            row["cpu_scaling_bound"] = round(one["cpu_s_total"] / estimate, 2)


def wall_mode(args: argparse.Namespace) -> dict[str, Any]:
    """Every executor x worker count, ``--repeat`` times; medians, scaling, identical bytes."""
    work = job_work(args)
    store_days = len(work) * args.days
    spread = {w: balance(work, w) for w in args.workers}
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
                rows.append(summarise(executor, w, runs, store_days))
        identical = all(same_bytes(folders[0], f) for f in folders[1:])
    add_scaling(rows, spread)
    return {
        "scenario": args.scenario,
        "params": chain_params(args),
        "days": args.days,
        "jobs": len(work),
        "store_days": store_days,
        "repeat": args.repeat,
        "largest_first_balance": {str(w): round(b, 3) for w, b in spread.items()},
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": rows,
        "results_byte_identical": identical,
    }


def table(report: dict[str, Any]) -> str:
    """``wall_mode``'s report as lines to read."""
    head = (
        f"{report['scenario']} {' '.join(report['params'])}: {report['jobs']} jobs, "
        f"{report['store_days']} store-days, median of {report['repeat']}; "
        f"load average after {report['load_average_after']}"
    )
    cols = ["executor", "W", "wall s", "driver", "workers", "ray sys", "CPU s", "CPU s/sd"]
    cols += ["sd/CPU s", "x vs W=1", "Amdahl", "CPU bound"]
    lines = [head, "  ".join(f"{c:>9}" for c in cols)]
    for r in report["runs"]:
        cells = [r["executor"], r["workers"], r["wall_s"], *r["cpu_s"].values()]
        cells += [r["cpu_s_total"], r["cpu_s_per_store_day"], r["store_days_per_cpu_s"]]
        cells += [r.get(k, "") for k in ("scaling_vs_1", "amdahl_bound", "cpu_scaling_bound")]
        lines.append("  ".join(f"{c!s:>9}" for c in cells))
    lines.append(f"results byte-identical: {report['results_byte_identical']}")
    return "\n".join(lines)


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
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    args.executors = args.executors.split(",")
    report = phases_mode(args) if args.phases else wall_mode(args)
    print(json.dumps(report, indent=2) if args.json or args.phases else table(report))


if __name__ == "__main__":
    main()
