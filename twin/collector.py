"""Fewer garbage collections while a store runs: young objects mostly die young.

A store-day allocates hundreds of thousands of short-lived containers (events,
generator frames, rows); CPython's default generation-0 threshold (700) runs
some seventy young collections a day that find almost nothing, and promotes
the survivors towards the full collections that walk the whole heap. A higher
threshold for the duration of a run lets them die uncollected. The threshold is
process-wide state: ``fewer_collections`` puts back what it found, also when
the run fails, so a caller (a notebook, a test, a Ray worker) keeps its own.
Results do not depend on it: no table reads object addresses or collection
timing (``benchmarks/scripts/table_digests.py`` compares them).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
"""Net container allocations between young collections during a run (CPython's default: 700)."""


@contextmanager
def fewer_collections(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Raise the generation-0 threshold to at least ``young`` inside the block, then restore it."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= young:  # collection off, or the caller set it higher
        yield
        return
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
