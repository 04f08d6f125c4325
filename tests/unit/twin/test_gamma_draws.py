"""Service times and tolerances are numpy's gamma draws, number for number."""

import numpy as np
import pytest

from agents.shopper import tolerance
from twin.checkout import gamma


@pytest.mark.parametrize(("mean", "cv"), [(18.0, 0.4), (2.5, 1.0), (300.0, 0.15), (6.0, 2.0)])
def test_gamma_gives_numpys_gamma_numbers(mean, cv):
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    shape = 1.0 / cv**2
    got = [gamma(ours, mean, cv) for _ in range(2000)]
    assert got == [float(numpys.gamma(shape, mean / shape)) for _ in range(2000)]
    assert ours.random() == numpys.random()  # the streams are in the same place after


def test_tolerance_gives_numpys_gamma_numbers():
    ours, numpys = np.random.default_rng(3), np.random.default_rng(3)
    got = [tolerance(ours, 540.0) for _ in range(2000)] + [tolerance(ours, 10.0, 9.0)]
    want = [float(numpys.gamma(4.0, 540.0 / 4.0)) for _ in range(2000)]
    assert got == [*want, float(numpys.gamma(9.0, 10.0 / 9.0))]
