"""A run raises the young-collection threshold and always puts the caller's back."""

from __future__ import annotations

import gc

import pytest

from scenarios import load
from twin.collector import YOUNG_THRESHOLD, fewer_collections
from twin.run import run


@pytest.fixture
def default_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_threshold_raised_inside_and_restored_after(default_threshold) -> None:
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_threshold_restored_when_the_block_fails(default_threshold) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_or_disabled_threshold_is_left_alone(default_threshold) -> None:
    gc.set_threshold(10 * YOUNG_THRESHOLD, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (10 * YOUNG_THRESHOLD, 5, 5)
    gc.set_threshold(0, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)


def test_a_run_simulates_with_the_raised_threshold(default_threshold) -> None:
    seen: list[int] = []
    run(load("convenience"), seed=1, days=1, progress=lambda _: seen.append(gc.get_threshold()[0]))
    assert seen and set(seen) == {YOUNG_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
