"""Shared terminal output for the CLI: consoles, clean errors, progress bars."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import typer
import typer.rich_utils
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` to stderr; returns the Exit for the caller to raise.

    The message is printed as written: brackets in it (``interventions=[esl]``) are not
    markup, and a long path is not broken across lines, so it can be copied.
    """
    _say("[bold red]error:[/]", message)
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


def keep_figures(table: Table, *headers: str) -> Table:
    """Never cut or wrap the cells of these columns (figures).

    A header may break at a newline in it ("true" over "effect"). Print such a
    table with ``print_whole``: a figure cut to ``+1,090.…`` is a wrong figure.
    """
    for column in table.columns:
        if column.header in headers:
            lines = str(column.header).split("\n")
            column.no_wrap = True
            column.min_width = max([len(str(c)) for c in column.cells] + [len(x) for x in lines])
    return table


def print_whole(table: Table) -> None:
    """Print a table at least as wide as its whole cells need, never cropped.

    In a pipe (80 columns) or a narrow terminal its lines then run long, and a
    terminal wraps them, rather than rich squeezing the table and cutting cells.
    """
    need = Measurement.get(console, console.options.update_width(10_000), table).minimum
    if need > console.width:
        table.width = need
    console.print(table, crop=False)


def warn(message: str) -> None:
    """Print ``warning: message`` to stderr, as written (like ``fail``); the command goes on."""
    _say("[bold yellow]warning:[/]", message)


def _say(label: str, message: str) -> None:
    err.print(f"{label} {escape(message)}", highlight=False, soft_wrap=True)


# Typer 0.29 carries its own copy of click; older ones raise click's exceptions.
_USAGE = (click.ClickException, typer.exceptions.TyperException)
_ABORT = (click.Abort, typer.Abort)
_PATHS = (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)


PIPE_HELP_WIDTH = 120
"""Columns of ``--help`` printed to a pipe: at rich's 80, typer cut the options' examples
(``interventions=[self_che…``, ``checkout.lanes=3,4,5…``)."""


_TYPER_WIDTH = typer.rich_utils.MAX_WIDTH  # typer's own: $TERMINAL_WIDTH, else None


def _help_fits_a_pipe() -> None:
    """``storetwin X --help | less`` shows every example whole.

    Only for a pipe: a terminal keeps its own width, and $COLUMNS or typer's
    $TERMINAL_WIDTH still win. Set afresh on every call, so it never outlives one.
    """
    pipe = _TYPER_WIDTH is None and not os.environ.get("COLUMNS") and not sys.stdout.isatty()
    typer.rich_utils.MAX_WIDTH = PIPE_HELP_WIDTH if pipe else _TYPER_WIDTH


class Commands(TyperGroup):
    """The command group: every error, a mistyped option too, starts with ``error:``."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the CLI; usage errors are printed as ``error: ...`` with where to get help."""
        _help_fits_a_pipe()
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except _USAGE as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
                return super().main(*args, standalone_mode=True, **kwargs)  # prints the help
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "storetwin"
            # pydantic's prefix on a choice typer checked: "'--step': Value error, 'foo' is not"
            message = exc.format_message().replace(": Value error, ", ": ")
            _say("[bold red]error:[/]", f"{message} (see `{where} --help`)")
            sys.exit(getattr(exc, "exit_code", 2))
        except _ABORT:
            err.print("[bold red]error:[/] aborted", highlight=False)
            sys.exit(1)
        except _PATHS as exc:  # `--out` naming a file: a traceback once the runs had finished
            _say("[bold red]error:[/]", f"{exc.strerror}: {exc.filename} (check --out)")
            sys.exit(2)
        sys.exit(result if isinstance(result, int) else 0)


@contextmanager
def progress(
    label: str, quiet: bool = False, store_days: int | None = None
) -> Iterator[Callable[[float], None] | None]:
    """A progress bar on stderr; yields a callback taking the share done (0..1), or None.

    With ``store_days`` the bar also counts them: ``12/40 store-days``.
    """
    if quiet:
        yield None
        return
    count = [TextColumn("{task.fields[count]}")] if store_days else []
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        *count,
        TimeElapsedColumn(),
        console=err,
    )

    def counted(done: float) -> str:
        return f"{round(done * store_days):,}/{store_days:,} store-days" if store_days else ""

    with bar:
        task = bar.add_task(label, total=1.0, count=counted(0.0))
        yield lambda done: bar.update(task, completed=done, count=counted(done))
