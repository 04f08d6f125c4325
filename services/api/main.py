"""The FastAPI app: settings, database, request limits, access log and the routers, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.api import errors, openapi
from services.api.access import AccessLog, AccessMiddleware
from services.api.faults import InjectedLatency
from services.api.routers import (
    delivery,
    devices,
    health,
    invariants,
    inventory,
    marketing,
    members,
    orders,
    payments,
    products,
    projects,
    reports,
    stores,
)
from services.db import Database
from services.domain.privacy import MemberCipher
from services.settings import Settings

ROUTERS = (
    stores,
    products,
    inventory,
    orders,
    payments,
    members,
    marketing,
    delivery,
    reports,
    devices,
    projects,
    health,
    invariants,
)


def create_app(settings: Settings | None = None, *, create_schema: bool = True) -> FastAPI:
    """The store services app on the settings' database (schema created when missing)."""
    settings = settings or Settings()
    access_log = AccessLog(settings.access_log)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        access_log.start()
        try:
            yield
        finally:
            access_log.stop()

    app = FastAPI(
        title="storetwin store services",
        summary="The retail middle platform: one router per center.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.access_log = access_log
    app.add_middleware(errors.BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessMiddleware, log=access_log)
    if settings.inject_latency_ms > 0:  # a slow server, for fault tests
        app.add_middleware(InjectedLatency, seconds=settings.inject_latency_ms / 1000)
    app.state.settings = settings
    app.state.db = Database(settings.database_url)
    app.state.db_slots = asyncio.Semaphore(app.state.db.concurrent_writers)
    app.state.cipher = MemberCipher(settings.member_key.get_secret_value())
    if create_schema:
        app.state.db.create_schema()
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.openapi = lambda: openapi.document(app)
    return app
