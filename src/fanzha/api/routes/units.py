"""``/units``: the units the caller can see (部省市县 and liaison desks)."""

from __future__ import annotations

from fastapi import APIRouter

from fanzha.api.deps import ActorDep, StoreDep, visible_units
from fanzha.model import Unit

router = APIRouter(prefix="/units", tags=["units"])


@router.get("", response_model=list[Unit])
def list_units(store: StoreDep, actor: ActorDep) -> list[Unit]:
    """The caller's unit and every unit below it."""
    visible = visible_units(store, actor)
    return [unit for unit in store.units() if unit.code in visible]
