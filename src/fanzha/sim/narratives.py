"""Victim-report narratives per fraud type in simplified Chinese, traditional Chinese and English (报案叙述).

:func:`render_narrative` tells what happened the way a frightened victim or a tipster writes it: first person,
one line to a paragraph, the scammer's script for the fraud type (刷单: 点赞/做任务/垫付/返佣; 冒充客服: 理赔/百万保障/
屏幕共享; 公检法: 涉嫌洗钱/安全账户/通缉令 …), the payments with their amounts and times relative to when the report
came in, and the identifiers in the messy forms victims type (``138 1234 5678``, ``v信``, ``扣扣``, ``3.5万``,
``昨天下午3点``). Some identifiers are left out; :attr:`Narrative.mentioned` lists exactly those the text names.

The sentences live in data tables (:mod:`fanzha.sim.narrative_phrases_zh`, ``_hant``, ``_en``); the written forms
of identifiers, amounts and times in :mod:`fanzha.sim.narrative_forms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np

from fanzha.model import (
    AgeBand,
    Identifier,
    IdentifierKind,
    Language,
    Payment,
    ReportKind,
    fraud_taxonomy,
)
from fanzha.model import is_card_number as _is_card_number
from fanzha.sim import narrative_phrases_en, narrative_phrases_hant, narrative_phrases_zh
from fanzha.sim.narrative_book import FraudScript, Phrasebook, check_phrasebook
from fanzha.sim.narrative_forms import (
    Dice,
    amount_en,
    amount_zh,
    card_form,
    domain_form,
    phone_form,
    time_en,
    time_zh,
    url_form,
)
from fanzha.sim.narrative_phrases_hant import HANT_CHARACTERS
from fanzha.sim.profiles import BANK_HOTLINES, planted_innocent_identifiers

K = IdentifierKind
is_card_number = lru_cache(maxsize=65_536)(_is_card_number)

OMIT_CHANCE = 0.13
"""Chance that the victim leaves out an identifier they know (forgot it, deleted the chat, did not think of it)."""


@dataclass(frozen=True)
class NarrativeFacts:
    """What a narrative is about: the truth the text must (messily) convey."""

    fraud_type: str
    language: Language
    kind: ReportKind
    identifiers: tuple[Identifier, ...]
    payments: tuple[Payment, ...]
    received_at: datetime
    victim_age_band: AgeBand | None = None


@dataclass(frozen=True)
class Narrative:
    """The rendered text and the identifiers it actually mentions (some may be left out)."""

    text: str
    mentioned: tuple[Identifier, ...]


BOOKS: dict[Language, Phrasebook] = {
    Language.ZH_HANS: narrative_phrases_zh.BOOK,
    Language.ZH_HANT: narrative_phrases_hant.BOOK,
    Language.EN: narrative_phrases_en.BOOK,
}
for _book in BOOKS.values():
    check_phrasebook(_book)


def _script_for(book: Phrasebook, code: str) -> FraudScript:
    """The script of a fraud type code: a level-2 code adds its lines to its level-1 script; unknown → other fraud."""
    level1 = code.split(".", 1)[0]
    base = book.scripts.get(level1) or book.scripts["other_fraud"]
    own = book.scripts.get(code)
    return own.extended_by(base) if own is not None and own is not base else base


_SCRIPTS: dict[tuple[Language, str], FraudScript] = {
    (language, code): _script_for(book, code)
    for language, book in BOOKS.items()
    for code in fraud_taxonomy().all_codes()
}


def _innocent_reasons() -> dict[tuple[IdentifierKind, str], tuple[str, str]]:
    """Innocent hub key → (reason group of the phrasebook, name key): 95588 → bank_hotline of ICBC."""
    bank_of_hotline = {number: bank for bank, number in BANK_HOTLINES.items()}
    reasons: dict[tuple[IdentifierKind, str], tuple[str, str]] = {}
    for identifier, reason in planted_innocent_identifiers():
        if identifier.kind == K.APP:
            reasons[identifier.kind, identifier.value] = ("meeting_app", identifier.value)
        else:
            reasons[identifier.kind, identifier.value] = (
                reason,
                bank_of_hotline.get(identifier.value, identifier.value),
            )
    return reasons


_INNOCENT = _innocent_reasons()

_WECHAT_ZH = (
    "微信{}", "微信{}", "微信号：{}", "微信号是{}", "微信 {}", "微信：{}", "v信{}", "V信：{}", "VX：{}", "vx {}",
    "薇信{}", "微 信 {}", "wx：{}", "威信{}",
)  # fmt: skip
_WECHAT_EN = ("WeChat ID: {}", "WeChat: {}", "WeChat id {}", "WeChat {}")
_QQ_ZH = (
    "QQ{}", "QQ{}", "QQ号{}", "QQ：{}", "QQ号码 {}", "扣扣{}", "qq{}", "企鹅号{}", "Q Q {}", "扣扣号：{}",
)  # fmt: skip
_QQ_EN = ("QQ {}", "QQ number {}", "QQ: {}", "QQ no. {}")
_TERMINAL = frozenset("。！？.!?")
_SPELLED_DIGITS = frozenset("零一二三四五六七八九幺１２３４５６７８９０")


def render_narrative(rng: np.random.Generator, facts: NarrativeFacts) -> Narrative:
    """Render one narrative for ``facts`` using ``rng`` for every choice (same rng state → same text).

    >>> from datetime import UTC, datetime
    >>> facts = NarrativeFacts("fake_loan", Language.ZH_HANS, ReportKind.TIP,
    ...     (Identifier(kind="phone", value="+8613812345678"),), (), datetime(2026, 9, 3, tzinfo=UTC))
    >>> narrative = render_narrative(np.random.default_rng(1), facts)
    >>> narrative.text != "" and set(narrative.mentioned) <= set(facts.identifiers)
    True

    Cost: well under 0.1 ms of Python per narrative (one numpy draw per 96 choices, no regular expressions, no
    OpenCC: traditional Chinese is converted once at import).
    """
    dice = Dice(rng)
    teller = _Teller(dice, facts)
    return teller.tell()


class _Teller:
    """One narrative being told: the facts, the phrasebook and what has been said so far."""

    def __init__(self, dice: Dice, facts: NarrativeFacts) -> None:
        self.dice = dice
        self.facts = facts
        self.book = BOOKS[facts.language]
        self.english = facts.language == Language.EN
        self.hant = facts.language == Language.ZH_HANT
        self.script = _SCRIPTS.get((facts.language, facts.fraud_type)) or _script_for(
            self.book, facts.fraud_type
        )
        self.fraud = facts.fraud_type != "not_fraud"
        currencies = {p.amount.currency for p in facts.payments}
        self.currency = currencies.pop() if len(currencies) == 1 else None
        self.total = sum(p.amount.amount_minor for p in facts.payments) if self.currency else None
        """The loss in one currency, or None when there is none (no payments, or several currencies)."""

    # --- the whole story ---------------------------------------------------------------------------------------

    def tell(self) -> Narrative:
        dice, book = self.dice, self.book
        mentioned: list[Identifier] = []
        mention_lines: list[str] = []
        asides: list[str] = []
        card_in_payment: tuple[Identifier, str] | None = None
        for identifier in self.facts.identifiers:
            if not self._writable(identifier) or dice.chance(OMIT_CHANCE):
                innocent = (identifier.kind, identifier.value) in _INNOCENT
                if identifier.kind in book.omitted and not innocent and dice.chance(0.3):
                    asides.append(self._half_remembered(identifier))
                continue
            mentioned.append(identifier)
            if (
                identifier.kind == K.BANK_ACCOUNT
                and card_in_payment is None
                and any(p.to_account == identifier.value for p in self.facts.payments)
                and is_card_number(identifier.value)
                and dice.chance(0.5)
            ):
                card_in_payment = (identifier, card_form(dice, identifier.value, chinese=not self.english))
                continue
            mention_lines.append(self._mention(identifier))
        if self.facts.kind == ReportKind.TIP:
            sentences = self._tip(mention_lines + asides)
        else:
            sentences = self._case(mention_lines + asides, card_in_payment)
        text = self._join(sentences)
        return Narrative(text, tuple(mentioned))

    def _case(self, mentions: list[str], card: tuple[Identifier, str] | None) -> list[str]:
        """A victim's case: one line (15%), a few sentences (45%) or a paragraph (40%), payments told somewhere."""
        dice = self.dice
        payments = self._payments(card)
        roll = dice.random()
        if roll < 0.15:
            return [self._clauses((self._headline(), *payments, *mentions))]
        story = self._story(mentions, n_steps=1 + dice.below(2) if roll < 0.6 else 2 + dice.below(3))
        holder = self.facts.payments[0].to_name if self.facts.payments else None
        if holder and self.book.holder and dice.chance(0.25):
            payments.insert(dice.below(len(payments) + 1), dice.pick(self.book.holder).format(name=holder))
        ending = self._ending(paragraph=roll >= 0.6)
        if dice.chance(0.5):
            story += payments
        elif dice.chance(0.5):
            ending = payments + ending
        else:
            ending[-1:-1] = payments
        return self._lead() + story + ending

    def _headline(self) -> str:
        script = self.script
        if self.fraud and script.names:
            return self.dice.pick(self.book.short).format(name=self.dice.pick(script.names))
        return self.dice.pick(script.openings) if script.openings else ""

    def _story(self, mentions: list[str], n_steps: int) -> list[str]:
        """How it started and the scammer's script, with the identifiers dropped in where the victim thought of them."""
        dice, script = self.dice, self.script
        story = [dice.pick(script.openings)] if script.openings else []
        story += self._some(script.steps, n_steps)
        if len(self.facts.payments) > 1 and script.pressure and dice.chance(0.6):
            story.append(dice.pick(script.pressure))
        story = self._typo(story)
        for line in mentions:
            story.insert(1 + dice.below(len(story)) if story else 0, line)
        return story

    def _ending(self, *, paragraph: bool) -> list[str]:
        """How they found out, how they feel (in longer reports, in the voice of their age) and what they ask for."""
        dice, book = self.dice, self.book
        ending: list[str] = []
        if self.script.realised and dice.chance(0.75):
            ending.append(dice.pick(self.script.realised))
        if self.fraud and paragraph:
            if dice.chance(0.5):
                ending.append(dice.pick(book.fear))
            band = self.facts.victim_age_band
            voice = book.voice.get(band) if band is not None else None
            if voice and dice.chance(0.5):
                ending.insert(0, dice.pick(voice))
        if dice.chance(0.7):
            ending.append(dice.pick(book.pleas))
        return ending

    def _lead(self) -> list[str]:
        """Some victims start with the loss itself (我被骗了3万块！) and tell the story after."""
        if not (self.fraud and self.total and self.currency and self.dice.chance(0.2)):
            return []
        total = self._amount(self.total, self.currency)
        name = self.dice.pick(self.script.names) if self.script.names else ""
        return [self.dice.pick(self.book.lead).format(total=total, name=name)]

    def _tip(self, mentions: list[str]) -> list[str]:
        """A tipster's report. One about no fraud opens with what the tipster calls it (咨询一下) rather than as a
        scam report, and closes with how it turned out rather than a warning to others (the draws are the same)."""
        dice, book, script = self.dice, self.book, self.script
        genuine = not self.fraud and bool(script.names)
        opener = [dice.pick(script.names if genuine else book.tip_openers)]
        if dice.chance(0.2) and mentions:
            return [self._clauses([*opener, *mentions])]
        if script.tips and dice.chance(0.5):
            opener = []
        story = self._typo(opener + ([dice.pick(script.tips)] if script.tips else []))
        story += mentions
        if dice.chance(0.6):
            story.append(dice.pick(script.realised if genuine and script.realised else book.tip_closers))
        return story

    # --- payments ----------------------------------------------------------------------------------------------

    def _payments(self, card: tuple[Identifier, str] | None) -> list[str]:
        payments = self.facts.payments
        if not payments:
            return []
        dice, book = self.dice, self.book
        card_sentence = ""
        if len(payments) > 4 and self.total and dice.chance(0.6):
            lines = [self._summary()]
            if card is not None:
                first = next(p for p in payments if p.to_account == card[0].value)
                card_sentence = self._paid_to_card(first, card[1])
            return [card_sentence, *lines] if card_sentence else lines
        lines = []
        for index, payment in enumerate(payments):
            if card is not None and not card_sentence and payment.to_account == card[0].value:
                card_sentence = self._paid_to_card(payment, card[1])
                lines.append(card_sentence)
                continue
            if index == 0 or dice.chance(0.6):
                timed = dice.chance(0.85)
                template = dice.pick(book.paid if timed else book.paid_untimed)
                time = self._time(payment.time) if timed else ""
            else:
                template, time = dice.pick(book.paid_again), ""
            lines.append(
                self._clean(
                    template.format(time=time, amount=self._amount_of(payment), via=self._via(payment))
                )
            )
        if len(payments) > 1 and self.total and dice.chance(0.35):
            lines.append(self._summary())
        return lines

    def _paid_to_card(self, payment: Payment, card: str) -> str:
        return self._clean(
            self.dice.pick(self.book.paid_to_card).format(
                time=self._time(payment.time), amount=self._amount_of(payment), card=card
            )
        )

    def _clean(self, sentence: str) -> str:
        """English templates with an empty field leave double spaces behind."""
        return " ".join(sentence.split()) if self.english else sentence

    def _summary(self) -> str:
        total = self._amount(self.total or 0, self.currency or "CNY")
        return self.dice.pick(self.book.paid_total).format(n=len(self.facts.payments), total=total)

    def _amount_of(self, payment: Payment) -> str:
        return self._amount(payment.amount.amount_minor, payment.amount.currency)

    def _amount(self, amount_minor: int, currency: str) -> str:
        if self.english:
            return amount_en(self.dice, amount_minor, currency)
        written = amount_zh(self.dice, amount_minor, currency)
        return written.translate(HANT_CHARACTERS) if self.hant else written

    def _time(self, moment: datetime) -> str:
        if self.english:
            return time_en(self.dice, moment, self.facts.received_at)
        written = time_zh(self.dice, moment, self.facts.received_at)
        return written.translate(HANT_CHARACTERS) if self.hant else written

    def _via(self, payment: Payment) -> str:
        options = self.book.rails.get(payment.rail)
        return self.dice.pick(options) if options and self.dice.chance(0.6) else ""

    # --- identifiers -------------------------------------------------------------------------------------------

    def _writable(self, identifier: Identifier) -> bool:
        innocent = _INNOCENT.get((identifier.kind, identifier.value))
        if innocent is not None:
            return bool(self.book.innocent.get(innocent[0]))
        if identifier.kind == K.APP and self.english:
            return False
        return identifier.kind in self.book.mentions

    def _mention(self, identifier: Identifier) -> str:
        dice, book = self.dice, self.book
        written = self._written(identifier)
        innocent = _INNOCENT.get((identifier.kind, identifier.value))
        if innocent is not None:
            reason, name_key = innocent
            name = book.bank_names.get(name_key) or book.platform_names.get(name_key) or identifier.value
            return dice.pick(book.innocent[reason]).format(id=written, name=name, bank=name)
        own = self.script.mentions.get(identifier.kind)
        templates: Sequence[str] = own if own and dice.chance(0.6) else book.mentions[identifier.kind]
        if identifier.kind == K.BANK_ACCOUNT and not is_card_number(identifier.value):
            templates = book.mentions[K.BANK_ACCOUNT][:2]
        bank = self._bank_of(identifier.value)
        return dice.pick(templates).format(id=written, name="", bank=bank)

    def _half_remembered(self, identifier: Identifier) -> str:
        """The victim admits leaving it out, perhaps with the digits they remember (尾号1234)."""
        value = identifier.value
        sentence = self.dice.pick(self.book.omitted[identifier.kind])
        if "{head}" in sentence and not value.startswith("+861"):
            return self.book.omitted[identifier.kind][0]
        return sentence.format(head=value[3:6], tail=value[-4:]) if "{" in sentence else sentence

    def _bank_of(self, account: str) -> str:
        for payment in self.facts.payments:
            if payment.to_account == account and payment.to_bank:
                return self.book.bank_names.get(payment.to_bank, self.book.unnamed_bank)
        return self.book.unnamed_bank

    def _written(self, identifier: Identifier) -> str:
        dice, value, chinese = self.dice, identifier.value, not self.english
        kind = identifier.kind
        if kind == K.PHONE:
            return phone_form(dice, value, chinese=chinese)
        if kind == K.BANK_ACCOUNT:
            return card_form(dice, value, chinese=chinese) if is_card_number(value) else value
        if kind == K.URL:
            written = url_form(dice, value)
            return (
                value if self.english and "://" not in written and not written.startswith("www.") else written
            )
        if kind == K.DOMAIN:
            return domain_form(dice, value)
        if kind == K.WECHAT:
            forms = _WECHAT_EN if self.english else _WECHAT_ZH
            written = (forms[dice.below(2)] if self.english and value.isalpha() else dice.pick(forms)).format(
                value
            )
        elif kind == K.QQ:
            written = dice.pick(_QQ_EN if self.english else _QQ_ZH).format(value)
        else:
            written = value
        return written.translate(HANT_CHARACTERS) if self.hant else written

    # --- sentences ---------------------------------------------------------------------------------------------

    def _some(self, lines: tuple[str, ...], n: int) -> list[str]:
        """Up to ``n`` distinct lines, in their told order most of the time (victims jump around sometimes)."""
        if not lines:
            return []
        chosen = sorted({self.dice.below(len(lines)) for _ in range(n)})
        picked = [lines[i] for i in chosen]
        if len(picked) > 1 and self.dice.chance(0.2):
            picked.reverse()
        return picked

    def _typo(self, sentences: list[str]) -> list[str]:
        if not sentences or not self.dice.chance(0.15):
            return sentences
        index = self.dice.below(len(sentences))
        old, new = self.dice.pick(self.book.typos)
        if "{" in old:
            return sentences
        sentences[index] = sentences[index].replace(old, new, 1)
        return sentences

    def _join(self, sentences: list[str]) -> str:
        dice, ends, english = self.dice, self.book.sentence_end, self.english
        pieces: list[str] = []
        for sentence in sentences:
            sentence = " ".join(sentence.split()) if english else sentence.strip()
            if not sentence:
                continue
            if english:
                sentence = sentence[0].upper() + sentence[1:]
            pieces.append(sentence)
            if sentence[-1] in _TERMINAL:
                pieces.append(" " if english else "")
            else:
                pieces.append(self._after(sentence, dice.pick(ends)))
        if pieces:
            if pieces[-2][-1] in _TERMINAL:
                pieces[-1] = ""
            else:
                pieces[-1] = dice.pick((".", "!", "", ".")) if english else dice.pick(("。", "。", "！", ""))
        return "".join(pieces).strip()

    def _clauses(self, parts: Sequence[str]) -> str:
        """Parts of a one-line report, joined by commas."""
        pieces: list[str] = []
        for part in parts:
            if part:
                pieces.append(part)
                pieces.append(self._after(part, self.book.clause))
        return "".join(pieces[:-1])

    def _after(self, sentence: str, end: str) -> str:
        """A full-width comma or "！" after a URL or a phone reads as part of it once normalised (，→ ,): the
        extractor drops "链接https://a.cn/x，9月3日" and "电话13812345678，9点" (reported), so such sentences end
        with 。 most of the time (victims do write them, so a few are kept)."""
        if (
            not self.english
            and end[0] in "，！"
            and (sentence[-1].isascii() or sentence[-1] in _SPELLED_DIGITS)
        ):
            return "。" if self.dice.chance(0.9) else end
        return end
