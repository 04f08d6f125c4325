"""The FastAPI app: settings, database and the routers of every center, nothing else."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.api import errors
from services.api.routers import (
    delivery,
    devices,
    health,
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
)


def create_app(settings: Settings | None = None, *, create_schema: bool = True) -> FastAPI:
    """The store services app on the settings' database (schema created when missing)."""
    settings = settings or Settings()
    app = FastAPI(
        title="storetwin store services",
        summary="The retail middle platform: one router per center.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url)
    app.state.db_slots = asyncio.Semaphore(app.state.db.concurrent_writers)
    app.state.cipher = MemberCipher(settings.member_key.get_secret_value())
    if create_schema:
        app.state.db.create_schema()
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
