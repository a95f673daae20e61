"""Returning frozen money to victims (追赃挽损): one victim when the money traces to one, else pro rata.

Amounts are integer minor units; the pro-rata split uses the largest-remainder method, so the parts sum to the
amount exactly and each part is within one minor unit of its exact share.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from fanzha.model import Money
from fanzha.ops.errors import InvalidOperationError

K = TypeVar("K", bound=Hashable)


def split_largest_remainder(amount_minor: int, weights: Mapping[K, int]) -> dict[K, int]:
    """Split ``amount_minor`` across keys in proportion to their non-negative integer ``weights``.

    Each key gets the floor of its exact share; the minor units left over go one each to the keys with the
    largest remainders (ties: larger weight first, then the order of ``weights``). Exact integer arithmetic;
    O(n log n) for n keys.
    """
    if amount_minor < 0:
        raise InvalidOperationError(f"amount to split must not be negative, got {amount_minor}")
    if any(weight < 0 for weight in weights.values()):
        raise InvalidOperationError("weights must not be negative")
    total = sum(weights.values())
    if total == 0:
        raise InvalidOperationError("cannot split across weights that sum to zero")
    parts: dict[K, int] = {}
    remainders: list[tuple[int, int, int, K]] = []
    for position, (key, weight) in enumerate(weights.items()):
        part, remainder = divmod(amount_minor * weight, total)
        parts[key] = part
        remainders.append((-remainder, -weight, position, key))
    left_over = amount_minor - sum(parts.values())
    for _, _, _, key in sorted(remainders)[:left_over]:
        parts[key] += 1
    return parts


def allocate_return(
    amount: Money, traced_shares: Mapping[str, int], *, traced_to: str | None = None
) -> dict[str, int]:
    """Minor units of ``amount`` due to each victim (by pseudonym) out of a return of frozen money.

    ``traced_shares`` is each victim's money traced into the frozen account (minor units, same currency);
    ``traced_to`` names the one victim the money traces to when tracing could tell. A return larger than the
    victims' traced money is refused: the rest is not theirs to receive.
    """
    if traced_to is not None:
        if traced_to not in traced_shares:
            raise InvalidOperationError(f"victim {traced_to!r} has no traced share in this account")
        shares: Mapping[str, int] = {traced_to: traced_shares[traced_to]}
    else:
        shares = {victim: share for victim, share in traced_shares.items() if share != 0}
    traced = sum(shares.values())
    if amount.amount_minor > traced:
        raise InvalidOperationError(
            f"return of {amount.amount_minor} {amount.currency} exceeds the {traced} traced to the victims"
        )
    return split_largest_remainder(amount.amount_minor, shares)
