"""The sanity table's placement rows: end-caps beside end-of-aisle studies.

Kept apart from ``twin.calibration`` so that module lists the arms and this
one measures them: snacks on the front and on the back end-cap of their aisle
(the ``placement`` intervention), against the same shoppers with snacks in the
aisle, and the traffic every end-cap sees in the base run (``hotzones``).
"""

from __future__ import annotations

from scenarios.schema import Scenario
from twin.calibration import Row, _change
from twin.result import RunResult

FRONT = {"category": "snacks", "fixture": "endcap", "end": "front"}
BACK = {**FRONT, "end": "back"}


def arms(base: Scenario) -> dict[str, Scenario]:
    """The two arms the rows need: snacks on the front and on the back end-cap."""
    from scenarios.overrides import apply

    return {
        f"placement_{end}": apply(
            base, {"interventions": [{"name": "placement", "params": {"moves": [move]}}]}
        )
        for end, move in (("front", FRONT), ("back", BACK))
    }


def _snacks(result: RunResult) -> int:
    sku = result.frame("sku_daily")
    return int(sku[sku["sku"].str.startswith("SNA")]["sold"].sum())


def _pass_share(result: RunResult, end: str) -> float:
    """Mean share of visitors passing an aisle's end-cap at ``end`` (percent)."""
    hz = result.frame("hotzones")
    caps = hz[hz["spot"].str.endswith(f":endcap_{end}")]
    return float(caps.groupby("spot")["passers"].sum().mean() / result.kpis["visitors"] * 100)


def rows(base: RunResult, front: RunResult, back: RunResult) -> list[Row]:
    """Fitted: an end-cap's item lift; held out: end-cap traffic, and rear against front."""
    f = _change(_snacks(front), _snacks(base))
    b = _change(_snacks(back), _snacks(base))
    shares = {end: _pass_share(base, end) for end in ("front", "back")}
    traffic = "share of visitors within reach of an aisle's {} end-cap (mean over aisles)"
    return [
        Row(
            "placement",
            "end-of-aisle display (Nakamura et al. 2014)",
            "item sales +23% to +114% (median +49%)",
            "units of snacks on the front end-cap vs in their aisle",
            f,
            49.0,
            15.0,
            True,
        ),
        *(
            Row(
                "placement",
                "endcap traffic (Ehrenberg-Bass eye tracking)",
                f"{end} end-caps passed by {target:g}% of shoppers",
                traffic.format(end),
                shares[end],
                target,
                10.0,
                False,
                shown=f"{shares[end]:.1f}%",
            )
            for end, target in (("front", 64.0), ("back", 88.0))
        ),
        Row(
            "placement",
            "front vs rear endcaps (Tan et al. 2018)",
            "rear endcaps lift brand sales more (+416% vs +346%)",
            "snacks units, back end-cap lift minus front end-cap lift",
            b - f,
            None,
            0.0,
            False,
            direction=1,
            shown=f"back {b:+.1f}% vs front {f:+.1f}%",
        ),
    ]
