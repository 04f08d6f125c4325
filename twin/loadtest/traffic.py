"""Recorded twin traffic: the calls, how their ids are found, and their file format.

Kept free of the twin and the services so that Locust workers can read a
recording without importing either.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Ids in request paths, by kind.
PATH_REFS = (
    (re.compile(r"^/orders/(\d+)"), "order"),
    (re.compile(r"^/members/(\d+)"), "member"),
    (re.compile(r"^/payments/refunds/(\d+)"), "order"),
    (re.compile(r"^/devices/alerts/(\d+)"), "alert"),
    (re.compile(r"^/inventory/replenishments/(\d+)"), "replenishment"),
    (re.compile(r"^/marketing/coupon-templates/(\d+)"), "template"),
)
# Fields whose values are ids the services hand out; the kind says which map they live in.
REF_FIELDS = {
    "order_id": "order",
    "member_id": "member",
    "template_id": "template",
    "coupon_code": "coupon",
    "coupon_codes": "coupon",
    "gift_coupons": "coupon",
    "code": "coupon",
}
# The kind of a bare ``id`` (or a top-level list of codes) by the request's path prefix.
ID_KIND = (
    ("/orders", "order"),
    ("/members", "member"),
    ("/payments", "payment"),
    ("/marketing/coupon-templates", "template"),
    ("/marketing/coupons", "coupon"),
    ("/marketing/visits", "coupon"),
    ("/inventory/replenishments", "replenishment"),
    ("/inventory", "replenishment"),
    ("/devices", "alert"),
)


@dataclass
class Call:
    """One request the twin made: when (simulated seconds; None before the run), what, answer."""

    t: float | None
    store: str
    method: str
    path: str
    params: dict[str, str]
    body: Any
    status: int
    made: list[list] = field(default_factory=list)  # [path-in-reply, kind, value]

    @property
    def name(self) -> str:
        """The endpoint, with ids replaced by placeholders (how results are grouped)."""
        return endpoint_name(self.method, self.path, self.store)


def endpoint_name(method: str, path: str, store: str = "") -> str:
    """``POST /orders/{id}/pick`` from ``POST /orders/17/pick`` (and ``{store}`` for store ids)."""
    parts = [
        "{id}" if p.isdigit() else "{store}" if p == store else p
        for p in path.strip("/").split("/")
    ]
    return f"{method} /{'/'.join(parts)}"


def id_kind(path: str) -> str | None:
    """The kind of the ``id`` fields in the reply to a request on ``path``."""
    for prefix, kind in ID_KIND:
        if path.startswith(prefix):
            return kind
    return None


def walk(obj: Any, path: tuple = (), kind: str | None = None) -> Iterator[tuple[tuple, str, Any]]:
    """(path, kind, value) of every id-valued field of a JSON value; ``kind`` types bare ids."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            k = REF_FIELDS.get(key) or (kind if key == "id" else None)
            if k and isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, int | str):
                        yield (*path, key, i), k, v
            elif k and isinstance(value, int | str) and not isinstance(value, bool):
                yield (*path, key), k, value
            elif isinstance(value, dict | list):
                yield from walk(value, (*path, key), kind)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            if isinstance(value, str) and kind == "coupon":
                yield (*path, i), kind, value
            elif isinstance(value, dict | list):
                yield from walk(value, (*path, i), kind)


def first_open(calls: list[Call]) -> float:
    """Simulated second of the first checkout (the store's first customer): the replay's zero."""
    times = [c.t for c in calls if c.t is not None and c.path == "/orders/checkout"]
    if not times:
        times = [c.t for c in calls if c.t is not None] or [0.0]
    return min(times)


def write_traffic(path: Path, calls: list[Call]) -> None:
    """One JSON line per call, gzipped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as f:
        for c in calls:
            f.write(json.dumps(asdict(c), separators=(",", ":")) + "\n")


def read_traffic(path: Path) -> list[Call]:
    """Calls written by ``write_traffic``."""
    with gzip.open(path, "rt") as f:
        return [Call(**json.loads(line)) for line in f]


def rewrite(call: Call, resolve: Callable[[str, Any], Any]) -> tuple[str, Any]:
    """Path and body of a call with each recorded id swapped for ``resolve(kind, id)``."""
    path = call.path
    for pattern, kind in PATH_REFS:
        m = pattern.match(path)
        if m:
            live = resolve(kind, int(m.group(1)))
            path = path[: m.start(1)] + str(live) + path[m.end(1) :]
    body = call.body
    refs = list(walk(body)) if body is not None else []
    if refs:
        body = json.loads(json.dumps(body))
        for steps, kind, value in refs:
            target = body
            for step in steps[:-1]:
                target = target[step]
            target[steps[-1]] = resolve(kind, value)
    return path, body


def touched(call: Call) -> set[tuple[str, str]]:
    """The (kind, recorded id) of every entity a call names or creates."""
    keys = {(kind, str(value)) for _, kind, value in call.made}
    for pattern, kind in PATH_REFS:
        m = pattern.match(call.path)
        if m:
            keys.add((kind, m.group(1)))
    if call.body is not None:
        keys |= {(kind, str(value)) for _, kind, value in walk(call.body)}
    return keys


def predecessors(calls: list[Call]) -> list[list[int]]:
    """For each call, the earlier calls it must wait for: the last one on each of its entities.

    An order is picked after it was paid, and fulfilled after it was picked,
    also when a slow server answers out of order; calls on different entities
    never wait for each other.
    """
    last: dict[tuple[str, str], int] = {}
    out: list[list[int]] = []
    for i, call in enumerate(calls):
        keys = touched(call)
        out.append(sorted({last[k] for k in keys if k in last}))
        for k in keys:
            last[k] = i
    return out
