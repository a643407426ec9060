"""How an endpoint runs: its blocking work (the ledger's store, the files) in the thread
pool, in one hand-off per request.

FastAPI runs a plain ``def`` endpoint in the thread pool, and then validates its answer
in the thread pool again; every plain ``def`` dependency is one more hand-off. Each
hand-off costs a thread switch and a wake-up of the event loop, which on a busy
machine is much of a small request's time. So the dependencies that do no blocking
I/O (who is calling, the context) are ``async``, and :class:`OneHop` runs each plain
``def`` endpoint as a coroutine that sends its body to the thread pool once and
checks the answer on the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi.routing import APIRoute

T = TypeVar("T")

THREADS = 40
"""Threads per worker process for blocking work (as many as anyio's default)."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:  # made in the process that uses it (uvicorn's workers are spawned)
            _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="randcheck-blocking")
        return _pool


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in the thread pool, with this task's context
    variables. A plain executor hand-off costs about half of anyio's
    (``run_in_threadpool``) when many requests hand off at once."""
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)


def one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as a coroutine running it in the thread pool (a coroutine as it is).
    Its signature and annotations stay the endpoint's (``functools.wraps``): FastAPI reads
    the parameters and the answer's type from them."""
    if inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint):
        return endpoint
    if inspect.isgeneratorfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await in_thread(endpoint, *args, **kwargs)

    return run


class OneHop(APIRoute):
    """A route whose plain ``def`` endpoint runs in the thread pool in one hand-off."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_hop(endpoint), **kwargs)
