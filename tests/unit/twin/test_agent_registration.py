"""The store model's quiet agent registration keeps Mesa's agent sets and Mesa's debug log."""

import logging

import mesa
import numpy as np
import pytest

from scenarios import load
from services.client import InProcessClient
from services.db import Database
from services.db.engine import MEMORY_URL
from twin.model import StoreModel
from twin.rng import Streams


@pytest.fixture
def model():
    db = Database(MEMORY_URL)
    db.create_schema()
    yield StoreModel(load("convenience"), Streams(1), InProcessClient(db))
    db.dispose()


def _sets(model: StoreModel, kind: type) -> tuple[int, int, int]:
    return len(model._agents), len(model.agents), len(model.agents_by_type.get(kind, []))


def test_shoppers_enter_and_leave_mesas_agent_sets(model):
    before = _sets(model, type(model._spawn(np.random.default_rng(0))))
    shoppers = [model._spawn(np.random.default_rng(i)) for i in range(1, 4)]
    kind = type(shoppers[0])
    assert _sets(model, kind) == (before[0] + 3, before[1] + 3, before[2] + 3)
    assert all(s in model.agents and s in model.agents_by_type[kind] for s in shoppers)
    for s in shoppers:
        s.remove()
    assert _sets(model, kind) == before
    assert not any(s in model.agents for s in shoppers)


def test_mesas_debug_log_still_names_each_agent_when_it_is_on(model, caplog):
    with caplog.at_level(logging.DEBUG, logger=mesa.model._mesa_logger.name):
        agent = mesa.Agent(model)
        agent.remove()
    assert f"registered Agent with agent_id {agent.unique_id}" in caplog.text
    assert f"deregistered agent with agent_id {agent.unique_id}" in caplog.text
