"""One load test from start to verdict: record, replay through Locust, measure, check the data.

The recording of each store is cached by scenario, seed, store and length, so
trying several speeds or chain sizes does not re-simulate the chain.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from scenarios.schema import Scenario
from twin.clock import DAY
from twin.loadtest.invariants import from_services
from twin.loadtest.ramp import Clock, steps
from twin.loadtest.record import chain_stores, record_store
from twin.loadtest.report import Samples, Threshold, endpoints, evaluate, timeline, write_html
from twin.loadtest.traffic import Call, first_open, read_traffic, write_traffic

CACHE = Path("runs") / ".traffic"
# Recorded time before the replay window: the first customer comes in the morning.
LEAD_S = DAY / 2


def _record(job: tuple[dict, int, int, int, float, str]) -> str:
    data, stores, index, seed, until_s, path = job
    scenario = Scenario.model_validate(data)
    calls = record_store(chain_stores(scenario, stores)[index], seed, until_s)
    write_traffic(Path(path), calls)
    return path


def replayed(calls: list[Call], sim_s: float) -> int:
    """The calls a replay of ``sim_s`` simulated seconds from its zero sends (set-up included).

    The recording covers whole days: a 20 s test at 600x said "replaying 240 recorded
    calls" and then sent 46, the first 3.3 hours' worth.
    """
    end = first_open(calls) + sim_s
    return sum(1 for c in calls if c.t is None or c.t <= end)


def record_chain(
    scenario: Scenario,
    stores: int,
    seed: int,
    sim_s: float,
    workers: int = 2,
    cache: Path = CACHE,
) -> list[Call]:
    """The calls of every store of the chain, covering ``sim_s`` simulated seconds of trade."""
    until_s = math.ceil((LEAD_S + sim_s) / DAY) * DAY
    data = scenario.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    jobs = []
    for index in range(stores):
        path = (
            cache / f"{scenario.id}-{digest}-n{stores}-i{index}-s{seed}-d{until_s // DAY}.jsonl.gz"
        )
        if not path.exists():
            jobs.append((data, stores, index, seed, until_s, str(path)))
    if len(jobs) > 1 and workers > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            list(pool.map(_record, jobs))
    else:
        for job in jobs:
            _record(job)
    calls: list[Call] = []
    for index in range(stores):
        name = f"{scenario.id}-{digest}-n{stores}-i{index}-s{seed}-d{until_s // DAY}.jsonl.gz"
        calls += read_traffic(cache / name)
    return calls


def start_stock(calls: list[Call]) -> dict[tuple[str, str], int]:
    """The first count of each (store, SKU): where the stock balance starts."""
    start: dict[tuple[str, str], int] = {}
    for c in calls:
        if c.method == "PUT" and c.path.endswith("/stock-take") and isinstance(c.body, list):
            for line in c.body:
                start.setdefault((c.store, line["sku"]), line["qty"])
    return start


def read_acked(folder: Path) -> dict[str, list[int]]:
    """Ids of the writes the services acknowledged, from every Locust process."""
    acked: dict[str, set[int]] = defaultdict(set)
    for path in folder.glob("acked-*.json"):
        for kind, ids in json.loads(path.read_text()).items():
            acked[kind].update(ids)
    return {k: sorted(v) for k, v in acked.items()}


def check_invariants(db_url: str, calls: list[Call], acked: dict[str, list[int]]) -> list[dict]:
    """The invariants of the services database (read only)."""
    from services.db import Database
    from services.domain.invariants import check_all

    db = Database(db_url)
    try:
        with db.sessions() as session:
            return [c.as_dict() for c in check_all(session, start_stock(calls), acked)]
    finally:
        db.dispose()


def load_test(
    services: str,
    scenario: Scenario,
    *,
    chain: int,
    speed: float,
    duration_s: float,
    ramp_s: float,
    thresholds: list[Threshold],
    out: Path,
    seed: int = 0,
    db_url: str | None = None,
    api_key: str | None = None,
    workers: int = 2,
    status: Callable[[str], None] = lambda _: None,
    speeds: list[float] | None = None,
) -> dict:
    """Run the load test; the result (also in out/loadtest.json and .html) says pass or fail.

    With ``speeds`` (a ramp), the test's time is cut into equal steps at these
    speeds (``speed`` is then unused); the result adds each step's figures
    (``ramp``) and the ``knee``.
    """
    from twin.loadtest.engine import run_locust

    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("samples-*.jsonl.gz"), *out.glob("acked-*.json")]:
        old.unlink()
    status(f"recording {chain} store(s) of {scenario.versioned_id} from the twin")
    clock = Clock(tuple(speeds), duration_s / len(speeds)) if speeds else Clock((speed,))
    trading_s = scenario.hours.close_s - scenario.hours.open_s
    if speeds and clock.sim_s(duration_s) > trading_s:
        status(
            f"warning: the ramp spans {clock.sim_s(duration_s) / 3600:.1f} simulated hours, more "
            f"than a trading day ({trading_s / 3600:.1f} h): later steps replay the night, not "
            "more load; shorten --duration or lower the speeds (each step's req/s says so)"
        )
    calls = record_chain(scenario, chain, seed, clock.sim_s(duration_s), workers)
    traffic = out / "traffic.jsonl.gz"
    write_traffic(traffic, calls)
    pace = " -> ".join(f"{s:g}x" for s in speeds) if speeds else f"{speed:g}x"
    sim_s = clock.sim_s(duration_s)
    status(
        f"replaying {replayed(calls, sim_s)} of the {len(calls)} recorded calls (the first "
        f"{sim_s / 3600:.1f} simulated hours of trade) at {pace} through Locust"
    )
    try:
        proc = run_locust(
            services,
            traffic,
            out,
            speed=speed,
            duration_s=duration_s,
            ramp_s=ramp_s,
            stores=chain,
            api_key=api_key,
            speeds=speeds,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"Locust did not finish within {exc.timeout:.0f} s") from None
    if proc.returncode != 0 or not list(out.glob("samples-*.jsonl.gz")):
        raise RuntimeError(f"Locust failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    samples = Samples.read(out)
    acked = read_acked(out)
    unchecked = None
    if db_url:
        invariants = check_invariants(db_url, calls, acked)
    else:
        status("checking the invariants through the services (POST /admin/invariants)")
        try:
            invariants = from_services(services, start_stock(calls), acked, api_key)
        except RuntimeError as exc:  # e.g. services older than the endpoint: say so, go on
            invariants, unchecked = [], str(exc)
    checked = [evaluate(t, samples) for t in thresholds]
    result = {
        "services": services,
        "scenario": scenario.versioned_id,
        "seed": seed,
        "chain": chain,
        "speed": None if speeds else speed,
        "speeds": speeds or [speed],
        "ramp_s": ramp_s,
        "duration_s": round(samples.duration_s, 3),
        "requests": len(samples.name),
        "errors": int(samples.failed.sum()),
        "resent": samples.resent,
        "error_examples": samples.errors[:10],
        "schedule_lag_ms": _lag(samples.start_lag_ms),
        "send_lag_ms": _lag(samples.send_lag_ms),
        "endpoints": endpoints(samples),
        "thresholds": checked,
        "invariants": invariants,
        "invariants_checked": unchecked is None,
        "invariants_from": "database" if db_url else "services",
        "invariants_unchecked_why": unchecked,
        "timeline": timeline(samples),
    }
    if speeds:
        result["ramp"], result["knee"] = steps(
            samples, speeds, duration_s / len(speeds), chain, thresholds
        )
    result["pass"] = all(c["pass"] for c in checked + invariants)
    (out / "loadtest.json").write_text(json.dumps(result, indent=1) + "\n")
    write_html(result, out / "loadtest.html")
    return result


def _lag(lag: np.ndarray) -> dict:
    """Percentiles of how late requests started or left against the schedule (ms)."""
    if not len(lag):
        return {}
    p50, p95, p99 = np.percentile(lag, [50, 95, 99])
    return {
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
        "max": round(float(lag.max()), 3),
    }
