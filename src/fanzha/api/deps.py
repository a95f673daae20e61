"""Dependencies of the routes: settings, the case store, the calling actor and its permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fanzha.api.security import InvalidCredentialsError, actor_of, api_key_hash, read_token
from fanzha.config import Settings
from fanzha.intake.pipeline import load_classifier
from fanzha.ops import Actor, Role
from fanzha.store.cases import CaseStore
from fanzha.store.cases.access import find_api_key
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


def get_classifier(request: Request) -> FraudClassifier:
    """The fraud-type classifier, loaded (or trained on the shipped data) on first use and kept for the process."""
    state = request.app.state
    if getattr(state, "classifier", None) is None:
        state.classifier = load_classifier(state.settings)
    classifier: FraudClassifier = state.classifier
    return classifier


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[CaseStore, Depends(get_store)]
ClassifierDep = Annotated[FraudClassifier, Depends(get_classifier)]


def current_actor(
    settings: SettingsDep,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[
        str | None, Header(alias="X-API-Key", description="key of a bank or telco system")
    ] = None,
) -> Actor:
    """The signed-in user (Bearer token) or system (X-API-Key); 401 otherwise."""
    if credentials is not None:
        try:
            return read_token(credentials.credentials, settings)
        except InvalidCredentialsError as error:
            raise _UNAUTHENTICATED from error
    if api_key:
        account = find_api_key(store, api_key_hash(api_key))
        if account is not None and account.active:
            return actor_of(account.name, account.unit, account.roles)
    raise _UNAUTHENTICATED


ActorDep = Annotated[Actor, Depends(current_actor)]


def requires(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency admitting actors that hold one of ``roles`` (403 otherwise)."""
    wanted = frozenset(roles)

    def check(actor: ActorDep) -> Actor:
        if not actor.roles & wanted:
            raise HTTPException(403, f"needs one of the roles {', '.join(sorted(wanted))}")
        return actor

    return check


def visible_units(store: CaseStore, actor: Actor) -> set[str]:
    """The units whose work ``actor`` may see: its own and every unit below it."""
    return store.visible_units(actor.unit)
