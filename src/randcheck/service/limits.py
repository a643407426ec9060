"""The size of a request body, bounded before it is read: a declared ``Content-Length``
over the limit is refused at once, and a body streamed without one is counted and
cut off at the limit (413, as a problem detail). Registry uploads (multipart) have
their own, larger limit."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from randcheck.service.problems import problem_response
from randcheck.service.settings import Limits


class BodyLimit:
    """ASGI middleware enforcing :class:`~randcheck.service.settings.Limits`."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def _limit(self, scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.limits.max_upload_bytes
        return self.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = next((v for n, v in scope.get("headers", []) if n == b"content-length"), None)
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0 or size > limit:
                response = problem_response(
                    413 if size > limit else 400,
                    f"the request body ({declared.decode('latin-1')[:20]} bytes) is over the "
                    f"limit of {limit} bytes"
                    if size > limit
                    else "the Content-Length header is not a number",
                    hint="send less: a registry upload is limited by limits.max_upload_bytes, "
                    "any other body by limits.max_body_bytes",
                )
                await response(scope, receive, send)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, f"the request body is over the limit of {limit} bytes")
            return message

        await self.app(scope, counted, send)
