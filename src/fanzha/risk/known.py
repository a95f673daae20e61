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
    "bank_hotline": ("一家银行", "a bank"),
    "insurer_hotline": ("一家保险公司", "an insurer"),
    "telco_service": ("电信运营商", "a carrier"),
    "government_hotline": ("政府部门或公安机关", "a government or police service"),
    "platform_service": ("一个知名平台", "a well-known platform"),
    "platform": ("一个知名平台", "a well-known platform"),
}
"""Whose number a listed phone is, in Chinese and English, when the list gives no name of its own."""


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
    hubs = {key: KnownService(category, *_unnamed(key, category)) for key, category in shipped_hubs().items()}
    return KnownServices({**hubs, **named})


def _unnamed(key: str, category: str) -> tuple[str, str]:
    """Names of a hub listed without any: whose number a phone is, or a platform's own domain or app name."""
    kind, _, value = key.partition(":")
    if kind == IdentifierKind.PHONE.value:
        return CATEGORY_NAMES.get(category, ("一个服务机构", "a service"))
    return value, value
