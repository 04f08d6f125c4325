"""collect puts a chain together from its stores' KPIs, visits and daily tables only."""

import json

from scenarios import load
from scenarios.overrides import apply_everywhere
from twin.chain_run import COLLECTED, collect, run_chain


def test_collect_reads_only_the_tables_the_chain_needs(tmp_path):
    sc = apply_everywhere(
        load("convenience"), {"arrivals.daily_visitors": 60, "chain": {"stores": 2}}
    )
    before = run_chain(sc, 2, 1, tmp_path, workers=1)
    folders = [tmp_path / "stores" / s for s in ("S001", "S002")]
    others = [p for f in folders for p in f.glob("*.parquet") if p.stem not in COLLECTED]
    assert others, "a store writes more tables than the chain reads"
    for path in others:
        path.write_bytes(b"not parquet")  # would fail to read
    after = collect(sc, 2, 1, folders)
    assert json.dumps(after.summary()) == json.dumps(before.summary())
    assert after.daily.equals(before.daily)
    assert {name for s in after.stores for name in s.tables} == set(COLLECTED)
