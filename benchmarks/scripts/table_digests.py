"""Digests of every table of a set of runs: a speed change that moves no draw leaves them all alone.

Usage: python benchmarks/scripts/table_digests.py --out FILE
       python benchmarks/scripts/table_digests.py --compare BEFORE.json AFTER.json

Run it on the code before and after a change to the twin core (each writes its
JSON), then compare. The cases cover the library's four formats, a multi-day
run, ``--trace``, the serpentine line, a placement what-if and every
intervention of the library (in three groups), so cameras, WiFi, hot zones,
devices and the services' replies all show in some table. Equal digests mean
byte-identical tables and KPIs; a change that legitimately moves draws shows
here first and is then judged with ``seed_kpis.py``. About a minute of CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
from pathlib import Path
from typing import Any

GROUPS = (
    ("self_checkout", "ai_loss_prevention", "esl", "smart_shelf"),
    ("smart_cart", "voice_promoter", "digital_signage", "targeted_coupons"),
    ("promotions", "shelf_camera", "shift_optimizer", "ai_scale"),
)
PLACEMENT = {
    "moves": [
        {"category": "snacks", "fixture": "endcap"},
        {"category": "dairy", "fixture": "eye_level"},
    ]
}
CASES: tuple[tuple[str, dict[str, Any], int, int, bool], ...] = (
    ("supermarket", {}, 7, 1, False),
    ("convenience", {}, 3, 2, False),
    ("department", {}, 1, 1, False),
    ("specialty", {}, 2, 1, False),
    ("convenience", {}, 5, 1, True),
    ("supermarket", {"checkout.queue": "serpentine"}, 4, 1, False),
    *(
        ("convenience", {"interventions": [{"name": n} for n in g]}, 1 + i, 2, False)
        for i, g in enumerate(GROUPS)
    ),
    ("supermarket", {"placement": PLACEMENT}, 4, 2, False),
)
"""(scenario, overrides, seed, days, trace) of each run."""


def digest(result) -> str:
    """SHA-256 (first 16 hex digits) of every table, as Arrow IPC, and of the KPIs."""
    import pyarrow as pa

    h = hashlib.sha256()
    for name in sorted(result.tables):
        table = result.tables[name]
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        h.update(name.encode())
        h.update(sink.getvalue())
    h.update(json.dumps(dict(result.kpis), sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def measure() -> dict[str, dict[str, Any]]:
    """Digest, events, visitors and transactions of each case."""
    from scenarios import load
    from scenarios.overrides import apply
    from twin.run import run

    out = {}
    for name, changes, seed, days, trace in CASES:
        sc = apply(load(name), changes) if changes else load(name)
        result = run(sc, seed=seed, days=days, trace=trace)
        key = f"{name} {json.dumps(changes, sort_keys=True)} seed={seed} days={days} trace={trace}"
        out[key] = {
            "digest": digest(result),
            "events": result.stats["events"],
            "visitors": result.kpis["visitors"],
            "transactions": result.kpis["transactions"],
        }
        print(out[key], key[:100], flush=True)
    return out


def compare(before: dict, after: dict) -> list[str]:
    """One line per case that differs (or is missing on one side); none when all agree."""
    lines = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a != b:
            lines.append(f"differs: {key}\n  before {a}\n  after  {b}")
    return lines


def main() -> None:
    """Measure or compare, as the arguments say."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        found = compare(before, after)
        print("\n".join(found) if found else f"all {len(before)} cases the same byte for byte")
        raise SystemExit(1 if found else 0)
    figures = measure()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
