"""The AI loss-prevention camera over the self-checkout: flags items that leave unscanned."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from devices.base import Device
from scenarios.features import LossPrevention

if TYPE_CHECKING:
    from twin.model import StoreModel


class LossPreventionCamera(Device):
    """Checks each self-checkout transaction; a flag calls the attendant."""

    kind = "loss_prevention_camera"

    def __init__(self, model: StoreModel, spec: LossPrevention, rng: np.random.Generator):
        super().__init__(model, "lp-cam-1", model.plan.checkout_area(), rng)
        self.spec = spec
        self.flags = 0
        self.false_alarms = 0

    def check(self, rng: np.random.Generator, unscanned: dict[int, int]) -> dict[int, int] | None:
        """Units it catches per SKU if it flags the transaction, else None.

        ``rng`` is the shopper's own generator, so the same shopper meets the same
        camera decision in every run that has the camera.
        """
        truth = sum(unscanned.values())
        caught = {sku: int(rng.binomial(q, self.spec.detect_rate)) for sku, q in unscanned.items()}
        n_caught = sum(caught.values())
        false_alarm = truth == 0 and rng.random() < self.spec.false_alarm_rate
        seen = self.report("unscanned_items", float(n_caught), float(truth))
        if seen is None or (n_caught == 0 and not false_alarm):
            return None
        self.flags += 1
        self.false_alarms += int(false_alarm)
        return {s: q for s, q in caught.items() if q}
