"""Is the A/A false-positive rate of the pilot's randomisation test really alpha? Synthetic panels.

Usage: python benchmarks/scripts/aa_false_positives.py [draws]

No twin runs: each case is a chain of synthetic stores (level, per-store noise
sd, per-store weekday pattern, optional integer KPI for ties), pilots drawn at
random and references matched exactly as ``validate.evaluate`` does (step 3),
then ``did`` on the untreated panel (an A/A pilot). A test that is exact
rejects at most alpha of the time; with 84 assignments (9 stores, 3 pilots) it
rejects exactly floor(0.05 * 84) / 84 = 4.76% when every store is in the pool.
Each rate comes with its Wilson 95% CI.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.pilot import matching
from scenarios.pilot.did import Design, did
from scenarios.pilot.validate import _wilson


@dataclass(frozen=True)
class Case:
    """One synthetic chain: ``noise_spread`` is the sd of log(noise sd) across stores."""

    name: str
    stores: int = 9
    pilots: int = 3
    per_pilot: int = 2
    pre: int = 2
    post: int = 2
    noise_spread: float = 0.0
    weekday: float = 0.0
    integer: bool = False
    matched_on_noise: bool = False


def chain(case: Case, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attributes table and store-day panel (column ``y``) of one synthetic chain."""
    n, days = case.stores, case.pre + case.post
    ids = [f"S{k:03d}" for k in range(n)]
    visitors = rng.uniform(15, 30, n)
    sd = 5.0 * np.exp(case.noise_spread * rng.standard_normal(n))
    if case.matched_on_noise:
        # Small stores are the noisy ones (convenience stores beside supermarkets).
        sd = 5.0 * np.exp(case.noise_spread * (visitors.mean() - visitors) / visitors.std())
    pattern = case.weekday * rng.standard_normal((n, 7))
    level = 10.0 * visitors
    y = (
        level[:, None]
        + pattern[:, np.arange(days) % 7]
        + sd[:, None] * rng.standard_normal((n, days))
    )
    if case.integer:
        y = np.round(y / 5.0)
    panel = pd.DataFrame(
        {"store_id": np.repeat(ids, days), "day": np.tile(np.arange(days), n), "y": y.ravel()}
    )
    attrs = pd.DataFrame(
        {
            "daily_visitors": visitors,
            "lanes": rng.integers(1, 3, n),
            "member_share": rng.uniform(0.1, 0.4, n),
            "region": rng.choice(["north", "south"], n),
            "format": "convenience",
        },
        index=pd.Index(ids, name="store_id"),
    )
    return attrs, panel


def aa_p_value(case: Case, j: int) -> tuple[float, int]:
    """One A/A pilot as ``validate.evaluate`` runs it: its p-value and the test's assignments."""
    rng = np.random.default_rng(np.random.SeedSequence(j, spawn_key=(0xAA,)))
    attrs, panel = chain(case, rng)
    history = panel[panel["day"] < case.pre]
    table = history.groupby("store_id")[["y"]].mean().join(attrs)
    pilots = matching.draw_pilots(list(table.index), case.pilots, j)
    found = matching.match(table, pilots, case.per_pilot, 1.0)
    refs = sorted(r for rs in found.values() for r, _ in rs)
    est = did(panel, ["y"], Design(tuple(pilots), tuple(refs), case.pre), seed=j)["y"]
    return est.p_value, est.assignments


CASES = (
    Case("9 stores = pool, equal noise"),
    Case("9 stores = pool, noise sd x/÷ 2", noise_spread=0.7),
    Case(
        "9 = pool, noisy small stores, weekday", noise_spread=0.7, weekday=5, matched_on_noise=True
    ),
    Case("9 = pool, integer KPI (ties)", noise_spread=0.7, integer=True),
    Case("12 stores, pool 9, noise sd x/÷ 2", stores=12, noise_spread=0.7),
    Case(
        "12 stores, pool 9, noisy small stores", stores=12, noise_spread=1.0, matched_on_noise=True
    ),
    Case(
        "30 stores, pool 9, noisy small stores", stores=30, noise_spread=1.0, matched_on_noise=True
    ),
    Case(
        "30 stores, pool 9, small stores x4 noisier",
        stores=30,
        noise_spread=1.5,
        matched_on_noise=True,
    ),
    Case("7 stores, pool 6 (2 x 2 refs)", stores=7, pilots=2, noise_spread=0.7),
)


def main(draws: int = 2000) -> None:
    """Print each case's A/A rejection rate at alpha = 5% and 1%, with Wilson CIs."""
    print(f"{draws} A/A pilots per case; exact test: rate <= alpha")
    for case in CASES:
        found = [aa_p_value(case, j) for j in range(draws)]
        p = np.array([f[0] for f in found])
        m = found[0][1]
        for alpha in (0.05, 0.01):
            k = int((p <= alpha).sum())
            low, high = _wilson(k, draws)
            print(
                f"  {case.name:42s} alpha {alpha:.2f}: {k / draws:6.2%} "
                f"[{low:.2%}, {high:.2%}]  (assignments {m}, exact level "
                f"{np.floor(alpha * m) / m:.2%})"
            )


def parser() -> argparse.ArgumentParser:
    """The command line: how many A/A pilots to draw per case."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "draws", nargs="?", type=int, default=2000, help="A/A pilots per case (default 2000)"
    )
    return p


if __name__ == "__main__":
    main(parser().parse_args().draws)
