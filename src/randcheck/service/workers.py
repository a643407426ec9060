"""Spreading connections evenly over ``randcheck serve --workers N``.

uvicorn's workers share one listening socket. When connections arrive together (a
platform's connection pool starting, a load balancer reconnecting), the event loop of
the first worker to wake accepts every one waiting, and a keep-alive connection stays
with that worker for its life. Measured with 50 clients on 4 workers: 30, 15, 4 and 1
connections, and the clients of the crowded worker waited about 9 times as long as the
one alone (benchmarks/service_load.py; docs/service.md, "Throughput").

:func:`balanced_loop` is the event loop each worker runs instead (uvloop's when it is
installed, else asyncio's). When uvicorn hands it the shared socket, it accepts with
its own loop, one connection at a time, and a worker already holding connections
waits a little before it accepts the next (2 ms for each it holds, at most 50 ms), so
a worker with fewer takes it first; a worker busy with requests is slower to come back
too. A worker with no open connection accepts at once. Requests are then served as
before: only who accepts a connection changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from typing import Any

PER_CONNECTION = 0.002
"""Seconds a worker waits before accepting, for each connection it already holds."""
MOST = 0.05
"""The longest a worker waits before accepting (seconds)."""
OUT_OF_FILES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

log = logging.getLogger("uvicorn.error")


class Listener:
    """What ``create_server(sock=…)`` returns here: it accepts on ``sock`` (least-held
    first, see the module) and serves each connection with ``protocol_factory``. Has the
    parts of :class:`asyncio.Server` uvicorn uses: ``sockets``, ``close``,
    ``wait_closed``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        protocol_factory: Any,
        sock: socket.socket,
        ssl: Any,
        backlog: int,
    ) -> None:
        self._loop = loop
        self._factory = protocol_factory
        self._ssl = ssl
        self.sockets = (sock,)
        self._open: set[asyncio.BaseTransport] = set()
        self._starting: set[asyncio.Task[None]] = set()
        sock.setblocking(False)
        sock.listen(backlog)  # uvicorn binds the socket; the server listens (as asyncio's)
        self._accepting = loop.create_task(self._accept(sock))

    def held(self) -> int:
        """This worker's open connections, and those accepted and being set up."""
        self._open = {t for t in self._open if not t.is_closing()}
        return len(self._open) + len(self._starting)

    async def _accept(self, sock: socket.socket) -> None:
        while True:
            if held := self.held():
                await asyncio.sleep(min(MOST, held * PER_CONNECTION))
            try:
                conn, _ = await self._loop.sock_accept(sock)
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue  # another worker took it, or the client gave up
            except OSError as exc:  # never stop accepting: say so, wait, try again
                pause = 1.0 if exc.errno in OUT_OF_FILES else 0.1
                log.error("cannot accept a connection (%s); trying again in %g s", exc, pause)
                await asyncio.sleep(pause)
                continue
            starting = self._loop.create_task(self._serve(conn))
            self._starting.add(starting)  # kept until done (asyncio keeps only a weak one)
            starting.add_done_callback(self._starting.discard)

    async def _serve(self, conn: socket.socket) -> None:
        try:
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            transport, _ = await self._loop.connect_accepted_socket(
                self._factory, conn, ssl=self._ssl
            )
        except OSError as exc:  # the client went away, or its TLS handshake failed
            log.debug("connection not served: %s", exc)
            conn.close()
            return
        self._open.add(transport)

    def close(self) -> None:
        """Stop accepting (open connections are uvicorn's to shut down)."""
        self._accepting.cancel()

    async def wait_closed(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._accepting


class _Balancing:
    """The event loop's ``create_server``, when given a socket already listening
    (uvicorn's workers), accepts through :class:`Listener`."""

    async def create_server(
        self,
        protocol_factory: Any,
        host: Any = None,
        port: Any = None,
        *,
        sock: socket.socket | None = None,
        ssl: Any = None,
        backlog: int = 100,
        **options: Any,
    ) -> Any:
        if sock is None or host is not None or port is not None:
            return await super().create_server(  # type: ignore[misc]
                protocol_factory, host, port, sock=sock, ssl=ssl, backlog=backlog, **options
            )
        assert isinstance(self, asyncio.AbstractEventLoop)
        return Listener(self, protocol_factory, sock, ssl, backlog)


class BalancedLoop(_Balancing, asyncio.SelectorEventLoop):
    """asyncio's own loop, accepting least-held first."""


def balanced_loop() -> asyncio.AbstractEventLoop:
    """The event loop for each of ``randcheck serve``'s workers (uvicorn's ``loop=``):
    uvloop's where it is installed (it costs less CPU per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return BalancedLoop()

    class BalancedUVLoop(_Balancing, uvloop.Loop):  # type: ignore[misc]
        """uvloop's loop, accepting least-held first."""

    return BalancedUVLoop()
