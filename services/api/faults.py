"""Faults injected on purpose, for fault tests only: a slow server.

``STORETWIN_INJECT_LATENCY_MS`` makes every request (but ``/health``, so
that liveness checks still answer) wait that long on the event loop before it
is handled: the server is as slow as a distant or overloaded one, while its
throughput stays what it was. Off (and not installed) at 0, the default.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class InjectedLatency:
    """Delays each HTTP request by ``seconds`` before handing it on."""

    def __init__(self, app: ASGIApp, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wait, then serve (liveness checks are not delayed)."""
        if scope["type"] == "http" and scope["path"] != "/health":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)
