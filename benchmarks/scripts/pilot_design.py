"""Step 3 of a pilot file on store-days the twin already ran: is the design powered and balanced?

Usage: python benchmarks/scripts/pilot_design.py PILOT EXPECTED DIR [DIR ...]

PILOT is a pilot file or id; EXPECTED its decision KPI's expected gain per
store-day (step 2's, from a finished run's steps/2_estimate.json); each DIR
holds one folder per store id with the untreated ``daily.parquet`` of a twin
run of the pilot's chain (a run folder's ``twin/untreated``), the first DIR
that has a store wins. A store's first days do not depend on the length of its
run or the size of its chain, so a longer or an older run's days serve: only
the first ``min(pre_days, days run)`` days are read, and the MDE is step 3's
for the file's planned days (``scenarios.pilot.power``). Pilot draw, references,
balance and MDE are step 3's own functions; no store is simulated.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from scipy.stats import norm

from scenarios.chain import describe
from scenarios.pilot import load_pilot, matching, power
from scenarios.pilot.did import Design
from scenarios.pilot.method import store_days


def main(ref: str, expected: float, dirs: list[Path]) -> None:
    """Print the design's draw, balance on the decision KPI, MDE and blocking findings."""
    pilot = load_pilot(ref)
    spec = pilot.spec
    kpi = spec.decision.kpi.value
    parts = []
    for store in pilot.eligible:
        found = [d / store.store_id / "daily.parquet" for d in dirs]
        path = next((f for f in found if f.exists()), None)
        if path is None:
            raise SystemExit(f"no daily.parquet for {store.store_id} under {dirs}")
        parts.append(pd.read_parquet(path))
    days = min(spec.periods.pre_days, min(int(p["day"].max()) + 1 for p in parts))
    history = pd.concat(parts, ignore_index=True)
    history = history[history["day"] < days]
    pilots = matching.draw_pilots(pilot.candidates, spec.stores.pilot, spec.seed)
    attributes = describe(pilot.eligible)
    columns = [k.value for k in spec.stores.match_on]
    table = matching.features(history, attributes, columns)
    refs = matching.match(
        table, pilots, spec.stores.references_per_pilot, spec.stores.region_weight
    )
    references = sorted(r for rs in refs.values() for r, _ in rs)
    balanced = list(dict.fromkeys([*columns, kpi]))
    rows = matching.balance(matching.features(history, attributes, balanced), pilots, references)
    design = Design(tuple(pilots), tuple(references), spec.periods.pre_days)
    row = power.mde(
        history,
        [kpi],
        design,
        spec.periods.pilot_days,
        spec.decision.alpha,
        {kpi: expected},
        spec.covariates,
        seed=spec.seed,
    )[kpi]
    z = float(norm.ppf(1 - spec.decision.alpha / 2) + norm.ppf(power.POWER))
    diff = next(r["std_diff"] for r in rows if r["feature"] == kpi)
    cost = sum(store_days(pilot).values())
    print(
        f"{spec.versioned_id}: {len(pilots)} x {spec.stores.references_per_pilot}, "
        f"{spec.periods.pre_days} + {spec.periods.pilot_days} days, {cost} store-days; "
        f"noise read from {days} days of {len(parts)} stores"
    )
    print(f"  pilots {', '.join(pilots)}; references {', '.join(references)}")
    print(f"  {kpi}: noise sd {row['noise_sd']:,.0f} per store-day ({row['noise_dof']} dof)")
    print(
        f"  MDE {row['mde']:,.0f} (randomisation test, {row['assignments']} assignments; "
        f"z x sd {z * row['aa_sd']:,.0f}), planned CI half-width "
        f"{row['ci_half_width'] or float('inf'):,.0f}, against an expected {expected:+,.0f}: "
        f"adequate {row['adequate']}"
    )
    limit = spec.decision.max_std_diff
    print(f"  balance on {kpi}: {diff:+.2f} sd (limit {limit}): ok {abs(diff) <= limit}")


def parser() -> argparse.ArgumentParser:
    """The command line: a pilot, its expected gain and the folders of untreated store-days."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("pilot", help="a pilot file or id, e.g. self_checkout")
    p.add_argument(
        "expected", type=float, help="the decision KPI's expected gain per store-day (step 2's)"
    )
    p.add_argument(
        "dirs", nargs="+", type=Path, metavar="DIR", help="folders of one folder per store id"
    )
    return p


if __name__ == "__main__":
    args = parser().parse_args()
    if missing := [str(d) for d in args.dirs if not d.is_dir()]:
        parser().error(f"no such folder: {', '.join(missing)}")
    main(args.pilot, args.expected, args.dirs)
