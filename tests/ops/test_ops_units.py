from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ops_world import (
    ALL_ROLES,
    FUTIAN,
    GUANGDONG,
    GUANGZHOU,
    HANGZHOU,
    ICBC,
    NANSHAN,
    POLICY,
    SHENZHEN,
    STAFF,
    T0,
    TREE,
    new_task,
    person,
)

from fanzha.model import Task, TaskKind, TaskState, Unit, UnitLevel
from fanzha.ops import (
    ACTION_ROLES,
    ACTION_SCOPE,
    READ_ROLES,
    TRANSITIONS,
    Actor,
    InvalidOperationError,
    LeadAction,
    NotPermittedError,
    Resource,
    Role,
    StaffDirectory,
    TaskAction,
    TaskRecord,
    UnitTree,
    WarningAction,
    may_read,
    transition,
    visible_tasks,
)
from fanzha.ops.units import escalation_target


def _reference_sees(parents: dict[str, str | None], viewer: str, owner: str) -> bool:
    code: str | None = owner
    while code is not None:
        if code == viewer:
            return True
        code = parents[code]
    return False


def test_ancestor_checks_match_walking_up_the_simulator_tree() -> None:
    parents = {unit.code: unit.parent for unit in TREE_UNITS}
    for viewer in parents:
        for owner in parents:
            assert TREE.can_see(viewer, owner) == _reference_sees(parents, viewer, owner)


TREE_UNITS = [TREE.unit(code) for code in TREE.visible_units("CN")]


def test_visible_units_are_the_unit_and_its_descendants() -> None:
    assert set(TREE.visible_units(SHENZHEN)) == {SHENZHEN, "440303", FUTIAN, NANSHAN, "440306", "440307"}
    assert TREE.visible_units(NANSHAN) == (NANSHAN,)
    assert len(TREE.visible_units("CN")) == len(TREE)
    assert not TREE.can_see(SHENZHEN, GUANGZHOU)
    assert not TREE.can_see(NANSHAN, SHENZHEN)
    assert TREE.ancestors(NANSHAN) == (SHENZHEN, GUANGDONG, "CN")
    assert TREE.depth(NANSHAN) == 3
    assert TREE.is_liaison(ICBC)
    assert not TREE.is_liaison(SHENZHEN)


def test_bad_trees_are_refused() -> None:
    root = Unit(code="CN", name="national", level=UnitLevel.NATIONAL)
    with pytest.raises(InvalidOperationError, match="twice"):
        UnitTree([root, root])
    with pytest.raises(InvalidOperationError, match="unknown parent"):
        UnitTree([root, Unit(code="A", name="a", level=UnitLevel.CITY, parent="B")])
    cycle = [
        Unit(code="A", name="a", level=UnitLevel.CITY, parent="B"),
        Unit(code="B", name="b", level=UnitLevel.CITY, parent="A"),
    ]
    with pytest.raises(InvalidOperationError, match="cycle"):
        UnitTree([root, *cycle])
    with pytest.raises(InvalidOperationError, match="unknown unit"):
        TREE.can_see("CN", "nowhere")


@st.composite
def _trees(draw: st.DrawFn) -> tuple[UnitTree, dict[str, str | None]]:
    size = draw(st.integers(min_value=1, max_value=30))
    parents: dict[str, str | None] = {"U0": None}
    for index in range(1, size):
        parent = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=index - 1)))
        parents[f"U{index}"] = None if parent is None else f"U{parent}"
    order = draw(st.permutations(list(parents)))
    units = [Unit(code=code, name=code, level=UnitLevel.CITY, parent=parents[code]) for code in order]
    return UnitTree(units), parents


@given(_trees())
def test_can_see_matches_the_reference_on_random_trees(world: tuple[UnitTree, dict[str, str | None]]) -> None:
    tree, parents = world
    for viewer in parents:
        visible = {owner for owner in parents if _reference_sees(parents, viewer, owner)}
        assert set(tree.visible_units(viewer)) == visible
        for owner in parents:
            assert tree.can_see(viewer, owner) == (owner in visible)


def _record(unit: str, issuing_unit: str) -> TaskRecord:
    task = Task(id="T", kind=TaskKind.FREEZE, unit=unit, created_at=T0, due_at=T0 + timedelta(hours=1))
    return TaskRecord(task=task, issuing_unit=issuing_unit, history=())


@given(_trees(), st.data())
def test_a_unit_never_sees_a_siblings_task(
    world: tuple[UnitTree, dict[str, str | None]], data: st.DataObject
) -> None:
    tree, parents = world
    sibling_pairs = [
        (a, b)
        for a in parents
        for b in parents
        if a != b and parents[a] is not None and parents[a] == parents[b]
    ]
    if not sibling_pairs:
        return
    mine, theirs = data.draw(st.sampled_from(sibling_pairs))
    viewer_unit = data.draw(st.sampled_from(list(tree.visible_units(mine))))
    roles = data.draw(st.frozensets(st.sampled_from(list(Role)), min_size=1))
    owner = data.draw(st.sampled_from(list(tree.visible_units(theirs))))
    issuer = data.draw(st.sampled_from(list(tree.visible_units(theirs))))
    actor = Actor("someone", viewer_unit, roles)
    record = _record(owner, issuer)
    for resource in Resource:
        if resource not in (Resource.IDENTIFIER_RISK,):
            assert not may_read(tree, actor, resource, owner, issuer)
    assert visible_tasks(tree, actor, [record]) == []


def test_staff_see_their_subtree_and_what_they_issued() -> None:
    analyst = person(SHENZHEN, Role.ANALYST)
    assert may_read(TREE, analyst, Resource.TASK, NANSHAN, SHENZHEN)
    assert may_read(TREE, analyst, Resource.TASK, ICBC, SHENZHEN)  # a request it sent to a bank
    assert not may_read(TREE, analyst, Resource.TASK, ICBC, HANGZHOU)
    assert not may_read(TREE, analyst, Resource.REPORT, GUANGDONG)
    assert may_read(TREE, person(GUANGDONG, Role.SUPERVISOR), Resource.REPORT, NANSHAN)
    assert not may_read(TREE, analyst, Resource.AUDIT, SHENZHEN)
    assert not may_read(TREE, analyst, Resource.TASK)


def test_a_bank_liaison_sees_only_requests_addressed_to_its_bank() -> None:
    liaison = person(ICBC, Role.BANK_LIAISON)
    assert may_read(TREE, liaison, Resource.TASK, ICBC, SHENZHEN)
    assert not may_read(TREE, liaison, Resource.TASK, "BANK-CCB", SHENZHEN)
    assert not may_read(TREE, liaison, Resource.TASK, SHENZHEN, ICBC)
    assert not may_read(TREE, liaison, Resource.REPORT, ICBC)
    assert not may_read(TREE, liaison, Resource.PERSONAL_DATA, ICBC)
    ours = _record(ICBC, SHENZHEN)
    assert visible_tasks(TREE, liaison, [ours, _record("BANK-CCB", SHENZHEN)]) == [ours]


def test_the_public_reads_only_identifier_risk() -> None:
    public = Actor.of("anyone", "CN", Role.PUBLIC)
    readable = {resource for resource in Resource if may_read(TREE, public, resource, "CN", "CN")}
    assert readable == {Resource.IDENTIFIER_RISK}


def test_permission_tables_cover_every_action_and_resource() -> None:
    for action in (*TaskAction, *LeadAction, *WarningAction):
        assert action in ACTION_ROLES
        assert action in ACTION_SCOPE
    assert set(TRANSITIONS) <= set(TaskAction)
    assert set(READ_ROLES) == set(Resource)
    assert not any(Role.PUBLIC in roles for roles in ACTION_ROLES.values())
    assert not any(Role.ADMIN in roles for roles in ACTION_ROLES.values())


def test_actors_in_the_wrong_unit_or_role_are_refused() -> None:
    record = transition(
        TREE,
        new_task(),
        TaskAction.DISPATCH,
        person(SHENZHEN, Role.ANALYST),
        T0,
        policy=POLICY,
        to_unit=NANSHAN,
    )
    with pytest.raises(NotPermittedError, match="analyst"):
        transition(TREE, record, TaskAction.ACCEPT, person(NANSHAN, Role.ANALYST), T0, policy=POLICY)
    with pytest.raises(NotPermittedError, match="only 440305"):
        transition(TREE, record, TaskAction.ACCEPT, person(FUTIAN, Role.INVESTIGATOR), T0, policy=POLICY)
    with pytest.raises(NotPermittedError, match="only 440305"):
        transition(TREE, record, TaskAction.ACCEPT, person(SHENZHEN, *ALL_ROLES), T0, policy=POLICY)
    with pytest.raises(NotPermittedError):
        transition(TREE, record, TaskAction.REJECT, person(NANSHAN, Role.ADMIN), T0, policy=POLICY, note="x")


def test_escalation_goes_to_the_nearest_unit_above_with_supervisors() -> None:
    assert escalation_target(TREE, STAFF, NANSHAN, 1) is not None
    target = escalation_target(TREE, STAFF, NANSHAN, 1)
    assert target is not None
    assert target.unit == SHENZHEN
    assert target.supervisors == ("second-supervisor@440300", "supervisor@440300")
    assert escalation_target(TREE, STAFF, NANSHAN, 3) == escalation_target(TREE, STAFF, GUANGDONG, 1)
    assert escalation_target(TREE, STAFF, NANSHAN, 4) is None
    no_city_supervisor = StaffDirectory([person("CN", Role.SUPERVISOR), person(GUANGDONG, Role.SUPERVISOR)])
    passed_over = escalation_target(TREE, no_city_supervisor, NANSHAN, 1)
    assert passed_over is not None
    assert passed_over.unit == GUANGDONG
    root = escalation_target(TREE, STAFF, "CN", 1)
    assert root is not None
    assert root.unit == "CN"
    assert escalation_target(TREE, STAFF, "CN", 2) is None
    nobody = escalation_target(TREE, StaffDirectory([]), NANSHAN, 2)
    assert nobody is not None
    assert (nobody.unit, nobody.supervisors) == (GUANGDONG, ())


def test_task_states_in_the_tables_are_model_states() -> None:
    for move in TRANSITIONS.values():
        assert move.sources <= set(TaskState)
