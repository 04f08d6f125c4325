"""Why a pilot's decision-KPI CI came out wider than step 3 planned: the ratio as a product.

Usage: python benchmarks/scripts/pilot_ci_width.py runs/demo [kpi]

Step 3 plans the CI's half-width as z x (a store-day's residual sd in the
pre-period) x (the design's spread factor): a normal approximation with iid
store-days. Step 5 inverts a randomisation test over the assignments of the
pilot label. On a finished run folder (every store of the design ran without
the intervention over the whole horizon, step 3), the ratio of the two splits
exactly into five factors, each one step closer to what step 5 did:

1. pilot-period noise: the iid prediction with the pilot period's own residual sd
   beside the pre-period's (a weekend in one period only shows here);
2. store-level noise: the A/A spread of the coefficient over every assignment
   against the iid prediction (a store whose pilot period differs from its
   pre-period as a whole, e.g. its own weekend, does not average out over days);
3. randomisation CI against normal: the A/A CI's mean half-width (each
   assignment in turn as the real one) against z x the A/A spread;
4. the draw: the real assignment's A/A half-width against that mean;
5. the effect: the real CI against the real assignment's A/A one (an effect
   that differs across stores does not cancel in the re-labelled assignments).

Step 3's own figure (``power.mde``) is printed beside the planned one.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from scenarios.pilot import power
from scenarios.pilot.did import Design, assignments, interval, placebos


def half_width(a: np.ndarray, b: np.ndarray, alpha: float) -> float:
    """Half the randomisation CI's width (inf if open)."""
    low, high = interval(a, b, alpha)
    return math.inf if low is None or high is None else (high - low) / 2


def main(folder: Path, kpi: str = "contribution") -> None:
    """Print the factors of the realised over the planned CI half-width of ``kpi``."""
    review = json.loads((folder / "steps" / "3_review.json").read_text())
    evaluate = json.loads((folder / "steps" / "5_evaluate.json").read_text())
    spec = json.loads((folder / "pilot.json").read_text())["spec"]
    pre, post = spec["periods"]["pre_days"], spec["periods"]["pilot_days"]
    alpha = spec["decision"]["alpha"]
    cov = tuple(spec["evaluate"]["adjust_for"])
    z = float(norm.ppf(1 - alpha / 2))
    untreated = pd.read_parquet(folder / review["untreated"])
    pilots, refs = tuple(review["pilot_stores"]), tuple(review["reference_stores"])
    design = Design(pilots, refs, pre)
    pool = list(design.pool)
    untreated = untreated[untreated["store_id"].isin(pool)]
    spread = power.spread_factor(len(pilots), len(pool), pre, post)
    (s_pre,), _ = power.noise(untreated[untreated["day"] < pre], [kpi], cov)
    (s_post,), _ = power.noise(untreated[untreated["day"] >= pre], [kpi], cov)
    sd_plan = s_pre * spread
    sd_iid = math.sqrt((s_pre**2 / pre + s_post**2 / post) / (1 / pre + 1 / post)) * spread
    aa = placebos(untreated, [kpi], design, seed=spec["seed"], covariates=cov)
    sd_aa = aa.null_sd(kpi)
    widths = []
    labels = assignments(len(pool), len(pilots), 500, spec["seed"])  # as ``placebos`` drew them
    for row in labels:  # each assignment in turn as the real one
        chosen = np.flatnonzero(row)
        order = [pool[i] for i in chosen] + [s for i, s in enumerate(pool) if i not in chosen]
        again = placebos(
            untreated,
            [kpi],
            Design(tuple(order[: len(pilots)]), tuple(order[len(pilots) :]), pre),
            seed=spec["seed"],
            covariates=cov,
        )
        widths.append(half_width(again.a[:, 0], again.b, alpha))
    h_mean = float(np.mean(widths))
    h_real_aa = widths[0]
    e = evaluate["estimates"][kpi]
    h5 = (e["ci_high"] - e["ci_low"]) / 2
    h3 = z * sd_plan
    step3 = review["mde"][kpi]
    factors = [
        (
            f"pilot-period noise (residual sd pre {s_pre:,.0f}, pilot period {s_post:,.0f})",
            sd_iid / sd_plan,
        ),
        (
            f"store-level noise (A/A sd {sd_aa:,.0f}, {len(aa.a)} assignments; iid {sd_iid:,.0f})",
            sd_aa / sd_iid,
        ),
        (
            f"randomisation CI against z x sd (mean A/A half-width {h_mean:,.0f})",
            h_mean / (z * sd_aa),
        ),
        (f"the draw (the real assignment's A/A half-width {h_real_aa:,.0f})", h_real_aa / h_mean),
        (f"the effect (the real CI's half-width {h5:,.0f})", h5 / h_real_aa),
    ]
    print(
        f"{folder}: {kpi}, {len(pilots)} pilot + {len(refs)} reference stores, {pre}+{post} "
        f"days, adjusted for {', '.join(cov) or 'nothing'}"
    )
    print(
        f"  planned half-width z x sd = {z:.2f} x {sd_plan:,.1f} = {h3:,.0f} "
        f"(step 3 saved: aa_sd {step3['aa_sd']:,.1f}, MDE {step3['mde']:,.0f}, "
        f"expected {step3['expected_effect']:+,.0f})"
    )
    print(
        f"  realised: estimate {e['estimate']:+,.0f}, CI [{e['ci_low']:+,.0f}, "
        f"{e['ci_high']:+,.0f}], half-width {h5:,.0f}, true {e['true_effect']:+,.0f}; "
        f"ratio {h5 / h3:.2f}"
    )
    total = 1.0
    for name, f in factors:
        total *= f
        print(f"  x {f:5.2f}  {name}")
    print(f"  = {total:.2f}")


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
