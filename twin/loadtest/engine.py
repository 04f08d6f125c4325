"""Locust as a library, in its own process: ``python -m twin.loadtest.engine <locust options>``.

Importing Locust monkey-patches the standard library for gevent, which must
not happen in the CLI's process or under pytest; ``run_locust`` therefore
starts this module as a subprocess. It runs ``locustfile``'s users and shape
on a local runner and writes Locust's own per-endpoint figures (timed from
the actual send) next to the samples the users write (timed from the
intended send), so the two can be compared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the replay headless with these Locust options; 0 when it ran to its end."""
    import gevent
    from locust import events
    from locust.argument_parser import parse_options
    from locust.env import Environment
    from locust.runners import STATE_STOPPED

    from twin.loadtest import locustfile

    opts = parse_options(argv)
    env = Environment(
        user_classes=[locustfile.TwinStore],
        shape_class=locustfile.TwinShape(),
        events=events,
        host=opts.host,
        parsed_options=opts,
    )
    runner = env.create_local_runner()
    events.init.fire(environment=env, runner=runner, web_ui=None)
    runner.start_shape()
    deadline = opts.twin_duration + 120
    waited = 0.0
    while runner.state != STATE_STOPPED and waited < deadline:
        gevent.sleep(0.5)
        waited += 0.5
    if runner.state != STATE_STOPPED:
        runner.stop()
    stats = {
        name: {
            "requests": e.num_requests,
            "failures": e.num_failures,
            "p50_ms": e.get_response_time_percentile(0.5),
            "p95_ms": e.get_response_time_percentile(0.95),
            "max_ms": e.max_response_time,
        }
        for (name, _), e in env.stats.entries.items()
    }
    Path(opts.twin_out).mkdir(parents=True, exist_ok=True)
    (Path(opts.twin_out) / "locust_stats.json").write_text(json.dumps(stats, indent=1))
    runner.quit()
    return 0


def run_locust(
    host: str,
    traffic: Path,
    out: Path,
    *,
    speed: float,
    duration_s: float,
    ramp_s: float,
    stores: int,
    api_key: str | None = None,
    speeds: list[float] | None = None,
) -> subprocess.CompletedProcess:
    """Replay ``traffic`` against ``host`` in a Locust subprocess; samples land in ``out``."""
    args = [
        "--headless",
        "--host", host,
        "--traffic", str(traffic),
        "--twin-speed", str(speed),
        "--twin-duration", str(duration_s),
        "--twin-ramp", str(ramp_s),
        "--twin-stores", str(stores),
        "--twin-out", str(out),
        "--loglevel", "WARNING",
        "--skip-log-setup",
    ]  # fmt: skip
    if api_key:
        args += ["--twin-api-key", api_key]
    if speeds:
        args += ["--twin-speeds", ",".join(f"{s:g}" for s in speeds)]
    return subprocess.run(
        [sys.executable, "-m", "twin.loadtest.engine", *args],
        capture_output=True,
        text=True,
        timeout=duration_s + 300,
        check=False,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
