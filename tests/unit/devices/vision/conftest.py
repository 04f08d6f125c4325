import pytest

from scenarios import load
from services.client import InProcessClient
from twin.model import StoreModel
from twin.rng import Streams


@pytest.fixture
def store(db, small):
    """A supermarket model with few visitors, its services in a fresh database."""
    client = InProcessClient(db)
    yield StoreModel(small(load("supermarket"), 2500), Streams(3), client)
    client.close()
