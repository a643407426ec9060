"""The event loop of ``randcheck serve``'s workers (randcheck.service.workers): given a
listening socket, it accepts and serves every connection, one worker's share at a time,
and stops accepting when closed. Across processes: tests/service/test_serve.py."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from randcheck.service import workers

NODELAY: list[int] = []


class Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        NODELAY.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    def data_received(self, data: bytes) -> None:
        self.transport.write(data.upper())  # type: ignore[attr-defined]


def _loops() -> list[Callable[[], asyncio.AbstractEventLoop]]:
    loops: list[Callable[[], asyncio.AbstractEventLoop]] = [workers.BalancedLoop]
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return loops
    return [*loops, workers.balanced_loop]


def _serve(
    run: Callable[[socket.socket, int], Coroutine[Any, Any, None]],
    make_loop: Callable[[], asyncio.AbstractEventLoop] = workers.BalancedLoop,
    listening: socket.socket | None = None,
) -> None:
    """``run(listening, port)`` on a new loop, the socket bound to a free loopback port
    but not listening (as uvicorn hands it over); loop and socket closed after."""
    listening = socket.socket() if listening is None else listening
    listening.bind(("127.0.0.1", 0))
    loop = make_loop()
    try:
        loop.run_until_complete(run(listening, listening.getsockname()[1]))
    finally:
        loop.close()
        listening.close()


@pytest.mark.parametrize("make_loop", _loops(), ids=lambda f: f.__name__)
def test_a_worker_serves_every_connection_and_stops_accepting_when_closed(
    make_loop: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def run(listening: socket.socket, port: int) -> None:
        others = os.dup(listening.fileno())  # uvicorn's parent and other workers hold it
        try:
            await serve_and_close(listening, port)
        finally:
            os.close(others)

    async def serve_and_close(listening: socket.socket, port: int) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, sock=listening, backlog=64)
        assert list(server.sockets) == [listening]
        streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(8)]
        for n, (reader, writer) in enumerate(streams):
            writer.write(b"ping %d" % n)
            assert await asyncio.wait_for(reader.readexactly(6), 5) == b"PING %d" % n
        assert NODELAY[-8:] == [1] * 8  # answers are sent at once, not held back by Nagle
        assert isinstance(server, workers.Listener)
        assert server.held() == 8
        _, writer = streams.pop()
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.05)
        assert server.held() == 7
        server.close()  # then uvicorn closes the socket, waits for its connections
        assert listening.fileno() == -1
        # closed: a connection now waits in the others' backlog, never answered, and the
        # worker does not spin on the socket it no longer watches
        reader, late = await asyncio.open_connection("127.0.0.1", port)
        late.write(b"anyone")
        cpu = time.process_time()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(6), 0.3)
        assert time.process_time() - cpu < 0.1
        await asyncio.wait_for(server.wait_closed(), 5)
        for _, writer in [*streams, (reader, late)]:
            writer.close()

    _serve(run, make_loop)


def test_a_loop_given_an_address_serves_as_its_base_does() -> None:
    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", 0)
        assert isinstance(server, asyncio.base_events.Server)
        server.close()
        await server.wait_closed()

    loop = workers.BalancedLoop()
    try:
        loop.run_until_complete(run())
    finally:
        loop.close()


def test_a_worker_sets_its_startup_objects_aside_from_the_garbage_collector(
    tmp_path: Path,
) -> None:
    """What a worker builds lives as long as it: a full collection no longer walks it
    (each walk stopped every request in the worker for 40-70 ms under load)."""
    run = (
        "import gc, time; from randcheck.service.app import app_from_env; app_from_env(); "
        "t = time.process_time(); gc.collect(); "
        "print(gc.get_freeze_count(), len(gc.get_objects()), time.process_time() - t)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    env["RANDCHECK_SERVICE_STORE"] = str(tmp_path / "ledgers")
    ran = subprocess.run(
        [sys.executable, "-c", run], env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    frozen, left, _ = ran.stdout.split()
    assert int(frozen) > 20_000 and int(left) < int(frozen) // 10, ran.stdout


class FlakySocket(socket.socket):
    """A listening socket whose first accepts fail."""

    failures: list[Exception]

    def accept(self) -> tuple[socket.socket, object]:
        if self.failures:
            raise self.failures.pop(0)
        return super().accept()


def test_a_worker_keeps_accepting_after_an_accept_fails(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="uvicorn.error")
    listening = FlakySocket()
    listening.failures = [
        OSError(errno.EPROTO, "protocol error"),
        OSError(errno.EMFILE, "too many"),
        RuntimeError("unexpected"),
    ]

    async def run(listening: socket.socket, port: int) -> None:
        server = await asyncio.get_running_loop().create_server(Echo, sock=listening, backlog=8)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"still")
        assert await asyncio.wait_for(reader.readexactly(5), 5) == b"STILL"
        writer.close()
        server.close()
        await server.wait_closed()

    _serve(run, listening=listening)
    assert not listening.failures
    assert "cannot accept a connection" in caplog.text
    assert "too many" in caplog.text and "unexpected" in caplog.text


def test_a_worker_holding_many_takes_a_crowd_several_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker's wait grows with what it holds, so it takes more than one connection
    after each wait once it holds many: a crowd reconnecting is not let in 20 a second."""
    waits: list[int] = []
    readable = workers.Listener._readable

    async def counted(self: workers.Listener) -> None:
        waits.append(self.held())
        await readable(self)

    monkeypatch.setattr(workers.Listener, "_readable", counted)

    async def run(listening: socket.socket, port: int) -> None:
        server = await asyncio.get_running_loop().create_server(Echo, sock=listening, backlog=256)
        assert isinstance(server, workers.Listener)
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(50)]
        while server.held() < 50:
            await asyncio.sleep(0.01)
        waits.clear()
        crowd = [await asyncio.open_connection("127.0.0.1", port) for _ in range(100)]
        for reader, writer in crowd:
            writer.write(b"in")
            assert await asyncio.wait_for(reader.readexactly(2), 10) == b"IN"
        assert server.held() == 150
        assert len(waits) < 50, waits  # 100 let in after fewer than 50 waits
        for _, writer in held + crowd:
            writer.close()
        server.close()
        await server.wait_closed()

    _serve(run)


def test_a_worker_waits_its_turn_for_connections_that_stay_not_for_one_request_each() -> None:
    """Keep-alive connections are balanced (a worker holding some waits its turn);
    connections of one request each are taken at once, however many are in flight."""

    async def run(listening: socket.socket, port: int) -> None:
        server = await asyncio.get_running_loop().create_server(Echo, sock=listening, backlog=64)
        assert isinstance(server, workers.Listener)
        staying = [await asyncio.open_connection("127.0.0.1", port) for _ in range(20)]
        while server.held() < 20:
            await asyncio.sleep(0.01)
        assert server.turn(server.held()) == pytest.approx(20 * workers.PER_CONNECTION)
        for _ in range(workers.LIVES):  # one request each, then closed
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"once")
            assert await asyncio.wait_for(reader.readexactly(4), 5) == b"ONCE"
            writer.close()
            await writer.wait_closed()
        while server.held() > 20:
            await asyncio.sleep(0.01)
        assert server.short_lived() and server.turn(server.held()) == 0.0
        for _, writer in staying:
            writer.close()
        server.close()
        await server.wait_closed()

    _serve(run)
