"""The text work of an ingest (涉案要素提取, 诈骗类型研判): identifiers and fraud types of a chunk's narratives.

:class:`TextWork` runs it in this process, or in one worker process (``FANZHA_INGEST_TEXT_WORKERS=1``) so that
the text work of one chunk overlaps the reading, sorting and writing of the next: on two cores the writes and
the text work together then cost about what the slower of them costs alone.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType

from fanzha.config import Settings, get_settings
from fanzha.model import Report
from fanzha.text import Extraction, FoundIdentifier, extract
from fanzha.text.classify import Classification, FraudClassifier, default_classifier
from fanzha.text.roles import roles_in_genuine_text, settle_roles

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances; the library never prints."""

PROGRESS_EVERY = 500


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class NarrativeFindings:
    """What the text room found in a batch of narratives: identifiers with spans, and fraud types."""

    identifiers: dict[str, list[FoundIdentifier]] = field(default_factory=dict)
    fraud_types: list[tuple[str, str, float]] = field(default_factory=list)


def load_classifier(settings: Settings | None = None) -> FraudClassifier:
    """The classifier trained by ``fanzha train`` when there is one, else the one trained on the shipped data."""
    path = (settings or get_settings()).classifier_path
    if path.exists():
        return FraudClassifier.from_bytes(path.read_bytes())
    return default_classifier()


def analyse_narratives(
    reports: Sequence[Report],
    *,
    classifier: FraudClassifier | None = None,
    progress: Progress = _quiet,
    settings: Settings | None = None,
) -> NarrativeFindings:
    """Extract identifiers (涉案要素提取) and classify the fraud type (诈骗类型研判) of each narrative.

    Each text is normalised once, for both; a fraud type is the level-2 code where the classifier is confident
    of one, else the level-1 code. Each identifier carries its role, read from the words and settled by the
    report's form (the victim's paying account is the victim's, a payee the other side's).
    """
    zone = (settings or get_settings()).timezone
    model = classifier or load_classifier(settings)
    findings = NarrativeFindings()
    told = [report for report in reports if report.narrative]
    for start in range(0, len(told), PROGRESS_EVERY):
        batch = told[start : start + PROGRESS_EVERY]
        extractions = [extract(r.narrative, reference_time=r.received_at, timezone=zone) for r in batch]
        classified = model.classify_normalized([e.normalized for e in extractions], evidence=False)
        findings.identifiers |= {
            r.id: settle_roles(_text_roles(e, c), r)
            for r, e, c in zip(batch, extractions, classified, strict=True)
            if e.identifiers
        }
        findings.fraud_types += [
            (r.id, c.subtype or c.fraud_type, c.probability) for r, c in zip(batch, classified, strict=True)
        ]
        progress("reading narratives", start + len(batch), len(told))
    return findings


def _text_roles(extraction: Extraction, classified: Classification) -> list[FoundIdentifier]:
    """Roles as the words read them, and none of the other side's in a narrative that reads as no fraud."""
    if classified.no_fraud:
        return roles_in_genuine_text(extraction.identifiers)
    return extraction.identifiers


class TextWork:
    """Analyses chunks of reports with :func:`analyse_narratives`, in a worker process or in this one.

    ``submit`` returns a future; with a worker the caller reads and writes other chunks while it runs. The
    worker is started with the first chunk and ends with the block.

    >>> with TextWork(settings, worker=True) as work:  # doctest: +SKIP
    ...     findings = work.submit(reports).result()
    """

    def __init__(
        self, settings: Settings, *, worker: bool, classifier: FraudClassifier | None = None
    ) -> None:
        self.settings = settings
        self.worker = worker
        self.classifier = classifier
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, reports: Sequence[Report]) -> Future[NarrativeFindings]:
        """The findings of ``reports``, as a future (already done when there is no worker, or nothing to do)."""
        if not reports:
            nothing: Future[NarrativeFindings] = Future()
            nothing.set_result(NarrativeFindings())
            return nothing
        if not self.worker:
            self.classifier = self.classifier or load_classifier(self.settings)
            done: Future[NarrativeFindings] = Future()
            done.set_result(analyse_narratives(reports, classifier=self.classifier, settings=self.settings))
            return done
        if self._pool is None:
            self.classifier = self.classifier or load_classifier(self.settings)
            self._pool = _pool(self.settings, self.classifier)
        return self._pool.submit(_analyse_in_worker, list(reports))

    def __enter__(self) -> TextWork:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_worker: tuple[Settings, FraudClassifier] | None = None
"""In a worker process: the settings and the classifier its chunks are analysed with."""


def _pool(settings: Settings, classifier: FraudClassifier) -> ProcessPoolExecutor:
    """One worker process: forked where the platform can (it inherits the loaded classifier and needs no
    ``if __name__ == "__main__"`` guard in the caller's script), else spawned, loading the classifier itself.

    A forked worker only runs the text room on what it is sent; it never touches the parent's database
    connections, and it leaves through ``os._exit`` without running the parent's finalisers.
    """
    global _worker
    if "fork" in multiprocessing.get_all_start_methods():
        _worker = (settings, classifier)
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
        initargs=(settings,),
    )  # fmt: skip


def _start_worker(settings: Settings) -> None:
    global _worker
    _worker = (settings, load_classifier(settings))


def _analyse_in_worker(reports: list[Report]) -> NarrativeFindings:
    assert _worker is not None, "the worker was not started"
    settings, classifier = _worker
    return analyse_narratives(reports, classifier=classifier, settings=settings)
