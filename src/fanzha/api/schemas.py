"""Request and response bodies of the API that are not domain types themselves."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from fanzha.model import IdentifierKind


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


class RiskLevel(StrEnum):
    """What the public is told about a phone, URL or account (风险提示)."""

    HIGH = "high"
    MEDIUM = "medium"
    NONE_REPORTED = "none_reported"
    SERVICE = "known_service"
    INVALID = "invalid"


class RiskAnswer(BaseModel):
    """The public answer about an identifier: a level and counts, never anything about the people who reported it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "phone", "value": "+8613800138000", "level": "high", "cases": 4, "tips": 11,
                 "first_reported": "2026-09-02T03:00:00Z", "last_reported": "2026-09-29T12:00:00Z"}
            ]
        }
    )  # fmt: skip
    kind: IdentifierKind
    value: str = Field(description="the identifier as fanzha normalises it")
    level: RiskLevel
    cases: int = Field(description="victim reports naming it")
    tips: int = Field(description="tips naming it")
    first_reported: datetime | None
    last_reported: datetime | None


class IdentifierIn(BaseModel):
    """An identifier as people write it; the API normalises it (E.164 phones, digit-only accounts, …)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "phone", "value": "138 0013 8000"}]})
    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=256)


RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
"""Ids a client may choose for a task, lead or warning (the server makes one when none is given)."""
