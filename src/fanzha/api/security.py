"""Passwords (argon2), short-lived access tokens (JWT, HS256) and API keys for bank and telco systems.

No default secret: in production the settings refuse to load without ``FANZHA_SECRET_KEY``; elsewhere a random key
is made once and kept in ``FANZHA_HOME`` (owner-only), so every worker process and every restart on that home agree.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fanzha.config import Settings
from fanzha.ops import Actor, Role
from fanzha.store.home import home_secret

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
API_KEY_PREFIX = "fzk"
CASE_ROLES = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})
"""Roles that do case work: reading reports in full, taking them in."""


class InvalidCredentialsError(Exception):
    """A token, key or password that does not check; the message never says which part was wrong."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(24))


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; with no hash (no such user) it is checked against a dummy
    hash made with the same parameters, so an unknown name costs as much as a wrong password and says nothing."""
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


def home_key(home: Path) -> str:
    """The signing key kept in ``home/secret_key``: made once (mode 0600), then read by every process on ``home``;
    a key file that others may read is refused (:func:`fanzha.store.home.home_secret`)."""
    return home_secret(home / "secret_key", instead="FANZHA_SECRET_KEY")


def signing_key(settings: Settings) -> str:
    """The key that signs access tokens: ``FANZHA_SECRET_KEY``, or outside production the one kept in
    ``FANZHA_HOME`` (:func:`home_key`)."""
    return settings.secret_key or home_key(settings.home)


def issue_token(actor: Actor, settings: Settings, now: datetime) -> tuple[str, datetime]:
    """A signed access token for ``actor`` and when it expires."""
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": actor.user_id,
        "unit": actor.unit,
        "roles": sorted(actor.roles),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), expires


def read_token(token: str, settings: Settings) -> Actor:
    """The actor a valid, unexpired token names; raises InvalidCredentialsError."""
    try:
        claims = jwt.decode(
            token, signing_key(settings), algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as error:
        raise InvalidCredentialsError("invalid or expired token") from error
    try:
        return actor_of(str(claims["sub"]), str(claims["unit"]), claims.get("roles", ()))
    except (KeyError, ValueError) as error:
        raise InvalidCredentialsError("invalid token") from error


def actor_of(name: str, unit: str, roles: Iterable[str]) -> Actor:
    """The :class:`fanzha.ops.Actor` for a signed-in user or key; raises ValueError on an unknown role."""
    return Actor(name, unit, frozenset(Role(role) for role in roles))


def new_api_key() -> tuple[str, str]:
    """A fresh API key ``fzk_<id>_<secret>`` and its id; store only :func:`api_key_hash` of it."""
    key_id = secrets.token_hex(6)
    return f"{API_KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}", key_id


def api_key_hash(key: str) -> str:
    """SHA-256 of an API key (keys are long random strings, so a fast hash is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
