"""The access log: one line per request (method, path, status, latency, request id).

The request id comes from the caller's ``X-Request-ID`` when it is a short token,
else a new one is made; either way the reply carries it back. Lines are written
off the request path: the middleware only puts a record on a queue, and a
``QueueListener`` thread formats and writes it (stderr or a file, see
``Settings.access_log``). The query string is left out: it may carry a phone
number.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import queue
import re
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.errors import short

LOGGER = "storetwin.access"
REQUEST_ID = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_HEADER = REQUEST_ID.lower().encode()
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f]")
FORMAT = "%(asctime)s %(message)s"
_LINE = "%s %s %d %.1fms request_id=%s"


class _Enqueue(logging.handlers.QueueHandler):
    """Queues the record as it is (the listener formats it); drops it when the queue is full."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(record)


class AccessLog:
    """Where access lines go, and the thread that writes them while the app runs."""

    def __init__(self, target: str, max_queued: int = 10_000):
        self.enabled = target.lower() != "off"
        self.target = target
        self._queue: queue.Queue = queue.Queue(max_queued)
        self._handler = _Enqueue(self._queue)
        self._listener: logging.handlers.QueueListener | None = None

    @property
    def running(self) -> bool:
        """Whether lines are being written (between ``start`` and ``stop``)."""
        return self._listener is not None

    def start(self) -> None:
        """Start the writer thread (the app's startup)."""
        if not self.enabled or self._listener is not None:
            return
        out = (
            logging.StreamHandler()
            if self.target == "-"
            else logging.FileHandler(self.target, encoding="utf-8")
        )
        out.setFormatter(logging.Formatter(FORMAT))
        self._listener = logging.handlers.QueueListener(self._queue, out)
        self._listener.start()

    def stop(self) -> None:
        """Write what is queued and stop the thread (the app's shutdown)."""
        if self._listener is None:
            return
        self._listener.stop()
        for handler in self._listener.handlers:
            handler.close()
        self._listener = None

    def write(self, method: str, path: str, status: int, ms: float, request_id: str) -> None:
        """Queue one line (nothing while stopped)."""
        if self._listener is not None:
            args = (method, path, status, ms, request_id)
            self._handler.handle(
                logging.LogRecord(LOGGER, logging.INFO, __file__, 0, _LINE, args, None)
            )


def _printable(path: str) -> str:
    """The path as one log field: spaces and control characters percent-encoded, cut short."""
    return short(_UNPRINTABLE.sub(lambda m: f"%{ord(m.group()):02X}", path), 200)


def request_id(scope: Scope) -> str:
    """The caller's request id if it is a short token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            text = value.decode("latin-1")
            if _VALID_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class AccessMiddleware:
    """Gives each request an id (``X-Request-ID`` in and out) and logs it when answered."""

    def __init__(
        self, app: ASGIApp, log: AccessLog, clock: Callable[[], float] = time.perf_counter
    ):
        self.app = app
        self.log = log
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; queue its log line once it is answered (or failed)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        start = self.clock()
        status = 500

        async def reply(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != _HEADER]
                message = {**message, "headers": [*headers, (_HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, reply)
        finally:
            ms = (self.clock() - start) * 1000
            self.log.write(scope["method"], _printable(scope["path"]), status, ms, rid)
