"""Re-measure a shipped people model's count errors and write them into the shipped error table.

The measured fidelity draws from ``devices/vision/assets/error_table.json``.
When the bench's frames change, its people entries are re-scored with::

    python -m devices.vision.training.people_table blazepose --frames 1008 --seed 0

Only the accuracy fields of that model's entry are replaced (its latency is
this machine's and is kept); the other models' entries stay as they are.
"""

from __future__ import annotations

import argparse
import json
import time

from devices.vision.bench import BenchConfig, frame_size, samples
from devices.vision.bench_tasks import score_people
from devices.vision.errors import DEFAULT_TABLE
from devices.vision.registry import builtin

FIELDS = (
    "recall",
    "recall_by_count",
    "count_error_by_count",
    "fp_per_frame",
    "count_error_by_look",
)


def rescore(name: str, frames: int, seed: int) -> dict:
    """The accuracy fields of the error table for built-in people model ``name``."""
    entry = builtin()[name]
    model = entry.build(frame_size(entry), BenchConfig().device)
    shown, results = [], []
    for sample in samples(entry, frames, seed):
        shown.append(sample)
        results.append(model(sample.frame.image))
    score = score_people(shown, results)
    return {k: score[k] for k in FIELDS}


def main() -> None:
    """Re-score one model and rewrite its entry of the shipped table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="A built-in people model (blazepose, topdown).")
    parser.add_argument("--frames", type=int, default=1008)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.process_time()
    fields = rescore(args.model, args.frames, args.seed)
    table = json.loads(DEFAULT_TABLE.read_text(encoding="utf-8"))
    for entry in table["models"]:
        if entry["name"] == args.model:
            entry.update(fields)
            entry["frames"] = args.frames
            entry["seed"] = args.seed
    DEFAULT_TABLE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.model}: {args.frames} frames, seed {args.seed}, "
        f"{time.process_time() - t0:.0f} CPU s"
    )


if __name__ == "__main__":
    main()
