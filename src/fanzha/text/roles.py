"""Whose an identifier is (涉案要素归属): the victim's own, the other side's, or not told.

A report names the victim's own card and phone beside the scammer's ("我用我的工行卡转到对方卡号…"). The role
is read from the words nearest before the identifier in the same clause (我的 / 本人 / my → the victim's;
对方 / 客服 / 转到 / their → the other side's), then from a few words after it ("…是我的卡"), and failing both
from the kind: links, domains, apps, social and wallet ids in a report are the other side's far more often than
the victim's, while a bare phone or card number is not told. Cues are written in simplified Chinese and lower
case, since they are matched on the normalised text (traditional characters folded to simplified).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fanzha.model import IdentifierKind, IdentifierRole, Payment, Report, normalize_identifier

if TYPE_CHECKING:
    from fanzha.text.identifiers import FoundIdentifier

K = IdentifierKind
VICTIM = IdentifierRole.VICTIM
COUNTERPARTY = IdentifierRole.COUNTERPARTY
UNKNOWN = IdentifierRole.UNKNOWN

LOOK_BACK = 14
"""Characters before an identifier searched for a cue in Chinese text; a clause break ends the search sooner."""
LOOK_BACK_LATIN = 36
"""The same for text in Latin script, whose words are longer."""
LOOK_AHEAD = 8

_VICTIM_BEFORE = (
    "我的", "我自己", "本人", "我名下", "我用", "用我", "从我", "我这张", "我那张", "我手机", "我电话", "我卡",
    "我账户", "我帐户", "我银行卡", "我个人", "我嘅", "我老婆", "我老公", "我妈", "我爸", "我儿子", "我女儿",
    "我家", "报案人", "受害人", "被害人", "事主", "您的", "你的", "您尾号", "你尾号", "您账户", "您手机", "您卡",
    "您名下", "阁下", "填写", "填了", "填入", "输入", "提供了", "my ", "my own", "mine",
    "victim's", "complainant's", "your ", "call me on", "reach me on", "from account", "from card",
)  # fmt: skip
_COUNTERPARTY_BEFORE = (
    "对方", "客服", "骗子", "嫌疑", "他的", "她的", "他们", "他发", "她发", "他用", "她用", "他给", "她给",
    "他让", "她让", "让我", "叫我", "要求我", "转到", "转入", "转给", "转账到", "转账给", "转账至", "汇到",
    "汇入", "汇给", "汇至", "打到", "打入", "打给", "存入", "存到", "充值到", "付到", "付给", "付款到", "支付到",
    "至", "收款", "过数", "入数", "转数", "加了", "加他", "加她", "添加", "加好友", "联系", "拨打", "来电",
    "打来", "致电", "发来", "发给我", "收到", "接到", "私信", "下载", "登录", "登陆", "点击", "点开", "网址",
    "链接", "平台", "群", "派单", "导师", "老师", "经理", "假冒", "冒充", "自称", "陌生",
    "安全账户", "指定账户", "监管账户", "提供的", " to ", "their", "his ", "her ", "they ", "scammer", "caller", "fraudster",
    "suspect", "beneficiary", "payee", "transferred to", "transfer to", "paid to", "pay to", "sent to",
    "send to", "deposit to", "deposited to", "deposit into", "into account", "into the account",
    "into an account", "to account", "to the account", "to an account", "to card", "to the card",
    "to a ", "wire to", "called me", "call from", "called from", "came from", "phoned from", "texted",
    "text from", "message from", "sms from", "email from", "calling from", "contact", "add ", "added",
    "whatsapp", "telegram", "download", "click", "visit", "log in", "login", "link", "website", "site",
    "from number", "from the number", "our ",
)  # fmt: skip
_VICTIM_AFTER = (
    "是我的", "是我自己", "是本人", "为本人", "(本人)", "被转走", "被盗", "被扣", "被划走", "被刷", "里的",
    "内的", "is mine", "is my", "was drained", "was emptied",
)  # fmt: skip
_COUNTERPARTY_AFTER = ("是对方", "是骗子", "是客服", "打来", "发来", "给我打", "联系我", "belongs to them")

_CLAUSE_BREAK = re.compile(
    r"[。！？!?；;\n]|[，,](?=\s*(?:后来|然后|之后|接着|并且|但|又|再|later|then|after))"
)


def _cue_pattern(cues: Sequence[str]) -> str:
    return "|".join(re.escape(cue) for cue in sorted(cues, key=len, reverse=True))


def _roles_pattern(victim: Sequence[str], counterparty: Sequence[str]) -> re.Pattern[str]:
    return re.compile(f"(?P<victim>{_cue_pattern(victim)})|(?P<counterparty>{_cue_pattern(counterparty)})")


_BEFORE = _roles_pattern(_VICTIM_BEFORE, _COUNTERPARTY_BEFORE)
_AFTER = _roles_pattern(_VICTIM_AFTER, _COUNTERPARTY_AFTER)

NEVER_OWN_KINDS = frozenset({K.URL, K.DOMAIN, K.APP, K.IP})
"""Links, sites, apps and servers a report names are the other side's (or a platform's), never the victim's."""
CONTACT_KINDS = frozenset({K.WECHAT, K.QQ, K.LINE, K.TELEGRAM, K.EMAIL, K.CRYPTO_WALLET})
"""Kinds a victim names as their own only with the possessive right before them (我的微信号 abc, my email …)."""
ADJACENT = 5
"""How close (characters, Chinese) a victim's possessive must stand before a contact kind; twice that in Latin
script."""
_THEIR_PERSON = frozenset(
    {
        "对方",
        "收款",
        "他的",
        "她的",
        "嫌疑",
        "骗子",
        "他们",
        "their",
        "his ",
        "her ",
        "suspect",
        "scammer",
        "payee",
    }
)
"""Counterparty cues that name a person, the only ones that make an ID number someone else's."""


def role_at(text: str, start: int, end: int, kind: IdentifierKind, *, chinese: bool = True) -> IdentifierRole:
    """The role of the identifier at ``text[start:end]`` of normalised, lower-cased ``text``.

    The cue nearest before the identifier in its clause decides; else a cue right after it; else the kind: a
    resident ID number is the victim's, anything else the other side's, since that is what a report names.
    Cost: O(LOOK_BACK + LOOK_AHEAD) per identifier.
    """
    if kind in NEVER_OWN_KINDS:
        return COUNTERPARTY
    window_start = max(0, start - (LOOK_BACK if chinese else LOOK_BACK_LATIN))
    before = text[window_start:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    nearest: re.Match[str] | None = None
    for match in _BEFORE.finditer(before):
        if nearest is None or match.end() >= nearest.end():
            nearest = match
    if nearest is not None:
        if nearest.lastgroup == "counterparty":
            owned_by_them = kind != K.ID_NUMBER or nearest.group() in _THEIR_PERSON
            return COUNTERPARTY if owned_by_them else VICTIM
        gap = len(before) - nearest.end()
        if kind not in CONTACT_KINDS or gap <= (ADJACENT if chinese else 2 * ADJACENT):
            return VICTIM
        return COUNTERPARTY
    after = _CLAUSE_BREAK.split(text[end : end + LOOK_AHEAD], maxsplit=1)[0]
    following = _AFTER.search(after)
    if following is not None:
        return VICTIM if following.lastgroup == "victim" else COUNTERPARTY
    return VICTIM if kind == K.ID_NUMBER else COUNTERPARTY


def settle_roles(found: Sequence[FoundIdentifier], report: Report) -> list[FoundIdentifier]:
    """The identifiers found in a report's narrative, with the roles its form tells outranking the words.

    An account the victim paid from (the victim's account field, payers of payments) is the victim's, an account
    or wallet paid into (:meth:`fanzha.model.Payment.payee`) is the other side's, whatever the narrative's
    wording. Cost: O(payments + found).
    """
    stated = [report.victim.account] if report.victim and report.victim.account else []
    own = {
        (K.BANK_ACCOUNT, normalize_identifier(K.BANK_ACCOUNT, raw).value)
        for raw in (*stated, *(p.from_account for p in report.payments))
    }
    payees = {(payee.kind, payee.value) for payee in map(Payment.payee, report.payments) if payee is not None}
    settled = []
    for item in found:
        if (item.kind, item.value) in own:
            item = item._replace(role=VICTIM)
        elif (item.kind, item.value) in payees:
            item = item._replace(role=COUNTERPARTY)
        settled.append(item)
    return settled


def roles_in_genuine_text(found: Sequence[FoundIdentifier]) -> list[FoundIdentifier]:
    """The identifiers of a message that reads as no fraud (a bank's alert, a police warning, a shop's notice):
    there is no other side in it, so what it names (the bank's hotline, the shop's site) is of unknown role; the
    reader's own stay theirs. Cost: O(found)."""
    return [item._replace(role=UNKNOWN) if item.role == COUNTERPARTY else item for item in found]
