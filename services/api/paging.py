"""Paging of every list endpoint: ``limit`` and ``offset`` in, the same JSON array out.

A list reply stays a plain array (existing clients keep working); when more
rows follow, the reply says where the next page starts in ``X-Next-Offset``
and links it (``Link: <...>; rel="next"``). A reply without them is the last
page. Rows come in a stable order (by id or key), so pages do not overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response

from services.schemas import NEXT_OFFSET

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**9

T = TypeVar("T")

HEADERS = {
    NEXT_OFFSET: {
        "description": "Offset of the next page; absent on the last page.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Link": {
        "description": 'The next page as ``<url>; rel="next"``; absent on the last page.',
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Page:
    """Which rows a list request asks for, and the reply whose headers say what follows."""

    limit: int
    offset: int
    request: Request
    response: Response

    @property
    def rows(self) -> int:
        """Rows to fetch: one more than the page, to know whether another follows."""
        return self.limit + 1

    def done(self, fetched: Sequence[T]) -> list[T]:
        """The page from rows fetched from ``offset`` on (up to ``rows``), headers set."""
        if len(fetched) > self.limit:
            nxt = self.offset + self.limit
            url = self.request.url.include_query_params(offset=nxt, limit=self.limit)
            self.response.headers[NEXT_OFFSET] = str(nxt)
            self.response.headers["Link"] = f'<{url}>; rel="next"'
        return list(fetched[: self.limit])

    def of(self, items: Sequence[T]) -> list[T]:
        """The page of a whole list (for short lists the domain builds in full)."""
        return self.done(items[self.offset : self.offset + self.rows])


def get_page(
    request: Request,
    response: Response,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (at most 1000).")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip (see X-Next-Offset).")
    ] = 0,
) -> Page:
    """The page a list request asks for."""
    return Page(limit, offset, request, response)


PageDep = Annotated[Page, Depends(get_page)]
