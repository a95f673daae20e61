"""The path the victims' money took (资金穿透图): a trace's transfers as edges between accounts, for a Sankey.

:func:`money_flow` turns the evidence of a :class:`~fanzha.flow.trace.TraceResult` into what an analyst reads:
one edge per transfer that carried victim money (from account, to account, the victim money the trace's policy
attributes to it, its time and hop) and, per account, what victim money it received, still holds at the horizon,
cashed out (ATM, exchange, merchant) and sent on beyond the hop limit.

- Bounded: at most ``max_edges`` edges, those that carried the most victim money (then the nearer hop, the
  earlier time); :attr:`MoneyFlow.truncated` says some were cut and :attr:`MoneyFlow.edges_total` how many the
  trace had. Accounts are those the kept edges touch.
- Masked: the victims' own accounts (the payers of the victim payments, and the accounts of known victims that
  money flowed back to) are shown masked (:func:`fanzha.model.mask_value`), as the case file shows them; the
  other side's accounts are shown in full, as on the freeze list.
- Cyclic: when the kept edges, drawn between accounts, make a cycle (money that came back to an account it had
  passed), :attr:`MoneyFlow.cyclic` is set: a Sankey cannot draw a cycle, so draw the hops instead (an account
  once per hop it was reached at; every edge goes from hop ``h - 1`` to hop ``h``, which never cycles).

Invariant (uncut): the edges into an account add up to what it received, and the edges out of it (a victim's own
account aside) to what it passed on minus what went beyond the hop limit. A transaction that is a victim's payment
and also carries traced money on from its payer is one edge of at most its amount, as its receiver took it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from fanzha.flow.ledger import Int64Array, Ledger
from fanzha.flow.trace import TraceResult, from_micros
from fanzha.model import IdentifierKind, mask_value

DEFAULT_MAX_EDGES = 500
"""Edges a flow keeps: a Sankey stays readable and the answer small (a campaign's trace can have thousands)."""


class FlowAccountKind(StrEnum):
    """What an account of a money flow is."""

    VICTIM = "victim"
    """A victim's own account (masked): the payer of a victim payment, or a known victim money came back to."""
    ACCOUNT = "account"
    """An account victim money passed through or stayed in."""
    CASH_OUT = "cash_out"
    """A cash-out point (资金出口: ATM, exchange, merchant): the money left the banking system there."""


@dataclass(frozen=True)
class FlowAccount:
    """One account of a money flow and the victim money it saw (minor units, by the trace's rules).

    ``hop`` is the fewest transfers from a victim payment (0 for a victim's own account money never came back
    to); ``held_minor`` is what it still held at the horizon (what a freeze can save).
    """

    account: str
    kind: FlowAccountKind
    hop: int
    received_minor: int
    held_minor: int
    cashed_out_minor: int
    unfollowed_minor: int


@dataclass(frozen=True)
class FlowEdge:
    """One transfer that carried victim money: ``amount_minor`` of it was the victims' (the rest the sender's own
    or unknown money); ``source`` and ``target`` index :attr:`MoneyFlow.accounts`.

    ``hop`` 1 is a victim's payment; money out of an account reached at hop ``h`` travels at hop ``h + 1``.
    ``victims`` names whose money it carried (:attr:`fanzha.flow.TaintSource.victim`).
    """

    source: int
    target: int
    from_account: str
    to_account: str
    amount_minor: int
    time: datetime
    hop: int
    victims: tuple[str, ...]


@dataclass(frozen=True)
class MoneyFlow:
    """The transfers victim money took, at most ``max_edges`` of them, by hop and time."""

    accounts: tuple[FlowAccount, ...]
    edges: tuple[FlowEdge, ...]
    edges_total: int
    """Transfers carrying victim money in the trace, before the cap."""
    truncated: bool
    """Edges were cut: only the ``len(edges)`` that carried the most victim money are here."""
    cyclic: bool
    """The accounts of the kept edges form a cycle: draw by hop, not as a Sankey of accounts."""


def money_flow(
    result: TraceResult,
    ledger: Ledger,
    *,
    victims: Collection[str] = frozenset(),
    max_edges: int = DEFAULT_MAX_EDGES,
) -> MoneyFlow:
    """The money flow of a trace (module docstring): its transfers as edges, the largest ``max_edges`` kept.

    ``victims`` are the names of known victims' accounts (masked like the payers of the victim payments).
    Cost: O(e log e) for the e edge parts of the trace (one per transfer and victim), plus O(k log a) for the k
    kept edges in a ledger of a accounts; memory O(e).
    """
    parts = result.edges
    if len(parts) == 0:
        return MoneyFlow(accounts=(), edges=(), edges_total=0, truncated=False, cyclic=False)
    order = np.lexsort((parts[:, 5], parts[:, 0]))
    parts = parts[order]
    new_group = np.ones(len(parts), bool)
    new_group[1:] = np.diff(parts[:, 0]) != 0
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], len(parts))
    heads = parts[starts]
    amounts = np.minimum(
        np.add.reduceat(parts[:, 2], starts), ledger.column("out_amount", heads[:, 0]).astype(np.int64)
    )
    times = ledger.column("out_time", heads[:, 0]).astype(np.int64)
    ranked = np.lexsort((heads[:, 0], times, heads[:, 5], -amounts))
    kept = ranked[: max(max_edges, 0)]
    kept = kept[np.lexsort((heads[kept, 0], times[kept], heads[kept, 5]))]

    senders = ledger.senders(heads[kept, 0])
    receivers = result.account[heads[kept, 4]]
    located = result.source_position[result.source_position >= 0]
    payers = set(ledger.senders(located).tolist())
    nodes = _Nodes(result, ledger, payers, frozenset(victims))
    edges = []
    for index, group in enumerate(kept.tolist()):
        sources = np.unique(parts[starts[group] : ends[group], 1]).tolist()
        source = nodes.index(int(senders[index]))
        target = nodes.index(int(receivers[index]))
        edges.append(
            FlowEdge(
                source=source,
                target=target,
                from_account=nodes.accounts[source].account,
                to_account=nodes.accounts[target].account,
                amount_minor=int(amounts[group]),
                time=from_micros(int(times[group])),
                hop=int(heads[group, 5]),
                victims=tuple(sorted({result.sources[s].victim for s in sources if s < len(result.sources)})),
            )
        )
    return MoneyFlow(
        accounts=tuple(nodes.accounts),
        edges=tuple(edges),
        edges_total=len(starts),
        truncated=len(kept) < len(starts),
        cyclic=_has_cycle(len(nodes.accounts), [(edge.source, edge.target) for edge in edges]),
    )


class _Nodes:
    """The accounts of a flow in order of first use, masked when a victim's."""

    def __init__(
        self, result: TraceResult, ledger: Ledger, payers: set[int], victims: frozenset[str]
    ) -> None:
        self.result, self.ledger, self.payers, self.victims = result, ledger, payers, victims
        self.accounts: list[FlowAccount] = []
        self._index: dict[int, int] = {}

    def index(self, account: int) -> int:
        """The node of ledger account ``account``, added on first use."""
        found = self._index.get(account)
        if found is not None:
            return found
        name = self.ledger.account_name(account)
        victim = account in self.payers or name in self.victims
        row = self.result.row(account)
        kind = (
            FlowAccountKind.VICTIM
            if victim
            else FlowAccountKind.CASH_OUT
            if self.ledger.cash_out[account]
            else FlowAccountKind.ACCOUNT
        )

        def value(column: Int64Array) -> int:
            return int(column[row]) if row >= 0 else 0

        self.accounts.append(
            FlowAccount(
                account=mask_value(IdentifierKind.BANK_ACCOUNT, name) if victim else name,
                kind=kind,
                hop=value(self.result.hop),
                received_minor=value(self.result.received),
                held_minor=value(self.result.held),
                cashed_out_minor=value(self.result.cashed_out),
                unfollowed_minor=value(self.result.unfollowed),
            )
        )
        self._index[account] = len(self.accounts) - 1
        return len(self.accounts) - 1


def _has_cycle(n_nodes: int, edges: list[tuple[int, int]]) -> bool:
    """Whether the directed graph of ``edges`` over ``n_nodes`` nodes has a cycle (Kahn's algorithm, O(n + e))."""
    indegree = [0] * n_nodes
    out: list[list[int]] = [[] for _ in range(n_nodes)]
    for source, target in set(edges):
        out[source].append(target)
        indegree[target] += 1
    ready = [node for node in range(n_nodes) if indegree[node] == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for target in out[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return seen < n_nodes
