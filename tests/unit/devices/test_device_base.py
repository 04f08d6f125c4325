import numpy as np
import pytest

from devices.base import Device
from scenarios import load
from scenarios.features import FaultModel
from services.client import InProcessClient
from twin.model import StoreModel
from twin.rng import Streams


class Counter(Device):
    kind = "people_counter"

    def run(self):
        env = self.model.env
        while True:
            yield env.timeout(600)
            self.seen.append(self.report("people", 1.0, 1.0))


@pytest.fixture
def model(db):
    client = InProcessClient(db)
    yield StoreModel(load("convenience"), Streams(1), client)
    client.close()


def test_a_faulty_device_observes_nothing_and_the_run_goes_on(model):
    device = Counter(
        model, "pc-1", (0.0, 0.0), np.random.default_rng(0), FaultModel(mtbf_h=2.0, repair_h=1.0)
    )
    device.seen = []
    device.start()
    model.env.run(until=24 * 3600)
    events = model.log.tables()["device_events"].to_pylist()
    readings = model.log.tables()["readings"].to_pylist()
    assert {e["event"] for e in events} == {"fault", "repaired"}
    assert None in device.seen and 1.0 in device.seen
    assert all(r["truth"] == 1.0 for r in readings)
    assert sum(r["observed"] is None for r in readings) == device.seen.count(None)


def test_a_device_without_faults_never_fails(model):
    device = Counter(model, "pc-2", (0.0, 0.0), np.random.default_rng(0))
    device.seen = []
    device.start()
    model.env.run(until=6 * 3600)
    assert device.seen == [1.0] * 35
    assert "device_events" not in model.log.tables()


def test_fault_model_checks_its_numbers():
    with pytest.raises(ValueError, match="greater than 0"):
        FaultModel(mtbf_h=0)
