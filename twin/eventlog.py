"""The run's event log: typed tables of what happened, the truth beside each observation.

Every table has a fixed Arrow schema declared where its rows are made; the log
just keeps them apart and turns them into tables at the end of a run.
"""

from __future__ import annotations

import pyarrow as pa

from twin.recorder import Recorder

READINGS = pa.schema(
    [
        ("t_s", pa.float64()),
        ("device_id", pa.string()),
        ("kind", pa.string()),
        ("metric", pa.string()),
        ("observed", pa.float64()),
        ("truth", pa.float64()),
    ]
)
"""One sensor reading: what the device reported (null while faulty) and what was true."""

DEVICE_EVENTS = pa.schema(
    [
        ("t_s", pa.float64()),
        ("device_id", pa.string()),
        ("kind", pa.string()),
        ("event", pa.string()),
        ("detail", pa.string()),
    ]
)
"""Faults, repairs and other state changes of devices."""


class EventLog:
    """Named Recorders, created on first use with their schema."""

    def __init__(self) -> None:
        self._tables: dict[str, Recorder] = {}

    def table(self, name: str, schema: pa.Schema) -> Recorder:
        """The recorder for ``name``; the schema must match the first use's."""
        recorder = self._tables.get(name)
        if recorder is None:
            recorder = self._tables[name] = Recorder(schema)
        elif recorder.schema != schema:
            raise ValueError(f"event table {name!r} was declared with another schema")
        return recorder

    def tables(self) -> dict[str, pa.Table]:
        """Every non-empty table, by name, in name order."""
        return {name: rec.table() for name, rec in sorted(self._tables.items()) if len(rec)}
