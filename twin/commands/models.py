"""``storetwin bench models``: accuracy and speed of the vision models on the twin's frames."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twin.terminal import console, fail, progress


def bench_models(
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A model file of your own: .xml, .onnx or .tflite."),
    ] = None,
    adapter: Annotated[
        str | None,
        typer.Option(
            "--adapter",
            help="people, ocr, an adapter .yaml, or package.module:factory (needed with --model).",
        ),
    ] = None,
    frames: Annotated[
        int, typer.Option("--frames", min=1, help="Labelled frames per model.")
    ] = 300,
    device: Annotated[str, typer.Option("--device", help="OpenVINO device.")] = "CPU",
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("bench"),
    seed: Annotated[int, typer.Option(min=0, help="Seed of the rendered frames.")] = 0,
    benchmark_app_s: Annotated[
        int,
        typer.Option(
            "--benchmark-app-s",
            min=1,
            help="Seconds per benchmark_app run (one before, one after the pipeline timing).",
        ),
    ] = 10,
) -> None:
    """Score the vision models against the twin's truth and time them against benchmark_app."""
    from rich.table import Table

    from devices.vision.bench import SUMMARY, BenchConfig, run
    from devices.vision.models.base import ModelError

    if adapter is not None and model is None:
        raise fail("--adapter needs --model")
    if model is not None and adapter is None:
        raise fail("--model needs --adapter (people, ocr or an adapter .yaml)")
    config = BenchConfig(frames=frames, device=device, seed=seed, benchmark_app_s=benchmark_app_s)
    try:
        with progress(f"bench models: {frames} frames each") as tick:
            result = run(config, out, model, adapter, tick)
    except (ModelError, ValueError) as exc:
        raise fail(str(exc)) from None
    table = Table(title=f"Vision models ({frames} frames each, {device})")
    for column in SUMMARY:
        table.add_column(column)
    for m in result["models"]:
        table.add_row(*(str(m.get(c, "")) for c in SUMMARY))
    console.print(table)
    console.print(f"results in [bold]{out}[/]: bench.json, error_table.json, index.html")
