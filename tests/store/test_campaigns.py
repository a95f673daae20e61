"""The campaign tables of the case store on SQLite and PostgreSQL: bulk saves keep ids, merges are logged and
can be undone, incremental links, all-or-nothing batches, and the input linking reads back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from case_reports import MULE_CARD, SCAM_PHONE, T0, UNITS, VICTIM_CARD, case, tip
from fanzha.link import HubPolicy, link_mentions
from fanzha.link.mentions import keys_from_columns
from fanzha.model import Identifier, IdentifierKind, IdentifierRole, Money, Payment, Report
from fanzha.store.cases import CaseStore, CaseStoreError, TextMention
from fanzha.store.cases.campaigns import CampaignStore, HubRecord, Membership
from fanzha.store.cases.schema import AuditEventRow


@pytest.fixture
def stores(case_store: CaseStore, case_store_url: str) -> Iterator[CampaignStore]:
    case_store.add_units(UNITS)
    case_store.add_reports(
        [
            case("R1"),
            case("R2", hours=1),
            tip("R3", hours=2),
            case("R4", hours=3, payments=(), identifiers=()),
        ],
        identifiers_from_text={"R4": [TextMention("qq", "123456789", 0, 9)]},  # type: ignore[arg-type]
    )
    with CampaignStore(case_store_url) as store:
        yield store


def test_link_input_is_oldest_first_with_every_mention(stores: CampaignStore) -> None:
    data = stores.link_input()
    assert data.report_ids == ["R1", "R2", "R3", "R4"]
    assert data.fraud_types == [
        "fake_customer_service",
        "fake_customer_service",
        None,
        "fake_customer_service",
    ]
    assert data.regions == ["44", "44", "31", "44"]
    mentions = {(data.report_ids[r], k, v) for r, k, v in zip(
        data.mention_report, data.mention_kind, data.mention_value, strict=True)}  # fmt: skip
    assert ("R1", "phone", SCAM_PHONE) in mentions
    assert ("R1", "bank_account", MULE_CARD) in mentions
    assert ("R3", "phone", SCAM_PHONE) in mentions
    assert ("R4", "qq", "123456789") in mentions
    assert data.mention_report == sorted(data.mention_report)


def test_bulk_save_keeps_ids_logs_merges_and_changes_nothing_when_repeated(stores: CampaignStore) -> None:
    first = {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"}
    hub = HubRecord("phone:95588", "allow_list", True, 12, 5.0, 3.0, "bank_hotline")
    saved = stores.save_linking(first, hubs=[hub])
    assert (saved.campaigns, saved.reports_moved) == (3, 4)
    assert stores.assignments() == first
    assert [(c.id, c.n_reports) for c in stores.list_campaigns()] == [("CPN-R1", 2)]
    assert stores.hubs() == [hub]
    second = {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1", "R4": "CPN-R4"}
    saved = stores.save_linking(second, merges=[("CPN-R1", "CPN-R3", "R3", f"phone:{SCAM_PHONE}")])
    assert (saved.reports_moved, saved.merges) == (1, 1)
    assert stores.get_campaign("CPN-R3").merged_into == "CPN-R1"
    assert stores.get_campaign("CPN-R1").n_reports == 3
    assert stores.save_linking(second).reports_moved == 0
    [merge] = stores.merges("CPN-R3")
    assert (merge.kind, merge.survivor, merge.absorbed, merge.undone_at) == (
        "merge",
        "CPN-R1",
        "CPN-R3",
        None,
    )
    assert (merge.report_id, merge.key) == ("R3", f"phone:{SCAM_PHONE}")


def test_undo_merge_moves_reports_back_and_suppresses_the_bridge(stores: CampaignStore) -> None:
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"})
    stores.save_linking(
        {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1", "R4": "CPN-R4"},
        merges=[("CPN-R1", "CPN-R3", None, None)],
    )
    [merge] = stores.merges("CPN-R3")
    assert stores.merge_sides(merge.id) == (["R3"], ["R1", "R2"])
    stores.save_linking(
        {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1", "R4": "CPN-R4"},
        link_keys={"R1": [f"phone:{SCAM_PHONE}", f"bank_account:{MULE_CARD}"], "R2": [f"bank_account:{MULE_CARD}"],
                   "R3": [f"phone:{SCAM_PHONE}"]},
    )  # fmt: skip
    moved = stores.undo_merge(merge.id, "analyst-1", bridging_keys=[f"phone:{SCAM_PHONE}"])
    assert moved == ["R3"]
    assert stores.link_keys(["R1", "R2", "R3"]) == {
        "R1": [f"bank_account:{MULE_CARD}"], "R2": [f"bank_account:{MULE_CARD}"],
    }  # fmt: skip
    assert stores.assignments()["R3"] == "CPN-R3"
    assert stores.get_campaign("CPN-R3").merged_into is None
    assert stores.overrides() == {f"phone:{SCAM_PHONE}": "suppress"}
    assert stores.merges("CPN-R3")[0].undone_at is not None
    with pytest.raises(CaseStoreError, match="already undone"):
        stores.undo_merge(merge.id, "analyst-1")


def test_incremental_link_joins_and_merges_in_one_transaction(stores: CampaignStore) -> None:
    stores.record_link("R1", "CPN-R1")
    stores.record_link("R2", "CPN-R2")
    stores.record_link("R3", "CPN-R1", linked_by=f"phone:{SCAM_PHONE}", merges=[("CPN-R1", "CPN-R2", "qq:1")])
    assert stores.assignments() == {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1"}
    assert stores.get_campaign("CPN-R1").n_reports == 3
    assert stores.get_campaign("CPN-R2").merged_into == "CPN-R1"
    assert [(m.report_id, m.key) for m in stores.merges()] == [("R3", "qq:1")]


def test_a_batch_naming_an_unknown_report_writes_nothing(stores: CampaignStore) -> None:
    with pytest.raises(CaseStoreError, match="not stored"):
        stores.save_linking({"R1": "CPN-R1", "NOPE": "CPN-R1"})
    assert stores.assignments() == {}
    assert stores.list_campaigns(min_reports=0) == []


def test_reading_a_campaigns_reports_is_audited(stores: CampaignStore) -> None:
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"})
    reports = stores.campaign_reports("CPN-R1", "analyst-7")
    assert [r.id for r in reports] == ["R1", "R2"]
    assert reports[0].payments[0].to_account == MULE_CARD
    with stores.engine.connect() as connection:
        actions = connection.execute(select(AuditEventRow.actor, AuditEventRow.action)).all()
    assert ("analyst-7", "campaign.read") in actions
    keys = stores.report_keys(["R4"])
    assert keys == {"R4": [("qq", "123456789")]}


def test_overrides_are_validated_and_replaced(stores: CampaignStore) -> None:
    with pytest.raises(CaseStoreError, match="keep or suppress"):
        stores.set_override("phone:95588", "ignore", "analyst-1")
    stores.set_override("phone:95588", "keep", "analyst-1", "a spoofed hotline used by one gang")
    stores.set_override("phone:95588", "suppress", "analyst-2")
    assert stores.overrides() == {"phone:95588": "suppress"}
    stores.set_override("url:https://a.example/x/y", "keep", "analyst-3", "the gang's own page")
    records = stores.override_records(["phone:95588", "phone:10086"])
    assert [(r.key, r.action, r.actor, r.reason) for r in records.values()] == [
        ("phone:95588", "suppress", "analyst-2", "")
    ]
    assert set(stores.override_records()) == {"phone:95588", "url:https://a.example/x/y"}
    assert stores.clear_override("phone:95588", "analyst-4", "a real hotline after all")
    assert not stores.clear_override("phone:95588", "analyst-4")
    assert stores.overrides() == {"url:https://a.example/x/y": "keep"}


def test_campaigns_mentioning_an_identifier(stores: CampaignStore) -> None:
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"})
    found = stores.campaigns_mentioning([("phone", SCAM_PHONE), ("qq", "123456789"), ("qq", "1")])
    assert found == {
        ("phone", SCAM_PHONE): {"CPN-R1", "CPN-R3"},
        ("qq", "123456789"): {"CPN-R4"},
        ("qq", "1"): set(),
    }


def _campaigns_of(store: CampaignStore, include_unknown: bool = True) -> dict[str, str]:
    data = store.link_input(include_unknown=include_unknown)
    report, keys = keys_from_columns(data.mention_report, data.mention_kind, data.mention_value)
    linkage = link_mentions(
        len(data.report_ids), report, keys, report_ids=data.report_ids,
        policy=HubPolicy(allow_list={}, adaptive=False),
    )  # fmt: skip
    return linkage.campaign_of()


def _unrelated(report_id: str, hours: float, phone: str, card: str, role: IdentifierRole) -> Report:
    """A case of its own phone and mule card whose form also names the victim card in ``role``."""
    return case(
        report_id,
        hours=hours,
        payments=(
            Payment(
                from_account=VICTIM_CARD,
                to_account=card,
                amount=Money(amount_minor=90_000),
                time=T0,
                to_bank="ICBC",
            ),
        ),
        identifiers=(
            Identifier.parse(IdentifierKind.PHONE, phone),
            Identifier.parse(IdentifierKind.BANK_ACCOUNT, VICTIM_CARD, role=role),
        ),
    )


def test_a_victims_own_card_named_by_two_unrelated_reports_does_not_link_them(
    case_store: CaseStore, case_store_url: str
) -> None:
    case_store.add_units(UNITS)
    case_store.add_reports(
        [
            _unrelated("V1", 0, "13900000001", "6222020200000000011", IdentifierRole.VICTIM),
            _unrelated("V2", 1, "13900000002", "6222020200000000022", IdentifierRole.VICTIM),
            _unrelated("U1", 2, "13900000003", "6222020200000000033", IdentifierRole.UNKNOWN),
            _unrelated("U2", 3, "13900000004", "6222020200000000044", IdentifierRole.UNKNOWN),
        ]
    )
    with CampaignStore(case_store_url) as store:
        mentions = store.link_input()
        assert all(v != VICTIM_CARD for r, v in zip(mentions.mention_report, mentions.mention_value, strict=True)
                   if mentions.report_ids[r] in ("V1", "V2"))  # fmt: skip
        campaigns = _campaigns_of(store)
        assert campaigns["V1"] != campaigns["V2"]
        assert campaigns["U1"] == campaigns["U2"]  # unknown counts by default (FANZHA_LINK_UNKNOWN_ROLES)
        strict = _campaigns_of(store, include_unknown=False)
        assert len({strict[r] for r in ("V1", "V2", "U1", "U2")}) == 4
        own = set(store.report_keys(["V1"])["V1"])
        assert own == {("phone", "+8613900000001"), ("bank_account", "6222020200000000011")}


def test_bulk_provenance_is_stored_replaced_and_read_back(stores: CampaignStore) -> None:
    phone, card = f"phone:{SCAM_PHONE}", f"bank_account:{MULE_CARD}"
    first = {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1", "R4": "CPN-R4"}
    stores.save_linking(first, link_keys={"R1": [phone, card], "R2": [card, phone], "R3": [phone]})
    assert stores.link_keys(["R1", "R2", "R3", "R4"]) == {
        "R1": sorted([phone, card]), "R2": sorted([phone, card]), "R3": [phone],
    }  # fmt: skip
    assert stores.memberships(["R3", "R4"]) == [
        Membership("R3", "CPN-R1", "CPN-R1", (phone,)),
        Membership("R4", "CPN-R4", "CPN-R4", ()),
    ]
    stores.save_linking(
        first, link_keys={"R1": [card], "R2": [card]}, splits=[("CPN-R1", "CPN-R3", "R3", phone)]
    )
    assert stores.link_keys(["R1", "R2", "R3"]) == {"R1": [card], "R2": [card]}
    [split] = [m for m in stores.merges() if m.kind == "split"]
    assert (split.survivor, split.absorbed, split.report_id, split.key) == ("CPN-R3", "CPN-R1", "R3", phone)


def test_incremental_provenance_gives_the_anchor_its_key(stores: CampaignStore) -> None:
    phone = f"phone:{SCAM_PHONE}"
    stores.record_link("R1", "CPN-R1")
    stores.record_link("R2", "CPN-R1", linked_by=phone, link_keys=[phone], partners=[("R1", phone)])
    assert stores.link_keys(["R1", "R2"]) == {"R1": [phone], "R2": [phone]}
    assert [m.linked_by for m in stores.memberships(["R1", "R2"])] == [(phone,), (phone,)]
    with pytest.raises(CaseStoreError, match="not stored"):
        stores.record_link("R3", "CPN-R1", link_keys=[phone], partners=[("NOPE", phone)])
    assert stores.link_keys(["R3"]) == {}


def test_money_received_and_hub_money_round_trip(stores: CampaignStore) -> None:
    card = f"bank_account:{MULE_CARD}"
    assert stores.money_received([card, "bank_account:1"]) == {card: {"CNY": 2 * 1_250_000}}
    hub = HubRecord(card, "shared_mule", False, 12, 4.0, 3.0, None, {"CNY": 2_500_000})
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"}, hubs=[hub])
    assert stores.hubs() == [hub]
    assert stores.reports_naming([card], ["440305"]) == {card: ["R1", "R2"]}
