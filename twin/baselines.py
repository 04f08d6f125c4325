"""Do the library's baselines look like real stores? Each format beside retail studies.

A what-if or a pilot is only as credible as the store it starts from: a baseline
that loses a fifth of its sales to empty shelves makes every shelf intervention
look good. This module runs each library scenario as it ships and sets its
out-of-stock loss, conversion, basket, queue wait and payment mix beside a
reference range with its source (docs/calibration.md, "Baselines").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scenarios import load
from scenarios.base import replace
from twin.result import RunResult
from twin.run import run

FORMATS = ("supermarket", "convenience", "specialty", "department")
WEEK = 7
"""Days of a baseline run: a whole week, so the busy weekend is in it."""

GMA_2002 = (
    "Gruen, Corsten & Bharadwaj (2002), *Retail Out-of-Stocks: A Worldwide Examination of "
    "Extent, Causes and Consumer Responses* (GMA/FMI/CIES, 661 stores in 29 countries): "
    "8.3% of items out of stock on average; well-run grocers lower"
)
PAYMENTS = (
    "PBoC, *China Financial Inclusion Indicators 2019*: 82.7% of adults pay electronically; "
    "Ant Financial data via Xinhua (2017): 71% of payments already on mobile devices"
)
QUEUE = (
    "Lu, Musalem, Olivares & Schilkrut (2013), *Measuring the Effect of Queues on Customer "
    "Purchases*, Management Science 59(8) (supermarket deli): purchases fall significantly "
    "only above about 5 people in line"
)
NO_STUDY = "no published figure found; a plausibility range (model choice)"


@dataclass(frozen=True)
class Reference:
    """What a real store of a format shows for one measure, and where that comes from."""

    measure: str
    key: str
    low: float
    high: float
    unit: str
    source: str


def _oos(high: float, note: str = "") -> Reference:
    return Reference(
        "sales lost to empty shelves (share of demand)",
        "oos_share",
        0.0,
        high,
        "%",
        GMA_2002 + note,
    )


def _queue(high: float) -> Reference:
    return Reference("mean queue wait", "wait_mean_s", 0.0, high, "s", QUEUE + "; " + NO_STUDY)


REFERENCES: dict[str, list[Reference]] = {
    "supermarket": [
        _oos(0.05, " (bound 5%: a well-run supermarket)"),
        Reference(
            "conversion", "conversion", 0.80, 0.97, "%", "grocery trips end at a till; " + NO_STUDY
        ),
        Reference(
            "basket (mean)",
            "basket",
            45,
            95,
            "CNY",
            "CCFA supermarket reports: community supermarkets about 50-80 CNY a ticket, "
            "hypermarkets about 100; order of magnitude, figure to confirm",
        ),
        _queue(180),
        Reference("mobile payment share", "mobile_share", 0.80, 0.95, "%", PAYMENTS),
        Reference(
            "morning peak: visitors an hour 07-10 vs 12-15",
            "morning_ratio",
            1.3,
            3.0,
            "x",
            "McKinsey (2019), *What Chinese consumers want from fresh-food retailers*: fresh "
            "food is bought several times a week, early in the day; hourly counts: " + NO_STUDY,
        ),
        Reference(
            "people ahead when a shopper balks (median)",
            "balk_queue_median",
            5,
            12,
            "people",
            QUEUE,
        ),
    ],
    "convenience": [
        _oos(0.08),
        Reference("conversion", "conversion", 0.85, 0.99, "%", NO_STUDY),
        Reference(
            "basket (mean)",
            "basket",
            15,
            35,
            "CNY",
            "CCFA *China Convenience Store Development Report*: average ticket in the 20s of CNY; "
            "figure to confirm",
        ),
        _queue(120),
        Reference("mobile payment share", "mobile_share", 0.80, 0.97, "%", PAYMENTS),
    ],
    "specialty": [
        _oos(0.08),
        Reference(
            "conversion",
            "conversion",
            0.20,
            0.50,
            "%",
            "footfall-counter vendors put specialty and apparel conversion at 20-40%; " + NO_STUDY,
        ),
        Reference("basket (mean)", "basket", 150, 400, "CNY", NO_STUDY),
        _queue(180),
        Reference("mobile payment share", "mobile_share", 0.70, 0.95, "%", PAYMENTS),
    ],
    "department": [
        _oos(0.08),
        Reference(
            "conversion",
            "conversion",
            0.20,
            0.50,
            "%",
            "footfall-counter vendors put department-store conversion at 20-40%; " + NO_STUDY,
        ),
        Reference(
            "basket (mean)",
            "basket",
            300,
            800,
            "CNY",
            "case: drivers of mall sales (car-borne visitors spend above 700 yuan a ticket); "
            "the rest: " + NO_STUDY,
        ),
        _queue(180),
        Reference("mobile payment share", "mobile_share", 0.65, 0.95, "%", PAYMENTS),
    ],
}


def oos_share(result: RunResult) -> float:
    """Units shoppers wanted but found no stock for, as a share of units wanted."""
    sku = result.frame("sku_daily")
    lost, sold = float(sku["lost_oos"].sum()), float(sku["sold"].sum())
    return lost / (lost + sold) if lost + sold else 0.0


def worst_day_oos_share(result: RunResult) -> float:
    """The largest share of a day's wanted units that found no stock."""
    by_day = result.frame("sku_daily").groupby("day")[["lost_oos", "sold"]].sum()
    wanted = (by_day["lost_oos"] + by_day["sold"]).where(lambda w: w > 0)
    return float((by_day["lost_oos"] / wanted).max()) if len(by_day) else 0.0


def figures(result: RunResult) -> dict[str, float]:
    """The baseline measures of one run, by the keys ``Reference.key`` uses."""
    k = result.kpis
    visits = result.frame("visits")
    paid = visits[visits["converted"]]
    hourly = result.frame("hourly")
    per_hour = hourly.groupby("hour")["visitors"].mean()
    midday = float(per_hour.reindex(range(12, 15), fill_value=0).mean())
    morning = float(per_hour.reindex(range(7, 10), fill_value=0).mean())
    balked = visits[visits["gave_up"] == "balked"]["queue_seen"]
    return {
        "oos_share": oos_share(result),
        "oos_worst_day": worst_day_oos_share(result),
        "conversion": float(k["conversion"]),
        "basket": float(k["avg_basket"]),
        "basket_median": float(paid["total_cents"].median() / 100) if len(paid) else 0.0,
        "wait_mean_s": float(k["queue_wait_mean_s"]),
        "wait_p95_s": float(k["queue_wait_p95_s"]),
        "mobile_share": float((paid["payment"] == "mobile").mean()) if len(paid) else 0.0,
        "card_share": float((paid["payment"] == "card").mean()) if len(paid) else 0.0,
        "cash_share": float((paid["payment"] == "cash").mean()) if len(paid) else 0.0,
        "morning_ratio": morning / midday if midday else float("inf"),
        "balk_queue_median": float(np.median(balked)) if len(balked) else float("nan"),
    }


def run_format(
    name: str, seed: int = 1, days: int = WEEK, start: dt.date | None = None
) -> RunResult:
    """One library scenario as it ships, for ``days`` days (from ``start`` if given)."""
    sc = load(name)
    if start is not None:
        sc = replace(sc, "start_date", start)
    return run(sc, seed=seed, days=days)


@dataclass(frozen=True)
class BaselineRow:
    """One measure of one format beside its reference."""

    format: str
    reference: Reference
    value: float

    @property
    def within(self) -> bool:
        """Whether the twin's figure lies in the reference range."""
        return self.reference.low <= self.value <= self.reference.high

    def shown(self, value: float | None = None) -> str:
        """A figure in this row's unit."""
        v = self.value if value is None else value
        unit = self.reference.unit
        if unit == "%":
            return f"{v * 100:.1f}%"
        if unit == "x":
            return f"{v:.2f}x"
        return f"{v:.0f} {unit}" if unit != "people" else f"{v:.0f}"


def baseline_table(
    seed: int = 1, days: int = WEEK, progress: Callable[[float], None] | None = None
) -> tuple[list[BaselineRow], dict[str, dict[str, float]]]:
    """Every format's figures beside its references, and all figures per format."""
    rows: list[BaselineRow] = []
    found: dict[str, dict[str, float]] = {}
    for i, name in enumerate(FORMATS):
        found[name] = figures(run_format(name, seed, days))
        rows += [BaselineRow(name, ref, found[name][ref.key]) for ref in REFERENCES[name]]
        if progress:
            progress((i + 1) / len(FORMATS))
    return rows, found


def baseline_markdown(
    rows: list[BaselineRow], found: dict[str, dict[str, float]], seed: int, days: int
) -> str:
    """The baselines table as Markdown, with the command that made it."""
    lines = [
        f"Each library scenario as it ships, seed {seed}, {days} days from its start date "
        "(a Monday, so the weekend is in; multi-day runs keep their stock).\n",
        "| format | measure | twin | reference | source | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ref = r.reference
        span = (
            f"{r.shown(ref.low)} - {r.shown(ref.high)}"
            if ref.low
            else f"at most {r.shown(ref.high)}"
        )
        extra = ""
        if ref.key == "oos_share":
            extra = f" (worst day {found[r.format]['oos_worst_day'] * 100:.1f}%)"
        if ref.key == "basket":
            extra = f" (median {found[r.format]['basket_median']:.0f})"
        if ref.key == "wait_mean_s":
            extra = f" (p95 {found[r.format]['wait_p95_s']:.0f} s)"
        if ref.key == "mobile_share":
            f = found[r.format]
            extra = f" (card {f['card_share'] * 100:.0f}%, cash {f['cash_share'] * 100:.0f}%)"
        verdict = "within" if r.within else "**outside**"
        cells = (r.format, ref.measure, r.shown() + extra, span, ref.source, verdict)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
