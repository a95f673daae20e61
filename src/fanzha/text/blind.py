"""The blind evaluation set (盲测集, ``data/blind/``): messages written by readers who never saw the training data.

Identifiers and amounts are annotated as the exact text written (with kind, role, currency), so they are matched
to what the extractor finds by where they stand in the message. See ``data/blind/README.md`` for how it was made.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from fanzha.text.identifiers import Extraction, extract

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
    return BlindMessage(
        id=str(record["id"]), script=str(record["script"]), voice=str(record["voice"]),
        fraud_type=str(record["fraud_type"]), text=text, identifiers=tuple(spans),
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
