"""Which identifiers link reports, and how strongly (串并依据): the linking key and the strength of each kind.

Strong identifiers (receiving accounts, wallets, URLs, scammers' phones and social accounts) merge reports into one
campaign; weak ones (registrable domains, app names, IPs, ID numbers) only mark campaigns as possibly related.

Domains are weak by default: one registrable domain carries many sites (free hosting, phishing-kit and parked-domain
services hand unrelated gangs subdomains of one domain), and on the simulator's medium scenario linking on domains
costs 6 points of B-cubed precision (0.918 against 0.982) for 0.3 points of recall. The exact URL still links.
:data:`DOMAINS_STRONG` restores the stricter reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from fanzha.model import IdentifierKind

K = IdentifierKind


class LinkStrength(IntEnum):
    """How much sharing one identifier says about two reports."""

    WEAK = 1
    STRONG = 2


KIND_STRENGTH: dict[IdentifierKind, LinkStrength] = {
    K.BANK_ACCOUNT: LinkStrength.STRONG,
    K.CRYPTO_WALLET: LinkStrength.STRONG,
    K.URL: LinkStrength.STRONG,
    K.DOMAIN: LinkStrength.WEAK,
    K.PHONE: LinkStrength.STRONG,
    K.WECHAT: LinkStrength.STRONG,
    K.QQ: LinkStrength.STRONG,
    K.LINE: LinkStrength.STRONG,
    K.TELEGRAM: LinkStrength.STRONG,
    K.ALIPAY: LinkStrength.STRONG,
    K.EMAIL: LinkStrength.STRONG,
    K.APP: LinkStrength.WEAK,
    K.IP: LinkStrength.WEAK,
    K.ID_NUMBER: LinkStrength.WEAK,
}
"""Strength per kind: app names are shared by unrelated scams, IPs by NAT and ID numbers are often the victim's."""

DOMAINS_STRONG: dict[IdentifierKind, LinkStrength] = {**KIND_STRENGTH, K.DOMAIN: LinkStrength.STRONG}
"""The strengths with registrable domains merging campaigns too."""

Strengths = Mapping[IdentifierKind, LinkStrength]


def link_strength(kind: IdentifierKind | str, strengths: Strengths = KIND_STRENGTH) -> LinkStrength:
    """The strength of a kind of identifier as evidence that two reports belong to one campaign."""
    return strengths[IdentifierKind(kind)]


def linking_key(kind: IdentifierKind | str, value: str) -> str:
    """``kind:value`` under which reports meet; an Alipay account that is a phone or an e-mail meets as that.

    Values must already be normalised (:func:`fanzha.model.normalize_identifier`).

    >>> linking_key("alipay", "+8613812345678")
    'phone:+8613812345678'
    """
    kind = IdentifierKind(kind)
    if kind == K.ALIPAY:
        kind = K.EMAIL if "@" in value else K.PHONE
    return f"{kind.value}:{value}"


def key_kind(key: str) -> IdentifierKind:
    """The kind named by a linking key."""
    return IdentifierKind(key.partition(":")[0])


def key_strength(key: str, strengths: Strengths = KIND_STRENGTH) -> LinkStrength:
    """The strength of a linking key's kind."""
    return strengths[key_kind(key)]
