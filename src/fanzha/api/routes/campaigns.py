"""``/campaigns``: reports linked into campaigns (串并案 / 集群战役), seen from one's own units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from fanzha.api.deps import CaseWorker, Offset, StoreDep, cached_on_app, requires, visible_units
from fanzha.model import IdentifierKind, mask_value
from fanzha.ops import Actor, Role
from fanzha.store.cases import CaseStore
from fanzha.store.cases.campaigns import CampaignInfo, CampaignStore, LinkOverride

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
PERSONAL_KINDS = frozenset({IdentifierKind.ID_NUMBER.value})
SHARED_MULE = "shared_mule"
MAX_LISTED_REPORTS = 100


class WhyHere(BaseModel):
    """Why a report is in the campaign (串并依据): the identifiers it shares with other reports of it."""

    report_id: str
    linked_by: list[str] = Field(
        description="linking keys (kind:value) shared with other reports; empty alone"
    )
    first_joined: str = Field(description="the campaign the report first joined (differs after a merge)")


class CampaignView(BaseModel):
    """A campaign and the part of it the caller's units took, with why each of those reports is in it."""

    campaign: CampaignInfo
    reports_in_your_units: list[str] = Field(description="ids of the campaign's reports your units took")
    why: list[WhyHere] = Field(default_factory=list, description="per report of your units, what linked it")


class OverrideOut(BaseModel):
    """An analyst's standing decision on a key, applied by the next linking (``fanzha link``)."""

    action: Literal["keep", "suppress"] = Field(description="keep: always links; suppress: never links")
    actor: str
    reason: str
    at: datetime


class HubView(BaseModel):
    """A hub or shared-mule decision of the last linking, with its evidence and your units' reports naming it."""

    key: str
    reason: str = Field(description="shared_mule, allow_list, adaptive, bridge, analyst, kept_by_analyst, …")
    category: str | None
    suppressed: bool = Field(description="kept out of linking; a shared-mule candidate only by an analyst")
    reports: int = Field(description="distinct reports naming it, in every unit")
    type_spread: float = Field(description="effective number of fraud types among its reports")
    region_spread: float = Field(description="effective number of provinces among its reports")
    money: dict[str, int] = Field(description="paid to it by its reports: currency → minor units")
    reports_in_your_units: list[str] = Field(
        description=f"your units' reports naming it (first {MAX_LISTED_REPORTS})"
    )
    n_reports_in_your_units: int
    override: OverrideOut | None = Field(
        default=None, description="an analyst's keep or suppress, applied by the next linking"
    )


class HubOverrideIn(BaseModel):
    """Keep a key linking (a hub that is a scam's own number), suppress it (an innocent hub or a bona fide
    account), or withdraw the override so the hub rules judge it again."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=3, max_length=600, examples=["phone:+8675512345678"])
    action: Literal["keep", "suppress", "clear"]
    reason: str = Field(default="", max_length=500, description="why, for the audit log and the next analyst")


class HubOverrideOut(BaseModel):
    """The key's override after the change (``None`` once withdrawn)."""

    key: str
    override: OverrideOut | None


class GraphNode(BaseModel):
    """A report (``report:<id>``) or an identifier (``<kind>:<value>``) of the campaign."""

    id: str
    kind: str = Field(description="report, or the identifier's kind")
    label: str


class GraphEdge(BaseModel):
    """A report names an identifier."""

    source: str
    target: str


class CampaignGraph(BaseModel):
    """The report–identifier graph of the caller's part of a campaign; shared identifiers are what linked it."""

    campaign_id: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _shown(key: str) -> str:
    kind, _, value = key.partition(":")
    return f"{kind}:{mask_value(kind, value)}" if kind in PERSONAL_KINDS else key


def campaign_store(request: Request, store: StoreDep) -> CampaignStore:
    """The campaign repository over the app's case store, opened once per process."""
    url = store.engine.url.render_as_string(hide_password=False)
    return cached_on_app(request, "campaign_store", lambda: CampaignStore(url))


Campaigns = Annotated[CampaignStore, Depends(campaign_store)]
Linker = Annotated[Actor, Depends(requires(Role.ANALYST, Role.SUPERVISOR))]
"""Who may change what links: analysts and supervisors (an override counts for every unit's campaigns)."""


def _override_out(found: LinkOverride | None) -> OverrideOut | None:
    if found is None:
        return None
    return OverrideOut(action=found.action, actor=found.actor, reason=found.reason, at=found.at)


def _members(
    campaigns: CampaignStore, store: CaseStore, actor: Actor, campaign_id: str
) -> tuple[CampaignInfo, list[str]]:
    try:
        info = campaigns.get_campaign(campaign_id)
    except LookupError as error:
        raise HTTPException(404, f"no campaign {campaign_id} in your units") from error
    members = campaigns.member_ids(info.merged_into or info.id, visible_units(store, actor))
    if not members:
        raise HTTPException(404, f"no campaign {campaign_id} in your units")
    return campaigns.seen_by(info, members), members


@router.get("", response_model=list[CampaignInfo])
def list_campaigns(
    store: StoreDep,
    campaigns: Campaigns,
    actor: CaseWorker,
    min_reports: Annotated[int, Query(ge=1, le=1_000_000)] = 2,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[CampaignInfo]:
    """Campaigns with at least ``min_reports`` reports taken by your units, largest first; ``n_reports`` and
    ``founder_report_id`` count and name only those reports (another unit's are neither counted nor named)."""
    units = visible_units(store, actor)
    return campaigns.campaigns_in_units(units, min_reports=min_reports, limit=limit, offset=offset)


@router.get("/hubs", response_model=list[HubView])
def list_hubs(
    store: StoreDep,
    campaigns: Campaigns,
    actor: CaseWorker,
    kind: Annotated[
        Literal["shared_mule", "hub", "all"], Query(description="shared-mule candidates, hubs, or both")
    ] = "shared_mule",
    campaign_id: Annotated[
        str | None, Query(max_length=64, description="only keys your units' reports of this campaign name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[HubView]:
    """Shared-mule candidates (共用卡: accounts and wallets paid across fraud types, kept as links) or hubs kept
    out of linking, that reports of your units name, highest degree first, with their evidence and any analyst's
    override."""
    units = visible_units(store, actor)
    named: set[str] | None = None
    if campaign_id is not None:
        _, members = _members(campaigns, store, actor, campaign_id)
        named = {f"{k}:{v}" for keys in campaigns.report_keys(members).values() for k, v in keys}
    chosen = [
        hub
        for hub in campaigns.hubs()
        if (kind == "all" or (hub.reason == SHARED_MULE) == (kind == SHARED_MULE))
        and (named is None or hub.key in named)
    ]
    overrides = campaigns.override_records([hub.key for hub in chosen])
    found: list[HubView] = []
    for hub in chosen:
        if len(found) >= limit:
            break
        mine = campaigns.reports_naming([hub.key], units)[hub.key]
        if not mine:
            continue
        found.append(
            HubView(
                key=_shown(hub.key), reason=hub.reason, category=hub.category, suppressed=hub.suppressed,
                reports=hub.degree, type_spread=hub.type_spread, region_spread=hub.region_spread,
                money=dict(hub.money), reports_in_your_units=mine[:MAX_LISTED_REPORTS],
                n_reports_in_your_units=len(mine), override=_override_out(overrides.get(hub.key)),
            )
        )  # fmt: skip
    return found


@router.post(
    "/hubs/override",
    response_model=HubOverrideOut,
    responses={404: {"description": "no report of your units names the key"}},
)
def override_hub(body: HubOverrideIn, store: StoreDep, campaigns: Campaigns, actor: Linker) -> HubOverrideOut:
    """Keep or suppress a linking key, or withdraw that override (audited). It counts from the next linking
    (``fanzha link``), for every unit; only a key your units' reports name can be overridden."""
    if not campaigns.reports_naming([body.key], visible_units(store, actor))[body.key]:
        raise HTTPException(404, f"no report of your units names {body.key} (field key)")
    if body.action == "clear":
        campaigns.clear_override(body.key, actor.user_id, body.reason)
    else:
        campaigns.set_override(body.key, body.action, actor.user_id, body.reason)
    return HubOverrideOut(
        key=body.key, override=_override_out(campaigns.override_records([body.key]).get(body.key))
    )


@router.get("/{campaign_id}", response_model=CampaignView)
def get_campaign(campaign_id: str, store: StoreDep, campaigns: Campaigns, actor: CaseWorker) -> CampaignView:
    """One campaign (a merged one's id resolves), the reports of it your units took and why each is in it."""
    info, members = _members(campaigns, store, actor, campaign_id)
    why = [
        WhyHere(report_id=m.report_id, linked_by=list(m.linked_by), first_joined=m.home_campaign_id)
        for m in campaigns.memberships(members)
    ]
    return CampaignView(campaign=info, reports_in_your_units=members, why=why)


@router.get("/{campaign_id}/graph", response_model=CampaignGraph)
def campaign_graph(
    campaign_id: str, store: StoreDep, campaigns: Campaigns, actor: CaseWorker
) -> CampaignGraph:
    """Reports and the identifiers they name, for your units' part of the campaign; ID numbers masked."""
    info, members = _members(campaigns, store, actor, campaign_id)
    nodes = {f"report:{rid}": GraphNode(id=f"report:{rid}", kind="report", label=rid) for rid in members}
    edges: list[GraphEdge] = []
    for report_id, keys in campaigns.report_keys(members).items():
        for kind, value in keys:
            shown = mask_value(kind, value) if kind in PERSONAL_KINDS else value
            node_id = f"{kind}:{shown}"
            nodes.setdefault(node_id, GraphNode(id=node_id, kind=kind, label=shown))
            edges.append(GraphEdge(source=f"report:{report_id}", target=node_id))
    return CampaignGraph(campaign_id=info.merged_into or info.id, nodes=list(nodes.values()), edges=edges)
