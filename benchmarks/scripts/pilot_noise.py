"""How noisy a pilot's decision KPI is, plain and footfall-adjusted, on a finished run folder.

Usage: python benchmarks/scripts/pilot_noise.py runs/demo [kpi]

Every store of the design ran without the intervention over the whole horizon
(step 3), so an A/A pilot with the real start day can be scored on it: the
spread of the difference-in-differences coefficient over every assignment of
the pilot label is the noise the real estimate carried. Beside it, what step 3's
power analysis estimated from the pre-period alone (split in two, scaled to the
planned lengths). Each with and without the door's footfall count as covariate.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from scipy.stats import norm

from scenarios.pilot import power
from scenarios.pilot.did import Design, placebos

Z = float(norm.ppf(0.975) + norm.ppf(0.8))


def main(folder: Path, kpi: str = "contribution") -> None:
    """Print the A/A spread and MDE of ``kpi`` for each estimator."""
    review = json.loads((folder / "steps" / "3_review.json").read_text())
    spec = json.loads((folder / "pilot.json").read_text())["spec"]
    pre, post = spec["periods"]["pre_days"], spec["periods"]["pilot_days"]
    untreated = pd.read_parquet(folder / review["untreated"])
    pilots, refs = tuple(review["pilot_stores"]), tuple(review["reference_stores"])
    full = Design(pilots, refs, pre)
    history = untreated[untreated["day"] < pre]
    print(f"{folder}: {kpi}, {len(pilots)} pilot + {len(refs)} reference stores, {pre}+{post} days")
    for name, cov in (("plain", ()), ("adjusted for door_count", ("door_count",))):
        real = placebos(untreated, [kpi], full, covariates=cov)
        planned = power.mde(history, [kpi], full, post, 0.05, {}, cov)[kpi]["aa_sd"]
        sd = real.null_sd(kpi)
        print(
            f"  {name:24s} realised A/A sd {sd:9,.1f} (MDE {Z * sd:9,.0f}), "
            f"real assignment {real.a[0, 0]:+9,.1f}; step 3's estimate sd {planned:9,.1f} "
            f"(MDE {Z * planned:9,.0f})"
        )


def parser() -> argparse.ArgumentParser:
    """The command line: a finished pilot's run folder and the KPI to read."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("folder", type=Path, help="a finished pilot's run folder, e.g. runs/demo")
    p.add_argument("kpi", nargs="?", default="contribution", help="the KPI (default contribution)")
    return p


if __name__ == "__main__":
    args = parser().parse_args()
    if not (args.folder / "steps" / "3_review.json").is_file():
        parser().error(
            f"{args.folder} is not a finished pilot's run folder (no steps/3_review.json)"
        )
    main(args.folder, args.kpi)
