import pytest

from twin.rng import Streams


def test_named_streams_do_not_depend_on_order():
    a = Streams(7)
    first = a.generator("arrivals").random(3)
    b = Streams(7)
    b.generator("cameras").random(10)
    assert (b.generator("arrivals").random(3) == first).all()


def test_streams_differ_by_name_seed_and_child():
    s = Streams(7)
    draws = {
        "arrivals": s.generator("arrivals").random(),
        "missions": s.generator("missions").random(),
        "seed8": Streams(8).generator("arrivals").random(),
        "child": s.child(1).generator("arrivals").random(),
    }
    assert len(set(draws.values())) == 4


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        Streams(-1)
