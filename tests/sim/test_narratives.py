"""Victim-report narratives: determinism, coverage of types and languages, and that the project's own extractor
reads back what a narrative says it mentions (identifiers, amounts, times) and nothing a scammer did not use."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import opencc
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fanzha.model import (
    AgeBand,
    Identifier,
    IdentifierKind,
    Language,
    Money,
    Payment,
    PaymentRail,
    ReportKind,
    fraud_taxonomy,
    normalize_identifier,
)
from fanzha.sim import identities
from fanzha.sim.narrative_forms import (
    BEIJING,
    Dice,
    amount_en,
    amount_zh,
    card_form,
    chinese_numeral,
    phone_form,
    time_en,
    time_zh,
)
from fanzha.sim.narratives import Narrative, NarrativeFacts, render_narrative
from fanzha.sim.profiles import INNOCENT_GROUPS, PROFILES
from fanzha.text import extract
from fanzha.text.amounts import parse_numeral

K = IdentifierKind
RECEIVED = datetime(2026, 9, 16, 6, 20, tzinfo=UTC)
CODES = sorted(fraud_taxonomy().all_codes())
_MAKERS = {
    K.PHONE: identities.scam_phone,
    K.WECHAT: identities.scam_wechat,
    K.QQ: identities.scam_qq,
    K.URL: identities.scam_url,
    K.APP: identities.scam_app,
    K.CRYPTO_WALLET: identities.scam_wallet,
}
_INNOCENT = [identifier for group in INNOCENT_GROUPS.values() for identifier, _ in group]
_GENERIC_NAMING = {K.PHONE: 0.6, K.WECHAT: 0.3, K.QQ: 0.2, K.URL: 0.2}


@lru_cache(maxsize=1)
def _cards() -> list[str]:
    """Receiving cards for the payments (drawing them one by one is slow)."""
    return identities.card_numbers(np.random.default_rng(0), 400)[0]


def _payments(rng: np.random.Generator, code: str) -> tuple[Payment, ...]:
    count = 1 + min(int(rng.poisson(1.2)), 7)
    cards = _cards()
    card = cards[int(rng.integers(len(cards)))]
    last = RECEIVED - timedelta(seconds=int(rng.uniform(300, 12 * 86_400)))
    span = int(rng.uniform(0, 6 * 86_400)) if count > 1 else 0
    times = [*sorted(last - timedelta(seconds=int(rng.uniform(0, span))) for _ in range(count - 1)), last]
    payments = []
    for index, moment in enumerate(times):
        yuan = max(10, round(float(rng.lognormal(np.log(8_000), 1.2))))
        if yuan >= 1_000 and rng.random() < 0.6:
            yuan = round(yuan, -2)
        to = card if index == 0 or rng.random() < 0.5 else cards[int(rng.integers(len(cards)))]
        rail = PaymentRail.CRYPTO if code == "fake_investment.crypto" else PaymentRail.BANK_TRANSFER
        payments.append(
            Payment(
                from_account="6217000000000000001",
                to_account=to,
                amount=Money(amount_minor=yuan * 100),
                time=moment,
                rail=rail if rng.random() < 0.7 else PaymentRail.THIRD_PARTY,
                to_bank=str(rng.choice(["ICBC", "CCB", "ABC", "BOC", "CMB"])),
                to_name=str(rng.choice(["张伟", "李秀英", "王磊", "刘洋"])) if rng.random() < 0.8 else None,
            )
        )
    return tuple(payments)


def _identifiers(
    rng: np.random.Generator, code: str, payments: tuple[Payment, ...]
) -> tuple[Identifier, ...]:
    level1 = code.split(".")[0]
    naming = next((p.naming for p in PROFILES if p.code == level1), _GENERIC_NAMING)
    found: list[Identifier] = []
    if code != "not_fraud":
        for kind, chance in naming.items():
            if rng.random() < chance:
                if kind == K.DOMAIN:
                    found.append(identities.domain_of(identities.scam_url(rng)))
                else:
                    found.append(_MAKERS[kind](rng))
        if payments and rng.random() < 0.6:
            found.append(identities.bank_account(payments[0].to_account))
        if not found:
            found.append(identities.scam_phone(rng))
    if rng.random() < (0.3 if code != "not_fraud" else 0.7):
        found.append(_INNOCENT[int(rng.integers(len(_INNOCENT)))])
    return tuple(dict.fromkeys(found))


def make_facts(seed: int, n: int) -> list[NarrativeFacts]:
    """``n`` facts over every fraud type code, language and report kind, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    facts = []
    for index in range(n):
        code = CODES[index % len(CODES)]
        language = (Language.ZH_HANS, Language.ZH_HANT, Language.EN)[(index // len(CODES)) % 3]
        kind = ReportKind.TIP if rng.random() < 0.25 else ReportKind.CASE
        payments = _payments(rng, code) if kind == ReportKind.CASE else ()
        facts.append(
            NarrativeFacts(
                fraud_type=code,
                language=language,
                kind=kind,
                identifiers=_identifiers(rng, code, payments),
                payments=payments,
                received_at=RECEIVED,
                victim_age_band=list(AgeBand)[int(rng.integers(len(AgeBand)))]
                if rng.random() < 0.8
                else None,
            )
        )
    return facts


@lru_cache(maxsize=1)
def rendered() -> list[tuple[NarrativeFacts, Narrative]]:
    """Three thousand facts and their narratives, rendered once for the module."""
    rng = np.random.default_rng(20260916)
    return [(facts, render_narrative(rng, facts)) for facts in make_facts(11, 3_000)]


def _same(found_kind: IdentifierKind, found_value: str, identifier: Identifier) -> bool:
    if found_kind != identifier.kind:
        return False
    if identifier.kind == K.URL:
        return found_value.partition("://")[2] == identifier.value.partition("://")[2]
    return found_value == identifier.value


def _domain_of_url(identifier: Identifier) -> str | None:
    if identifier.kind != K.URL:
        return None
    return identities.domain_of(identifier).value


# --- determinism and coverage ------------------------------------------------------------------------------------


def test_same_rng_state_gives_same_narratives() -> None:
    facts = make_facts(3, 60)
    first = [render_narrative(np.random.default_rng(5), f) for f in facts]
    again = [render_narrative(np.random.default_rng(5), f) for f in facts]
    assert first == again
    other = [render_narrative(np.random.default_rng(6), f) for f in facts]
    assert sum(a.text != b.text for a, b in zip(first, other, strict=True)) > 50


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("code", CODES)
def test_every_fraud_type_and_language_renders(code: str, language: Language) -> None:
    rng = np.random.default_rng(1)
    for facts in make_facts(CODES.index(code), 12):
        for kind in ReportKind:
            one = NarrativeFacts(
                fraud_type=code,
                language=language,
                kind=kind,
                identifiers=facts.identifiers,
                payments=facts.payments if kind == ReportKind.CASE else (),
                received_at=facts.received_at,
                victim_age_band=facts.victim_age_band,
            )
            narrative = render_narrative(rng, one)
            assert narrative.text.strip()
            assert set(narrative.mentioned) <= set(one.identifiers)
            positions = [one.identifiers.index(i) for i in narrative.mentioned]
            assert positions == sorted(positions)


def test_an_unknown_code_falls_back_to_other_fraud() -> None:
    facts = make_facts(1, 1)[0]
    odd = NarrativeFacts("someday_new_type.variant", Language.ZH_HANS, facts.kind, facts.identifiers,
                         facts.payments, facts.received_at)  # fmt: skip
    assert render_narrative(np.random.default_rng(0), odd).text


def test_lengths_and_texts_vary() -> None:
    texts = [n.text for _, n in rendered()]
    lengths = [len(t) for t in texts]
    assert min(lengths) < 60
    assert max(lengths) > 250
    assert len(set(texts)) == len(texts)


def test_some_identifiers_are_left_out() -> None:
    named = sum(len(f.identifiers) for f, _ in rendered())
    mentioned = sum(len(n.mentioned) for _, n in rendered())
    assert 0.72 <= mentioned / named <= 0.92


# --- the extractor reads back what is mentioned ------------------------------------------------------------------


def test_extractor_finds_the_mentioned_identifiers_and_no_invented_ones() -> None:
    hits = Counter[str]()
    totals = Counter[str]()
    true_found = false_found = 0
    invented: list[tuple[str, str]] = []
    for facts, narrative in rendered():
        found = extract(narrative.text, reference_time=facts.received_at).identifiers
        for identifier in narrative.mentioned:
            if not normalize_identifier(identifier.kind, identifier.value).valid:
                continue  # the extractor rightly drops invalid numbers (a few simulated +855 phones)
            totals[identifier.kind.value] += 1
            hits[identifier.kind.value] += any(_same(f.kind, f.value, identifier) for f in found)
        implied = {d for d in map(_domain_of_url, narrative.mentioned) if d}
        for f in found:
            if any(_same(f.kind, f.value, i) for i in narrative.mentioned) or (
                f.kind == K.DOMAIN and f.value in implied
            ):
                true_found += 1
            else:
                false_found += 1
                invented.append((f"{f.kind.value}:{f.value}", narrative.text))
    recall = sum(hits.values()) / sum(totals.values())
    precision = true_found / (true_found + false_found)
    per_kind = {kind: round(hits[kind] / totals[kind], 3) for kind in totals}
    assert recall >= 0.95, per_kind
    assert precision >= 0.98, invented[:5]
    assert all(rate >= 0.85 for kind, rate in per_kind.items()), per_kind
    scammer_keys = {i.key for f, _ in rendered() for i in f.identifiers}
    assert not [key for key, _ in invented if key.startswith(("wechat:", "qq:", "crypto_wallet:"))
                and key not in scammer_keys]  # fmt: skip


def test_mentioned_amounts_parse_back_to_the_payments() -> None:
    consistent = with_amounts = cases = 0
    for facts, narrative in rendered():
        if not facts.payments:
            continue
        cases += 1
        amounts = {a.money.amount_minor for a in extract(narrative.text).amounts if a.money.currency == "CNY"}
        if not amounts:
            continue
        with_amounts += 1
        paid = {p.amount.amount_minor for p in facts.payments} | {
            sum(p.amount.amount_minor for p in facts.payments)
        }
        consistent += amounts <= paid
    assert with_amounts / cases >= 0.85
    assert consistent / with_amounts >= 0.95


def test_mentioned_times_fall_on_payment_days() -> None:
    consistent = with_times = 0
    for facts, narrative in rendered():
        if not facts.payments:
            continue
        times = extract(narrative.text, reference_time=facts.received_at).times
        if not times:
            continue
        with_times += 1
        days = {p.time.astimezone(BEIJING).date() for p in facts.payments}
        consistent += all(t.value.astimezone(BEIJING).date() in days for t in times)
    assert with_times > 1_000
    assert consistent / with_times >= 0.95


# --- scripts --------------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def test_english_narratives_have_no_cjk() -> None:
    english = [n.text for f, n in rendered() if f.language == Language.EN]
    assert english
    assert [t for t in english if _CJK.search(t)] == []


def test_traditional_narratives_are_written_in_traditional_characters() -> None:
    to_simplified = opencc.OpenCC("t2s")
    traditional = [n.text for f, n in rendered() if f.language == Language.ZH_HANT]
    assert traditional
    assert sum(to_simplified.convert(t) != t for t in traditional) / len(traditional) >= 0.99
    simplified = [n.text for f, n in rendered() if f.language == Language.ZH_HANS]
    assert sum(to_simplified.convert(t) != t for t in simplified) == 0
    assert any("詐騙" in t for t in traditional)
    assert any("帳" in t for t in traditional)


def test_simplified_narratives_use_the_fraud_scripts() -> None:
    texts = [n.text for f, n in rendered() if f.language == Language.ZH_HANS]
    for word in ("返佣", "保证金", "屏幕共享", "安全账户", "解冻费", "注销校园贷", "领导", "装备"):
        assert any(word in t for t in texts), word


# --- written forms: property tests against the project's own parsers ---------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**11 - 1), st.booleans())
def test_chinese_numerals_parse_back(n: int, capital: bool) -> None:
    assert parse_numeral(chinese_numeral(n, capital=capital)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=5_000_000))
def test_written_amounts_parse_back(seed: int, yuan: int) -> None:
    dice = Dice(np.random.default_rng(seed))
    zh = amount_zh(dice, yuan * 100)
    assert [a.money.amount_minor for a in extract(zh).amounts] == [yuan * 100], zh
    en = amount_en(dice, yuan * 100)
    if not en.endswith("yuan"):  # the extractor does not read "yuan" (reported)
        assert [a.money.amount_minor for a in extract(en).amounts] == [yuan * 100], en


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_written_phones_and_cards_extract_back(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dice = Dice(rng)
    phone = identities.scam_phone(rng)
    assume(normalize_identifier(K.PHONE, phone.value).valid)  # the simulator draws a few invalid +855 numbers
    card = identities.bank_account(identities.card_numbers(rng, 1)[0][0])
    for chinese, template in ((True, "对方电话{}，卡号{}。"), (False, "Their number is {} and the card {}.")):
        written = phone_form(dice, phone.value, chinese=chinese)
        text = template.format(written, card_form(dice, card.value, chinese=chinese))
        found = {(f.kind, f.value) for f in extract(text).identifiers}
        if not chinese and written[0] == "1":
            continue  # a bare Chinese mobile in English may read as North American (+1): the extractor's call
        assert found == {(K.PHONE, phone.value), (K.BANK_ACCOUNT, card.value)}, text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=60, max_value=12 * 86_400))
def test_written_times_resolve_to_the_payment(seed: int, seconds_before: int) -> None:
    dice = Dice(np.random.default_rng(seed))
    moment = RECEIVED - timedelta(seconds=seconds_before)
    for text, _chinese in (("我" + time_zh(dice, moment, RECEIVED) + "转了钱", True),
                          ("I paid " + time_en(dice, moment, RECEIVED) + ".", False)):  # fmt: skip
        times = extract(text, reference_time=RECEIVED).times
        assert len(times) == 1, text
        found, local = times[0].value.astimezone(BEIJING), moment.astimezone(BEIJING)
        assert found.date() == local.date(), text
        if times[0].precision != "day":
            assert found.hour == local.hour, text


@pytest.mark.parametrize("language", list(Language))
def test_other_currencies_are_written_as_such(language: Language) -> None:
    base = make_facts(4, 40)
    rng = np.random.default_rng(2)
    for facts in base:
        if not facts.payments:
            continue
        usd = tuple(p.model_copy(update={"amount": Money(amount_minor=p.amount.amount_minor, currency="USD")})
                    for p in facts.payments)  # fmt: skip
        one = NarrativeFacts(
            facts.fraud_type, language, ReportKind.CASE, facts.identifiers, usd, facts.received_at
        )
        amounts = extract(render_narrative(rng, one).text).amounts
        assert {a.money.currency for a in amounts} <= {"USD"}
        assert {a.money.amount_minor for a in amounts} <= {p.amount.amount_minor for p in usd} | {
            sum(p.amount.amount_minor for p in usd)
        }
