"""Random streams: one SeedSequence per run, one named stream per concern.

Streams are keyed by name (and store index), not by the order they were asked
for, so adding a camera's stream never changes when shoppers arrive.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Named, independent ``numpy.random.Generator`` streams under one run seed."""

    def __init__(self, seed: int, path: tuple[int, ...] = ()):
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.seed = seed
        self.path = path

    def generator(self, name: str, *index: int) -> np.random.Generator:
        """A fresh generator for ``name`` (and an optional index, e.g. day and visit).

        The same name and index always give the same stream, whatever else was drawn.
        """
        key = (*self.path, zlib.crc32(name.encode()), *index)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def child(self, index: int) -> Streams:
        """Streams of a sub-unit (a store of a chain, a day), independent of the parent's."""
        return Streams(self.seed, (*self.path, index))
