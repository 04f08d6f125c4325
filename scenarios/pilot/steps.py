"""The six steps of the pilot method (DOMAIN.md section 5), each returning its typed artefact.

Steps read the artefacts before them and the run folder, never each other's
internals, so any step can be re-run from what is saved. Money is always judged
on contribution (gross margin - labour - shrink), whatever KPI decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from scenarios.chain import StoreSpec, describe
from scenarios.interventions import REGISTRY
from scenarios.pilot import checks, finance, matching, power, scaling
from scenarios.pilot.artefacts import (
    Decided,
    Estimated,
    Evaluated,
    Identified,
    PilotRun,
    Reviewed,
)
from scenarios.pilot.did import Design, did
from scenarios.pilot.kpis import DRIVERS, Kpi, better, unit
from scenarios.pilot.loader import Pilot
from scenarios.pilot.rule import apply_rule
from scenarios.pilot.synth import synthetic_control
from scenarios.pilot.twinruns import Arm, run_arms
from twin.executor import Workers

Progress = Callable[[float], None] | None
Ready = Mapping[str, pd.DataFrame] | None
"""Store runs already simulated, by folder (``twinruns.job_frames``): a step does not rerun them."""
MONEY = Kpi.contribution.value
KPI_COLUMNS = [k.value for k in Kpi]
PROJECTED = (
    "year",
    "value",
    "running_cost",
    "investment",
    "net",
    "cumulative_net",
    "discounted_net",
)
"""The money columns of a projection row; None for a format that is not projected."""


def identify(pilot: Pilot, project_id: int, project_name: str) -> Identified:
    """Step 1: the project as it enters the library, from the intervention catalogue."""
    items = [(use, REGISTRY[use.name]) for use in pilot.spec.interventions]
    formats = Counter(s.scenario.format.value for s in pilot.stores)
    return Identified(
        digest=pilot.digest,
        project_id=project_id,
        project_name=project_name,
        pilot=pilot.spec.versioned_id,
        name=pilot.spec.name,
        interventions=[
            {
                "name": use.name,
                "pillar": item.pillar.value,
                "summary": item.summary,
                "case": item.case,
                "params": use.params.model_dump(mode="json"),
            }
            for use, item in items
        ],
        chain={
            "scenario": pilot.chain.versioned_id,
            "stores": len(pilot.stores),
            "formats": dict(sorted(formats.items())),
        },
        eligible=[s.store_id for s in pilot.eligible],
        candidates=pilot.candidates,
    )


def typical_stores(pilot: Pilot) -> list[StoreSpec]:
    """One store per format step 2 must price: the one with the median expected traffic.

    The eligible formats, and the chain's others only when the roll-out projection
    extrapolates to them (``rollout.extrapolate_formats``): nothing else reads their
    estimate, so by default their store-days are not simulated.
    """
    spec = pilot.spec
    wanted = {s.scenario.format for s in pilot.stores}
    if not spec.rollout.extrapolate_formats:
        wanted &= set(spec.stores.formats)
    picked = []
    for fmt in sorted(wanted):
        same = sorted(
            (s for s in pilot.stores if s.scenario.format is fmt),
            key=lambda s: (s.scenario.arrivals.traffic_factor, s.store_id),
        )
        picked.append(same[(len(same) - 1) // 2])
    return picked


def estimate_arms(pilot: Pilot, out: Path) -> list[Arm]:
    """Step 2's store runs: each typical store without and with the intervention.

    An eligible typical store's run without the intervention is step 3's run of
    that store too (same scenario, seed and store; a run's first days do not
    depend on its length), so it runs the whole horizon here and step 3 reads it
    back (``_reusable``) instead of simulating its first days twice.
    """
    spec = pilot.spec
    ids = tuple(s.store_id for s in typical_stores(pilot))
    days = spec.estimate.days
    root = out / "twin" / "estimate"
    eligible = {s.store_id for s in pilot.eligible}
    arms = [
        Arm("untreated", pilot.chain, group, spec.seed, length, root / "untreated")
        for group, length in (
            (tuple(i for i in ids if i in eligible), max(days, spec.periods.horizon)),
            (tuple(i for i in ids if i not in eligible), days),
        )
        if group
    ]
    arms = [replace(a, name=f"untreated{k}") for k, a in enumerate(arms)]
    arms.append(Arm("treated", pilot.treated(0), ids, spec.seed, days, root / "treated"))
    return arms


def review_arm(pilot: Pilot, out: Path, reused: Collection[str]) -> Arm:
    """Step 3's store runs: every eligible store not in ``reused``, untreated over the horizon."""
    spec = pilot.spec
    ids = tuple(s.store_id for s in pilot.eligible if s.store_id not in reused)
    return Arm(
        "untreated", pilot.chain, ids, spec.seed, spec.periods.horizon, out / "twin" / "untreated"
    )


def pilot_arm(pilot: Pilot, pilots: Sequence[str], out: Path) -> Arm:
    """Step 4's store runs: the pilot stores with the intervention from the pilot's start."""
    spec = pilot.spec
    start, days = spec.periods.pre_days, spec.periods.horizon
    return Arm(
        "treated", pilot.treated(start), tuple(pilots), spec.seed, days, out / "twin" / "pilot"
    )


def draw_pilots(pilot: Pilot) -> list[str]:
    """Step 3's pilot stores: drawn at random from the candidates, before any history is read."""
    return matching.draw_pilots(pilot.candidates, pilot.spec.stores.pilot, pilot.spec.seed)


def planned_arms(pilot: Pilot, out: Path, steps: Collection[str]) -> list[Arm]:
    """The store runs of ``steps`` (of estimate, review, run), all known before any has run.

    Pilot stores are drawn, not matched, so step 4's runs are known before step
    3 reads a day of history: a whole pilot's store runs can go out as one batch.
    """
    arms = estimate_arms(pilot, out) if "estimate" in steps else []
    if "review" in steps:
        horizon = pilot.spec.periods.horizon
        reused = {s for a in arms if a.days >= horizon for s in a.store_ids if a.name != "treated"}
        arms.append(review_arm(pilot, out, reused if arms else _reusable(out, horizon)))
    if "run" in steps:
        arms.append(pilot_arm(pilot, draw_pilots(pilot), out))
    return arms


def estimate(
    pilot: Pilot,
    out: Path,
    workers: Workers | int | None,
    progress: Progress,
    ready: Ready = None,
) -> Estimated:
    """Step 2: typical stores with and without the intervention (common random numbers)."""
    spec = pilot.spec
    stores = typical_stores(pilot)
    days = spec.estimate.days
    frames = run_arms(estimate_arms(pilot, out), workers, progress, ready)
    untreated = pd.concat([f for name, f in frames.items() if name != "treated"])
    untreated = untreated[untreated["day"] < days]
    diff = _by_store(frames["treated"]) - _by_store(untreated)
    rows = []
    for store in stores:
        cost = pilot.cost(store)
        effect = {k: round(float(diff.loc[store.store_id, k]), 4) for k in _columns(spec.evaluated)}
        money = finance.appraise(
            effect[MONEY],
            cost.one_off,
            cost.monthly,
            spec.finance.discount_rate,
            spec.finance.horizon_months,
        )
        rows.append(
            {
                "format": store.scenario.format.value,
                "store_id": store.store_id,
                "eligible": store.scenario.format in spec.stores.formats,
                "effect": effect,
                "labour_hours_saved": round(-float(diff.loc[store.store_id, "labour_hours"]), 2),
                "one_off": cost.one_off,
                "monthly": cost.monthly,
                **money,
            }
        )
    eligible = [r for r in rows if r["eligible"]]
    expected = {
        k: round(sum(r["effect"][k] for r in eligible) / len(eligible), 4)
        for k in eligible[0]["effect"]
    }
    one_off = sum(r["one_off"] for r in eligible) / len(eligible)
    monthly = sum(r["monthly"] for r in eligible) / len(eligible)
    return Estimated(
        digest=pilot.digest,
        days=days,
        formats=rows,
        expected=expected,
        investment={
            "one_off_per_store": round(one_off, 2),
            "monthly_per_store": round(monthly, 2),
            "pilot_one_off": round(one_off * spec.stores.pilot, 2),
            "pilot_monthly": round(monthly * spec.stores.pilot, 2),
        },
        finance=finance.appraise(
            expected[MONEY],
            one_off,
            monthly,
            spec.finance.discount_rate,
            spec.finance.horizon_months,
        ),
    )


def review(
    pilot: Pilot,
    estimated: Estimated,
    out: Path,
    workers: Workers | int | None,
    progress: Progress,
    ready: Ready = None,
) -> Reviewed:
    """Step 3: pilot stores, matched references, balance table, and the MDE of step 5's test.

    Every eligible store runs without the intervention over the whole horizon
    here, once: the review reads only its pre-period days (the history HQ has),
    and step 4 reuses the rest as the reference stores' data and every store's
    counterfactual, so no store-day is simulated twice.
    """
    spec = pilot.spec
    eligible = pilot.eligible
    horizon = spec.periods.horizon
    reused = _reusable(out, horizon)
    frames = run_arms([review_arm(pilot, out, reused)], workers, progress, ready)
    wanted = [s.store_id for s in eligible]
    every = pd.concat([frames["untreated"], *(reused[i] for i in wanted if i in reused)])
    every = every.sort_values(["store_id", "day"], ignore_index=True)
    untreated = out / "twin" / "untreated.parquet"
    every.to_parquet(untreated, index=False)
    history = every[every["day"] < spec.periods.pre_days]
    history.to_parquet(out / "history.parquet", index=False)
    candidates = pilot.candidates
    pilots = draw_pilots(pilot)
    attributes = describe(eligible)
    table = matching.features(history, attributes, _columns(spec.stores.match_on))
    matches = matching.match(
        table, pilots, spec.stores.references_per_pilot, spec.stores.region_weight
    )
    references = sorted(ref for refs in matches.values() for ref, _ in refs)
    design = Design(tuple(pilots), tuple(references), spec.periods.pre_days)
    kpis = _columns(spec.evaluated)
    sizes = power.mde(
        history,
        kpis,
        design,
        spec.periods.pilot_days,
        spec.decision.alpha,
        estimated.expected,
        spec.covariates,
        seed=spec.seed,
        first_weekday=pilot.chain.start_date.weekday(),
    )
    rule = spec.decision.kpi.value
    balanced = list(dict.fromkeys([*spec.stores.match_on, spec.decision.kpi]))
    return Reviewed(
        digest=pilot.digest,
        pilot_stores=pilots,
        reference_stores=references,
        selection=f"{len(pilots)} pilot stores drawn at random (seed {spec.seed}) from "
        f"{len(candidates)} candidates; {spec.stores.references_per_pilot} nearest eligible "
        "stores each as references (pre-period KPIs and attributes)",
        matches={
            p: [{"store_id": r, "distance": d} for r, d in refs] for p, refs in matches.items()
        },
        balance=matching.balance(
            matching.features(history, attributes, _columns(balanced)), pilots, references
        ),
        mde=sizes,
        recommendation=_recommendation(pilot, len(pilots), sizes[rule], estimated),
        untreated=str(untreated.relative_to(out)),
    )


def _recommendation(pilot: Pilot, pilots: int, row: dict, estimated: Estimated) -> dict:
    """Step 3's advice on its plan; a pre-period without the pilot period's weekdays first."""
    spec = pilot.spec
    target = checks.gain_to_find(spec, estimated.expected.get(spec.decision.kpi.value, 0.0))
    out = checks.advice(
        spec, pilots, len(pilot.eligible), row["mde"], target, row.get("store_share", 0.0)
    )
    if row.get("calendar_covered", True):
        return out
    week = f"a pre-period of a whole week (periods.pre_days: {power.WEEK} or more)"
    note = (
        f"the pilot period has weekdays the pre-period lacks, so this MDE leaves out their "
        f"noise: use {week}"
        + ("" if out["adequate"] else f", then size it again; the MDE says: {out['note']}")
    )
    pre = max(out["pre_days"], power.WEEK)
    return {**out, "adequate": False, "pre_days": pre, "note": note}


def _reusable(out: Path, horizon: int) -> dict[str, pd.DataFrame]:
    """Step 2's untreated runs that cover the whole horizon, by store: step 3 needs no rerun."""
    found = {}
    for daily in sorted((out / "twin" / "estimate" / "untreated").glob("*/daily.parquet")):
        frame = pd.read_parquet(daily)
        if not frame.empty and int(frame["day"].max()) + 1 >= horizon:
            found[daily.parent.name] = frame[frame["day"] < horizon]
    return found


def run(
    pilot: Pilot,
    reviewed: Reviewed,
    out: Path,
    workers: Workers | int | None,
    progress: Progress,
    ready: Ready = None,
) -> PilotRun:
    """Step 4: pilot stores with the intervention from the start day; the counterfactual beside.

    Reference stores get no intervention, so their run from step 3 is both what
    HQ observes and their counterfactual; only pilot stores need a second run.
    """
    spec = pilot.spec
    start, days = spec.periods.pre_days, spec.periods.horizon
    pilots = tuple(reviewed.pilot_stores)
    treated = run_arms([pilot_arm(pilot, pilots, out)], workers, progress, ready)["treated"]
    untreated = pd.read_parquet(out / reviewed.untreated)
    pool = [*reviewed.pilot_stores, *reviewed.reference_stores]
    counterfactual = untreated[untreated["store_id"].isin(pool)]
    observed = pd.concat(
        [treated, untreated[untreated["store_id"].isin(reviewed.reference_stores)]],
        ignore_index=True,
    )
    pre_cf = counterfactual[
        counterfactual["store_id"].isin(pilots) & (counterfactual["day"] < start)
    ]
    pre_tr = treated[treated["day"] < start]
    same = _by_day(pre_tr).equals(_by_day(pre_cf))
    cf_pilots = counterfactual[counterfactual["store_id"].isin(pilots)]
    moved = [
        c for c in spec.covariates if not _by_day(treated, [c]).equals(_by_day(cf_pilots, [c]))
    ]
    group = {s: "pilot" for s in pilots} | {s: "reference" for s in reviewed.reference_stores}
    panel = pd.concat(
        [observed.assign(arm="observed"), counterfactual.assign(arm="counterfactual")],
        ignore_index=True,
    )
    panel.insert(1, "group", panel["store_id"].map(group))
    panel = panel[["store_id", "group", "arm", "day", *KPI_COLUMNS, *spec.covariates]].sort_values(
        ["arm", "store_id", "day"], ignore_index=True
    )
    path = out / "panel.parquet"
    panel.to_parquet(path, index=False)
    return PilotRun(
        digest=pilot.digest,
        start_day=start,
        days=days,
        store_days={"pilot": len(pilots) * days, "reused_from_review": len(pool) * days},
        pre_period_identical=bool(same),
        panel=path.name,
        covariates_moved=moved,
    )


def evaluate(pilot: Pilot, reviewed: Reviewed, ran: PilotRun, out: Path) -> Evaluated:
    """Step 5: DiD and synthetic control per KPI, money and its drivers, truth and error beside."""
    spec = pilot.spec
    panel = pd.read_parquet(out / ran.panel)
    observed = panel[panel["arm"] == "observed"]
    cf = panel[panel["arm"] == "counterfactual"]
    design = Design(tuple(reviewed.pilot_stores), tuple(reviewed.reference_stores), ran.start_day)
    kpis = _columns(spec.evaluated)
    alpha = spec.decision.alpha
    lifts = did(observed, kpis, design, alpha, seed=spec.seed, covariates=spec.covariates)
    adjusted = f", adjusted for {', '.join(spec.covariates)}" if spec.covariates else ""
    truth = true_effects(observed, cf, design, kpis)
    post = observed[observed["store_id"].isin(design.pilots) & (observed["day"] >= ran.start_day)]
    estimates = {}
    for kpi in kpis:
        lift = lifts[kpi]
        sc = synthetic_control(
            observed, kpi, design.pilots, design.references, ran.start_day, alpha
        )
        base = float(post[kpi].mean()) - lift.estimate
        estimates[kpi] = {
            "unit": unit(Kpi(kpi)),
            "better": "higher" if better(Kpi(kpi)) > 0 else "lower",
            "counts": Kpi(kpi) in spec.kpis,
            "method": f"difference-in-differences (store and day effects{adjusted}), "
            f"randomisation inference over {lift.assignments} assignments",
            "estimate": round(lift.estimate, 4),
            "ci_low": _round(lift.ci_low),
            "ci_high": _round(lift.ci_high),
            "p_value": round(lift.p_value, 4),
            "min_p_value": round(lift.min_p_value, 4),
            "baseline": round(base, 4),
            "lift_pct": _percent(lift.estimate, base),
            "true_effect": round(truth[kpi], 4),
            "error": round(lift.estimate - truth[kpi], 4),
            "synthetic_control": {
                "estimate": round(sc.estimate, 4),
                "p_value": round(sc.p_value, 4),
                "min_p_value": round(sc.min_p_value, 4),
                "placebo_band": [round(sc.band_low, 4), round(sc.band_high, 4)],
                "pre_rmspe": round(sc.pre_rmspe, 4),
                "weights": sc.weights,
                "true_effect": round(truth[kpi], 4),
                "error": round(sc.estimate - truth[kpi], 4),
                "series": {
                    "day": sc.days,
                    "actual": _rounded(sc.actual),
                    "synthetic": _rounded(sc.synthetic),
                },
            },
        }
    costs = [pilot.cost(s) for s in pilot.stores if s.store_id in design.pilots]
    one_off = sum(c.one_off for c in costs) / len(costs)
    monthly = sum(c.monthly for c in costs) / len(costs)
    money = estimates[MONEY]
    points = {
        "measured": money["estimate"],
        "ci_low": money["ci_low"],
        "ci_high": money["ci_high"],
        "true": money["true_effect"],
    }
    rate, months = spec.finance.discount_rate, spec.finance.horizon_months
    sat = estimates[Kpi.satisfaction.value]
    pre = observed[observed["store_id"].isin(design.pilots) & (observed["day"] < ran.start_day)]
    return Evaluated(
        digest=pilot.digest,
        estimates=estimates,
        costs={"one_off_per_store": round(one_off, 2), "monthly_per_store": round(monthly, 2)},
        finance={
            name: finance.appraise(value, one_off, monthly, rate, months)
            for name, value in points.items()
            if value is not None
        },
        drivers=[
            {**m, "true_monthly": t["monthly"]}
            for m, t in zip(
                finance.drivers(
                    {k.value: estimates[k.value]["estimate"] for k in DRIVERS}, monthly
                ),
                finance.drivers({k.value: truth[k.value] for k in DRIVERS}, monthly),
                strict=True,
            )
        ],
        satisfaction={
            "before": round(float(pre["satisfaction"].mean()), 3),
            "after": round(float(post["satisfaction"].mean()), 3),
            "lift": sat["estimate"],
            "ci_low": sat["ci_low"],
            "ci_high": sat["ci_high"],
            "true_effect": sat["true_effect"],
        },
    )


def true_effects(
    observed: pd.DataFrame, counterfactual: pd.DataFrame, design: Design, kpis: list[str]
) -> dict[str, float]:
    """What the intervention really did: pilot stores' pilot days, treated minus counterfactual."""

    def post(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame[frame["store_id"].isin(design.pilots) & (frame["day"] >= design.start_day)]
        return rows.set_index(["store_id", "day"]).sort_index()[kpis]

    return {k: float(v) for k, v in (post(observed) - post(counterfactual)).mean().items()}


def decide(
    pilot: Pilot, estimated: Estimated, reviewed: Reviewed, ran: PilotRun, evaluated: Evaluated
) -> Decided:
    """Step 6: the verdict under the pilot's rule and every earlier check; the chain's projection.

    The checks (``scenarios.pilot.checks``) travel with the decision as
    ``warnings``; one that undermines the lift on the decision KPI turns a
    roll-out into a next round unless the pilot file allows it.
    """
    projection = _projection(pilot, estimated, reviewed, evaluated)
    eligible = len(pilot.eligible)
    scaled = scaling.compare(pilot)
    found = checks.every(pilot.spec, reviewed, ran, evaluated, projection, eligible, scaled)
    decision, reasons, changes = apply_rule(pilot.spec, reviewed, evaluated, eligible, found)
    return Decided(
        digest=pilot.digest,
        decision=decision,
        reasons=reasons,
        next_round=changes,
        warnings=[f.as_dict() for f in found],
        scaling=scaled,
        projection=projection,
    )


def _projection(
    pilot: Pilot, estimated: Estimated, reviewed: Reviewed, evaluated: Evaluated
) -> list[dict]:
    """Three years of roll-out per format: piloted formats from the pilot's lift.

    Formats no pilot store had are listed without money, or projected from the
    twin's quick estimate (step 2) when the pilot file asks, marked as extrapolated.
    """
    spec = pilot.spec
    twin = {r["format"]: r["effect"][MONEY] for r in estimated.formats}
    chosen = set(reviewed.pilot_stores)
    piloted = {s.scenario.format for s in pilot.stores if s.store_id in chosen}
    rows = []
    for fmt in sorted({s.scenario.format for s in pilot.stores}):
        stores = [s for s in pilot.stores if s.scenario.format is fmt]
        mark = {"piloted": fmt in piloted, "extrapolated": False}
        if fmt not in piloted and not spec.rollout.extrapolate_formats:
            rows.append({"format": fmt.value, "source": "not piloted", "stores": len(stores)})
            rows[-1].update({k: None for k in PROJECTED} | mark)
            continue
        mark["extrapolated"] = fmt not in piloted
        costs = [pilot.cost(s) for s in stores]
        each = {
            "format": fmt.value,
            "stores": len(stores),
            "gain_per_store_day": twin[fmt.value]
            if mark["extrapolated"]
            else evaluated.estimates[MONEY]["estimate"],
            "one_off": sum(c.one_off for c in costs),
            "monthly": sum(c.monthly for c in costs),
            "source": "extrapolated: twin estimate, not piloted"
            if mark["extrapolated"]
            else "pilot",
        }
        rows += [r | mark for r in finance.projection([each], spec.finance.discount_rate, years=3)]
    return rows


def _columns(kpis: list[Kpi]) -> list[str]:
    return [k.value for k in kpis]


def _by_store(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("store_id")[KPI_COLUMNS].mean()


def _by_day(frame: pd.DataFrame, columns: list[str] = KPI_COLUMNS) -> pd.DataFrame:
    return frame.set_index(["store_id", "day"]).sort_index()[columns].astype(float)


def _percent(change: float, level: float) -> float | None:
    """``change`` in % of ``level``; None for a loss or a level too near zero (ten-fold).

    A percentage of a loss reads backwards (a gain shows as a fall), so it is left out.
    """
    if level <= 0 or abs(change) > 10 * level:
        return None
    return round(100 * change / level, 3)


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _rounded(xs: list[float]) -> list[float]:
    return [round(x, 3) for x in xs]
