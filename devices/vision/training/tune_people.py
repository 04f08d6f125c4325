"""Choose a people detector's score threshold and NMS overlap on rendered queue frames.

The network runs once per frame; every (threshold, overlap) pair then only
re-decodes the saved outputs, so a sweep costs one benchmark pass. Tune on a
seed other than the benchmark's (0) and check the choice there::

    python -m devices.vision.training.tune_people --seed 1 --frames 300
    python -m devices.vision.training.tune_people --seed 0 --frames 300

The choice is the lowest count error among the settings that keep precision
at or above ``--min-precision`` (a counter that sees ghosts opens lanes for
nobody). The shipped BlazePose settings in ``devices.vision.registry`` came
from this.
"""

from __future__ import annotations

import argparse
from itertools import product

from devices.vision.bench import frame_size, samples
from devices.vision.bench_tasks import score_people
from devices.vision.registry import builtin

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
OVERLAPS = (0.2, 0.3, 0.4)


def sweep(name: str, seed: int, frames: int) -> list[dict]:
    """Count MAE, recall and precision for every threshold and overlap, best MAE first."""
    entry = builtin()[name]
    model = entry.spec.build(entry.path, frame_size(entry))
    shots, raw = [], []
    for sample in samples(entry, frames, seed):
        tensors, meta = model.preprocess(sample.frame.image)
        raw.append((model.infer_all(tensors), meta))
        shots.append(sample)
    rows = []
    for threshold, iou in product(THRESHOLDS, OVERLAPS):
        model.threshold, model.iou = threshold, iou
        score = score_people(shots, [model.postprocess(out, meta) for out, meta in raw])
        rows.append(
            {
                "threshold": threshold,
                "iou": iou,
                **{k: score[k] for k in ("count_mae", "recall", "precision")},
            }
        )
    return sorted(rows, key=lambda r: (r["count_mae"], -r["recall"]))


def main() -> None:
    """Print the sweep as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="blazepose")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--min-precision", type=float, default=0.9)
    args = parser.parse_args()
    rows = sweep(args.model, args.seed, args.frames)
    print(f"{'threshold':>9} {'iou':>4} {'count_mae':>9} {'recall':>7} {'precision':>9}")
    for r in rows:
        print(
            f"{r['threshold']:>9} {r['iou']:>4} {r['count_mae']:>9} "
            f"{r['recall']:>7} {r['precision']:>9}"
        )
    chosen = next((r for r in rows if r["precision"] >= args.min_precision), None)
    print(f"chosen (precision >= {args.min_precision}): {chosen}")


if __name__ == "__main__":
    main()
