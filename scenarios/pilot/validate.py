"""How far HQ can trust a pilot: many small pilots with known truth, scored.

A/A pilots (nobody gets the intervention) give the false-positive rate at
alpha; pilots with the intervention give the CI's coverage of the true effect
and the mean error. Running the twin for every one of hundreds of pilots would
take hours on a laptop, so the twin runs a few small chains once, without and
with the intervention in every store (common random numbers, through the
executor), and each validation pilot is drawn from those runs:

* every twin store's series of the KPI is split into its level, the chain's day
  effects and its own residual series; its effect series is treated minus
  untreated, day by day;
* a drawn chain's store k takes the level and effect series of one twin store
  and the whole residual series of another (so noise keeps its day-to-day
  correlation within a store, and no two drawn stores are copies);
* pilot stores are drawn at random, references matched as in step 3 (on the
  KPI's pre-period mean and the store attributes), and the pilot evaluated as
  in step 5; its true effect is the mean of the pilot
  stores' effect series over the pilot days.

A pilot whose evaluation adjusts for covariates (``evaluate.adjust_for``, such
as the door's footfall count) has each covariate taken apart and drawn the same
way, from the same two stores as the KPI, so the drawn store's covariate keeps
its tie to the KPI's noise; the estimator is run with the covariates, as step 5
runs it.

So the estimators meet the twin's noise and effects, and each drawn pilot has
fresh noise, as independent pilots would (Bertrand, Duflo and Mullainathan's
placebo design, on panels resampled from the twin).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
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
from twin.executor import Workers

TARGETS = {
    "false_positive_rate": (0.03, 0.07),
    "coverage": (0.92, 0.98),
    "relative_mean_error": (0, 0.10),
}


@dataclass(frozen=True)
class Study:
    """Size of the validation: pilots drawn, and the twin runs they are drawn from."""

    n: int = 200
    chains: int = 2
    stores: int = 12
    visitors: float = 100.0
    pre_days: int = 5
    pilot_days: int = 5
    treated: int | None = None
    """Stores per chain also run with the intervention: None for all (resampling draws any
    store's effect); independent pilots need only their pilot stores'."""

    @property
    def days(self) -> int:
        """Days every twin store runs: pre-period then pilot period."""
        return self.pre_days + self.pilot_days

    @property
    def store_days(self) -> int:
        """Store-days the twin simulates (every store untreated, ``treated`` of them treated)."""
        treated = self.stores if self.treated is None else self.treated
        return self.chains * (self.stores + treated) * self.days


def independent_study(pilot: Pilot, study: Study) -> Study:
    """The runs ``validate_independent`` makes: one chain per pilot, only its pilots treated."""
    return replace(study, chains=study.n, treated=pilot.spec.stores.pilot)


def pilot_seed(pilot: Pilot, j: int) -> int:
    """Seed of validation pilot ``j``: its pilot-store draw, its placebos, its resampled chain."""
    return pilot.spec.seed * 1_000_003 + j


def pilot_stores(pilot: Pilot, stores: Sequence[str], seed: int) -> list[str]:
    """The pilot stores drawn among ``stores`` (step 3's random draw; it reads no KPI)."""
    return matching.draw_pilots(sorted(stores), pilot.spec.stores.pilot, seed)


def chain_for(pilot: Pilot, study: Study, k: int) -> Scenario:
    """Validation chain ``k``: small stores of the pilot's first eligible format."""
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
class TwinStores:
    """One KPI of every twin store, taken apart for resampling (arrays are [store, day])."""

    kpi: str
    level: np.ndarray
    day_effects: np.ndarray
    chain: np.ndarray
    residual: np.ndarray
    effect: np.ndarray
    attributes: pd.DataFrame
    covariates: dict[str, TwinStores] = field(default_factory=dict)
    """Each covariate taken apart alike (untreated runs: the intervention cannot move it)."""


def twin_arms(pilot: Pilot, study: Study, out: Path) -> list[Arm]:
    """Every validation chain's stores without and with the intervention (same seed: CRN).

    With ``study.treated`` set only chain k's pilot stores (``pilot_stores`` with
    ``pilot_seed(pilot, k)``, as ``independent`` draws them) run treated: the
    other stores' treated runs would never be read.
    """
    spec = pilot.spec
    uses = pilot.uses(study.pre_days)
    arms = []
    for k in range(study.chains):
        sc = chain_for(pilot, study, k)
        ids = tuple(s.store_id for s in expand(sc))
        treated = sc.model_copy(update={"interventions": [*sc.interventions, *uses]})
        folder = out / f"chain{k}"
        arms.append(Arm(f"untreated{k}", sc, ids, spec.seed + k, study.days, folder / "untreated"))
        if study.treated is not None:
            ids = tuple(pilot_stores(pilot, ids, pilot_seed(pilot, k)))
            if len(ids) != study.treated:
                raise ValueError(f"study.treated {study.treated} is not the pilot's {len(ids)}")
        arms.append(Arm(f"treated{k}", treated, ids, spec.seed + k, study.days, folder / "treated"))
    return arms


def simulate(
    pilot: Pilot,
    study: Study,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Run ``twin_arms`` as one batch of jobs.

    Returns:
        Per chain: store attributes, untreated and treated store-days.
    """
    arms = twin_arms(pilot, study, out)
    frames = run_arms(arms, workers, progress)
    return [
        (
            pd.DataFrame(describe(expand(arms[2 * k].scenario))).set_index("store_id"),
            frames[f"untreated{k}"],
            frames[f"treated{k}"],
        )
        for k in range(study.chains)
    ]


def take_apart(
    runs: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
    kpi: str,
    covariates: Sequence[str] = (),
) -> TwinStores:
    """Levels, day effects, residual and effect series of ``kpi`` for every twin store.

    ``covariates`` are taken apart the same way, for ``drawn_chain`` to carry along.
    A store that did not run treated has a NaN effect series.
    """
    levels, days, chain, resid, effect, attrs = [], [], [], [], [], []
    for k, (table, untreated, treated) in enumerate(runs):
        u = untreated.pivot(index="store_id", columns="day", values=kpi).astype(float)
        t = treated.pivot(index="store_id", columns="day", values=kpi).astype(float)
        level = u.mean(axis=1).to_numpy()
        day = (u.sub(level, axis=0)).mean(axis=0).to_numpy()
        levels.append(level)
        days.append(day)
        chain.append(np.full(len(u), k))
        resid.append(u.to_numpy() - level[:, None] - day[None, :])
        effect.append((t - u).loc[u.index].to_numpy())
        attrs.append(table.loc[u.index, [*matching.ATTRIBUTES, "region", "format"]])
    return TwinStores(
        kpi,
        np.concatenate(levels),
        np.array(days),
        np.concatenate(chain),
        np.concatenate(resid),
        np.concatenate(effect),
        pd.concat(attrs, ignore_index=True),
        {c: take_apart(runs, c) for c in covariates},
    )


Estimator = Callable[..., dict[str, DidEstimate]]
"""``did``'s signature: (panel, kpis, design, alpha, seed=...) -> estimate per KPI."""


def score(
    pilot: Pilot,
    study: Study,
    twin: TwinStores,
    estimator: Estimator = did,
) -> dict[str, Any]:
    """Draw ``study.n`` pilots from the twin's stores and score ``estimator`` on them.

    With covariates in ``twin`` the estimator is given them, as step 5 does.
    """
    if twin.covariates:
        estimator = partial(estimator, covariates=tuple(twin.covariates))
    draws = pd.DataFrame([_draw(pilot, twin, study, j, estimator) for j in range(study.n)])
    return {"summary": summarise(draws, pilot.spec.decision.alpha, twin, study), "draws": draws}


def validate(
    pilot: Pilot,
    study: Study,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    kpi: str | None = None,
) -> dict[str, Any]:
    """Simulate and score: the summary (rates, errors, targets) and one row per drawn pilot."""
    runs = simulate(pilot, study, out, workers, progress)
    chosen = kpi or pilot.spec.decision.kpi.value
    return score(pilot, study, take_apart(runs, chosen, pilot.spec.covariates))


def validate_independent(
    pilot: Pilot,
    study: Study,
    out: Path,
    workers: Workers | int | None = None,
    progress: Callable[[float], None] | None = None,
    kpi: str | None = None,
) -> dict[str, dict[str, Any]]:
    """``study.n`` complete twin pilots, each its own chain draw and seed, on the executor.

    Beside them, today's resampling method scored on the same twin runs, so the
    two are compared on one simulation. Each entry has a summary and its draws.
    """
    study = independent_study(pilot, study)
    chosen = kpi or pilot.spec.decision.kpi.value
    runs = simulate(pilot, study, out, workers, progress)
    twin = take_apart(runs, chosen, pilot.spec.covariates)
    estimator = partial(did, covariates=tuple(pilot.spec.covariates))
    draws = independent(pilot, study, runs, chosen, estimator)
    own = {"summary": summarise(draws, pilot.spec.decision.alpha, twin, study), "draws": draws}
    return {"independent": own, "resampling": score(pilot, study, twin)}


def drawn_chain(
    twin: TwinStores, stores: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A chain of ``stores`` resampled stores: matching table, untreated and treated store-days.

    Store k has the level, effect series and attributes of one twin store, the day
    effects of that store's chain and the whole residual series of another store.
    That first store is one that ran treated (all of them unless ``Study.treated``).
    """
    n = len(twin.level)
    ran = np.flatnonzero(np.isfinite(twin.effect).all(axis=1))
    if len(ran) == n:
        whose = rng.choice(n, size=stores, replace=stores > n)
    else:
        whose = rng.choice(ran, size=stores, replace=stores > len(ran))
    noise = rng.choice(n, size=stores, replace=stores > n)
    base = twin.level[whose, None] + twin.day_effects[twin.chain[whose]]
    untreated = base + twin.residual[noise]
    treated = untreated + twin.effect[whose]
    ids = [f"V{k:03d}" for k in range(stores)]
    days = np.arange(untreated.shape[1])
    extra = {
        name: (c.level[whose, None] + c.day_effects[c.chain[whose]] + c.residual[noise]).ravel()
        for name, c in twin.covariates.items()
    }

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "store_id": np.repeat(ids, len(days)),
                "day": np.tile(days, stores),
                twin.kpi: values.ravel(),
                **extra,
            }
        )

    table = twin.attributes.iloc[whose].set_index(pd.Index(ids, name="store_id"))
    return table, frame(untreated), frame(treated)


def _draw(
    pilot: Pilot, twin: TwinStores, study: Study, j: int, estimator: Estimator
) -> dict[str, Any]:
    """One A/A pilot and one pilot with the intervention, on the same drawn stores."""
    seed = pilot_seed(pilot, j)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xA11,)))
    attrs, untreated, treated = drawn_chain(twin, study.stores, rng)
    found = evaluate(pilot, study, twin.kpi, attrs, untreated, treated, seed, estimator)
    return {"draw": j, **found}


def evaluate(
    pilot: Pilot,
    study: Study,
    kpi: str,
    attrs: pd.DataFrame,
    untreated: pd.DataFrame,
    treated: pd.DataFrame,
    seed: int,
    estimator: Estimator = did,
) -> dict[str, Any]:
    """Pilot stores drawn, references matched, then the A/A and the with-effect estimates.

    ``attrs`` holds the matching attributes per store; ``untreated`` and ``treated``
    the store-days of the same stores without and with the intervention.
    """
    stores = pilot.spec.stores
    history = untreated[untreated["day"] < study.pre_days]
    table = history.groupby("store_id")[[kpi]].mean().join(attrs)
    pilots = pilot_stores(pilot, list(table.index), seed)
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


def independent(
    pilot: Pilot,
    study: Study,
    runs: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
    kpi: str,
    estimator: Estimator = did,
) -> pd.DataFrame:
    """One complete twin pilot per simulated chain (its own chain draw and seed): one row each.

    ``runs`` is ``simulate``'s output with ``study.chains`` = the number of pilots.
    """
    columns = [*matching.ATTRIBUTES, "region", "format"]
    rows = []
    for j, (table, untreated, treated) in enumerate(runs):
        keep = ["store_id", "day", kpi, *pilot.spec.covariates]
        seed = pilot_seed(pilot, j)
        found = evaluate(
            pilot, study, kpi, table[columns], untreated[keep], treated[keep], seed, estimator
        )
        rows.append({"draw": j, **found})
    return pd.DataFrame(rows)


def uncertainty(draws: pd.DataFrame, alpha: float) -> dict[str, list[float]]:
    """95% CIs of the validation's own figures: Wilson for the rates, t for the mean error.

    With N pilots a rate of 5% is known to about +-10%/sqrt(N) only; the CI says so.
    """
    n = len(draws)
    error = (draws["estimate"] - draws["true_effect"]).astype(float)
    low = draws["ci_low"].astype(float).fillna(-np.inf)
    high = draws["ci_high"].astype(float).fillna(np.inf)
    covered = int(((low <= draws["true_effect"]) & (draws["true_effect"] <= high)).sum())
    false_pos = int((draws["aa_p_value"] <= alpha).sum())
    half = _t975(n - 1) * float(error.std(ddof=1)) / np.sqrt(n) if n > 1 else float("nan")
    mean = float(error.mean())
    return {
        "false_positive_rate": [round(v, 4) for v in _wilson(false_pos, n)],
        "coverage": [round(v, 4) for v in _wilson(covered, n)],
        "mean_error": [round(mean - half, 4), round(mean + half, 4)],
    }


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def _t975(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df)) if df > 0 else float("nan")


def summarise(draws: pd.DataFrame, alpha: float, twin: TwinStores, study: Study) -> dict[str, Any]:
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
        "kpi": twin.kpi,
        "alpha": alpha,
        "pilots": len(draws),
        "chains": study.chains,
        "stores_per_chain": study.stores,
        "twin_stores": len(twin.level),
        "twin_store_days": study.store_days,
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
        "ci95": uncertainty(draws, alpha),
        "targets": {k: list(v) for k, v in TARGETS.items()},
        "within_target": {k: bool(TARGETS[k][0] <= v <= TARGETS[k][1]) for k, v in figures.items()},
    }
