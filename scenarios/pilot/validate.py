"""How far HQ can trust a pilot: many small pilots with known truth, scored.

A/A pilots (nobody gets the intervention) give the false-positive rate at
alpha; pilots with the intervention give the CI's coverage of the true effect
and the mean error. To be fast, each of a few tiny chains is run once without
and once with the intervention in every store (common random numbers, through
the executor), and many pilots are drawn from those runs: random pilot stores,
references matched as in step 3, evaluated as in step 5 (Bertrand, Duflo and
Mullainathan's placebo-law design).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scenarios import load
from scenarios.chain import describe, expand
from scenarios.overrides import apply
from scenarios.pilot import matching
from scenarios.pilot.did import Design, DidEstimate, did
from scenarios.pilot.loader import Pilot
from scenarios.pilot.steps import true_effects
from scenarios.pilot.synth import synthetic_control
from scenarios.pilot.twinruns import Arm, run_arms
from scenarios.schema import Scenario

TARGETS = {
    "false_positive_rate": (0.03, 0.07),
    "coverage": (0.92, 0.98),
    "relative_mean_error": (0, 0.10),
}


@dataclass(frozen=True)
class Study:
    """Size of the validation: pilots drawn, chains run, and how small each is."""

    n: int = 200
    chains: int | None = None
    stores: int = 16
    visitors: float = 100.0
    pre_days: int = 5
    pilot_days: int = 5

    @property
    def chain_count(self) -> int:
        """Chains to run: one per 40 pilots (at least two), unless given."""
        return self.chains or max(2, math.ceil(self.n / 40))


def chain_for(pilot: Pilot, study: Study, k: int) -> Scenario:
    """Validation chain ``k``: tiny stores of the pilot's first eligible format."""
    fmt = pilot.spec.stores.formats[0]
    base = pilot.chain if pilot.chain.format is fmt else load(fmt.value)
    spec = pilot.chain.chain
    chain = {
        **(spec.model_dump(mode="json") if spec else {}),
        "stores": study.stores,
        "seed": (spec.seed if spec else 1) + 101 * k,
        "formats": {fmt.value: 1.0},
    }
    return apply(
        base, {"arrivals.daily_visitors": study.visitors, "chain": chain}, source="validate"
    )


@dataclass(frozen=True)
class ChainRuns:
    """One validation chain: matching features, and its store-days without and with it."""

    features: pd.DataFrame
    untreated: pd.DataFrame
    treated: pd.DataFrame


Estimator = Callable[..., dict[str, DidEstimate]]
"""``did``'s signature: (panel, kpis, design, alpha, seed=...) -> estimate per KPI."""


def simulate(
    pilot: Pilot,
    study: Study,
    out: Path,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[ChainRuns]:
    """Run every store of every validation chain twice (common random numbers), one batch."""
    spec = pilot.spec
    days = study.pre_days + study.pilot_days
    uses = pilot.uses(study.pre_days)
    chains = [chain_for(pilot, study, k) for k in range(study.chain_count)]
    arms = []
    for k, sc in enumerate(chains):
        ids = tuple(s.store_id for s in expand(sc))
        treated = sc.model_copy(update={"interventions": [*sc.interventions, *uses]})
        folder = out / f"chain{k}"
        arms.append(Arm(f"untreated{k}", sc, ids, spec.seed + k, days, folder / "untreated"))
        arms.append(Arm(f"treated{k}", treated, ids, spec.seed + k, days, folder / "treated"))
    frames = run_arms(arms, workers, progress)
    match_on = [m.value for m in spec.stores.match_on]
    runs = []
    for k, sc in enumerate(chains):
        untreated = frames[f"untreated{k}"]
        history = untreated[untreated["day"] < study.pre_days]
        table = matching.features(history, describe(expand(sc)), match_on)
        runs.append(ChainRuns(table, untreated, frames[f"treated{k}"]))
    return runs


def score(
    pilot: Pilot,
    study: Study,
    runs: list[ChainRuns],
    kpi: str | None = None,
    estimator: Estimator = did,
) -> dict[str, Any]:
    """Draw ``study.n`` pilots from the runs and score ``estimator`` on them."""
    kpi = kpi or pilot.spec.decision.kpi.value
    per_chain = math.ceil(study.n / len(runs))
    rows = [
        _draw(pilot, chain, study, kpi, k, j, estimator)
        for k, chain in enumerate(runs)
        for j in range(per_chain)
    ][: study.n]
    draws = pd.DataFrame(rows)
    return {"summary": summarise(draws, pilot.spec.decision.alpha, kpi, study), "draws": draws}


def validate(
    pilot: Pilot,
    study: Study,
    out: Path,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    kpi: str | None = None,
) -> dict[str, Any]:
    """Simulate and score: the summary (rates, errors, targets) and one row per drawn pilot."""
    return score(pilot, study, simulate(pilot, study, out, workers, progress), kpi)


def _draw(
    pilot: Pilot,
    runs: ChainRuns,
    study: Study,
    kpi: str,
    chain: int,
    j: int,
    estimator: Estimator,
) -> dict[str, Any]:
    """One A/A pilot and one pilot with the intervention, on the same drawn stores."""
    table, untreated, treated = runs.features, runs.untreated, runs.treated
    stores = pilot.spec.stores
    seed = pilot.spec.seed * 1_000_003 + chain * 10_007 + j
    pilots = matching.draw_pilots(list(table.index), stores.pilot, seed)
    found = matching.match(table, pilots, stores.references_per_pilot, stores.region_weight)
    references = sorted(r for refs in found.values() for r, _ in refs)
    design = Design(tuple(pilots), tuple(references), study.pre_days)
    alpha = pilot.spec.decision.alpha
    aa = estimator(untreated, [kpi], design, alpha, seed=seed)[kpi]
    observed = pd.concat(
        [treated[treated["store_id"].isin(pilots)], untreated[~untreated["store_id"].isin(pilots)]]
    )
    fx = estimator(observed, [kpi], design, alpha, seed=seed)[kpi]
    truth = true_effects(observed, untreated, design, [kpi])[kpi]
    sc = synthetic_control(observed, kpi, pilots, references, study.pre_days, alpha)
    return {
        "chain": chain,
        "draw": j,
        "pilot_stores": ",".join(pilots),
        "reference_stores": ",".join(references),
        "aa_estimate": aa.estimate,
        "aa_p_value": aa.p_value,
        "estimate": fx.estimate,
        "ci_low": fx.ci_low,
        "ci_high": fx.ci_high,
        "p_value": fx.p_value,
        "true_effect": truth,
        "sc_estimate": sc.estimate,
        "sc_band_low": sc.band_low,
        "sc_band_high": sc.band_high,
    }


def summarise(draws: pd.DataFrame, alpha: float, kpi: str, study: Study) -> dict[str, Any]:
    """False-positive rate, coverage, mean error (and how each compares with its target)."""
    error = draws["estimate"] - draws["true_effect"]
    low = draws["ci_low"].astype(float).fillna(-np.inf)
    high = draws["ci_high"].astype(float).fillna(np.inf)
    covered = (low <= draws["true_effect"]) & (draws["true_effect"] <= high)
    effect = float(draws["true_effect"].mean())
    sc_error = draws["sc_estimate"] - draws["true_effect"]
    truth = draws["true_effect"]
    sc_covered = (draws["sc_band_low"] <= truth) & (truth <= draws["sc_band_high"])
    figures = {
        "false_positive_rate": float((draws["aa_p_value"] <= alpha).mean()),
        "coverage": float(covered.mean()),
        "relative_mean_error": abs(float(error.mean())) / abs(effect) if effect else float("inf"),
    }
    return {
        "kpi": kpi,
        "alpha": alpha,
        "pilots": len(draws),
        "chains": study.chain_count,
        "stores_per_chain": study.stores,
        "visitors": study.visitors,
        "pre_days": study.pre_days,
        "pilot_days": study.pilot_days,
        **{k: round(v, 4) for k, v in figures.items()},
        "mean_true_effect": round(effect, 4),
        "mean_error": round(float(error.mean()), 4),
        "mean_abs_error": round(float(error.abs().mean()), 4),
        "power": round(float((draws["p_value"] <= alpha).mean()), 4),
        "synthetic_control": {
            "mean_error": round(float(sc_error.mean()), 4),
            "mean_abs_error": round(float(sc_error.abs().mean()), 4),
            "placebo_band_coverage": round(float(sc_covered.mean()), 4),
        },
        "targets": {k: list(v) for k, v in TARGETS.items()},
        "within_target": {k: bool(TARGETS[k][0] <= v <= TARGETS[k][1]) for k, v in figures.items()},
    }
