"""Power analysis by simulated A/A pilots on the pre-period: the minimum detectable effect.

A fake start day splits the pre-period; the pilot label moves over every set of
stores of the chosen pool, exactly as the evaluation's randomisation test will.
The spread of those A/A estimates is the noise a real pilot's estimate carries;
scaled to the planned lengths (assuming day-to-day noise), it gives the
smallest lift found four times in five at the chosen alpha.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from scenarios.pilot.did import Design, placebos

POWER = 0.8


def mde(
    history: pd.DataFrame,
    kpis: Sequence[str],
    design: Design,
    pilot_days: int,
    alpha: float,
    expected: Mapping[str, float],
    covariates: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """Per KPI: the A/A spread, the MDE at 80% power, and whether the expected gain clears it.

    Args:
        history: Pre-period store-days (``design.start_day`` is the pre-period length).
        kpis: KPIs to size.
        design: Pilot and reference stores.
        pilot_days: Planned days with the intervention.
        alpha: Two-sided level of the test.
        expected: Expected effect per store-day (step 2), by KPI.
        covariates: The evaluation's regression covariates, so the MDE is the one of
            the estimator step 5 will use.
    """
    pre_days = design.start_day
    fake = Design(design.pilots, design.references, pre_days // 2)
    fit = placebos(history[history["day"] < pre_days], kpis, fake, covariates=covariates)
    scale = math.sqrt(
        _days_factor(pre_days, pilot_days) / _days_factor(fake.start_day, pre_days - fake.start_day)
    )
    from scipy.stats import norm  # here: every CLI command imports this module, few size a pilot

    z = float(norm.ppf(1 - alpha / 2) + norm.ppf(POWER))
    base = history[history["store_id"].isin(design.pilots)][list(kpis)].mean()
    out = {}
    for kpi in kpis:
        sd = fit.null_sd(kpi)
        size = z * sd * scale
        want = abs(expected.get(kpi, 0.0))
        out[kpi] = {
            "aa_sd": round(sd, 4),
            "mde": round(size, 4),
            "mde_pct": round(100 * size / abs(base[kpi]), 2) if base[kpi] else None,
            "expected_effect": round(expected.get(kpi, 0.0), 4),
            "adequate": bool(want > 0 and size <= want),
            "simulations": int(fit.a.shape[0]),
        }
    return out


def _days_factor(pre: int, post: int) -> float:
    return 1 / pre + 1 / post


def recommend(
    size: float,
    target: float,
    pilots: int,
    per_pilot: int,
    eligible: int,
    pre_days: int,
    pilot_days: int,
) -> dict[str, Any]:
    """What would bring the MDE down to ``target``: more pilot stores, or longer periods.

    Assumes noise that averages out over stores and days: the MDE scales with
    sqrt(1/stores) and sqrt(1/pre_days + 1/pilot_days).
    """
    same = {"pilot_stores": pilots, "pre_days": pre_days, "pilot_days": pilot_days}
    if size <= target:
        return {"adequate": True, **same, "note": "the design can detect the expected gain"}
    if target <= 0:
        note = "the twin expects no gain on the decision KPI; no pilot size can show one"
        return {"adequate": False, **same, "note": note}
    stores = math.ceil(pilots * (size / target) ** 2)
    c2 = size**2 / _days_factor(pre_days, pilot_days)
    days = math.ceil(2 * c2 / target**2)
    notes = [f"{days} days before and {days} days with the intervention"]
    if stores * (1 + per_pilot) <= eligible:
        notes.insert(0, f"{stores} pilot stores (with {per_pilot} references each)")
    return {
        "adequate": False,
        "pilot_stores": stores,
        "pre_days": days,
        "pilot_days": days,
        "note": "MDE above the expected gain; to detect it use " + " or ".join(notes),
    }
