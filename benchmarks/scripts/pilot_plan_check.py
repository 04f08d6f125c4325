"""Step 3's plan beside the A/A spread step 5 sees, for designs of a saved run's stores.

Usage: python benchmarks/scripts/pilot_plan_check.py PILOT RUN EXPECTED PRE POST [PxR ...]

RUN is a run folder whose ``twin/untreated.parquet`` has at least PRE + POST
days of the pilot's eligible stores (step 3 runs them all over the horizon;
a store's first days do not depend on the run's length). For each design
(pilots x references per pilot, default 3x2 4x2 6x1 3x3), pilots are drawn and
matched by step 3's own functions on the first PRE days; step 3's plan reads
those days only (``power.mde``), and the A/A spread is step 5's randomisation
test run on all PRE + POST days without an effect. No store is simulated.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from scenarios.chain import describe
from scenarios.pilot import load_pilot, matching, power
from scenarios.pilot.did import Design, placebos


def main(ref: str, run: Path, expected: float, pre: int, post: int, designs: list[str]) -> None:
    """Print, per design, step 3's planned A/A sd, CI half-width and MDE, and the A/A sd seen."""
    pilot = load_pilot(ref)
    spec = pilot.spec
    kpi = spec.decision.kpi.value
    panel = pd.read_parquet(run / "twin" / "untreated.parquet")
    panel = panel[panel["day"] < pre + post]
    if int(panel["day"].max()) + 1 < pre + post:
        raise SystemExit(f"{run} has fewer than {pre} + {post} days")
    history = panel[panel["day"] < pre]
    attributes = describe(pilot.eligible)
    table = matching.features(history, attributes, [k.value for k in spec.stores.match_on])
    for text in designs:
        p, r = (int(x) for x in text.split("x"))
        pilots = matching.draw_pilots(pilot.candidates, p, spec.seed)
        matched = matching.match(table, pilots, r, spec.stores.region_weight)
        refs = sorted(x for rs in matched.values() for x, _ in rs)
        design = Design(tuple(pilots), tuple(refs), pre)
        row = power.mde(
            history,
            [kpi],
            design,
            post,
            spec.decision.alpha,
            {kpi: expected},
            spec.covariates,
            seed=spec.seed,
            first_weekday=pilot.chain.start_date.weekday(),
        )[kpi]
        seen = placebos(panel, [kpi], design, seed=spec.seed, covariates=spec.covariates)
        sd = seen.null_sd(kpi)
        iid = row["noise_sd"] * power.spread_factor(p, len(design.pool), pre, post)
        print(
            f"{p}x{r} {pre}+{post} ({len(design.pool) * (pre + post)} store-days): planned A/A sd "
            f"{row['aa_sd']:,.0f} (store-level {row['store_share']:.2f}; iid {iid:,.0f}), "
            f"CI half-width {row['ci_half_width'] or float('inf'):,.0f}, MDE {row['mde']:,.0f} "
            f"vs {expected:+,.0f}: adequate {row['adequate']} | A/A sd seen {sd:,.0f} "
            f"({sd / row['aa_sd']:.2f} x plan)"
        )


def parser() -> argparse.ArgumentParser:
    """The command line: a pilot, a saved run, the expected gain, the periods and the designs."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("pilot", help="a pilot file or id, e.g. self_checkout")
    p.add_argument("run", type=Path, help="a run folder with twin/untreated.parquet")
    p.add_argument("expected", type=float, help="the decision KPI's expected gain per store-day")
    p.add_argument("pre", type=int, help="pre-period days")
    p.add_argument("post", type=int, help="pilot-period days")
    p.add_argument(
        "designs",
        nargs="*",
        default=["3x2", "4x2", "6x1", "3x3"],
        metavar="PxR",
        help="pilots x references per pilot (default 3x2 4x2 6x1 3x3)",
    )
    return p


if __name__ == "__main__":
    args = parser().parse_args()
    if not (args.run / "twin" / "untreated.parquet").is_file():
        parser().error(f"{args.run} has no twin/untreated.parquet (a finished pilot's run folder)")
    main(args.pilot, args.run, args.expected, args.pre, args.post, args.designs)
