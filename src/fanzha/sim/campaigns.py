"""Scam campaigns: how many, of which type, how big (heavy-tailed), when active, with which identifier pools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fanzha.model import Identifier, IdentifierKind, fraud_taxonomy
from fanzha.sim import identities
from fanzha.sim.profiles import PROFILES, simulated_codes

Array = npt.NDArray[Any]
DAY = 86_400

_POOL_MAKERS = {
    IdentifierKind.PHONE: identities.scam_phone,
    IdentifierKind.WECHAT: identities.scam_wechat,
    IdentifierKind.QQ: identities.scam_qq,
    IdentifierKind.URL: identities.scam_url,
    IdentifierKind.APP: identities.scam_app,
    IdentifierKind.CRYPTO_WALLET: identities.scam_wallet,
}
_SHAREABLE = (IdentifierKind.PHONE, IdentifierKind.WECHAT, IdentifierKind.CRYPTO_WALLET, IdentifierKind.URL)
GANG_SHARE = 0.08
"""Share of campaigns run by a gang that also runs other campaigns (they share identifiers and mules)."""


@dataclass
class Campaigns:
    """All campaigns of a scenario, one entry per campaign in every array."""

    ids: list[str]
    profile: Array  # index into PROFILES
    subtype: list[str | None]
    n_cases: Array
    n_tips: Array
    gang: Array  # -1 when the campaign's gang runs no other campaign
    active_start: Array  # seconds after the window start
    active_len: Array
    depth: Array  # mule layers before cash-out
    pools: list[dict[IdentifierKind, list[Identifier]]]

    def __len__(self) -> int:
        return len(self.ids)


def heavy_tailed_sizes(rng: np.random.Generator, total: int, cap: int, exponent: float = 1.9) -> Array:
    """Campaign sizes summing to ``total``: discrete power law (most campaigns tiny, a few with hundreds)."""
    sizes: list[int] = []
    remaining = total
    while remaining > 0:
        draw = rng.zipf(exponent, size=max(16, remaining // 2))
        draw = draw[draw <= cap]
        for size in draw.tolist():
            take = min(size, remaining)
            sizes.append(take)
            remaining -= take
            if remaining == 0:
                break
    return np.array(sizes, dtype=np.int64)


def _subtype(rng: np.random.Generator, code: str) -> str | None:
    subtypes = simulated_codes([subtype.code for subtype in fraud_taxonomy().get(code).subtypes])
    if not subtypes or rng.random() < 0.25:
        return None
    return subtypes[int(rng.integers(len(subtypes)))]


def _pools(
    rng: np.random.Generator, profile_index: int, n_reports: int
) -> dict[IdentifierKind, list[Identifier]]:
    profile = PROFILES[profile_index]
    pools: dict[IdentifierKind, list[Identifier]] = {}
    for kind, rate in profile.pool_rate.items():
        if kind not in profile.naming:
            continue
        size = 1 + int(n_reports * rate * rng.uniform(0.5, 1.5))
        pools[kind] = [_POOL_MAKERS[kind](rng) for _ in range(size)]
    return pools


def _form_gangs(rng: np.random.Generator, campaigns: Campaigns) -> None:
    candidates = np.flatnonzero(campaigns.n_cases >= 2)
    chosen = rng.permutation(candidates)[: int(len(campaigns) * GANG_SHARE)]
    gang_id = 0
    start = 0
    while len(chosen) - start >= 2:
        size = min(int(rng.integers(2, 4)), len(chosen) - start)
        members = chosen[start : start + size]
        start += size
        campaigns.gang[members] = gang_id
        gang_id += 1
        leader = campaigns.pools[int(members[0])]
        kinds = [kind for kind in _SHAREABLE if kind in leader]
        for kind in rng.permutation(kinds)[: int(rng.integers(1, 3))] if kinds else []:
            shared = leader[IdentifierKind(kind)][0]
            for member in members[1:]:
                pool = campaigns.pools[int(member)].setdefault(IdentifierKind(kind), [])
                pool.insert(int(rng.integers(0, len(pool) + 1)), shared)


def plan_campaigns(rng: np.random.Generator, n_cases: int, n_tips: int, window: int, cap: int) -> Campaigns:
    """Split ``n_cases`` case reports over fraud types (by case share) and campaigns (heavy-tailed sizes).

    Tips go to campaigns in proportion to their size. Cost: O(cases) plus the identifier pools.
    """
    shares = np.array([profile.case_share for profile in PROFILES])
    per_type = rng.multinomial(n_cases, shares / shares.sum())
    sizes = [heavy_tailed_sizes(rng, int(count), cap) for count in per_type]
    profile = np.concatenate([np.full(len(s), t, dtype=np.int64) for t, s in enumerate(sizes)])
    n_cases_arr = np.concatenate(sizes)
    order = rng.permutation(len(profile))
    profile, n_cases_arr = profile[order], n_cases_arr[order]
    n = len(profile)
    n_tips_arr = rng.multinomial(n_tips, n_cases_arr / n_cases_arr.sum()) if n else np.zeros(0, np.int64)
    active_len = np.clip(rng.lognormal(np.log(4 * DAY), 1.0, size=n), 3_600, window * 0.9).astype(np.int64)
    active_len = np.maximum(active_len, np.minimum(n_cases_arr * 1_800, window * 0.9).astype(np.int64))
    active_start = (rng.random(n) * (window - active_len)).astype(np.int64)
    depth = np.array([rng.integers(PROFILES[p].depth[0], PROFILES[p].depth[1] + 1) for p in profile.tolist()])
    campaigns = Campaigns(
        ids=[f"CMP-{i + 1:06d}" for i in range(n)],
        profile=profile,
        subtype=[_subtype(rng, PROFILES[p].code) for p in profile.tolist()],
        n_cases=n_cases_arr,
        n_tips=n_tips_arr,
        gang=np.full(n, -1, dtype=np.int64),
        active_start=active_start,
        active_len=active_len,
        depth=depth.astype(np.int64),
        pools=[
            _pools(rng, p, c + t)
            for p, c, t in zip(profile.tolist(), n_cases_arr.tolist(), n_tips_arr.tolist(), strict=True)
        ],
    )
    _form_gangs(rng, campaigns)
    return campaigns
