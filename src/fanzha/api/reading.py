"""A report as the console reads it: its narrative with what the text room extracted marked in place.

The spans come from :func:`fanzha.text.extract` (offsets into the narrative); this module only sorts them into
the victim's own and the other side's, and masks the personal ones until the reader asks for them (that read is
the audited one of ``GET /reports/{id}``).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from fanzha.model import IdentifierKind, Report, ReportKind, mask_value
from fanzha.text import Extraction, FraudClassifier, extract


class SpanRole(StrEnum):
    """Whose an identifier is: the victim's own, the other side's (scammer, mule, payee) or not known."""

    VICTIM = "victim"
    COUNTERPARTY = "counterparty"
    UNKNOWN = "unknown"


class TextSpan(BaseModel):
    """Something the text room found in the narrative, at ``start``–``end`` of the narrative as returned."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: str = Field(description="an identifier kind, or amount or time")
    value: str = Field(description="normalised value (masked when personal and not asked for)")
    role: SpanRole = SpanRole.UNKNOWN
    personal: bool = Field(description="personal data: masked unless personal=true was asked")
    valid: bool = True


class FraudTypeReading(BaseModel):
    """The classifier's fraud type for the narrative, with its probability and the terms that decided it."""

    fraud_type: str
    subtype: str | None
    probability: float
    uncertain: bool = Field(
        description="the model is unsure (probability below the threshold chosen on evaluation data)"
    )
    tells_of_scam: bool = Field(
        default=False,
        description="the text tells of a scam without being one (a warning, a case bulletin, news): not fraud",
    )
    evidence: list[str] = Field(description="terms as written in the narrative, strongest first")


class ReportReading(BaseModel):
    """A report for reading: narrative, spans, fraud type; personal data masked unless ``personal`` is true."""

    id: str
    kind: ReportKind
    channel: str
    received_at: str
    reporter_unit: str
    personal: bool = Field(description="whether personal data is shown (that read is audited)")
    victim_pseudonym: str | None
    victim_account: str | None
    narrative: str
    spans: list[TextSpan]
    loss: dict[str, int]
    payments: int = Field(description="payments the report records (what a trace follows)")
    fraud_type: FraudTypeReading | None
    campaign_id: str | None = Field(default=None, description="the campaign the report was linked into")


def victim_accounts(report: Report) -> set[str]:
    """The victim's own accounts the report names: the victim record's and the paying side of each payment."""
    own = {payment.from_account for payment in report.payments}
    if report.victim is not None and report.victim.account:
        own.add(report.victim.account)
    return own


def span_role(report: Report, kind: IdentifierKind, value: str) -> SpanRole:
    """The victim's own accounts are ``victim``; accounts the victim paid into are ``counterparty``."""
    if kind == IdentifierKind.BANK_ACCOUNT:
        if value in victim_accounts(report):
            return SpanRole.VICTIM
        if value in {payment.to_account for payment in report.payments}:
            return SpanRole.COUNTERPARTY
    return SpanRole.UNKNOWN


def _found_spans(report: Report, found: Extraction) -> list[tuple[TextSpan, str]]:
    """Each span with the text to show in its place when masked ("" when it shows as written)."""
    spans: list[tuple[TextSpan, str]] = []
    for identifier in found.identifiers:
        role = span_role(report, identifier.kind, identifier.value)
        personal = identifier.personal or role == SpanRole.VICTIM
        masked = mask_value(identifier.kind, identifier.value) if personal else ""
        span = TextSpan(
            start=identifier.start, end=identifier.end, kind=identifier.kind.value, value=identifier.value,
            role=role, personal=personal, valid=identifier.valid,
        )  # fmt: skip
        spans.append((span, masked))
    spans.extend(
        (span, mask_value(IdentifierKind.BANK_ACCOUNT, span.value)) for span in _unfound_own(report, spans)
    )
    for amount in found.amounts:
        value = f"{amount.money.amount_minor} {amount.money.currency}"
        spans.append(
            (TextSpan(start=amount.start, end=amount.end, kind="amount", value=value, personal=False), "")
        )
    for when in found.times:
        spans.append(
            (
                TextSpan(
                    start=when.start, end=when.end, kind="time", value=when.value.isoformat(), personal=False
                ),
                "",
            )
        )
    return sorted(spans, key=lambda item: (item[0].start, -item[0].end))


def _unfound_own(report: Report, spans: list[tuple[TextSpan, str]]) -> list[TextSpan]:
    """The victim's own accounts written in the narrative where extraction found nothing (a number that fails its
    checksum, say): marked too, so that masking never leaves them showing."""
    taken = [(span.start, span.end) for span, _ in spans]
    extra: list[TextSpan] = []
    for account in sorted(victim_accounts(report)):
        start = report.narrative.find(account)
        while start >= 0:
            end = start + len(account)
            if all(end <= first or start >= last for first, last in taken):
                extra.append(
                    TextSpan(
                        start=start, end=end, kind=IdentifierKind.BANK_ACCOUNT.value, value=account,
                        role=SpanRole.VICTIM, personal=True, valid=False,
                    )
                )  # fmt: skip
                taken.append((start, end))
            start = report.narrative.find(account, end)
    return extra


def _masked(narrative: str, spans: list[tuple[TextSpan, str]]) -> tuple[str, list[TextSpan]]:
    """The narrative with personal spans replaced by their masked form, and every span moved to match.

    Spans nested inside a masked one are dropped (a masked account shows as one span).
    """
    pieces: list[str] = []
    out: list[TextSpan] = []
    shift, cursor = 0, 0
    for span, shown in spans:
        if span.start < cursor:
            continue
        if not shown:
            out.append(span.model_copy(update={"start": span.start + shift, "end": span.end + shift}))
            continue
        pieces.append(narrative[cursor : span.start])
        pieces.append(shown)
        start = span.start + shift
        out.append(span.model_copy(update={"start": start, "end": start + len(shown), "value": shown}))
        shift += len(shown) - (span.end - span.start)
        cursor = span.end
    pieces.append(narrative[cursor:])
    return "".join(pieces), out


def read_report(
    report: Report, classifier: FraudClassifier | None, *, personal: bool, campaign_id: str | None = None
) -> ReportReading:
    """The reading of ``report``: spans from the text room, personal data masked unless ``personal``.

    Cost: one extraction and one classification of the narrative (well under a millisecond each).
    """
    found = extract(report.narrative, reference_time=report.received_at)
    spans = _found_spans(report, found)
    if personal:
        narrative, shown = report.narrative, [span for span, _ in spans]
    else:
        narrative, shown = _masked(report.narrative, spans)
    victim = report.victim
    account = victim.account if victim is not None else None
    reading = None
    if classifier is not None and report.narrative.strip():
        result = classifier.classify(report.narrative)
        reading = FraudTypeReading(
            fraud_type=result.fraud_type, subtype=result.subtype, probability=result.probability,
            uncertain=result.uncertain, tells_of_scam=result.tells_of_scam,
            evidence=[term for term, _ in result.evidence],
        )  # fmt: skip
    return ReportReading(
        id=report.id, kind=report.kind, channel=report.channel.value, received_at=report.received_at.isoformat(),
        reporter_unit=report.reporter_unit, personal=personal,
        victim_pseudonym=victim.pseudonym if victim is not None else None,
        victim_account=account if personal or account is None else mask_value(IdentifierKind.BANK_ACCOUNT, account),
        narrative=narrative, spans=shown, loss=report.loss, payments=len(report.payments), fraud_type=reading,
        campaign_id=campaign_id,
    )  # fmt: skip
