"""The console's pages on the API's app: the built Vue app at ``/`` (client routes fall back to its
``index.html``), the API reference at ``/docs`` from local Swagger UI files, and the security headers.

Nothing is fetched from outside: the pages' ``Content-Security-Policy`` allows only the server's own origin. The one
exception is a single inline stylesheet, allowed by its hash rather than by ``'unsafe-inline'``: Cytoscape.js puts
a ``<style>`` element of its own into the page for its canvas container (the hash is that of the pinned version's
sheet; the browser tests fail if an upgrade changes it). Element Plus, ECharts and Swagger UI set styles through the
DOM, which the policy does not block. Scripts are ``'self'`` only, so no inline or injected script can run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fanzha.web import STATIC_DIR

CYTOSCAPE_STYLE_HASH = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
"""The hash of the stylesheet Cytoscape.js 3.35.0 injects for its container."""
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; style-src 'self' {CYTOSCAPE_STYLE_HASH}; img-src 'self' data:; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — API reference</title>
<link rel="icon" href="/swagger/favicon-32x32.png"><link rel="stylesheet" href="/swagger/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/swagger/swagger-ui-bundle.js"></script><script src="/swagger/init.js"></script></body></html>
"""
_NOT_BUILT = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>fanzha</title></head><body>"
    "<p>The console is not built: run <code>make web</code> (Node and npm), then reload. "
    "The API answers under <a href='/api/v1/auth/me'>/api/v1</a>.</p></body></html>"
)


_HEADER_PAIRS = [
    (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
]


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP answer that does not set them itself.

    A plain ASGI middleware: it only edits the response's start message, where Starlette's ``BaseHTTPMiddleware``
    would run every request through a task group and memory streams (about a third of a cached lookup's CPU)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _HEADER_PAIRS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_console(app: FastAPI, api_prefix: str, static_dir: Path = STATIC_DIR) -> None:
    """Serve the console and ``/docs`` on ``app`` and add the security headers to every answer.

    The console answers only what no route took (the router's default), and never a path under ``api_prefix``,
    so the API's own 404 and 405 answers stay as they are.
    """

    app.add_middleware(SecurityHeaders)

    @app.get("/docs", include_in_schema=False)
    def api_reference() -> HTMLResponse:
        """Swagger UI from the files copied into the console's build."""
        if not (static_dir / "swagger" / "swagger-ui-bundle.js").is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503)
        return HTMLResponse(_DOCS_PAGE.format(title=app.title))

    for folder in ("assets", "swagger"):
        files = StaticFiles(directory=static_dir / folder, check_dir=False)
        app.mount(f"/{folder}", files, name=f"console-{folder}")

    root = static_dir.resolve()
    api_path = api_prefix.rstrip("/") + "/"
    not_found = app.router.default

    async def console_page(scope: Scope, receive: Receive, send: Send) -> None:
        """What no route took: a file of the built console, else its ``index.html`` for GET of a client route
        (the app routes on the client); anything else (and every path under the API) the router's own 404."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or path.startswith(api_path):
            await not_found(scope, receive, send)
            return
        await _console_file(root, path.lstrip("/"))(scope, receive, send)

    app.router.default = console_page


def _console_file(root: Path, path: str) -> Response:
    index = root / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT, status_code=503)
    if path:
        wanted = (root / path).resolve()
        if wanted.is_file() and wanted.parent == root:
            return FileResponse(wanted)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
