"""``fanzha link``, ``fanzha campaigns`` and ``fanzha eval link``: case linking and campaigns (串并案 / 集群战役)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fanzha.cli.app import app, console, err_console, eval_app, scenario_folder
from fanzha.config import get_settings
from fanzha.link import (
    MONEY_KINDS,
    HubPolicy,
    IncrementalLinker,
    Linkage,
    bcubed,
    link_mentions,
    link_reports,
    linking_keys,
    reconcile_explained,
)
from fanzha.link.campaigns import MAX_RELATED_FANOUT
from fanzha.link.hubs import SHARED_MULE, kind_of_key
from fanzha.link.keys import DOMAINS_STRONG, KIND_STRENGTH, LinkStrength, link_strength
from fanzha.link.mentions import FoundValue, extracted_identifiers, keys_from_columns
from fanzha.link.summary import CampaignSummary, summarize
from fanzha.model import Report, mask_value
from fanzha.store.cases import CaseStoreError, upgrade
from fanzha.store.cases.campaigns import CampaignStore, HubRecord, Membership

QUALITY_TARGET = 0.95
SHIPPED_RUN = "shipped list + adaptive rules (form, payees, text)"
ADAPTIVE_RUN = "adaptive rules alone, no list"


def _money(totals: dict[str, int] | object) -> str:
    if not isinstance(totals, dict) or not totals:
        return "—"
    return ", ".join(f"{amount / 100:,.2f} {currency}" for currency, amount in sorted(totals.items()))


def _masked(key: str) -> str:
    kind, _, value = key.partition(":")
    return f"{kind}:{mask_value(kind, value)}"


def _hub_table(linkage_hubs: list[HubRecord], limit: int) -> Table:
    table = Table(title="hub identifiers kept out of linking (公共要素)")
    for column in ("key", "reason", "suppressed", "reports", "fraud-type spread", "region spread"):
        table.add_column(column, justify="right" if column not in ("key", "reason") else "left")
    for hub in [h for h in linkage_hubs if h.reason != SHARED_MULE][:limit]:
        reason = f"{hub.reason} ({hub.category})" if hub.category else hub.reason
        table.add_row(
            hub.key, reason, "yes" if hub.suppressed else "no", f"{hub.degree:,}",
            f"{hub.type_spread:.2f}", f"{hub.region_spread:.2f}",
        )  # fmt: skip
    return table


def _shared_mule_table(linkage_hubs: list[HubRecord], limit: int) -> Table:
    table = Table(
        title="shared-mule candidates (共用卡): accounts and wallets paid across fraud types, kept as links"
    )
    for column in ("account", "reports", "fraud-type spread", "region spread", "money received", "linking"):
        table.add_column(column, justify="left" if column in ("account", "linking") else "right")
    for hub in [h for h in linkage_hubs if h.reason == SHARED_MULE][:limit]:
        table.add_row(
            _masked(hub.key), f"{hub.degree:,}", f"{hub.type_spread:.2f}", f"{hub.region_spread:.2f}",
            _money(dict(hub.money)), "suppressed by analyst" if hub.suppressed else "kept",
        )  # fmt: skip
    return table


def _hub_records(linkage: Linkage, money: dict[str, dict[str, int]]) -> list[HubRecord]:
    return [
        HubRecord(
            d.key,
            d.reason,
            d.suppressed,
            d.degree,
            d.type_spread,
            d.region_spread,
            d.category,
            money.get(d.key, dict(d.money)),
        )
        for d in linkage.hubs.decisions
    ]


def _policy(store: CampaignStore) -> HubPolicy:
    overrides = store.overrides()
    return HubPolicy(
        keep={k for k, a in overrides.items() if a == "keep"},
        suppress={k for k, a in overrides.items() if a == "suppress"},
    )


@app.command()
def link(
    keep: Annotated[
        list[str], typer.Option(help="kind:value that must link even if a hub (repeatable)")
    ] = [],  # noqa: B006
    suppress: Annotated[list[str], typer.Option(help="kind:value that must never link (repeatable)")] = [],  # noqa: B006
    actor: Annotated[str, typer.Option(help="who runs the linking, for the audit log")] = "cli",
    show_hubs: Annotated[int, typer.Option(help="hub decisions to list")] = 15,
    new_only: Annotated[
        bool, typer.Option("--new-only", help="link only reports not linked yet, one by one (实时串并)")
    ] = False,
) -> None:
    """Link every stored report into campaigns (串并案); campaign ids stay stable across runs."""
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CampaignStore(settings.case_store_url) as store:
        for key in keep:
            store.set_override(key, "keep", actor, "fanzha link --keep")
        for key in suppress:
            store.set_override(key, "suppress", actor, "fanzha link --suppress")
        if new_only:
            _link_new(store, actor)
            return
        started = time.perf_counter()
        data = store.link_input(include_unknown=settings.link_unknown_roles)
        report, keys = keys_from_columns(data.mention_report, data.mention_kind, data.mention_value)
        linkage = link_mentions(
            len(data.report_ids), report, keys, report_ids=data.report_ids,
            fraud_type=data.fraud_types, region=data.regions, policy=_policy(store),
        )  # fmt: skip
        explained = reconcile_explained(linkage, store.assignments())
        accounts = [d.key for d in linkage.hubs.decisions if kind_of_key(d.key) in MONEY_KINDS]
        hubs = _hub_records(linkage, store.money_received(accounts))
        try:
            saved = store.save_linking(
                dict(zip(linkage.report_ids, explained.names, strict=True)),
                merges=[(m.survivor, m.absorbed, m.report_id, m.key) for m in explained.merges],
                splits=[(s.previous, s.campaign, s.report_id, s.key) for s in explained.splits],
                hubs=hubs,
                link_keys=linking_keys(linkage).by_report(),
                actor=actor,
            )
        except CaseStoreError as error:
            err_console.print(f"[red]linking not saved:[/red] {error}")
            raise typer.Exit(1) from error
        elapsed = time.perf_counter() - started
    sizes = linkage.with_names(explained.names).members()
    table = Table(title=f"linking of {len(data.report_ids):,} reports in {elapsed:.2f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in (
        ("identifier mentions", len(keys)),
        ("campaigns with 2+ reports", sum(len(m) >= 2 for m in sizes.values())),
        ("reports in them", sum(len(m) for m in sizes.values() if len(m) >= 2)),
        ("largest campaign", max((len(m) for m in sizes.values()), default=0)),
        ("reports moved since last run", saved.reports_moved),
        ("merges logged", saved.merges),
        ("splits logged", saved.splits),
        ("hubs suppressed", sum(h.suppressed for h in hubs)),
        ("shared-mule candidates (kept as links)", sum(h.reason == SHARED_MULE for h in hubs)),
        ("possibly related campaign pairs (weak links)", len(linkage.related)),
    ):
        table.add_row(name, f"{value:,}")
    console.print(table)
    if hubs and show_hubs:
        console.print(_hub_table(hubs, show_hubs))
        if any(h.reason == SHARED_MULE for h in hubs):
            console.print(_shared_mule_table(hubs, show_hubs))


def _link_new(store: CampaignStore, actor: str) -> None:
    """Incremental linking of the reports no campaign holds yet, seeded with the stored campaigns."""
    data = store.link_input(include_unknown=get_settings().link_unknown_roles)
    assigned = store.assignments()
    report, keys = keys_from_columns(data.mention_report, data.mention_kind, data.mention_value)
    keys_of: list[list[str]] = [[] for _ in data.report_ids]
    for index, key in zip(report, keys.to_pylist(), strict=True):
        keys_of[index].append(key)
    policy = _policy(store)
    old = [i for i, rid in enumerate(data.report_ids) if rid in assigned]
    linker = IncrementalLinker.from_assignments(
        [data.report_ids[i] for i in old], [keys_of[i] for i in old],
        [assigned[data.report_ids[i]] for i in old], policy, {h.key for h in store.hubs() if h.suppressed},
    )  # fmt: skip
    latencies: list[float] = []
    merges = 0
    for index, report_id in enumerate(data.report_ids):
        if report_id in assigned:
            continue
        started = time.perf_counter()
        event = linker.add(report_id, keys_of[index])
        latencies.append((time.perf_counter() - started) * 1e6)
        merges += len(event.merges)
        store.record_link(
            report_id, event.campaign_id, linked_by=event.linked_by,
            merges=[(m.survivor, m.absorbed, m.key) for m in event.merges],
            link_keys=event.linked_by_keys, partners=event.partners, actor=actor,
        )  # fmt: skip
    latencies.sort()
    if not latencies:
        console.print("every stored report is already linked")
        return
    p50, p99 = latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    console.print(
        f"{len(latencies):,} new report(s) linked, {merges:,} merge(s); engine latency p50 {p50:.0f} µs, "
        f"p99 {p99:.0f} µs"
    )


@app.command()
def campaigns(
    campaign_id: Annotated[
        str | None, typer.Argument(help="show this campaign with its key identifiers")
    ] = None,
    limit: Annotated[int, typer.Option(help="campaigns to list")] = 30,
    min_reports: Annotated[int, typer.Option(help="smallest campaign listed")] = 2,
    hubs: Annotated[bool, typer.Option("--hubs", help="list the hub decisions of the last linking")] = False,
    undo_merge: Annotated[int | None, typer.Option(help="undo this merge of the campaign's log")] = None,
    actor: Annotated[str, typer.Option(help="who reads, for the audit log")] = "cli",
) -> None:
    """List campaigns, or show one with its loss, regions and ranked key identifiers (集群战役)."""
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CampaignStore(settings.case_store_url) as store:
        if hubs:
            decisions = store.hubs()
            console.print(_hub_table(decisions, limit))
            console.print(_shared_mule_table(decisions, limit))
            return
        if campaign_id is None:
            _print_list(store, limit, min_reports)
            return
        try:
            info = store.get_campaign(campaign_id)
        except LookupError as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
        if undo_merge is not None:
            _undo(store, campaign_id, undo_merge, actor)
            return
        if info.merged_into:
            console.print(f"{campaign_id} was merged into {info.merged_into}")
            campaign_id = info.merged_into
        reports = store.campaign_reports(campaign_id, actor)
        summary = _summary(store, campaign_id, reports)
        _print_summary(summary, info.status, _related(store, campaign_id, [r.id for r in reports]))
        console.print(_why_table(store.memberships([r.id for r in reports])))
        log = store.merges(campaign_id)
        if log:
            table = Table(title="merge log")
            for column in ("id", "kind", "survivor", "absorbed", "report", "key", "when", "undone"):
                table.add_column(column)
            for m in log:
                table.add_row(
                    str(m.id), m.kind, m.survivor, m.absorbed, m.report_id or "", m.key or "",
                    m.merged_at.isoformat(timespec="seconds"), m.undone_at.isoformat() if m.undone_at else "",
                )  # fmt: skip
            console.print(table)


def _why_table(memberships: list[Membership]) -> Table:
    """Why is each report here (串并依据): the keys it shares with other reports of the campaign."""
    table = Table(
        title="why each report is here (串并依据): the identifiers it shares with others of the campaign"
    )
    for column in ("report", "linked by", "first joined"):
        table.add_column(column)
    for member in memberships:
        keys = ", ".join(_masked(k) for k in member.linked_by) or "— (linked before provenance was kept)"
        home = member.home_campaign_id if member.home_campaign_id != member.campaign_id else ""
        table.add_row(member.report_id, keys, home)
    return table


def _undo(store: CampaignStore, campaign_id: str, merge_id: int, actor: str) -> None:
    merge = next((m for m in store.merges(campaign_id) if m.id == merge_id), None)
    if merge is None:
        err_console.print(f"[red]merge {merge_id} does not involve {campaign_id}[/red]")
        raise typer.Exit(1)
    try:
        going, staying = store.merge_sides(merge_id)
        keys = _keys(store, going + staying)
        bridges = {k for r in going for k in keys[r]} & {k for r in staying for k in keys[r]}
        moved = store.undo_merge(merge_id, actor, bridging_keys=bridges)
    except CaseStoreError as error:
        err_console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"{len(moved)} report(s) moved back to {merge.absorbed}; suppressed: {', '.join(sorted(bridges)) or '—'}"
    )


def _keys(store: CampaignStore, report_ids: list[str]) -> dict[str, list[str]]:
    stored = store.report_keys(report_ids)
    rows = [(rid, kind, value) for rid, pairs in stored.items() for kind, value in pairs]
    ids = list(stored)
    position = {rid: i for i, rid in enumerate(ids)}
    report, keys = keys_from_columns(
        [position[r] for r, _, _ in rows], [k for _, k, _ in rows], [v for _, _, v in rows]
    )
    found: dict[str, list[str]] = {rid: [] for rid in report_ids}
    for index, key in zip(report, keys.to_pylist(), strict=True):
        found[ids[index]].append(key)
    return found


def _summary(store: CampaignStore, campaign_id: str, reports: list[Report]) -> CampaignSummary:
    hubs = {h.key for h in store.hubs() if h.suppressed}
    return summarize(campaign_id, reports, _keys(store, [r.id for r in reports]), hubs)


def _related(store: CampaignStore, campaign_id: str, report_ids: list[str]) -> dict[str, list[str]]:
    """Other campaigns sharing a weak identifier (app, IP, ID number) with this one: possibly related (疑似关联)."""
    weak = {
        (kind, value)
        for pairs in store.report_keys(report_ids).values()
        for kind, value in pairs
        if link_strength(kind) == LinkStrength.WEAK
    }
    hubs = {h.key for h in store.hubs() if h.suppressed}
    related: dict[str, list[str]] = {}
    for (kind, value), others in store.campaigns_mentioning(sorted(weak)).items():
        if f"{kind}:{value}" in hubs or len(others) > MAX_RELATED_FANOUT:
            continue
        for other in sorted(others - {campaign_id}):
            related.setdefault(other, []).append(f"{kind}:{value}")
    return related


def _print_list(store: CampaignStore, limit: int, min_reports: int) -> None:
    table = Table(title="campaigns (集群战役), largest first")
    for column in ("campaign", "reports", "status", "founded by", "updated"):
        table.add_column(column, justify="right" if column == "reports" else "left")
    for info in store.list_campaigns(min_reports=min_reports, limit=limit):
        table.add_row(
            info.id, f"{info.n_reports:,}", info.status, info.founder_report_id,
            info.updated_at.isoformat(timespec="seconds"),
        )  # fmt: skip
    console.print(table)


def _print_summary(summary: CampaignSummary, status: str, related: dict[str, list[str]]) -> None:
    table = Table(title=f"campaign {summary.id}", show_header=False)
    table.add_column("what")
    table.add_column("value")
    rows = [
        ("status", status),
        ("reports (cases / tips)", f"{summary.n_reports:,} ({summary.n_cases:,} / {summary.n_tips:,})"),
        ("victims", f"{summary.n_victims:,}"),
        ("loss", _money(dict(summary.loss))),
        ("fraud type", summary.fraud_type or "—"),
        (
            "time span",
            f"{summary.first_report_at:%Y-%m-%d %H:%M} → {summary.last_report_at:%Y-%m-%d %H:%M} UTC",
        ),
        ("regions (province: reports)", ", ".join(f"{r}: {n}" for r, n in list(summary.regions.items())[:8])),
        ("hubs its reports mention", ", ".join(summary.hubs_mentioned) or "—"),
        (
            "possibly related (weak links)",
            "; ".join(f"{c} via {', '.join(k)}" for c, k in list(related.items())[:8]) or "—",
        ),
    ]
    rows += [(f"loss, {t}", _money(dict(v))) for t, v in sorted(summary.loss_by_type.items())]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    ranked = Table(title="key identifiers, cut first from the top (关键要素)")
    for column in ("#", "identifier", "reports", "money received", "betweenness", "score"):
        ranked.add_column(column, justify="left" if column == "identifier" else "right")
    for rank, key in enumerate(summary.key_identifiers, 1):
        ranked.add_row(
            str(rank), key.masked, f"{key.reports:,}", _money(dict(key.money_received)),
            f"{key.betweenness:.3f}", f"{key.score:.3f}",
        )  # fmt: skip
    console.print(ranked)


@eval_app.command("link")
def eval_link(
    scenario: Annotated[
        Path | None, typer.Option(help="a scenario folder; by default one is generated")
    ] = None,
    scale: Annotated[str, typer.Option(help="scale of the generated scenario")] = "small",
    seed: Annotated[int, typer.Option(help="seed of the generated scenario")] = 7,
) -> None:
    """B-cubed precision and recall of linking against the simulator's ground truth (串并案质量评估)."""
    import pyarrow.parquet as pq

    with scenario_folder(scenario, scale, seed) as folder:
        lines = (folder / "reports.jsonl").read_text("utf-8").splitlines()
        reports = [Report.model_validate_json(line) for line in lines]
        rows = pq.read_table(folder / "truth" / "report_campaign.parquet").to_pylist()
    truth = {row["report_id"]: row["campaign_id"] for row in rows}
    table = Table(title=f"linking quality on {len(reports):,} reports (B-cubed, target ≥ {QUALITY_TARGET})")
    for column in ("configuration", "precision", "recall", "F1", "campaigns 2+", "time"):
        table.add_column(column, justify="left" if column == "configuration" else "right")
    runs = [
        (SHIPPED_RUN, HubPolicy(), True, KIND_STRENGTH),
        (ADAPTIVE_RUN, HubPolicy(allow_list={}), True, KIND_STRENGTH),
        ("no hub rules", HubPolicy(allow_list={}, adaptive=False), True, KIND_STRENGTH),
        ("shipped list + adaptive rules, form + payees only", HubPolicy(), False, KIND_STRENGTH),
        ("shipped list + adaptive rules, domains as strong links", HubPolicy(), True, DOMAINS_STRONG),
    ]
    started = time.perf_counter()
    found, failures = _extract_all(reports)
    extraction = time.perf_counter() - started
    failed = False
    for name, policy, with_text, strengths in runs:
        started = time.perf_counter()
        linkage = link_reports(
            reports, policy=policy, from_text=found if with_text else {}, strengths=strengths
        )
        elapsed = time.perf_counter() - started + (extraction if with_text else 0.0)
        score = bcubed(linkage.campaign_of(), truth)
        if name in (SHIPPED_RUN, ADAPTIVE_RUN):
            failed |= min(score.precision, score.recall) < QUALITY_TARGET
        table.add_row(
            name, f"{score.precision:.4f}", f"{score.recall:.4f}", f"{score.f1:.4f}",
            f"{sum(len(m) >= 2 for m in linkage.members().values()):,}", f"{elapsed:.2f} s",
        )  # fmt: skip
    console.print(table)
    if failures:
        err_console.print(
            f"[yellow]the text room failed on {len(failures):,} narrative(s), linked by form and payees only: "
            f"{', '.join(failures[:5])}[/yellow]"
        )
    if failed:
        err_console.print(f"[red]below the {QUALITY_TARGET} target[/red]")
        raise typer.Exit(1)


def _extract_all(reports: list[Report]) -> tuple[dict[str, list[FoundValue]], list[str]]:
    """Text identifiers of every report; a narrative the extractor fails on is named, not fatal."""
    found: dict[str, list[FoundValue]] = {}
    failures: list[str] = []
    for report in reports:
        try:
            found[report.id] = extracted_identifiers(report)
        except (ValueError, OverflowError):
            failures.append(report.id)
    return found, failures
