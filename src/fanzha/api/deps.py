"""Dependencies of the routes: settings, the case store, the calling actor and its permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fanzha.api.cache import TtlCache
from fanzha.api.security import CASE_ROLES, InvalidCredentialsError, actor_of, api_key_hash, read_token
from fanzha.config import Settings
from fanzha.intake.pipeline import load_classifier
from fanzha.ops import READ_ROLES, Actor, Clock, Resource, Role, SlaPolicy, UnitTree, may_read
from fanzha.store.cases import CaseStore, ReportNotFoundError
from fanzha.store.cases.access import find_api_key, find_user
from fanzha.store.cases.ops import load_tree
from fanzha.text import FraudClassifier

_bearer = HTTPBearer(auto_error=False, description="an access token from POST /api/v1/auth/token")
_UNAUTHENTICATED = HTTPException(
    401, "sign in first (Bearer token or X-API-Key)", {"WWW-Authenticate": "Bearer"}
)


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> CaseStore:
    """The app's case store."""
    store: CaseStore = request.app.state.case_store
    return store


_Kept = TypeVar("_Kept")


def cached_on_app(request: Request, name: str, make: Callable[[], _Kept], *, version: object = None) -> _Kept:
    """An object kept on ``app.state`` for the life of the process: made on first use, and made again when
    ``version`` (the files behind it, say) differs from the one it was made for."""
    state = request.app.state
    kept: _Kept | None = getattr(state, name, None)
    if kept is None or getattr(state, f"{name}_version", None) != version:
        kept = make()
        setattr(state, name, kept)
        setattr(state, f"{name}_version", version)
    return kept


def get_classifier(request: Request) -> FraudClassifier:
    """The fraud-type classifier, loaded (or trained on the shipped data) on first use and kept for the process."""
    settings: Settings = request.app.state.settings
    return cached_on_app(request, "classifier", lambda: load_classifier(settings))


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[CaseStore, Depends(get_store)]
ClassifierDep = Annotated[FraudClassifier, Depends(get_classifier)]


def get_account_cache(request: Request) -> TtlCache[tuple[Actor | None]]:
    """Signed-in users' accounts as last read (``app.state.account_cache``), kept a few seconds."""
    cache: TtlCache[tuple[Actor | None]] = request.app.state.account_cache
    return cache


AccountCacheDep = Annotated[TtlCache[tuple[Actor | None]], Depends(get_account_cache)]


def current_actor(
    settings: SettingsDep,
    store: StoreDep,
    accounts: AccountCacheDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[
        str | None, Header(alias="X-API-Key", description="key of a bank or telco system")
    ] = None,
) -> Actor:
    """The signed-in user (Bearer token) or system (X-API-Key); 401 otherwise."""
    if credentials is not None:
        return token_actor(settings, store, accounts, credentials)
    if api_key:
        account = find_api_key(store, api_key_hash(api_key))
        if account is not None and account.active:
            return actor_of(account.name, account.unit, account.roles)
    raise _UNAUTHENTICATED


ActorDep = Annotated[Actor, Depends(current_actor)]


def token_actor(
    settings: SettingsDep,
    store: StoreDep,
    accounts: AccountCacheDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The user a valid Bearer token names, as the store has them now (API keys not accepted); 401 otherwise.

    The token only says who signed in: unit and roles come from the account, read again at most
    ``FANZHA_ACCOUNT_CACHE_SECONDS`` after the last read, so a disabled, deleted or demoted user loses access
    within that time rather than when the token expires.
    """
    if credentials is None:
        raise _UNAUTHENTICATED
    try:
        signed = read_token(credentials.credentials, settings)
    except InvalidCredentialsError as error:
        raise _UNAUTHENTICATED from error
    actor = account_actor(store, accounts, signed.user_id)
    if actor is None:
        raise _UNAUTHENTICATED
    return actor


def account_actor(store: CaseStore, cache: TtlCache[tuple[Actor | None]], username: str) -> Actor | None:
    """The actor of the active user ``username`` (None: no such user, or disabled), through ``cache``."""
    kept = cache.get(username)
    if kept is None:
        account = find_user(store, username)
        if account is None or not account.active:
            kept = (None,)
        else:
            kept = (actor_of(account.name, account.unit, account.roles),)
        cache.put(username, kept)
    return kept[0]


TokenActorDep = Annotated[Actor, Depends(token_actor)]


def requires(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency admitting actors that hold one of ``roles`` (403 otherwise)."""
    wanted = frozenset(roles)

    def check(actor: ActorDep) -> Actor:
        if not actor.roles & wanted:
            raise HTTPException(403, f"needs one of the roles {', '.join(sorted(wanted))}")
        return actor

    return check


CaseWorker = Annotated[Actor, Depends(requires(*CASE_ROLES))]
"""An analyst, investigator or supervisor: the roles that read reports in full and take them in."""


def visible_units(store: CaseStore, actor: Actor) -> set[str]:
    """The units whose work ``actor`` may see: its own and every unit below it."""
    return store.visible_units(actor.unit)


def require_readable_report(store: CaseStore, tree: UnitTree, actor: Actor, report_id: str | None) -> None:
    """Refuse (422 naming ``body.report_id``) a report the caller may not read, exactly as one that does not exist,
    so a task or lead cannot be pinned to another unit's report, and the refusal tells nothing of it."""
    if report_id is None:
        return
    try:
        # no stored id holds a NUL (PostgreSQL cannot even be asked)
        readable = "\x00" not in report_id and may_read(
            tree, actor, Resource.REPORT, store.report_unit(report_id)
        )
    except ReportNotFoundError:
        readable = False
    if not readable:
        message = f"no report {report_id!r} among those you may see"
        raise RequestValidationError([{"loc": ("body", "report_id"), "msg": message, "type": "value_error"}])


def get_clock(request: Request) -> Clock:
    """The clock of the operations room (``app.state.clock``: the system clock, a fake one in tests)."""
    clock: Clock = request.app.state.clock
    return clock


def get_sla_policy(request: Request) -> SlaPolicy:
    """Deadlines, escalation intervals and hold terms (``app.state.sla_policy``)."""
    policy: SlaPolicy = request.app.state.sla_policy
    return policy


def get_unit_tree(store: StoreDep) -> UnitTree:
    """The unit tree as stored now."""
    return load_tree(store)


ClockDep = Annotated[Clock, Depends(get_clock)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="rows to skip")]
ScopeQuery = Annotated[str | None, Query(description="a unit at or below yours; default yours")]
"""The unit whose subtree a list or a figure covers."""
"""A page offset; bounded so that no database sees a number past its integer type."""
PolicyDep = Annotated[SlaPolicy, Depends(get_sla_policy)]
TreeDep = Annotated[UnitTree, Depends(get_unit_tree)]


def scope_unit(tree: UnitTree, actor: Actor, unit: str | None) -> str:
    """``unit`` (default: the actor's own) when the actor may see it; 403 for a unit outside its subtree."""
    scope = unit or actor.unit
    if scope not in tree or not tree.can_see(actor.unit, scope):
        raise HTTPException(403, f"unit {scope} is not yours to see")
    return scope


def readers(resource: Resource) -> Callable[[Actor], Actor]:
    """A dependency admitting actors whose roles may read ``resource`` (the ops engine's READ_ROLES)."""
    return requires(*READ_ROLES[resource])
