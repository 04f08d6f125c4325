"""The decision rule: roll out, stop, or run the next round, and what to change for it.

Roll out when the gain on the decision KPI is sure (the CI's bad end is past
the required gain) and the measured gain pays the investment back in time.
Stop when the data rule that out: the whole CI short of the required gain, or a
payback too slow even at the CI's good end. Anything else is not yet known:
the next round says how much larger it must be.

A sure-looking gain is not enough when the pilot's own checks undermine it
(``scenarios.pilot.checks``): a pilot under-powered or unbalanced on its
decision KPI, or judged by a test that cannot reach alpha, gets a next round
with the change that fixes it, unless the pilot file sets
``decision.allow_underpowered``; the warnings stay either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scenarios.pilot.artefacts import Evaluated, Reviewed
from scenarios.pilot.checks import Finding
from scenarios.pilot.kpis import better
from scenarios.pilot.schema import PilotSpec

SIZING = ("power", "noise")
"""Checks whose fix sizes a larger pilot on step 3's plan or on the noise the pilot showed."""
NARROWER = "if the measured gain holds"
"""How ``_narrower``'s sizing begins: dropped when a check already sized the next pilot."""


def apply_rule(
    spec: PilotSpec,
    reviewed: Reviewed,
    evaluated: Evaluated,
    eligible: int,
    findings: Sequence[Finding] = (),
) -> tuple[str, list[str], list[str]]:
    """``(decision, reasons, next-round changes)`` under the pilot's rule and its checks."""
    decision, reasons, changes = measured(spec, reviewed, evaluated, eligible)
    held = [f for f in findings if f.blocks_roll_out]
    if not held or decision == "stop":
        return decision, reasons, changes
    kinds = list(dict.fromkeys(f.check for f in held))
    names = " and ".join(kinds) + (" checks" if len(kinds) > 1 else " check")
    kpi = spec.decision.kpi.value
    fixes = [f.fix for f in held if f.fix]
    if decision != "roll_out":  # what the failed checks need comes first
        if any(f.check in SIZING for f in held if f.fix):  # one larger pilot, not two
            changes = [c for c in changes if not c.startswith(NARROWER)]
        return decision, reasons, list(dict.fromkeys([*fixes, *changes]))
    if spec.decision.allow_underpowered:
        reasons.append(
            f"rolled out despite the failed {names} on {kpi}: the pilot file sets "
            "decision.allow_underpowered"
        )
        return decision, reasons, changes
    reasons.append(
        f"not rolled out: the {names} on {kpi} failed (see the warnings), so the lift "
        "cannot be taken at face value"
    )
    return "next_round", reasons, list(dict.fromkeys(fixes))


def measured(
    spec: PilotSpec, reviewed: Reviewed, evaluated: Evaluated, eligible: int
) -> tuple[str, list[str], list[str]]:
    """``(decision, reasons, next-round changes)`` from the lift and the money alone."""
    rule = spec.decision
    kpi = rule.kpi
    e = evaluated.estimates[kpi.value]
    sign = better(kpi)
    gain = sign * e["estimate"]
    ends = [sign * x for x in (e["ci_low"], e["ci_high"]) if x is not None]
    payback = evaluated.finance["measured"]["payback_months"]
    best_money = evaluated.finance.get("ci_high", {})
    best_payback = best_money.get("payback_months") if best_money else None
    level = f"{int(100 * (1 - rule.alpha))}%"
    shown = f"{kpi.value} gain {gain:+,.2f}/store-day"
    if len(ends) < 2:
        return (
            "next_round",
            [f"{shown}, but too few stores for a {level} CI"],
            [_more_stores(spec, reviewed, eligible)],
        )
    low, high = min(ends), max(ends)
    ci = f"{level} CI [{low:+,.2f}, {high:+,.2f}]"
    pay = "never" if payback is None else f"{payback:.1f} months"
    need = f"{rule.min_gain:+,.2f}"
    if low > rule.min_gain and payback is not None and payback <= rule.max_payback_months:
        return (
            "roll_out",
            [
                f"{shown}, {ci}: the whole CI is above the required {need}",
                f"payback {pay} is within {rule.max_payback_months:g} months",
            ],
            [],
        )
    if high <= rule.min_gain:
        return "stop", [f"{shown}, {ci}: the whole CI is at or below the required {need}"], []
    if best_payback is None or best_payback > rule.max_payback_months:
        best = "never" if best_payback is None else f"{best_payback:.1f} months"
        return (
            "stop",
            [
                f"{shown}, {ci}",
                f"payback {pay}; even at the CI's best it is {best}, beyond "
                f"{rule.max_payback_months:g} months",
            ],
            [],
        )
    reasons = [f"{shown}, {ci}", f"payback {pay} (rule: within {rule.max_payback_months:g} months)"]
    if low <= rule.min_gain:
        return "next_round", reasons, [_narrower(spec, reviewed, eligible, gain, low, high)]
    return (
        "next_round",
        reasons,
        [
            f"the gain is sure but pays back in {pay}: lower the investment "
            f"({evaluated.costs['one_off_per_store']:,.0f} per store) or the running cost, "
            "or raise the gain (e.g. the intervention's parameters), and pilot again"
        ],
    )


def _narrower(
    spec: PilotSpec, reviewed: Reviewed, eligible: int, gain: float, low: float, high: float
) -> str:
    """How much larger the pilot must be for the CI to clear the required gain (if it holds)."""
    margin = gain - spec.decision.min_gain
    mde = reviewed.mde[spec.decision.kpi.value]["mde"]
    if margin <= 0:
        return (
            "the measured gain is below the required one; a larger pilot would only help if "
            f"the true gain is at least the design's MDE ({mde:,.2f}); "
            "consider changing the intervention's parameters first"
        )
    factor = ((high - low) / 2 / margin) ** 2
    stores = math.ceil(len(reviewed.pilot_stores) * factor)
    days = math.ceil(spec.periods.pilot_days * factor)
    per = spec.stores.references_per_pilot
    options = []
    if stores * (1 + per) <= eligible:
        options.append(f"{stores} pilot stores with {per} references each")
    options.append(f"a {days}-day pilot period (and as long a pre-period)")
    return f"{NARROWER}, the CI clears it with " + " or ".join(options)


def _more_stores(spec: PilotSpec, reviewed: Reviewed, eligible: int) -> str:
    pool = len(reviewed.pilot_stores) + len(reviewed.reference_stores)
    return (
        f"{pool} stores give too few ways to relabel pilot stores for a CI; use more "
        f"pilot or reference stores (the chain has {eligible} eligible)"
    )
