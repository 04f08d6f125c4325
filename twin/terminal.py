"""Shared terminal output for the CLI: consoles, clean errors, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` to stderr; returns the Exit for the caller to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def keep_whole(table: Table, *headers: str) -> Table:
    """Never wrap or cut the cells of these columns (identifiers), however narrow the output.

    Other columns fold instead, so ``storetwin interventions | grep ai_loss_prevention``
    finds the name in a pipe or an 80-column terminal.
    """
    for column in table.columns:
        if column.header in headers:
            column.no_wrap = True
            column.overflow = "ignore"
            column.min_width = max([len(str(c)) for c in column.cells] + [len(str(column.header))])
    return table


def warn(message: str) -> None:
    """Print ``warning: message`` to stderr; the command goes on."""
    err.print(f"[bold yellow]warning:[/] {message}", highlight=False)


@contextmanager
def progress(label: str, quiet: bool = False) -> Iterator[Callable[[float], None] | None]:
    """A progress bar on stderr; yields a callback taking the share done (0..1), or None."""
    if quiet:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
    )
    with bar:
        task = bar.add_task(label, total=1.0)
        yield lambda done: bar.update(task, completed=done)
