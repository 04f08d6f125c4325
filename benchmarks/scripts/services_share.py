"""The services' share of a store-day: its service calls replayed alone on fresh services.

A store-day's agents reach the services only through ``StoreClient``, so the
calls they make (with the client's clock at each) can be recorded once and
replayed on a fresh in-memory database without the twin around them. The
replay's cost is the services' cost of that day; its replies are digested, so
a change to the services that alters any answer shows as another digest. A
run's own services keep wall-clock time for calls without a time of their own,
so two recordings differ: compare digests of one recording (``--calls``).

    PYTHONPATH=. python benchmarks/scripts/services_share.py supermarket --calls day.pickle
    PYTHONPATH=. python benchmarks/scripts/services_share.py supermarket --instructions

``--instructions`` counts the replay under callgrind (valgrind must be
installed; a few minutes), in a child that replays once to warm up and then
once inside ``ffi_call``, the function callgrind is told to count
(``twin.instructions`` does the same for a whole store-day).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import hashlib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

Call = tuple[str, tuple, dict, dt.datetime]


def record(scenario: str, seed: int) -> tuple[list[Call], float]:
    """The service calls of one store-day (name, args, kwargs, clock), and its CPU seconds."""
    from scenarios import load
    from services.client import InProcessClient
    from twin.run import run

    calls: list[Call] = []
    originals = {
        name: fn
        for name, fn in vars(InProcessClient).items()
        if callable(fn) and not name.startswith("_") and name != "close"
    }

    def recorded(name: str, fn: Any) -> Any:
        def call(self: InProcessClient, *args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs, self._now()))
            return fn(self, *args, **kwargs)

        return call

    sc = load(scenario)
    run(sc, seed=seed, days=1)  # warm-up: imports and caches, as the ruler does
    for name, fn in originals.items():
        setattr(InProcessClient, name, recorded(name, fn))
    try:
        started = time.process_time()
        run(sc, seed=seed, days=1)
        cpu = time.process_time() - started
    finally:
        for name, fn in originals.items():
            setattr(InProcessClient, name, fn)
    return calls, cpu


def replay(calls: list[Call]) -> list[Any]:
    """Make every call on fresh in-process services at its recorded time; the replies."""
    from services.client import InProcessClient
    from services.db import Database
    from services.db.engine import MEMORY_URL

    db = Database(MEMORY_URL)
    db.create_schema()
    now = [calls[0][3] if calls else None]
    client = InProcessClient(db, clock=lambda: now[0])
    replies: list[Any] = []
    try:
        for name, args, kwargs, at in calls:
            now[0] = at
            try:
                replies.append(getattr(client, name)(*args, **kwargs))
            except Exception as error:  # a refusal is a reply too
                replies.append(f"{type(error).__name__}: {error}")
    finally:
        client.close()
    return replies


def digest(replies: list[Any]) -> str:
    """A short hash of the replies (pydantic replies by their dump)."""
    text = repr([r.model_dump() if hasattr(r, "model_dump") else r for r in replies])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def count_instructions(calls_file: Path) -> int:
    """Instructions of one replay under callgrind, after a warm-up replay."""
    exe = shutil.which("valgrind")
    if exe is None:
        raise SystemExit("valgrind not found; apt-get install valgrind to count instructions")
    with tempfile.TemporaryDirectory(prefix="storetwin-services-") as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            exe,
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=ffi_call",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--replay-child",
            str(calls_file),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(command, check=True, env=env, capture_output=True)
        found = re.search(rb"^totals:\s+(\d+)", out.read_bytes(), re.MULTILINE)
    if found is None:
        raise SystemExit("callgrind counted nothing")
    return int(found.group(1))


def _child(calls_file: Path) -> None:
    calls = pickle.loads(calls_file.read_bytes())
    replay(calls)
    ctypes.CFUNCTYPE(None)(lambda: replay(calls) and None)()


def main() -> None:
    """Record, replay, and print the services' share as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="supermarket")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument(
        "--calls", type=Path, help="recording to replay; made (and kept there) if absent"
    )
    parser.add_argument("--replay-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay_child is not None:
        _child(args.replay_child)
        return
    day_cpu = None
    if args.calls is not None and args.calls.exists():
        calls = pickle.loads(args.calls.read_bytes())
    else:
        calls, day_cpu = record(args.scenario, args.seed)
        if args.calls is not None:
            args.calls.write_bytes(pickle.dumps(calls))
    replay(calls)  # warm-up
    started = time.process_time()
    replies = replay(calls)
    services_cpu = time.process_time() - started
    figures: dict[str, Any] = {
        "calls": len(calls),
        "store_day_cpu_s": day_cpu and round(day_cpu, 3),
        "services_cpu_s": round(services_cpu, 3),
        "services_share": day_cpu and round(services_cpu / day_cpu, 3),
        "replies_digest": digest(replies),
    }
    if args.instructions:
        with tempfile.NamedTemporaryFile(suffix=".pickle") as f:
            f.write(pickle.dumps(calls))
            f.flush()
            figures["services_instructions"] = count_instructions(Path(f.name))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
