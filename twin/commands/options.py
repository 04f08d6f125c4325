"""Options shared by every command that runs many stores: where the runs go."""

from __future__ import annotations

import os
import socket
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from twin.executor import Workers
from twin.terminal import fail, warn


class Backend(StrEnum):
    """``--executor``: this machine's processes, or Ray (local or a cluster)."""

    local = "local"
    ray = "ray"


ExecutorOption = Annotated[
    Backend | None,
    typer.Option(
        "--executor",
        help="Where the store runs go: local processes, or Ray (a local Ray with this "
        "machine's cores, or the cluster of --ray-address / $RAY_ADDRESS). "
        "Default: ray when a cluster address is given, else local.",
    ),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to join (e.g. 127.0.0.1:6379 after `ray start --head`); "
        "default $RAY_ADDRESS.",
    ),
]


def workers_for(count: int | None, executor: Backend | None, address: str | None) -> Workers:
    """The ``Workers`` the options ask for; ``error:`` when they contradict each other."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    backend = executor or (Backend.ray if address else Backend.local)
    if backend is Backend.local and address and executor is not None:
        raise fail(f"--executor local cannot use the Ray cluster at {address}; drop one of them")
    if backend is Backend.ray and address:
        ray_reachable(address)
    return Workers(count=count, backend=backend.value, address=address, note=warn)


def ray_reachable(address: str, timeout_s: float = 5.0) -> None:
    """``error:`` at once when nothing answers at a cluster's ``host:port``.

    Ray itself retried a wrong --ray-address for minutes, printing GCS time-outs.
    ``auto`` and other forms without a port are left to Ray.
    """
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise fail(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}; "
            "start one with `ray start --head`, or drop --ray-address / $RAY_ADDRESS"
        ) from None


def out_folder(out: Path, flag: str = "--out") -> Path:
    """``out``, once a command could make it a folder; ``error:`` before any run otherwise.

    Checked before simulating, so a file in the way (at the path or above it) is
    said at once, not after minutes of runs that then cannot be written.
    """
    for path in (out, *out.parents):
        if path.exists():
            if not path.is_dir():
                where = "" if path == out else f" ({path} is a file)"
                raise fail(f"{flag} {out}: a file is there, not a folder{where}")
            break
    return out
