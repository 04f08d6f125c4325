"""Dependencies every router shares, as typed aliases: session, clock, access, member cipher."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from services.api.auth import Access
from services.clock import utcnow
from services.db import Database
from services.domain.errors import Unauthorized
from services.domain.privacy import MemberCipher
from services.schemas import ID_MAX, NO_NUL, Timestamp
from services.settings import Settings

_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key of a role.")


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


async def get_db(request: Request) -> Database:
    """The app's database."""
    return request.app.state.db


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session in one transaction: committed before the reply, rolled back on any error.

    A request first waits, on the event loop, for one of the database's
    transaction slots (SQLite: one; PostgreSQL: ten), so worker threads never
    block on database locks. Otherwise, under load, every worker could wait for
    a lock held by a transaction whose reply needs a worker to be serialised:
    a deadlock. The transaction begins at the handler's first statement and is
    committed here on the loop (short: the locks are already held).
    """
    db: Database = request.app.state.db
    async with request.app.state.db_slots:
        session = Session(bind=db.engine, expire_on_commit=False)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()
        finally:
            session.close()


async def get_now() -> dt.datetime:
    """The time a request without its own ``at`` happens at."""
    return utcnow()


async def get_cipher(request: Request) -> MemberCipher:
    """The member-data cipher, built once per app from the settings' key."""
    return request.app.state.cipher


async def get_access(
    settings: Annotated[Settings, Depends(get_settings)],
    key: Annotated[str | None, Security(_API_KEY)] = None,
) -> Access:
    """Who is calling, from the ``X-API-Key`` header (401 without a known key)."""
    if not key:
        raise Unauthorized("X-API-Key: header missing")
    principal = settings.api_keys.get(key)
    if principal is None:
        raise Unauthorized("X-API-Key: unknown key")
    return Access(principal)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[dt.datetime, Depends(get_now)]
CipherDep = Annotated[MemberCipher, Depends(get_cipher)]
AccessDep = Annotated[Access, Depends(get_access)]

# Path and query parameters, bounded like the schemas' fields so that a bad one is a 422
# naming it (an id beyond 64 bits, a 1 MB store id), never a database error.
IdPath = Annotated[int, Path(ge=1, le=ID_MAX)]
StorePath = Annotated[str, Path(min_length=1, max_length=32, pattern=NO_NUL)]
SkuPath = Annotated[str, Path(min_length=1, max_length=32, pattern=NO_NUL)]
StoreQuery = Annotated[str, Query(min_length=1, max_length=32, pattern=NO_NUL)]
OptStoreQuery = Annotated[str | None, Query(min_length=1, max_length=32, pattern=NO_NUL)]
OptIdQuery = Annotated[int | None, Query(ge=1, le=ID_MAX)]
OptTextQuery = Annotated[str | None, Query(min_length=1, max_length=80, pattern=NO_NUL)]
AtQuery = Annotated[Timestamp | None, Query(description="A time (UTC if no zone is given).")]
