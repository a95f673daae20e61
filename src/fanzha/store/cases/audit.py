"""The hash-chained audit log (审计日志): each event's hash covers the previous hash and the event itself.

``hash = sha256(prev_hash + canonical JSON of {seq, time, actor, action, object_type, object_id, detail})``;
the first event's ``prev_hash`` is 64 zeros. Changing, removing or reordering any row breaks the chain
from that row on, which :func:`first_broken_seq` finds in one pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from fanzha.model import AuditEvent, utcnow
from fanzha.store.cases.schema import AuditEventRow

GENESIS_HASH = "0" * 64


def event_hash(
    prev_hash: str,
    *,
    seq: int,
    time: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
) -> str:
    """SHA-256 hex of ``prev_hash`` followed by the canonical JSON of the event."""
    body = {
        "seq": seq,
        "time": time.isoformat(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append_event(
    session: Session, actor: str, action: str, object_type: str, object_id: str, detail: dict[str, Any]
) -> AuditEvent:
    """Append one event inside the caller's (write) transaction and return it."""
    _lock_tail(session)
    last = session.execute(
        select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (0, GENESIS_HASH)
    fields: dict[str, Any] = {
        "seq": seq,
        "time": utcnow(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }
    event = AuditEvent(**fields, prev_hash=prev_hash, hash=event_hash(prev_hash, **fields))
    session.add(AuditEventRow(**event.model_dump()))
    session.flush()
    return event


def _lock_tail(session: Session) -> None:
    # SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL writers queue here so two
    # of them never read the same tail and fork the chain.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE"))


def first_broken_seq(rows: Iterable[AuditEventRow]) -> int | None:
    """The seq of the first event whose link or hash does not check, or None when the chain is whole."""
    expected_seq, prev_hash = 0, GENESIS_HASH
    for row in rows:
        recomputed = event_hash(
            row.prev_hash,
            seq=row.seq,
            time=row.time,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            detail=row.detail,
        )
        if row.seq != expected_seq or row.prev_hash != prev_hash or row.hash != recomputed:
            return row.seq
        expected_seq, prev_hash = row.seq + 1, row.hash
    return None


def append_events(
    session: Session, events: Sequence[tuple[str, str, str, str, dict[str, Any]]]
) -> list[AuditEvent]:
    """Append ``(actor, action, object_type, object_id, detail)`` events in order, inside the caller's write
    transaction: the tail is read once and the rows go in one batched INSERT (for sweeps of many tasks)."""
    if not events:
        return []
    _lock_tail(session)
    last = session.execute(
        select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (0, GENESIS_HASH)
    now = utcnow()
    appended: list[AuditEvent] = []
    for actor, action, object_type, object_id, detail in events:
        fields: dict[str, Any] = {
            "seq": seq,
            "time": now,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "detail": detail,
        }
        event = AuditEvent(**fields, prev_hash=prev_hash, hash=event_hash(prev_hash, **fields))
        appended.append(event)
        seq, prev_hash = seq + 1, event.hash
    session.execute(insert(AuditEventRow), [event.model_dump() for event in appended])
    return appended
