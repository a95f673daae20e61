"""The blind evaluation set (盲测集, ``data/blind/``): messages written by readers who never saw the training data.

Identifiers and amounts are annotated as the exact text written (with kind, role, currency), so they are matched
to what the extractor finds by where they stand in the message. See ``data/blind/README.md`` for how it was made.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import resources

from fanzha.text.evaluate import ClassificationScores, Counts, score_classification
from fanzha.text.identifiers import Extraction, extract

NOT_FRAUD = "not_fraud"

BLIND_FILES = ("zh_hans.jsonl", "zh_hant.jsonl", "en.jsonl")


@dataclass(frozen=True, slots=True)
class AnnotatedSpan:
    """An identifier as written in a blind message: where it stands, its kind and whose it is."""

    start: int
    end: int
    kind: str
    role: str


@dataclass(frozen=True, slots=True)
class BlindMessage:
    """One blind message with its labels."""

    id: str
    script: str
    voice: str
    fraud_type: str
    text: str
    identifiers: tuple[AnnotatedSpan, ...]
    amounts: tuple[tuple[int, str], ...] = ()
    """``(amount_minor, currency)`` of every sum of money written."""


def load_blind_set() -> list[BlindMessage]:
    """Every message of the shipped blind set, in file order."""
    messages = []
    for name in BLIND_FILES:
        text = resources.files("fanzha.text").joinpath(f"data/blind/{name}").read_text("utf-8")
        for line in text.splitlines():
            if line.strip():
                messages.append(_message(json.loads(line)))
    return messages


def _message(record: dict[str, object]) -> BlindMessage:
    text = str(record["text"])
    spans = []
    cursor: dict[str, int] = {}
    for item in record["identifiers"]:  # type: ignore[attr-defined]
        written = str(item["text"])
        start = text.find(written, cursor.get(written, 0))
        if start < 0:
            start = text.find(written)
        cursor[written] = start + 1
        spans.append(AnnotatedSpan(start, start + len(written), str(item["kind"]), str(item["role"])))
    amounts = tuple(
        (int(item["amount_minor"]), str(item["currency"]))
        for item in record["amounts"]  # type: ignore[attr-defined]
    )
    return BlindMessage(
        id=str(record["id"]), script=str(record["script"]), voice=str(record["voice"]),
        fraud_type=str(record["fraud_type"]), text=text, identifiers=tuple(spans), amounts=amounts,
    )  # fmt: skip


def roles_on_blind_set(
    messages: Sequence[BlindMessage],
    extractor: Callable[[str], Extraction] = extract,
) -> Counter[tuple[str, str]]:
    """``(annotated role, role read) → count`` over annotated identifiers the extractor found (spans overlap).

    Cost: one extraction per message.
    """
    roles: Counter[tuple[str, str]] = Counter()
    for message in messages:
        found = extractor(message.text).identifiers
        for span in message.identifiers:
            match = next((f for f in found if f.start < span.end and span.start < f.end), None)
            if match is not None:
                roles[(span.role, match.role.value)] += 1
    return roles


@dataclass(frozen=True)
class BlindExtraction:
    """Identifiers matched by where they stand (any overlap; a URL's domain is part of the URL), amounts by value
    and currency; per kind counts of identifiers."""

    identifiers: Counts
    by_kind: dict[str, Counts]
    amounts: Counts


def extraction_on_blind_set(
    messages: Sequence[BlindMessage], extractor: Callable[[str], Extraction] = extract
) -> BlindExtraction:
    """Identifier and amount extraction scored on the blind set. Cost: one extraction per message."""
    by_kind: dict[str, Counts] = {}
    amounts = Counts()
    for message in messages:
        found = extractor(message.text)
        for span in message.identifiers:
            hit = any(f.start < span.end and span.start < f.end for f in found.identifiers)
            by_kind[span.kind] = by_kind.get(span.kind, Counts()) + Counts(int(hit), 0, int(not hit))
        for item in found.identifiers:
            if not any(item.start < s.end and s.start < item.end for s in message.identifiers):
                kind = item.kind.value
                by_kind[kind] = by_kind.get(kind, Counts()) + Counts(0, 1, 0)
        wanted = Counter(message.amounts)
        got = Counter((a.money.amount_minor, a.money.currency) for a in found.amounts)
        hits = sum((wanted & got).values())
        amounts += Counts(hits, sum(got.values()) - hits, sum(wanted.values()) - hits)
    return BlindExtraction(sum(by_kind.values(), Counts()), by_kind, amounts)


@dataclass(frozen=True)
class BlindClassification:
    """Fraud types on the blind set: overall, per script and per voice, and fraud-or-not."""

    overall: ClassificationScores
    by_script: dict[str, ClassificationScores]
    by_voice: dict[str, ClassificationScores]
    fraud_recall: float
    """Share of fraud messages called some fraud type."""
    false_alarms: float
    """Share of genuine (``not_fraud``) messages called fraud."""


def classification_on_blind_set(
    messages: Sequence[BlindMessage], classify: Callable[[Sequence[str]], Sequence[str]]
) -> BlindClassification:
    """Score ``classify`` (texts → level-1 codes) on the blind set."""
    predicted = [label.split(".", 1)[0] for label in classify([m.text for m in messages])]
    expected = [m.fraud_type for m in messages]

    def scores(keep: Callable[[BlindMessage], bool]) -> ClassificationScores:
        pairs = [(e, p) for m, e, p in zip(messages, expected, predicted, strict=True) if keep(m)]
        return score_classification([e for e, _ in pairs], [p for _, p in pairs])

    fraud = [p != NOT_FRAUD for e, p in zip(expected, predicted, strict=True) if e != NOT_FRAUD]
    genuine = [p != NOT_FRAUD for e, p in zip(expected, predicted, strict=True) if e == NOT_FRAUD]
    scripts = sorted({m.script for m in messages})
    voices = sorted({m.voice for m in messages})
    return BlindClassification(
        overall=scores(lambda m: True),
        by_script={script: scores(partial(_has, "script", script)) for script in scripts},
        by_voice={voice: scores(partial(_has, "voice", voice)) for voice in voices},
        fraud_recall=sum(fraud) / len(fraud) if fraud else 1.0,
        false_alarms=sum(genuine) / len(genuine) if genuine else 0.0,
    )


def _has(field: str, value: str, message: BlindMessage) -> bool:
    return bool(getattr(message, field) == value)
