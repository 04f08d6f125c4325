"""Choosing pilot stores and comparable reference stores, and showing how alike they are.

Pilot stores are drawn at random from the candidates: a pilot run in the stores
a regional manager likes best measures the manager, not the solution. Each
pilot store then gets its nearest eligible stores as references, on pre-period
KPIs and store attributes, by an optimal one-to-many assignment (scipy's
``linear_sum_assignment``), so no reference serves two pilot stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

ATTRIBUTES = ("daily_visitors", "lanes", "member_share")
"""Numeric store attributes (``scenarios.chain.describe``) matched on besides the KPIs."""

FORMAT_PENALTY = 1000.0
"""Distance added for a store of another format: used only when no same-format store is left."""


def draw_pilots(candidates: Sequence[str], count: int, seed: int) -> list[str]:
    """``count`` of the candidates at random (seeded), in store order."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x9170,)))
    return sorted(str(s) for s in rng.choice(list(candidates), size=count, replace=False))


def features(
    history: pd.DataFrame, attributes: Sequence[dict[str, Any]], kpis: Sequence[str]
) -> pd.DataFrame:
    """One row per store: pre-period means of ``kpis``, numeric attributes, region and format."""
    means = history.groupby("store_id")[list(kpis)].mean()
    attrs = pd.DataFrame(list(attributes)).set_index("store_id")
    columns = [*ATTRIBUTES, "region", "format"]
    return means.join(attrs[columns], how="inner")


def match(
    table: pd.DataFrame, pilots: Sequence[str], per_pilot: int, region_weight: float
) -> dict[str, list[tuple[str, float]]]:
    """For each pilot store, its references with their distances, nearest first.

    Distance: Euclidean over the numeric columns in standard units (sd across the
    table's stores), plus ``region_weight`` for another region.
    """
    numeric = table.drop(columns=["region", "format"]).astype(float)
    sd = numeric.std(ddof=0).replace(0.0, 1.0)
    z = (numeric - numeric.mean()) / sd
    others = [s for s in table.index if s not in set(pilots)]
    cost = np.zeros((len(pilots), len(others)))
    for i, p in enumerate(pilots):
        diff = z.loc[others].to_numpy() - z.loc[p].to_numpy()
        cost[i] = np.sqrt((diff**2).sum(axis=1))
        cost[i] += (
            region_weight * (table.loc[others, "region"] != table.loc[p, "region"]).to_numpy()
        )
        cost[i] += (
            FORMAT_PENALTY * (table.loc[others, "format"] != table.loc[p, "format"]).to_numpy()
        )
    rows, cols = linear_sum_assignment(np.repeat(cost, per_pilot, axis=0))
    found: dict[str, list[tuple[str, float]]] = {p: [] for p in pilots}
    for r, c in zip(rows, cols, strict=True):
        pilot = pilots[r // per_pilot]
        found[pilot].append((others[c], round(float(cost[r // per_pilot, c]), 4)))
    return {p: sorted(refs, key=lambda x: x[1]) for p, refs in found.items()}


def balance(
    table: pd.DataFrame, pilots: Sequence[str], references: Sequence[str]
) -> list[dict[str, Any]]:
    """Pre-period means of each numeric column for pilots, references and all eligible stores.

    ``std_diff`` is the standardised difference (pilot - reference) / pooled sd;
    below 0.25 in size is the usual mark of a good match.
    """
    numeric = table.drop(columns=["region", "format"]).astype(float)
    rows = []
    for column in numeric.columns:
        p, r = numeric.loc[list(pilots), column], numeric.loc[list(references), column]
        spread = [float(x.var(ddof=1)) for x in (p, r) if len(x) > 1]
        pooled = float(np.sqrt(np.mean(spread))) if spread else 0.0
        diff = float(p.mean() - r.mean())
        rows.append(
            {
                "feature": column,
                "pilot_mean": round(float(p.mean()), 4),
                "reference_mean": round(float(r.mean()), 4),
                "eligible_mean": round(float(numeric[column].mean()), 4),
                "std_diff": round(diff / pooled, 4) if pooled > 0 else 0.0,
            }
        )
    return rows
