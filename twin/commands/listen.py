"""Whether a server command can listen where it was told, checked before it starts.

`storetwin dashboard` on a port in use printed "dashboard on http://..." and then
Werkzeug's "Address already in use" (exit 1); `storetwin serve` printed uvicorn's
"ERROR: [Errno 98] ..." (exit 3). Every error begins with ``error:`` instead.
"""

from __future__ import annotations

import socket

from twin.terminal import fail


def listen_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on ``host:port`` (port in use, unknown interface), else None."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"{host!r} is not an interface of this machine ({exc.strerror})"
    with socket.socket(family, kind, proto) as probe:
        # as the servers do: a port left in TIME_WAIT is free, one with a listener is not
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def can_listen(host: str, port: int) -> None:
    """Raise the CLI's ``error:`` exit when ``host:port`` cannot be listened on."""
    problem = listen_problem(host, port)
    if problem is not None:
        raise fail(f"cannot listen on {host}:{port}: {problem}; choose another --port or --host")
