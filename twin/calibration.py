"""The sanity table: what the twin gives for each intervention beside the case figure.

Each row runs the library supermarket with and without one intervention, with
common random numbers, and measures the quantity the case reports. Fitted rows
(a default was set so they match) are kept apart from held-out rows, which test
the twin: each held-out row has a tolerance, and a miss carries its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scenarios import load
from scenarios.overrides import apply
from scenarios.schema import Scenario
from services.schemas import PaymentMethod
from twin.checkout import ServiceTime
from twin.result import RunResult
from twin.run import run

START = "<!-- sanity:start -->"
END = "<!-- sanity:end -->"
BASELINES_START = "<!-- baselines:start -->"
BASELINES_END = "<!-- baselines:end -->"

MISSES: dict[tuple[str, str], str] = {
    ("self_checkout", "checkout efficiency +30%"): (
        "not the same measure: the case times an AI terminal that recognises a tray of dishes "
        "at once against a canteen till; the twin's self-checkout is slower per item than a "
        "cashier (4.5 s vs 3 s) and its gain comes from taking one cashier off each shift, so "
        "the twin counts transactions per cashier hour, which rises more"
    ),
    ("smart_cart", "34% of transactions"): (
        "every cart user in the twin pays on the cart; in the case 48.6% of visitors used a "
        "cart but only 34% of transactions were paid on one, so about a third of cart users "
        "still paid at a till, for reasons the case does not give. The twin overstates the "
        "lanes a cart fleet frees"
    ),
    ("shift_optimizer", "staff/security cost -20%"): (
        "not the same intervention: the case's virtual store manager (cameras watching staff, "
        "hygiene and visitor flow) cut staff and security cost across roles; the twin's "
        "optimiser re-plans only the cashiers (about half the library supermarket's paid "
        "hours, the store has no security staff), in 3-hour blocks at 85% target utilisation, "
        "from a roster that already follows the morning and evening peaks, so it saves a "
        "fraction of cashier cost and a few percent of all labour"
    ),
    ("placement", "back end-caps passed by 88% of shoppers"): (
        "the twin's shoppers walk only to the items on their list, cross between aisles at "
        "the nearer cross aisle and reach the tills along the front one; real shoppers also "
        "walk the perimeter and the back of the store, which the twin does not model, so its "
        "back end-caps see about a fifth of their shoppers and the twin undervalues them"
    ),
    ("placement", "rear endcaps lift brand sales more (+416% vs +346%)"): (
        "follows from the back end-caps' traffic above; the study's reason, rear end-caps "
        "acting as billboards that draw shoppers into the aisle, is not modelled either"
    ),
}
"""Held-out rows that miss their case figure, and why (shown in docs/calibration.md)."""


@dataclass(frozen=True)
class Row:
    """One line of the sanity table: the twin's figure beside the case figure.

    ``fitted`` rows had a parameter set so that they match (they test nothing but
    that the fit still holds); held-out rows test the twin. ``target`` and
    ``tolerance`` are in the row's own unit (percent for changes and shares);
    with no numeric case figure, ``target`` is None and ``direction`` is the sign
    the case implies.
    """

    intervention: str
    case: str
    case_figure: str
    measure: str
    value: float
    target: float | None
    tolerance: float
    fitted: bool
    direction: int = 0
    shown: str = ""

    @property
    def twin(self) -> str:
        """The twin's figure as the table shows it."""
        return self.shown or f"{self.value:+.1f}%"

    @property
    def holds(self) -> bool:
        """Whether the twin's figure is within tolerance of the case (or has its sign)."""
        if self.target is None:
            return self.value * self.direction > 0
        return abs(self.value - self.target) <= self.tolerance

    @property
    def miss_reason(self) -> str:
        """Why this row misses, if that is documented ("" otherwise)."""
        return MISSES.get((self.intervention, self.case_figure), "")

    @property
    def expected(self) -> str:
        """What counts as a match."""
        if self.target is None:
            return "falls" if self.direction < 0 else "rises"
        if self.measure.startswith("share"):
            return f"{self.target:g}% ± {self.tolerance:g} pp"
        return f"{self.target:+g}% ± {self.tolerance:g} points"

    @property
    def verdict(self) -> str:
        """fitted, holds, documented miss or miss."""
        if self.fitted:
            return "fitted, holds" if self.holds else "**fitted, no longer holds**"
        if self.holds:
            return "holds"
        return "**misses** (see below)" if self.miss_reason else "**misses, not explained**"


def _change(new: float, old: float) -> float:
    return (new / old - 1) * 100 if old else float("nan")


def _pct(new: float, old: float) -> str:
    return f"{_change(new, old):+.1f}%" if old else "n/a"


def _units(result: RunResult, column: str, skus: set[str] | None = None) -> tuple[int, set[str]]:
    d = result.frame("sku_daily")
    chosen = d[d[column]] if skus is None else d[d["sku"].isin(skus)]
    return int(chosen["sold"].sum()), set(chosen["sku"])


def sanity_table(
    seed: int = 1,
    days: int = 3,
    visitors: float = 3000,
    progress: Callable[[float], None] | None = None,
) -> list[Row]:
    """Run the library supermarket once per intervention (plus the base) and compare."""
    base_sc = apply(load("supermarket"), {"arrivals.daily_visitors": visitors})
    arms: dict[str, Scenario] = {"base": base_sc}
    for names in (
        ["self_checkout"],
        ["self_checkout", "ai_loss_prevention"],
        ["smart_cart"],
        ["voice_promoter"],
        ["digital_signage"],
        ["shift_optimizer"],
        ["ai_scale"],
        ["esl"],
        ["smart_shelf"],
        ["shelf_camera"],
    ):
        arms["+".join(names)] = apply(base_sc, {"interventions": names})
    from twin import calibration_placement as placement  # it imports Row from here

    arms.update(placement.arms(base_sc))
    results: dict[str, RunResult] = {}
    for i, (name, sc) in enumerate(arms.items()):
        results[name] = run(sc, seed=seed, days=days)
        if progress:
            progress((i + 1) / len(arms))
    base = results["base"]
    k = {name: r.kpis for name, r in results.items()}
    rows = [_mobile_payment(base_sc)]

    sco = k["self_checkout"]
    per_cashier = sco["transactions"] / _cashier_hours(results["self_checkout"])
    base_per_cashier = k["base"]["transactions"] / _cashier_hours(base)
    lp = k["self_checkout+ai_loss_prevention"]
    rows += [
        Row(
            "self_checkout",
            "AI self-checkout terminal (food)",
            "checkout efficiency +30%",
            "transactions per cashier hour",
            _change(per_cashier, base_per_cashier),
            30.0,
            10.0,
            False,
        ),
        Row(
            "ai_loss_prevention",
            "self-checkout AI loss prevention",
            "theft loss -80%",
            "shrink value vs self-checkout alone",
            _change(lp["shrink_value"], sco["shrink_value"]),
            -80.0,
            10.0,
            True,
        ),
    ]
    carts = results["smart_cart"].frame("visits")
    riders = carts[carts["smart_cart"] & carts["converted"]]["visit_id"]
    same = base.frame("visits").set_index("visit_id").loc[riders]
    paid_both = same["converted"].to_numpy()
    same = same[paid_both]
    with_cart = carts.set_index("visit_id").loc[riders][paid_both]
    cart_users = float(carts["smart_cart"].mean() * 100)
    cart_tx = float(k["smart_cart"]["smart_cart_share"] * 100)
    rows += [
        Row(
            "smart_cart",
            "smart shopping cart",
            "48.6% of visitors use it",
            "share of visitors with a smart cart",
            cart_users,
            48.6,
            5.0,
            True,
            shown=f"{cart_users:.1f}%",
        ),
        Row(
            "smart_cart",
            "smart shopping cart",
            "34% of transactions",
            "share of transactions paid on a cart",
            cart_tx,
            34.0,
            5.0,
            False,
            shown=f"{cart_tx:.1f}%",
        ),
        Row(
            "smart_cart",
            "smart shopping cart",
            "basket +4% vs self-checkout users",
            "basket of cart users vs the same shoppers without carts (paid in both)",
            _change(with_cart["total_cents"].mean(), same["total_cents"].mean()),
            4.0,
            3.0,
            True,
        ),
    ]
    voice_units, voice_skus = _units(results["voice_promoter"], "voice_promoter")
    screen_units, screen_skus = _units(results["digital_signage"], "signage")
    rows += [
        Row(
            "voice_promoter",
            "voice promotion robot",
            "promoted item sales +94.38%",
            "units of the robots' items",
            _change(voice_units, _units(base, "", voice_skus)[0]),
            94.38,
            30.0,  # two robot items: one seed moves the figure by about 30 points
            True,
        ),
        Row(
            "digital_signage",
            "targeted in-store ads",
            "+20% vs the channel",
            "units of the items on screen",
            _change(screen_units, _units(base, "", screen_skus)[0]),
            20.0,
            10.0,
            True,
        ),
        Row(
            "shift_optimizer",
            "virtual store manager",
            "staff/security cost -20%",
            "labour cost",
            _change(k["shift_optimizer"]["labour_cost"], k["base"]["labour_cost"]),
            -20.0,
            10.0,
            False,
        ),
        Row(
            "ai_scale",
            "AI scale",
            "99%+ recognition, no separate weighing step",
            "mean queue wait",
            _change(k["ai_scale"]["queue_wait_mean_s"], k["base"]["queue_wait_mean_s"]),
            None,
            0.0,
            False,
            direction=-1,
        ),
        Row(
            "esl",
            "smart shelf management (ESL)",
            "labels follow prices",
            "items charged above the label",
            _change(k["esl"]["price_mismatches"], k["base"]["price_mismatches"]),
            -100.0,
            5.0,
            False,
        ),
        _esl_labour(base, results["esl"]),
        Row(
            "smart_shelf",
            "smart shelf management",
            "out-of-stock detection",
            "units lost to empty shelves",
            _change(k["smart_shelf"]["lost_sales_oos"], k["base"]["lost_sales_oos"]),
            None,
            0.0,
            False,
            direction=-1,
        ),
        Row(
            "shelf_camera",
            "smart shelf management (cameras)",
            "tags checked by camera",
            "items charged above the label",
            _change(k["shelf_camera"]["price_mismatches"], k["base"]["price_mismatches"]),
            None,
            0.0,
            False,
            direction=-1,
        ),
        Row(
            "shelf_camera",
            "smart shelf management (cameras)",
            "shelf-facing recognition 95%+, out-of-stock detection",
            "units lost to empty shelves",
            _change(k["shelf_camera"]["lost_sales_oos"], k["base"]["lost_sales_oos"]),
            None,
            0.0,
            False,
            direction=-1,
        ),
    ]
    rows += placement.rows(base, results["placement_front"], results["placement_back"])
    return rows


def _cashier_hours(result: RunResult) -> float:
    return float(result.frame("daily")["cashier_hours"].sum())


def _esl_labour(base: RunResult, esl: RunResult) -> Row:
    """Paid hours of paper label changes, without and with ESL."""
    before = float(base.frame("daily")["label_hours"].sum())
    after = float(esl.frame("daily")["label_hours"].sum())
    total = float(base.kpis["labour_hours"])
    return Row(
        "esl",
        "menu costs (Levy et al. 1997)",
        "shelf-tag changes are most of a price change's cost",
        "paid hours changing paper labels",
        _change(after, before),
        -100.0,
        5.0,
        False,
        shown=f"{_pct(after, before)} ({before:.1f} h -> {after:.1f} h of {total:.0f} h paid)",
    )


def _mobile_payment(sc: Scenario) -> Row:
    model = ServiceTime.staffed(sc.checkout)
    rng = np.random.default_rng(0)
    mobile = np.mean([model.payment(rng, PaymentMethod.mobile) for _ in range(5000)])
    card = np.mean([model.payment(rng, PaymentMethod.card) for _ in range(5000)])
    return Row(
        "(payment model)",
        "mobile payment",
        "about 6 s, 2/3 less than a card",
        "mean payment seconds, mobile vs card",
        _change(mobile, card),
        -66.7,
        5.0,
        True,
        shown=f"{mobile:.1f} s vs {card:.1f} s ({_pct(mobile, card)})",
    )


def markdown(rows: list[Row], seed: int, days: int, visitors: float) -> str:
    """The fitted and the held-out rows as two Markdown tables, misses explained."""
    header = (
        f"Made by `storetwin calibrate --seed {seed} --days {days} --visitors {visitors:g}` "
        "(library supermarket, each arm with common random numbers).\n"
    )
    cols = "| intervention | case | case figure | twin measures | twin gives | match | verdict |"
    rule = "|---|---|---|---|---|---|---|"

    def table(chosen: list[Row]) -> str:
        lines = [cols, rule]
        for r in chosen:
            cells = (
                r.intervention,
                r.case,
                r.case_figure,
                r.measure,
                r.twin,
                r.expected,
                r.verdict,
            )
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    fitted = [r for r in rows if r.fitted]
    held = [r for r in rows if not r.fitted]
    misses = [r for r in held if not r.holds]
    text = (
        f"{header}\n### Fitted: a parameter was set so these match\n\n{table(fitted)}\n\n"
        "### Held out: the twin's own mechanics give these\n\n"
        f"{table(held)}\n"
    )
    if misses:
        text += "\nWhy the held-out misses miss:\n\n"
        for r in misses:
            reason = r.miss_reason or "not explained yet"
            text += f"- **{r.intervention}, {r.case_figure}** (twin {r.twin}): {reason}.\n"
    return text


def write_into(path: Path, text: str, start: str = START, end: str = END) -> None:
    """Replace the part of ``path`` between the ``start`` and ``end`` markers with ``text``."""
    doc = path.read_text(encoding="utf-8")
    if start not in doc or end not in doc:
        raise ValueError(f"{path} has no {start} ... {end} section to replace")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text}{end}{tail}", encoding="utf-8")
