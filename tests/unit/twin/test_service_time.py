import numpy as np
import pytest

from scenarios import load
from services.schemas import PaymentMethod
from twin.checkout import ServiceTime


@pytest.fixture
def model() -> ServiceTime:
    return ServiceTime.staffed(load("supermarket").checkout)


def test_payment_means_follow_the_case_figures(model):
    rng = np.random.default_rng(1)
    means = {m: np.mean([model.payment(rng, m) for _ in range(4000)]) for m in PaymentMethod}
    assert means[PaymentMethod.mobile] == pytest.approx(6.0, rel=0.05)
    assert means[PaymentMethod.card] == pytest.approx(18.0, rel=0.05)
    assert means[PaymentMethod.cash] > means[PaymentMethod.card]
    # Mobile takes about two thirds less time than a card.
    assert means[PaymentMethod.mobile] / means[PaymentMethod.card] == pytest.approx(1 / 3, rel=0.1)


def test_service_time_grows_with_items(model):
    rng = np.random.default_rng(2)
    few = np.mean([model.sample(rng, 2, PaymentMethod.card) for _ in range(2000)])
    many = np.mean([model.sample(rng, 20, PaymentMethod.card) for _ in range(2000)])
    assert few == pytest.approx(model.mean(2, PaymentMethod.card), rel=0.05)
    assert many == pytest.approx(model.mean(20, PaymentMethod.card), rel=0.05)
    assert many - few == pytest.approx(18 * model.scan_s_per_item, rel=0.1)


def test_zero_variation_is_deterministic():
    spec = load("supermarket").checkout.model_copy(update={"time_cv": 0.0})
    model = ServiceTime.staffed(spec)
    rng = np.random.default_rng(3)
    assert model.sample(rng, 5, PaymentMethod.mobile) == model.mean(5, PaymentMethod.mobile)


def test_draws_are_positive(model):
    rng = np.random.default_rng(4)
    assert min(model.sample(rng, 1, PaymentMethod.mobile) for _ in range(2000)) > 0
