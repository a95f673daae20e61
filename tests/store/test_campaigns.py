"""The campaign tables of the case store on SQLite and PostgreSQL: bulk saves keep ids, merges are logged and
can be undone, incremental links, all-or-nothing batches, and the input linking reads back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from case_reports import MULE_CARD, SCAM_PHONE, UNITS, case, tip
from fanzha.store.cases import CaseStore, CaseStoreError, TextMention
from fanzha.store.cases.campaigns import CampaignStore, HubRecord
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
    saved = stores.save_linking(second, merges=[("CPN-R1", "CPN-R3")])
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


def test_undo_merge_moves_reports_back_and_suppresses_the_bridge(stores: CampaignStore) -> None:
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"})
    stores.save_linking(
        {"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R1", "R4": "CPN-R4"}, merges=[("CPN-R1", "CPN-R3")]
    )
    [merge] = stores.merges("CPN-R3")
    assert stores.merge_sides(merge.id) == (["R3"], ["R1", "R2"])
    moved = stores.undo_merge(merge.id, "analyst-1", bridging_keys=[f"phone:{SCAM_PHONE}"])
    assert moved == ["R3"]
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


def test_campaigns_mentioning_an_identifier(stores: CampaignStore) -> None:
    stores.save_linking({"R1": "CPN-R1", "R2": "CPN-R1", "R3": "CPN-R3", "R4": "CPN-R4"})
    found = stores.campaigns_mentioning([("phone", SCAM_PHONE), ("qq", "123456789"), ("qq", "1")])
    assert found == {
        ("phone", SCAM_PHONE): {"CPN-R1", "CPN-R3"},
        ("qq", "123456789"): {"CPN-R4"},
        ("qq", "1"): set(),
    }
