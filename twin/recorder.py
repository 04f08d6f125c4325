"""Column-wise event records that become Arrow tables at the end of a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

import pyarrow as pa

BATCH = 512
"""Rows held as given before they are turned into columns (a bound on the memory they take)."""


class Recorder:
    """Appends rows to fixed columns; cheap per row, one conversion at the end.

    A row is kept as the mapping it came in (one list append) and a batch of
    rows is turned into columns at once (``itemgetter`` and ``zip`` in C),
    instead of one Python-level append per column and row: a visit's row has
    some thirty columns and a store-day some three thousand visits.
    """

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        self._columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self._rows: list[Mapping[str, Any]] = []
        names = schema.names
        self._cells = itemgetter(*names) if names else None
        self._single = len(names) == 1

    def add(self, row: Mapping[str, Any]) -> None:
        """Append one row; every column of the schema must be present."""
        self._rows.append(row)
        if len(self._rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        """Move the rows held so far into the columns, in order."""
        rows, self._rows = self._rows, []
        if not rows or self._cells is None:
            return
        cells = map(self._cells, rows)
        by_column = [list(cells)] if self._single else zip(*cells, strict=True)
        for column, values in zip(self._columns.values(), by_column, strict=True):
            column.extend(values)

    def extend(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """Append many rows given column by column (all the same length)."""
        lengths = {len(columns[name]) for name in self._columns}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._flush()
        for name, column in self._columns.items():
            column.extend(columns[name])

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()), [])) + len(self._rows)

    def table(self) -> pa.Table:
        """The rows so far as an Arrow table."""
        self._flush()
        return pa.table(self._columns, schema=self.schema)
