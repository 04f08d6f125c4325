"""The checks behind a verdict: the earlier steps' doubts, read again where the decision is made.

A lift is only as good as the pilot that measured it (ARCHITECTURE rule 10). A
pilot that could not see the gain it looked for, or whose stores differed from
their references before it began, can show a sure-looking gain that is luck;
a placebo test with too few references cannot reach significance at all; a
projection for formats nobody piloted is a guess. Each failed check is a
``Finding`` with its figure, the threshold and what it means for the decision;
power and balance on the decision KPI (planned, and on the noise the pilot
showed), and a decision test that cannot reach alpha, hold a roll-out back
(``scenarios.pilot.rule``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from scenarios.pilot import power
from scenarios.pilot.artefacts import Evaluated, PilotRun, Reviewed
from scenarios.pilot.kpis import better
from scenarios.pilot.scaling import TOLERANCE
from scenarios.pilot.schema import PilotSpec


@dataclass(frozen=True)
class Finding:
    """A check the pilot failed, as the report shows it beside the verdict.

    ``blocks_roll_out``: the decision cannot be ``roll_out`` unless the pilot file
    sets ``decision.allow_underpowered``; ``fix`` is the change that would pass it.
    """

    check: str
    figure: float | None
    threshold: float | None
    meaning: str
    blocks_roll_out: bool = False
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The finding as report.json holds it."""
        return asdict(self)


def design(
    spec: PilotSpec, reviewed: Reviewed, eligible: int, expected: float | None = None
) -> list[Finding]:
    """What step 3 already tells: power and balance of the design on the decision KPI.

    Args:
        spec: The pilot file.
        reviewed: Step 3's artefact (power table, balance table, stores).
        eligible: Eligible stores in the chain (what a larger design can draw on).
        expected: Expected effect on the decision KPI per store-day; default the
            power table's (step 2's quick twin run).
    """
    return [*_power(spec, reviewed, eligible, expected), *_balance(spec, reviewed, eligible)]


def every(
    spec: PilotSpec,
    reviewed: Reviewed,
    ran: PilotRun,
    evaluated: Evaluated,
    projection: Sequence[dict[str, Any]],
    eligible: int,
    scaled: dict[str, Any] | None = None,
) -> list[Finding]:
    """Every check of steps 3 to 6, in the order the report shows them.

    ``scaled`` is ``scenarios.pilot.scaling.compare``'s answer for the pilot's stores.
    """
    return one_recommendation(
        [
            *design(spec, reviewed, eligible),
            *_noise(spec, reviewed, evaluated, eligible),
            *_calendar(spec),
            *_resolution(spec, reviewed, evaluated, eligible),
            *_extrapolation(projection),
            *_scaling(scaled),
            *_truth(ran),
        ]
    )


def _power(
    spec: PilotSpec, reviewed: Reviewed, eligible: int, expected: float | None
) -> list[Finding]:
    kpi = spec.decision.kpi
    row = reviewed.mde.get(kpi.value)
    if row is None:
        return []
    effect = row["expected_effect"] if expected is None else expected
    gain = better(kpi) * effect
    target = gain_to_find(spec, effect)
    size = row["mde"]
    if target > 0 and size <= target:
        return []
    if target <= 0:
        meaning = (
            f"the twin's quick run (step 2) expects a {kpi.value} gain of {gain:+,.2f} per "
            f"store-day, not above the required {spec.decision.min_gain:+,.2f}: no pilot can be "
            "sized to find a gain, and one the pilot measures is most likely noise; the design "
            + ("can" if size <= -target else "cannot")
            + f" confirm the shortfall (MDE {size:,.2f})"
        )
        fix = (
            "the twin expects no gain worth having: change the intervention's parameters "
            f"(or run the quick estimate longer than {spec.estimate.days} days) before piloting"
        )
    else:
        over = (
            f"the {target:,.2f} expected"
            if spec.decision.min_gain == 0
            else f"the {target:,.2f} by which the expected {gain:+,.2f} clears the required "
            f"{spec.decision.min_gain:+,.2f}"
        )
        meaning = (
            f"the design finds a {kpi.value} gain of {size:,.2f} per store-day four times in "
            f"five (80% power, alpha {spec.decision.alpha:g}), above {over}: an under-powered "
            "pilot misses a real gain too often, and the gains it does find are overstated, so "
            "a sure-looking lift is not enough to roll out"
        )
        fix = "a larger pilot: " + _stores_or_days(
            spec, reviewed, eligible, size, target, row.get("store_share", 0.0)
        )
    return [Finding("power", round(size, 4), round(target, 4), meaning, True, fix)]


NOISE_RATIO = 1.5
"""How much wider than step 3 planned the decision KPI's CI may come out before it is a warning."""


def _noise(
    spec: PilotSpec, reviewed: Reviewed, evaluated: Evaluated, eligible: int
) -> list[Finding]:
    """Whether the pilot period was as quiet as step 3 assumed when it sized the design.

    Step 3 sees only the pre-period: without a weekend, or with a quieter
    season, it understates the noise, and a design it called adequate can still
    miss the gain. The CI step 5 measured tells: on the noise the pilot showed,
    the design's MDE is step 3's times the ratio of the CIs' widths.
    """
    from scipy.stats import norm  # here, as in power: few commands judge a pilot

    kpi = spec.decision.kpi
    row = reviewed.mde.get(kpi.value)
    e = evaluated.estimates.get(kpi.value, {})
    if row is None or not row.get("aa_sd") or e.get("ci_low") is None or e.get("ci_high") is None:
        return []
    planned = row.get("ci_half_width")  # the randomisation CI step 3 planned
    if planned is None:  # a review saved before step 3 planned it: the normal approximation
        planned = float(norm.ppf(1 - spec.decision.alpha / 2)) * row["aa_sd"]
    seen = (e["ci_high"] - e["ci_low"]) / 2
    ratio = seen / planned
    if ratio <= NOISE_RATIO:
        return []
    size = row["mde"] * ratio
    target = gain_to_find(spec, row["expected_effect"])
    short = target <= 0 or size > target
    meaning = (
        f"the pilot's {kpi.value} CI is {ratio:.1f} times as wide as step 3 planned from the "
        f"pre-period (half-width {seen:,.2f} against {planned:,.2f}): on the noise the pilot "
        f"showed, the design's MDE is about {size:,.2f}, not {row['mde']:,.2f}, "
        + (
            f"above the {target:,.2f} expected: the pilot was under-powered after all, so a "
            "gain it missed may be real and one it found is overstated"
            if short
            else f"still below the {target:,.2f} expected"
        )
    )
    fix = None
    if short and target > 0:
        fix = "a larger pilot, sized on the noise the pilot showed: " + _stores_or_days(
            spec, reviewed, eligible, size, target, realised_store_share(row, ratio)
        )
    return [Finding("noise", round(ratio, 4), NOISE_RATIO, meaning, short, fix)]


def realised_store_share(row: dict[str, Any], ratio: float) -> float:
    """The store-level share of the noise the pilot showed, ``ratio`` times step 3's plan.

    The store-day noise was measured on every day of the pre-period, the
    store-level part on a handful of stores' changes between pseudo-periods:
    what the pilot adds beyond the plan is taken as store-level, the part
    longer periods cannot shrink.
    """
    planned = float(row.get("store_share") or 0.0)
    return min(1.0, max(0.0, 1 - (1 - planned) / ratio**2))


def one_recommendation(found: Sequence[Finding]) -> list[Finding]:
    """The findings with one larger-pilot fix: the noise check's replaces the power check's.

    Both size a larger pilot; when the pilot's own noise disagrees with step 3's
    plan, the plan's advice is the one proven wrong, so only the realised one stays.
    """
    if not any(f.check == "noise" and f.fix for f in found):
        return list(found)
    return [replace(f, fix=None) if f.check == "power" else f for f in found]


def gain_to_find(spec: PilotSpec, expected: float) -> float:
    """The gain a pilot must be able to detect, better-is-positive, beyond ``min_gain``.

    Zero or less means the twin expects nothing worth finding: no design is sized for it.
    """
    return better(spec.decision.kpi) * expected - spec.decision.min_gain


def advice(
    spec: PilotSpec,
    pilots: int,
    eligible: int,
    size: float,
    target: float,
    store_share: float = 0.0,
) -> dict:
    """The stores or days that bring an MDE of ``size`` down to ``target`` (``power.recommend``).

    ``store_share``: the part of the noise's variance that is store-level, which
    longer periods do not shrink.
    """
    return power.recommend(
        size,
        target,
        pilots,
        spec.stores.references_per_pilot,
        eligible,
        spec.periods.pre_days,
        spec.periods.pilot_days,
        store_share,
    )


def _stores_or_days(
    spec: PilotSpec,
    reviewed: Reviewed,
    eligible: int,
    size: float,
    target: float,
    store_share: float = 0.0,
) -> str:
    note = advice(spec, len(reviewed.pilot_stores), eligible, size, target, store_share)["note"]
    return note.split("to detect it use ", 1)[-1]


def _balance(spec: PilotSpec, reviewed: Reviewed, eligible: int) -> list[Finding]:
    kpi = spec.decision.kpi
    limit = spec.decision.max_std_diff
    row = next((r for r in reviewed.balance if r["feature"] == kpi.value), None)
    if row is None:
        meaning = (
            f"the balance table has no row for {kpi.value} (a review saved by an older "
            "version): whether pilot and reference stores were alike on it is not known"
        )
        return [Finding("balance", None, limit, meaning)]
    diff = row["std_diff"]
    if abs(diff) <= limit:
        return []
    pool = len(reviewed.pilot_stores) + len(reviewed.reference_stores)
    if pool >= eligible:
        fix = (
            f"better references: the design used all {eligible} eligible stores, so matching "
            f"had no choice; pilot in a chain with more eligible stores than the {pool} it "
            "needs, or with fewer references per pilot"
        )
    elif kpi not in spec.stores.match_on:
        fix = f"better references: add {kpi.value} to stores.match_on"
    else:
        fix = (
            "better references: more references per pilot, or other pilot stores "
            "(another seed or stores.candidates)"
        )
    meaning = (
        f"before the pilot, the pilot stores' {kpi.value} ({row['pilot_mean']:,.2f} per "
        f"store-day) was {diff:+.2f} pooled sd from their references' "
        f"({row['reference_mean']:,.2f}): difference-in-differences takes out a steady gap, "
        "but stores this unlike need not move alike, so part of the lift may be theirs"
    )
    return [Finding("balance", round(diff, 4), limit, meaning, True, fix)]


WEEK = power.WEEK
"""Days of a whole week: weekends trade (and queue) unlike weekdays."""


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _calendar(spec: PilotSpec) -> list[Finding]:
    """Step 2's quick run and step 3's history should each hold a whole week."""
    found = []
    if spec.estimate.days < WEEK:
        meaning = (
            f"step 2's quick run covered {_days(spec.estimate.days)}, not a whole week: an "
            "effect that differs between weekdays and the weekend (busier days change what "
            "an intervention does, e.g. how many shoppers meet a queue) is misjudged, and with "
            "it the gain the design is sized for"
        )
        found.append(
            Finding(
                "calendar",
                float(spec.estimate.days),
                float(WEEK),
                meaning,
                fix=f"estimate.days: {WEEK}",
            )
        )
    if not power.calendar_covered(spec.periods.pre_days, spec.periods.pilot_days):
        meaning = (
            f"the pre-period has {_days(spec.periods.pre_days)}, not a whole week, and the "
            "pilot period has weekdays it lacks (a weekend, where stores trade and queue "
            "unlike on weekdays): step 3 could not measure their noise, so its MDE "
            "understates the pilot period's and its plan is not adequate"
        )
        found.append(
            Finding(
                "calendar",
                float(spec.periods.pre_days),
                float(WEEK),
                meaning,
                blocks_roll_out=True,
                fix=f"periods.pre_days: {WEEK} or more",
            )
        )
    return found


def _resolution(
    spec: PilotSpec, reviewed: Reviewed, evaluated: Evaluated, eligible: int
) -> list[Finding]:
    alpha = spec.decision.alpha
    e = evaluated.estimates[spec.decision.kpi.value]
    found = []
    did_min = e.get("min_p_value")
    if did_min is not None and did_min > alpha:
        meaning = (
            f"the randomisation test the decision rests on cannot give a p-value below "
            f"{did_min:.4f} (the real assignment of the pilot label alone among "
            f"{round(1 / did_min)}), above alpha {alpha:g}: it can never show a sure gain"
        )
        fix = (
            "more pilot or reference stores, so the pilot label can be moved to more sets "
            f"of stores (the chain has {eligible} eligible)"
        )
        found.append(Finding("placebo resolution", did_min, alpha, meaning, True, fix))
    sc_min = e["synthetic_control"].get("min_p_value")
    if sc_min is not None and sc_min > alpha:
        refs = len(reviewed.reference_stores)
        meaning = (
            f"the synthetic control's placebo test with {refs} reference stores cannot give a "
            f"p-value below {sc_min:.4f} (1 / {refs + 1}), above alpha {alpha:g}: its p-values "
            "show how the lift ranks among the placebos, never significance; the decision "
            "rests on the difference-in-differences randomisation test"
            + ("" if did_min is None else f" (smallest p {did_min:.4f})")
        )
        found.append(Finding("placebo resolution", sc_min, alpha, meaning))
    return found


def _extrapolation(projection: Sequence[dict[str, Any]]) -> list[Finding]:
    found = []
    seen: set[str] = set()
    for row in projection:
        fmt = row["format"]
        if fmt in seen or row["piloted"]:
            continue
        seen.add(fmt)
        if row["extrapolated"]:
            last = [r for r in projection if r["format"] == fmt][-1]
            meaning = (
                f"{fmt} ({_stores(row['stores'])}) was not piloted; its projection comes from "
                "the twin's quick run of one typical store (step 2), an extrapolation no pilot "
                f"has tested (cumulative net {last['cumulative_net']:+,.0f} by year "
                f"{last['year']})"
            )
            found.append(Finding("extrapolation", last["cumulative_net"], None, meaning))
        else:
            meaning = (
                f"{fmt} ({_stores(row['stores'])}) was not piloted and has no projection: the "
                "decision holds for the piloted formats only; a roll-out there needs its own "
                "pilot (or rollout.extrapolate_formats: true for the twin's estimate)"
            )
            found.append(Finding("extrapolation", float(row["stores"]), None, meaning))
    return found


def _stores(count: int) -> str:
    return f"{count} store" if count == 1 else f"{count} stores"


def _scaling(scaled: dict[str, Any] | None) -> list[Finding]:
    if scaled is None or scaled["staff_follows"]:
        return []
    found = []
    for row in scaled["formats"]:
        ratio = row["labour_hours_per_visitor"] / row["library_labour_hours_per_visitor"]
        if 1 / TOLERANCE <= ratio <= TOLERANCE:
            continue
        meaning = (
            f"the pilot's {row['format']} stores have {row['visitors']:,.0f} visitors a day "
            f"({row['traffic']:.0%} of the library's) but {ratio:.1f} times its labour hours "
            "per visitor: staff did not follow traffic, so the verdict is about stores a chain "
            "could not have; keep the library's traffic or scale staff, lanes and stations with it"
        )
        found.append(Finding("scaling", round(ratio, 3), TOLERANCE, meaning))
    return found


def _truth(ran: PilotRun) -> list[Finding]:
    found = []
    if not ran.pre_period_identical:
        meaning = (
            "the pilot stores' pre-period differs between their runs with and without the "
            "intervention, so the counterfactual does not share their random numbers: the true "
            "effect and the error beside each estimate are not exact"
        )
        found.append(Finding("common random numbers", None, None, meaning))
    for name in ran.covariates_moved:
        meaning = (
            f"the intervention changed {name} in the pilot stores (the twin's runs with and "
            "without it differ), so adjusting for it takes part of the effect out of the lift: "
            f"evaluate without evaluate.adjust_for: [{name}]"
        )
        found.append(
            Finding("covariate", None, None, meaning, True, f"drop {name} from evaluate.adjust_for")
        )
    return found
