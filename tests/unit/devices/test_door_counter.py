"""The door counter draws the same uniforms in the same order, in blocks or one at a time."""

import numpy as np
import pytest

from devices.people_counter import DoorCounter
from scenarios import load
from scenarios.features import FaultModel
from services.client import InProcessClient
from twin.model import StoreModel
from twin.rng import Streams


@pytest.fixture
def model(db):
    client = InProcessClient(db)
    yield StoreModel(load("convenience"), Streams(1), client)
    client.close()


def _scalar_counts(seed: int, people: int, miss: float, double: float) -> int:
    rng = np.random.default_rng(seed)
    seen = 0
    for _ in range(people):
        if rng.random() >= miss:
            seen += 1 + int(rng.random() < double)
    return seen


@pytest.mark.parametrize("mtbf_h", [None, 1e9])
def test_the_door_sees_what_one_draw_at_a_time_would_see(model, mtbf_h):
    spec = load("convenience").devices.people_counter.model_copy(
        update={"miss_rate": 0.3, "double_rate": 0.2, "faults": FaultModel(mtbf_h=mtbf_h)}
    )
    door = DoorCounter(model, spec, np.random.default_rng(11))
    for _ in range(1000):  # several blocks of draws
        door.entered()
    assert door.true == 1000
    assert door.seen == _scalar_counts(11, 1000, 0.3, 0.2)
