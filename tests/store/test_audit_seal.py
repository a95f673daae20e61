"""The keyed, anchored audit log (issue 13, case 8): whoever can edit the database (triggers dropped) can neither
cut, empty, edit, reorder nor recompute it unseen, and ``verify`` says which was done."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from case_reports import UNITS, case
from fanzha.config import get_settings
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.cases.audit import GENESIS_HASH, canonical_event, unkeyed_hash
from fanzha.store.cases.checkpoints import seal_for
from fanzha.store.cases.schema import AuditEventRow

EVERY = 4


@pytest.fixture
def store(case_store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseStore]:
    """A store with 10 audit events (one ingest, nine reads), checkpointed every 4."""
    monkeypatch.setenv("FANZHA_AUDIT_CHECKPOINT_EVERY", str(EVERY))
    get_settings.cache_clear()
    upgrade(case_store_url)
    with CaseStore(case_store_url) as opened:
        opened.add_units(UNITS)
        opened.add_reports([case("R1")])
        for n in range(9):
            opened.get_report("R1", actor=f"analyst-{n}")
        yield opened


def _tamper(store: CaseStore, *statements: str) -> None:
    """Run SQL as a database editor would, the append-only triggers dropped first."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS audit_events_append_only_{verb}"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))
        for statement in statements:
            connection.execute(text(statement))


def _problem(store: CaseStore) -> tuple[str | None, int | None]:
    verdict = store.audit_verdict()
    return verdict.problem, verdict.seq


def _checkpoint_counts(store: CaseStore) -> list[int]:
    return [c.count for c in seal_for(store.engine).read().checkpoints]


def test_a_whole_log_verifies_and_is_checkpointed_every_n_events_and_at_close(
    case_store_url: str, store: CaseStore
) -> None:
    verdict = store.audit_verdict()
    assert verdict.intact, verdict.message
    assert (verdict.events, store.verify_audit_chain()) == (10, None)
    assert _checkpoint_counts(store) == [1, 4, 8]  # the first commit, then each boundary crossed
    store.close()
    assert _checkpoint_counts(store) == [1, 4, 8, 10]  # the shutdown checkpoint
    key = get_settings().home / "audit_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(seal_for(store.engine).path.stat().st_mode) == 0o600


def test_an_edit_is_found(store: CaseStore) -> None:
    _tamper(store, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 5")
    assert _problem(store) == ("edited", 5)
    assert store.verify_audit_chain() == 5


def test_an_edit_with_the_later_hashes_recomputed_is_found(store: CaseStore) -> None:
    _tamper(store, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 5")
    _rehash_from(store, 5)
    assert _problem(store) == ("recomputed", 5)


def test_a_deletion_in_the_middle_is_found(store: CaseStore) -> None:
    _tamper(store, "DELETE FROM audit_events WHERE seq IN (3, 4)")
    assert _problem(store) == ("deleted", 3)


def test_a_deletion_renumbered_is_found(store: CaseStore) -> None:
    _tamper(
        store,
        "DELETE FROM audit_events WHERE seq = 3",
        "UPDATE audit_events SET seq = seq - 1 WHERE seq > 3",
    )
    assert _problem(store) == ("deleted", 3)


@pytest.mark.parametrize("cut", [1, 5])
def test_a_tail_cut_off_is_found(store: CaseStore, cut: int) -> None:
    store.close()  # the shutdown checkpoint names all ten events
    _tamper(store, f"DELETE FROM audit_events WHERE seq >= {10 - cut}")
    assert _problem(store) == ("truncated", 10 - cut)


def test_a_tail_cut_before_the_shutdown_checkpoint_is_found_back_to_the_last_one(store: CaseStore) -> None:
    _tamper(store, "DELETE FROM audit_events WHERE seq >= 7")  # the last checkpoint named 8 events
    assert _problem(store) == ("truncated", 7)


def test_an_emptied_log_is_found(store: CaseStore) -> None:
    _tamper(store, "DELETE FROM audit_events")
    assert _problem(store) == ("emptied", 0)
    assert store.verify_audit_chain() == 0


def test_a_reordering_is_found(store: CaseStore) -> None:
    _tamper(
        store,
        "UPDATE audit_events SET seq = 100 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 100",
    )
    assert _problem(store) == ("reordered", 4)


def test_a_chain_rebuilt_without_the_key_from_the_start_is_found(store: CaseStore) -> None:
    _tamper(store, "DELETE FROM audit_events WHERE seq >= 6")
    _rehash_from(store, 0)
    problem, seq = _problem(store)
    assert (problem, seq) == ("recomputed", 0)


def test_a_rebuilt_chain_that_checks_is_caught_by_the_checkpoints(store: CaseStore) -> None:
    """Even with the key (say it leaked), a rewritten history disagrees with the signed checkpoints."""
    store.close()
    _tamper(store, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    _rehash_from(store, 2, keyed=True)
    assert _problem(store) == ("recomputed", 3)  # the checkpoint of the first four events


def test_an_altered_checkpoint_file_is_found(store: CaseStore) -> None:
    path = seal_for(store.engine).path
    lines = path.read_text("utf-8").splitlines()
    forged = json.loads(lines[-1]) | {"count": 3}
    path.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n", "utf-8")
    assert store.audit_verdict().problem == "checkpoints"


def test_a_chain_from_before_the_key_is_anchored_as_it_was(case_store_url: str) -> None:
    upgrade(case_store_url)
    with CaseStore(case_store_url) as store:
        _write_unkeyed(store, 3)
        assert store.audit_verdict().problem == "recomputed"  # nothing vouches for plain hashes yet
        store.add_units(UNITS)
        store.add_reports([case("R1")])  # the first keyed write anchors the three events it found
        first = seal_for(store.engine).read().checkpoints[0]
        assert (first.count, first.unkeyed) == (3, 3)
        assert store.audit_verdict().intact
        _tamper(store, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
        _rehash_from(store, 1)
        assert store.audit_verdict().problem is not None


def _rows(session: Session) -> list[AuditEventRow]:
    return list(session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)))


def _rehash_from(store: CaseStore, start: int, *, keyed: bool = False) -> None:
    """Recompute every hash from ``start`` on, as an editor without the key (plain SHA-256) or with it would."""
    seal = seal_for(store.engine)
    with Session(store.engine) as session:
        rows = _rows(session)
    statements = []
    prev = rows[start - 1].hash if start else GENESIS_HASH
    for row in rows[start:]:
        canonical = canonical_event(
            seq=row.seq, time=row.time, actor=row.actor, action=row.action, object_type=row.object_type,
            object_id=row.object_id, detail=row.detail,
        )  # fmt: skip
        digest = seal.link(prev, canonical) if keyed else unkeyed_hash(prev, canonical)
        statements.append(
            f"UPDATE audit_events SET prev_hash = '{prev}', hash = '{digest}' WHERE seq = {row.seq}"
        )
        prev = digest
    _tamper(store, *statements)


def _write_unkeyed(store: CaseStore, n: int) -> None:
    """``n`` events as fanzha wrote them before the key: plain SHA-256 links."""
    prev = GENESIS_HASH
    with Session(store.engine) as session, session.begin():
        for seq in range(n):
            fields = {"seq": seq, "time": datetime(2026, 9, 1, tzinfo=UTC), "actor": "old", "action": "report.read",
                      "object_type": "report", "object_id": "R0", "detail": {}}  # fmt: skip
            digest = unkeyed_hash(prev, canonical_event(**fields))  # type: ignore[arg-type]
            session.add(AuditEventRow(**fields, prev_hash=prev, hash=digest))
            prev = digest
