"""Why each report is in its campaign: bulk and incremental provenance held to a plain-Python reference, and
the cause of every merge and split of a relinking."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from fanzha.link import (
    HubPolicy,
    IncrementalLinker,
    Linkage,
    link_mentions,
    linking_keys,
    reconcile_explained,
)

NO_HUBS = HubPolicy(allow_list={}, adaptive=False)
KEY_POOL = [f"phone:+86138000000{i:02d}" for i in range(10)] + [
    "bank_account:6222020200112233445",
    "qq:12345",
    "app:x",
]
mention_lists = st.lists(st.lists(st.sampled_from(KEY_POOL), max_size=4), min_size=1, max_size=30)


def _link(per_report: list[list[str]], policy: HubPolicy = NO_HUBS, upto: int | None = None) -> Linkage:
    chosen = per_report[:upto] if upto is not None else per_report
    report = [i for i, keys in enumerate(chosen) for _ in keys]
    keys = [k for ks in chosen for k in ks]
    ids = [f"R{i:03d}" for i in range(len(chosen))]
    return link_mentions(len(chosen), report, keys, report_ids=ids, policy=policy)


def _connected(members: list[str], reasons: dict[str, tuple[str, ...]]) -> bool:
    """Plain breadth-first search over members joined when they list a common key."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for member in members:
        for key in reasons.get(member, ()):
            by_key[key].append(member)
    seen, frontier = {members[0]}, [members[0]]
    while frontier:
        member = frontier.pop()
        for key in reasons.get(member, ()):
            for other in by_key[key]:
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return seen == set(members)


def check_provenance(per_report: list[list[str]], linkage: Linkage, suppressed: frozenset[str]) -> None:
    """Every listed key is the report's, links, and another member names it; members connect through them;
    no linking key a report shares is left out; a report alone lists nothing."""
    reasons = linking_keys(linkage).by_report()
    campaign = linkage.campaign_of()
    named = {f"R{i:03d}": set(keys) for i, keys in enumerate(per_report)}
    for members in linkage.members().values():
        if len(members) == 1:
            assert members[0] not in reasons
            continue
        for member in members:
            listed = reasons[member]
            assert listed
            assert len(set(listed)) == len(listed)
            for key in listed:
                assert key in named[member]
                assert not key.startswith("app:")
                assert key not in suppressed
                assert any(key in named[o] for o in members if o != member)
            expected = {
                k
                for k in named[member]
                if not k.startswith("app:")
                and k not in suppressed
                and any(k in named[o] for o in named if o != member)
            }
            assert set(listed) == expected
            assert all(campaign[o] == campaign[member] for o in named if named[o] & set(listed))
        assert _connected(members, reasons)


@settings(max_examples=150, deadline=None)
@given(mention_lists)
def test_bulk_provenance_matches_the_reference(per_report: list[list[str]]) -> None:
    check_provenance(per_report, _link(per_report), frozenset())


@settings(max_examples=80, deadline=None)
@given(mention_lists, st.sets(st.sampled_from(KEY_POOL), max_size=3))
def test_provenance_leaves_out_suppressed_keys(per_report: list[list[str]], cut: set[str]) -> None:
    policy = HubPolicy(allow_list={}, adaptive=False, suppress=frozenset(cut))
    check_provenance(per_report, _link(per_report, policy), frozenset(cut))


@settings(max_examples=150, deadline=None)
@given(mention_lists)
def test_incremental_provenance_equals_bulk(per_report: list[list[str]]) -> None:
    """Each event's own keys plus the keys it gave earlier reports add up to the bulk provenance."""
    linker = IncrementalLinker(NO_HUBS)
    reasons: dict[str, list[str]] = defaultdict(list)
    for i, keys in enumerate(per_report):
        event = linker.add(f"R{i:03d}", keys)
        reasons[event.report_id] += event.linked_by_keys
        for earlier, key in event.partners:
            reasons[earlier].append(key)
        if event.joined:
            assert event.linked_by in event.linked_by_keys
    bulk = linking_keys(_link(per_report)).by_report()
    assert {r: set(k) for r, k in reasons.items() if k} == {r: set(k) for r, k in bulk.items()}


@settings(max_examples=100, deadline=None)
@given(mention_lists, st.integers(1, 30))
def test_every_merge_names_a_key_joining_the_absorbed_campaign(per_report: list[list[str]], cut: int) -> None:
    first = _link(per_report, upto=cut)
    previous = first.campaign_of()
    whole = _link(per_report)
    explained = reconcile_explained(whole, previous)
    named = {f"R{i:03d}": set(keys) for i, keys in enumerate(per_report)}
    for merge in explained.merges:
        assert merge.key is not None
        assert merge.report_id is not None
        assert merge.key in named[merge.report_id]
        assert not merge.key.startswith("app:")
        assert previous.get(merge.report_id) != merge.absorbed
        assert any(merge.key in named[r] for r, c in previous.items() if c == merge.absorbed)


@settings(max_examples=100, deadline=None)
@given(mention_lists, st.sampled_from(KEY_POOL[:-1]))
def test_a_split_names_the_suppressed_key_that_held_the_reports_together(
    per_report: list[list[str]], key: str
) -> None:
    previous = _link(per_report).campaign_of()
    policy = HubPolicy(allow_list={}, adaptive=False, suppress=frozenset({key}))
    explained = reconcile_explained(_link(per_report, policy), previous)
    named = {f"R{i:03d}": set(keys) for i, keys in enumerate(per_report)}
    for split in explained.splits:
        assert split.key == key
        assert split.report_id in split.report_ids
        assert key in named[split.report_id]
        behind = [r for r, c in previous.items() if c == split.previous and r not in split.report_ids]
        assert any(key in named[r] for r in behind)
