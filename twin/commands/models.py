"""``storetwin bench models``: accuracy and speed of the vision models on the twin's frames."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from twin.terminal import console, fail, keep_whole, progress, warn


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
    from devices.vision.bench import BenchConfig, run
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
    console.print(models_table(result, f"Vision models ({frames} frames each, {device})"))
    for m in result["models"]:
        if m.get("benchmark_app_unreliable"):
            warn(
                f"{m['name']}: benchmark_app's runs before and after the pipeline differ by "
                f"{m['benchmark_app_spread']:.0%} (> 20%): the machine's load changed, so its "
                "speed figures and overhead_ratio are unreliable"
            )
    console.print(
        f"results in [bold]{out}[/]: bench.json, error_table.json, predictions.parquet, index.html"
    )


def models_table(result: dict, title: str) -> Table:
    """The headline figures, one row per figure and one column per model.

    Twelve figures side by side do not fit a terminal; a few models do, so
    names and numbers stay whole in a pipe or an 80-column terminal.
    """
    from devices.vision.bench import SUMMARY

    models = result["models"]
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("figure")
    for m in models:
        table.add_column(str(m["name"]))
    for figure in SUMMARY[1:]:
        table.add_row(figure, *(_cell(m.get(figure)) for m in models))
    return keep_whole(table, "figure", *(str(m["name"]) for m in models))


def _cell(value: object) -> str:
    return "-" if value is None or value == "" else str(value)
