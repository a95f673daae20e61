"""The UCI SMS Spam Collection (CC BY 4.0, in ``../shared/data``) as a test of the classifier on text no one here
wrote: real English ham, and spam of which the prize, claim and premium-rate kind is a scam.

The collection is split in two halves by a hash of each message's folded text (so repeated messages fall in one
half): the training half's ham and scam-like spam are shipped in ``data/sms_training_half.tsv`` (with the licence
beside it) and trained on, the other half is only ever scored.

Spam is scam-like when it promises a prize, award or cash to claim, or sends the reader to a premium-rate number
(UK 09…, 0871…, 087…); the rest of the spam (ringtone clubs, chat lines, plain adverts) is neither counted for nor
against. A message is called fraud when its fraud type is anything but ``not_fraud``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

NOT_FRAUD = "not_fraud"
HAM_FALSE_ALARM_TARGET = 0.01
SCAM_LIKE = re.compile(
    r"\b(?:won|win(?:ner|ning)?|prize|award(?:ed)?|claim|bonus|cash|jackpot|lucky|selected|guaranteed)\b"
    r"|\b0(?:9\d{8,9}|87\d{7,8})\b",
    re.IGNORECASE,
)


def in_training_half(text: str) -> bool:
    """Whether a message belongs to the half of the collection that is trained on (the other half is scored)."""
    folded = " ".join(text.casefold().split()).encode("utf-8")
    return hashlib.blake2b(folded, digest_size=8).digest()[0] < 128


PRIZE_CLAIM = re.compile(r"\b(?:won|winner|prize|award(?:ed)?|jackpot)\b", re.IGNORECASE)
"""Scam-like spam that is trained on as a prize scam: it says the reader won something."""


def is_scam_like(text: str) -> bool:
    """Spam that promises a prize, an award or cash to claim, or sends the reader to a premium-rate number."""
    return SCAM_LIKE.search(text) is not None


def training_half(messages: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(label, text)`` of the training half, ``ham`` or ``scam`` (spam that says the reader won a prize); other
    spam, repeats and the scored half left out."""
    seen: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for label, text in messages:
        if (
            text in seen
            or not in_training_half(text)
            or (label != "ham" and PRIZE_CLAIM.search(text) is None)
        ):
            continue
        seen.add(text)
        chosen.append(("ham" if label == "ham" else "scam", text))
    return chosen


@dataclass(frozen=True, slots=True)
class SmsScores:
    """Scam-like spam called fraud, genuine (ham) messages called fraud, and the counts behind them."""

    scam_like: int
    scam_like_called_fraud: int
    ham: int
    ham_called_fraud: int
    other_spam: int
    other_spam_called_fraud: int

    @property
    def scam_recall(self) -> float:
        return self.scam_like_called_fraud / self.scam_like if self.scam_like else 0.0

    @property
    def ham_false_alarms(self) -> float:
        return self.ham_called_fraud / self.ham if self.ham else 0.0


def load_sms_collection(path: Path) -> list[tuple[str, str]]:
    """``(label, text)`` of every message of the tab-separated collection (a header line first)."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(label, text) for label, _, text in (line.partition("\t") for line in lines) if text]


def score_sms_collection(
    messages: Sequence[tuple[str, str]],
    fraud_types: Callable[[list[str]], Sequence[str]],
    *,
    scored_half_only: bool = True,
) -> SmsScores:
    """The classifier's calls on the scored half of the collection (the messages not in the training half; every
    message with ``scored_half_only=False``). Cost: one batch classification of those messages."""
    scored = [(label, text) for label, text in messages if not (scored_half_only and in_training_half(text))]
    called = [code.split(".")[0] != NOT_FRAUD for code in fraud_types([text for _, text in scored])]
    groups = {"scam": [0, 0], "ham": [0, 0], "spam": [0, 0]}
    for (label, text), fraud in zip(scored, called, strict=True):
        group = "ham" if label == "ham" else "scam" if is_scam_like(text) else "spam"
        groups[group][0] += 1
        groups[group][1] += fraud
    return SmsScores(*groups["scam"], *groups["ham"], *groups["spam"])
