"""CampaignStore: campaigns, their reports, the merge log, analyst overrides and hub decisions (串并案库).

The link engine (``fanzha.link``) decides; this repository reads its input and keeps its results. The stored
membership is the persistent, fully compressed union-find state: every report points at its campaign, so a new
report is linked by looking up the campaigns of its identifiers. Every batch is one transaction, all or nothing;
merges are logged with the report and key that caused them, splits with the key whose suppression caused them,
so a wrong merge can be undone; every membership keeps the keys that put the report there (``campaign_link_keys``).
Linking reads only the other side's identifiers (and those of unknown role, unless a centre turns that off).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.orm import Session

from fanzha.model import Report, utcnow
from fanzha.store.cases import rows
from fanzha.store.cases.audit import append_event
from fanzha.store.cases.engine import create_case_engine, writer
from fanzha.store.cases.records import CaseStoreError
from fanzha.store.cases.schema import (
    Base,
    CampaignMergeRow,
    CampaignReportRow,
    CampaignRow,
    IdentifierRow,
    LinkHubRow,
    LinkOverrideRow,
    PaymentRow,
    ReportIdentifierRow,
    ReportRow,
)

logger = logging.getLogger(__name__)

CAMPAIGNS = Base.metadata.tables["campaigns"]
MEMBERS = Base.metadata.tables["campaign_reports"]
MERGES = Base.metadata.tables["campaign_merges"]
HUBS = Base.metadata.tables["link_hubs"]
LINK_KEYS = Base.metadata.tables["campaign_link_keys"]
CHUNK = 2_000


@dataclass(frozen=True)
class LinkInput:
    """What linking needs, reports oldest first: ids, fraud type (classified, else declared), province of the
    victim or unit, and the mentions as parallel lists (report position, identifier kind, value)."""

    report_ids: list[str]
    fraud_types: list[str | None]
    regions: list[str | None]
    mention_report: list[int]
    mention_kind: list[str]
    mention_value: list[str]


@dataclass(frozen=True)
class MergeRecord:
    """One entry of the merge log."""

    id: int
    kind: str
    survivor: str
    absorbed: str
    report_id: str | None
    key: str | None
    actor: str
    merged_at: datetime
    undone_at: datetime | None


@dataclass(frozen=True)
class HubRecord:
    """A hub decision to keep: key, reason, category, whether suppressed, degree and spreads."""

    key: str
    reason: str
    suppressed: bool
    degree: int
    type_spread: float = 0.0
    region_spread: float = 0.0
    category: str | None = None
    money: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkOverride:
    """An analyst's standing decision on one linking key (``keep`` or ``suppress``): who, why and when."""

    key: str
    action: str
    actor: str
    reason: str
    at: datetime


Cause = tuple[str, str, str | None, str | None]
"""A merge (survivor, absorbed, report, key) or split (previous, new, report, key) to log with its cause."""


@dataclass(frozen=True)
class Membership:
    """Why a report is in its campaign: the keys it shares with other reports of it (串并依据)."""

    report_id: str
    campaign_id: str
    home_campaign_id: str
    linked_by: tuple[str, ...]


@dataclass(frozen=True)
class CampaignInfo:
    """One line of the campaign list; the API shows each unit its part: ``n_reports`` and ``founder_report_id``
    count and name only the reports of the units it may see (:meth:`CampaignStore.seen_by`)."""

    id: str
    founder_report_id: str
    name: str
    status: str
    n_reports: int
    created_at: datetime
    updated_at: datetime
    merged_into: str | None


@dataclass(frozen=True)
class SaveResult:
    """What a bulk save changed."""

    campaigns: int
    reports_moved: int
    merges: int
    splits: int


class CampaignStore:
    """Campaign tables of the case store at ``url`` (migrated to head first)."""

    def __init__(self, url: str) -> None:
        self.engine = create_case_engine(url)
        self._writer = writer(self.engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> CampaignStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- reading what linking needs -------------------------------------------------------------------

    def link_input(self, *, include_unknown: bool = True) -> LinkInput:
        """Every stored report with its fraud type and province, and the mentions that may link it, oldest first.

        Only the other side's identifiers are read (``counterparty``, and ``unknown`` unless ``include_unknown``
        is False); an identifier a report marks as the victim's own in any mention is left out of that report.
        Cost: two scans (reports; report_identifiers joined with identifiers), O(reports + mentions) memory.
        """
        with Session(self.engine) as session:
            reports = session.execute(
                select(
                    ReportRow.id,
                    func.coalesce(ReportRow.classified_fraud_type, ReportRow.declared_fraud_type),
                    func.coalesce(ReportRow.victim_region, ReportRow.reporter_unit),
                ).order_by(ReportRow.received_at, ReportRow.id)
            ).all()
            position = {rid: i for i, (rid, _, _) in enumerate(reports)}
            mentions = _linking_mentions(session, include_unknown)
        mentions.sort(key=lambda m: (position[m[0]], m[1], m[2]))
        return LinkInput(
            report_ids=[rid for rid, _, _ in reports],
            fraud_types=[ft.split(".", 1)[0] if ft else None for _, ft, _ in reports],
            regions=[code[:2] if code and code[:2].isdigit() else None for _, _, code in reports],
            mention_report=[position[rid] for rid, _, _ in mentions],
            mention_kind=[kind for _, kind, _ in mentions],
            mention_value=[value for _, _, value in mentions],
        )

    def money_received(self, keys: Iterable[str]) -> dict[str, dict[str, int]]:
        """``kind:value → currency → minor units`` paid by stored reports to each account or wallet key."""
        wanted = [k.partition(":") for k in dict.fromkeys(keys)]
        found: dict[str, dict[str, int]] = {}
        with Session(self.engine) as session:
            for kind, _, value in wanted:
                query = (
                    select(PaymentRow.currency, func.sum(PaymentRow.amount_minor))
                    .join(
                        ReportIdentifierRow,
                        (ReportIdentifierRow.report_id == PaymentRow.report_id)
                        & (ReportIdentifierRow.source == "payment")
                        & (ReportIdentifierRow.ordinal == PaymentRow.payment_index),
                    )
                    .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
                    .where(IdentifierRow.kind == kind, IdentifierRow.value == value)
                    .group_by(PaymentRow.currency)
                )
                paid = {currency: int(total) for currency, total in session.execute(query)}
                if paid:
                    found[f"{kind}:{value}"] = paid
        return found

    def assignments(self) -> dict[str, str]:
        """``report id → campaign id`` as stored (the previous run, for stable ids)."""
        with Session(self.engine) as session:
            return dict(
                session.execute(select(CampaignReportRow.report_id, CampaignReportRow.campaign_id)).all()
            )

    def campaign_of(self, report_id: str) -> str | None:
        """The campaign a report is in, or None (one indexed lookup)."""
        with Session(self.engine) as session:
            return session.scalar(
                select(CampaignReportRow.campaign_id).where(CampaignReportRow.report_id == report_id)
            )

    def overrides(self) -> dict[str, str]:
        """The analyst's overrides: ``key → keep | suppress``."""
        with Session(self.engine) as session:
            return dict(session.execute(select(LinkOverrideRow.key, LinkOverrideRow.action)).all())

    def override_records(self, keys: Iterable[str] | None = None) -> dict[str, LinkOverride]:
        """The analyst's overrides with who made them, why and when (all, or those of ``keys``)."""
        with Session(self.engine) as session:
            if keys is None:
                found = list(session.scalars(select(LinkOverrideRow)))
            else:
                found = [
                    row
                    for chunk in _chunks(sorted(set(keys)))
                    for row in session.scalars(select(LinkOverrideRow).where(LinkOverrideRow.key.in_(chunk)))
                ]
            return {
                row.key: LinkOverride(row.key, row.action, row.actor, row.reason, row.created_at)
                for row in found
            }

    # --- writing ----------------------------------------------------------------------------------------

    def save_linking(
        self,
        assignments: Mapping[str, str],
        *,
        merges: Iterable[Cause] = (),
        splits: Iterable[Cause] = (),
        hubs: Iterable[HubRecord] = (),
        link_keys: Mapping[str, Sequence[str]] | None = None,
        actor: str = "link",
    ) -> SaveResult:
        """Store a bulk linking (``report id → campaign id`` for every report), all or nothing.

        ``merges`` are (survivor, absorbed, report, key) and ``splits`` (previous, new, report, key) to log with
        their cause. ``link_keys`` (report id → the keys that put it in its campaign; a report missing has none)
        replaces the stored provenance. A campaign that lost all its reports is kept as merged into the survivor
        of its merge, or dropped when none. Cost: O(reports + keys) rows compared, only changes written.
        """
        merges, splits, hubs = list(merges), list(splits), list(hubs)
        now = utcnow()
        founders = _founders(assignments)
        with Session(self._writer) as session, session.begin():
            _check_reports(session, list(assignments))
            before = dict(session.execute(select(MEMBERS.c.report_id, MEMBERS.c.campaign_id)).all())
            stored = {row.id: row for row in session.scalars(select(CampaignRow))}
            sizes: dict[str, int] = defaultdict(int)
            for campaign in assignments.values():
                sizes[campaign] += 1
            new = [c for c in sizes if c not in stored]
            if new:
                session.execute(
                    insert(CAMPAIGNS),
                    [_campaign_row(c, founders[c], sizes[c], now) for c in new],
                )
            for campaign, row in stored.items():
                if campaign in sizes and (row.n_reports != sizes[campaign] or row.merged_into is not None):
                    row.n_reports, row.updated_at, row.merged_into = sizes[campaign], now, None
            absorbed_into = {a: s for s, a, _, _ in merges}
            for campaign, row in stored.items():
                if campaign not in sizes:
                    row.n_reports, row.updated_at = 0, now
                    row.merged_into = absorbed_into.get(campaign, row.merged_into)
            moved = [rid for rid, c in assignments.items() if before.get(rid) != c]
            first_key = {rid: keys[0] for rid, keys in (link_keys or {}).items() if keys}
            _write_members(session, moved, assignments, before, first_key, now)
            if link_keys is not None:
                _write_link_keys(session, assignments, link_keys, set(moved) - set(before), now)
            session.flush()
            gone = [c for c, row in stored.items() if c not in sizes and row.merged_into is None]
            if gone:
                session.execute(delete(CAMPAIGNS).where(CAMPAIGNS.c.id.in_(gone)))
            log = [_merge_row("merge", s, a, rid, key, actor, now) for s, a, rid, key in merges]
            log += [
                _merge_row("split", new_id, old, rid, key, actor, now) for old, new_id, rid, key in splits
            ]
            if log:
                session.execute(insert(MERGES), log)
            for entry in log:
                logger.info(
                    "%s: %s → %s (report %s, key %s)", entry["kind"], entry["absorbed_id"], entry["survivor_id"],
                    entry["report_id"], entry["key"],
                )  # fmt: skip
            session.execute(delete(HUBS))
            if hubs:
                session.execute(insert(HUBS), [_hub_row(h, now) for h in hubs])
            append_event(
                session, actor, "campaigns.link", "campaigns", "bulk",
                {"campaigns": len(sizes), "moved": len(moved), "merges": len(merges), "splits": len(splits)},
            )  # fmt: skip
        logger.info("linking saved: %d campaigns, %d reports moved", len(sizes), len(moved))
        return SaveResult(len(sizes), len(moved), len(merges), len(splits))

    def record_link(
        self,
        report_id: str,
        campaign_id: str,
        *,
        linked_by: str | None = None,
        merges: Sequence[tuple[str, str, str | None]] = (),
        link_keys: Sequence[str] = (),
        partners: Sequence[tuple[str, str]] = (),
        actor: str = "link",
    ) -> None:
        """Store one incremental link: the report joins ``campaign_id``; each (survivor, absorbed, key) merge
        moves the absorbed campaign's reports to the survivor and is logged. ``link_keys`` are the keys that put
        the report there; ``partners`` (earlier report, key) the earlier reports whose key it is the first to
        share. One transaction."""
        now = utcnow()
        with Session(self._writer) as session, session.begin():
            _check_reports(session, [report_id])
            if session.get(CampaignRow, campaign_id) is None:
                session.execute(insert(CAMPAIGNS), [_campaign_row(campaign_id, report_id, 0, now)])
            for survivor, absorbed, key in merges:
                session.execute(
                    update(MEMBERS).where(MEMBERS.c.campaign_id == absorbed).values(campaign_id=survivor)
                )
                session.execute(
                    update(CAMPAIGNS).where(CAMPAIGNS.c.id == absorbed).values(
                        merged_into=survivor, n_reports=0, updated_at=now
                    )
                )  # fmt: skip
                session.execute(
                    insert(MERGES), [_merge_row("merge", survivor, absorbed, report_id, key, actor, now)]
                )
            session.execute(delete(MEMBERS).where(MEMBERS.c.report_id == report_id))
            session.execute(
                insert(MEMBERS),
                [{"report_id": report_id, "campaign_id": campaign_id, "home_campaign_id": campaign_id,
                  "linked_by": linked_by or (link_keys[0] if link_keys else None), "linked_at": now}],
            )  # fmt: skip
            session.execute(delete(LINK_KEYS).where(LINK_KEYS.c.report_id == report_id))
            pairs = [(report_id, key) for key in dict.fromkeys(link_keys)]
            pairs += [pair for pair in dict.fromkeys(partners) if pair[0] != report_id]
            _check_reports(session, list({rid for rid, _ in pairs}))
            for rid, key in pairs:
                session.execute(delete(LINK_KEYS).where(LINK_KEYS.c.report_id == rid, LINK_KEYS.c.key == key))
            if pairs:
                session.execute(
                    insert(LINK_KEYS),
                    [{"report_id": rid, "key": key, "linked_at": now} for rid, key in pairs],
                )
            _refresh_sizes(session, [campaign_id], now)

    def set_override(self, key: str, action: str, actor: str, reason: str = "") -> None:
        """Record an analyst's override of one key (``keep`` or ``suppress``); audited."""
        if action not in ("keep", "suppress"):
            raise CaseStoreError(f"override action must be keep or suppress, not {action!r}")
        with Session(self._writer) as session, session.begin():
            session.execute(delete(LinkOverrideRow).where(LinkOverrideRow.key == key))
            session.add(
                LinkOverrideRow(key=key, action=action, actor=actor, reason=reason, created_at=utcnow())
            )
            append_event(session, actor, f"link.{action}", "identifier", key, {"reason": reason})

    def clear_override(self, key: str, actor: str, reason: str = "") -> bool:
        """Withdraw the analyst's override of one key (the hub rules judge it again); audited when there was one.
        Returns whether there was one."""
        with Session(self._writer) as session, session.begin():
            standing = session.get(LinkOverrideRow, key)
            if standing is None:
                return False
            session.delete(standing)
            append_event(session, actor, "link.clear", "identifier", key, {"reason": reason})
        return True

    def undo_merge(self, merge_id: int, actor: str, bridging_keys: Iterable[str] = ()) -> list[str]:
        """Undo one merge: the absorbed campaign's reports (by the campaign they first joined, following older
        merges into it) go back to it; ``bridging_keys`` and the merge's key are suppressed so linking does not
        redo it, and no report lists them as why it is in its campaign any more. Returns the report ids moved
        back. Audited, one transaction."""
        now = utcnow()
        with Session(self._writer) as session, session.begin():
            merge = session.get(CampaignMergeRow, merge_id)
            if merge is None or merge.kind != "merge":
                raise CaseStoreError(f"no merge {merge_id} in the merge log")
            if merge.undone_at is not None:
                raise CaseStoreError(f"merge {merge_id} was already undone")
            family = _absorbed_family(session, merge.absorbed_id, merge.id)
            moved = list(
                session.scalars(
                    select(MEMBERS.c.report_id).where(
                        MEMBERS.c.campaign_id == merge.survivor_id, MEMBERS.c.home_campaign_id.in_(family)
                    )
                )
            )
            for chunk in _chunks(moved):
                session.execute(
                    update(MEMBERS)
                    .where(MEMBERS.c.report_id.in_(chunk))
                    .values(campaign_id=merge.absorbed_id)
                )
            session.execute(
                update(CAMPAIGNS).where(CAMPAIGNS.c.id == merge.absorbed_id).values(merged_into=None)
            )
            merge.undone_at = now
            for key in {*bridging_keys, *([merge.key] if merge.key else [])}:
                session.execute(delete(LINK_KEYS).where(LINK_KEYS.c.key == key))
                session.execute(delete(LinkOverrideRow).where(LinkOverrideRow.key == key))
                session.add(
                    LinkOverrideRow(key=key, action="suppress", actor=actor, reason=f"undo merge {merge_id}",
                                    created_at=now)
                )  # fmt: skip
            _refresh_sizes(session, [merge.survivor_id, merge.absorbed_id], now)
            append_event(
                session, actor, "campaign.unmerge", "campaign", merge.absorbed_id,
                {"merge": merge_id, "survivor": merge.survivor_id, "moved": len(moved)},
            )  # fmt: skip
        return moved

    def merge_sides(self, merge_id: int) -> tuple[list[str], list[str]]:
        """The reports an undo of ``merge_id`` would move back, and those that stay with the survivor."""
        with Session(self.engine) as session:
            merge = session.get(CampaignMergeRow, merge_id)
            if merge is None or merge.kind != "merge":
                raise CaseStoreError(f"no merge {merge_id} in the merge log")
            family = set(_absorbed_family(session, merge.absorbed_id, merge.id))
            members = session.execute(
                select(MEMBERS.c.report_id, MEMBERS.c.home_campaign_id).where(
                    MEMBERS.c.campaign_id == merge.survivor_id
                )
            ).all()
        moved = [rid for rid, home in members if home in family]
        return moved, [rid for rid, home in members if home not in family]

    def set_status(self, campaign_id: str, status: str, actor: str) -> None:
        """Move a campaign to ``open``, ``active_operation`` or ``closed``; audited."""
        with Session(self._writer) as session, session.begin():
            row = session.get(CampaignRow, campaign_id)
            if row is None:
                raise CaseStoreError(f"no campaign {campaign_id}")
            row.status, row.updated_at = status, utcnow()
            append_event(session, actor, "campaign.status", "campaign", campaign_id, {"status": status})

    # --- reading results --------------------------------------------------------------------------------

    def list_campaigns(self, *, min_reports: int = 2, limit: int = 50, offset: int = 0) -> list[CampaignInfo]:
        """Live campaigns with at least ``min_reports`` reports, largest first."""
        query = (
            select(CampaignRow)
            .where(CampaignRow.merged_into.is_(None), CampaignRow.n_reports >= min_reports)
            .order_by(CampaignRow.n_reports.desc(), CampaignRow.id)
            .limit(limit)
            .offset(offset)
        )
        with Session(self.engine) as session:
            return [_info(row) for row in session.scalars(query)]

    def campaigns_in_units(
        self, units: Iterable[str], *, min_reports: int = 2, limit: int = 50, offset: int = 0
    ) -> list[CampaignInfo]:
        """Live campaigns with at least ``min_reports`` reports taken by ``units`` (a unit's view 本辖区串并案),
        largest first, as :meth:`seen_by` shows them: counts and founder of that part only."""
        codes = sorted(units)
        members = (
            select(CampaignReportRow.campaign_id, func.count().label("n"))
            .join(ReportRow, ReportRow.id == CampaignReportRow.report_id)
            .where(ReportRow.reporter_unit.in_(codes))
            .group_by(CampaignReportRow.campaign_id)
            .subquery()
        )
        query = (
            select(CampaignRow, members.c.n)
            .join(members, members.c.campaign_id == CampaignRow.id)
            .where(CampaignRow.merged_into.is_(None), members.c.n >= min_reports)
            .order_by(members.c.n.desc(), CampaignRow.id)
            .limit(limit)
            .offset(offset)
        )
        with Session(self.engine) as session:
            found = session.execute(query).all()
            first = _oldest_members(session, [row.id for row, _ in found], codes)
        return [replace(_info(row), n_reports=n, founder_report_id=first[row.id]) for row, n in found]

    def seen_by(self, info: CampaignInfo, members: Sequence[str]) -> CampaignInfo:
        """``info`` as the units holding ``members`` (oldest first) may see it: their count, their oldest report
        as the founder; another unit's reports are neither counted nor named."""
        return replace(info, n_reports=len(members), founder_report_id=members[0] if members else "")

    def member_ids(self, campaign_id: str, units: Iterable[str]) -> list[str]:
        """The ids of a campaign's reports taken by ``units``, oldest first."""
        query = (
            select(ReportRow.id)
            .join(CampaignReportRow, CampaignReportRow.report_id == ReportRow.id)
            .where(CampaignReportRow.campaign_id == campaign_id, ReportRow.reporter_unit.in_(sorted(units)))
            .order_by(ReportRow.received_at, ReportRow.id)
        )
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def get_campaign(self, campaign_id: str) -> CampaignInfo:
        """One campaign; a merged one's id still resolves (``merged_into`` says where it went)."""
        with Session(self.engine) as session:
            row = session.get(CampaignRow, campaign_id)
            if row is None:
                raise LookupError(f"no campaign {campaign_id}")
            return _info(row)

    def campaign_reports(self, campaign_id: str, actor: str) -> list[Report]:
        """The reports of a campaign (personal data included), oldest first; audited under ``actor``."""
        with Session(self._writer) as session, session.begin():
            report_rows = session.scalars(
                select(ReportRow)
                .join(CampaignReportRow, CampaignReportRow.report_id == ReportRow.id)
                .where(CampaignReportRow.campaign_id == campaign_id)
                .order_by(ReportRow.received_at, ReportRow.id)
            ).all()
            ids = [row.id for row in report_rows]
            payments: dict[str, list[PaymentRow]] = defaultdict(list)
            for chunk in _chunks(ids):
                for payment in session.scalars(
                    select(PaymentRow)
                    .where(PaymentRow.report_id.in_(chunk))
                    .order_by(PaymentRow.payment_index)
                ):
                    payments[payment.report_id].append(payment)
            append_event(session, actor, "campaign.read", "campaign", campaign_id, {"reports": len(ids)})
            return [
                rows.report_from_row(row, [rows.payment_from_row(p) for p in payments[row.id]], [])
                for row in report_rows
            ]

    def report_keys(self, report_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """``report id → [(kind, value), …]`` of the identifiers each report names that are not the victim's."""
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with Session(self.engine) as session:
            for chunk in _chunks(list(report_ids)):
                query = (
                    select(ReportIdentifierRow.report_id, IdentifierRow.kind, IdentifierRow.value)
                    .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
                    .where(ReportIdentifierRow.report_id.in_(chunk), ReportIdentifierRow.role != "victim")
                    .distinct()
                )
                for rid, kind, value in session.execute(query):
                    found[rid].append((kind, value))
        return dict(found)

    def campaigns_mentioning(self, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
        """``(kind, value) → campaign ids`` of the reports mentioning each identifier (for weak links)."""
        wanted = list(dict.fromkeys(identifiers))
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        with Session(self.engine) as session:
            for kind, value in wanted:
                query = (
                    select(CampaignReportRow.campaign_id)
                    .join(ReportIdentifierRow, ReportIdentifierRow.report_id == CampaignReportRow.report_id)
                    .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
                    .where(*_named_by_others(kind, value))
                    .distinct()
                )
                found[kind, value].update(session.scalars(query))
        return dict(found)

    def merges(self, campaign_id: str | None = None) -> list[MergeRecord]:
        """The merge log, oldest first; only entries naming ``campaign_id`` when given."""
        query = select(CampaignMergeRow).order_by(CampaignMergeRow.id)
        if campaign_id is not None:
            query = query.where(
                (CampaignMergeRow.survivor_id == campaign_id) | (CampaignMergeRow.absorbed_id == campaign_id)
            )
        with Session(self.engine) as session:
            return [
                MergeRecord(m.id, m.kind, m.survivor_id, m.absorbed_id, m.report_id, m.key, m.actor,
                            m.merged_at, m.undone_at)
                for m in session.scalars(query)
            ]  # fmt: skip

    def link_keys(self, report_ids: Sequence[str]) -> dict[str, list[str]]:
        """``report id → keys that put it in its campaign`` (reports with none are left out)."""
        found: dict[str, list[str]] = defaultdict(list)
        with Session(self.engine) as session:
            for chunk in _chunks(list(report_ids)):
                query = (
                    select(LINK_KEYS.c.report_id, LINK_KEYS.c.key)
                    .where(LINK_KEYS.c.report_id.in_(chunk))
                    .order_by(LINK_KEYS.c.report_id, LINK_KEYS.c.key)
                )
                for rid, key in session.execute(query):
                    found[rid].append(key)
        return dict(found)

    def memberships(self, report_ids: Sequence[str]) -> list[Membership]:
        """Each report's campaign, first campaign and the keys that put it there, in the order given."""
        keys = self.link_keys(report_ids)
        rows_of: dict[str, tuple[str, str]] = {}
        with Session(self.engine) as session:
            for chunk in _chunks(list(report_ids)):
                query = select(MEMBERS.c.report_id, MEMBERS.c.campaign_id, MEMBERS.c.home_campaign_id).where(
                    MEMBERS.c.report_id.in_(chunk)
                )
                for rid, campaign, home in session.execute(query):
                    rows_of[rid] = (campaign, home)
        return [
            Membership(rid, rows_of[rid][0], rows_of[rid][1], tuple(keys.get(rid, ())))
            for rid in report_ids
            if rid in rows_of
        ]

    def reports_naming(self, keys: Iterable[str], units: Iterable[str]) -> dict[str, list[str]]:
        """``key → ids of the reports taken by units`` that name it with a linking role, oldest first."""
        unit_list = sorted(units)
        found: dict[str, list[str]] = {}
        with Session(self.engine) as session:
            for key in dict.fromkeys(keys):
                kind, _, value = key.partition(":")
                query = (
                    select(ReportRow.id)
                    .join(ReportIdentifierRow, ReportIdentifierRow.report_id == ReportRow.id)
                    .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
                    .where(*_named_by_others(kind, value), ReportRow.reporter_unit.in_(unit_list))
                    .group_by(ReportRow.id, ReportRow.received_at)
                    .order_by(ReportRow.received_at, ReportRow.id)
                )
                found[key] = list(session.scalars(query))
        return found

    def hubs(self) -> list[HubRecord]:
        """The hub and shared-mule decisions of the last bulk linking, highest degree first."""
        with Session(self.engine) as session:
            return [
                HubRecord(
                    h.key,
                    h.reason,
                    h.suppressed,
                    h.degree,
                    h.type_spread,
                    h.region_spread,
                    h.category,
                    dict(h.money or {}),
                )
                for h in session.scalars(
                    select(LinkHubRow).order_by(LinkHubRow.degree.desc(), LinkHubRow.key)
                )
            ]


def _named_by_others(kind: str, value: str) -> tuple[ColumnElement[bool], ...]:
    """A mention of ``kind:value`` that is not the victim's own (joined report_identifiers and identifiers)."""
    return (IdentifierRow.kind == kind, IdentifierRow.value == value, ReportIdentifierRow.role != "victim")


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _founders(assignments: Mapping[str, str]) -> dict[str, str]:
    """The first report listed for each campaign (callers list reports oldest first)."""
    founders: dict[str, str] = {}
    for report_id, campaign in assignments.items():
        founders.setdefault(campaign, report_id)
    return founders


def _check_reports(session: Session, report_ids: Sequence[str]) -> None:
    known = {
        rid
        for chunk in _chunks(report_ids)
        for rid in session.scalars(select(ReportRow.id).where(ReportRow.id.in_(chunk)))
    }
    missing = [rid for rid in report_ids if rid not in known]
    if missing:
        raise CaseStoreError(
            f"{len(missing)} report(s) not stored, nothing was written: {', '.join(missing[:20])}"
        )


def _campaign_row(campaign: str, founder: str, n_reports: int, now: datetime) -> dict[str, object]:
    return {
        "id": campaign,
        "founder_report_id": founder,
        "name": "",
        "status": "open",
        "n_reports": n_reports,
        "created_at": now,
        "updated_at": now,
        "merged_into": None,
    }


def _merge_row(
    kind: str, survivor: str, absorbed: str, report_id: str | None, key: str | None, actor: str, now: datetime
) -> dict[str, object]:
    return {
        "kind": kind,
        "survivor_id": survivor,
        "absorbed_id": absorbed,
        "report_id": report_id,
        "key": key,
        "actor": actor,
        "merged_at": now,
        "undone_at": None,
    }


def _hub_row(hub: HubRecord, now: datetime) -> dict[str, object]:
    return {
        "key": hub.key,
        "reason": hub.reason,
        "category": hub.category,
        "suppressed": hub.suppressed,
        "degree": hub.degree,
        "type_spread": hub.type_spread,
        "region_spread": hub.region_spread,
        "decided_at": now,
        "money": dict(hub.money) or None,
    }


def _write_members(
    session: Session,
    moved: Sequence[str],
    assignments: Mapping[str, str],
    before: Mapping[str, str],
    first_key: Mapping[str, str],
    now: datetime,
) -> None:
    changed = [rid for rid in moved if rid in before]
    for rid in changed:
        session.execute(
            update(MEMBERS)
            .where(MEMBERS.c.report_id == rid)
            .values(campaign_id=assignments[rid], linked_at=now, linked_by=first_key.get(rid))
        )
    fresh = [rid for rid in moved if rid not in before]
    if fresh:
        session.execute(
            insert(MEMBERS),
            [
                {"report_id": rid, "campaign_id": assignments[rid], "home_campaign_id": assignments[rid],
                 "linked_by": first_key.get(rid), "linked_at": now}
                for rid in fresh
            ],
        )  # fmt: skip


def _write_link_keys(
    session: Session,
    assignments: Mapping[str, str],
    link_keys: Mapping[str, Sequence[str]],
    fresh: set[str],
    now: datetime,
) -> None:
    """Make the stored provenance equal ``link_keys``: rewrite the reports whose keys changed."""
    stored: dict[str, set[str]] = defaultdict(set)
    for rid, key in session.execute(select(LINK_KEYS.c.report_id, LINK_KEYS.c.key)):
        stored[rid].add(key)
    changed = [rid for rid in assignments if set(link_keys.get(rid, ())) != stored.get(rid, set())] + [
        rid for rid in stored if rid not in assignments
    ]
    for chunk in _chunks(changed):
        session.execute(delete(LINK_KEYS).where(LINK_KEYS.c.report_id.in_(chunk)))
    rows = [
        {"report_id": rid, "key": key, "linked_at": now}
        for rid in changed
        if rid in assignments
        for key in dict.fromkeys(link_keys.get(rid, ()))
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(LINK_KEYS), rows[start : start + CHUNK])
    kept = [rid for rid in changed if rid in assignments and rid not in fresh]
    for rid in kept:
        keys = link_keys.get(rid, ())
        session.execute(
            update(MEMBERS).where(MEMBERS.c.report_id == rid).values(linked_by=keys[0] if keys else None)
        )


def _linking_mentions(session: Session, include_unknown: bool) -> list[tuple[str, str, str]]:
    """Distinct (report, kind, value) of linking roles, without identifiers a report marks as the victim's."""
    roles = ["counterparty", "unknown"] if include_unknown else ["counterparty"]
    rows = session.execute(
        select(
            ReportIdentifierRow.report_id, IdentifierRow.kind, IdentifierRow.value, ReportIdentifierRow.role
        )
        .join(IdentifierRow, IdentifierRow.id == ReportIdentifierRow.identifier_id)
        .distinct()
    ).all()
    own = {(rid, kind, value) for rid, kind, value, role in rows if role == "victim"}
    found = {(rid, kind, value) for rid, kind, value, role in rows if role in roles}
    return list(found - own)


def _refresh_sizes(session: Session, campaign_ids: Sequence[str], now: datetime) -> None:
    for campaign in campaign_ids:
        size = session.scalar(
            select(func.count()).select_from(MEMBERS).where(MEMBERS.c.campaign_id == campaign)
        )
        session.execute(
            update(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign).values(n_reports=size, updated_at=now)
        )


def _absorbed_family(session: Session, absorbed: str, before_merge: int) -> list[str]:
    """``absorbed`` and every campaign merged into it (recursively) by merges older than ``before_merge``."""
    family, frontier = [absorbed], [absorbed]
    while frontier:
        children = list(
            session.scalars(
                select(CampaignMergeRow.absorbed_id).where(
                    CampaignMergeRow.kind == "merge",
                    CampaignMergeRow.survivor_id.in_(frontier),
                    CampaignMergeRow.id < before_merge,
                    CampaignMergeRow.undone_at.is_(None),
                )
            )
        )
        frontier = [c for c in children if c not in family]
        family += frontier
    return family


def _oldest_members(session: Session, campaign_ids: Sequence[str], units: Sequence[str]) -> dict[str, str]:
    """Per campaign, the oldest of its reports taken by ``units``."""
    query = (
        select(CampaignReportRow.campaign_id, ReportRow.id)
        .join(ReportRow, ReportRow.id == CampaignReportRow.report_id)
        .where(CampaignReportRow.campaign_id.in_(list(campaign_ids)), ReportRow.reporter_unit.in_(units))
        .order_by(ReportRow.received_at.desc(), ReportRow.id.desc())
    )  # newest first: the oldest of each campaign is the one the dict keeps
    return dict(session.execute(query).all())


def _info(row: CampaignRow) -> CampaignInfo:
    return CampaignInfo(
        row.id, row.founder_report_id, row.name, row.status, row.n_reports, row.created_at, row.updated_at,
        row.merged_into,
    )  # fmt: skip
