"""What the risk room knows about services (公共服务号码/知名平台): listed service numbers and platforms by name.

Two shipped lists make one directory: ``data/known_services.json`` (numbers and platforms with their Chinese and
English names) and the innocent hubs that linking ships (``fanzha.link.hubs.shipped_hubs``), which are known
here too, named by their category when the first list has no name for them. A centre may pass its own directory
(local hospitals, a city's service numbers) to :func:`fanzha.risk.assess_identifier`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from fanzha.link.hubs import shipped_hubs
from fanzha.model import IdentifierKind, registrable_domain

CATEGORY_NAMES: Mapping[str, tuple[str, str]] = {
    "bank_hotline": ("银行客服热线", "a bank's service line"),
    "insurer_hotline": ("保险公司客服热线", "an insurer's service line"),
    "telco_service": ("运营商客服号码", "a carrier's service number"),
    "government_hotline": ("政府服务或报警号码", "a government or police number"),
    "platform_service": ("平台客服号码", "a platform's service line"),
    "platform": ("知名平台", "a well-known platform"),
}
"""Chinese and English names of each category, for services listed without a name of their own."""


@dataclass(frozen=True)
class KnownService:
    """A listed service number or platform: its category and its names in Chinese and English."""

    category: str
    zh: str
    en: str


@dataclass(frozen=True)
class KnownServices:
    """Listed services by ``kind:value`` key (normalised values, as in the hub list)."""

    by_key: Mapping[str, KnownService]

    def get(self, kind: IdentifierKind, value: str) -> KnownService | None:
        """The listed service named ``value`` of ``kind``, if any."""
        return self.by_key.get(f"{kind.value}:{value}")

    def platform_of_host(self, host: str) -> KnownService | None:
        """The listed platform whose registrable domain ``host`` is on (``item.taobao.com`` → Taobao)."""
        return self.by_key.get(f"{IdentifierKind.DOMAIN.value}:{registrable_domain(host)}")


@lru_cache(maxsize=1)
def shipped_services() -> KnownServices:
    """The shipped directory: the named lists of ``data/known_services.json`` over the link room's hub list."""
    text = resources.files("fanzha.risk").joinpath("data/known_services.json").read_text("utf-8")
    document: dict[str, dict[str, list[str]]] = json.loads(text)
    named = {
        key: KnownService(category, zh, en)
        for section in ("services", "platforms")
        for key, (category, zh, en) in document[section].items()
    }
    hubs = {
        key: KnownService(category, *_category_names(category)) for key, category in shipped_hubs().items()
    }
    return KnownServices({**hubs, **named})


def _category_names(category: str) -> tuple[str, str]:
    return CATEGORY_NAMES.get(category, (category, category.replace("_", " ")))
