"""Synthetic control: a weighted blend of reference stores that tracks the pilot stores before.

The pilot stores' mean series is matched on the pre-period by non-negative
weights over the reference stores that sum to one (Abadie, Diamond and
Hainmueller 2010), fitted with scipy's SLSQP. Series are taken relative to
their pre-period means (the "demeaned" variant of Ferman and Pinto), so a pilot
group larger than every reference store can still be matched. In-space placebos
(each reference store in turn as if it were treated) give the p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize


@dataclass(frozen=True)
class SynthEstimate:
    """The lift per store-day by synthetic control, with its placebo test and fitted series."""

    estimate: float
    p_value: float
    band_low: float
    band_high: float
    pre_rmspe: float
    weights: dict[str, float]
    days: list[int]
    actual: list[float]
    synthetic: list[float]
    placebo_effects: dict[str, float]

    @property
    def min_p_value(self) -> float:
        """The test's resolution: the smallest p-value it can give, 1 / (1 + placebos).

        With six reference stores it is 1/7 = 0.143, so the test can never reach
        alpha 0.05 however large the effect.
        """
        return 1 / (1 + len(self.placebo_effects))


def weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights >= 0 summing to 1 that make ``donors @ w`` closest to ``target`` (least squares)."""
    n = donors.shape[1]
    scale = float(np.abs(target).max()) or 1.0
    x, d = target / scale, donors / scale

    def loss(w: np.ndarray) -> float:
        r = d @ w - x
        return float(r @ r)

    def grad(w: np.ndarray) -> np.ndarray:
        return 2 * d.T @ (d @ w - x)

    result = minimize(
        loss,
        np.full(n, 1.0 / n),
        jac=grad,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(n)}],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    w = np.clip(result.x, 0.0, None)
    return w / w.sum()


def _gap(series: np.ndarray, donors: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic series and the weights, fitted on the days where ``pre`` is true."""
    level, donor_level = series[pre].mean(), donors[pre].mean(axis=0)
    w = weights(series[pre] - level, donors[pre] - donor_level)
    return level + (donors - donor_level) @ w, w


def _rmspe(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


def synthetic_control(
    panel: pd.DataFrame,
    kpi: str,
    pilots: Sequence[str],
    references: Sequence[str],
    start_day: int,
    alpha: float = 0.05,
) -> SynthEstimate:
    """Lift of the pilot stores' mean against their synthetic control, with in-space placebos."""
    wide = panel.pivot(index="day", columns="store_id", values=kpi).sort_index()
    days = wide.index.to_numpy()
    pre = days < start_day
    actual = wide[list(pilots)].mean(axis=1).to_numpy(dtype=float)
    donors = wide[list(references)].to_numpy(dtype=float)
    synthetic, w = _gap(actual, donors, pre)
    gap = actual - synthetic
    estimate = float(gap[~pre].mean())
    ratio = _rmspe(gap[~pre]) / max(_rmspe(gap[pre]), 1e-9)
    effects, ratios = {}, []
    for j, ref in enumerate(references):
        others = np.delete(donors, j, axis=1)
        placebo, _ = _gap(donors[:, j], others, pre)
        g = donors[:, j] - placebo
        effects[ref] = float(g[~pre].mean())
        ratios.append(_rmspe(g[~pre]) / max(_rmspe(g[pre]), 1e-9))
    spread = np.array(list(effects.values()))
    return SynthEstimate(
        estimate=estimate,
        p_value=(1 + sum(r >= ratio for r in ratios)) / (1 + len(ratios)),
        band_low=estimate - float(np.quantile(spread, 1 - alpha / 2)),
        band_high=estimate - float(np.quantile(spread, alpha / 2)),
        pre_rmspe=_rmspe(gap[pre]),
        weights={r: round(float(x), 4) for r, x in zip(references, w, strict=True)},
        days=[int(d) for d in days],
        actual=[float(x) for x in actual],
        synthetic=[float(x) for x in synthetic],
        placebo_effects=effects,
    )
