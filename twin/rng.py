"""Random streams: one SeedSequence per run, one named stream per concern.

Streams are keyed by name (and store index), not by the order they were asked
for, so adding a camera's stream never changes when shoppers arrive.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np
from numpy.random.bit_generator import ISeedSequence


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
        return np.random.default_rng(self._sequence(name, *index))

    def generators(self, name: str, count: int, *index: int) -> Iterator[np.random.Generator]:
        """``count`` independent generators for ``name`` (e.g. one per visit of a day), made lazily.

        The i-th is the same whatever ``count`` is. A SeedSequence per generator
        costs about 30 us inside a run, too much for one per visit; these take
        their seed words from one SeedSequence's output instead, at about 1 us each.
        """
        words = _state_words(self._sequence(name, *index), 4 * count)
        for seed in words.reshape(count, 4):
            yield np.random.Generator(np.random.PCG64(_SeedWords(seed)))

    def _sequence(self, name: str, *index: int) -> np.random.SeedSequence:
        key = (*self.path, zlib.crc32(name.encode()), *index)
        return np.random.SeedSequence(self.seed, spawn_key=key)

    def chain(self) -> Streams:
        """The streams every store of the run shares: what HQ decides once for the whole chain."""
        return Streams(self.seed)

    def child(self, index: int) -> Streams:
        """Streams of a sub-unit (a store of a chain, a day), independent of the parent's."""
        return Streams(self.seed, (*self.path, index))


_INIT_B, _MULT_B, _XSHIFT = 0x8B51F9DD, 0x58F38DED, 16  # numpy's SeedSequence output hash
_UINT64 = np.dtype(np.uint64)


def _state_words(seq: np.random.SeedSequence, n_words: int) -> np.ndarray:
    """``seq.generate_state(n_words, np.uint64)``, hashed as arrays rather than word by word.

    numpy's loop assigns each 32-bit word into the array on its own, some 2,200
    instructions a word: 8,900 of a visit's generator. Word i is the pool's word
    i mod 4, hashed with the i-th power of a constant; here every power at once.
    The first words are checked against numpy's own, which is used if they differ.
    """
    n = 2 * n_words
    h = np.full(n + 1, _MULT_B, np.uint32)
    h[0] = _INIT_B
    h = np.multiply.accumulate(h, dtype=np.uint32)  # mod 2**32, as numpy's uint32_t
    # the pool over and over: ``np.resize`` concatenates one copy of it per four words
    # (a day's visits: 6,000 arrays, some 8.7 M instructions), ``np.tile`` repeats it once
    pool = seq.pool
    data = np.tile(pool, -(-n // len(pool)))[:n] ^ h[:-1]
    data *= h[1:]
    data ^= data >> _XSHIFT
    words = data.astype("<u4").view("<u8").astype(np.uint64)
    head = min(n_words, 4)
    if not np.array_equal(words[:head], seq.generate_state(head, np.uint64)):
        return seq.generate_state(n_words, np.uint64)
    return words


class _SeedWords(ISeedSequence):
    """Seed words drawn in advance, given to one bit generator (PCG64 asks for four)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        words = self.words
        if dtype is np.uint64 and words.dtype is _UINT64 and n_words == len(words):
            return words  # what PCG64 asks, once a visit: tested without making a dtype
        if n_words != len(self.words) or np.dtype(dtype) != self.words.dtype:
            have, want = f"{len(self.words)} {self.words.dtype}", f"{n_words} {np.dtype(dtype)}"
            raise ValueError(f"drawn {have} seed words, asked for {want}")
        return self.words
