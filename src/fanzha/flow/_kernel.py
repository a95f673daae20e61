"""The numba event sweep behind :func:`fanzha.flow.trace.trace` (see its docstring for the rules it implements).

Each tainted account holds a list of *lots* (source index, amount; source -1 is the account's own, clean money).
Accounts are visited in global event order through a heap keyed ``4 * time + phase``: outgoing transfers at a
time (phase 1), then victim payments entering (phase 2), then incoming transfers (phase 3), so money that arrives
at ``t`` leaves only after ``t``. An account whose lots hold no victim money drops out of the heap and is brought
back, with its clean balance rolled forward, when tainted money arrives again.
"""

from __future__ import annotations

import heapq
from typing import Any

import numba
import numpy as np
from numba import types
from numba.typed import Dict

FIFO = 0
PROPORTIONAL = 1
LIFO = 2

ACC, HOP, FIRST, RECEIVED, PASSED, UNFOLLOWED, CASHED, ACTIVE = 0, 1, 2, 3, 4, 5, 6, 7
CUR_IN, CUR_OUT, HEAD, TAIL, TAINTED, PENDING, CLEAN, SEEN = 8, 9, 10, 11, 12, 13, 14, 15
N_FIELDS = 16
NO_TIME = np.iinfo(np.int64).max
_LOT_SOURCE, _LOT_AMOUNT, _LOT_NEXT = 0, 1, 2

# Segment tuples: (out_offsets, out_dst, out_time, out_amount, in_offsets, in_pos).


@numba.njit(cache=True, inline="always")
def _out_counts(base: Any, delta: Any, account: int) -> tuple[int, int]:  # pragma: no cover
    in_base = 0
    if account < len(base[0]) - 1:
        in_base = base[0][account + 1] - base[0][account]
    return in_base, delta[0][account + 1] - delta[0][account]


@numba.njit(cache=True, inline="always")
def _in_counts(base: Any, delta: Any, account: int) -> tuple[int, int]:  # pragma: no cover
    in_base = 0
    if account < len(base[4]) - 1:
        in_base = base[4][account + 1] - base[4][account]
    return in_base, delta[4][account + 1] - delta[4][account]


@numba.njit(cache=True, inline="always")
def _out_position(base: Any, delta: Any, base_len: int, account: int, k: int) -> int:  # pragma: no cover
    in_base, _ = _out_counts(base, delta, account)
    if k < in_base:
        return int(base[0][account] + k)
    return int(base_len + delta[0][account] + k - in_base)


@numba.njit(cache=True, inline="always")
def _in_position(base: Any, delta: Any, account: int, k: int) -> int:  # pragma: no cover
    in_base, _ = _in_counts(base, delta, account)
    if k < in_base:
        return int(base[5][base[4][account] + k])
    return int(delta[5][delta[4][account] + k - in_base])


@numba.njit(cache=True, inline="always")
def _transaction(
    base: Any, delta: Any, base_len: int, position: int
) -> tuple[int, int, int]:  # pragma: no cover
    """(receiving account, time, amount) at a ledger-wide out-order position."""
    if position < base_len:
        return int(base[1][position]), int(base[2][position]), int(base[3][position])
    q = position - base_len
    return int(delta[1][q]), int(delta[2][q]), int(delta[3][q])


@numba.njit(cache=True)
def _next_event(
    base: Any, delta: Any, base_len: int, account: int, cur_in: int, cur_out: int
) -> tuple[int, int]:  # pragma: no cover
    """(heap key, position) of the account's next event; key NO_TIME when there is none."""
    out_base, out_delta = _out_counts(base, delta, account)
    in_base, in_delta = _in_counts(base, delta, account)
    out_key = NO_TIME
    in_key = NO_TIME
    out_pos = -1
    in_pos = -1
    if cur_out < out_base + out_delta:
        out_pos = _out_position(base, delta, base_len, account, cur_out)
        out_key = 4 * _transaction(base, delta, base_len, out_pos)[1] + 1
    if cur_in < in_base + in_delta:
        in_pos = _in_position(base, delta, account, cur_in)
        in_key = 4 * _transaction(base, delta, base_len, in_pos)[1] + 3
    if out_key < in_key:
        return out_key, out_pos
    return in_key, in_pos


@numba.njit(cache=True)
def _first_cursors(
    base: Any, delta: Any, base_len: int, account: int, scan_start: int
) -> tuple[int, int]:  # pragma: no cover
    """Indices of the account's first incoming and outgoing transfers at or after ``scan_start``."""
    out_base, out_delta = _out_counts(base, delta, account)
    low, high = 0, out_base + out_delta
    while low < high:
        middle = (low + high) // 2
        position = _out_position(base, delta, base_len, account, middle)
        if _transaction(base, delta, base_len, position)[1] < scan_start:
            low = middle + 1
        else:
            high = middle
    cur_out = low
    in_base, in_delta = _in_counts(base, delta, account)
    low, high = 0, in_base + in_delta
    while low < high:
        middle = (low + high) // 2
        position = _in_position(base, delta, account, middle)
        if _transaction(base, delta, base_len, position)[1] < scan_start:
            low = middle + 1
        else:
            high = middle
    return low, cur_out


@numba.njit(cache=True)
def _roll_clean(
    base: Any, delta: Any, base_len: int, account: int, cur_in: int, cur_out: int, clean: int, limit_key: int
) -> tuple[int, int, int]:  # pragma: no cover
    """Own (clean) balance rolled through every event before ``limit_key``; never below zero."""
    while True:
        key, position = _next_event(base, delta, base_len, account, cur_in, cur_out)
        if key >= limit_key:
            return cur_in, cur_out, clean
        amount = _transaction(base, delta, base_len, position)[2]
        if key % 4 == 1:
            clean = max(0, clean - amount)
            cur_out += 1
        else:
            clean += amount
            cur_in += 1


@numba.njit(cache=True)
def _grow(table: Any) -> Any:  # pragma: no cover
    bigger = np.zeros((2 * table.shape[0], table.shape[1]), table.dtype)
    bigger[: table.shape[0]] = table
    return bigger


@numba.njit(cache=True)
def _mul_div(value: int, numerator: int, denominator: int) -> int:  # pragma: no cover
    """floor(value * numerator / denominator) for 0 <= numerator < denominator, exact while it fits int64."""
    if value == 0:
        return 0
    if value <= NO_TIME // numerator:
        return (value * numerator) // denominator
    estimate = int(np.floor(np.float64(value) * (np.float64(numerator) / np.float64(denominator))))
    return min(value, estimate)


@numba.njit(cache=True)
def trace_kernel(
    base: Any,
    delta: Any,
    base_len: int,
    cash_out: Any,
    seed_position: Any,
    seed_amount: Any,
    seed_source: Any,
    policy: int,
    max_hops: int,
    horizon: int,
    scan_start: int,
) -> tuple[Any, Any, Any]:  # pragma: no cover
    """Sweep the events; returns (per-account state, edges, holdings) as int64 tables.

    Edges: (position, source, amount, from row or -1 for a victim payment, to row, hop).
    Holdings: (row, source, amount) per lot still holding victim money at the horizon.
    """
    slot_of = Dict.empty(key_type=types.int64, value_type=types.int64)
    state = np.zeros((64, N_FIELDS), np.int64)
    n_slots = 0
    lots = np.zeros((256, 3), np.int64)
    n_lots = 0
    arrivals = np.zeros((64, 4), np.int64)
    n_arrivals = 0
    pending_head = Dict.empty(key_type=types.int64, value_type=types.int64)
    pending_tail = Dict.empty(key_type=types.int64, value_type=types.int64)
    edges = np.zeros((256, 6), np.int64)
    n_edges = 0
    part_source = np.zeros(64, np.int64)
    part_amount = np.zeros(64, np.int64)
    heap: list[tuple[int, int]] = [(0, 0)]
    heap.pop()
    for i in range(len(seed_position)):
        when = _transaction(base, delta, base_len, seed_position[i])[1]
        if when <= horizon:
            heapq.heappush(heap, (4 * when + 2, i))

    while len(heap) > 0:
        key, ident = heapq.heappop(heap)
        phase = key % 4
        n_parts = 0
        from_slot = -1
        new_hop = 1
        if phase == 2:
            position = seed_position[ident]
            receiver, when, amount = _transaction(base, delta, base_len, position)
            part_source[0] = seed_source[ident]
            part_amount[0] = min(seed_amount[ident], amount)
            n_parts = 1
            from_slot = -1
            new_hop = 1
        else:
            slot = ident
            account = state[slot, ACC]
            position = _next_event(base, delta, base_len, account, state[slot, CUR_IN], state[slot, CUR_OUT])[
                1
            ]
            receiver, when, amount = _transaction(base, delta, base_len, position)
            if phase == 3:
                state[slot, CUR_IN] += 1
                tainted = 0
                if position in pending_head:
                    index = pending_head[position]
                    while index >= 0:
                        take = min(arrivals[index, 1], amount - tainted)
                        if take > 0:
                            part_source[n_parts] = arrivals[index, 0]
                            part_amount[n_parts] = take
                            n_parts += 1
                            if n_parts == len(part_source):
                                part_source = np.concatenate((part_source, part_source))
                                part_amount = np.concatenate((part_amount, part_amount))
                            tainted += take
                            state[slot, HOP] = min(state[slot, HOP], arrivals[index, 3])
                            state[slot, FIRST] = min(state[slot, FIRST], when)
                        state[slot, PENDING] -= 1
                        index = arrivals[index, 2]
                    del pending_head[position]
                    del pending_tail[position]
                state[slot, RECEIVED] += tainted
                state[slot, TAINTED] += tainted
                for j in range(-1, n_parts):
                    source = -1 if j < 0 else part_source[j]
                    value = amount - tainted if j < 0 else part_amount[j]
                    if value <= 0:
                        continue
                    target = -1
                    if policy == FIFO:
                        tail = state[slot, TAIL]
                        if tail >= 0 and lots[tail, _LOT_SOURCE] == source:
                            target = tail
                    elif policy == LIFO:
                        head = state[slot, HEAD]
                        if head >= 0 and lots[head, _LOT_SOURCE] == source:
                            target = head
                    else:
                        index = state[slot, HEAD]
                        while index >= 0:
                            if lots[index, _LOT_SOURCE] == source:
                                target = index
                                break
                            index = lots[index, _LOT_NEXT]
                    if target >= 0:
                        lots[target, _LOT_AMOUNT] += value
                        continue
                    if n_lots == lots.shape[0]:
                        lots = _grow(lots)
                    lots[n_lots, _LOT_SOURCE] = source
                    lots[n_lots, _LOT_AMOUNT] = value
                    if policy == LIFO:
                        lots[n_lots, _LOT_NEXT] = state[slot, HEAD]
                        if state[slot, HEAD] < 0:
                            state[slot, TAIL] = n_lots
                        state[slot, HEAD] = n_lots
                    else:
                        lots[n_lots, _LOT_NEXT] = -1
                        if state[slot, TAIL] >= 0:
                            lots[state[slot, TAIL], _LOT_NEXT] = n_lots
                        else:
                            state[slot, HEAD] = n_lots
                        state[slot, TAIL] = n_lots
                    n_lots += 1
                n_parts = 0
            else:
                state[slot, CUR_OUT] += 1
                if policy in (FIFO, LIFO):
                    remaining = amount
                    while remaining > 0 and state[slot, HEAD] >= 0:
                        head = state[slot, HEAD]
                        take = min(lots[head, _LOT_AMOUNT], remaining)
                        lots[head, _LOT_AMOUNT] -= take
                        remaining -= take
                        if lots[head, _LOT_SOURCE] >= 0 and take > 0:
                            part_source[n_parts] = lots[head, _LOT_SOURCE]
                            part_amount[n_parts] = take
                            n_parts += 1
                            if n_parts == len(part_source):
                                part_source = np.concatenate((part_source, part_source))
                                part_amount = np.concatenate((part_amount, part_amount))
                        if lots[head, _LOT_AMOUNT] == 0:
                            state[slot, HEAD] = lots[head, _LOT_NEXT]
                            if state[slot, HEAD] < 0:
                                state[slot, TAIL] = -1
                else:
                    balance = 0
                    count = 0
                    index = state[slot, HEAD]
                    while index >= 0:
                        balance += lots[index, _LOT_AMOUNT]
                        count += 1
                        index = lots[index, _LOT_NEXT]
                    while len(part_source) <= count:
                        part_source = np.concatenate((part_source, part_source))
                        part_amount = np.concatenate((part_amount, part_amount))
                    if balance > 0:
                        n_parts = _haircut(lots, state[slot, HEAD], amount, balance, part_source, part_amount)
                carried = 0
                for j in range(n_parts):
                    carried += part_amount[j]
                state[slot, TAINTED] -= carried
                state[slot, PASSED] += carried
                from_slot = slot
                new_hop = state[slot, HOP] + 1
                if state[slot, HOP] >= max_hops:
                    state[slot, UNFOLLOWED] += carried
                    n_parts = 0
            if state[slot, TAINTED] > 0 or state[slot, PENDING] > 0:
                next_key, _ = _next_event(
                    base, delta, base_len, account, state[slot, CUR_IN], state[slot, CUR_OUT]
                )
                if next_key // 4 <= horizon:
                    heapq.heappush(heap, (next_key, slot))
            else:
                clean = 0
                index = state[slot, HEAD]
                while index >= 0:
                    clean += lots[index, _LOT_AMOUNT]
                    index = lots[index, _LOT_NEXT]
                state[slot, CLEAN] = clean
                state[slot, HEAD] = -1
                state[slot, TAIL] = -1
                state[slot, ACTIVE] = 0

        if n_parts == 0:
            continue
        if receiver in slot_of:
            target_slot = slot_of[receiver]
        else:
            if n_slots == state.shape[0]:
                state = _grow(state)
            target_slot = n_slots
            slot_of[receiver] = target_slot
            state[target_slot, ACC] = receiver
            state[target_slot, HOP] = NO_TIME
            state[target_slot, FIRST] = NO_TIME
            state[target_slot, HEAD] = -1
            state[target_slot, TAIL] = -1
            n_slots += 1
        delivered = 0
        for j in range(n_parts):
            if n_edges == edges.shape[0]:
                edges = _grow(edges)
            edges[n_edges, 0] = position
            edges[n_edges, 1] = part_source[j]
            edges[n_edges, 2] = part_amount[j]
            edges[n_edges, 3] = from_slot
            edges[n_edges, 4] = target_slot
            edges[n_edges, 5] = new_hop
            n_edges += 1
            delivered += part_amount[j]
        if cash_out[receiver]:
            state[target_slot, RECEIVED] += delivered
            state[target_slot, CASHED] += delivered
            state[target_slot, HOP] = min(state[target_slot, HOP], new_hop)
            state[target_slot, FIRST] = min(state[target_slot, FIRST], when)
            continue
        for j in range(n_parts):
            if n_arrivals == arrivals.shape[0]:
                arrivals = _grow(arrivals)
            arrivals[n_arrivals, 0] = part_source[j]
            arrivals[n_arrivals, 1] = part_amount[j]
            arrivals[n_arrivals, 2] = -1
            arrivals[n_arrivals, 3] = new_hop
            if position in pending_tail:
                arrivals[pending_tail[position], 2] = n_arrivals
            else:
                pending_head[position] = n_arrivals
            pending_tail[position] = n_arrivals
            n_arrivals += 1
        state[target_slot, PENDING] += n_parts
        if state[target_slot, ACTIVE] == 0:
            if state[target_slot, SEEN] == 0:
                first_in, first_out = _first_cursors(base, delta, base_len, receiver, scan_start)
                state[target_slot, CUR_IN] = first_in
                state[target_slot, CUR_OUT] = first_out
                state[target_slot, SEEN] = 1
            cur_in, cur_out, clean = _roll_clean(
                base, delta, base_len, receiver, state[target_slot, CUR_IN], state[target_slot, CUR_OUT],
                state[target_slot, CLEAN], 4 * when + 2,
            )  # fmt: skip
            state[target_slot, CUR_IN] = cur_in
            state[target_slot, CUR_OUT] = cur_out
            state[target_slot, CLEAN] = 0
            if clean > 0:
                if n_lots == lots.shape[0]:
                    lots = _grow(lots)
                lots[n_lots, _LOT_SOURCE] = -1
                lots[n_lots, _LOT_AMOUNT] = clean
                lots[n_lots, _LOT_NEXT] = -1
                state[target_slot, HEAD] = n_lots
                state[target_slot, TAIL] = n_lots
                n_lots += 1
            state[target_slot, ACTIVE] = 1
            next_key, _ = _next_event(base, delta, base_len, receiver, cur_in, cur_out)
            heapq.heappush(heap, (next_key, target_slot))

    holdings = np.zeros((n_lots, 3), np.int64)
    n_holdings = 0
    for slot in range(n_slots):
        index = state[slot, HEAD]
        while index >= 0:
            if lots[index, _LOT_SOURCE] >= 0 and lots[index, _LOT_AMOUNT] > 0:
                holdings[n_holdings, 0] = slot
                holdings[n_holdings, 1] = lots[index, _LOT_SOURCE]
                holdings[n_holdings, 2] = lots[index, _LOT_AMOUNT]
                n_holdings += 1
            index = lots[index, _LOT_NEXT]
    return state[:n_slots].copy(), edges[:n_edges].copy(), holdings[:n_holdings].copy()


@numba.njit(cache=True)
def _haircut(
    lots: Any, head: int, amount: int, balance: int, part_source: Any, part_amount: Any
) -> int:  # pragma: no cover
    """Take ``amount`` proportionally from every lot (拆分按比例); rounding is taken from clean money first,
    then from victims in source order. Writes the victim parts and returns how many there are."""
    n_parts = 0
    if amount >= balance:
        index = head
        while index >= 0:
            if lots[index, _LOT_SOURCE] >= 0 and lots[index, _LOT_AMOUNT] > 0:
                part_source[n_parts] = lots[index, _LOT_SOURCE]
                part_amount[n_parts] = lots[index, _LOT_AMOUNT]
                n_parts += 1
            lots[index, _LOT_AMOUNT] = 0
            index = lots[index, _LOT_NEXT]
        return n_parts
    taken = 0
    index = head
    while index >= 0:
        take = _mul_div(lots[index, _LOT_AMOUNT], amount, balance)
        lots[index, _LOT_AMOUNT] -= take
        taken += take
        if lots[index, _LOT_SOURCE] >= 0:
            part_source[n_parts] = lots[index, _LOT_SOURCE]
            part_amount[n_parts] = take
            n_parts += 1
        index = lots[index, _LOT_NEXT]
    remainder = amount - taken
    index = head
    while index >= 0 and remainder > 0:
        if lots[index, _LOT_SOURCE] < 0:
            extra = min(remainder, lots[index, _LOT_AMOUNT])
            lots[index, _LOT_AMOUNT] -= extra
            remainder -= extra
        index = lots[index, _LOT_NEXT]
    while remainder > 0:
        best = -1
        index = head
        while index >= 0:
            source = lots[index, _LOT_SOURCE]
            if (
                source >= 0
                and lots[index, _LOT_AMOUNT] > 0
                and (best < 0 or source < lots[best, _LOT_SOURCE])
            ):
                best = index
            index = lots[index, _LOT_NEXT]
        if best < 0:
            break
        extra = min(remainder, lots[best, _LOT_AMOUNT])
        lots[best, _LOT_AMOUNT] -= extra
        remainder -= extra
        for j in range(n_parts):
            if part_source[j] == lots[best, _LOT_SOURCE]:
                part_amount[j] += extra
    kept = 0
    for j in range(n_parts):
        if part_amount[j] > 0:
            part_source[kept] = part_source[j]
            part_amount[kept] = part_amount[j]
            kept += 1
    return kept


@numba.njit(cache=True)
def _payer(base: Any, delta: Any, base_len: int, position: int) -> int:  # pragma: no cover
    """The paying account of the transaction at ``position`` (binary search in the out offsets)."""
    offsets = base[0] if position < base_len else delta[0]
    offset = position if position < base_len else position - base_len
    return int(np.searchsorted(offsets, offset, side="right")) - 1


@numba.njit(cache=True)
def locate_kernel(
    base: Any, delta: Any, base_len: int, account: int, payer: int, amount: int, wanted: int, slack: int
) -> int:  # pragma: no cover
    """Position of the incoming transaction of ``account`` with ``amount`` nearest ``wanted`` within ``slack``,
    from ``payer`` when one matches (-1: any payer); -1 when there is none."""
    in_base, in_delta = _in_counts(base, delta, account)
    low, high = 0, in_base + in_delta
    while low < high:
        middle = (low + high) // 2
        if (
            _transaction(base, delta, base_len, _in_position(base, delta, account, middle))[1]
            < wanted - slack
        ):
            low = middle + 1
        else:
            high = middle
    best = -1
    best_gap = NO_TIME
    best_from_payer = False
    for k in range(low, in_base + in_delta):
        position = _in_position(base, delta, account, k)
        _, when, value = _transaction(base, delta, base_len, position)
        if when > wanted + slack:
            break
        if value != amount:
            continue
        from_payer = payer >= 0 and _payer(base, delta, base_len, position) == payer
        gap = abs(when - wanted)
        if (from_payer and not best_from_payer) or (from_payer == best_from_payer and gap < best_gap):
            best, best_gap, best_from_payer = position, gap, from_payer
    return best
