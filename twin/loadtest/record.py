"""Recording the twin's calls to the store services, with their simulated times.

``RecordingClient`` sits between the twin and its in-process services: each
call goes through unchanged (so the twin's results are the same), and the HTTP
request that ``HttpClient`` would have sent for it is kept, with the simulated
second it was made at, the status it got and the ids it created, so that a
replay against another database can map them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel

from scenarios.chain import ChainSpec, StoreSpec, expand
from scenarios.schema import Scenario
from services.client import HttpClient, InProcessClient, StoreClient
from services.db import Database
from services.db.engine import MEMORY_URL
from services.domain.errors import DomainError
from twin.clock import DAY
from twin.loadtest.traffic import Call, id_kind, walk
from twin.model import StoreModel
from twin.rng import Streams


class _Captured(Exception):
    def __init__(self, request: httpx.Request):
        self.request = request


def _capture(request: httpx.Request) -> httpx.Response:
    raise _Captured(request)


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


class RecordingClient:
    """A StoreClient that passes every call to ``inner`` and keeps it as an HTTP request.

    The request is built by ``HttpClient`` itself (its transport stops it before
    it leaves), so paths and bodies are exactly what the HTTP transport sends.
    """

    def __init__(self, inner: StoreClient, store_id: str):
        self.inner = inner
        self.store_id = store_id
        self.calls: list[Call] = []
        self.clock: Callable[[], float] | None = None
        self._http = HttpClient("http://twin", transport=httpx.MockTransport(_capture), retries=0)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if name.startswith("_") or name == "close" or not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                getattr(self._http, name)(*args, **kwargs)
                raise RuntimeError(f"{name} sent no request")
            except _Captured as captured:
                request = captured.request
            body = json.loads(request.content) if request.content else None
            entry = Call(
                t=self.clock() if self.clock else None,
                store=self.store_id,
                method=request.method,
                path=request.url.path,
                params=dict(request.url.params),
                body=body,
                status=200,
            )
            self.calls.append(entry)
            try:
                result = target(*args, **kwargs)
            except DomainError as exc:
                entry.status = exc.status
                raise
            kind = id_kind(entry.path)
            entry.made = [[list(p), k, v] for p, k, v in walk(_json(result), (), kind)]
            return result

        return call


def record_store(store: StoreSpec, seed: int, until_s: float) -> list[Call]:
    """The calls one store of the twin makes, simulating whole days up to ``until_s``."""
    db = Database(MEMORY_URL)
    db.create_schema()
    inner = InProcessClient(db)
    recorder = RecordingClient(inner, store.store_id)
    try:
        streams = Streams(seed).child(store.index) if store.index else Streams(seed)
        model = StoreModel(
            store.scenario,
            streams,
            recorder,  # type: ignore[arg-type]
            store_id=store.store_id,
            store_number=store.index + 1,
        )
        recorder.clock = lambda: float(model.env.now)
        model.run(max(1, math.ceil(until_s / DAY)))
    finally:
        inner.close()
    return recorder.calls


def chain_stores(scenario: Scenario, stores: int) -> list[StoreSpec]:
    """``stores`` stores of the scenario, made different the way the chain block says."""
    spec = scenario.chain or ChainSpec(stores=stores, formats={scenario.format: 1.0})
    return expand(scenario.model_copy(update={"chain": spec.model_copy(update={"stores": stores})}))
