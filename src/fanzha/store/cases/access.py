"""Users and API keys of the case store (用户与接口密钥): who may sign in, in which unit, with which roles.

The store keeps what it is given; hashing passwords and keys is the API's job (``fanzha.api.security``), so no
secret ever reaches the database in the clear.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fanzha.model import utcnow
from fanzha.store.cases.audit import append_event
from fanzha.store.cases.records import CaseStoreError, UnknownUnitError
from fanzha.store.cases.schema import ApiKeyRow, UnitRow, UserRow
from fanzha.store.cases.store import CaseStore


@dataclass(frozen=True)
class Account:
    """A user or an API key as the API needs it: who, which unit, which roles, and the stored hash."""

    name: str
    display_name: str
    unit: str
    roles: tuple[str, ...]
    secret_hash: str
    active: bool
    created_at: datetime


class DuplicateAccountError(CaseStoreError):
    """A username (compared without case) or key id that is already taken."""


def _roles_text(roles: Sequence[str]) -> str:
    if not roles:
        raise CaseStoreError("an account needs at least one role")
    return ",".join(sorted(set(roles)))


def add_user(
    store: CaseStore, username: str, display_name: str, unit: str, roles: Sequence[str], password_hash: str,
    *, actor: str,
) -> Account:  # fmt: skip
    """Create a user (新增用户) in ``unit``; the creation is audited under ``actor``.

    Usernames are unique without regard to case: ``SZ.ANALYST`` cannot join ``sz.analyst``.
    """
    row = UserRow(
        username=username, display_name=display_name, unit=unit, roles=_roles_text(roles),
        password_hash=password_hash, active=True, created_at=utcnow(),
    )  # fmt: skip
    _insert(store, row, unit, actor, "user.create", "user", username)
    return find_user_or_fail(store, username)


def add_api_key(
    store: CaseStore, key_id: str, key_hash: str, name: str, unit: str, roles: Sequence[str], *, actor: str
) -> Account:
    """Register an API key (only its hash) for a bank's or telco's system in ``unit``; audited under ``actor``."""
    row = ApiKeyRow(
        key_id=key_id, key_hash=key_hash, name=name, unit=unit, roles=_roles_text(roles), active=True,
        created_at=utcnow(),
    )  # fmt: skip
    _insert(store, row, unit, actor, "api_key.create", "api_key", key_id)
    found = find_api_key(store, key_hash)
    assert found is not None
    return found


def _insert(
    store: CaseStore, row: UserRow | ApiKeyRow, unit: str, actor: str, action: str, kind: str, name: str
) -> None:
    with Session(store.writer_engine, expire_on_commit=False) as session, session.begin():
        if session.get(UnitRow, unit) is None:
            raise UnknownUnitError({name: unit})
        session.add(row)
        try:
            session.flush()
        except IntegrityError as error:
            raise DuplicateAccountError(f"{kind} {name!r} already exists") from error
        append_event(session, actor, action, kind, name, {"unit": unit, "roles": row.roles})


def set_password(store: CaseStore, username: str, password_hash: str, *, actor: str) -> None:
    """Replace a user's password hash (重置密码); audited under ``actor``."""
    with Session(store.writer_engine) as session, session.begin():
        row = _user_or_fail(session, username)
        row.password_hash = password_hash
        append_event(session, actor, "user.password", "user", row.username, {})


def _user_row(session: Session, username: str) -> UserRow | None:
    query = select(UserRow).where(func.lower(UserRow.username) == func.lower(username))
    return session.scalars(query).first()


def find_user(store: CaseStore, username: str) -> Account | None:
    """The user named ``username`` in any case (``SZ`` finds ``sz``), active or not, or None."""
    with Session(store.engine) as session:
        row = _user_row(session, username)
        return _user_account(row) if row is not None else None


def set_user_active(store: CaseStore, username: str, active: bool, *, actor: str) -> None:
    """Disable (停用) or re-enable a user; their tokens stop (or start) working within the API's account cache
    time. Audited under ``actor``."""
    with Session(store.writer_engine) as session, session.begin():
        row = _user_or_fail(session, username)
        row.active = active
        append_event(session, actor, "user.active", "user", row.username, {"active": active})


def set_user_roles(store: CaseStore, username: str, roles: Sequence[str], *, actor: str) -> None:
    """Give a user other roles (a promotion or a demotion); audited under ``actor``."""
    with Session(store.writer_engine) as session, session.begin():
        row = _user_or_fail(session, username)
        row.roles = _roles_text(roles)
        append_event(session, actor, "user.roles", "user", row.username, {"roles": row.roles})


def delete_user(store: CaseStore, username: str, *, actor: str) -> None:
    """Remove a user (删除用户); audited under ``actor``."""
    with Session(store.writer_engine) as session, session.begin():
        row = _user_or_fail(session, username)
        session.delete(row)
        append_event(session, actor, "user.delete", "user", row.username, {})


def _user_or_fail(session: Session, username: str) -> UserRow:
    row = _user_row(session, username)
    if row is None:
        raise CaseStoreError(f"no user {username!r}")
    return row


def find_user_or_fail(store: CaseStore, username: str) -> Account:
    """The user named ``username``; raises CaseStoreError when there is none."""
    found = find_user(store, username)
    if found is None:
        raise CaseStoreError(f"no user {username!r}")
    return found


def find_api_key(store: CaseStore, key_hash: str) -> Account | None:
    """The API key with this hash, or None."""
    with Session(store.engine) as session:
        row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash)).first()
        return _key_account(row) if row is not None else None


def _user_account(row: UserRow) -> Account:
    return Account(
        row.username, row.display_name, row.unit, tuple(row.roles.split(",")), row.password_hash, row.active,
        row.created_at,
    )  # fmt: skip


def _key_account(row: ApiKeyRow) -> Account:
    return Account(
        f"key:{row.key_id}", row.name, row.unit, tuple(row.roles.split(",")), row.key_hash, row.active,
        row.created_at,
    )  # fmt: skip


def list_users(store: CaseStore, units: Collection[str]) -> list[Account]:
    """The users of ``units``, by unit then name (no secrets beyond the stored hash, which callers must not show)."""
    query = select(UserRow).where(UserRow.unit.in_(units)).order_by(UserRow.unit, UserRow.username)
    with Session(store.engine) as session:
        return [_user_account(row) for row in session.scalars(query)]
