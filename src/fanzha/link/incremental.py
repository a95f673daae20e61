"""Linking one report as it arrives (实时串并): joins or merges campaigns in well under a millisecond.

The state is a union-find over reports plus, per strong linking key, the first report that named it. A new report
is unioned with the anchor of each of its keys; a union of two existing campaigns is a merge, logged with the
report and key that caused it, and the older campaign's id survives. Hubs are the allow-list, the analyst's
overrides and the keys a bulk run found (``suppressed``); keys whose degree grows past ``policy.min_degree``
are flagged in the event for the next bulk run to judge, never suppressed behind the analyst's back.

Fed the same reports in the same order with the same hubs, it gives exactly the campaigns of
:func:`fanzha.link.campaigns.link_mentions`, and the same provenance as :func:`fanzha.link.linking_keys`: each
event lists the new report's keys that an earlier report names too, and the earlier report (the key's anchor)
that gains that key as its own reason the first time another report shares it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fanzha.link.campaigns import CampaignMerge, Linkage, campaign_name
from fanzha.link.hubs import HubPolicy
from fanzha.link.keys import KIND_STRENGTH, LinkStrength, Strengths, key_strength
from fanzha.link.unionfind import IncrementalUnionFind


@dataclass(frozen=True)
class LinkEvent:
    """What linking one report did: its campaign, whether it joined one, the merges, keys newly flagged."""

    report_id: str
    campaign_id: str
    joined: bool
    merges: tuple[CampaignMerge, ...] = ()
    flagged: tuple[str, ...] = ()
    linked_by: str | None = None
    linked_by_keys: tuple[str, ...] = ()
    """Every key of the new report an earlier report names too (why it is in its campaign)."""
    partners: tuple[tuple[str, str], ...] = ()
    """(earlier report id, key): earlier reports whose key this report is the first to share."""


class IncrementalLinker:
    """Campaigns kept up to date one report at a time. Memory: O(reports + strong keys).

    >>> linker = IncrementalLinker()
    >>> first = linker.add("R1", ["phone:+8613800138000"]).campaign_id
    >>> first == campaign_name("R1")
    True
    >>> linker.add("R2", ["phone:+8613800138000", "bank_account:6222020200112233445"]).campaign_id == first
    True
    """

    def __init__(
        self,
        policy: HubPolicy | None = None,
        suppressed: Collection[str] = (),
        strengths: Strengths = KIND_STRENGTH,
    ) -> None:
        self.policy = policy or HubPolicy()
        self.strengths = strengths
        keep = set(self.policy.keep)
        self._suppressed = (set(self.policy.allow_list) | set(self.policy.suppress) | set(suppressed)) - keep
        self._union = IncrementalUnionFind()
        self._report_ids: list[str] = []
        self._index: dict[str, int] = {}
        self._anchor: dict[str, int] = {}
        self._degree: dict[str, int] = {}
        self._name: dict[int, str] = {}
        self._shared: set[str] = set()

    def __len__(self) -> int:
        return len(self._report_ids)

    @classmethod
    def from_linkage(
        cls, linkage: Linkage, policy: HubPolicy | None = None, strengths: Strengths = KIND_STRENGTH
    ) -> IncrementalLinker:
        """A linker holding the campaigns of a bulk run (its hubs included), ready for new reports; ``strengths``
        must be those the bulk run used.

        Built from the bulk arrays without replaying the reports: O(reports + identifiers), a few seconds for 1M.
        """
        linker = cls(policy, linkage.hubs.suppressed_keys, strengths)
        graph = linkage.graph
        linker._union = IncrementalUnionFind.from_founders(linkage.founder)
        linker._report_ids = list(linkage.report_ids)
        linker._index = {rid: i for i, rid in enumerate(linker._report_ids)}
        keys = graph.keys.to_pylist()
        linker._degree = dict(zip(keys, graph.degree.tolist(), strict=True))
        first = np.full(graph.n_identifiers, len(linkage.founder), dtype=np.int64)
        np.minimum.at(first, graph.identifier, graph.report)
        active = graph.strong & ~linkage.hubs.suppressed
        for index in np.flatnonzero(linker._suppressed_mask(keys)).tolist():
            active[index] = False
        linker._anchor = {
            keys[i]: a for i, a in zip(np.flatnonzero(active).tolist(), first[active].tolist(), strict=True)
        }
        linker._shared = {keys[i] for i in np.flatnonzero(active & (graph.degree >= 2)).tolist()}
        names = linkage.campaign_ids()
        roots = np.flatnonzero(linkage.founder == np.arange(len(linkage.founder))).tolist()
        linker._name = {root: names[root] for root in roots}
        return linker

    def _suppressed_mask(self, keys: Sequence[str]) -> npt.NDArray[np.bool_]:
        return np.fromiter((key in self._suppressed for key in keys), dtype=bool, count=len(keys))

    @classmethod
    def from_assignments(
        cls,
        report_ids: Sequence[str],
        keys: Sequence[Sequence[str]],
        campaign_ids: Sequence[str],
        policy: HubPolicy | None = None,
        suppressed: Collection[str] = (),
        strengths: Strengths = KIND_STRENGTH,
    ) -> IncrementalLinker:
        """A linker holding stored campaigns as they are (analysts' undos included), reports oldest first.

        Each report is joined to the oldest report of its stored campaign, whatever its keys say; the keys only
        become anchors for reports still to come. Cost: O(reports + mentions).
        """
        linker = cls(policy, suppressed, strengths)
        oldest: dict[str, int] = {}
        for index, (report_id, report_keys, campaign) in enumerate(
            zip(report_ids, keys, campaign_ids, strict=True)
        ):
            linker._union.add()
            linker._report_ids.append(report_id)
            linker._index[report_id] = index
            for key in report_keys:
                linker._degree[key] = linker._degree.get(key, 0) + 1
                links = key not in linker._suppressed and key_strength(key, strengths) == LinkStrength.STRONG
                if links and linker._anchor.setdefault(key, index) != index:
                    linker._shared.add(key)
            root = oldest.setdefault(campaign, index)
            if root == index:
                linker._name[index] = campaign
            else:
                linker._union.union(root, index)
        return linker

    @property
    def suppressed(self) -> frozenset[str]:
        """Keys that link nothing."""
        return frozenset(self._suppressed)

    def suppress(self, key: str) -> None:
        """Stop ``key`` linking future reports (an analyst's decision or a bulk run's hub)."""
        self._suppressed.add(key)

    def campaign_of(self, report_id: str) -> str:
        """The campaign id of a linked report."""
        return self._name[self._union.founder(self._index[report_id])]

    def campaigns(self) -> dict[str, str]:
        """``report id → campaign id`` for every report linked so far."""
        return {rid: self._name[self._union.founder(i)] for i, rid in enumerate(self._report_ids)}

    def add(self, report_id: str, keys: Sequence[str]) -> LinkEvent:
        """Link one new report by its linking keys; returns what happened. Cost: O(keys · α(reports))."""
        if report_id in self._index:
            raise ValueError(f"report {report_id} is already linked")
        return self._add_report(report_id, keys)

    def _add_report(self, report_id: str, keys: Sequence[str]) -> LinkEvent:
        index = self._union.add()
        self._report_ids.append(report_id)
        self._index[report_id] = index
        self._name[index] = campaign_name(report_id)
        merges: list[CampaignMerge] = []
        flagged: list[str] = []
        linked_by: str | None = None
        shared: list[str] = []
        partners: list[tuple[str, str]] = []
        for key in dict.fromkeys(keys):
            degree = self._degree.get(key, 0) + 1
            self._degree[key] = degree
            if key in self._suppressed or key_strength(key, self.strengths) != LinkStrength.STRONG:
                continue
            if degree == self.policy.min_degree:
                flagged.append(key)
            anchor = self._anchor.setdefault(key, index)
            if anchor == index:
                continue
            shared.append(key)
            if key not in self._shared:
                self._shared.add(key)
                partners.append((self._report_ids[anchor], key))
            joined = self._union.union(anchor, index)
            if joined is None:
                continue
            survivor, absorbed = joined
            if absorbed == index:
                linked_by = linked_by or key
            else:
                merges.append(CampaignMerge(self._name[survivor], self._name[absorbed], report_id, key))
            del self._name[absorbed]
        campaign = self._name[self._union.founder(index)]
        return LinkEvent(
            report_id, campaign, linked_by is not None, tuple(merges), tuple(flagged), linked_by,
            tuple(shared), tuple(partners),
        )  # fmt: skip
