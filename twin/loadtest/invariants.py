"""The load test's invariants asked of the services, when their database is out of reach.

With the database's URL the checks run in the load test's own process
(``run.check_invariants``); without it the services run the same checks
(``POST /admin/invariants``, HQ key). The acknowledged ids go in chunks that
fit the services' request size limit; the other checks come from the first reply.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from services.settings import DEV_HQ_KEY

ACKED = "acknowledged writes are stored"
KINDS = ("orders", "payments", "members")
CHUNK = 100_000  # ids per request: about 0.8 MB of JSON, under the default 4 MiB limit
EXAMPLES = 5


def _chunks(acked: Mapping[str, list[int]], size: int) -> list[dict[str, list[int]]]:
    """The ids split into request bodies of at most ``size`` ids in all (at least one body)."""
    flat = [(kind, i) for kind in KINDS for i in acked.get(kind, [])]
    bodies = []
    for n in range(0, max(len(flat), 1), size):
        body: dict[str, list[int]] = {kind: [] for kind in KINDS}
        for kind, i in flat[n : n + size]:
            body[kind].append(i)
        bodies.append(body)
    return bodies


def from_services(
    services: str,
    start: Mapping[tuple[str, str], int],
    acked: Mapping[str, list[int]],
    api_key: str | None = None,
    chunk: int = CHUNK,
    transport: httpx.BaseTransport | None = None,
) -> list[dict]:
    """The invariants as the services check them; RuntimeError when they cannot be asked."""
    lines = [{"store_id": s, "sku": k, "qty": q} for (s, k), q in start.items()]
    headers = {"X-API-Key": api_key or DEV_HQ_KEY}
    checks: list[dict] = []
    with httpx.Client(base_url=services, headers=headers, timeout=300, transport=transport) as http:
        for n, body in enumerate(_chunks(acked, chunk)):
            if n == 0:
                body = {"start_stock": lines, **body}
            try:
                reply = http.post("/admin/invariants", json=body)
            except httpx.HTTPError as exc:
                raise RuntimeError(f"cannot ask the services for the invariants: {exc}") from None
            if reply.status_code != 200:
                raise RuntimeError(
                    f"the services answered {reply.status_code} to POST /admin/invariants: "
                    f"{reply.text[:300]}"
                )
            found = reply.json()["checks"]
            if n == 0:
                checks = found
            else:
                _merge(checks, next(c for c in found if c["name"] == ACKED))
    return checks


def _merge(checks: list[dict], more: dict) -> None:
    """Add a later chunk's acknowledged-writes result to the first one's."""
    for c in checks:
        if c["name"] == ACKED:
            c["violations"] += more["violations"]
            c["examples"] = (c["examples"] + more["examples"])[:EXAMPLES]
            c["pass"] = c["violations"] == 0
