"""Live mode: real time from the opening on, and the lag reported when the twin falls behind."""

import time

from scenarios.chain import expand
from services.client import InProcessClient
from twin.live import LiveEnvironment, run_live


def test_a_slow_step_shows_as_lag_and_the_night_is_skipped():
    env = LiveEnvironment(speed=1000, live_from=3600)

    def work(env):
        yield env.timeout(3600)  # before live_from: no waiting, no lag recorded
        time.sleep(0.2)  # a slow service call, 200 simulated seconds at 1000x
        yield env.timeout(1)
        yield env.timeout(1)

    env.process(work(env))
    env.run()
    assert [t for t, _ in env.lags][:3] == [3600, 3601, 3602]
    assert env.lags[1][1] >= 0.19  # due 1 ms after the first, sent 200 ms later


def test_a_live_store_calls_its_services_and_reports_lag(small, supermarket, client):
    store = expand(small(supermarket, 200))[0]
    result = run_live(store, client, speed=100_000, duration_s=0.2, live_from=7 * 3600)
    assert result["live_events"] > 0 and result["events"] > result["live_events"]
    assert set(result["lag_s"]) == {"p50", "p95", "max"}
    assert isinstance(client, InProcessClient) and client.list_stores()[0].id == store.store_id
