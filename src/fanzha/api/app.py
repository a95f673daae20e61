"""The FastAPI application: routers under ``/api/v1``, problem+json errors, one case store per process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from fanzha import __version__
from fanzha.api.bodylimit import BodyLimit
from fanzha.api.cache import TtlCache
from fanzha.api.console import install_console
from fanzha.api.problems import Problem, install_problem_handlers
from fanzha.api.ratelimit import RateLimiter
from fanzha.api.routes import (
    auth,
    campaigns,
    exports,
    identifiers,
    leads,
    metrics,
    outcomes,
    reports,
    tasks,
    trace,
    units,
    users,
    warnings,
)
from fanzha.api.schemas import RiskAnswer
from fanzha.config import Settings, get_settings
from fanzha.model import set_input_limits
from fanzha.ops import Actor, SlaPolicy, SystemClock
from fanzha.store.cases import CaseStore

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, store: CaseStore | None = None) -> FastAPI:
    """The API over the case store at ``settings.case_store_url`` (migrate it first: ``fanzha db upgrade``).

    Pass ``store`` to serve one the caller owns (tests); otherwise the app opens and closes its own.
    """
    settings = settings or get_settings()
    set_input_limits(settings.input_limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.case_store = store or CaseStore(settings.case_store_url)
        try:
            yield
        finally:
            app.state.case_store.checkpoint_audit()
            if owned:
                app.state.case_store.close()
            campaigns = getattr(app.state, "campaign_store", None)
            if campaigns is not None:
                campaigns.close()

    app = FastAPI(
        title="fanzha API",
        version=__version__,
        summary="Combined-operations platform for anti-scam centres (反诈合成作战平台).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        responses={
            413: {"model": Problem},
            422: {"model": Problem},
            401: {"model": Problem},
            403: {"model": Problem},
        },
    )
    app.state.settings = settings
    app.state.public_limiter = RateLimiter(settings.public_lookups_per_minute)
    app.state.risk_cache = TtlCache[RiskAnswer](settings.public_cache_seconds)
    app.state.account_cache = TtlCache[tuple[Actor | None]](settings.account_cache_seconds, max_items=10_000)
    app.state.clock = SystemClock()
    app.state.sla_policy = SlaPolicy()
    if store is not None:
        app.state.case_store = store
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        reports,
        identifiers,
        units,
        users,
        tasks,
        leads,
        warnings,
        metrics,
        trace,
        campaigns,
        outcomes,
        exports,
    ):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    install_console(app, API_PREFIX)
    return app
