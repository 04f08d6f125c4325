"""What a store's queue cameras meet: the twin's own floor, sampled as a camera samples it.

A queue camera in a store does not film an empty floor with a queue on it: it
sees the neighbouring lanes' queues, shoppers browsing the first shelves
(some of them inside its lane's queue area) and people walking past. The
benchmark renders these moments, taken from a run of the store, so the error
rates it measures (and the measured fidelity draws) are those of a camera in
that store, false people on empty lanes included.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from devices.vision.render import Person

if TYPE_CHECKING:
    from scenarios.schema import Scenario

FRAME_EVERY_S = 30.0
"""Seconds between moments: a queue camera's default frame interval (``QueueCameraSpec``)."""


@dataclass(frozen=True)
class StoreMoment:
    """Everyone in the store at ``t`` (with their headings) and each lane's length."""

    t: float
    crowd: tuple[Person, ...]
    lanes: tuple[int, ...]
    """Shoppers at each lane, paying and waiting: a queue camera's truth."""


def store_moments(
    scenario: Scenario, seed: int, days: int = 1, every_s: float = FRAME_EVERY_S
) -> list[StoreMoment]:
    """Run the store for ``days`` and keep a moment every ``every_s`` while cameras film.

    The sampling process only reads the model (it draws no random number), so
    the run is the one ``twin.run(scenario, seed)`` makes. Cameras film while
    the store is open or shoppers are still inside, as ``PeopleCamera`` does.
    """
    from devices.vision.world import people_at
    from services.client import InProcessClient
    from services.db import Database
    from services.db.engine import MEMORY_URL
    from twin.model import StoreModel
    from twin.rng import Streams

    db = Database(MEMORY_URL)
    db.create_schema()
    client = InProcessClient(db)
    moments: list[StoreMoment] = []
    try:
        model = StoreModel(scenario, Streams(seed), client)

        def sample():
            while True:
                yield model.env.timeout(every_s)
                if model.store_open or model.shoppers_inside:
                    t = float(model.env.now)
                    lanes = tuple(len(lane) for lane in model.lanes)
                    moments.append(StoreMoment(t, tuple(people_at(model, t)), lanes))

        model.env.process(sample())
        model.run(days)
    finally:
        client.close()
        db.dispose()
    return moments


@cache
def bench_moments(store: str, seed: int) -> tuple[StoreMoment, ...]:
    """A day of one of the benchmark's stores (``bench_sets.SCENE_STORES``) from ``seed``.

    Kept for the process: the benchmark and the tests ask for the same day often.
    """
    from devices.vision.bench_sets import scene_store

    scenario, _ = scene_store(store)
    return tuple(store_moments(scenario, seed))
