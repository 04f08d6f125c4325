"""Column-wise event records that become Arrow tables at the end of a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa


class Recorder:
    """Appends rows to fixed columns; cheap per row, one conversion at the end."""

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        self._columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self._appends = [(name, column.append) for name, column in self._columns.items()]

    def add(self, row: Mapping[str, Any]) -> None:
        """Append one row; every column of the schema must be present."""
        for name, append in self._appends:
            append(row[name])

    def extend(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """Append many rows given column by column (all the same length)."""
        lengths = {len(columns[name]) for name in self._columns}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        for name, column in self._columns.items():
            column.extend(columns[name])

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()), []))

    def table(self) -> pa.Table:
        """The rows so far as an Arrow table."""
        return pa.table(self._columns, schema=self.schema)
