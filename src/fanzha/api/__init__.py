"""fanzha.api: the HTTP API (FastAPI) over the stores and engines; ``create_app()`` builds it."""

from fanzha.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
