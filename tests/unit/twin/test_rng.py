import numpy as np
import pytest
from scipy import stats

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


def test_batched_generators_are_the_same_whatever_the_batch_size():
    s = Streams(7)
    few = [g.random(3) for g in s.generators("visit", 4, 0)]
    many = [g.random(3) for g in s.generators("visit", 1000, 0)]
    assert all((a == b).all() for a, b in zip(few, many, strict=False))
    assert not (next(s.generators("visit", 1, 1)).random(3) == few[0]).all()  # another day
    assert not (next(Streams(8).generators("visit", 1, 0)).random(3) == few[0]).all()


def test_batched_generators_draw_independent_uniforms():
    first, second = np.array([g.random(2) for g in Streams(7).generators("visit", 2000, 0)]).T
    assert len(set(first)) == 2000
    assert stats.kstest(first, "uniform").pvalue > 0.01
    assert abs(np.corrcoef(first[:-1], first[1:])[0, 1]) < 0.1  # neighbouring visits
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.1  # one visit's first and second draw


def test_seed_words_refuse_a_request_they_were_not_drawn_for():
    from twin.rng import _SeedWords

    words = _SeedWords(np.arange(4, dtype=np.uint64))
    assert (words.generate_state(4, np.uint64) == np.arange(4)).all()
    with pytest.raises(ValueError, match="drawn 4 uint64 seed words, asked for 8 uint32"):
        words.generate_state(8, np.uint32)


@pytest.mark.parametrize("seed", [0, 7, 2**70 + 5])
@pytest.mark.parametrize("key", [(), (1,), (3, 2**31, 5), (0, 9, 8, 7, 6, 5)])
def test_state_words_are_numpys_seed_sequence_output(seed, key):
    from twin.rng import _state_words

    seq = np.random.SeedSequence(seed, spawn_key=key)
    for n in (1, 4, 5, 4000):
        mine = _state_words(seq, n)
        assert mine.dtype == np.uint64
        assert np.array_equal(mine, seq.generate_state(n, np.uint64))


def test_state_words_fall_back_to_the_sequence_when_its_hash_is_not_numpys():
    from twin.rng import _state_words

    class Other:
        pool = np.random.SeedSequence(7).pool

        def generate_state(self, n_words, dtype):
            return np.arange(n_words, dtype=dtype)

    assert np.array_equal(_state_words(Other(), 6), np.arange(6))
