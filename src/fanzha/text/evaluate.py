"""Quality of extraction and classification measured on the annotated evaluation set (要素提取与分类质量评估).

The set (``data/eval_set.jsonl``, shipped with the package) holds messages written for fanzha in simplified Chinese,
traditional Chinese and English, each with its fraud type and the identifiers it names in normalised form. It is
held out: no classifier trains on it.

Extraction is scored per message on ``(kind, normalised value)`` pairs: a pair found and expected is a hit, found
and not expected a false alarm, expected and not found a miss. Classification is scored like scikit-learn's
``classification_report``: per-class precision, recall and F1, macro-F1 over every label that is expected or
predicted, and the confusion matrix (rows expected, columns predicted).

Everything here is pure: the set is read from the package, the extractor and classifier are passed in or called,
and the results are plain data for the command line to print.

How the set is annotated:

- ``fraud_type``: the level-1 code of the taxonomy; ``not_fraud`` holds genuine bank, courier, police and shop
  messages and other near-misses.
- ``identifiers``: every identifier the text names, whatever its role (a bank's genuine 95588 counts), normalised
  by :func:`fanzha.model.normalize_identifier`. A URL also names its registrable domain. National-format phones
  are read in the region the text comes from (Taiwan or Hong Kong for traditional-Chinese texts that use their
  numbers, the UK, US or Australia for English); short service numbers keep their digits. Order, tracking,
  invoice, booking and case numbers, verification codes, card tails (尾号), extensions (分机), badge numbers, UK
  sort codes with 8-digit accounts and handles of services without a kind (LINE, Telegram) are not identifiers.
- apps: an app or platform the text names as one (with an app word, an install or log-in verb, or quoted as a
  name), not a platform only mentioned as where contact happened (在抖音刷到); values are case-folded, without
  spaces, in simplified characters (traditional text is read through the same conversion as the extractor's).
- ``amounts`` (optional): every money amount written with a currency or a 万/亿 magnitude, in minor units of its
  own currency; the currency itself is not compared.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

from fanzha.model import IdentifierKind, IdentifierRole
from fanzha.model.taxonomy import fraud_taxonomy
from fanzha.text.identifiers import Extraction, extract

SCRIPTS = ("zh-Hans", "zh-Hant", "en")
"""The scripts of the set: simplified Chinese, traditional Chinese (Taiwan and Hong Kong usage), English."""

EXTRACTION_PRECISION_TARGET = 0.98
EXTRACTION_RECALL_TARGET = 0.95
MACRO_F1_TARGET = 0.90
ROLE_ACCURACY_TARGET = 0.95
ROLES = tuple(role.value for role in IdentifierRole)

Pair = tuple[str, str]
"""An identifier as ``(kind, normalised value)``."""


class EvalSetError(ValueError):
    """A line of the evaluation set that cannot be read; the message names the line and the field."""


@dataclass(frozen=True, slots=True)
class EvalMessage:
    """One annotated message: its text, fraud type, and the identifiers and amounts it names."""

    id: str
    script: str
    text: str
    fraud_type: str
    identifiers: frozenset[Pair]
    reported_at: datetime
    amounts: tuple[int, ...] | None = None
    """Amounts in minor units, when annotated; ``None`` means the message was not annotated for amounts."""
    roles: Mapping[Pair, str] = field(default_factory=dict)
    """Whose each identifier is (``victim``, ``counterparty``, ``unknown``), where annotated."""


def _field(record: Mapping[str, object], name: str, kind: type, where: str) -> object:
    value = record.get(name)
    if not isinstance(value, kind):
        raise EvalSetError(f"{where}: field {name!r} must be a {kind.__name__}, got {value!r}")
    return value


def parse_eval_message(line: str, where: str = "eval set") -> EvalMessage:
    """Read one JSON line of the set; ``where`` (file and line) is named in any error."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise EvalSetError(f"{where}: not JSON ({error})") from error
    if not isinstance(record, dict):
        raise EvalSetError(f"{where}: a line must hold a JSON object")
    script = str(_field(record, "script", str, where))
    if script not in SCRIPTS:
        raise EvalSetError(f"{where}: field 'script' must be one of {SCRIPTS}, got {script!r}")
    reported_at = datetime.fromisoformat(str(_field(record, "reported_at", str, where)))
    if reported_at.tzinfo is None:
        raise EvalSetError(f"{where}: field 'reported_at' must carry a UTC offset")
    pairs: set[Pair] = set()
    roles: dict[Pair, str] = {}
    items = _field(record, "identifiers", list, where)
    assert isinstance(items, list)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise EvalSetError(f"{where}: field 'identifiers' holds {item!r}, not {{kind, value}}")
        try:
            kind = IdentifierKind(str(item.get("kind")))
        except ValueError as error:
            raise EvalSetError(
                f"{where}: field 'identifiers' names an unknown kind {item.get('kind')!r}"
            ) from error
        pairs.add((kind.value, item["value"]))
        role = item.get("role")
        if role is not None:
            if role not in ROLES:
                raise EvalSetError(f"{where}: field 'identifiers' names an unknown role {role!r}")
            roles.setdefault((kind.value, item["value"]), str(role))
    amounts = record.get("amounts")
    if amounts is not None and not (isinstance(amounts, list) and all(isinstance(a, int) for a in amounts)):
        raise EvalSetError(f"{where}: field 'amounts' must be a list of integers (minor units)")
    return EvalMessage(
        id=str(_field(record, "id", str, where)),
        script=script,
        text=str(_field(record, "text", str, where)),
        fraud_type=str(_field(record, "fraud_type", str, where)),
        identifiers=frozenset(pairs),
        reported_at=reported_at,
        amounts=tuple(amounts) if amounts is not None else None,
        roles=roles,
    )


def load_eval_set(path: Path | None = None) -> list[EvalMessage]:
    """The annotated evaluation set (评测集): the one shipped with fanzha, or the JSON lines file at ``path``."""
    if path is None:
        text = resources.files("fanzha.text").joinpath("data/eval_set.jsonl").read_text("utf-8")
        name = "eval_set.jsonl"
    else:
        text, name = path.read_text("utf-8"), str(path)
    return [
        parse_eval_message(line, f"{name} line {number}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


# --- counting ----------------------------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True, slots=True)
class Counts:
    """Hits, false alarms and misses, with precision, recall and F1 (0 when undefined, as scikit-learn does)."""

    hits: int = 0
    false_alarms: int = 0
    misses: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.hits + other.hits, self.false_alarms + other.false_alarms, self.misses + other.misses
        )

    @property
    def expected(self) -> int:
        """How many were expected (hits plus misses)."""
        return self.hits + self.misses

    @property
    def found(self) -> int:
        """How many were found (hits plus false alarms)."""
        return self.hits + self.false_alarms

    @property
    def precision(self) -> float:
        """Share of what was found that was expected."""
        return _ratio(self.hits, self.found)

    @property
    def recall(self) -> float:
        """Share of what was expected that was found."""
        return _ratio(self.hits, self.expected)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return _f1(self.precision, self.recall)


def _total(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


def score_pairs(expected: Iterable[Pair], found: Iterable[Pair]) -> dict[str, Counts]:
    """Per-kind counts for one message, matching ``(kind, value)`` pairs as sets."""
    wanted, got = set(expected), set(found)
    counts: dict[str, Counts] = {}
    for kind, _ in wanted | got:
        counts.setdefault(kind, Counts())
    for kind in counts:
        mine, theirs = {p for p in wanted if p[0] == kind}, {p for p in got if p[0] == kind}
        counts[kind] = Counts(len(mine & theirs), len(theirs - mine), len(mine - theirs))
    return counts


def score_amounts(expected: Sequence[int], found: Sequence[int]) -> Counts:
    """Counts for amounts in minor units, matched as multisets (the same amount twice must be found twice)."""
    wanted, got = Counter(expected), Counter(found)
    hits = sum((wanted & got).values())
    return Counts(hits, sum(got.values()) - hits, sum(wanted.values()) - hits)


# --- extraction ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractionError:
    """An identifier missed (expected, not found) or a false alarm (found, not expected) in one message."""

    message_id: str
    script: str
    error: Literal["miss", "false_alarm"]
    kind: str
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """Extraction quality on the set: counts per (script, kind), amounts, and every error for debugging."""

    counts: dict[tuple[str, str], Counts]
    amounts: Counts
    errors: list[ExtractionError] = field(default_factory=list)
    messages: int = 0
    roles: Counter[tuple[str, str]] = field(default_factory=Counter)
    """``(annotated role, role read) → count`` over identifiers found that carry an annotated role."""

    @property
    def role_accuracy(self) -> float:
        """Share of found, role-annotated identifiers whose role was read as annotated."""
        return _ratio(
            sum(n for (want, got), n in self.roles.items() if want == got), sum(self.roles.values())
        )

    def overall(self) -> Counts:
        """All identifier kinds and scripts together (micro-averaged)."""
        return _total(self.counts.values())

    def by_kind(self, script: str | None = None) -> dict[str, Counts]:
        """Counts per identifier kind, over all scripts or one, in the order of :class:`IdentifierKind`."""
        result = {
            kind.value: _total(c for (s, k), c in self.counts.items() if k == kind and script in (None, s))
            for kind in IdentifierKind
        }
        return {kind: counts for kind, counts in result.items() if counts.expected or counts.found}

    def by_script(self) -> dict[str, Counts]:
        """Counts per script, all kinds together."""
        return {script: _total(c for (s, _), c in self.counts.items() if s == script) for script in SCRIPTS}


def identifiers_found(extraction: Extraction) -> set[Pair]:
    """The ``(kind, normalised value)`` pairs of an extraction."""
    return {(found.kind.value, found.value) for found in extraction.identifiers}


def extract_message(message: EvalMessage) -> Extraction:
    """The default extractor: :func:`fanzha.text.extract` with the message's report time as reference."""
    return extract(message.text, reference_time=message.reported_at)


def evaluate_extraction(
    messages: Sequence[EvalMessage], extractor: Callable[[EvalMessage], Extraction] = extract_message
) -> ExtractionReport:
    """Score identifier and amount extraction over ``messages``.

    Cost: one extraction per message, then set operations on its few identifiers.
    """
    counts: dict[tuple[str, str], Counts] = {}
    amounts = Counts()
    errors: list[ExtractionError] = []
    roles: Counter[tuple[str, str]] = Counter()
    for message in messages:
        extraction = extractor(message)
        found = identifiers_found(extraction)
        roles.update(roles_read(message, extraction))
        for kind, kind_counts in score_pairs(message.identifiers, found).items():
            key = (message.script, kind)
            counts[key] = counts.get(key, Counts()) + kind_counts
        for kind, value in sorted(message.identifiers - found):
            errors.append(ExtractionError(message.id, message.script, "miss", kind, value, message.text))
        for kind, value in sorted(found - message.identifiers):
            errors.append(
                ExtractionError(message.id, message.script, "false_alarm", kind, value, message.text)
            )
        if message.amounts is not None:
            amounts += score_amounts(message.amounts, [a.money.amount_minor for a in extraction.amounts])
    return ExtractionReport(
        counts=counts, amounts=amounts, errors=errors, messages=len(messages), roles=roles
    )


def roles_read(message: EvalMessage, extraction: Extraction) -> list[tuple[str, str]]:
    """``(annotated, read)`` role pairs of the identifiers found that the message annotates with a role.

    Where the extractor finds one value twice with different roles, the first finding counts, as in storage.
    """
    read: dict[Pair, str] = {}
    for item in extraction.identifiers:
        read.setdefault((item.kind.value, item.value), item.role.value)
    return [(want, read[pair]) for pair, want in sorted(message.roles.items()) if pair in read]


# --- classification --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassScore:
    """Precision, recall and F1 of one fraud type; ``support`` is how many messages truly have it."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class ClassificationScores:
    """Accuracy, macro-F1, per-class scores and the confusion matrix of a set of predictions."""

    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    """``confusion[i][j]``: messages of type ``labels[i]`` predicted as ``labels[j]``."""
    per_class: tuple[ClassScore, ...]
    accuracy: float
    macro_f1: float
    size: int


@dataclass(frozen=True, slots=True)
class ClassificationError:
    """A message whose predicted fraud type is not its annotated one."""

    message_id: str
    script: str
    expected: str
    predicted: str
    probability: float | None
    text: str


@dataclass(frozen=True, slots=True)
class ClassificationReport:
    """Classification quality on the set: overall, per script, and the misclassified messages."""

    overall: ClassificationScores
    per_script: dict[str, ClassificationScores]
    errors: list[ClassificationError]


def _label_order(labels: Iterable[str]) -> tuple[str, ...]:
    order = {code: index for index, code in enumerate(fraud_taxonomy().codes())}
    return tuple(sorted(set(labels), key=lambda label: (order.get(label, len(order)), label)))


def score_classification(expected: Sequence[str], predicted: Sequence[str]) -> ClassificationScores:
    """Scores of ``predicted`` against ``expected`` labels; macro-F1 averages over every label in either.

    Labels come in taxonomy order (unknown ones last); undefined precision or recall counts as 0.
    """
    if len(expected) != len(predicted):
        raise ValueError(f"{len(expected)} expected labels but {len(predicted)} predictions")
    labels = _label_order([*expected, *predicted])
    index = {label: position for position, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for truth, guess in zip(expected, predicted, strict=True):
        matrix[index[truth]][index[guess]] += 1
    per_class = []
    for position, label in enumerate(labels):
        hits = matrix[position][position]
        support = sum(matrix[position])
        precision = _ratio(hits, sum(row[position] for row in matrix))
        recall = _ratio(hits, support)
        per_class.append(ClassScore(label, precision, recall, _f1(precision, recall), support))
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return ClassificationScores(
        labels=labels,
        confusion=tuple(tuple(row) for row in matrix),
        per_class=tuple(per_class),
        accuracy=_ratio(correct, len(expected)),
        macro_f1=_ratio(sum(score.f1 for score in per_class), len(per_class)),
        size=len(expected),
    )


def confusion_lines(scores: ClassificationScores) -> list[str]:
    """The confusion matrix as plain fixed-width lines: a header of column numbers, then one row per label.

    Every count is written in full: the columns are as wide as the largest count (or column number), and the
    row labels as wide as the longest, so nothing is elided whatever the size of the set. A zero shows as ``·``.

    >>> scores = score_classification(["romance"] * 12 + ["not_fraud"], ["romance"] * 11 + ["not_fraud"] * 2)
    >>> print("\\n".join(confusion_lines(scores)))
                 1  2
    1 romance   11  1
    2 not_fraud  ·  1
    """
    count = len(scores.labels)
    largest = max((value for row in scores.confusion for value in row), default=0)
    width = max(len(str(largest)), len(str(count)))
    heads = [f"{position + 1:>{len(str(count))}} {label}" for position, label in enumerate(scores.labels)]
    label_width = max(map(len, heads), default=0)
    lines = [" " * label_width + "".join(f" {position + 1:>{width}}" for position in range(count))]
    for head, row in zip(heads, scores.confusion, strict=True):
        cells = "".join(f" {value if value else '·':>{width}}" for value in row)
        lines.append(f"{head:<{label_width}}{cells}")
    return lines


def evaluate_classification(
    messages: Sequence[EvalMessage],
    predicted: Sequence[str],
    probabilities: Sequence[float] | None = None,
) -> ClassificationReport:
    """Score predicted fraud types (level-1 codes or ``not_fraud``) of ``messages``, overall and per script."""
    if len(messages) != len(predicted):
        raise ValueError(f"{len(messages)} messages but {len(predicted)} predictions")
    expected = [message.fraud_type for message in messages]
    per_script = {}
    for script in SCRIPTS:
        chosen = [i for i, message in enumerate(messages) if message.script == script]
        if chosen:
            per_script[script] = score_classification(
                [expected[i] for i in chosen], [predicted[i] for i in chosen]
            )
    errors = [
        ClassificationError(
            message.id,
            message.script,
            message.fraud_type,
            guess,
            probabilities[i] if probabilities is not None else None,
            message.text,
        )
        for i, (message, guess) in enumerate(zip(messages, predicted, strict=True))
        if guess != message.fraud_type
    ]
    return ClassificationReport(score_classification(expected, predicted), per_script, errors)


class Classified(Protocol):
    """What a classifier returns for one text (``fanzha.text.classify.Classification``)."""

    @property
    def fraud_type(self) -> str: ...

    @property
    def probability(self) -> float: ...

    @property
    def uncertain(self) -> bool: ...

    @property
    def no_fraud(self) -> bool: ...


class TextClassifier(Protocol):
    """A fraud-type classifier (``fanzha.text.classify.FraudClassifier``)."""

    def classify_many(self, texts: Sequence[str]) -> Sequence[Classified]: ...


def classify_eval_set(messages: Sequence[EvalMessage], classifier: TextClassifier) -> ClassificationReport:
    """Classify every message with ``classifier`` and score the predictions."""
    results = classifier.classify_many([message.text for message in messages])
    return evaluate_classification(
        messages, [result.fraud_type for result in results], [result.probability for result in results]
    )
