"""The ASGI application for uvicorn (``fanzha.api.main:app``), built from the environment's settings."""

from fanzha.api.app import create_app

app = create_app()
