"""``/campaigns``: reports linked into campaigns (串并案 / 集群战役), seen from one's own units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from fanzha.api.deps import CaseWorker, Offset, StoreDep, cached_on_app, visible_units
from fanzha.model import IdentifierKind, mask_value
from fanzha.ops import Actor
from fanzha.store.cases import CaseStore
from fanzha.store.cases.campaigns import CampaignInfo, CampaignStore

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
PERSONAL_KINDS = frozenset({IdentifierKind.ID_NUMBER.value})


class CampaignView(BaseModel):
    """A campaign and the part of it the caller's units took."""

    campaign: CampaignInfo
    reports_in_your_units: list[str] = Field(description="ids of the campaign's reports your units took")


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


@router.get("/{campaign_id}", response_model=CampaignView)
def get_campaign(campaign_id: str, store: StoreDep, campaigns: Campaigns, actor: CaseWorker) -> CampaignView:
    """One campaign (a merged one's id resolves) and the reports of it your units took."""
    info, members = _members(campaigns, store, actor, campaign_id)
    return CampaignView(campaign=info, reports_in_your_units=members)


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
