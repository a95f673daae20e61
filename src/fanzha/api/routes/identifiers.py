"""``/identifiers``: the public risk lookup of a phone, URL, account or other identifier (风险查询)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from fanzha.api.cache import TtlCache
from fanzha.api.deps import StoreDep
from fanzha.api.schemas import RiskAnswer, RiskLevel
from fanzha.model import IdentifierKind
from fanzha.store.cases import IdentifierActivity

router = APIRouter(prefix="/identifiers", tags=["identifiers"])
PUBLIC_KINDS = frozenset(IdentifierKind) - {IdentifierKind.ID_NUMBER}


def risk_level(activity: IdentifierActivity) -> RiskLevel:
    """High: named in two or more cases, or in a case and a tip; medium: one case or any tip.

    Service numbers (95xxx bank hotlines, 10086, 12321…) are answered as known services, whatever was reported:
    victims name them innocently, and scammers spoof them.
    """
    if not activity.valid:
        return RiskLevel.INVALID
    if activity.kind == IdentifierKind.PHONE and not activity.value.startswith("+"):
        return RiskLevel.SERVICE
    if activity.cases >= 2 or (activity.cases and activity.tips):
        return RiskLevel.HIGH
    if activity.cases or activity.tips:
        return RiskLevel.MEDIUM
    return RiskLevel.NONE_REPORTED


@router.get(
    "/risk",
    response_model=RiskAnswer,
    responses={429: {"description": "too many lookups from this client; see Retry-After"}},
)
async def identifier_risk(
    kind: Annotated[IdentifierKind, Query(examples=["phone"])],
    value: Annotated[str, Query(min_length=1, max_length=512, examples=["138 0013 8000"])],
    request: Request,
    store: StoreDep,
) -> RiskAnswer:
    """Is this number, URL or account known to scam victims? Open to the public, limited per client.

    The value may be written as people write it (spaces, +86, full-width digits): it is normalised first.
    Resident ID numbers cannot be looked up. Answers may be up to ``FANZHA_PUBLIC_CACHE_SECONDS`` old.
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
        answer = _answer(await run_in_threadpool(store.identifier_activity, kind, value))
        cache.put((kind, value), answer)
    return answer


def _answer(activity: IdentifierActivity) -> RiskAnswer:
    return RiskAnswer(
        kind=activity.kind, value=activity.value, level=risk_level(activity), cases=activity.cases,
        tips=activity.tips, first_reported=activity.first_reported, last_reported=activity.last_reported,
    )  # fmt: skip
