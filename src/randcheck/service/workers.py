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
connection, and one more for each 25 it holds, so a crowd reconnecting is let in
quickly. Where connections close within a second (one request each: a proxy without
keep-alive, scripts), none stays to be balanced, and a worker takes them without
waiting. Requests are then served as before: only who accepts changes.
"""

from __future__ import annotations

import asyncio
import collections
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
SHORT = 1.0
"""Connections that close within this many seconds (the median of the last LIVES) are
one request each (a proxy without keep-alive, scripts): no wait, they do not stay."""
LIVES = 16
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
        self._open: dict[asyncio.BaseTransport, float] = {}  # -> when it was accepted
        self._lives: collections.deque[float] = collections.deque(maxlen=LIVES)
        self._starting: set[asyncio.Task[None]] = set()
        self._closing = False
        sock.setblocking(False)
        sock.listen(backlog)  # uvicorn binds the socket; the server listens (as asyncio's)
        self._accepting = loop.create_task(self._accept())

    def held(self) -> int:
        """This worker's open connections, and those accepted and being set up."""
        now = self._loop.time()
        for transport, opened in list(self._open.items()):
            if transport.is_closing():
                del self._open[transport]
                self._lives.append(now - opened)
        return len(self._open) + len(self._starting)

    def short_lived(self) -> bool:
        """Whether the connections lately closed here lived under SHORT seconds."""
        lives = sorted(self._lives)
        return len(lives) >= LIVES // 2 and lives[len(lives) // 2] < SHORT

    def turn(self, held: int) -> float:
        """How long to wait before taking a connection waiting (seconds)."""
        if not held or self.short_lived():
            return 0.0
        return min(MOST, held * PER_CONNECTION)

    async def _readable(self) -> None:
        """Until a connection is waiting (for this worker or another)."""
        fd = self._sock.fileno()
        ready: asyncio.Future[None] = self._loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        self._loop.add_reader(self._sock, wake)
        try:
            await ready
        finally:  # not watched while waiting its turn (no spin)
            if self._sock.fileno() != -1:
                self._loop.remove_reader(self._sock)
            elif not self._closing:  # closed by someone else: drop the stale watch now
                self._loop.remove_reader(fd)

    async def _accept(self) -> None:
        while self._sock.fileno() != -1:  # until closed
            try:
                await self._readable()
                held = self.held()
                if wait := self.turn(held):
                    await asyncio.sleep(wait)
                for _ in range(1 + held // BATCH):
                    if not self._take():
                        break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never stop accepting: say so, wait, try again
                if self._sock.fileno() == -1:
                    break
                out = isinstance(exc, OSError) and exc.errno in OUT_OF_FILES
                pause = 1.0 if out else 0.1
                log.error("cannot accept a connection (%s); trying again in %g s", exc, pause)
                await asyncio.sleep(pause)
        if not self._closing:
            log.error("the listening socket was closed: this worker accepts no more")

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
        except Exception:
            log.exception("connection not served")
            conn.close()
            return
        except BaseException:  # cancelled
            conn.close()
            raise
        self._open[transport] = self._loop.time()

    def close(self) -> None:
        """Stop accepting, and close this worker's copy of the socket, as asyncio's
        server does (open connections are uvicorn's to shut down)."""
        self._closing = True
        self._accepting.cancel()
        if self._sock.fileno() != -1:
            self._loop.remove_reader(self._sock)
            self._sock.close()

    async def wait_closed(self) -> None:
        await asyncio.wait({self._accepting})


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
