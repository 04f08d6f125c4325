"""What the twin knows at time t, in the form cameras need: people and their headings.

Positions come from each shopper's trajectory on demand (architecture rule 2);
a shopper who stands still faces the tills while queuing or paying, and the
shelf otherwise.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from devices.vision.render import Person
from devices.vision.scenes import FACING_TILLS

if TYPE_CHECKING:
    from twin.model import StoreModel

STEP_S = 0.5


def people_at(model: StoreModel, t: float) -> list[Person]:
    """Everyone in the store at ``t``, with the direction they face."""
    from agents.shopper import Shopper, ShopperState

    out = []
    still_states = (ShopperState.QUEUING, ShopperState.PAYING)
    for s in model.agents_by_type.get(Shopper, ()):
        (x0, y0), (x1, y1) = s.trajectory.position(np.array([t - STEP_S, t]))
        if math.hypot(x1 - x0, y1 - y0) > 0.05:
            heading = math.atan2(y1 - y0, x1 - x0)
        elif s.state in still_states:
            heading = FACING_TILLS
        else:
            heading = 0.0 if s.visit_id % 2 else math.pi
        out.append(Person(s.visit_id, float(x1), float(y1), heading))
    return out
