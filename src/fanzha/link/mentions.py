"""Linking keys of reports: form identifiers, payees of payments and identifiers found in the narrative.

The narrative's wording is not relied on: whatever :func:`fanzha.text.extract` finds is added, nothing more.
A URL also meets reports naming its registrable domain. Only the other side's identifiers link (counterparty,
and unknown unless a centre turns that off): a victim's own card or phone, named by two unrelated victims who
bank alike, says nothing about a campaign, and an identifier a report marks as the victim's anywhere is left
out of that report's keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fanzha.link.keys import linking_key
from fanzha.model import IdentifierKind, IdentifierRole, Payment, PaymentRail, Report, normalize_identifier


class FoundValue(Protocol):
    """Anything with a kind, a normalised value and a role (``Identifier``, ``fanzha.text.FoundIdentifier``)."""

    @property
    def kind(self) -> IdentifierKind: ...
    @property
    def value(self) -> str: ...
    @property
    def role(self) -> IdentifierRole: ...


def linking_roles(include_unknown: bool = True) -> frozenset[IdentifierRole]:
    """The roles whose identifiers link reports: the other side's, and unknown ones unless excluded."""
    if include_unknown:
        return frozenset({IdentifierRole.COUNTERPARTY, IdentifierRole.UNKNOWN})
    return frozenset({IdentifierRole.COUNTERPARTY})


@lru_cache(maxsize=65_536)
def _domain_key(url: str) -> str | None:
    domain = normalize_identifier(IdentifierKind.DOMAIN, url)
    return f"domain:{domain.value}" if domain.valid else None


@lru_cache(maxsize=65_536)
def _payee_key(rail: PaymentRail, account: str) -> str | None:
    kind = IdentifierKind.CRYPTO_WALLET if rail == PaymentRail.CRYPTO else IdentifierKind.BANK_ACCOUNT
    value = normalize_identifier(kind, account).value
    return linking_key(kind, value) if value else None


def payee_key(payment: Payment) -> str | None:
    """The linking key of the account a payment went to (a bank account, or a wallet for crypto)."""
    return _payee_key(payment.rail, payment.to_account)


def identifier_keys(
    found: Iterable[FoundValue], roles: frozenset[IdentifierRole] = linking_roles()
) -> list[str]:
    """Linking keys of the identifiers with a linking role, each URL followed by its registrable domain."""
    keys = []
    for item in found:
        if item.role not in roles:
            continue
        keys.append(linking_key(item.kind, item.value))
        if item.kind == IdentifierKind.URL:
            domain = _domain_key(item.value)
            if domain is not None:
                keys.append(domain)
    return keys


def report_keys(
    report: Report, from_text: Sequence[FoundValue] = (), *, include_unknown: bool = True
) -> list[str]:
    """Distinct linking keys of one report, in order: form, payees, text; never the victim's own."""
    roles = linking_roles(include_unknown)
    keys = identifier_keys(report.identifiers, roles)
    keys += [key for key in map(payee_key, report.payments) if key is not None]
    keys += identifier_keys(from_text, roles)
    victims = identifier_keys([*report.identifiers, *from_text], frozenset({IdentifierRole.VICTIM}))
    if victims:
        own = set(victims)
        keys = [key for key in keys if key not in own]
    return list(dict.fromkeys(keys))


def extracted_identifiers(report: Report) -> list[FoundValue]:
    """What the text room finds in the narrative (nothing for an empty one)."""
    if not report.narrative:
        return []
    from fanzha.text import extract

    return list(extract(report.narrative, reference_time=report.received_at).identifiers)


@dataclass(frozen=True)
class ReportMentions:
    """Reports in link order (received, then id) and their mentions as parallel arrays."""

    reports: tuple[Report, ...]
    report: list[int]
    keys: list[str]

    @property
    def report_ids(self) -> list[str]:
        """Report ids in link order."""
        return [r.id for r in self.reports]


def mentions_of(
    reports: Iterable[Report],
    from_text: Mapping[str, Sequence[FoundValue]] | None = None,
    *,
    extract_text: bool = False,
    include_unknown: bool = True,
) -> ReportMentions:
    """Every report's linking keys; ``from_text[report_id]`` adds identifiers found in its text, or
    ``extract_text`` runs the extractor on each narrative. Reports are put in link order (oldest first)."""
    ordered = tuple(sorted(reports, key=lambda r: (r.received_at, r.id)))
    report_index: list[int] = []
    keys: list[str] = []
    for index, report in enumerate(ordered):
        text: Sequence[FoundValue] = ()
        if from_text is not None:
            text = from_text.get(report.id, ())
        elif extract_text:
            text = extracted_identifiers(report)
        found = report_keys(report, text, include_unknown=include_unknown)
        keys += found
        report_index += [index] * len(found)
    return ReportMentions(ordered, report_index, keys)


def keys_from_columns(
    report: Sequence[int], kinds: Sequence[str], values: Sequence[str]
) -> tuple[list[int], pa.Array]:
    """Mention arrays for :func:`fanzha.link.link_mentions` from stored (report, kind, value) columns.

    Keys are joined column-wise in Arrow; only Alipay accounts and URLs (re-keyed, plus the URL's domain) go
    through Python. Cost: O(mentions) vectorised plus O(Alipay + URL mentions) in Python.
    """
    kind_array = pa.array(list(kinds), pa.string())
    keys = pc.binary_join_element_wise(kind_array, pa.array(list(values), pa.string()), ":")
    special = np.flatnonzero(np.asarray(pc.is_in(kind_array, pa.array(["alipay", "url"])), dtype=bool))
    if len(special) == 0:
        return list(report), keys
    key_list = keys.to_pylist()
    extra_report: list[int] = []
    extra_keys: list[str] = []
    for i in special.tolist():
        found = identifier_keys([_Found(IdentifierKind(kinds[i]), values[i])])
        key_list[i] = found[0]
        extra_report += [report[i]] * (len(found) - 1)
        extra_keys += found[1:]
    return list(report) + extra_report, pa.array(key_list + extra_keys, pa.string())


@dataclass(frozen=True)
class _Found:
    kind: IdentifierKind
    value: str
    role: IdentifierRole = IdentifierRole.UNKNOWN
