"""A per-request body limit enforced before parsing: bytes are counted as they arrive, never buffered here."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fanzha.api.problems import PROBLEM_JSON, TITLES, Problem


def _too_large(path: str, limit: int) -> bytes:
    return (
        Problem(
            title=TITLES[413], status=413, detail=f"request body larger than {limit} bytes", instance=path
        )
        .model_dump_json()
        .encode("utf-8")
    )


class BodyLimit:
    """Pure ASGI middleware: a body past ``max_bytes`` answers 413 problem+json without being read to the end.

    A declared ``Content-Length`` over the limit is refused before the app runs; otherwise the body is counted
    chunk by chunk, and at the first byte over the limit the app is told the client left (it stops reading)
    and its answer is replaced by the 413. Cost: O(1) memory, one addition per chunk.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = _too_large(scope.get("path", ""), self.max_bytes)
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers", [])
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
