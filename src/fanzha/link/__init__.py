"""fanzha.link: case linking and campaigns (串并案 / 集群战役); pure functions over arrays and reports.

>>> from fanzha.link import link_reports, linking_keys, summarize_campaigns  # doctest: +SKIP
>>> linkage = link_reports(reports)  # doctest: +SKIP
>>> linkage.members()  # campaign id → report ids  # doctest: +SKIP
>>> linking_keys(linkage).by_report()  # report id → the keys that put it in its campaign  # doctest: +SKIP
>>> linkage.hubs.shared_mules  # accounts paid across fraud types, kept as links  # doctest: +SKIP
"""

from fanzha.link.campaigns import (
    CampaignMerge,
    CampaignSplit,
    Linkage,
    RelatedCampaigns,
    campaign_name,
    link_mentions,
    link_reports,
    reconcile,
)
from fanzha.link.graph import ReportGraph, build_graph
from fanzha.link.hubs import (
    HUB_KINDS,
    MONEY_KINDS,
    HubDecision,
    HubPolicy,
    Hubs,
    find_hubs,
    shipped_hubs,
)
from fanzha.link.incremental import IncrementalLinker, LinkEvent
from fanzha.link.keys import DOMAINS_STRONG, KIND_STRENGTH, LinkStrength, link_strength, linking_key
from fanzha.link.mentions import ReportMentions, keys_from_columns, mentions_of, report_keys
from fanzha.link.provenance import Provenance, Reconciled, linking_keys, reconcile_explained
from fanzha.link.quality import BCubed, bcubed
from fanzha.link.summary import CampaignSummary, KeyIdentifier, rank_identifiers, summarize_campaigns
from fanzha.link.unionfind import IncrementalUnionFind, component_founders

__all__ = [
    "DOMAINS_STRONG",
    "HUB_KINDS",
    "KIND_STRENGTH",
    "MONEY_KINDS",
    "BCubed",
    "CampaignMerge",
    "CampaignSplit",
    "CampaignSummary",
    "HubDecision",
    "HubPolicy",
    "Hubs",
    "IncrementalLinker",
    "IncrementalUnionFind",
    "KeyIdentifier",
    "LinkEvent",
    "LinkStrength",
    "Linkage",
    "Provenance",
    "Reconciled",
    "RelatedCampaigns",
    "ReportGraph",
    "ReportMentions",
    "bcubed",
    "build_graph",
    "campaign_name",
    "component_founders",
    "find_hubs",
    "keys_from_columns",
    "link_mentions",
    "link_reports",
    "link_strength",
    "linking_key",
    "linking_keys",
    "mentions_of",
    "rank_identifiers",
    "reconcile",
    "reconcile_explained",
    "report_keys",
    "shipped_hubs",
    "summarize_campaigns",
]
