"""Re-measure a shipped queue model's count errors and write them into the shipped error table.

The measured fidelity draws from ``devices/vision/assets/error_table.json``.
When the bench's frames change, its people entries are re-scored with::

    python -m devices.vision.training.people_table blazepose --frames 1008 --seed 0 --workers 2

Only the accuracy fields of that model's entry are replaced (its latency is
this machine's and is kept); the other models' entries stay as they are.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import time
from dataclasses import replace

import numpy as np

from devices.vision.bench import BenchConfig, frame_size
from devices.vision.bench_sets import Sample, oblique_samples
from devices.vision.bench_tasks import score_people
from devices.vision.errors import DEFAULT_TABLE
from devices.vision.registry import builtin
from devices.vision.results import Detections

FIELDS = (
    "recall",
    "recall_by_count",
    "count_error_by_count",
    "fp_per_frame",
    "count_error_by_look",
)


def _part(args: tuple[str, int, int, int]) -> list[tuple[Sample, Detections]]:
    """Frames ``lo``..``hi - 1`` and the model's detections (images dropped to travel light)."""
    name, lo, hi, seed = args
    entry = builtin()[name]
    model = entry.build(frame_size(entry), BenchConfig().device)
    out = []
    for sample in oblique_samples(hi, seed, frame_size(entry), first=lo):
        found = model(sample.frame.image)
        out.append((replace(sample, frame=replace(sample.frame, image=np.zeros((1, 1, 3)))), found))
    return out


def rescore(name: str, frames: int, seed: int, workers: int = 1) -> dict:
    """The accuracy fields of the error table for built-in queue model ``name``.

    ``workers`` processes each take a share of the frames (each frame has its
    own random stream, so the frames are the same however they are shared).
    """
    if builtin()[name].view != "oblique":
        raise SystemExit(f"{name} is not a queue (oblique) model")
    cuts = np.linspace(0, frames, workers + 1).round().astype(int)
    jobs = [(name, int(lo), int(hi), seed) for lo, hi in itertools.pairwise(cuts)]
    if workers == 1:
        parts = [_part(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_part, jobs)
    pairs = [pair for part in parts for pair in part]
    score = score_people([s for s, _ in pairs], [d for _, d in pairs])
    return {k: score[k] for k in FIELDS}


def main() -> None:
    """Re-score one model and rewrite its entry of the shipped table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="A built-in people model (blazepose, topdown).")
    parser.add_argument("--frames", type=int, default=1008)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="Processes sharing the frames.")
    args = parser.parse_args()
    t0 = time.time()
    fields = rescore(args.model, args.frames, args.seed, args.workers)
    table = json.loads(DEFAULT_TABLE.read_text(encoding="utf-8"))
    for entry in table["models"]:
        if entry["name"] == args.model:
            entry.update(fields)
            entry["frames"] = args.frames
            entry["seed"] = args.seed
    DEFAULT_TABLE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(f"{args.model}: {args.frames} frames, seed {args.seed}, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
