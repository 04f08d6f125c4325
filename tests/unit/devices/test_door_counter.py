"""The door counter draws its uniforms in blocks: the counts of one draw per call, exactly."""

import numpy as np
import pytest

from devices.people_counter import DoorCounter
from scenarios import load
from scenarios.features import FaultModel, PeopleCounter
from services.client import InProcessClient
from twin.model import StoreModel
from twin.rng import Streams


@pytest.fixture
def model(db):
    client = InProcessClient(db)
    yield StoreModel(load("convenience"), Streams(1), client)
    client.close()


def _one_at_a_time(spec: PeopleCounter, rng: np.random.Generator, entries: int) -> int:
    """What ``entered`` counted when every uniform was its own call."""
    seen = 0
    for _ in range(entries):
        if rng.random() >= spec.miss_rate:
            seen += 1 + int(rng.random() < spec.double_rate)
    return seen


@pytest.mark.parametrize("faults", [FaultModel(), FaultModel(mtbf_h=3.0)])
def test_counts_are_those_of_one_draw_per_call(model, faults):
    spec = PeopleCounter(miss_rate=0.3, double_rate=0.2, faults=faults)
    door = DoorCounter(model, spec, np.random.default_rng(42))
    for _ in range(1000):  # several blocks, and a part of one
        door.entered()
    assert door.true == 1000
    assert door.seen == _one_at_a_time(spec, np.random.default_rng(42), 1000)
    assert (door._uniform == door.rng.random) is (faults.mtbf_h is not None)
