"""A queue camera's lane counts against the truth over one store-day, in one fidelity.

Compares measured with real fidelity where it matters, in the store (empty
lanes, shoppers passing by), not on the bench's frames::

    python -m devices.vision.training.instore_counts real 120      # about 4 CPU minutes
    python -m devices.vision.training.instore_counts measured 120

prints JSON: per true count 0-4, the frames and the shares counted exactly, over and under.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from scenarios import load
from scenarios.overrides import apply
from services.client import InProcessClient
from services.db import Database
from services.db.engine import MEMORY_URL
from twin.model import StoreModel
from twin.rng import Streams


def counts(fidelity: str, interval_s: float, scenario: str = "convenience", seed: int = 1) -> dict:
    """One day of the scenario with a queue camera over every lane; its count errors by truth."""
    cams = {
        "fidelity": fidelity,
        "cameras": [{"kind": "queue", "id": "q", "interval_s": interval_s}],
    }
    sc = apply(load(scenario), {"devices.cameras": cams})
    db = Database.from_env(MEMORY_URL)
    db.create_schema()
    client = InProcessClient(db)
    model = StoreModel(sc, Streams(seed), client)
    t0 = time.process_time()
    model.run(1)
    client.close()
    rows = [
        r
        for r in model.log.tables()["readings"].to_pylist()
        if r["device_id"] == "q" and r["observed"] is not None
    ]
    seen = np.array([r["observed"] for r in rows])
    truth = np.array([r["truth"] for r in rows])
    out: dict = {"fidelity": fidelity, "frames": len(rows)}
    out["cpu_s"] = round(time.process_time() - t0, 1)
    for n in range(5):
        pick = truth == n
        if pick.any():
            out[f"n={n}"] = {
                "frames": int(pick.sum()),
                "exact": round(float((seen[pick] == n).mean()), 4),
                "over": round(float((seen[pick] > n).mean()), 4),
                "under": round(float((seen[pick] < n).mean()), 4),
            }
    out["exact_all"] = round(float((seen == truth).mean()), 4)
    return out


def main() -> None:
    """Command line: fidelity, seconds between frames, optional scenario and seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fidelity", choices=["real", "measured", "oracle"])
    parser.add_argument("interval_s", type=float)
    parser.add_argument("--scenario", default="convenience")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(counts(args.fidelity, args.interval_s, args.scenario, args.seed)))


if __name__ == "__main__":
    main()
