"""``storetwin frames export``: the twin's labelled frames as a dataset a model tool can read."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from twin.terminal import console, fail, keep_whole, progress

app = typer.Typer(no_args_is_help=True, help="The twin's labelled camera frames.")


class View(StrEnum):
    """Camera views the bench renders."""

    oblique = "oblique"
    top = "top"
    shelf = "shelf"


class Format(StrEnum):
    """Dataset formats."""

    coco = "coco"


class ImageFormat(StrEnum):
    """Image file formats."""

    jpg = "jpg"
    png = "png"


@app.command("export")
def export(
    view: Annotated[
        View,
        typer.Option(
            "--view", help="oblique: queue cameras; top: ceiling cameras; shelf: price tags."
        ),
    ],
    frames: Annotated[int, typer.Option("--frames", min=1, help="Frames to write.")] = 200,
    conditions: Annotated[
        list[str] | None,
        typer.Option(
            "--conditions",
            help="Only frames in these bench condition buckets, e.g. dim,soft or crowd=0 "
            "(buckets of one condition are alternatives; different conditions must all hold).",
        ),
    ] = None,
    format_: Annotated[Format, typer.Option("--format", help="Dataset format.")] = Format.coco,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("ds"),
    seed: Annotated[int, typer.Option(min=0, help="Seed of the rendered frames.")] = 0,
    image_format: Annotated[
        ImageFormat, typer.Option("--image-format", help="jpg (quality 90) or png (lossless).")
    ] = ImageFormat.jpg,
) -> None:
    """Render labelled frames of one view and write images with COCO annotations and truth."""
    from devices.vision.export import ExportError, export_coco, parse_conditions

    try:
        parse_conditions(view.value, conditions or [])
        with progress(f"frames export: {frames} {view.value} frames") as tick:
            summary = export_coco(
                view.value, frames, out, conditions or [], seed, image_format.value, tick
            )
    except ExportError as exc:
        raise fail(str(exc)) from None
    table = Table(title=f"COCO export ({view.value})", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = (
        ("frames", f"{summary.frames:,}"),
        ("annotations", f"{summary.annotations:,}"),
        ("bytes", f"{summary.bytes:,}"),
        ("seconds", f"{summary.seconds:.1f}"),
        ("frames/s", f"{summary.frames_per_s:.1f}"),
        ("CPU seconds", f"{summary.cpu_s:.1f}"),
    )
    for row in rows:
        table.add_row(*row)
    console.print(keep_whole(table, "figure", "value"))
    console.print(
        f"dataset in [bold]{out}[/]: images/, annotations/instances.json ({format_.value})"
    )
