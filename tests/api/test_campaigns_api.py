"""``/campaigns``: linked reports seen from one's units — list, one, and its report–identifier graph."""

from __future__ import annotations

import pytest
from api_world import Api
from sqlalchemy import select
from typer.testing import CliRunner

from case_reports import MULE_CARD, case
from fanzha.cli import app
from fanzha.config import get_settings
from fanzha.link import campaign_name
from fanzha.model import Identifier, IdentifierKind
from fanzha.store.cases.schema import AuditEventRow


@pytest.fixture
def linked(api: Api, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two reports, one in 440305 and one in 310000, sharing a phone and a mule card, linked by ``fanzha link``."""
    api.store.add_reports(
        [case("R-NS", reporter_unit="440305"), case("R-SH", hours=1, reporter_unit="310000")]
    )
    monkeypatch.setenv("FANZHA_DATABASE_URL", api.store.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["link", "--actor", "test"])
    assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    return campaign_name("R-NS")


def test_each_unit_sees_the_campaign_through_its_own_reports(api: Api, linked: str) -> None:
    """Issue 13, case 7: a unit is told how many of the campaign's reports are its own, never the total, and
    no other unit's report is named as the founder."""
    for user, mine in (("national", ["R-NS", "R-SH"]), ("sz", ["R-NS"]), ("sh", ["R-SH"])):
        headers = api.token(user)
        listed = api.client.get("/api/v1/campaigns?min_reports=1", headers=headers).json()
        assert [(c["id"], c["n_reports"], c["founder_report_id"]) for c in listed] == [
            (linked, len(mine), mine[0])
        ]
        one = api.client.get(f"/api/v1/campaigns/{linked}", headers=headers).json()
        assert (one["campaign"]["n_reports"], one["campaign"]["founder_report_id"]) == (len(mine), mine[0])
        assert one["reports_in_your_units"] == mine
        if user == "sh":  # neither the id nor any field names Nanshan's founding report
            assert "R-NS" not in api.client.get("/api/v1/campaigns?min_reports=1", headers=headers).text
            assert "R-NS" not in api.client.get(f"/api/v1/campaigns/{linked}", headers=headers).text
        by_default = api.client.get("/api/v1/campaigns", headers=headers).json()
        assert [c["id"] for c in by_default] == ([linked] if len(mine) >= 2 else [])  # two of yours at least


def test_graph_shows_what_linked_the_reports(api: Api, linked: str) -> None:
    graph = api.client.get(f"/api/v1/campaigns/{linked}/graph", headers=api.token("national")).json()
    card = f"bank_account:{MULE_CARD}"
    assert {("report:R-NS", card), ("report:R-SH", card)} <= {
        (e["source"], e["target"]) for e in graph["edges"]
    }
    mine = api.client.get(f"/api/v1/campaigns/{linked}/graph", headers=api.token("sz")).json()
    assert {n["id"] for n in mine["nodes"] if n["kind"] == "report"} == {"report:R-NS"}


def test_campaigns_outside_ones_units_do_not_exist(api: Api, linked: str) -> None:
    gd_units_only = api.client.get("/api/v1/campaigns/CPN-NOPE", headers=api.token("sz"))
    assert gd_units_only.status_code == 404
    assert api.client.get("/api/v1/campaigns", headers=api.token("citizen")).status_code == 403


def test_the_campaign_answer_says_why_each_report_is_in_it(api: Api, linked: str) -> None:
    card = f"bank_account:{MULE_CARD}"
    one = api.client.get(f"/api/v1/campaigns/{linked}", headers=api.token("national")).json()
    why = {w["report_id"]: w for w in one["why"]}
    assert set(why) == {"R-NS", "R-SH"}
    for entry in why.values():
        assert card in entry["linked_by"]
        assert entry["first_joined"] == linked
    mine = api.client.get(f"/api/v1/campaigns/{linked}", headers=api.token("sz")).json()
    assert [w["report_id"] for w in mine["why"]] == ["R-NS"]


FRAUD_TYPES = ("fake_loan", "fake_credit", "brushing_rebate", "fake_investment")


@pytest.fixture
def shared_mule(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve victims of four fraud types in two units who all paid one card (and one wallet), in pairs sharing
    a phone, linked by ``fanzha link``."""
    api.store.add_reports(
        [
            case(f"R-{i:02d}", hours=i, reporter_unit="440305" if i % 2 else "310000",
                 declared_fraud_type=FRAUD_TYPES[i % 4],
                 identifiers=(Identifier.parse(IdentifierKind.PHONE, f"1390000{i // 2:04d}"),))
            for i in range(12)
        ]
    )  # fmt: skip
    monkeypatch.setenv("FANZHA_DATABASE_URL", api.store.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["link", "--actor", "test"])
    assert result.exit_code == 0, result.output
    assert "shared-mule candidates (共用卡)" in result.output
    get_settings.cache_clear()


def test_shared_mule_candidates_are_listed_with_evidence_and_kept_as_links(
    api: Api, shared_mule: None
) -> None:
    card = f"bank_account:{MULE_CARD}"
    listed = api.client.get("/api/v1/campaigns/hubs", headers=api.token("national")).json()
    mule = next(h for h in listed if h["key"] == card)
    assert (mule["reason"], mule["suppressed"], mule["reports"]) == ("shared_mule", False, 12)
    assert mule["type_spread"] == pytest.approx(4.0)
    assert mule["money"] == {"CNY": 12 * 1_250_000}
    assert mule["n_reports_in_your_units"] == 12
    assert all(h["reason"] == "shared_mule" for h in listed)
    campaigns = api.client.get("/api/v1/campaigns", headers=api.token("national")).json()
    assert [c["n_reports"] for c in campaigns] == [12]
    mine = api.client.get("/api/v1/campaigns/hubs", headers=api.token("sz")).json()
    assert next(h for h in mine if h["key"] == card)["n_reports_in_your_units"] == 6
    hubs = api.client.get("/api/v1/campaigns/hubs?kind=hub", headers=api.token("national")).json()
    assert not any(h["key"].startswith(("bank_account:", "crypto_wallet:")) for h in hubs)


def test_a_bad_hub_kind_is_a_problem(api: Api) -> None:
    answer = api.client.get("/api/v1/campaigns/hubs?kind=cards", headers=api.token("national"))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert api.client.get("/api/v1/campaigns/hubs", headers=api.token("citizen")).status_code == 403


def _relink(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANZHA_DATABASE_URL", api.store.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["link", "--actor", "test"])
    assert result.exit_code == 0, result.output
    get_settings.cache_clear()


def test_an_analyst_suppresses_a_shared_mule_and_the_next_linking_splits_on_it(
    api: Api, shared_mule: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = f"bank_account:{MULE_CARD}"
    campaign = api.client.get("/api/v1/campaigns", headers=api.token("national")).json()[0]["id"]
    body = {"key": card, "action": "suppress", "reason": "the payroll account of a shop, not a mule"}
    answer = api.client.post("/api/v1/campaigns/hubs/override", json=body, headers=api.token("sz"))
    assert answer.status_code == 200, answer.text
    override = answer.json()["override"]
    assert (answer.json()["key"], override["action"], override["actor"]) == (card, "suppress", "sz")
    assert override["reason"] == body["reason"]
    listed = api.client.get(
        f"/api/v1/campaigns/hubs?kind=all&campaign_id={campaign}", headers=api.token("national")
    ).json()
    mule = next(hub for hub in listed if hub["key"] == card)
    assert (mule["override"]["action"], mule["suppressed"]) == ("suppress", False)  # until the next linking
    with api.store.engine.connect() as connection:
        events = connection.execute(
            select(AuditEventRow.actor, AuditEventRow.action, AuditEventRow.object_id)
        )
        assert ("sz", "link.suppress", card) in set(events)

    wallet = next(hub["key"] for hub in listed if hub["key"].startswith("crypto_wallet:"))
    also = {"key": wallet, "action": "suppress", "reason": "an exchange's deposit address"}
    assert (
        api.client.post("/api/v1/campaigns/hubs/override", json=also, headers=api.token("sz")).status_code
        == 200
    )
    _relink(api, monkeypatch)
    sizes = [
        c["n_reports"] for c in api.client.get("/api/v1/campaigns", headers=api.token("national")).json()
    ]
    assert sizes == []  # nothing else links them: the pairs' phones are bridge hubs
    mule = next(
        hub for hub in api.client.get("/api/v1/campaigns/hubs?kind=all", headers=api.token("national")).json()
        if hub["key"] == card
    )  # fmt: skip
    assert (mule["reason"], mule["suppressed"]) == ("analyst", True)

    cleared = api.client.post(
        "/api/v1/campaigns/hubs/override",
        json={"key": card, "action": "clear"},
        headers=api.token("national"),
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["override"] is None
    with api.store.engine.connect() as connection:
        events = connection.execute(
            select(AuditEventRow.actor, AuditEventRow.action, AuditEventRow.object_id)
        )
        assert ("national", "link.clear", card) in set(events)
    _relink(api, monkeypatch)
    sizes = [
        c["n_reports"] for c in api.client.get("/api/v1/campaigns", headers=api.token("national")).json()
    ]
    assert sizes == [12]  # the card links them all again, the wallet still suppressed


def test_only_analysts_override_and_only_keys_their_units_reports_name(api: Api, shared_mule: None) -> None:
    card = f"bank_account:{MULE_CARD}"
    for user in ("ns", "citizen"):  # an investigator, the public
        answer = api.client.post(
            "/api/v1/campaigns/hubs/override", json={"key": card, "action": "keep"}, headers=api.token(user)
        )
        assert answer.status_code == 403
    unknown = {"key": "phone:+8613800000000", "action": "suppress"}
    answer = api.client.post("/api/v1/campaigns/hubs/override", json=unknown, headers=api.token("sz"))
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    bad = api.client.post(
        "/api/v1/campaigns/hubs/override", json={"key": card, "action": "ignore"}, headers=api.token("sz")
    )
    assert bad.status_code == 422
    assert (
        api.client.get("/api/v1/campaigns/hubs?campaign_id=CPN-NOPE", headers=api.token("sz")).status_code
        == 404
    )


def test_a_campaigns_hubs_are_those_its_reports_name(
    api: Api, shared_mule: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    lone = case(
        "R-LONE", hours=20, narrative="对方让我下载软件。", payments=(),
        identifiers=(Identifier.parse(IdentifierKind.PHONE, "13900009999"),),
    )  # fmt: skip
    api.store.add_reports([lone])
    _relink(api, monkeypatch)
    card = f"bank_account:{MULE_CARD}"
    headers = api.token("national")
    big = api.client.get("/api/v1/campaigns", headers=headers).json()[0]["id"]
    hubs = api.client.get(f"/api/v1/campaigns/hubs?kind=all&campaign_id={big}", headers=headers).json()
    assert card in {hub["key"] for hub in hubs}
    graph = api.client.get(f"/api/v1/campaigns/{big}/graph", headers=headers).json()
    assert {hub["key"] for hub in hubs} <= {node["id"] for node in graph["nodes"]}
    alone = api.client.get(
        f"/api/v1/campaigns/hubs?kind=all&campaign_id={campaign_name('R-LONE')}", headers=headers
    )
    assert alone.status_code == 200, alone.text
    assert alone.json() == []
    assert card in {hub["key"] for hub in api.client.get("/api/v1/campaigns/hubs", headers=headers).json()}
