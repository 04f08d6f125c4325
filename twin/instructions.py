"""Instructions of one store-day, counted by callgrind: a speed ruler noise does not bend.

Wall time on a shared machine swings by tens of percent; the number of
instructions a store-day executes does not (a fixed hash seed, the same
scenario and seed: the same work). ``count_store_day`` runs a child Python
under ``valgrind --tool=callgrind`` that simulates one warm-up store-day
(imports, caches, first-call compilation) and then the measured one.
Collection is off at the start and toggled on and off around the measured
store-day: the child calls it through a ctypes callback, so it runs inside
libffi's ``ffi_call``, a C function nothing else in a store-day calls
(callgrind cannot be told from Python code when to count). Instrumentation
itself starts off too, and the child switches it on with ``callgrind_control``
after the warm-up: imports and the warm-up day then run some ten times faster.

Run as ``python -m twin.instructions SCENARIO SEED``, this module is that child.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

MEASURED = "ffi_call"
"""The C function whose calls callgrind counts: the child's measured store-day runs inside it."""

INSTALL_HINT = "valgrind not found; apt-get install valgrind to count instructions"

_TOTAL = re.compile(rb"^totals:\s+(\d+)", re.MULTILINE)


class ValgrindMissing(RuntimeError):
    """No ``valgrind`` on the PATH."""


def valgrind() -> str | None:
    """Path of the ``valgrind`` executable, or None when it is not installed."""
    return shutil.which("valgrind")


def count_store_day(scenario: str, seed: int = 7, timeout_s: float = 3600) -> dict[str, int]:
    """Instructions of one store-day of ``scenario`` (a library id or a YAML path), after a warm-up.

    Returns ``instructions`` with the measured day's ``visitors``, ``transactions``
    and ``events``. Takes about a minute of CPU per store-day (callgrind runs
    the child some 50 times slower).

    Raises:
        ValgrindMissing: valgrind is not installed.
        RuntimeError: the child failed, or callgrind counted nothing.
    """
    exe = valgrind()
    if exe is None:
        raise ValgrindMissing(INSTALL_HINT)
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",  # str hashes, hence set and dict probing, the same every run
        "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}",
        "STORETWIN_CALLGRIND_CONTROL": str(Path(exe).with_name("callgrind_control")),
    }
    with tempfile.TemporaryDirectory(prefix="storetwin-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            exe,
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            f"--toggle-collect={MEASURED}",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "twin.instructions",
            scenario,
            str(seed),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout_s, check=False
        )
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"the store-day under callgrind failed ({done.returncode}): {tail}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        found = _TOTAL.search(out.read_bytes())
    instructions = int(found.group(1)) if found else 0
    if instructions == 0:
        raise RuntimeError(f"callgrind counted no instructions inside {MEASURED}")
    return {"instructions": instructions, **figures}


def _measured_day(scenario: str, seed: int, control: str | None = None) -> dict[str, int]:
    """The child: a warm-up store-day, then the counted one (inside ``ffi_call``).

    ``control``: the ``callgrind_control`` that switches instrumentation on after
    the warm-up (None: not under callgrind).
    """
    from scenarios import load
    from twin.run import run

    sc = load(scenario)
    run(sc, seed=seed, days=1)
    if control is not None:
        _instrument_from_now(control)
    figures: dict[str, Any] = {}

    def day() -> None:
        result = run(sc, seed=seed, days=1)
        figures["visitors"] = int(result.kpis["visitors"])
        figures["transactions"] = int(result.kpis["transactions"])
        figures["events"] = int(result.stats["events"])

    ctypes.CFUNCTYPE(None)(day)()  # an exception in a callback is printed, not raised
    if not figures:
        raise SystemExit("the measured store-day failed")
    return figures


def _instrument_from_now(control: str) -> None:
    """Ask callgrind to instrument this process from now on, and wait until it does.

    ``callgrind_control`` reaches valgrind through vgdb, which valgrind polls
    while the program runs: so the wait is a busy loop, not a blocking call.
    """
    asked = subprocess.Popen(
        [control, "--instr=on", str(os.getpid())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while asked.poll() is None:
        sum(range(1000))
    if asked.returncode != 0:
        raise SystemExit(f"callgrind_control failed ({asked.returncode})")


if __name__ == "__main__":
    control = os.environ.get("STORETWIN_CALLGRIND_CONTROL")
    print(json.dumps(_measured_day(sys.argv[1], int(sys.argv[2]), control)))
