"""Spreading connections evenly over ``randcheck serve --workers N``.

uvicorn's workers share one listening socket. When connections arrive together (a
platform's connection pool starting, a load balancer reconnecting), the event loop of
the first worker to wake accepts every one waiting, and a keep-alive connection stays
with that worker for its life. Measured with 50 clients on 4 workers: 30, 15, 4 and 1
connections, and the clients of the crowded worker waited about 9 times as long as the
one alone (benchmarks/service_load.py; docs/service.md, "Throughput").

:func:`balanced_loop` is the event loop each worker runs instead (uvloop's when it is
installed, else asyncio's). When uvicorn hands it the shared socket, it accepts by
itself: every worker sees a connection waiting, and a worker already holding
connections waits a little before it tries to take it (2 ms for each it holds, at most
50 ms), so a worker with fewer, or less busy, takes it first; the others find it gone.
A worker with no open connection takes it at once. After its wait a worker takes one
connection, and one more for each 25 it holds, so a worker holding many still accepts
a crowd quickly. Requests are then served as before: only who accepts changes.
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
BATCH = 25
"""After its wait, a worker accepts one connection and one more for each BATCH it holds."""
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
        self._sock = sock
        self.sockets = (sock,)
        self._open: set[asyncio.BaseTransport] = set()
        self._starting: set[asyncio.Task[None]] = set()
        sock.setblocking(False)
        sock.listen(backlog)  # uvicorn binds the socket; the server listens (as asyncio's)
        self._accepting = loop.create_task(self._accept())

    def held(self) -> int:
        """This worker's open connections, and those accepted and being set up."""
        self._open = {t for t in self._open if not t.is_closing()}
        return len(self._open) + len(self._starting)

    async def _readable(self) -> None:
        """Until a connection is waiting (for this worker or another)."""
        fd = self._sock.fileno()
        ready: asyncio.Future[None] = self._loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        self._loop.add_reader(fd, wake)
        try:
            await ready
        finally:  # not watched while waiting its turn (no spin); close() may have done it
            if self._sock.fileno() != -1:
                self._loop.remove_reader(fd)

    async def _accept(self) -> None:
        while True:
            try:
                await self._readable()
                held = self.held()
                if held:
                    await asyncio.sleep(min(MOST, held * PER_CONNECTION))
                for _ in range(1 + held // BATCH):
                    if not self._take():
                        break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never stop accepting: say so, wait, try again
                out = isinstance(exc, OSError) and exc.errno in OUT_OF_FILES
                pause = 1.0 if out else 0.1
                log.error("cannot accept a connection (%s); trying again in %g s", exc, pause)
                await asyncio.sleep(pause)

    def _take(self) -> bool:
        """Accept one connection if one is still waiting, and start serving it (no await
        in between, so a connection accepted is never dropped by a shutdown)."""
        try:
            conn, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return False  # another worker took it, or the client gave up
        conn.setblocking(False)
        starting = self._loop.create_task(self._serve(conn))
        self._starting.add(starting)  # kept until done (asyncio keeps only a weak one)
        starting.add_done_callback(self._starting.discard)
        return True

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
        except BaseException:
            conn.close()
            raise
        self._open.add(transport)

    def close(self) -> None:
        """Stop accepting, and close this worker's copy of the socket, as asyncio's
        server does (open connections are uvicorn's to shut down)."""
        self._accepting.cancel()
        if self._sock.fileno() != -1:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()

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
        if sock is None or host is not None or port is not None or options:
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
