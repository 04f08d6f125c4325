"""Are the pilot's stores stores a chain could have? Traffic and staff beside the library's format.

A pilot that scales traffic down for speed but keeps the library's roster judges
labour in a store with almost no shoppers (160 visitors and 131 labour hours a
day is not a supermarket). The report says how the pilot's stores compare with
the library store of their format, so a reader sees when they were scaled and
whether staff and lanes followed; the decide step warns when they did not.
"""

from __future__ import annotations

from statistics import mean
from typing import Any

from scenarios import loader
from scenarios.pilot.loader import Pilot
from scenarios.schema import Scenario

TOLERANCE = 1.5
"""Labour hours per visitor within this factor of the library's count as scaled with traffic."""


def labour_hours(scenario: Scenario) -> float:
    """Paid staff hours of the first day (every role)."""
    return sum(s.hours * s.count for s in scenario.staff.shifts if s.on(0))


def visitors(scenario: Scenario) -> float:
    """Expected visitors on a day of weight 1, with the store's traffic level."""
    return scenario.arrivals.daily_visitors * scenario.arrivals.traffic_factor


def compare(pilot: Pilot) -> dict[str, Any] | None:
    """The pilot's eligible stores beside their format's library store; None if alike.

    Returns:
        ``formats`` (per format: traffic share of the library's, visitors, labour
        hours per visitor and lanes per 1,000 visitors, each beside the library's),
        ``staff_follows`` (labour per visitor within ``TOLERANCE`` of the library's
        in every format) and a ``note`` for the report; None when the stores keep
        the library's traffic and staff.
    """
    rows = []
    for fmt in sorted({s.scenario.format for s in pilot.eligible}):
        stores = [s.scenario for s in pilot.eligible if s.scenario.format is fmt]
        library = loader.load(fmt.value)
        per_visitor = mean(labour_hours(s) / visitors(s) for s in stores)
        lanes = mean(1000 * s.checkout.lanes / visitors(s) for s in stores)
        rows.append(
            {
                "format": fmt.value,
                "traffic": round(stores[0].arrivals.daily_visitors / visitors(library), 4),
                "visitors": round(mean(visitors(s) for s in stores), 1),
                "library_visitors": round(visitors(library), 1),
                "labour_hours_per_visitor": round(per_visitor, 4),
                "library_labour_hours_per_visitor": round(
                    labour_hours(library) / visitors(library), 4
                ),
                "lanes_per_1000_visitors": round(lanes, 3),
                "library_lanes_per_1000_visitors": round(
                    1000 * library.checkout.lanes / visitors(library), 3
                ),
            }
        )
    follows = all(
        1 / TOLERANCE
        <= r["labour_hours_per_visitor"] / r["library_labour_hours_per_visitor"]
        <= TOLERANCE
        for r in rows
    )
    if follows and all(abs(r["traffic"] - 1) < 1e-9 for r in rows):
        return None
    return {"formats": rows, "staff_follows": follows, "note": _note(rows, follows)}


def _note(rows: list[dict[str, Any]], follows: bool) -> str:
    parts = [
        f"{r['format']} stores have {r['visitors']:,.0f} visitors a day ({r['traffic']:.0%} of "
        f"the library {r['format']}'s {r['library_visitors']:,.0f}) and "
        f"{r['labour_hours_per_visitor']:.3f} labour hours per visitor (library "
        f"{r['library_labour_hours_per_visitor']:.3f}), "
        f"{r['lanes_per_1000_visitors']:.1f} lanes per 1,000 visitors (library "
        f"{r['library_lanes_per_1000_visitors']:.1f})"
        for r in rows
    ]
    tail = (
        "staff scaled with traffic, so the verdict holds for stores of this size"
        if follows
        else "staff did not follow traffic, so these are not stores a chain could have: the "
        "verdict is about them, not about the format"
    )
    return "; ".join(parts) + f": {tail}."
