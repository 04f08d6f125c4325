"""The sanity table: what the twin gives for each intervention beside the case figure.

Each row runs the library supermarket with and without one intervention, with
common random numbers, and measures the quantity the case reports. Rows whose
default parameter was tuned to the case say so; the others are checks.
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


@dataclass(frozen=True)
class Row:
    """One line of the sanity table."""

    intervention: str
    case: str
    case_figure: str
    measure: str
    twin: str
    tuned: bool


def _pct(new: float, old: float) -> str:
    return f"{(new / old - 1) * 100:+.1f}%" if old else "n/a"


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
    rows.append(
        Row(
            "self_checkout",
            "AI self-checkout terminal (food)",
            "checkout efficiency +30%",
            "transactions per cashier hour",
            _pct(per_cashier, k["base"]["transactions"] / _cashier_hours(base)),
            False,
        )
    )
    lp = k["self_checkout+ai_loss_prevention"]
    rows.append(
        Row(
            "ai_loss_prevention",
            "self-checkout AI loss prevention",
            "theft loss -80%",
            "shrink value vs self-checkout alone",
            _pct(lp["shrink_value"], sco["shrink_value"]),
            True,
        )
    )
    carts = results["smart_cart"].frame("visits")
    riders = carts[carts["smart_cart"] & carts["converted"]]["visit_id"]
    same = base.frame("visits").set_index("visit_id").loc[riders]
    paid_both = same["converted"].to_numpy()
    same = same[paid_both]
    with_cart = carts.set_index("visit_id").loc[riders][paid_both]
    rows += [
        Row(
            "smart_cart",
            "smart shopping cart",
            "48.6% of visitors use it",
            "share of visitors with a smart cart",
            f"{carts['smart_cart'].mean() * 100:.1f}%",
            True,
        ),
        Row(
            "smart_cart",
            "smart shopping cart",
            "34% of transactions",
            "share of transactions paid on a cart",
            f"{k['smart_cart']['smart_cart_share'] * 100:.1f}%",
            False,
        ),
        Row(
            "smart_cart",
            "smart shopping cart",
            "basket +4% vs self-checkout users",
            "basket of cart users vs the same shoppers without carts (paid in both)",
            _pct(with_cart["total_cents"].mean(), same["total_cents"].mean()),
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
            _pct(voice_units, _units(base, "", voice_skus)[0]),
            True,
        ),
        Row(
            "digital_signage",
            "targeted in-store ads",
            "+20% vs the channel",
            "units of the items on screen",
            _pct(screen_units, _units(base, "", screen_skus)[0]),
            True,
        ),
        Row(
            "shift_optimizer",
            "virtual store manager",
            "staff/security cost -20%",
            "labour cost",
            _pct(k["shift_optimizer"]["labour_cost"], k["base"]["labour_cost"]),
            False,
        ),
        Row(
            "ai_scale",
            "AI scale",
            "99%+ recognition, no separate weighing step",
            "mean queue wait",
            _pct(k["ai_scale"]["queue_wait_mean_s"], k["base"]["queue_wait_mean_s"]),
            False,
        ),
        Row(
            "esl",
            "smart shelf management (ESL)",
            "labels follow prices",
            "items charged above the label",
            _pct(k["esl"]["price_mismatches"], k["base"]["price_mismatches"]),
            False,
        ),
        Row(
            "smart_shelf",
            "smart shelf management",
            "out-of-stock detection",
            "units lost to empty shelves",
            _pct(k["smart_shelf"]["lost_sales_oos"], k["base"]["lost_sales_oos"]),
            False,
        ),
        Row(
            "shelf_camera",
            "smart shelf management (cameras)",
            "tags checked by camera",
            "items charged above the label",
            _pct(k["shelf_camera"]["price_mismatches"], k["base"]["price_mismatches"]),
            False,
        ),
        Row(
            "shelf_camera",
            "smart shelf management (cameras)",
            "shelf-facing recognition 95%+, out-of-stock detection",
            "units lost to empty shelves",
            _pct(k["shelf_camera"]["lost_sales_oos"], k["base"]["lost_sales_oos"]),
            False,
        ),
    ]
    return rows


def _cashier_hours(result: RunResult) -> float:
    return float(result.frame("daily")["cashier_hours"].sum())


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
        f"{mobile:.1f} s vs {card:.1f} s ({_pct(mobile, card)})",
        True,
    )


def markdown(rows: list[Row], seed: int, days: int, visitors: float) -> str:
    """The table as Markdown, with the command that made it."""
    header = (
        f"Made by `storetwin calibrate --seed {seed} --days {days} --visitors {visitors:g}` "
        "(library supermarket, each arm with common random numbers).\n\n"
    )
    lines = [
        "| intervention | case | case figure | twin measures | twin gives | default |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        tuned = "tuned to the case" if r.tuned else "check"
        cells = (r.intervention, r.case, r.case_figure, r.measure, r.twin, tuned)
        lines.append("| " + " | ".join(cells) + " |")
    return header + "\n".join(lines) + "\n"


def write_into(path: Path, text: str) -> None:
    """Replace the part of ``path`` between the sanity markers with ``text``."""
    doc = path.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise ValueError(f"{path} has no {START} ... {END} section to replace")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
