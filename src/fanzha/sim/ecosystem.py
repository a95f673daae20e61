"""The accounts of the simulated world: people, merchants, employers, mules in layers, cash-out points (资金出口)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from fanzha.sim import identities
from fanzha.sim.campaigns import Campaigns
from fanzha.sim.scales import Scale

Array = npt.NDArray[Any]
MAX_LAYERS = 6
ROLES = ("victim", "mule", "cash_out", "background", "merchant")
VICTIM, MULE, CASH_OUT, BACKGROUND, MERCHANT = range(len(ROLES))
PLATFORM_SHARE = 0.1
"""Chance that a deeper-layer slot of a campaign is served by a professional laundering mule (跑分) shared by many."""


@dataclass
class MulePools:
    """Each campaign's mule accounts per layer (CSR: ``accounts[start[c, l] : start[c, l] + length[c, l]]``)
    and its favourite cash-out points."""

    start: Array
    length: Array
    accounts: Array
    atms: Array  # (campaigns, 3)
    exchanges: Array  # (campaigns, 2)
    shops: Array  # (campaigns, 2)

    def pick(self, rng: np.random.Generator, campaign: Array, layer: Array, skew: float = 1.0) -> Array:
        """One mule of ``layer`` from each campaign's pool; ``skew`` > 1 favours the first (busiest) accounts."""
        length = self.length[campaign, layer]
        offset = np.minimum((rng.random(len(campaign)) ** skew * length).astype(np.int64), length - 1)
        picked: Array = self.accounts[self.start[campaign, layer] + offset]
        return picked


@dataclass
class Accounts:
    """Every account of the scenario by index: its number, bank, role and (for mules) campaign and layer."""

    names: list[str]
    bank: Array  # index into identities.bank_table().banks, -1 for none
    role: Array
    campaign: Array  # owning campaign, -1 for none
    layer: Array
    persons: range
    merchants: range
    employers: range
    mules: range
    atms: range
    exchanges: range
    shops: range
    sweep_period: Array  # seconds between a mule's batched forwards (fan-in)
    sweep_phase: Array
    mule_campaigns: dict[int, set[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.names)


def _layer_sizes(rng: np.random.Generator, payments: Array, depth: Array) -> Array:
    n = len(payments)
    sizes = np.zeros((n, MAX_LAYERS + 1), dtype=np.int64)
    sizes[:, 1] = np.maximum(1, np.rint(payments / rng.uniform(3, 10, size=n)))
    for layer in range(2, MAX_LAYERS + 1):
        shrink = rng.uniform(0.4, 1.1, size=n)
        sizes[:, layer] = np.where(depth >= layer, np.maximum(1, np.rint(sizes[:, layer - 1] * shrink)), 0)
    return sizes


def _endpoint_names(rng: np.random.Generator, prefix: str, n: int, width: int) -> list[str]:
    ids = rng.choice(10**width, size=n, replace=False)
    return [f"{prefix}{i:0{width}d}" for i in ids.tolist()]


def build_world(
    rng: np.random.Generator, scale: Scale, campaigns: Campaigns, payments_per_campaign: Array
) -> tuple[Accounts, MulePools]:
    """Create all accounts and the campaigns' mule pools.

    Mules are laid out in layers 1..depth per campaign (layer 1 receives victim money); deeper slots are
    sometimes served by shared professional mules, and campaigns of one gang share a second-layer mule.
    Cost: O(persons + mules) vectorised.
    """
    n_campaigns = len(campaigns)
    sizes = _layer_sizes(rng, payments_per_campaign, campaigns.depth)
    slot_campaign = np.repeat(np.repeat(np.arange(n_campaigns), MAX_LAYERS + 1), sizes.ravel())
    slot_layer = np.repeat(np.tile(np.arange(MAX_LAYERS + 1), n_campaigns), sizes.ravel())
    platform = (slot_layer >= 2) & (rng.random(len(slot_layer)) < PLATFORM_SHARE)
    n_own = int((~platform).sum())
    n_platform = max(MAX_LAYERS, int(platform.sum() // 4))
    platform_layer = 2 + np.arange(n_platform) % (MAX_LAYERS - 1)

    n_cards = scale.persons + scale.merchants + max(1, scale.persons // 40) + n_own + n_platform
    cards, card_bank = identities.card_numbers(rng, n_cards)
    persons = range(scale.persons)
    merchants = range(persons.stop, persons.stop + scale.merchants)
    employers = range(merchants.stop, merchants.stop + max(1, scale.persons // 40))
    mules = range(employers.stop, n_cards)
    atms = range(n_cards, n_cards + scale.atms)
    exchanges = range(atms.stop, atms.stop + scale.exchanges)
    shops = range(exchanges.stop, exchanges.stop + scale.cash_out_merchants)
    names = cards + _endpoint_names(rng, "ATM:", scale.atms, 8)
    names += _endpoint_names(rng, "EXCH:OTC", scale.exchanges, 4) + _endpoint_names(
        rng, "MCH:", scale.cash_out_merchants, 10
    )

    n_banks = len(identities.bank_table().banks)
    bank = np.concatenate(
        [
            card_bank,
            rng.integers(0, n_banks, size=scale.atms),
            np.full(scale.exchanges + scale.cash_out_merchants, -1),
        ]
    )
    role = np.full(len(names), BACKGROUND, dtype=np.int8)
    role[merchants.start : merchants.stop] = MERCHANT
    role[mules.start : mules.stop] = MULE
    role[atms.start :] = CASH_OUT
    layer = np.zeros(len(names), dtype=np.int16)
    campaign = np.full(len(names), -1, dtype=np.int64)

    slot_account = np.empty(len(slot_layer), dtype=np.int64)
    slot_account[~platform] = mules.start + np.arange(n_own)
    platform_first = mules.start + n_own
    for lay in range(2, MAX_LAYERS + 1):
        chosen = platform & (slot_layer == lay)
        candidates = platform_first + np.flatnonzero(platform_layer == lay)
        slot_account[chosen] = rng.choice(candidates, size=int(chosen.sum()))
    layer[mules.start : platform_first] = slot_layer[~platform]
    layer[platform_first : mules.stop] = platform_layer
    campaign[mules.start : platform_first] = slot_campaign[~platform]

    start = np.zeros((n_campaigns, MAX_LAYERS + 1), dtype=np.int64)
    start.ravel()[1:] = np.cumsum(sizes.ravel())[:-1]
    _share_within_gangs(campaigns, start, sizes, slot_account)

    n_mules = mules.stop - mules.start
    period = np.zeros(len(names), dtype=np.int64)
    phase = np.zeros(len(names), dtype=np.int64)
    period[mules.start : mules.stop] = rng.integers(10, 91, size=n_mules) * 60
    phase[mules.start : mules.stop] = (rng.random(n_mules) * period[mules.start : mules.stop]).astype(
        np.int64
    )

    accounts = Accounts(
        names=names, bank=bank.astype(np.int16), role=role, campaign=campaign, layer=layer,
        persons=persons, merchants=merchants, employers=employers, mules=mules,
        atms=atms, exchanges=exchanges, shops=shops, sweep_period=period, sweep_phase=phase,
    )  # fmt: skip
    for account, owner in zip(slot_account.tolist(), slot_campaign.tolist(), strict=True):
        accounts.mule_campaigns.setdefault(account, set()).add(owner)
    _retire_unused_mules(accounts)
    pools = MulePools(
        start=start,
        length=sizes,
        accounts=slot_account,
        atms=rng.integers(atms.start, atms.stop, size=(n_campaigns, 3)),
        exchanges=rng.integers(exchanges.start, exchanges.stop, size=(n_campaigns, 2)),
        shops=rng.integers(shops.start, shops.stop, size=(n_campaigns, 2)),
    )
    return accounts, pools


def _share_within_gangs(campaigns: Campaigns, start: Array, sizes: Array, slot_account: Array) -> None:
    """Campaigns of one gang launder through the leader's busiest second-layer mule."""
    gangs = campaigns.gang
    for gang in np.unique(gangs[gangs >= 0]).tolist():
        members = np.flatnonzero(gangs == gang)
        leader = int(members[0])
        for member in members[1:].tolist():
            if sizes[member, 2] and sizes[leader, 2]:
                slot_account[start[member, 2]] = slot_account[start[leader, 2]]


def _retire_unused_mules(accounts: Accounts) -> None:
    """Recruited cards that no campaign ended up using are ordinary accounts."""
    mule_ids = np.arange(accounts.mules.start, accounts.mules.stop)
    used = np.isin(mule_ids, np.fromiter(accounts.mule_campaigns, dtype=np.int64))
    unused = mule_ids[~used]
    accounts.role[unused] = BACKGROUND
    accounts.layer[unused] = 0
    accounts.campaign[unused] = -1


def holder_name(account: int) -> str:
    """A stable synthetic holder name for an account index (what the bank shows a payer)."""
    return identities.holder_name(np.random.Generator(np.random.PCG64(account)))
