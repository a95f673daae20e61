"""The UCI SMS Spam Collection (CC BY 4.0, kept in ``../shared/data``, not shipped) as a test of the classifier on
text no one here wrote: real English ham, and spam of which the prize, claim and premium-rate kind is a scam.

Spam is scam-like when it promises a prize, award or cash to claim, or sends the reader to a premium-rate number
(UK 09…, 0871…, 087…); the rest of the spam (ringtone clubs, chat lines, plain adverts) is neither counted for nor
against. A message is called fraud when its fraud type is anything but ``not_fraud``.
"""

from __future__ import annotations

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
    messages: Sequence[tuple[str, str]], fraud_types: Callable[[list[str]], Sequence[str]]
) -> SmsScores:
    """The classifier's calls on the collection. Cost: one batch classification of every message."""
    called = [code.split(".")[0] != NOT_FRAUD for code in fraud_types([text for _, text in messages])]
    groups = {"scam": [0, 0], "ham": [0, 0], "spam": [0, 0]}
    for (label, text), fraud in zip(messages, called, strict=True):
        group = "ham" if label == "ham" else "scam" if SCAM_LIKE.search(text) else "spam"
        groups[group][0] += 1
        groups[group][1] += fraud
    return SmsScores(*groups["scam"], *groups["ham"], *groups["spam"])
