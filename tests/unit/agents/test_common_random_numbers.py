"""Common random numbers: with or without an intervention, the same people walk in.

A pilot's treated and counterfactual arms share the seed; the difference between
them must come from the intervention, not from different shoppers. Each day's
arrivals are drawn as one block (agents/visitors.py); this checks that arrival i
is the same person in both arms: arrival time, customer, segment, pace, payment
and the list with what they mean to buy.
"""

import numpy as np

from agents.mission import MissionMaker
from agents.visitors import VisitorDraws
from scenarios import load
from scenarios.overrides import apply
from twin.catalog import build_catalog
from twin.model import StoreModel
from twin.rng import Streams
from twin.run import run


def _people(monkeypatch, scenario, seed):
    seen = []
    enter = StoreModel._enter

    def record(model, shopper):
        skus, qty, intend, dwell = shopper.mission.stops()
        seen.append(
            (
                shopper.arrived,
                shopper.customer,
                shopper.segment.name,
                shopper.speed,
                shopper.payment,
                tuple(skus),
                tuple(qty),
                tuple(intend),
                tuple(dwell),
            )
        )
        enter(model, shopper)

    monkeypatch.setattr(StoreModel, "_enter", record)
    result = run(scenario, seed=seed)
    monkeypatch.undo()
    return seen, result


def test_a_shopper_is_the_same_person_with_and_without_an_intervention(monkeypatch):
    base = apply(load("supermarket"), {"arrivals.daily_visitors": 250})
    treated = apply(base, {"interventions": ["self_checkout", "esl"]})
    without, plain = _people(monkeypatch, base, seed=4)
    with_it, changed = _people(monkeypatch, treated, seed=4)
    assert len(without) > 200
    assert with_it == without
    # the intervention did change what happened to them
    tills = changed.frame("visits")["till"]
    assert (tills == "self_checkout").sum() > 20
    assert not changed.tables["visits"].equals(plain.tables["visits"])


def test_arrival_i_is_the_same_whatever_the_count_of_the_day():
    """A busier day adds people after the others; it does not change who the others are."""
    sc = load("supermarket")
    model_streams = Streams(9)
    maker = MissionMaker(sc, build_catalog(sc))
    draws = VisitorDraws(sc.shoppers, maker, model_streams)
    few, many = draws.day(2, 40), draws.day(2, 400)
    rng = np.random.default_rng(0)
    for a, b in zip(few, many[:40], strict=True):
        assert (a.customer_u, a.segment, a.payment, a.speed) == (
            b.customer_u,
            b.segment,
            b.payment,
            b.speed,
        )
        assert a.mission(maker, rng).stops() == b.mission(maker, rng).stops()
    assert draws.day(3, 40)[0].customer_u != few[0].customer_u  # another day, other people
