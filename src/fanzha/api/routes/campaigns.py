"""``/campaigns``: reports linked into campaigns (串并案 / 集群战役), seen from one's own units."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from fanzha.api.deps import CaseWorker, Offset, StoreDep, cached_on_app, visible_units
from fanzha.model import IdentifierKind, mask_value
from fanzha.ops import Actor
from fanzha.store.cases import CaseStore
from fanzha.store.cases.campaigns import CampaignInfo, CampaignStore

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
    return info, members


@router.get("", response_model=list[CampaignInfo])
def list_campaigns(
    store: StoreDep,
    campaigns: Campaigns,
    actor: CaseWorker,
    min_reports: Annotated[int, Query(ge=1, le=1_000_000)] = 2,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[CampaignInfo]:
    """Campaigns with at least one report taken by your units, largest first."""
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
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[HubView]:
    """Shared-mule candidates (共用卡: accounts and wallets paid across fraud types, kept as links) or hubs kept
    out of linking, that reports of your units name, highest degree first, with their evidence."""
    units = visible_units(store, actor)
    found: list[HubView] = []
    for hub in campaigns.hubs():
        if len(found) >= limit:
            break
        if kind != "all" and (hub.reason == SHARED_MULE) != (kind == SHARED_MULE):
            continue
        mine = campaigns.reports_naming([hub.key], units)[hub.key]
        if not mine:
            continue
        found.append(
            HubView(
                key=_shown(hub.key), reason=hub.reason, category=hub.category, suppressed=hub.suppressed,
                reports=hub.degree, type_spread=hub.type_spread, region_spread=hub.region_spread,
                money=dict(hub.money), reports_in_your_units=mine[:MAX_LISTED_REPORTS],
                n_reports_in_your_units=len(mine),
            )
        )  # fmt: skip
    return found


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
