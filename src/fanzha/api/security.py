"""Passwords (argon2), short-lived access tokens (JWT, HS256) and API keys for bank and telco systems.

No default secret: in production the settings refuse to load without ``FANZHA_SECRET_KEY``; in development and
tests a random key is made per process, so tokens do not survive a restart.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fanzha.config import Settings

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
API_KEY_PREFIX = "fzk"
ROLES = ("analyst", "investigator", "supervisor", "admin", "bank_liaison", "public")
"""Roles a user or key may hold; case work needs analyst, investigator or supervisor."""
CASE_ROLES = frozenset({"analyst", "investigator", "supervisor"})


class InvalidCredentialsError(Exception):
    """A token, key or password that does not check; the message never says which part was wrong."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user or an API key, the unit it acts for and its roles."""

    name: str
    unit: str
    roles: frozenset[str]

    def has_any(self, roles: frozenset[str]) -> bool:
        """Whether the principal holds one of ``roles``."""
        return bool(self.roles & roles)


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


_EPHEMERAL_KEY = secrets.token_urlsafe(48)


def signing_key(settings: Settings) -> str:
    """The key that signs access tokens: ``FANZHA_SECRET_KEY``, or outside production a per-process random one."""
    if settings.secret_key:
        return settings.secret_key
    logger.warning("FANZHA_SECRET_KEY is not set: tokens are signed with a key that dies with this process")
    return _EPHEMERAL_KEY


def issue_token(principal: Principal, settings: Settings, now: datetime) -> tuple[str, datetime]:
    """A signed access token for ``principal`` and when it expires."""
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": principal.name,
        "unit": principal.unit,
        "roles": sorted(principal.roles),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), expires


def read_token(token: str, settings: Settings) -> Principal:
    """The principal a valid, unexpired token names; raises InvalidCredentialsError."""
    try:
        claims = jwt.decode(
            token, signing_key(settings), algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as error:
        raise InvalidCredentialsError("invalid or expired token") from error
    return Principal(str(claims["sub"]), str(claims["unit"]), frozenset(claims.get("roles", ())))


def new_api_key() -> tuple[str, str]:
    """A fresh API key ``fzk_<id>_<secret>`` and its id; store only :func:`api_key_hash` of it."""
    key_id = secrets.token_hex(6)
    return f"{API_KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}", key_id


def api_key_hash(key: str) -> str:
    """SHA-256 of an API key (keys are long random strings, so a fast hash is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
