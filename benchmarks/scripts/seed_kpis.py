"""Per-seed KPIs of a scenario: a change to the twin core judged against the spread over seeds.

Usage: python benchmarks/scripts/seed_kpis.py [scenario] [--seeds 0-9] [--days 1] [--out FILE]
       python benchmarks/scripts/seed_kpis.py --compare BEFORE.json AFTER.json

Run it on the code before and after a change (each writes its JSON), then
compare: a change that leaves every draw alone gives the same KPIs seed for
seed; one that moves draws must stay within the spread over seeds (the
comparison prints each KPI's mean before and after beside that standard
deviation). One-day supermarket runs are enough on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

KPIS = (
    "visitors",
    "transactions",
    "sales",
    "gross_margin",
    "items_per_basket",
    "lost_sales_oos",
    "queue_wait_mean_s",
    "queue_wait_p95_s",
    "balked",
    "reneged",
    "satisfaction",
)


def seed_range(text: str) -> list[int]:
    """``0-9`` or ``1,4,7``."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def measure(scenario: str, seeds: list[int], days: int) -> dict[str, dict[str, float]]:
    """KPIs (``KPIS``, where the run has them) and events of each seed."""
    from scenarios import load
    from twin.run import run

    sc = load(scenario)
    out = {}
    for seed in seeds:
        result = run(sc, seed=seed, days=days)
        row = {k: result.kpis[k] for k in KPIS if k in result.kpis}
        row["events"] = result.stats["events"]
        out[str(seed)] = row
        print(seed, json.dumps(row), flush=True)
    return out


def compare(before: dict, after: dict) -> list[str]:
    """One line per KPI: seeds that differ, means before and after, seed-to-seed sd before."""
    seeds = sorted(set(before) & set(after), key=int)
    lines = []
    for kpi in [*KPIS, "events"]:
        if not all(kpi in before[s] and kpi in after[s] for s in seeds):
            continue
        a = [before[s][kpi] for s in seeds]
        b = [after[s][kpi] for s in seeds]
        differ = sum(x != y for x, y in zip(a, b, strict=True))
        sd = statistics.stdev(a) if len(a) > 1 else 0.0
        lines.append(
            f"{kpi:18s} seeds differing {differ}/{len(seeds)}  mean {statistics.mean(a):.4g}"
            f" -> {statistics.mean(b):.4g}  (sd over seeds {sd:.3g})"
        )
    return lines


def main() -> None:
    """Measure or compare, as the arguments say."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="supermarket")
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        print("\n".join(compare(before, after)))
        return
    figures = measure(args.scenario, seed_range(args.seeds), args.days)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
