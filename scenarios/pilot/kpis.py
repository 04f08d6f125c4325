"""The store-day KPIs a pilot can judge, and which way is better for each.

A pilot reads the twin's daily table (one row per store and day), so only its
columns can count; the direction turns "lift" into "gain" for the decision rule.
"""

from __future__ import annotations

from enum import StrEnum

from twin.result import KPI_DOC


class Kpi(StrEnum):
    """A column of the twin's daily table that a pilot may measure."""

    contribution = "contribution"
    gross_margin = "gross_margin"
    sales = "sales"
    transactions = "transactions"
    conversion = "conversion"
    visitors = "visitors"
    items = "items"
    labour_cost = "labour_cost"
    labour_hours = "labour_hours"
    cashier_hours = "cashier_hours"
    shrink_value = "shrink_value"
    shrink_units = "shrink_units"
    lost_sales_oos = "lost_sales_oos"
    queue_wait_p95_s = "queue_wait_p95_s"
    balked = "balked"
    reneged = "reneged"
    satisfaction = "satisfaction"
    price_mismatches = "price_mismatches"
    energy_kwh = "energy_kwh"


LOWER_IS_BETTER = frozenset(
    {
        Kpi.labour_cost,
        Kpi.labour_hours,
        Kpi.cashier_hours,
        Kpi.shrink_value,
        Kpi.shrink_units,
        Kpi.lost_sales_oos,
        Kpi.queue_wait_p95_s,
        Kpi.balked,
        Kpi.reneged,
        Kpi.price_mismatches,
        Kpi.energy_kwh,
    }
)

DRIVERS = (Kpi.gross_margin, Kpi.labour_cost, Kpi.shrink_value)
"""contribution = gross_margin - labour_cost - shrink_value: the ROI's three drivers."""

_EXTRA_UNITS = {Kpi.items: "items", Kpi.cashier_hours: "h"}


def better(kpi: Kpi) -> int:
    """+1 when a rise is good (sales), -1 when a fall is good (labour cost, queue wait)."""
    return -1 if kpi in LOWER_IS_BETTER else 1


def unit(kpi: Kpi) -> str:
    """The KPI's unit per store-day ("currency", "s", "0-10", ...)."""
    return _EXTRA_UNITS.get(kpi) or KPI_DOC[kpi.value][0]
