"""Request and response bodies of the API that are not domain types themselves."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from fanzha.model import IdentifierKind
from fanzha.risk import RiskLevel, RiskReason


class TokenRequest(BaseModel):
    """Username and password."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "analyst.sz", "password": "…"}]})
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Token(BaseModel):
    """A short-lived access token; send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    unit: str
    roles: list[str]


class Me(BaseModel):
    """The caller: user or key name, unit and roles, and what its roles may read (so a client shows only that)."""

    name: str
    unit: str
    roles: list[str]
    reads: list[str] = Field(default_factory=list, description="resources the caller's roles may read")


class IngestResult(BaseModel):
    """What a report batch did: reports inserted, and reports already stored with the same content."""

    inserted: int = Field(examples=[1])
    unchanged: int = Field(examples=[0])
    identifiers_in_text: int = Field(examples=[3])


class RiskAnswer(BaseModel):
    """The public answer about an identifier (风险查询结果): a level, its reasons, and for phones, sites and apps
    how often and on which days the other side of a report used it; never anything about who reported it.

    For bank accounts, wallets and Alipay accounts only the level is answered: ``cases``, ``tips`` and the dates
    are null, so that no one can check whether a mule account is burnt.
    """

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {"kind": "phone", "value": "+8613800138000", "level": "high", "cases": 4, "tips": 11,
                 "first_reported": "2026-09-02", "last_reported": "2026-09-29", "spoofable": False,
                 "category": None,
                 "reasons": [{"code": "reported_repeatedly", "zh": "多名受害人报案中作为对方出现",
                              "en": "named as the other side in several victims' reports"}]}
            ]
        },
    )  # fmt: skip
    kind: IdentifierKind
    value: str = Field(description="the identifier as fanzha normalises it")
    level: RiskLevel
    cases: int | None = Field(description="victim reports naming it as the other side's; null: level only")
    tips: int | None = Field(description="tips naming it; null: level only")
    first_reported: date | None = Field(description="day of the first such report (the centre's time zone)")
    last_reported: date | None = Field(description="day of the latest such report (the centre's time zone)")
    spoofable: bool = Field(description="a caller showing this number may be someone else (改号)")
    category: str | None = Field(
        description="what listed service it is: bank_hotline, telco_service, government_hotline, platform, …"
    )
    reasons: list[RiskReason] = Field(description="why, in Chinese and English; ``code`` is stable")


class IdentifierIn(BaseModel):
    """An identifier as people write it; the API normalises it (E.164 phones, digit-only accounts, …)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "phone", "value": "138 0013 8000"}]})
    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=256)


def server_id(prefix: str) -> str:
    """A new id for a task, lead or warning, made by the server (``T-``, ``L-``, ``W-`` and 64 random bits).

    Clients do not choose these ids: a client-chosen id taken by a unit the caller cannot see would have to be
    refused, and the refusal would tell the caller it exists there.
    """
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def require_unit_scoped_id(record_id: str, unit: str, field: tuple[str | int, ...]) -> None:
    """Refuse (422 naming ``field``) a client-chosen id that does not open with its unit's code and a colon.

    Ids the client chooses (reports, interceptions) are unique per unit this way: a clash can only be with a
    record of a unit the caller may see, so no answer tells it that another unit uses an id. Unit codes hold no
    colon, so no unit's ids can pass for another's.
    """
    if not record_id.startswith(f"{unit}:"):
        message = f"{record_id!r} does not open with its unit's code and a colon ({unit}:…): ids are per unit"
        raise RequestValidationError([{"loc": ("body", *field), "msg": message, "type": "value_error"}])
