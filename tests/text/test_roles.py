"""Whose an identifier is: read from the words around it, settled by the report's form, scored on the set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fanzha.model import IdentifierRole, Money, Payment, Report, Victim
from fanzha.text import extract
from fanzha.text.evaluate import ROLE_ACCURACY_TARGET, evaluate_extraction, load_eval_set
from fanzha.text.roles import settle_roles

V, C = IdentifierRole.VICTIM, IdentifierRole.COUNTERPARTY


def _roles(text: str) -> list[tuple[str, str, IdentifierRole]]:
    return [(f.kind.value, f.value, f.role) for f in extract(text).identifiers]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我用我的工商银行卡6222021234567890128转到对方卡号6217001234567890123",
            [V, C],
        ),
        ("本人手机13900001111收到短信，点击链接 http://abc-bank.top/login 后被盗刷", [V, C, C]),
        ("對方用電話0912-345-678打給我，叫我匯到帳戶 6217001234567890123", [C, C]),
        ("I sent $500 from my account 123456789012 to their account 987654321098", [V, C]),
        ("Your account is locked. Verify at https://amaz0n-login.com/verify now", [C, C]),
        ("骗子让我在网址 http://12333-shebao.cc/rz 填写银行卡号 6222608085186350 和验证码", [C, C, V]),
        ("家长发现银行卡 6216 2693 6841 0540 481 被转走 1.2 万元", [V]),
        ("对方要求我提供身份证号 110105196205111426", [V]),
        ("收款人身份证 130102200412120230，我共损失4.2万元", [C]),
        ("对方发来的充值地址是 TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf", [C]),
    ],
)
def test_roles_are_read_from_the_nearest_cue(text: str, expected: list[IdentifierRole]) -> None:
    assert [role for _, _, role in _roles(text)] == expected


def test_links_and_apps_are_never_the_victims_own() -> None:
    found = _roles("我的网址 http://my-shop.top/a 和我的「云聚」APP")
    assert {role for kind, _, role in found if kind in {"url", "domain", "app"}} == {C}


def test_the_form_outranks_the_words() -> None:
    text = "对方让我转到卡号6222021234567890128，我的卡号 6217001234567890123 也要验证"
    report = Report(
        id="R1", channel="app", received_at=datetime(2026, 9, 3, 8, tzinfo=UTC), reporter_unit="440300",
        victim=Victim(pseudonym="V1", account="6222021234567890128"), narrative=text,
        payments=(
            Payment(
                from_account="6222021234567890128", to_account="6217001234567890123",
                amount=Money(amount_minor=100_000), time=datetime(2026, 9, 3, 7, tzinfo=UTC),
            ),
        ),
    )  # fmt: skip
    read = extract(text).identifiers
    assert [f.role for f in read] == [C, V]
    assert [f.role for f in settle_roles(read, report)] == [V, C]


def test_role_accuracy_on_the_annotated_set_meets_the_target() -> None:
    """A development figure: the cues were written while looking at this set's errors."""
    report = evaluate_extraction(load_eval_set())
    assert sum(report.roles.values()) >= 550
    assert report.role_accuracy >= ROLE_ACCURACY_TARGET
    assert report.roles[("victim", "victim")] >= 10


def test_role_accuracy_on_the_blind_set_meets_the_target() -> None:
    """A held-out figure: nobody changing the cues reads the blind set."""
    from fanzha.text.blind import load_blind_set, roles_on_blind_set

    roles = roles_on_blind_set(load_blind_set())
    total = sum(roles.values())
    assert total >= 400
    assert sum(n for (want, got), n in roles.items() if want == got) / total >= ROLE_ACCURACY_TARGET
    assert roles[("victim", "victim")] >= 10


def test_a_narrative_that_reads_as_no_fraud_names_no_other_side() -> None:
    from fanzha.intake.pipeline import analyse_narratives
    from fanzha.text.roles import roles_in_genuine_text

    read = extract(
        "【工商银行】您尾号的卡消费120元，如非本人操作请致电95588。我的手机13900001111"
    ).identifiers
    assert {f.role for f in roles_in_genuine_text(read)} <= {IdentifierRole.UNKNOWN, V}
    at = datetime(2026, 9, 3, 8, tzinfo=UTC)
    genuine = Report(
        id="G1", channel="app", received_at=at, reporter_unit="440300",
        narrative="【中国移动】您本月话费账单已出，详询10086或登录 https://www.10086.cn 查询。",
    )  # fmt: skip
    scam = Report(
        id="S1", channel="app", received_at=at, reporter_unit="440300",
        narrative="对方冒充客服让我下载「云会议」APP共享屏幕，又让我转到卡号6217001234567890123，被骗3万元",
    )  # fmt: skip
    findings = analyse_narratives([genuine, scam])
    assert {f.role for f in findings.identifiers["G1"]} == {IdentifierRole.UNKNOWN}
    assert {f.role for f in findings.identifiers["S1"]} == {C}
