"""Power analysis from the pre-period's own noise, for the test step 5 will run.

The pre-period (the history HQ has) runs through the evaluation's regression,
store and day effects plus its covariates; what is left is each store-day's
noise, every day of the pre-period counted, a weekend's busier days included.
The planned pilot's estimate is one least-squares coefficient of that
regression, so its sd is that noise over the size of the treatment indicator
once store and day effects are out, which for the planned stores and days is
known exactly (``aa_sd``).

Step 5 does not read a normal table, though: it inverts a randomisation test
over the assignments of the pilot label (``scenarios.pilot.did``). With a
handful of stores that test's distribution is coarse and its CI comes out
wider than z x sd (3 pilots of 9 stores: 84 assignments, and a CI about a
quarter wider), and below 1 / alpha assignments it can never reject. So the
planned CI half-width and the MDE (the smallest lift found four times in five
at the chosen alpha) are the randomisation test's own, simulated on panels of
the planned stores and days with the pre-period's noise (``planned_test``).

A contiguous A/A split of a short pre-period sees only the days on either side
of it: five weekdays split 2 + 3 held no weekend and its sd rested on a handful
of store contrasts (the demo's first design was sized at half the noise its
pilot period then showed); seven days split 3 + 4 put the weekend on one side
only. The residual noise uses every store-day, and a pre-period of a whole week
(see the ``calendar`` check) lets it see the weekend. It takes a store's days
as independent once store and day effects are out (but see below). A pre-period
without the pilot period's weekdays cannot see their noise at all: five
weekdays before a pilot period with a weekend understate it (the ``calendar``
check says so, and such a design is never ``adequate``).

Store-days are not independent, though: a store's pilot period differs from
its pre-period as a whole (its own weekend pattern, a drift), and that part
of the noise averages out over stores only, never over days. Step 3 measures
it the way step 5 will see it: the same randomisation test, run on
pseudo-periods of the history (every split of the pre-period with at least
``MIN_SIDE`` days on each side), whose A/A spread beyond what the store-day
noise explains is the store-level variance (``store_sd``), taken as the same
for any period length (a store's level that moves and stays). The plan adds
it to the store-day part for the planned stores and days. For a design of
whole weeks, where a store's own weekday pattern cancels, a history of two
weeks or more is split between whole weeks only and that pattern is taken out
of the store-day noise. Within a single week every split puts the weekend on
one side, so a whole-week design planned on one week of history is split
within its working days when the calendar is known (``first_weekday``; on
the twin's twelve supermarkets at 7 + 7 days that plan was 2% to 19% above the
A/A spread step 5 saw, where splits over the whole week planned twice it).
Other designs are split over every day: a store's own weekend then counts as
store-level noise, conservatively.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from scenarios.pilot.did import Design, interval, placebos

POWER = 0.8
WEEK = 7
"""Days of a whole week: weekends trade (and queue) unlike weekdays."""
WORKING_DAYS = 5
"""Monday to Friday: days a store trades alike, unlike its own weekend."""
MIN_SIDE = 2
"""Days on each side of a pseudo-period split of the pre-period."""
PANELS = 400
"""Simulated pilots behind a planned test: the MDE's Monte Carlo error is about 2%."""


def mde(
    history: pd.DataFrame,
    kpis: Sequence[str],
    design: Design,
    pilot_days: int,
    alpha: float,
    expected: Mapping[str, float],
    covariates: Sequence[str] = (),
    limit: int = 500,
    seed: int = 0,
    first_weekday: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Per KPI: the design's null sd, planned CI and MDE, and whether the expected gain clears it.

    Args:
        history: Pre-period store-days (``design.start_day`` is the pre-period length).
        kpis: KPIs to size.
        design: Pilot and reference stores.
        pilot_days: Planned days with the intervention.
        alpha: Two-sided level of the test.
        expected: Expected effect per store-day (step 2), by KPI.
        covariates: The evaluation's regression covariates, so the MDE is the one of
            the estimator step 5 will use.
        limit: Step 5's cap on assignments (``did.placebos``).
        seed: Step 5's seed for a sample of assignments when there are more than ``limit``.
        first_weekday: The weekday of day 0 (Monday 0), if known: a design of whole
            weeks planned on one week of history then reads store-level noise from
            its working days only (a store's own weekend cancels in whole weeks).

    Returns:
        Per KPI: ``noise_sd`` (a store-day's residual sd in the pre-period) with its
        ``noise_dof``, ``store_sd`` (the sd of a store's change between periods that
        days do not average out, ``store_noise``), ``aa_sd`` (the sd of the planned
        pilot's estimate when nothing works, both parts) with ``store_share`` (the
        store-level part of its variance), ``ci_half_width`` (the randomisation
        CI's expected half-width when nothing works), ``mde`` (80% power of the
        randomisation test at ``alpha``; the normal approximation's when the test
        cannot reach ``alpha``),
        ``mde_pct`` (of the pilot stores' pre-period level), ``assignments``,
        ``min_p_value``, ``calendar_covered`` (the pre-period has every weekday of
        the pilot period; else never adequate), ``expected_effect`` and ``adequate``.
    """
    pre_days = design.start_day
    rows = history[(history["day"] < pre_days) & history["store_id"].isin(design.pool)]
    sds, dof = noise(rows, kpis, covariates)
    # whole weeks: a store's own weekday pattern cancels, so it is not store-level noise
    whole = pre_days % WEEK == 0 and pilot_days % WEEK == 0
    weeks = whole and pre_days >= 2 * WEEK
    if weeks:
        sds, dof = noise(rows, kpis, covariates, weekdays=True)
    split = rows
    if whole and not weeks and first_weekday is not None:
        split = rows[(rows["day"] + first_weekday) % WEEK < WORKING_DAYS]
    stores_var = store_noise(split, kpis, design, covariates, limit, seed, weeks)
    spread = spread_factor(len(design.pilots), len(design.pool), pre_days, pilot_days)
    contrast = len(design.pool) / (len(design.pilots) * len(design.references))
    test = planned_test(
        len(design.pilots), len(design.pool), pre_days, pilot_days, alpha, limit, seed
    )
    covered = calendar_covered(pre_days, pilot_days)
    base = rows[rows["store_id"].isin(design.pilots)][list(kpis)].mean()
    out = {}
    for kpi, noise_sd, store_var in zip(kpis, sds, stores_var, strict=True):
        days_var = (float(noise_sd) * spread) ** 2
        sd = math.sqrt(days_var + contrast * store_var)
        per_unit = sd / spread  # the test's figures are per unit of store-day noise
        size = per_unit * (test.mde if test.reaches_alpha else test.normal_mde)
        want = abs(expected.get(kpi, 0.0))
        out[kpi] = {
            "noise_sd": round(float(noise_sd), 4),
            "noise_dof": dof,
            "store_sd": round(math.sqrt(store_var), 4),
            "store_share": round(1 - days_var / sd**2, 4) if sd > 0 else 0.0,
            "aa_sd": round(sd, 4),
            "ci_half_width": round(per_unit * test.half_width, 4) if test.reaches_alpha else None,
            "mde": round(size, 4),
            "mde_pct": round(100 * size / abs(base[kpi]), 2) if base[kpi] else None,
            "assignments": test.assignments,
            "min_p_value": round(1 / test.assignments, 4),
            "calendar_covered": covered,
            "expected_effect": round(expected.get(kpi, 0.0), 4),
            "adequate": bool(want > 0 and size <= want and test.reaches_alpha and covered),
        }
    return out


def calendar_covered(pre_days: int, pilot_days: int) -> bool:
    """Whether every weekday of the pilot period is in the pre-period too.

    Step 3 can only see the noise of the weekdays the history has: five weekdays
    before a pilot period with a weekend say nothing about the weekend's.
    """
    before = {d % WEEK for d in range(pre_days)}
    return all(d % WEEK in before for d in range(pre_days, pre_days + pilot_days))


def store_noise(
    history: pd.DataFrame,
    kpis: Sequence[str],
    design: Design,
    covariates: Sequence[str] = (),
    limit: int = 500,
    seed: int = 0,
    whole_weeks: bool = False,
) -> np.ndarray:
    """Per KPI, the variance of a store's change between periods that days do not average out.

    Step 5's randomisation test run on pseudo-periods of the pre-period (each
    split with ``MIN_SIDE`` days or more a side): the A/A variance of its
    coefficient is ``(1/pilots + 1/references) x (store_var + the variance of a
    store's mean after the split minus before it)``, the latter from each day's
    own residual noise (a weekend is noisier without being store-level); what
    the store-day noise does not explain, averaged over the splits (each
    weighted by the inverse of its sampling variance, which grows with the
    square of the store-day part: a split with the weekend alone on one side
    is the noisiest), is ``store_var`` (zero when the splits show none, or there are none).

    ``whole_weeks``: the planned periods are whole weeks, where a store's own
    weekday pattern cancels, and the history has two weeks or more: only the
    splits between whole weeks are read and the store-day noise is measured
    beside each store's own weekday effects, so that pattern is not counted.
    Otherwise every split puts the weekend on one side or the other, and the
    plan counts it as store-level noise: conservative for whole weeks.
    """
    days = np.sort(history["day"].unique())
    cuts = list(range(MIN_SIDE, len(days) - MIN_SIDE + 1))
    if whole_weeks and len(days) >= 2 * WEEK:
        cuts = list(range(WEEK, len(days) - WEEK + 1, WEEK))
    if not cuts:
        return np.zeros(len(kpis))
    daily = noise(history, kpis, covariates, by_day=True, weekdays=whole_weeks)[0] ** 2
    contrast = len(design.pool) / (len(design.pilots) * len(design.references))
    excess, weights = [], []
    for cut in cuts:
        pseudo = Design(design.pilots, design.references, int(days[cut]))
        fit = placebos(history, kpis, pseudo, limit, seed, covariates)
        aa_var = np.var(fit.a, axis=0, ddof=1)
        days_var = (
            daily[:cut].sum(axis=0) / cut**2 + daily[cut:].sum(axis=0) / (len(days) - cut) ** 2
        )
        excess.append(aa_var / contrast - days_var)
        weights.append(1 / np.maximum(days_var, 1e-12) ** 2)  # its sampling variance's
    return np.maximum(np.average(excess, axis=0, weights=weights), 0.0)


@dataclass(frozen=True)
class PlannedTest:
    """Step 5's randomisation test on a planned design, per unit of store-day noise.

    ``half_width``: the CI's mean half-width when nothing works; ``mde``: the
    constant lift it finds with 80% power at alpha; ``normal_mde``: z x sd, the
    normal approximation; ``reaches_alpha``: whether the test can reject at
    alpha at all and its CI is closed (too few assignments, or one that is the
    real assignment's complement, leave it open: both figures are then infinite).
    """

    assignments: int
    half_width: float
    mde: float
    normal_mde: float
    reaches_alpha: bool


@lru_cache(maxsize=64)
def planned_test(
    pilots: int,
    pool: int,
    pre_days: int,
    pilot_days: int,
    alpha: float,
    limit: int = 500,
    seed: int = 0,
    panels: int = PANELS,
) -> PlannedTest:
    """Simulate step 5's test on ``panels`` pilots of iid unit-sd store-days.

    Each panel is the planned stores over the planned days with no effect; the
    same regression and assignments as step 5 (``did.placebos``) give every
    assignment's coefficient ``a`` and its overlap ``b`` with the real one, so a
    constant lift tau reads ``a + tau b`` and the power curve needs no refit.
    The panels are drawn from a fixed seed: the same design gets the same plan.
    """
    from scipy.stats import norm  # here: every CLI command imports this module, few size a pilot

    days = pre_days + pilot_days
    rng = np.random.default_rng(np.random.SeedSequence(0x90E3, spawn_key=(pilots, pool, days)))
    names = [f"y{k}" for k in range(panels)]
    frame = pd.DataFrame(rng.standard_normal((pool * days, panels)), columns=names)
    frame.insert(0, "day", np.tile(np.arange(days), pool))
    frame.insert(0, "store_id", np.repeat([f"S{i:04d}" for i in range(pool)], days))
    stores = tuple(f"S{i:04d}" for i in range(pool))
    design = Design(stores[:pilots], stores[pilots:], pre_days)
    fit = placebos(frame, names, design, limit, seed)
    count = len(fit.b)
    sd = spread_factor(pilots, pool, pre_days, pilot_days)
    normal = float(norm.ppf(1 - alpha / 2) + norm.ppf(POWER)) * sd
    if 1 / count > alpha:
        return PlannedTest(count, math.inf, math.inf, normal, False)
    widths = []
    for k in range(panels):
        low, high = interval(fit.a[:, k], fit.b, alpha)
        widths.append(math.inf if low is None or high is None else (high - low) / 2)
    width, size = float(np.mean(widths)), _mde(fit.a, fit.b, alpha, sd)
    return PlannedTest(count, width, size, normal, math.isfinite(width) and math.isfinite(size))


def _mde(a: np.ndarray, b: np.ndarray, alpha: float, sd: float) -> float:
    """The smallest constant lift whose test rejects at ``alpha`` in ``POWER`` of the panels."""

    def power_at(tau: float) -> float:
        shifted = a + tau * b[:, None]
        real = np.abs(shifted[0])
        tol = 1e-9 * (1.0 + np.abs(shifted).max())
        p = (np.abs(shifted) >= real[None, :] - tol).mean(axis=0)
        return float(np.mean(p <= alpha + 1e-12))

    low, high = 0.0, sd
    while power_at(high) < POWER:
        low, high = high, 2 * high
        if high > 1e3 * sd:
            return math.inf
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (low, mid) if power_at(mid) >= POWER else (mid, high)
    return high


def noise(
    panel: pd.DataFrame,
    kpis: Sequence[str],
    covariates: Sequence[str] = (),
    by_day: bool = False,
    weekdays: bool = False,
) -> tuple[np.ndarray, int]:
    """Residual sd per KPI after store and day effects and ``covariates``, and its dof.

    The same regression as the evaluation's (``scenarios.pilot.did``), without a
    treatment: what it leaves is noise no store or day effect explains.
    ``by_day``: one row per day (in order) of each day's own residual sd.
    ``weekdays``: each store's effect is one per weekday, its own weekday pattern
    is then not noise (as in a design of whole weeks, where it cancels).
    """
    unit = panel["store_id"].astype(str)
    if weekdays:
        unit = unit + "|" + (panel["day"] % WEEK).astype(str)
    stores = pd.Categorical(unit).codes
    days = pd.Categorical(panel["day"]).codes
    n_stores, n_days = int(stores.max()) + 1, int(days.max()) + 1
    x = np.zeros((len(panel), n_stores + n_days - 1))
    x[np.arange(len(panel)), stores] = 1.0
    later = np.flatnonzero(days > 0)
    x[later, n_stores + days[later] - 1] = 1.0
    if covariates:
        x = np.hstack([x, panel[list(covariates)].to_numpy(dtype=float)])
    y = panel[list(kpis)].to_numpy(dtype=float)
    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(panel) - int(rank)
    if dof < 1:
        raise ValueError(
            f"the pre-period ({n_stores} stores x {n_days} days) leaves no residual to "
            "measure noise on: lengthen it"
        )
    resid = y - x @ coef
    pooled = (resid**2).sum(axis=0) / dof
    if by_day:
        return np.sqrt(_each_day(resid, days, n_days, pooled)), dof
    return np.sqrt(pooled), dof


def _each_day(resid: np.ndarray, days: np.ndarray, n_days: int, pooled: np.ndarray) -> np.ndarray:
    """Each day's own noise variance from the residuals of the store and day effects.

    Taking out each store's mean spreads a noisy day's variance over the others:
    a day's mean squared residual is ``v_t (1 - 2/T) + mean(v) / T`` (up to the
    day effects' common factor), which is solved for ``v_t``; the result is
    scaled so that its mean is the pooled, dof-corrected variance.
    """
    seen = pd.DataFrame(resid**2).groupby(days).mean().to_numpy()
    if n_days < 3:
        return np.broadcast_to(pooled, seen.shape).copy()
    mean = seen.sum(axis=0) / (n_days - 1)
    each = np.maximum((seen - mean / n_days) / (1 - 2 / n_days), 0.0)
    total = each.mean(axis=0)
    return each * np.divide(pooled, total, out=np.ones_like(pooled), where=total > 0)


def spread_factor(pilots: int, pool: int, pre_days: int, pilot_days: int) -> float:
    """The planned estimate's sd per unit of store-day noise.

    With store and day effects out, the indicator "pilot store on a pilot day" of a
    full panel has squared length pilots x references / pool x pre x pilot / (pre +
    pilot), the same for every assignment the randomisation test moves it to.
    """
    refs = pool - pilots
    size = pilots * refs / pool * pre_days * pilot_days / (pre_days + pilot_days)
    return 1 / math.sqrt(size)


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
    store_share: float = 0.0,
) -> dict[str, Any]:
    """What would bring the MDE down to ``target``: more pilot stores, or longer periods.

    The MDE scales with sqrt(1/stores) for all of its noise; longer periods
    (sqrt(1/pre_days + 1/pilot_days)) shrink only the store-day part, not the
    ``store_share`` of its variance that is store-level (``mde``'s
    ``store_share``): when that part alone is above the target, only more stores help.
    """
    same = {"pilot_stores": pilots, "pre_days": pre_days, "pilot_days": pilot_days}
    if size <= target:
        return {"adequate": True, **same, "note": "the design can detect the expected gain"}
    if target <= 0:
        note = "the twin expects no gain on the decision KPI; no pilot size can show one"
        return {"adequate": False, **same, "note": note}
    stores = math.ceil(pilots * (size / target) ** 2)
    share = min(max(store_share, 0.0), 1.0)
    days_part = (1 - share) * size**2
    room = target**2 - share * size**2  # what the store-day part may keep
    days = None
    if room > 0 and days_part > 0:
        c2 = days_part / _days_factor(pre_days, pilot_days)
        days = max(math.ceil(2 * c2 / room), pre_days, pilot_days)
    notes = []
    if stores * (1 + per_pilot) <= eligible:
        notes.append(f"{stores} pilot stores (with {per_pilot} references each)")
    if days is not None:
        notes.append(f"{days} days before and {days} days with the intervention")
    if not notes:
        note = (
            f"MDE above the expected gain; to detect it use {stores} pilot stores (with "
            f"{per_pilot} references each), more than the chain's {eligible} eligible stores: "
            f"{share:.0%} of the noise is store-level, so longer periods cannot shrink it enough"
        )
    else:
        note = "MDE above the expected gain; to detect it use " + " or ".join(notes)
        if days is None:
            note += f" ({share:.0%} of the noise is store-level: longer periods cannot shrink it)"
    return {
        "adequate": False,
        "pilot_stores": stores,
        "pre_days": pre_days if days is None else days,
        "pilot_days": pilot_days if days is None else days,
        "note": note,
    }
