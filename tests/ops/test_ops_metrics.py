from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ops_world import GUANGDONG, ICBC, MINUTE, NANSHAN, POLICY, SHENZHEN, T0, TREE, new_task, person

from fanzha.model import Channel, Money, Payment, Report, ReportKind, TaskKind
from fanzha.ops import (
    CaseOutcome,
    Fact,
    Interception,
    Measure,
    Role,
    TaskAction,
    TaskRecord,
    TaskResult,
    aggregate,
    duration_stats,
    interception_facts,
    outcome_facts,
    report_facts,
    response_time_facts,
    task_facts,
    transition,
    year_on_year,
)
from fanzha.ops.metrics import one_year_earlier, percentile
from fanzha.sim import generate_scenario


def _case(
    report_id: str, unit: str, received: datetime, *amounts: Money, fraud_type: str | None = None
) -> Report:
    payments = tuple(
        Payment(
            from_account="6222020000000000001", to_account="6222020000000000002", amount=amount, time=received
        )
        for amount in amounts
    )
    return Report(
        id=report_id,
        channel=Channel.APP,
        received_at=received,
        reporter_unit=unit,
        payments=payments,
        declared_fraud_type=fraud_type,
    )


def _cny(yuan: int) -> Money:
    return Money(amount_minor=yuan * 100, currency="CNY")


REPORTS = [
    _case("R1", NANSHAN, T0, _cny(1_000), _cny(500), fraud_type="brushing_rebate"),
    _case("R2", SHENZHEN, T0 + timedelta(hours=15), _cny(20_000), fraud_type="fake_investment"),
    _case("R3", "440106", T0, Money(amount_minor=5_000_000, currency="USDT"), fraud_type="fake_investment"),
    Report(id="R4", kind=ReportKind.TIP, channel=Channel.WEB, received_at=T0, reporter_unit=NANSHAN),
]


def test_losses_and_counts_roll_up_the_tree_and_currencies_stay_apart() -> None:
    figures = aggregate(report_facts(REPORTS), ("unit",), tree=TREE)
    shenzhen = figures[(SHENZHEN,)]
    assert (shenzhen.count(Measure.REPORTS), shenzhen.count(Measure.CASES), shenzhen.count(Measure.TIPS)) == (
        3,
        2,
        1,
    )
    assert shenzhen.amount(Measure.LOSS) == 2_150_000
    assert figures[(NANSHAN,)].amount(Measure.LOSS) == 150_000
    province = figures[(GUANGDONG,)]
    assert province.money[Measure.LOSS] == {"CNY": 2_150_000, "USDT": 5_000_000}
    assert figures[("CN",)].count(Measure.REPORTS) == 4
    assert ("440100",) in figures
    assert ("440100",) not in aggregate(report_facts(REPORTS), ("unit",))


def test_figures_by_fraud_type_and_local_day() -> None:
    by_type = aggregate(report_facts(REPORTS), ("fraud_type",))
    assert by_type[("fake_investment",)].money[Measure.LOSS] == {"CNY": 2_000_000, "USDT": 5_000_000}
    assert by_type[(None,)].count(Measure.TIPS) == 1
    by_day = aggregate(report_facts(REPORTS), ("day",))
    # R2 came in at 17:00 UTC, already the 8th in Beijing
    assert by_day[(date(2026, 9, 8),)].count(Measure.CASES) == 1
    assert by_day[(date(2026, 9, 7),)].count(Measure.REPORTS) == 3
    classified = report_facts(REPORTS, fraud_type_of={"R4": "fake_investment.pig_butchering"})
    assert aggregate(classified, ("fraud_type",))[("fake_investment",)].count(Measure.TIPS) == 1


def _finish(record: TaskRecord, unit: str, at: datetime, result: TaskResult) -> TaskRecord:
    analyst = person(SHENZHEN, Role.ANALYST)
    handler = person(unit, Role.BANK_LIAISON if unit == ICBC else Role.INVESTIGATOR)
    record = transition(
        TREE, record, TaskAction.DISPATCH, analyst, record.task.created_at, policy=POLICY, to_unit=unit
    )
    record = transition(TREE, record, TaskAction.ACCEPT, handler, at, policy=POLICY)
    record = transition(TREE, record, TaskAction.START, handler, at, policy=POLICY)
    return transition(TREE, record, TaskAction.COMPLETE, handler, at, policy=POLICY, result=result)


def test_money_stopped_frozen_returned_and_intercepted_is_never_summed() -> None:
    stop = _finish(
        new_task(TaskKind.STOP_PAYMENT, task_id="S"), ICBC, T0 + 10 * MINUTE, TaskResult(stopped=_cny(700))
    )
    freeze = _finish(
        new_task(TaskKind.FREEZE, task_id="F"), ICBC, T0 + timedelta(hours=3), TaskResult(frozen=_cny(900))
    )
    returned = _finish(
        new_task(TaskKind.RETURN_FUNDS, task_id="B"),
        NANSHAN,
        T0 + timedelta(days=2),
        TaskResult(returned=_cny(300)),
    )
    facts = task_facts([stop, freeze, returned])
    facts += interception_facts([Interception(NANSHAN, T0, _cny(50), "brushing_rebate")])
    figures = aggregate(facts, ("unit",), tree=TREE)
    shenzhen = figures[(SHENZHEN,)]
    assert {
        measure: shenzhen.amount(measure) for measure in (Measure.STOPPED, Measure.FROZEN, Measure.RETURNED)
    } == {
        Measure.STOPPED: 70_000,
        Measure.FROZEN: 90_000,
        Measure.RETURNED: 30_000,
    }
    assert shenzhen.amount(Measure.INTERCEPTED) == 5_000
    assert (ICBC,) not in figures  # credited to the unit that asked the bank
    assert (NANSHAN,) in figures


def test_overdue_tasks_are_counted_for_the_unit_holding_them() -> None:
    late = transition(
        TREE,
        new_task(TaskKind.STOP_PAYMENT),
        TaskAction.DISPATCH,
        person(SHENZHEN, Role.ANALYST),
        T0,
        policy=POLICY,
        to_unit=NANSHAN,
    )
    due = late.task.due_at
    assert task_facts([late], now=due) == []
    [fact] = task_facts([late], now=due + MINUTE)
    assert (fact.measure, fact.unit, fact.value) == (Measure.OVERDUE_TASKS, NANSHAN, 1)
    assert aggregate([fact], ("unit",), tree=TREE)[("CN",)].count(Measure.OVERDUE_TASKS) == 1


def test_time_to_stop_payment_runs_from_the_report() -> None:
    records = [
        _finish(
            new_task(TaskKind.STOP_PAYMENT, task_id=f"S{k}"),
            ICBC,
            T0 + k * MINUTE,
            TaskResult(stopped=_cny(1)),
        )
        for k in range(1, 11)
    ]
    records = [
        TaskRecord(
            record.task.model_copy(update={"report_id": "R1"}),
            record.issuing_unit,
            record.history,
            record.result,
        )
        for record in records
    ]
    received = {"R1": T0 - 5 * MINUTE}
    facts = response_time_facts(records, received_at=received)
    stats = duration_stats(facts, TaskKind.STOP_PAYMENT)[()]
    assert (stats.count, stats.p50, stats.p90, stats.max) == (10, 10 * MINUTE, 14 * MINUTE, 15 * MINUTE)
    assert duration_stats(facts, TaskKind.FREEZE) == {}
    by_unit = duration_stats(facts, TaskKind.STOP_PAYMENT, ("unit",), tree=TREE)
    assert by_unit[("CN",)] == by_unit[(SHENZHEN,)] == stats


@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=200),
    st.sampled_from([0.5, 0.9, 0.99]),
)
def test_percentiles_are_nearest_rank(seconds: list[int], fraction: float) -> None:
    values = sorted(timedelta(seconds=value) for value in seconds)
    expected = np.percentile(np.array(seconds), fraction * 100, method="inverted_cdf")
    assert percentile(values, fraction) == timedelta(seconds=int(expected))


def _facts(day: date, cases: int, loss_yuan: int, solved: int, arrested: int) -> list[Fact]:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=4)
    reports = [_case(f"R{day}-{k}", NANSHAN, at, _cny(loss_yuan // cases)) for k in range(cases)]
    outcomes = [
        CaseOutcome(
            f"C{day}-{k}", NANSHAN, at, solved=k < solved, suspects_arrested=arrested if k == 0 else 0
        )
        for k in range(max(solved, 1))
    ]
    return report_facts(reports) + outcome_facts(outcomes)


def test_two_down_two_up_compares_the_same_days_a_year_before() -> None:
    facts = _facts(date(2025, 9, 10), 10, 100_000, 2, 3) + _facts(date(2026, 9, 10), 8, 80_000, 3, 5)
    view = year_on_year(facts, date(2026, 9, 1), date(2026, 10, 1), unit=SHENZHEN, tree=TREE)
    assert (view.cases.current, view.cases.previous) == (8, 10)
    assert (view.losses.current, view.losses.previous) == (8_000_000, 10_000_000)
    assert (view.solved.delta, view.arrested.delta) == (1, 2)
    assert view.cases.ratio == pytest.approx(-0.2)
    assert view.two_down_two_up
    more_losses = facts + _facts(date(2026, 9, 11), 1, 50_000, 0, 0)
    assert not year_on_year(more_losses, date(2026, 9, 1), date(2026, 10, 1)).two_down_two_up
    elsewhere = year_on_year(facts, date(2026, 9, 1), date(2026, 10, 1), unit="440100", tree=TREE)
    assert elsewhere.cases.current == elsewhere.cases.previous == 0
    assert elsewhere.cases.ratio is None
    with pytest.raises(ValueError, match="at most a year"):
        year_on_year(facts, date(2025, 1, 1), date(2026, 6, 1))
    with pytest.raises(ValueError, match="needs the unit tree"):
        year_on_year(facts, date(2026, 9, 1), date(2026, 10, 1), unit=SHENZHEN)


def test_a_leap_day_compares_with_the_28th() -> None:
    assert one_year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    assert one_year_earlier(date(2026, 9, 1)) == date(2025, 9, 1)


@pytest.fixture(scope="module")
def tiny_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Report]:
    path: Path = tmp_path_factory.mktemp("ops-tiny") / "scenario"
    generate_scenario(path, "tiny", seed=7)
    lines = (path / "reports.jsonl").read_text("utf-8").splitlines()
    return [Report.model_validate_json(line) for line in lines]


def test_every_figure_adds_up_on_a_simulated_week(tiny_reports: list[Report]) -> None:
    facts = report_facts(tiny_reports)
    total = aggregate(facts)[()]
    assert total.count(Measure.REPORTS) == len(tiny_reports)
    assert total.amount(Measure.LOSS) == sum(report.loss.get("CNY", 0) for report in tiny_reports)
    assert aggregate(facts, ("unit",), tree=TREE)[("CN",)] == total
    by_day = aggregate(facts, ("day",))
    assert sum(figures.amount(Measure.LOSS) for figures in by_day.values()) == total.amount(Measure.LOSS)
    by_unit = aggregate(facts, ("unit",))
    assert sum(figures.count(Measure.CASES) for figures in by_unit.values()) == total.count(Measure.CASES)
    by_all = aggregate(facts, ("unit", "fraud_type", "day"), tree=TREE)
    provinces = [code for code in TREE.children("CN") if not TREE.is_liaison(code)]
    assert sum(
        figures.count(Measure.REPORTS) for key, figures in by_all.items() if key[0] in provinces
    ) == len(tiny_reports)
    for fact in facts:
        assert fact.source
