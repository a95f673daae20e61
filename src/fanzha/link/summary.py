"""What an analyst reads about a campaign (战役概况): victims, loss, regions, time span, and the key identifiers
ranked so the card or number to cut first is at the top (关键要素排序)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fanzha.link.campaigns import Linkage, fraud_type_of, region_of
from fanzha.link.keys import key_kind
from fanzha.link.mentions import payee_key
from fanzha.model import Campaign, CampaignStatus, Identifier, Report, ReportKind, mask_value

RANK_WEIGHTS = (0.4, 0.3, 0.3)
"""Weights of reports linked, money received and betweenness (each scaled to the campaign's largest)."""


@dataclass(frozen=True)
class KeyIdentifier:
    """A campaign's identifier with what cutting it would achieve."""

    key: str
    reports: int
    money_received: Mapping[str, int]
    betweenness: float
    score: float

    @property
    def masked(self) -> str:
        """``kind:value`` with the middle of phones and cards hidden, for lists."""
        kind, _, value = self.key.partition(":")
        return f"{kind}:{mask_value(kind, value)}"


@dataclass(frozen=True)
class CampaignSummary:
    """One campaign: counts, loss per currency and per fraud type, regions, time span and key identifiers."""

    id: str
    report_ids: tuple[str, ...]
    n_cases: int
    n_tips: int
    n_victims: int
    loss: Mapping[str, int]
    loss_by_type: Mapping[str, Mapping[str, int]]
    fraud_type: str | None
    regions: Mapping[str, int]
    first_report_at: datetime
    last_report_at: datetime
    first_payment_at: datetime | None
    key_identifiers: tuple[KeyIdentifier, ...]
    hubs_mentioned: tuple[str, ...] = ()
    status: CampaignStatus = CampaignStatus.OPEN

    @property
    def n_reports(self) -> int:
        """Cases and tips."""
        return len(self.report_ids)

    def as_campaign(self) -> Campaign:
        """The domain :class:`fanzha.model.Campaign`, key identifiers first-ranked first."""
        identifiers = []
        for key in self.key_identifiers:
            kind, _, value = key.key.partition(":")
            identifiers.append(Identifier(kind=kind, value=value))
        return Campaign(
            id=self.id,
            fraud_type=self.fraud_type,
            status=self.status,
            report_ids=self.report_ids,
            key_identifiers=tuple(identifiers),
            created_at=self.first_report_at,
        )


def summarize_campaigns(
    linkage: Linkage, reports: Iterable[Report], *, min_reports: int = 2, top: int = 10
) -> list[CampaignSummary]:
    """Summaries of every campaign with at least ``min_reports`` reports, largest first.

    Cost: O(reports + mentions) plus betweenness per campaign (igraph: O(V·E) on the campaign's subgraph).
    """
    by_id = {r.id: r for r in reports}
    groups = linkage.members()
    keys_of = _keys_by_report(linkage)
    return [
        summarize(campaign, [by_id[r] for r in members], keys_of, linkage.hubs.suppressed_keys, top=top)
        for campaign, members in groups.items()
        if len(members) >= min_reports
    ]


def _keys_by_report(linkage: Linkage) -> dict[str, list[str]]:
    graph = linkage.graph
    text = graph.keys.to_pylist()
    keys: dict[str, list[str]] = defaultdict(list)
    for report, ident in zip(graph.report.tolist(), graph.identifier.tolist(), strict=True):
        keys[linkage.report_ids[report]].append(text[ident])
    return keys


def summarize(
    campaign_id: str,
    reports: Sequence[Report],
    keys_of: Mapping[str, Sequence[str]],
    hubs: Iterable[str] = (),
    *,
    top: int = 10,
) -> CampaignSummary:
    """The summary of one campaign from its reports and each report's linking keys (hubs shown apart)."""
    if not reports:
        raise ValueError(f"campaign {campaign_id} has no reports")
    hub_set = set(hubs)
    loss: Counter[str] = Counter()
    loss_by_type: dict[str, Counter[str]] = defaultdict(Counter)
    types: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for report in reports:
        fraud_type = fraud_type_of(report) or "unknown"
        if report.kind == ReportKind.CASE and fraud_type != "unknown":
            types[fraud_type] += 1
        for currency, amount in report.loss.items():
            loss[currency] += amount
            loss_by_type[fraud_type][currency] += amount
        regions[region_of(report) or "unknown"] += 1
    payments = [p for r in reports for p in r.payments]
    mentioned = {k for r in reports for k in keys_of.get(r.id, ())}
    return CampaignSummary(
        id=campaign_id,
        report_ids=tuple(r.id for r in reports),
        n_cases=sum(r.kind == ReportKind.CASE for r in reports),
        n_tips=sum(r.kind == ReportKind.TIP for r in reports),
        n_victims=len({r.victim.pseudonym for r in reports if r.victim is not None}),
        loss=dict(loss),
        loss_by_type={t: dict(c) for t, c in loss_by_type.items()},
        fraud_type=types.most_common(1)[0][0] if types else None,
        regions=dict(regions.most_common()),
        first_report_at=min(r.received_at for r in reports),
        last_report_at=max(r.received_at for r in reports),
        first_payment_at=min((p.time for p in payments), default=None),
        key_identifiers=tuple(rank_identifiers(reports, keys_of, hub_set)[:top]),
        hubs_mentioned=tuple(sorted(mentioned & hub_set)),
    )


def rank_identifiers(
    reports: Sequence[Report],
    keys_of: Mapping[str, Sequence[str]],
    hubs: set[str] | frozenset[str] = frozenset(),
) -> list[KeyIdentifier]:
    """A campaign's strong, non-hub identifiers ranked by reports linked, money received and betweenness.

    Betweenness is taken on the bipartite report–identifier subgraph: an identifier that alone joins groups of
    reports scores high, so cutting it splits the campaign's reach. Score = weighted sum of the three, each
    divided by the campaign's largest (:data:`RANK_WEIGHTS`).
    """
    from fanzha.link.keys import LinkStrength, key_strength

    edges: list[tuple[str, str]] = []
    linked: Counter[str] = Counter()
    for report in reports:
        for key in dict.fromkeys(keys_of.get(report.id, ())):
            if key in hubs or key_strength(key) != LinkStrength.STRONG:
                continue
            linked[key] += 1
            edges.append((report.id, key))
    money: dict[str, Counter[str]] = defaultdict(Counter)
    for report in reports:
        for payment in report.payments:
            payee = payee_key(payment)
            if payee is not None and payee in linked:
                money[payee][payment.amount.currency] += payment.amount.amount_minor
    between = bipartite_betweenness(edges)
    top_reports = max(linked.values(), default=1)
    top_money = max((sum(m.values()) for m in money.values()), default=0) or 1
    top_between = max(between.values(), default=0.0) or 1.0
    weights = RANK_WEIGHTS
    ranked = [
        KeyIdentifier(
            key=key,
            reports=count,
            money_received=dict(money.get(key, {})),
            betweenness=round(between.get(key, 0.0), 6),
            score=round(
                weights[0] * count / top_reports
                + weights[1] * sum(money.get(key, Counter()).values()) / top_money
                + weights[2] * between.get(key, 0.0) / top_between,
                6,
            ),
        )
        for key, count in linked.items()
    ]
    ranked.sort(key=lambda k: (-k.score, -k.reports, key_kind(k.key).value, k.key))
    return ranked


def bipartite_betweenness(edges: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Normalised betweenness of the identifier side of a report–identifier graph given as (report, key) edges.

    Uses igraph when installed (C, O(V·E)); otherwise an exact Brandes pass in Python for small graphs.
    """
    edges = list(dict.fromkeys(edges))
    if not edges:
        return {}
    reports = sorted({r for r, _ in edges})
    keys = sorted({k for _, k in edges})
    index = {name: i for i, name in enumerate(reports)}
    index.update({name: len(reports) + i for i, name in enumerate(keys)})
    pairs = [(index[r], index[k]) for r, k in edges]
    n = len(index)
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph ships with the dev extra
        scores = _brandes(n, pairs)
    else:
        graph = igraph.Graph(n=n, edges=pairs)
        scores = graph.betweenness(directed=False)
    norm = (n - 1) * (n - 2) / 2 or 1
    return {key: scores[len(reports) + i] / norm for i, key in enumerate(keys)}


def _brandes(n: int, pairs: Sequence[tuple[int, int]]) -> list[float]:
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    score = [0.0] * n
    for source in range(n):
        order, preds = [], [[] for _ in range(n)]  # type: list[int], list[list[int]]
        sigma, dist = [0] * n, [-1] * n
        sigma[source], dist[source] = 1, 0
        queue = [source]
        for v in queue:
            order.append(v)
            for w in neighbours[v]:
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = [0.0] * n
        for w in reversed(order):
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
            if w != source:
                score[w] += delta[w]
    return [s / 2 for s in score]
