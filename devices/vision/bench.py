"""``storetwin bench models``: accuracy against the truth and speed against benchmark_app.

For each model: score it on rendered, labelled frames of its view, broken down
by condition; time the sync pipeline per frame (p50/p99), the async pipeline
(AsyncInferQueue, rendering included), rendering alone, and OpenVINO's own
``benchmark_app`` on the same network in the same run. The results go to
bench.json (and the error table the measured fidelity reads).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devices.vision.bench_sets import Sample, oblique_samples, shelf_samples, top_samples
from devices.vision.metrics import rate
from devices.vision.models.base import Model
from devices.vision.registry import Entry

TARGET_FPS = 5.0
"""Per-stream frame rate for the stream-density figure."""

UNRELIABLE_SPREAD = 0.2
"""benchmark_app's runs before and after the pipeline differing by more than this share of
their mean: the machine's load changed meanwhile, and the speed figures are flagged."""

Tick = Callable[[float], None]
"""Progress callback: the share of the work done, 0..1."""


@dataclass(frozen=True)
class BenchConfig:
    """How much to run: frames per model, device, seed, benchmark_app seconds."""

    frames: int = 300
    device: str = "CPU"
    seed: int = 0
    benchmark_app_s: int = 10


def frame_size(entry: Entry) -> tuple[int, int]:
    """The frame size of the view a model is benchmarked on."""
    return {"oblique": (640, 480), "top": (320, 320), "shelf": (960, 544)}[entry.view]


def samples(entry: Entry, n: int, seed: int, installed: bool = False) -> Iterator[Sample]:
    """Labelled frames of the model's view.

    With ``installed`` the cameras keep their poses from frame to frame, as
    cameras in a store do (their scenery is drawn once), for timing the pipeline.
    """
    if entry.view == "oblique":
        return oblique_samples(n, seed, frame_size(entry))
    if entry.view == "top":
        return top_samples(n, seed, poses=4 if installed else 0)
    return shelf_samples(n, seed)


def bench_model(entry: Entry, model: Model, config: BenchConfig, tick: Tick | None = None) -> dict:
    """Every figure for one model: accuracy by condition, then speed."""
    import pandas as pd

    from devices.vision.bench_tasks import prediction_rows, score_ocr, score_people
    from devices.vision.report_errors import error_examples

    n = config.frames
    frames: list[Sample] = []
    results = []
    for i, sample in enumerate(samples(entry, n, config.seed)):
        frames.append(sample)
        results.append(model(sample.frame.image))
        if tick:
            tick(0.5 * (i + 1) / n)
    people = entry.task.value == "people"
    accuracy = (score_people if people else score_ocr)(frames, results)
    rows = prediction_rows(entry.name, frames, results)
    examples = error_examples(pd.DataFrame(rows), [s.frame.image for s in frames]) if people else []
    speed = measure_speed(entry, model, config, tick)
    return {
        "predictions": rows,
        "examples": examples,
        "name": entry.name,
        "task": entry.task.value,
        "view": entry.view,
        "file": str(entry.path),
        **speed,
        **accuracy,
        "frames": n,
    }


def measure_speed(entry: Entry, model: Model, config: BenchConfig, tick: Tick | None) -> dict:
    """Sync latency, render time, async throughput with and without rendering, benchmark_app.

    benchmark_app runs just before and just after the pipeline's timing (see
    ``benchmark_app_figures``). The frames come from installed cameras (fixed
    poses). ``fps`` is the whole
    camera pipeline: each frame rendered while earlier requests run in the
    AsyncInferQueue; ``fps_prerendered`` is the same without rendering.
    """
    tm = model.timings
    per_frame = np.array(tm.per_frame) * 1000
    requests_per_frame = tm.requests / max(tm.calls, 1)
    n = config.frames
    render_s, images = [], []
    it = samples(entry, n, config.seed + 1, installed=True)
    for _ in range(n):
        t0 = time.perf_counter()
        images.append(next(it).frame.image)
        render_s.append(time.perf_counter() - t0)
    before = benchmark_app_runs(model, config)
    count = [0]

    def done() -> None:
        count[0] += 1
        if tick:
            tick(0.5 + 0.25 * count[0] / n)

    t0 = time.perf_counter()
    model.stream(iter(images), done=done)
    fps_prerendered = n / (time.perf_counter() - t0)
    rendered = (s.frame.image for s in samples(entry, n, config.seed + 1, installed=True))
    t0 = time.perf_counter()
    model.stream(rendered, done=done)
    fps = n / (time.perf_counter() - t0)
    ba = benchmark_app_figures(before, benchmark_app_runs(model, config))
    infer_rate = fps * requests_per_frame
    calls = max(tm.calls, 1)
    render_ms = 1000 * float(np.median(render_s))
    pre_ms, infer_ms, post_ms = (
        1000 * v / calls for v in (tm.preprocess, tm.infer, tm.postprocess)
    )
    return {
        "latency_ms_p50": round(float(np.percentile(per_frame, 50)), 2),
        "latency_ms_p99": round(float(np.percentile(per_frame, 99)), 2),
        "fps": round(fps, 2),
        "fps_prerendered": round(fps_prerendered, 2),
        "requests_per_frame": round(requests_per_frame, 2),
        "inferences_per_s": round(infer_rate, 2),
        **ba,
        "overhead_ratio": (
            round(ba["benchmark_app_frame_fps"] / fps, 3) if ba["benchmark_app_frame_fps"] else None
        ),
        "render_ms": round(render_ms, 2),
        "preprocess_ms": round(pre_ms, 2),
        "infer_ms": round(infer_ms, 2),
        "postprocess_ms": round(post_ms, 2),
        "overhead_share": round(
            (render_ms + pre_ms + post_ms) / (render_ms + pre_ms + infer_ms + post_ms), 3
        ),
        "streams_at_target_fps": int(fps // TARGET_FPS),
        "target_fps": TARGET_FPS,
    }


def benchmark_app(path: Path, shape: list[int] | None, config: BenchConfig) -> float | None:
    """OpenVINO's benchmark_app throughput (FPS) for one network, or None if it cannot run."""
    exe = shutil.which("benchmark_app") or str(Path(sys.executable).with_name("benchmark_app"))
    if not Path(exe).exists():
        return None
    cmd = [exe, "-m", str(path), "-d", config.device, "-t", str(config.benchmark_app_s)]
    cmd += ["-hint", "throughput"]
    if config.device == "CPU":
        cmd += ["-infer_precision", "f32"]  # as the pipeline compiles it (models.base)
    if shape is not None:
        from devices.vision.models.base import read_model

        cmd += ["-shape", f"{read_model(path).inputs[0].any_name}[{','.join(map(str, shape))}]"]
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=config.benchmark_app_s + 120
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"Throughput:\s+([\d.]+)\s*FPS", out.stdout)
    return round(float(found.group(1)), 2) if found else None


def benchmark_app_runs(model: Model, config: BenchConfig) -> list[dict]:
    """benchmark_app on every network a frame runs: file, shape, items per frame, FPS."""
    return [
        {
            "file": Path(path).name,
            "shape": shape,
            "items_per_frame": per_frame,
            "fps": benchmark_app(path, shape, config),
        }
        for path, shape, per_frame in model.networks()
    ]


def benchmark_app_figures(before: list[dict], after: list[dict]) -> dict:
    """benchmark_app's figures, from one run before the pipeline's timing and one after.

    Each network's ``fps`` is the mean of the two (both are kept): on a shared
    machine the load drifts, and bracketing the pipeline's timing keeps the
    ratio from carrying that drift. ``benchmark_app_fps`` is the first
    (per-frame) network's figure; ``benchmark_app_frame_fps`` = 1 / sum(items per
    frame / FPS) over all networks, the most frames per second the networks
    allow without any pipeline around them. When a network's two runs differ by
    more than ``UNRELIABLE_SPREAD`` of their mean, ``benchmark_app_unreliable``
    is set: the load changed meanwhile, so the speed figures are not to be trusted.
    """
    runs = []
    for a, b in zip(before, after, strict=True):
        fps = round((a["fps"] + b["fps"]) / 2, 2) if a["fps"] and b["fps"] else None
        spread = round(abs(a["fps"] - b["fps"]) / fps, 3) if fps else None
        runs.append(
            {**a, "fps": fps, "fps_before": a["fps"], "fps_after": b["fps"], "spread": spread}
        )
    ok = all(r["fps"] for r in runs)
    frame_fps = 1.0 / sum(r["items_per_frame"] / r["fps"] for r in runs) if ok else None
    spreads = [r["spread"] for r in runs if r["spread"] is not None]
    return {
        "benchmark_app_fps": runs[0]["fps"],
        "benchmark_app_frame_fps": round(frame_fps, 2) if frame_fps else None,
        "benchmark_app_spread": max(spreads) if spreads else None,
        "benchmark_app_unreliable": any(s > UNRELIABLE_SPREAD for s in spreads),
        "benchmark_app": runs,
    }


def by_condition(rows: list[tuple[dict[str, str], dict[str, float]]]) -> dict[str, dict[str, dict]]:
    """Sum per-frame tallies into condition -> bucket -> rates."""
    sums: dict[str, dict[str, defaultdict]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(float))
    )
    for labels, tally in rows:
        for key, value in labels.items():
            for name, x in tally.items():
                sums[key][value][name] += x
    return {
        key: {bucket: finish(t) for bucket, t in sorted(buckets.items())}
        for key, buckets in sums.items()
    }


MIN_SAMPLES = 30
"""Fewer people (recall) or frames (count error) than this in a bucket: its figures are flagged."""


def wilson(k: float, n: float, z: float = 1.96) -> list[float] | None:
    """95% Wilson interval of a share k / n (sound at 0 or 1 and for small n); None for n = 0."""
    if not n:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(centre - half, 0.0), 4), round(min(centre + half, 1.0), 4)]


def mean_ci(total: float, squares: float, n: float, z: float = 1.96) -> list[float] | None:
    """95% normal interval of a mean from its sum and sum of squares; None below 2 values."""
    if n < 2:
        return None
    mean = total / n
    sd = math.sqrt(max(squares / n - mean * mean, 0.0) * n / (n - 1))
    half = z * sd / math.sqrt(n)
    return [round(max(mean - half, 0.0), 4), round(mean + half, 4)]


def finish(t: dict[str, float]) -> dict[str, float | list[float] | bool | None]:
    """Rates from summed tallies (people or OCR), each with its sample size and 95% CI.

    ``too_few`` is set where the bucket has fewer than ``MIN_SAMPLES`` people
    (or tags) and frames: its rates are shown, but not to be read alone.
    """
    if "tags" in t:
        return {
            "exact_price_rate": rate(t["price_ok"], t["tags"]),
            "exact_price_rate_ci": wilson(t["price_ok"], t["tags"]),
            "exact_name_rate": rate(t["name_ok"], t["tags"]),
            "tags": int(t["tags"]),
            "frames": int(t.get("frames", 0)),
            "too_few": t["tags"] < MIN_SAMPLES,
        }
    people = t["hit"] + t["miss"]
    out = {
        "recall": rate(t["hit"], people),
        "recall_ci": wilson(t["hit"], people),
        "precision": rate(t["hit"], t["hit"] + t["extra"]),
        "count_mae": rate(t["abs_err"], t["frames"]),
        "count_mae_ci": mean_ci(t["abs_err"], t.get("abs_err_sq", 0.0), t["frames"]),
        "exact_count_rate": rate(t["exact"], t["frames"]),
        "people": int(people),
        "frames": int(t["frames"]),
    }
    out["too_few"] = (people < MIN_SAMPLES) and (t["frames"] < MIN_SAMPLES)
    return out


def _part(tick: Tick, k: int, n: int) -> Tick:
    """Progress of the k-th of n equal parts of the work."""
    return lambda done: tick((k + done) / n)


SUMMARY = (
    "name",
    "task",
    "latency_ms_p50",
    "latency_ms_p99",
    "fps",
    "benchmark_app_fps",
    "benchmark_app_frame_fps",
    "overhead_ratio",
    "recall",
    "precision",
    "count_mae",
    "exact_price_rate",
)
"""The headline columns of bench.json, in the order tables show them."""


def run(
    config: BenchConfig,
    out: Path,
    model_file: Path | None = None,
    adapter_name: str | None = None,
    tick: Tick | None = None,
) -> dict:
    """Benchmark the built-in models (or one file with its adapter); write the results to ``out``.

    Writes ``bench.json``, ``error_table.json`` (what the measured fidelity
    reads), ``predictions.parquet`` (every frame's predictions beside its
    truth and condition) and ``index.html``.
    """
    import json
    import platform

    import openvino as ov
    import pandas as pd

    from devices.vision.registry import builtin, describe
    from devices.vision.report import write_html

    if config.frames < 1:
        raise ValueError(f"frames must be >= 1, got {config.frames}")
    if model_file is not None:
        entries = [describe(model_file, adapter_name or "people")]
    else:
        entries = [e for e in builtin().values() if e.path.is_file()]
    models = []
    predictions: list[dict] = []
    examples: dict[str, list[dict]] = {}
    for k, entry in enumerate(entries):
        model = entry.build(frame_size(entry), config.device)
        share = None if tick is None else _part(tick, k, len(entries))
        result = bench_model(entry, model, config, share)
        predictions += result.pop("predictions")
        examples[entry.name] = result.pop("examples")
        models.append(result)
    bench = {
        "openvino": ov.__version__,
        "device": f"{config.device} ({platform.processor() or platform.machine()})",
        "frames": config.frames,
        "seed": config.seed,
        "target_fps": TARGET_FPS,
        "models": models,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(bench, indent=2), encoding="utf-8")
    rows = pd.DataFrame(predictions)
    rows.to_parquet(out / "predictions.parquet", index=False)
    keep = (
        "name",
        "task",
        "latency_ms_p50",
        "recall",
        "recall_by_count",
        "count_error_by_count",
        "count_error_by_look",
        "fp_per_frame",
        "exact_price_rate",
        "no_read_rate",
    )
    table = {
        "source": "storetwin bench models",
        "frames": config.frames,
        "seed": config.seed,
        "models": [{k: m[k] for k in keep if k in m} for m in models],
    }
    (out / "error_table.json").write_text(json.dumps(table, indent=2), encoding="utf-8")
    write_html(bench, out / "index.html", rows, examples)
    return bench
