"""How good freeze lists are against a scenario's truth (止付冻结清单质量): money covered and accounts wrongly listed.

Both sides of the figure: **recall** is the victim money truly still in accounts at each list's horizon that the
list names (freezable money covered); **precision** is the share of listed accounts that truly hold victim money
and are mule accounts; innocent (background, merchant) and victims' accounts listed are counted apart, and the
top-10 rows' share of the freezable money says how much a desk saves by working the top of the list only.

Pure: truths and lists are passed in, the command line reads the files.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from fanzha.flow.freeze import FreezeList

MULE = "mule"
INNOCENT_ROLES = frozenset({"background", "merchant"})
VICTIM = "victim"
RECALL_TARGET = 0.97
WRONGLY_LISTED_TARGET = 0.01
"""At most this share of targets may be innocents' or victims' accounts."""
TOP = 10


@dataclass
class FreezeQuality:
    """Totals over many freeze lists, each scored against the money truly held at its horizon."""

    lists: int = 0
    freezable_minor: int = 0
    covered_minor: int = 0
    top_covered_minor: int = 0
    targets: int = 0
    mule_targets_holding: int = 0
    by_role: dict[str, int] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        """Share of the freezable victim money that the lists name."""
        return self.covered_minor / self.freezable_minor if self.freezable_minor else 1.0

    @property
    def precision(self) -> float:
        """Share of targets that are mule accounts truly holding victim money."""
        return self.mule_targets_holding / self.targets if self.targets else 1.0

    @property
    def innocents(self) -> int:
        """Targets that are innocent accounts (background people, merchants)."""
        return sum(n for role, n in self.by_role.items() if role in INNOCENT_ROLES)

    @property
    def victims(self) -> int:
        """Targets that are victims' own accounts."""
        return self.by_role.get(VICTIM, 0)

    @property
    def wrongly_listed_share(self) -> float:
        """Innocents' and victims' accounts over all targets."""
        return (self.innocents + self.victims) / self.targets if self.targets else 0.0

    @property
    def top_share(self) -> float:
        """Share of the freezable money that the top-10 rows of each list name."""
        return self.top_covered_minor / self.freezable_minor if self.freezable_minor else 1.0

    def meets_targets(self) -> bool:
        """Recall ≥ 0.97 with at most 1 % of targets innocents' or victims' accounts."""
        return self.recall >= RECALL_TARGET and self.wrongly_listed_share <= WRONGLY_LISTED_TARGET


def score_freeze_list(
    quality: FreezeQuality,
    accounts: Iterable[str],
    truly_held: Mapping[str, int],
    role_of: Mapping[str, str],
    holding: Collection[str] | None = None,
) -> None:
    """Add one list, given as its accounts in rank order, to ``quality``.

    ``truly_held`` is the freezable victim money of this list's victims truly in each account at its horizon,
    ``holding`` the accounts truly holding any of it (default: those of ``truly_held``), ``role_of`` each
    account's true role. Cost O(targets + accounts holding money).
    """
    holding = truly_held.keys() if holding is None else holding
    ranked = list(dict.fromkeys(accounts))
    quality.lists += 1
    quality.freezable_minor += sum(truly_held.values())
    quality.covered_minor += sum(truly_held.get(account, 0) for account in ranked)
    quality.top_covered_minor += sum(truly_held.get(account, 0) for account in ranked[:TOP])
    quality.targets += len(ranked)
    for account in ranked:
        role = role_of.get(account, "unknown")
        quality.by_role[role] = quality.by_role.get(role, 0) + 1
        if role == MULE and account in holding:
            quality.mule_targets_holding += 1


def freeze_accounts(listed: FreezeList) -> list[str]:
    """The accounts of a freeze list in rank order."""
    return [target.account for target in listed.targets]
