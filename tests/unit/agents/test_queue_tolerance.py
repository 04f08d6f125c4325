import numpy as np

from agents.shopper import BALK_SHAPE, PATIENCE_SHAPE, tolerance


def draws(shape, mean=10.0, n=20000):
    rng = np.random.default_rng(0)
    return np.array([tolerance(rng, mean, shape) for _ in range(n)])


def test_a_short_line_turns_almost_nobody_away():
    accepted = draws(BALK_SHAPE)
    assert abs(accepted.mean() - 10.0) < 0.2
    assert (accepted < 4).mean() < 0.02  # three people ahead and the newcomer
    assert (accepted < 10).mean() > 0.4


def test_balking_is_narrower_than_patience():
    assert (draws(BALK_SHAPE) < 4).mean() < (draws(PATIENCE_SHAPE) < 4).mean() / 3
