"""promotions.json: each promotion's review KPIs beside its true effect from the counterfactual.

The marketing center's review estimates a promotion's incremental sales from
the orders it touched against the others (see ``services.domain.campaigns``);
the twin knows better. A what-if arm with a ``marketing:`` block and an arm
without it ran the same shoppers (same seed, common random numbers), so their
difference in sales and gross margin is the block's true effect, stockpiling
and the dip after it included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from scenarios.schema import Scenario

REPORT = "promotions.json"


def write_reports(arms: Mapping[str, Scenario], out: Path) -> list[Path]:
    """For each one-store arm with a ``marketing:`` block, its report against an arm without one.

    The base is the counterfactual where it has no block; else the first arm
    without one. Arms of chains are left out (their stores' folders differ).
    """
    plain = [n for n, sc in arms.items() if sc.marketing is None and sc.chain is None]
    if not plain:
        return []
    counterfactual = "base" if "base" in plain else plain[0]
    written = []
    for name, sc in arms.items():
        if sc.marketing is None or sc.chain is not None:
            continue
        report = report_of(out / name, out / counterfactual, counterfactual)
        path = out / name / REPORT
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def report_of(treated: Path, counterfactual: Path, label: str) -> dict[str, Any]:
    """The report of the run in ``treated`` against the same shoppers' run in ``counterfactual``."""
    kpis = json.loads((treated / "summary.json").read_text())["kpis"]
    base = json.loads((counterfactual / "summary.json").read_text())["kpis"]
    rows = pq.read_table(treated / "promotions.parquet").to_pylist()
    true_sales = round(kpis["sales"] - base["sales"], 2)
    true_margin = round(kpis["gross_margin"] - base["gross_margin"], 2)
    discount = round(kpis["discount"] - base["discount"], 2)
    one = len(rows) == 1
    for row in rows:
        row["true_incremental_sales"] = true_sales if one else None
        row["true_incremental_margin"] = true_margin if one else None
        row["review_error"] = (
            round(row["review_incremental_sales"] - true_sales, 2) if one else None
        )
    return {
        "counterfactual": label,
        "true_effect": {
            "incremental_sales": true_sales,
            "incremental_margin": true_margin,
            "incremental_transactions": kpis["transactions"] - base["transactions"],
            "incremental_discount": discount,
            "by_day": _by_day(treated, counterfactual),
        },
        "note": (
            "true_effect: this run minus the same shoppers without the marketing block "
            "(same seed), over every day of the run; per promotion only when the block "
            "has one promotion (else run each as its own variant). review_*: the marketing "
            "center's own estimate over the promotion's window."
        ),
        "promotions": rows,
    }


def _by_day(treated: Path, counterfactual: Path) -> list[dict[str, Any]]:
    a = pq.read_table(treated / "daily.parquet").to_pandas().set_index("day")
    b = pq.read_table(counterfactual / "daily.parquet").to_pandas().set_index("day")
    return [
        {
            "day": int(day),
            "sales": round(float(a.at[day, "sales"] - b.at[day, "sales"]), 2),
            "gross_margin": round(float(a.at[day, "gross_margin"] - b.at[day, "gross_margin"]), 2),
        }
        for day in a.index
        if day in b.index
    ]


COLUMNS = (
    ("promotion", "promotion"),
    ("exposure (visits that saw it)", "exposure"),
    ("conversion (bought / saw)", "conversion"),
    ("penetration (of transactions)", "penetration"),
    ("repeat-purchase rate", "repeat_purchase_rate"),
    ("review: incremental sales", "review_incremental_sales"),
    ("review: ROI", "review_roi"),
    ("true incremental sales", "true_incremental_sales"),
    ("true incremental margin", "true_incremental_margin"),
)
"""Rows of the short table the CLI prints (label, key), one column per promotion."""


def table_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """The report's promotions as text cells, in ``COLUMNS`` order."""
    shares = {"conversion", "penetration", "repeat_purchase_rate"}
    out = []
    for row in report["promotions"]:
        cells = []
        for _, key in COLUMNS:
            v = row.get(key)
            if v is None:
                cells.append("joint" if key.startswith("true_") else "-")
            elif key in shares:
                cells.append(f"{v:.1%}")
            elif key == "review_roi":
                cells.append(f"{v:+.2f}")
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f"{v:+,.0f}" if "incremental" in key else f"{v:,.0f}")
            else:
                cells.append(str(v))
        out.append(cells)
    return out
