"""The shape of a narrative phrasebook: what victims say per fraud type, per language (话术模板).

A :class:`Phrasebook` is plain data: tuples of sentences, some with ``{fields}`` filled in by the renderer
(:mod:`fanzha.sim.narratives`). To add a fraud type, add a :class:`FraudScript` under its taxonomy code in each
language's phrasebook; a level-2 code (``fake_investment.pig_butchering``) adds its lines to its level-1 script.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter

from fanzha.model import AgeBand, IdentifierKind, Language, PaymentRail

MENTION_FIELDS = frozenset({"id", "name", "bank"})
"""Fields of identifier sentences: ``id`` the identifier as written, ``name`` a platform or bank name, ``bank``
the beneficiary's bank."""
PAYMENT_FIELDS = frozenset({"time", "amount", "via", "bank", "card", "n", "total", "name"})
"""Fields of payment sentences: ``time`` and ``amount`` as written, ``via`` the rail, ``card`` the receiving card,
``n`` the number of payments, ``total`` the sum, ``name`` the fraud as victims call it."""
OMITTED_FIELDS = frozenset({"head", "tail"})
"""Fields of sentences about an identifier left out: the first three or last four digits the victim remembers
(尾号1234), never enough to be an identifier."""


@dataclass(frozen=True)
class FraudScript:
    """How victims tell one fraud type (one 话术): plain sentences without fields, except ``mentions``.

    ``names`` what victims call it (刷单, 杀猪盘); ``openings`` how it started; ``steps`` the scammer's script in
    rough order; ``pressure`` why the victim paid again; ``realised`` how they found out; ``tips`` what a tipster
    saw; ``mentions`` sentences naming an identifier of a kind (field ``{id}``), preferred over the generic ones.
    For ``not_fraud``, whose reporters lost nothing to a scammer, ``names`` are how they open a question (想咨询一下)
    and ``realised`` how it turned out.
    """

    names: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    pressure: tuple[str, ...] = ()
    realised: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    mentions: Mapping[IdentifierKind, tuple[str, ...]] = field(default_factory=dict)

    def extended_by(self, other: FraudScript) -> FraudScript:
        """This script with a subtype's lines added (the subtype's openings count double, so they lead)."""
        kinds = set(self.mentions) | set(other.mentions)
        return FraudScript(
            names=other.names + self.names,
            openings=other.openings + other.openings + self.openings,
            steps=other.steps + self.steps,
            pressure=other.pressure + self.pressure,
            realised=other.realised + self.realised,
            tips=other.tips + self.tips,
            mentions={k: other.mentions.get(k, ()) + self.mentions.get(k, ()) for k in kinds},
        )


@dataclass(frozen=True)
class Phrasebook:
    """Everything one language needs to tell a report: fraud scripts and the shared sentences around them.

    ``mentions`` name a scammer's identifier (``{id}``); ``innocent`` name an innocent hub by its reason
    (``bank_hotline``, ``telco_service``, ``government_hotline``, ``platform``, ``meeting_app``) with ``{name}``;
    ``paid`` one payment (``{time}``, ``{amount}``, ``{via}``), ``paid_untimed`` one without a time, ``paid_to_card``
    one into a named card (``{card}``), ``paid_total`` the sum of several (``{n}``, ``{total}``); ``lead`` opens a
    story with the loss (``{total}``, ``{name}``); ``short`` is a one-line report (``{name}``); ``holder`` names the
    beneficiary's account holder (``{name}``, as the bank showed it); ``omitted`` admits an identifier left out.
    """

    language: Language
    scripts: Mapping[str, FraudScript]
    mentions: Mapping[IdentifierKind, tuple[str, ...]]
    innocent: Mapping[str, tuple[str, ...]]
    rails: Mapping[PaymentRail, tuple[str, ...]]
    paid: tuple[str, ...]
    paid_again: tuple[str, ...]
    paid_untimed: tuple[str, ...]
    paid_to_card: tuple[str, ...]
    paid_total: tuple[str, ...]
    lead: tuple[str, ...]
    short: tuple[str, ...]
    fear: tuple[str, ...]
    pleas: tuple[str, ...]
    tip_openers: tuple[str, ...]
    tip_closers: tuple[str, ...]
    voice: Mapping[AgeBand, tuple[str, ...]]
    typos: tuple[tuple[str, str], ...]
    bank_names: Mapping[str, str]
    platform_names: Mapping[str, str]
    omitted: Mapping[IdentifierKind, tuple[str, ...]]
    holder: tuple[str, ...]
    sentence_end: tuple[str, ...]
    clause: str
    space: str
    unnamed_bank: str


def fields_of(template: str) -> set[str]:
    """The ``{fields}`` a template uses."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def check_phrasebook(book: Phrasebook) -> None:
    """Fail at import when a template uses a field the renderer does not fill (templates are data, typos happen)."""
    sentences = [
        *(s for ss in book.mentions.values() for s in ss),
        *(s for ss in book.innocent.values() for s in ss),
        *(s for script in book.scripts.values() for ss in script.mentions.values() for s in ss),
    ]
    for sentence in sentences:
        unknown = fields_of(sentence) - MENTION_FIELDS
        if unknown or "id" not in fields_of(sentence):
            raise ValueError(
                f"{book.language}: identifier sentence {sentence!r} must use {{id}}, not {unknown}"
            )
    for sentence in (*book.paid, *book.paid_again, *book.paid_untimed, *book.paid_to_card, *book.paid_total,
                     *book.lead, *book.short, *book.holder):  # fmt: skip
        unknown = fields_of(sentence) - PAYMENT_FIELDS
        if unknown:
            raise ValueError(f"{book.language}: payment sentence {sentence!r} uses unknown fields {unknown}")
    for sentence in (s for ss in book.omitted.values() for s in ss):
        unknown = fields_of(sentence) - OMITTED_FIELDS
        if unknown:
            raise ValueError(f"{book.language}: omission {sentence!r} uses unknown fields {unknown}")
    for script in book.scripts.values():
        for sentence in (*script.openings, *script.steps, *script.pressure, *script.realised, *script.tips):
            if fields_of(sentence):
                raise ValueError(f"{book.language}: story sentence {sentence!r} must have no fields")
