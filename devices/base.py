"""The Device base: identity, position, health, a fault model, and honest reporting.

A device reports what it observed and what was true at that moment. While it
is faulty it observes nothing (``None``), the fault is an event in the log,
and the run goes on: policies that read it must cope.
"""

from __future__ import annotations

from collections.abc import Generator
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import simpy

from scenarios.features import FaultModel
from twin.eventlog import DEVICE_EVENTS, READINGS

if TYPE_CHECKING:
    from twin.model import StoreModel

HOUR = 3600.0


class Health(Enum):
    """Whether a device works."""

    OK = "ok"
    FAULTY = "faulty"


class Device:
    """Base of every device in a store; subclasses override ``run`` for their own loop."""

    kind: ClassVar[str] = "device"

    def __init__(
        self,
        model: StoreModel,
        device_id: str,
        position: tuple[float, float],
        rng: np.random.Generator,
        faults: FaultModel | None = None,
    ):
        self.model = model
        self.device_id = device_id
        self.position = position
        self.rng = rng
        self.faults = faults or FaultModel()
        self.health = Health.OK
        self._readings = model.log.table("readings", READINGS)
        self._events = model.log.table("device_events", DEVICE_EVENTS)

    @property
    def ok(self) -> bool:
        """True while the device works."""
        return self.health is Health.OK

    def start(self) -> None:
        """Start the device's processes on the model's clock."""
        env = self.model.env
        if self.faults.mtbf_h is not None:
            env.process(self._fault_cycle())
        loop = self.run()
        if loop is not None:
            env.process(loop)

    def run(self) -> Generator[simpy.Event, object, None] | None:
        """The device's own SimPy process, if it has one."""
        return None

    def report(self, metric: str, observed: float | None, truth: float) -> float | None:
        """Log a reading; returns what policies may use (``None`` while faulty)."""
        seen = observed if self.ok else None
        self._readings.add(
            {
                "t_s": self.model.env.now,
                "device_id": self.device_id,
                "kind": self.kind,
                "metric": metric,
                "observed": seen,
                "truth": truth,
            }
        )
        return seen

    def event(self, event: str, detail: str = "") -> None:
        """Log a state change of this device."""
        self._events.add(
            {
                "t_s": self.model.env.now,
                "device_id": self.device_id,
                "kind": self.kind,
                "event": event,
                "detail": detail,
            }
        )

    def _fault_cycle(self) -> Generator[simpy.Event, object, None]:
        env, spec = self.model.env, self.faults
        assert spec.mtbf_h is not None
        while True:
            yield env.timeout(self.rng.exponential(spec.mtbf_h * HOUR))
            self.health = Health.FAULTY
            self.event("fault")
            yield env.timeout(self.rng.exponential(spec.repair_h * HOUR))
            self.health = Health.OK
            self.event("repaired")
