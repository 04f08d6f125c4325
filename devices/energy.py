"""Energy meter and fridge temperature: lighting and refrigeration load hour by hour.

Fridge doors open when shoppers take chilled or frozen items; each opening
warms the cabinet and costs energy to win back. A cabinet above the alarm
temperature is an event staff must see.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from devices.base import Device
from scenarios.features import Energy
from twin.clock import HOUR, time_of_day

if TYPE_CHECKING:
    from twin.model import StoreModel


class EnergyMeter(Device):
    """The store's meter and its fridge probe, read each hour."""

    kind = "energy_meter"

    def __init__(self, model: StoreModel, spec: Energy, rng: np.random.Generator):
        super().__init__(model, "meter-1", model.plan.entrance, rng)
        self.spec = spec
        self.openings = 0
        self.temperature = spec.setpoint_c
        self.kwh_today = 0.0
        self.alarms = 0

    def door_opened(self, times: int = 1) -> None:
        """Fridge doors were opened ``times`` times."""
        self.openings += times

    def run(self) -> Generator[simpy.Event, object, None]:
        """Each hour: lighting (an hour either side of opening), fridges, temperature."""
        m, spec = self.model, self.spec
        hours = m.scenario.hours
        while True:
            yield m.env.timeout(HOUR)
            tod = time_of_day(m.env.now - 1)
            lit = hours.open_s - HOUR <= tod < hours.close_s + HOUR
            kwh = spec.lighting_kw * lit + spec.fridge_base_kw
            kwh += spec.kw_per_door_opening * self.openings
            excess = self.temperature - spec.setpoint_c
            self.temperature = (
                spec.setpoint_c
                + excess * (1.0 - spec.recovery_per_h)
                + spec.rise_c_per_opening * self.openings
            )
            self.openings = 0
            self.kwh_today += kwh
            self.report("kwh", kwh * (1.0 + self.rng.normal(0.0, 0.01)), kwh)
            self.report("fridge_c", self.temperature + self.rng.normal(0.0, 0.1), self.temperature)
            if self.temperature > spec.alarm_c:
                self.alarms += 1
                self.event("fridge_alarm", f"{self.temperature:.1f} C")
