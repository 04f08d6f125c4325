"""The team's precomputed roster answers as the scenario's own ``Staff.on_shift`` does."""

from types import SimpleNamespace

import pytest

from agents.staff import Team
from scenarios import load
from scenarios.interventions import resolve
from scenarios.overrides import apply
from scenarios.staffing import Role
from twin.clock import DAY, day_of, time_of_day


def _first_shift_on_day_one_only():
    sc = load("supermarket")
    shifts = list(sc.staff.shifts)
    shifts[0] = shifts[0].model_copy(update={"from_day": 1, "until_day": 2})
    return sc.model_copy(update={"staff": sc.staff.model_copy(update={"shifts": shifts})})


@pytest.mark.parametrize(
    "scenario",
    [
        load("supermarket"),
        resolve(apply(load("convenience"), {"interventions": [{"name": "shift_optimizer"}]})),
        _first_shift_on_day_one_only(),
    ],
    ids=["supermarket", "convenience+shift_optimizer", "a shift on day 1 only"],
)
def test_on_duty_is_the_rosters_on_shift_at_every_quarter_hour(scenario):
    team = Team(SimpleNamespace(scenario=scenario))
    staff = scenario.staff
    for t in range(0, 3 * DAY, 900):
        for role in Role:
            assert team.on_duty(role, t) == staff.on_shift(role, day_of(t), time_of_day(t))
