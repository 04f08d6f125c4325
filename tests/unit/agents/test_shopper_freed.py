"""A finished visit's shopper is freed at once, not left for the garbage collector.

A shopper in a reference cycle (say, one holding a bound method of itself)
lives on until a collection, and each collection walks every such shopper of
the day: tried in session 9, it cost a supermarket day some 69 M instructions
under callgrind, most of it in the collector.
"""

import gc

from agents.shopper import Shopper
from scenarios import load
from scenarios.overrides import apply
from twin.run import run


def test_no_shopper_outlives_its_visit_without_a_collection():
    sc = apply(load("convenience"), {"arrivals.daily_visitors": 60})
    gc.collect()
    # Other tests in this process may still hold shoppers of their own runs.
    before = {id(o) for o in gc.get_objects() if type(o) is Shopper}
    gc.disable()
    try:
        result = run(sc, seed=1, days=1)
        alive = [o for o in gc.get_objects() if type(o) is Shopper and id(o) not in before]
    finally:
        gc.enable()
    assert result.kpis["visitors"] > 40
    assert alive == []
