"""Independent validation runs only the treated stores it reads, and scores them the same."""

import numpy as np
import pandas as pd
import pytest
import yaml

from scenarios.pilot import matching, parse_pilot
from scenarios.pilot.loader import PILOTS_DIR
from scenarios.pilot.validate import (
    Study,
    TwinStores,
    drawn_chain,
    independent,
    independent_study,
    pilot_seed,
    pilot_stores,
    twin_arms,
)

STUDY = Study(n=3, stores=9, visitors=20, pre_days=2, pilot_days=2)


@pytest.fixture(scope="module")
def pilot():
    """The demo's intervention and chain in a 3 x 2 design (the tests count its stores)."""
    demo = yaml.safe_load((PILOTS_DIR / "self_checkout.yaml").read_text())
    demo["stores"].update(pilot=3, references_per_pilot=2)
    return parse_pilot(demo, source="3 x 2 self_checkout", base_dir=PILOTS_DIR)


def chain_runs(rng, stores=9, days=4, start=2):
    """One synthetic chain: attributes, untreated and treated store-days (effect +50 from start)."""
    ids = [f"S{k:03d}" for k in range(stores)]
    table = pd.DataFrame(
        {
            "daily_visitors": rng.uniform(15, 30, stores),
            "lanes": rng.integers(1, 3, stores),
            "member_share": rng.uniform(0.1, 0.4, stores),
            "region": rng.choice(["north", "south"], stores),
            "format": "convenience",
        },
        index=pd.Index(ids, name="store_id"),
    )
    y = rng.normal(500, 40, (stores, 1)) + rng.normal(0, 20, (stores, days))
    untreated = pd.DataFrame(
        {
            "store_id": np.repeat(ids, days),
            "day": np.tile(np.arange(days), stores),
            "contribution": y.ravel(),
            "door_count": rng.poisson(20, stores * days),
        }
    )
    treated = untreated.assign(
        contribution=untreated["contribution"] + 50.0 * (untreated["day"] >= start)
    )
    return table, untreated, treated


def test_only_each_chains_pilot_stores_run_treated(pilot, tmp_path):
    study = independent_study(pilot, STUDY)
    arms = twin_arms(pilot, study, tmp_path)
    assert study.chains == 3 and study.treated == pilot.spec.stores.pilot == 3
    assert study.store_days == 3 * (9 + 3) * 4 == sum(a.store_days for a in arms)
    for k in range(3):
        untreated, treated = arms[2 * k], arms[2 * k + 1]
        assert len(untreated.store_ids) == 9 and untreated.seed == treated.seed
        assert list(treated.store_ids) == pilot_stores(
            pilot, untreated.store_ids, pilot_seed(pilot, k)
        )
    # Resampling's own study still runs every store treated.
    assert all(len(a.store_ids) == 9 for a in twin_arms(pilot, STUDY, tmp_path))


def test_an_independent_pilot_reads_only_its_pilots_treated_runs(pilot):
    rng = np.random.default_rng(11)
    full = [chain_runs(rng) for _ in range(3)]
    partial = []
    for j, (table, untreated, treated) in enumerate(full):
        chosen = pilot_stores(pilot, list(table.index), pilot_seed(pilot, j))
        partial.append((table, untreated, treated[treated["store_id"].isin(chosen)]))
    rows = independent(pilot, STUDY, full, "contribution")
    same = independent(pilot, STUDY, partial, "contribution")
    pd.testing.assert_frame_equal(rows, same)
    assert list(rows["true_effect"]) == pytest.approx([50.0] * 3)  # pilot days 2, 3 of 4
    for j, (table, *_) in enumerate(partial):
        treated_ids = set(partial[j][2]["store_id"])
        assert set(rows.loc[j, "pilot_stores"].split(",")) == treated_ids
        assert treated_ids == set(
            matching.draw_pilots(sorted(table.index), 3, pilot_seed(pilot, j))
        )


def test_a_resampled_store_takes_its_effect_from_a_store_that_ran_treated():
    rng = np.random.default_rng(12)
    n, days = 12, 4
    effect = np.full((n, days), np.nan)
    effect[:5] = rng.normal(30, 5, (5, days))
    twin = TwinStores(
        "contribution",
        level=rng.normal(500, 50, n),
        day_effects=rng.normal(0, 10, (1, days)),
        chain=np.zeros(n, dtype=int),
        residual=rng.normal(0, 20, (n, days)),
        effect=effect,
        attributes=pd.DataFrame({"store": np.arange(n)}),
    )
    for seed in range(20):
        table, _, treated = drawn_chain(twin, 5, np.random.default_rng(seed))
        assert np.isfinite(treated["contribution"]).all()
        assert set(table["store"]) == set(range(5))
    # With every store treated the draw is the one it always was.
    full = TwinStores(**{**twin.__dict__, "effect": np.nan_to_num(effect, nan=1.0)})
    table, _, _ = drawn_chain(full, 5, np.random.default_rng(3))
    assert list(table["store"]) == list(np.random.default_rng(3).choice(n, size=5, replace=False))
