"""The keyed, hash-chained audit log (审计日志): each event's hash covers the previous hash and the event itself.

``hash = HMAC-SHA256(key, prev_hash + canonical JSON of {seq, time, actor, action, object_type, object_id,
detail})`` with the key kept outside the database (:mod:`fanzha.store.cases.checkpoints`); the first event's
``prev_hash`` is 64 zeros. Changing, removing or reordering any row breaks the chain from that row on, and without
the key no one can recompute it; the signed checkpoints show a tail cut off or the whole log emptied.
:func:`verify_chain` finds the first break in one pass and says what it was.

Events written by fanzha before the key (plain SHA-256) are accepted as the chain's first events only when a
checkpoint anchored them (``Checkpoint.unkeyed``): the first write with a key anchors what it found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from fanzha.model import AuditEvent, utcnow
from fanzha.store.cases.checkpoints import AuditSeal, Checkpoint, CheckpointFile, seal_for, track_tail
from fanzha.store.cases.schema import AuditEventRow

GENESIS_HASH = "0" * 64


def canonical_event(
    *,
    seq: int,
    time: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
) -> str:
    """The canonical JSON of an event that its hash covers."""
    body = {
        "seq": seq,
        "time": time.isoformat(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def unkeyed_hash(prev_hash: str, canonical: str) -> str:
    """The plain SHA-256 link of the chain before it was keyed (anyone can recompute it)."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append_event(
    session: Session, actor: str, action: str, object_type: str, object_id: str, detail: dict[str, Any]
) -> AuditEvent:
    """Append one event inside the caller's (write) transaction and return it."""
    [event] = append_events(session, [(actor, action, object_type, object_id, detail)])
    return event


def _lock_tail(session: Session) -> None:
    # SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL writers queue here so two
    # of them never read the same tail and fork the chain.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE"))


def append_events(
    session: Session, events: Sequence[tuple[str, str, str, str, dict[str, Any]]]
) -> list[AuditEvent]:
    """Append ``(actor, action, object_type, object_id, detail)`` events in order, inside the caller's write
    transaction: the tail is read once and the rows go in one batched INSERT (for sweeps of many tasks).

    The seal checkpoints the new tail once the transaction commits.
    """
    if not events:
        return []
    seal = seal_for(session.get_bind())
    _lock_tail(session)
    last = session.execute(
        select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    if last is not None and not seal.anchored():
        _anchor(session, seal, last.seq + 1, last.hash)
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
        event = AuditEvent(
            **fields, prev_hash=prev_hash, hash=seal.link(prev_hash, canonical_event(**fields))
        )
        appended.append(event)
        seq, prev_hash = seq + 1, event.hash
    session.execute(insert(AuditEventRow), [event.model_dump() for event in appended])
    track_tail(session, seal, seq, prev_hash)
    return appended


def _anchor(session: Session, seal: AuditSeal, count: int, head: str) -> None:
    """Checkpoint a chain met with no checkpoint yet, counting its first events that predate the key."""
    unkeyed, prev_hash = 0, GENESIS_HASH
    for row in _rows(session):
        if (
            row.seq != unkeyed
            or row.prev_hash != prev_hash
            or row.hash != unkeyed_hash(prev_hash, _canonical(row))
        ):
            break
        unkeyed, prev_hash = unkeyed + 1, row.hash
    seal.write(count, head, unkeyed=unkeyed)


def _rows(session: Session) -> Iterator[AuditEventRow]:
    return iter(
        session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=1_000))
    )


def _canonical(row: AuditEventRow) -> str:
    return canonical_event(
        seq=row.seq, time=row.time, actor=row.actor, action=row.action, object_type=row.object_type,
        object_id=row.object_id, detail=row.detail,
    )  # fmt: skip


# --- verification ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditVerdict:
    """What ``fanzha audit verify`` found.

    ``problem``: None when the chain is whole, else one of ``edited`` (an event changed in place), ``deleted``
    (events missing from the middle), ``reordered`` (an event moved), ``recomputed`` (hashes rewritten without
    the key, or a chain that disagrees with a checkpoint), ``truncated`` (events cut from the end), ``emptied``
    (every event gone), ``checkpoints`` (a line of the checkpoint file altered). ``seq``: the first event concerned.
    """

    events: int
    checkpoints: int
    problem: str | None = None
    seq: int | None = None
    message: str = "audit chain intact"

    @property
    def intact(self) -> bool:
        """Whether nothing was found wrong."""
        return self.problem is None


def verify_chain(session: Session, seal: AuditSeal) -> AuditVerdict:
    """Check every event's link and keyed hash, then every checkpoint, and name the first thing wrong.

    Cost: one pass over the log, O(events) time and constant memory; at a break, up to one HMAC per event to
    tell a moved event from an edited one.
    """
    anchors = seal.read()
    unkeyed = max((c.unkeyed for c in anchors.checkpoints), default=0)
    count, prev_hash, heads = 0, GENESIS_HASH, {c.count: c.head for c in anchors.checkpoints}
    seen_heads: dict[int, str] = {}
    for row in _rows(session):
        problem = _link_problem(session, seal, row, count, prev_hash, unkeyed)
        if problem is not None:
            return AuditVerdict(count, len(anchors.checkpoints), *problem)
        count, prev_hash = count + 1, row.hash
        if count in heads:
            seen_heads[count] = row.hash
    return _against_checkpoints(anchors, count, seen_heads)


def _link_problem(
    session: Session, seal: AuditSeal, row: AuditEventRow, expected: int, prev_hash: str, unkeyed: int
) -> tuple[str, int, str] | None:
    canonical = _canonical(row)
    keyed = row.hash == seal.link(row.prev_hash, canonical)
    legacy = row.seq < unkeyed and row.hash == unkeyed_hash(row.prev_hash, canonical)
    if row.seq > expected:
        missing = f"{expected}" if row.seq == expected + 1 else f"{expected}–{row.seq - 1}"
        return "deleted", expected, f"audit events {missing} were deleted"
    if row.prev_hash == prev_hash and (keyed or legacy):
        return None
    if row.prev_hash == prev_hash:
        if row.hash == unkeyed_hash(row.prev_hash, canonical):
            return "recomputed", row.seq, f"audit events from {row.seq} on were rehashed without the key"
        return "edited", row.seq, f"audit event {row.seq} was changed"
    if session.scalar(select(AuditEventRow.seq).where(AuditEventRow.hash == row.prev_hash).limit(1)) is None:
        return "deleted", row.seq, f"events before audit event {row.seq} were deleted (and renumbered)"
    last = session.scalar(select(func.max(AuditEventRow.seq))) or 0
    written = _written_at(seal, row, last + 1)
    if written is not None:
        return "reordered", row.seq, f"audit event {row.seq} was written as event {written}: events moved"
    return "edited", row.seq, f"audit event {row.seq} was changed"


def _written_at(seal: AuditSeal, row: AuditEventRow, limit: int) -> int | None:
    """The seq below ``limit`` at which ``row`` checks, when not its own: it was moved (one HMAC per seq)."""
    marker = -7_777_777
    head, tail = canonical_event(
        seq=marker, time=row.time, actor=row.actor, action=row.action, object_type=row.object_type,
        object_id=row.object_id, detail=row.detail,
    ).rsplit(f'"seq":{marker}', 1)  # fmt: skip
    for seq in range(limit):
        if seq != row.seq and seal.link(row.prev_hash, f'{head}"seq":{seq}{tail}') == row.hash:
            return seq
    return None


def _against_checkpoints(anchors: CheckpointFile, count: int, heads: dict[int, str]) -> AuditVerdict:
    checkpoints = anchors.checkpoints
    total = len(checkpoints)
    if anchors.bad_lines:
        lines = ", ".join(str(n) for n in anchors.bad_lines[:10])
        return AuditVerdict(count, total, "checkpoints", None, f"checkpoint file lines {lines} do not check")
    furthest: Checkpoint | None = max(checkpoints, key=lambda c: c.count, default=None)
    if furthest is not None and furthest.count > count:
        if count == 0:
            message = f"the audit log was emptied: a checkpoint recorded {furthest.count} events"
            return AuditVerdict(count, total, "emptied", 0, message)
        message = f"audit events from {count} on were cut off: a checkpoint recorded {furthest.count} events"
        return AuditVerdict(count, total, "truncated", count, message)
    for checkpoint in sorted(checkpoints, key=lambda c: c.count):
        if checkpoint.count and heads.get(checkpoint.count) != checkpoint.head:
            message = (
                f"the chain up to event {checkpoint.count - 1} is not the one checkpointed at {checkpoint.at}: "
                "it was recomputed"
            )
            return AuditVerdict(count, total, "recomputed", checkpoint.count - 1, message)
    note = "" if total else " (no checkpoint yet: a cut tail could not be seen)"
    return AuditVerdict(
        count, total, message=f"audit chain intact: {count} events, {total} checkpoints{note}"
    )


def first_broken_seq(session: Session, seal: AuditSeal) -> int | None:
    """The seq of the first event concerned when the log is not whole (0 when emptied), else None."""
    verdict = verify_chain(session, seal)
    if verdict.intact:
        return None
    return verdict.seq if verdict.seq is not None else verdict.events
