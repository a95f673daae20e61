"""The fraud-type taxonomy (诈骗类型), held as data in ``data/fraud_types.json`` so it can change without code."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict


class FraudSubtype(BaseModel):
    """A level-2 variant of a fraud type, such as 杀猪盘 under 虚假投资理财."""

    model_config = ConfigDict(frozen=True)
    code: str
    zh: str
    en: str


class FraudType(BaseModel):
    """A level-1 fraud type; ``high_incidence`` marks the MPS ten high-incidence types (十大高发类型)."""

    model_config = ConfigDict(frozen=True)
    code: str
    zh: str
    en: str
    high_incidence: bool
    subtypes: tuple[FraudSubtype, ...] = ()


class Taxonomy(BaseModel):
    """All fraud types, level 1 with their level-2 subtypes."""

    model_config = ConfigDict(frozen=True)
    types: tuple[FraudType, ...]

    def codes(self) -> list[str]:
        """Level-1 codes in file order."""
        return [t.code for t in self.types]

    def all_codes(self) -> set[str]:
        """Level-1 and level-2 codes."""
        return {t.code for t in self.types} | {s.code for t in self.types for s in t.subtypes}

    def get(self, code: str) -> FraudType:
        """The level-1 type of a level-1 or level-2 code."""
        top = code.split(".", 1)[0]
        for fraud_type in self.types:
            if fraud_type.code == top:
                return fraud_type
        raise KeyError(code)


@lru_cache(maxsize=1)
def fraud_taxonomy() -> Taxonomy:
    """The taxonomy shipped with fanzha."""
    text = resources.files("fanzha.model").joinpath("data/fraud_types.json").read_text("utf-8")
    return Taxonomy.model_validate({"types": json.loads(text)["types"]})
