"""The recorder keeps rows in the order they came, whether added one by one or as columns."""

import pyarrow as pa
import pytest

from twin.recorder import BATCH, Recorder

SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.string())])


def test_rows_and_column_blocks_keep_their_order_across_batches():
    rec = Recorder(SCHEMA)
    n = BATCH + 7
    for i in range(n):
        rec.add({"b": f"r{i}", "a": i})  # key order differs from the schema's
    rec.extend({"a": [-1, -2], "b": ["x", "y"]})
    rec.add({"a": n, "b": "last"})
    assert len(rec) == n + 3
    table = rec.table()
    assert table.column("a").to_pylist() == [*range(n), -1, -2, n]
    assert table.column("b").to_pylist()[-4:] == [f"r{n - 1}", "x", "y", "last"]
    assert rec.table().equals(table)  # reading it twice changes nothing


def test_a_single_column_schema():
    rec = Recorder(pa.schema([("t", pa.float64())]))
    rec.add({"t": 1.5})
    rec.add({"t": 2.5})
    assert rec.table().column("t").to_pylist() == [1.5, 2.5]


def test_a_row_without_a_column_of_the_schema_is_refused():
    rec = Recorder(SCHEMA)
    rec.add({"a": 1})
    with pytest.raises(KeyError):
        rec.table()
