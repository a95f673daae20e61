"""``/identifiers``: the public risk lookup of a phone, URL, account or other identifier (风险查询).

The rule lives in the risk room (:func:`fanzha.risk.assess_identifier`); this route only limits, caches and
translates it to HTTP.
"""

from __future__ import annotations

import math
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from fanzha.api.cache import TtlCache
from fanzha.api.schemas import RiskAnswer
from fanzha.config import Settings
from fanzha.model import IdentifierKind
from fanzha.risk import assess_identifier, counted_roles
from fanzha.store.cases import CaseStore

router = APIRouter(prefix="/identifiers", tags=["identifiers"])
PUBLIC_KINDS = frozenset(IdentifierKind) - {IdentifierKind.ID_NUMBER}


@router.get(
    "/risk",
    response_model=RiskAnswer,
    responses={429: {"description": "too many lookups from this client; see Retry-After"}},
)
async def identifier_risk(
    kind: Annotated[IdentifierKind, Query(examples=["phone"])],
    value: Annotated[str, Query(min_length=1, max_length=512, examples=["138 0013 8000"])],
    request: Request,
) -> RiskAnswer:  # no StoreDep: FastAPI runs a sync dependency in the thread pool, a hop on every lookup
    """Is this number, URL or account known to scam victims? Open to the public, limited per client.

    The value may be written as people write it (spaces, +86, full-width digits): it is normalised first.
    Resident ID numbers cannot be looked up. Answers may be up to ``FANZHA_PUBLIC_CACHE_SECONDS`` old.

    Levels: ``high`` and ``medium`` (reported as the other side of victims' reports), ``none_reported`` (which
    is not "safe"), ``platform`` (a well-known service scammers abuse or imitate: never ``high`` itself),
    ``service`` (a listed service number: real, but callers can spoof it, see ``spoofable``), ``unverified`` (a
    phone not in international form that is not a listed service number, or a listed one behind a '+' or a
    country code: a disguised call from abroad) and ``invalid``. Only mentions of
    the other side count, and mentions of unknown role unless ``FANZHA_RISK_UNKNOWN_ROLES=false``; a victim's own
    number or card never does.

    Changes of the answer (issue 10): ``known_service`` became ``service``, and every phone not in international
    form that is not listed answers ``unverified``; ``platform`` and ``unverified`` are new levels; the dates are
    days (``2026-09-02``), no longer instants; ``cases``, ``tips`` and the dates are null for bank accounts,
    wallets and Alipay accounts; ``spoofable``, ``category`` and ``reasons`` (zh and en) are new fields.
    """
    if kind not in PUBLIC_KINDS:
        raise HTTPException(404, f"{kind.value} cannot be looked up")
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.public_limiter.allow(client)
    if wait:
        raise HTTPException(429, "too many lookups; try again later", {"Retry-After": str(math.ceil(wait))})
    cache: TtlCache[RiskAnswer] = request.app.state.risk_cache
    answer = cache.get((kind, value))
    if answer is None:
        settings: Settings = request.app.state.settings
        store: CaseStore = request.app.state.case_store
        roles = counted_roles(settings.risk_unknown_roles)
        # An embedded SQLite read takes tens of µs, less than a hop to the thread pool; a server goes there.
        if store.engine.dialect.name == "sqlite":
            activity = store.identifier_activity(kind, value, roles)
        else:
            activity = await run_in_threadpool(store.identifier_activity, kind, value, roles)
        risk = assess_identifier(activity, timezone=ZoneInfo(settings.timezone))
        answer = RiskAnswer.model_validate(risk, from_attributes=True)
        cache.put((kind, value), answer)
    return answer
