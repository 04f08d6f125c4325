"""Money: ROI, payback and NPV of a measured gain, the drivers behind it, the roll-out plan.

Gains arrive per store-day (what the estimators measure); costs per store as a
one-off investment and a monthly running cost (the intervention's cost model).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DAYS_PER_MONTH = 365 / 12


def appraise(
    gain_per_day: float, one_off: float, monthly: float, rate: float, months: int
) -> dict[str, float | None]:
    """Monthly gain, ROI over ``months``, payback in months and NPV at annual ``rate``.

    ``payback_months`` is None when the running cost eats the gain (it never pays
    back); ``roi`` is (gains - costs) / costs over the horizon, undiscounted.
    """
    gain = gain_per_day * DAYS_PER_MONTH
    net = gain - monthly
    payback = one_off / net if net > 0 else None
    spent = one_off + monthly * months
    npv = -one_off + sum(net / (1 + rate) ** (m / 12) for m in range(1, months + 1))
    return {
        "gain_monthly": round(gain, 2),
        "net_monthly": round(net, 2),
        "roi": round((gain * months - spent) / spent, 4) if spent > 0 else None,
        "payback_months": round(payback, 2) if payback is not None else None,
        "npv": round(npv, 2),
    }


def roi_text(roi: float | None) -> str:
    """ROI as HQ reads it wherever it is shown (terminal, report.html, dashboard): two decimals.

    ``roi`` is a ratio of money to money, kept to 4 decimals in report.json;
    two are all a roll-out decision can use, and one rounding everywhere keeps
    the terminal and the dashboard from showing two figures for one ROI.
    """
    return "-" if roi is None else f"{roi:,.2f}"


def drivers(effects: Mapping[str, float], monthly: float) -> list[dict[str, Any]]:
    """Where the monthly net gain per store comes from: margin, labour, shrink, running cost.

    ``effects`` are per store-day changes of gross_margin, labour_cost and
    shrink_value; a fall in a cost is a positive driver.
    """
    parts = [
        ("gross margin", effects["gross_margin"]),
        ("labour saved", -effects["labour_cost"]),
        ("shrink", -effects["shrink_value"]),
    ]
    rows = [{"driver": name, "monthly": round(v * DAYS_PER_MONTH, 2)} for name, v in parts]
    rows.append({"driver": "running cost", "monthly": round(-monthly, 2)})
    rows.append({"driver": "net", "monthly": round(sum(r["monthly"] for r in rows), 2)})
    return rows


def projection(formats: list[dict[str, Any]], rate: float, years: int = 3) -> list[dict[str, Any]]:
    """Value and cost of rolling out to every store, per format and year.

    Each item of ``formats`` has ``format``, ``stores``, ``gain_per_store_day``,
    ``one_off`` and ``monthly`` (totals over that format's stores) and ``source``
    (where the gain comes from: the pilot, or the twin's estimate for formats the
    pilot did not cover).
    """
    rows = []
    for f in formats:
        cumulative = 0.0
        for year in range(1, years + 1):
            value = f["gain_per_store_day"] * 365 * f["stores"]
            running = f["monthly"] * 12
            invest = f["one_off"] if year == 1 else 0.0
            net = value - running - invest
            cumulative += net
            rows.append(
                {
                    "format": f["format"],
                    "source": f["source"],
                    "stores": f["stores"],
                    "year": year,
                    "value": round(value, 2),
                    "running_cost": round(running, 2),
                    "investment": round(invest, 2),
                    "net": round(net, 2),
                    "cumulative_net": round(cumulative, 2),
                    "discounted_net": round(net / (1 + rate) ** year, 2),
                }
            )
    return rows
