"""The analyst console in Debian's Chromium: sign in, dashboard, a report's highlighted identifiers, its money
trace and stop-payment tasks, the task board to done, a bank desk's own tasks, and units kept apart."""

from __future__ import annotations

import io
import re
from typing import Any, cast

import pytest
from console_pages import Watch, loaded_ms, shoot, sign_in, text_box, wait_until
from console_world import ConsoleWorld, deep_traced_report
from console_world import traced_report as find_traced_report
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LOAD_LIMIT_MS = 3_000
"""From a page's load to its content shown; generous on a shared 2-core machine running other tests (the issue's
target is 1 s on the medium scenario); the measured figures are written beside the screenshots."""


@pytest.fixture(scope="module")
def traced_report(world: ConsoleWorld) -> dict[str, Any]:
    """A Shenzhen case whose money the trace finds still held in accounts, with identifiers in its narrative."""
    return find_traced_report(world, "sz")


def test_sign_in_shows_user_unit_role_and_switches_language(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    shoot(page, "login")
    sign_in(page, "sz")
    expect(page.locator("[data-test=unit]")).to_have_text("440300")
    expect(page.locator("[data-test=roles]")).to_contain_text("研判员")
    expect(page.locator("[data-nav=tasks]")).to_have_text("研交办督结")
    page.locator("[data-test=language]").click()
    expect(page.locator("[data-nav=tasks]")).to_have_text("Task board")
    expect(page.locator("[data-test=roles]")).to_contain_text("Analyst")
    page.locator("[data-test=language]").click()
    page.locator("[data-test=logout]").click()
    expect(page.locator("[data-test=sign-in]")).to_be_visible()
    page.goto("/tasks")
    expect(page).to_have_url(re.compile(r"/login"))


def test_the_token_is_renewed_before_it_expires(page: Page) -> None:
    page.clock.install()
    sign_in(page, "sz")
    with page.expect_response("**/api/v1/auth/renew") as renewal:
        page.clock.run_for("14:30")  # tokens live 15 minutes; the console renews a minute before
    assert renewal.value.status == 200
    page.locator("[data-nav=reports]").click()
    page.locator("[data-test=report-link]").first.wait_for()


def test_a_bank_desk_lands_on_its_tasks_and_sees_no_case_menus(page: Page) -> None:
    sign_in(page, "icbc")
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator("[data-nav=tasks]")).to_be_visible()
    for hidden in ("dashboard", "reports", "campaigns"):
        assert page.locator(f"[data-nav={hidden}]").count() == 0


def test_dashboard_figures_equal_the_apis(page: Page, world: ConsoleWorld) -> None:
    sign_in(page, "sz")
    page.goto("/dashboard")
    page.locator("[data-test=figures] [data-test=figure-reports]").wait_for()
    page.locator(".chart canvas").first.wait_for()
    assert loaded_ms(page, "dashboard") <= LOAD_LIMIT_MS
    metrics = cast(dict[str, Any], world.get("sz", "/metrics"))
    group = metrics["groups"][0]
    for name in ("reports", "cases", "tips", "overdue_tasks"):
        shown = page.locator(f"[data-test=figure-{name}]").get_attribute("data-value")
        assert shown == str(group["counts"].get(name, 0)), name
    for name in ("loss", "intercepted", "stopped", "frozen", "returned"):
        shown = page.locator(f"[data-test=figure-{name}]").get_attribute("data-value")
        assert shown == str(group["money"].get(name, {}).get("CNY", 0)), name
    assert int(page.locator("[data-test=figure-reports]").get_attribute("data-value") or 0) > 0
    page.wait_for_timeout(300)  # charts finish their first frame
    shoot(page, "dashboard")
    page.locator("[data-test=figure-tips]").click()
    expect(page).to_have_url(re.compile(r"/reports\?.*kind=tip"))
    page.locator(
        "[data-test=filter-type]"
    ).click()  # the drop-down and the date picker: popovers under the CSP
    page.locator(".el-select-dropdown__item").filter(has_text="刷单返利").click()
    text_box(page, "filter-since").click()
    page.locator(".el-picker-panel").first.wait_for()
    page.keyboard.press("Escape")
    page.locator("[data-test=filter-apply]").click()
    expect(page).to_have_url(re.compile(r"fraud_type=brushing_rebate"))


def test_report_identifiers_highlighted_and_personal_data_masked(
    page: Page, world: ConsoleWorld, traced_report: dict[str, Any]
) -> None:
    sign_in(page, "sz")
    page.locator("[data-nav=reports]").click()
    page.locator("[data-test=report-link]").first.wait_for()
    shoot(page, "reports")
    page.goto(f"/reports/{traced_report['id']}")
    spans = page.locator("[data-test=narrative] [data-test=span]")
    spans.first.wait_for()
    assert loaded_ms(page, "report") <= LOAD_LIMIT_MS
    reading = traced_report["reading"]
    outermost, end = [], 0  # a span inside another (a URL's host) is marked as part of it
    for span in reading["spans"]:
        if span["start"] >= end:
            outermost.append(span)
            end = span["end"]
    assert spans.count() == len(outermost)
    narrative = reading["narrative"]
    for index, span in enumerate(outermost):
        mark = spans.nth(index)
        assert mark.get_attribute("data-kind") == span["kind"]
        assert mark.inner_text() == narrative[span["start"] : span["end"]]
    account = page.locator("[data-test=victim-account]")
    if reading["victim_account"]:
        expect(account).to_contain_text("*")
    shoot(page, "report")
    page.locator("[data-test=show-personal]").click()
    expect(page.locator("[data-test=personal-shown]")).to_be_visible()
    if reading["victim_account"]:
        expect(account).not_to_contain_text("*")


def _listed(page: Page) -> list[str]:
    page.locator("[data-test=reports] .el-loading-mask").wait_for(state="hidden")
    return page.locator("[data-test=report-link]").all_inner_texts()


def test_report_inbox_pages_by_key_and_filters_by_campaign_and_needing_a_trace(
    page: Page, world: ConsoleWorld
) -> None:
    sign_in(page, "national")
    page.goto("/reports")
    page.locator("[data-test=report-link]").first.wait_for()
    first = cast(list[dict[str, Any]], world.get("national", "/reports", limit=50))
    assert _listed(page) == [line["id"] for line in first]
    assert len(first) == 50, "the world has more than a page of reports"
    page.locator("[data-test=next]").click()
    expect(page).to_have_url(re.compile(rf"before={first[-1]['id']}"))
    second = cast(list[dict[str, Any]], world.get("national", "/reports", limit=50, before=first[-1]["id"]))
    expect(page.locator("[data-test=report-link]").first).to_have_text(second[0]["id"])
    assert _listed(page) == [line["id"] for line in second]
    expect(page.locator("[data-test=page]")).to_contain_text("2")
    page.locator("[data-test=prev]").click()
    expect(page.locator("[data-test=report-link]").first).to_have_text(first[0]["id"])
    assert "before=" not in page.url

    page.locator("[data-test=filter-needs-trace]").click()
    page.locator("[data-test=filter-apply]").click()
    expect(page).to_have_url(re.compile(r"needs_trace=true"))
    waiting = cast(list[dict[str, Any]], world.get("national", "/reports", limit=50, needs_trace="true"))
    assert waiting, "some case has payments and no stop-payment task"
    expect(page.locator("[data-test=report-link]").first).to_have_text(waiting[0]["id"])
    assert _listed(page) == [line["id"] for line in waiting]
    assert page.locator("[data-test=needs-trace]").count() == len(waiting)
    shoot(page, "reports-needs-trace")
    page.locator("[data-test=needs-trace]").first.click()
    expect(page).to_have_url(re.compile(rf"/reports/{waiting[0]['id']}/trace$"))

    linked = next(
        line
        for line in cast(list[dict[str, Any]], world.get("national", "/reports", limit=200))
        if line["campaign_id"]
    )
    page.goto(f"/campaigns/{linked['campaign_id']}")
    page.locator("[data-test=campaign-inbox]").click()
    expect(page).to_have_url(re.compile(rf"campaign_id={linked['campaign_id']}"))
    members = cast(
        list[dict[str, Any]], world.get("national", "/reports", limit=50, campaign_id=linked["campaign_id"])
    )
    expect(page.locator("[data-test=report-link]").first).to_have_text(members[0]["id"])
    assert _listed(page) == [line["id"] for line in members]
    assert set(page.locator("[data-test=report-campaign]").all_inner_texts()) == {linked["campaign_id"]}


def test_trace_freeze_list_by_bank_and_stop_payment_tasks(
    page: Page, world: ConsoleWorld, traced_report: dict[str, Any]
) -> None:
    sign_in(page, "sz")
    page.goto(f"/reports/{traced_report['id']}")
    page.locator("[data-test=trace]").click()
    page.locator("[data-test=bank]").first.wait_for()
    page.reload()
    page.locator("[data-test=bank]").first.wait_for()
    assert loaded_ms(page, "trace") <= LOAD_LIMIT_MS
    freeze = traced_report["freeze"]
    shown_accounts = page.locator("[data-test=target-account]").all_inner_texts()
    assert sorted(shown_accounts) == sorted(target["account"] for target in freeze["targets"])
    banks = {target["bank"] for target in freeze["targets"]}
    assert {bank.get_attribute("data-bank") for bank in page.locator("[data-test=bank]").all()} == banks
    held = sum(target["held"]["amount_minor"] for target in freeze["targets"])
    assert page.locator("[data-test=held-total]").get_attribute("data-value") == str(held)
    expect(page.locator("[data-test=deadline]").first).to_have_class(re.compile(r"\b(overdue|ok)\b"))
    _the_money_flow_is_drawn(page, freeze)
    shoot(page, "trace")
    if "/api/v1/trace/tasks" not in cast(dict[str, Any], world.get("sz", "/../../openapi.json"))["paths"]:
        pytest.skip("needs POST /trace/tasks from main")
    page.locator("[data-test=create-tasks]").click()
    expect(page.locator("[data-test=tasks-made]")).to_be_visible()
    page.locator("[data-test=go-tasks]").click()
    cards = page.locator("[data-test=task]")
    cards.first.wait_for()
    accounts = {target["account"] for target in freeze["targets"]}
    tasks = cast(list[dict[str, Any]], world.get("sz", "/tasks", limit=500))
    made = [
        task for task in tasks if task["report_id"] == traced_report["id"] and task["kind"] == "stop_payment"
    ]
    by_bank: dict[str, set[str]] = {}
    for target in freeze["targets"]:
        by_bank.setdefault(target["bank"], set()).add(target["account"])
    assert made
    for task in made:
        bank = task["detail"]["bank"]
        assert task["unit"] == f"BANK-{bank}"
        assert {line["account"] for line in task["detail"]["accounts"]} == by_bank[bank]
    assert {line["account"] for task in made for line in task["detail"]["accounts"]} <= accounts
    assert cards.count() == len(made)


def test_trace_draws_where_the_money_went_beside_the_freeze_list(
    page: Page, world: ConsoleWorld, watch: Watch
) -> None:
    deep = deep_traced_report(world, "sz")
    sign_in(page, "sz")
    page.goto(f"/reports/{deep['id']}/trace")
    page.locator("[data-test=bank]").first.wait_for()
    _the_money_flow_is_drawn(page, deep["freeze"])
    shoot(page, "trace-flow")
    page.locator("[data-test=language]").click()
    expect(page.locator("[data-test=flow] .legend")).to_contain_text("Still holding money")
    page.locator("[data-test=language]").click()

    cyclic = _round_trip(deep["freeze"])
    page.route(
        "**/api/v1/trace",
        lambda route: route.fulfill(json=cyclic, headers={"content-type": "application/json"}),
    )
    page.reload()
    drawn = page.locator("[data-test=flow]")
    expect(drawn).to_have_attribute("data-mode", "hops")
    expect(drawn.locator(".chart")).to_have_attribute("data-drawn", "true")
    assert (drawn.get_attribute("data-links"), drawn.get_attribute("data-nodes")) == ("3", "4")
    expect(page.locator("[data-test=flow-hops]")).to_be_visible()
    expect(page.locator("[data-test=flow-truncated]")).to_contain_text("3")
    assert not watch.errors, watch.errors


def _round_trip(freeze: dict[str, Any]) -> dict[str, Any]:
    """The freeze answer with a flow that goes round: victim → mule 1 → mule 2 → mule 1 (cut from 9 transfers)."""
    first = freeze["targets"][0]["account"]
    accounts = [
        {"account": "621************0001", "kind": "victim", "hop": 0, "received_minor": 0, "held_minor": 0,
         "cashed_out_minor": 0, "unfollowed_minor": 0},
        {"account": first, "kind": "account", "hop": 1, "received_minor": 150_000, "held_minor": 80_000,
         "cashed_out_minor": 0, "unfollowed_minor": 0},
        {"account": "6222020000000000777", "kind": "account", "hop": 2, "received_minor": 100_000,
         "held_minor": 50_000, "cashed_out_minor": 0, "unfollowed_minor": 0},
    ]  # fmt: skip
    edges = [
        {"source": s, "target": t, "from_account": accounts[s]["account"], "to_account": accounts[t]["account"],
         "amount_minor": amount, "time": f"2026-09-01T0{hop}:00:00Z", "hop": hop, "victims": ["RPT-X"]}
        for s, t, amount, hop in ((0, 1, 100_000, 1), (1, 2, 100_000, 2), (2, 1, 50_000, 3))
    ]  # fmt: skip
    flow = {"accounts": accounts, "edges": edges, "edges_total": 9, "truncated": True, "cyclic": True}
    return {**freeze, "flow": flow}


HELD_COLOUR, CASH_OUT_COLOUR, VICTIM_COLOUR = (230, 162, 60), (208, 48, 80), (37, 99, 235)
"""The Sankey's colours of accounts still holding money, cash-outs and victims' own accounts (MoneyFlowChart)."""


def _the_money_flow_is_drawn(page: Page, freeze: dict[str, Any]) -> None:
    """The trace page draws the answer's flow: a Sankey of accounts (a hop tree when cyclic) with one link per
    pair of accounts, accounts still holding money and cash-outs in their colours, on a canvas that shows them,
    the freeze list's accounts framed."""
    flow = freeze["flow"]
    drawn = page.locator("[data-test=flow]")
    expect(drawn.locator(".chart")).to_have_attribute("data-drawn", "true")
    accounts, edges = flow["accounts"], flow["edges"]
    assert edges, "the traced report's flow has transfers"
    if flow["cyclic"]:
        pairs = {(e["source"], e["hop"] - 1, e["target"], e["hop"]) for e in edges}
        expect(drawn).to_have_attribute("data-mode", "hops")
    else:
        pairs = {(e["source"], e["target"]) for e in edges}
        expect(drawn).to_have_attribute("data-mode", "sankey")
    assert drawn.get_attribute("data-links") == str(len(pairs))
    touched = {e["source"] for e in edges} | {e["target"] for e in edges}
    holding = [i for i in touched if accounts[i]["kind"] == "account" and accounts[i]["held_minor"] > 0]
    cash_outs = [i for i in touched if accounts[i]["kind"] == "cash_out"]
    assert holding, "the traced report's money is still held somewhere"
    assert drawn.get_attribute("data-held") == str(len(holding))
    assert drawn.get_attribute("data-cash-outs") == str(len(cash_outs))
    listed = {accounts[i]["account"] for i in touched} & {t["account"] for t in freeze["targets"]}
    assert drawn.get_attribute("data-listed") == str(len(listed))
    shown = _colours_on_canvas(drawn.locator("canvas").first, [HELD_COLOUR, CASH_OUT_COLOUR, VICTIM_COLOUR])
    assert shown[0] > 0, "accounts holding money are drawn"
    assert shown[2] > 0, "the victim's account is drawn"
    assert (shown[1] > 0) == bool(cash_outs), "cash-outs are drawn when the money reached one"
    if flow["truncated"]:
        expect(page.locator("[data-test=flow-truncated]")).to_be_visible()


def _colours_on_canvas(canvas: Locator, colours: list[tuple[int, int, int]]) -> list[int]:
    """How many pixels of the canvas have each colour (exactly: node rectangles are drawn solid)."""
    counts: list[int] = canvas.evaluate(
        """(canvas, colours) => {
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
            const counts = colours.map(() => 0)
            for (let i = 0; i < pixels.length; i += 4)
                colours.forEach(([r, g, b], k) => {
                    if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b && pixels[i + 3] === 255) counts[k]++
                })
            return counts
        }""",
        colours,
    )
    return counts


def test_task_board_to_done_and_a_bank_desk_sees_only_its_own(page: Page, world: ConsoleWorld) -> None:
    created: dict[str, str] = {}  # task ids by bank (the server makes them)
    for bank, account in (("ICBC", "6222020000000000017"), ("CCB", "6217000000000000017")):
        body = {"kind": "stop_payment", "target": {"kind": "bank_account", "value": account},
                "amount": {"amount_minor": 120_000, "currency": "CNY"}}  # fmt: skip
        created[bank] = cast(dict[str, Any], world.post("sz", "/tasks", body))["id"]
    icbc, ccb = created["ICBC"], created["CCB"]
    world.post("sz", f"/tasks/{ccb}/dispatch", {"to_unit": "BANK-CCB"})
    sign_in(page, "sz")
    page.goto("/tasks")
    card = page.locator(f"[data-task={icbc}]")
    card.wait_for()
    shoot(page, "tasks")
    card.locator("[data-move=dispatch]").click()
    text_box(page, "to-unit").fill("BANK-ICBC")
    page.locator("[data-test=confirm-move]").click()
    expect(page.locator(f"[data-state=dispatched] [data-task={icbc}]")).to_be_visible()
    bulk: dict[int, str] = {}
    for number in (1, 2):
        body = {"kind": "freeze", "target": {"kind": "bank_account", "value": account}}
        bulk[number] = cast(dict[str, Any], world.post("sz", "/tasks", body))["id"]
    page.reload()
    for number in (1, 2):
        page.locator(f"[data-select={bulk[number]}]").click()
    page.locator("[data-test=bulk] [data-bulk=dispatch]").click()
    text_box(page, "bulk-to-unit").fill("BANK-CCB")
    page.locator("[data-test=confirm-bulk]").click()
    for number in (1, 2):
        expect(page.locator(f"[data-state=dispatched] [data-task={bulk[number]}]")).to_be_visible()
    expect(page.locator(f"[data-task={icbc}]")).to_contain_text("6222020000000000017")
    page.locator("[data-test=logout]").click()

    sign_in(page, "icbc")
    page.goto("/tasks")
    page.locator(f"[data-task={icbc}]").wait_for()
    seen = {card.get_attribute("data-task") for card in page.locator("[data-test=task]").all()}
    api_seen = {task["id"] for task in cast(list[dict[str, Any]], world.get("icbc", "/tasks", limit=500))}
    assert seen == api_seen
    assert ccb not in seen
    assert {card.get_attribute("data-unit") for card in page.locator("[data-test=task]").all()} == {
        "BANK-ICBC"
    }
    for action in ("accept", "start"):
        page.locator(f"[data-task={icbc}] [data-move={action}]").click()
        page.locator("[data-test=confirm-move]").click()
        page.locator(f"[data-task={icbc}] [data-move={action}]").wait_for(state="detached")
    page.locator(f"[data-task={icbc}] [data-move=complete]").click()
    page.locator("[data-test=confirm-move]").click()
    expect(page.locator(f"[data-state=done] [data-task={icbc}]")).to_be_visible()
    shoot(page, "tasks-bank-desk")
    done = cast(dict[str, Any], world.get("icbc", f"/tasks/{icbc}"))
    assert done["state"] == "done"
    assert done["result"]["stopped"]["amount_minor"] == 120_000
    wait_until(lambda: cast(dict[str, Any], world.get("sz", "/metrics"))["groups"][0]["money"].get("stopped"))


def test_a_city_cannot_open_another_citys_report_by_url(
    page: Page, world: ConsoleWorld, traced_report: dict[str, Any]
) -> None:
    sign_in(page, "bj")
    page.goto(f"/reports/{traced_report['id']}")
    expect(page.locator("[data-test=report-error]")).to_contain_text("无此警情")
    assert page.locator("[data-test=narrative]").count() == 0
    page.goto(f"/reports/{traced_report['id']}/trace")
    page.locator("[data-test=trace-error]").wait_for()
    assert page.locator("[data-test=target-account]").count() == 0


def test_campaign_list_and_graph(page: Page, world: ConsoleWorld) -> None:
    sign_in(page, "national")
    page.locator("[data-nav=campaigns]").click()
    page.locator("[data-test=campaign-link]").first.wait_for()
    shoot(page, "campaigns")
    largest = cast(list[dict[str, Any]], world.get("national", "/campaigns", limit=1))[0]
    page.locator("[data-test=campaign-link]").first.click()
    graph = cast(dict[str, Any], world.get("national", f"/campaigns/{largest['id']}/graph"))
    expect(page.locator("[data-test=graph]")).to_have_attribute("data-nodes", str(len(graph["nodes"])))
    page.locator("[data-test=graph] canvas").first.wait_for()
    page.reload()
    page.locator("[data-test=graph] canvas").first.wait_for()
    assert loaded_ms(page, "campaign") <= LOAD_LIMIT_MS
    page.wait_for_timeout(500)
    shoot(page, "campaign")
    shared = [node for node in graph["nodes"] if node["kind"] in ("phone", "url", "domain", "bank_account")]
    degree = {node["id"]: sum(edge["target"] == node["id"] for edge in graph["edges"]) for node in shared}
    key = max(shared, key=lambda node: degree[node["id"]])
    page.locator("[data-test=keys] .el-table__row").filter(has_text=key["label"]).first.click()
    why = page.locator("[data-test=why]")
    expect(why).to_contain_text(key["label"])
    assert why.locator("li").count() == degree[key["id"]]
    page.locator("[data-test=open-task]").click()
    expected_kind = {"phone": "block_number", "bank_account": "freeze"}.get(key["kind"], "takedown_url")
    wait_until(
        lambda: any(
            task["campaign_id"] == largest["id"] and task["kind"] == expected_kind
            for task in cast(list[dict[str, Any]], world.get("national", "/tasks", limit=500))
        )
    )


def _campaign_with_hubs(world: ConsoleWorld) -> tuple[str, list[dict[str, Any]]]:
    """A campaign whose reports name hubs or shared-mule candidates, and those (as the API lists them)."""
    for campaign in cast(list[dict[str, Any]], world.get("national", "/campaigns", limit=100)):
        hubs = cast(
            list[dict[str, Any]],
            world.get("national", "/campaigns/hubs", kind="all", campaign_id=campaign["id"], limit=200),
        )
        if hubs:
            return campaign["id"], hubs
    raise LookupError("no campaign of the world names a hub or a shared-mule candidate")


def test_campaign_hubs_with_their_evidence_and_an_analysts_keep_or_suppress(
    page: Page, world: ConsoleWorld
) -> None:
    campaign, hubs = _campaign_with_hubs(world)
    sign_in(page, "national")
    page.goto(f"/campaigns/{campaign}")
    panel = page.locator("[data-test=hubs]")
    expect(panel).to_have_attribute("data-count", str(len(hubs)))
    rows = panel.locator("[data-test=hub]")
    assert [row.get_attribute("data-key") for row in rows.all()] == [hub["key"] for hub in hubs]
    first = hubs[0]
    assert panel.locator("[data-test=hub-degree]").first.inner_text() == str(first["reports"])
    expect(rows.first).to_have_attribute("data-suppressed", str(first["suppressed"]).lower())
    expect(rows.first).to_contain_text(first["key"].partition(":")[2])
    panel.locator(".el-table__expand-icon").first.click()
    expect(panel.locator("[data-test=hub-reports]").first).to_contain_text(first["reports_in_your_units"][0])
    page.wait_for_timeout(300)
    shoot(page, "campaign-hubs")

    action = "keep" if first["suppressed"] else "suppress"
    panel.locator(f"[data-hub-action={action}]").first.click()
    text_box(page, "override-reason").fill("judged by the browser test")
    page.locator("[data-test=confirm-override]").click()
    expect(rows.first).to_have_attribute("data-override", action)
    expect(panel.locator("[data-test=hub-override]").first).to_be_visible()
    after = cast(
        list[dict[str, Any]], world.get("national", "/campaigns/hubs", kind="all", campaign_id=campaign)
    )
    override = next(hub for hub in after if hub["key"] == first["key"])["override"]
    assert (override["action"], override["actor"], override["reason"]) == (
        action,
        "national",
        "judged by the browser test",
    )
    panel.locator("[data-hub-action=clear]").first.click()
    page.locator("[data-test=confirm-override]").click()
    expect(rows.first).to_have_attribute("data-override", "")

    page.locator("[data-test=keys] .el-table__row").first.click()
    page.locator("[data-test=why]").wait_for()
    with page.expect_response("**/api/v1/campaigns/hubs/override") as answer:
        page.locator("[data-test=suppress-key]").click()
        page.locator("[data-test=confirm-override]").click()
    recorded = answer.value.json()
    assert answer.value.status == 200, recorded
    assert recorded["override"]["action"] == "suppress"
    world.post("national", "/campaigns/hubs/override", {"key": recorded["key"], "action": "clear"})


def test_public_lookup_needs_no_sign_in(page: Page, world: ConsoleWorld) -> None:
    page.goto("/lookup")
    text_box(page, "lookup-value").wait_for()
    assert loaded_ms(page, "lookup") <= LOAD_LIMIT_MS
    text_box(page, "lookup-value").fill("10086")
    page.locator("[data-test=lookup-submit]").click()
    answer = page.locator("[data-test=lookup-answer]")
    expect(answer).to_have_attribute("data-level", "service")
    expect(page.locator("[data-test=lookup-reasons] li").first).to_be_visible()
    shoot(page, "lookup")


def test_api_reference_from_local_files(page: Page) -> None:
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("fanzha API")
    shoot(page, "docs")


def test_wall_display_leads_warnings_and_excel_export(page: Page, world: ConsoleWorld) -> None:
    sign_in(page, "national")
    newest = cast(list[dict[str, Any]], world.get("national", "/reports", limit=1))[0]
    day = newest["received_at"][:10]
    since, until = f"{day}T00:00:00+08:00", f"{day}T23:59:59.999+08:00"
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/wall?day={day}")
    wall = page.locator("[data-test=wall-reports]")
    expect(page.locator("[data-test=wall-updated]")).not_to_have_text(re.compile(r"\{time\}|更新于 $"))
    metrics = cast(dict[str, Any], world.get("national", "/metrics", since=since, until=until))
    expect(wall).to_have_attribute("data-value", str(metrics["groups"][0]["counts"].get("reports", 0)))
    assert loaded_ms(page, "wall") <= LOAD_LIMIT_MS
    shoot(page, "wall")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/leads")
    page.locator("[data-test=ledger]").wait_for()
    shoot(page, "leads")
    page.goto("/warnings")
    page.locator("[data-test=warnings]").wait_for()
    shoot(page, "warnings")
    page.goto("/reports?kind=tip")
    page.locator("[data-test=report-link]").first.wait_for()
    with page.expect_download() as download:
        page.locator("[data-test=export]").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    tips = cast(list[dict[str, Any]], world.get("national", "/reports", kind="tip", limit=500))
    assert sorted(str(row[header.index("id")]) for row in rows) == sorted(tip["id"] for tip in tips)
