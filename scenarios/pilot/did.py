"""Difference-in-differences with store and day effects, and randomisation inference over stores.

The lift is the coefficient of "pilot store on a pilot day" in a two-way fixed
effects regression. Its confidence interval and p-value come from re-running the
same regression with the pilot label moved to other sets of stores of the same
pool: with a handful of stores a cluster bootstrap is far too optimistic, while
randomisation inference stays honest. The CI inverts that test under a constant
effect (Imbens and Rubin, ch. 5).

By Frisch-Waugh-Lovell the coefficient is ``D~ . y~ / D~ . D~`` where ``~`` means
"residual after the store and day effects", so every assignment of the label
and every KPI is one least-squares solve.

Covariates the intervention cannot move, such as the footfall the door's people
counter reports, can join the store and day effects: a store's busy day then no
longer reads as its lift, so the estimate is less noisy (regression adjustment;
CUPED is its one-covariate form). The randomisation test re-runs the same
adjusted regression for every assignment, so it stays exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Design:
    """Which stores are pilots, which are references, and the first pilot day."""

    pilots: tuple[str, ...]
    references: tuple[str, ...]
    start_day: int

    @property
    def pool(self) -> tuple[str, ...]:
        """Every store in the comparison, pilots first."""
        return (*self.pilots, *self.references)


@dataclass(frozen=True)
class Placebos:
    """The DiD coefficient for the real assignment (row 0) and for re-labelled ones.

    ``a[g, k]`` is assignment g's coefficient for KPI k on the observed data;
    ``b[g]`` is what the real treatment indicator adds to it per unit of effect,
    so on outcomes with a constant effect tau removed it reads ``a - tau * b``.
    """

    kpis: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray

    def null_sd(self, kpi: str) -> float:
        """Spread of the coefficient across assignments: the estimate's noise when nothing works."""
        return float(np.std(self.a[:, self.kpis.index(kpi)], ddof=1))


@dataclass(frozen=True)
class DidEstimate:
    """The lift of one KPI per store-day, with its randomisation CI and p-value."""

    estimate: float
    ci_low: float | None
    ci_high: float | None
    p_value: float
    assignments: int

    @property
    def min_p_value(self) -> float:
        """The test's resolution: the smallest p-value it can give (the real assignment alone)."""
        return 1 / self.assignments


def assignments(pool: int, treated: int, limit: int, seed: int) -> np.ndarray:
    """Boolean rows over the pool; row 0 is the real one (the first ``treated`` stores).

    Every other subset when there are at most ``limit``; else a seeded random sample.
    """
    total = math.comb(pool, treated)
    real = np.zeros(pool, dtype=bool)
    real[:treated] = True
    if total <= limit:
        rows = [real]
        for subset in combinations(range(pool), treated):
            row = np.zeros(pool, dtype=bool)
            row[list(subset)] = True
            if not np.array_equal(row, real):
                rows.append(row)
        return np.array(rows)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xD1D,)))
    rows = [real]
    for _ in range(limit - 1):
        row = np.zeros(pool, dtype=bool)
        row[rng.choice(pool, size=treated, replace=False)] = True
        rows.append(row)
    return np.array(rows)


def placebos(
    panel: pd.DataFrame,
    kpis: Sequence[str],
    design: Design,
    limit: int = 500,
    seed: int = 0,
    covariates: Sequence[str] = (),
) -> Placebos:
    """The two-way fixed effects coefficient for the real and re-labelled assignments.

    ``covariates``: columns of ``panel`` added to the store and day effects (each
    with one slope for all stores); they must be ones the intervention does not change.
    """
    pool = list(design.pool)
    rows = panel[panel["store_id"].isin(pool)]
    store = pd.Categorical(rows["store_id"], categories=pool).codes
    days = np.sort(rows["day"].unique())
    day = np.searchsorted(days, rows["day"].to_numpy())
    effects = np.zeros((len(rows), len(pool) + len(days) - 1))
    effects[np.arange(len(rows)), store] = 1.0
    later = day > 0
    effects[np.flatnonzero(later), len(pool) + day[later] - 1] = 1.0
    if covariates:
        effects = np.hstack([effects, rows[list(covariates)].to_numpy(dtype=float)])
    labels = assignments(len(pool), len(design.pilots), limit, seed)
    post = (rows["day"].to_numpy() >= design.start_day)[:, None]
    treat = labels[:, store].T & post
    y = rows[list(kpis)].to_numpy(dtype=float)
    both = np.hstack([y, treat.astype(float)])
    coef, *_ = np.linalg.lstsq(effects, both, rcond=None)
    resid = both - effects @ coef
    y_res, d_res = resid[:, : len(kpis)], resid[:, len(kpis) :]
    norm = np.einsum("ng,ng->g", d_res, d_res)
    a = (d_res.T @ y_res) / norm[:, None]
    b = (d_res.T @ d_res[:, 0]) / norm
    return Placebos(tuple(kpis), a, b)


def did(
    panel: pd.DataFrame,
    kpis: Sequence[str],
    design: Design,
    alpha: float = 0.05,
    limit: int = 500,
    seed: int = 0,
    covariates: Sequence[str] = (),
) -> dict[str, DidEstimate]:
    """Lift per KPI (units per store-day) with a (1 - alpha) CI and a two-sided p-value.

    ``covariates`` adjust the regression (``placebos``); none by default.
    """
    fit = placebos(panel, kpis, design, limit, seed, covariates)
    out = {}
    for k, kpi in enumerate(kpis):
        a = fit.a[:, k]
        low, high = interval(a, fit.b, alpha)
        out[kpi] = DidEstimate(float(a[0]), low, high, p_value(a, fit.b, 0.0), len(a))
    return out


def p_value(a: np.ndarray, b: np.ndarray, tau: float) -> float:
    """Share of assignments at least as extreme as the real one, if the effect were ``tau``."""
    return float(np.mean(_extreme(a, b, np.array([tau]))[:, 0]))


def interval(a: np.ndarray, b: np.ndarray, alpha: float) -> tuple[float | None, float | None]:
    """The effects not rejected at ``alpha``: ends are exact (where ranks change); None if open."""
    t = a[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = np.concatenate([(a - t) / (b - 1), (a + t) / (b + 1)])
    roots = np.unique(roots[np.isfinite(roots)])
    scale = float(np.abs(a - t).max()) + abs(t) + 1.0
    edges = np.concatenate([[roots.min() - scale if roots.size else t - scale], roots])
    edges = np.append(edges, roots.max() + scale if roots.size else t + scale)
    mids = (edges[:-1] + edges[1:]) / 2
    taus = np.concatenate([edges, mids])
    keep = _extreme(a, b, taus).mean(axis=0) > alpha
    if not keep.any():
        return t, t
    inside = taus[keep]
    low, high = float(inside.min()), float(inside.max())
    return (None if low <= edges[0] else low), (None if high >= edges[-1] else high)


def _extreme(a: np.ndarray, b: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """[g, i]: is assignment g at least as extreme as the real one when the effect is taus[i]."""
    stat = np.abs(a[:, None] - taus[None, :] * b[:, None])
    real = np.abs(a[0] - taus)
    tol = 1e-9 * (1.0 + np.abs(a).max() + np.abs(taus))
    return stat >= real[None, :] - tol[None, :]
