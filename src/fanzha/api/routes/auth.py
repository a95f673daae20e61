"""``/auth``: sign in with a username and password for a short-lived access token, renew it before it expires."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from fanzha.api.deps import ActorDep, SettingsDep, StoreDep, TokenActorDep
from fanzha.api.schemas import Me, Token, TokenRequest
from fanzha.api.security import actor_of, check_password, issue_token
from fanzha.model import utcnow
from fanzha.ops import READ_ROLES
from fanzha.store.cases.access import find_user

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses={401: {"description": "wrong username or password"}})
def sign_in(body: TokenRequest, store: StoreDep, settings: SettingsDep) -> Token:
    """Exchange a username (in any case) and password for an access token (valid ``FANZHA_ACCESS_TOKEN_MINUTES``).

    An unknown username costs the same password check as a wrong password, so the answer's time names no one.
    """
    account = find_user(store, body.username)
    matches = check_password(account.secret_hash if account is not None else None, body.password)
    if account is None or not matches or not account.active:
        raise HTTPException(401, "wrong username or password", {"WWW-Authenticate": "Bearer"})
    actor = actor_of(account.name, account.unit, account.roles)
    token, expires = issue_token(actor, settings, utcnow())
    return Token(access_token=token, expires_at=expires, unit=actor.unit, roles=sorted(actor.roles))


@router.post("/renew", response_model=Token, responses={401: {"description": "token invalid or expired"}})
def renew(actor: TokenActorDep, store: StoreDep, settings: SettingsDep) -> Token:
    """A fresh access token for a signed-in user whose account is still active (the console calls this before
    its token expires); unit and roles are read again from the account. API keys have no token to renew."""
    account = find_user(store, actor.user_id)
    if account is None or not account.active:
        raise HTTPException(401, "sign in again", {"WWW-Authenticate": "Bearer"})
    fresh = actor_of(account.name, account.unit, account.roles)
    token, expires = issue_token(fresh, settings, utcnow())
    return Token(access_token=token, expires_at=expires, unit=fresh.unit, roles=sorted(fresh.roles))


@router.get("/me", response_model=Me)
def who_am_i(actor: ActorDep) -> Me:
    """The caller's name, unit and roles."""
    reads = sorted(resource.value for resource, roles in READ_ROLES.items() if actor.roles & roles)
    return Me(name=actor.user_id, unit=actor.unit, roles=sorted(actor.roles), reads=reads)
