"""``fanzha link``, ``fanzha campaigns`` and ``fanzha eval link`` on the tiny scenario in a fresh case store."""

from __future__ import annotations

from pathlib import Path

import pytest
from link_scenario import LinkScenario
from typer.testing import CliRunner

import fanzha.cli.link  # noqa: F401  (registers the commands)
from case_reports import UNITS, tip
from fanzha.cli.app import app
from fanzha.config import get_settings
from fanzha.link import HubPolicy, link_mentions, linking_keys, reconcile
from fanzha.link.mentions import keys_from_columns
from fanzha.model import Unit
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.cases.campaigns import CampaignStore

runner = CliRunner()


@pytest.fixture
def loaded(tiny_scenario: LinkScenario, fanzha_home: Path) -> str:
    """The tiny scenario's units and reports in the case store under FANZHA_HOME; returns its URL."""
    url = get_settings().case_store_url
    upgrade(url)
    units = [
        Unit.model_validate_json(line)
        for line in (tiny_scenario.path / "units.jsonl").read_text().splitlines()
    ]
    with CaseStore(url) as store:
        store.add_units(units)
        store.add_reports(tiny_scenario.reports)
    return url


def test_link_then_list_show_and_relink_keeps_ids(loaded: str) -> None:
    result = runner.invoke(app, ["link"])
    assert result.exit_code == 0, result.output
    assert "campaigns with 2+ reports" in result.output
    with CampaignStore(loaded) as store:
        first = store.assignments()
        biggest = store.list_campaigns(limit=1)[0]
        hubs = store.hubs()
    assert any(h.suppressed and h.reason == "allow_list" for h in hubs)
    listed = runner.invoke(app, ["campaigns", "--limit", "3"])
    assert listed.exit_code == 0, listed.output
    assert biggest.id in listed.output
    shown = runner.invoke(app, ["campaigns", biggest.id])
    assert shown.exit_code == 0, shown.output
    assert "key identifiers" in shown.output
    assert "possibly related" in shown.output
    assert "why each report is here" in shown.output
    again = runner.invoke(app, ["link"])
    assert again.exit_code == 0, again.output
    with CampaignStore(loaded) as store:
        assert store.assignments() == first
    assert runner.invoke(app, ["campaigns", "--hubs"]).exit_code == 0


def test_a_keep_override_merges_and_the_merge_can_be_undone(loaded: str) -> None:
    assert runner.invoke(app, ["link"]).exit_code == 0
    with CampaignStore(loaded) as store:
        before = len(set(store.assignments().values()))
        hub = next(
            h.key for h in store.hubs() if h.suppressed and h.degree >= 3 and h.key.startswith("phone:")
        )
    assert runner.invoke(app, ["link", "--keep", hub]).exit_code == 0
    with CampaignStore(loaded) as store:
        assert len(set(store.assignments().values())) < before
        merge = store.merges()[0]
    undo = runner.invoke(app, ["campaigns", merge.survivor, "--undo-merge", str(merge.id)])
    assert undo.exit_code == 0, undo.output
    assert "moved back" in undo.output


def _check_stored_provenance(url: str) -> None:
    """Every report of a stored campaign of two or more lists keys another member names; alone, none."""
    with CampaignStore(url) as store:
        members: dict[str, list[str]] = {}
        for report_id, campaign in store.assignments().items():
            members.setdefault(campaign, []).append(report_id)
        reasons = store.link_keys(list(store.assignments()))
        named = {
            rid: {f"{k}:{v}" for k, v in pairs} for rid, pairs in store.report_keys(list(reasons)).items()
        }
    for ids in members.values():
        for report_id in ids:
            keys = reasons.get(report_id, [])
            assert bool(keys) == (len(ids) > 1), (report_id, keys)
            for key in keys:
                assert any(
                    key in named.get(other, set()) or key.startswith("domain:")
                    for other in ids
                    if other != report_id
                )


def test_bulk_linking_records_why_every_report_is_in_its_campaign(loaded: str) -> None:
    assert runner.invoke(app, ["link"]).exit_code == 0
    _check_stored_provenance(loaded)
    with CampaignStore(loaded) as store:
        assert all(m.linked_by for m in store.memberships(list(store.assignments())) if m.linked_by)


def test_unknown_campaign_is_an_error(loaded: str) -> None:
    result = runner.invoke(app, ["campaigns", "CPN-NOPE"])
    assert result.exit_code == 1


def test_eval_link_prints_bcubed_on_a_scenario(tiny_scenario: LinkScenario) -> None:
    """On 300 reports one gang's shared site can pull precision under target (exit 1); the table still prints."""
    result = runner.invoke(app, ["eval", "link", "--scenario", str(tiny_scenario.path)])
    assert "precision" in result.output
    assert "no hub rules" in result.output
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_new_reports_linked_one_by_one_match_a_bulk_relink(
    tiny_scenario: LinkScenario, fanzha_home: Path
) -> None:
    """Same hubs (those of the first bulk run), same campaigns and ids, whether linked in bulk or one by one."""
    url = get_settings().case_store_url
    upgrade(url)
    units = [
        Unit.model_validate_json(line)
        for line in (tiny_scenario.path / "units.jsonl").read_text().splitlines()
    ]
    with CaseStore(url) as store:
        store.add_units(units)
        store.add_reports(tiny_scenario.reports[:200])
        assert runner.invoke(app, ["link"]).exit_code == 0
        store.add_reports(tiny_scenario.reports[200:])
    with CampaignStore(url) as campaigns:
        before = campaigns.assignments()
        hubs = {h.key for h in campaigns.hubs() if h.suppressed}
    result = runner.invoke(app, ["link", "--new-only"])
    assert result.exit_code == 0, result.output
    assert "100 new report(s) linked" in result.output
    with CampaignStore(url) as campaigns:
        incremental = campaigns.assignments()
        data = campaigns.link_input()
    report, keys = keys_from_columns(data.mention_report, data.mention_kind, data.mention_value)
    bulk = link_mentions(len(data.report_ids), report, keys, report_ids=data.report_ids,
                         policy=HubPolicy(adaptive=False, suppress=hubs))  # fmt: skip
    names, _, _ = reconcile(bulk.report_ids, bulk.founder, before)
    assert dict(zip(bulk.report_ids, names, strict=True)) == incremental
    _check_stored_provenance(url)
    with CampaignStore(url) as campaigns:
        stored = {r: set(k) for r, k in campaigns.link_keys(bulk.report_ids).items()}
    assert stored == {r: set(k) for r, k in linking_keys(bulk).by_report().items()}


@pytest.mark.parametrize(("setting", "linked"), [("true", True), ("false", False)])
def test_unknown_roles_link_unless_the_centre_turns_them_off(
    fanzha_home: Path, monkeypatch: pytest.MonkeyPatch, setting: str, linked: bool
) -> None:
    """Two tips (two provinces) naming one phone of unknown role: linked by default, apart with
    FANZHA_LINK_UNKNOWN_ROLES=false."""
    monkeypatch.setenv("FANZHA_LINK_UNKNOWN_ROLES", setting)
    get_settings.cache_clear()
    url = get_settings().case_store_url
    upgrade(url)
    with CaseStore(url) as store:
        store.add_units(UNITS)
        store.add_reports([tip("T1"), tip("T2", hours=1, reporter_unit="440305")])
    assert runner.invoke(app, ["link"]).exit_code == 0
    with CampaignStore(url) as campaigns:
        assignments = campaigns.assignments()
    assert (assignments["T1"] == assignments["T2"]) is linked
    get_settings.cache_clear()


def test_suppressing_the_key_that_held_a_campaign_logs_a_split_with_that_key(loaded: str) -> None:
    assert runner.invoke(app, ["link"]).exit_code == 0
    with CampaignStore(loaded) as store:
        members: dict[str, list[str]] = {}
        for report_id, campaign in store.assignments().items():
            members.setdefault(campaign, []).append(report_id)
        pairs = [ids for ids in members.values() if len(ids) == 2]
        reasons = store.link_keys([r for ids in pairs for r in ids])
    ids = next(ids for ids in pairs if len(reasons[ids[0]]) == 1 and reasons[ids[0]] == reasons[ids[1]])
    [key] = reasons[ids[0]]
    result = runner.invoke(app, ["link", "--suppress", key])
    assert result.exit_code == 0, result.output
    with CampaignStore(loaded) as store:
        assert store.assignments()[ids[0]] != store.assignments()[ids[1]]
        splits = [m for m in store.merges() if m.kind == "split"]
        assert [(m.key, m.report_id in ids) for m in splits] == [(key, True)]
        assert store.link_keys(ids) == {}
