"""``/users``: the people of a unit and the units below it; an administrator adds them (用户管理)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import ScopeQuery, StoreDep, TreeDep, readers, requires, scope_unit
from fanzha.api.security import hash_password
from fanzha.ops import Actor, Resource, Role
from fanzha.store.cases.access import Account, add_user, list_users

router = APIRouter(prefix="/users", tags=["users"])
UserReader = Annotated[Actor, Depends(readers(Resource.USER))]
Admin = Annotated[Actor, Depends(requires(Role.ADMIN))]


class UserCreate(BaseModel):
    """A new user in a unit at or below the administrator's."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"username": "li.na", "display_name": "李娜", "unit": "440305", "roles": ["investigator"],
                 "password": "a long passphrase of words"}
            ]
        }
    )  # fmt: skip
    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
    display_name: str = Field(min_length=1, max_length=128)
    unit: str = Field(min_length=1, max_length=32)
    roles: list[Role] = Field(min_length=1, max_length=6)
    password: str = Field(min_length=12, max_length=256)


class UserOut(BaseModel):
    """A user: never the password or its hash."""

    username: str
    display_name: str
    unit: str
    roles: list[str]
    active: bool
    created_at: datetime


def _out(account: Account) -> UserOut:
    return UserOut(
        username=account.name, display_name=account.display_name, unit=account.unit, roles=list(account.roles),
        active=account.active, created_at=account.created_at,
    )  # fmt: skip


@router.get("", response_model=list[UserOut])
def list_(
    store: StoreDep,
    actor: UserReader,
    tree: TreeDep,
    unit: ScopeQuery = None,
) -> list[UserOut]:
    """Users of a unit and every unit below it (supervisors and administrators)."""
    scope = scope_unit(tree, actor, unit)
    return [_out(account) for account in list_users(store, tree.visible_units(scope))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def create(body: UserCreate, store: StoreDep, actor: Admin, tree: TreeDep) -> UserOut:
    """Add a user to a unit at or below yours (administrators); the password is kept as an argon2 hash."""
    if body.unit not in tree or not tree.can_see(actor.unit, body.unit):
        raise HTTPException(403, f"unit {body.unit} is not yours to staff (field unit)")
    roles = [role.value for role in body.roles]
    account = add_user(
        store,
        body.username,
        body.display_name,
        body.unit,
        roles,
        hash_password(body.password),
        actor=actor.user_id,
    )
    return _out(account)
