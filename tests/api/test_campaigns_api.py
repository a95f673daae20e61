"""``/campaigns``: linked reports seen from one's units — list, one, and its report–identifier graph."""

from __future__ import annotations

import pytest
from api_world import Api
from typer.testing import CliRunner

from case_reports import MULE_CARD, case
from fanzha.cli import app
from fanzha.config import get_settings


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
    return "CPN-R-NS"


def test_each_unit_sees_the_campaign_through_its_own_reports(api: Api, linked: str) -> None:
    for user, mine in (("national", ["R-NS", "R-SH"]), ("sz", ["R-NS"]), ("sh", ["R-SH"])):
        headers = api.token(user)
        listed = api.client.get("/api/v1/campaigns", headers=headers).json()
        assert [c["id"] for c in listed] == [linked]
        one = api.client.get(f"/api/v1/campaigns/{linked}", headers=headers).json()
        assert one["campaign"]["n_reports"] == 2
        assert one["reports_in_your_units"] == mine


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
