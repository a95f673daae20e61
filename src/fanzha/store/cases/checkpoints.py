"""The audit seal (审计封印): the key that chains the audit log and the signed checkpoints that anchor it.

The chain's hashes are HMAC-SHA256 under a key kept outside the database (``FANZHA_AUDIT_KEY``, or a random key
made once in ``FANZHA_HOME/audit_key``, owner-only), so whoever can edit the database cannot recompute them. A
chain alone still cannot show a cut tail: every ``FANZHA_AUDIT_CHECKPOINT_EVERY`` events and when a process closes
the store, a checkpoint — the number of events and the last hash, signed with the key — is appended to a file in
``FANZHA_HOME/audit/`` (one per database), where a database editor cannot rewrite it to agree.

A checkpoint is written after the commit that crossed the boundary, never inside the transaction, so a rolled-back
event is never anchored. Writers append whole lines with ``O_APPEND``; lines of two processes may come in either
order, and each is checked on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from fanzha.config import get_settings
from fanzha.model import utcnow
from fanzha.store.home import home_secret

logger = logging.getLogger(__name__)

_TAIL = "fanzha_audit_tail"
_LISTENING = "fanzha_audit_listening"


@dataclass(frozen=True)
class Checkpoint:
    """``count`` events whose last hash is ``head``, seen at ``at``; ``unkeyed``: how many of the first events
    predate the key (hashed with plain SHA-256 by an older fanzha) and were anchored as they were."""

    count: int
    head: str
    at: str
    unkeyed: int = 0

    def payload(self) -> str:
        """The canonical text the signature covers."""
        return f"{self.count}:{self.head}:{self.at}:{self.unkeyed}"


@dataclass(frozen=True)
class CheckpointFile:
    """What a checkpoint file holds: the checkpoints whose signature checks, and the lines that do not."""

    checkpoints: list[Checkpoint]
    bad_lines: list[int]


class AuditSeal:
    """The audit key and the checkpoint file of one case store.

    ``every``: events between checkpoints. Keeps, per process, the last commit seen and the last count written.
    """

    def __init__(self, key: str | bytes, checkpoints: Path, *, every: int = 100) -> None:
        self._key = key.encode("utf-8") if isinstance(key, str) else key
        self.path = checkpoints
        self.every = every
        self._lock = threading.Lock()
        self._written: int | None = None
        self._pending: tuple[int, str] | None = None

    def link(self, prev_hash: str, canonical: str) -> str:
        """The keyed hash of an event: HMAC-SHA256 of the previous hash and the event's canonical JSON."""
        return hmac.new(self._key, (prev_hash + canonical).encode("utf-8"), hashlib.sha256).hexdigest()

    def _signature(self, checkpoint: Checkpoint) -> str:
        return hmac.new(self._key, b"checkpoint:" + checkpoint.payload().encode(), hashlib.sha256).hexdigest()

    def read(self) -> CheckpointFile:
        """Every checkpoint of the file (none when it does not exist); lines altered or forged are listed apart."""
        found: list[Checkpoint] = []
        bad: list[int] = []
        if not self.path.exists():
            return CheckpointFile(found, bad)
        for number, line in enumerate(self.path.read_text("utf-8").splitlines(), start=1):
            try:
                fields: dict[str, Any] = json.loads(line)
                signature = fields.pop("sig")
                checkpoint = Checkpoint(**fields)
            except (ValueError, TypeError, KeyError):
                bad.append(number)
                continue
            if hmac.compare_digest(str(signature), self._signature(checkpoint)):
                found.append(checkpoint)
            else:
                bad.append(number)
        return CheckpointFile(found, bad)

    def write(self, count: int, head: str, *, unkeyed: int = 0) -> Checkpoint:
        """Append a signed checkpoint of ``count`` events ending in ``head`` (one line, synced to disk)."""
        checkpoint = Checkpoint(count, head, utcnow().isoformat(), unkeyed)
        line = json.dumps({**asdict(checkpoint), "sig": self._signature(checkpoint)}, sort_keys=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode("utf-8"))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            self._written = max(self._written if self._written is not None else -1, count)
            if self._pending is not None and self._pending[0] <= count:
                self._pending = None
        return checkpoint

    def _last_written(self) -> int:
        # under self._lock; -1 when no checkpoint exists
        if self._written is None:
            self._written = max((c.count for c in self.read().checkpoints), default=-1)
        return self._written

    def anchored(self) -> bool:
        """Whether the file holds a checkpoint already (read once per process)."""
        with self._lock:
            return self._last_written() >= 0

    def committed(self, count: int, head: str) -> None:
        """A commit left the chain at ``count`` events ending in ``head``: checkpoint when it crossed a boundary
        (and at the first commit on a file with none)."""
        with self._lock:
            written = self._last_written()
            due = written < 0 or count // self.every > written // self.every
            self._pending = None if due else (count, head)
        if due:
            self.write(count, head)

    def flush(self) -> None:
        """Checkpoint the last commit of this process if none covers it yet (at shutdown)."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self.write(*pending)


_seals: dict[tuple[str, Path, str | None, int], AuditSeal] = {}
_seals_lock = threading.Lock()


def database_name(bind: Engine | Connection) -> str:
    """The database's URL without its password: what names its checkpoint file."""
    engine = bind.engine
    return engine.url.render_as_string(hide_password=True)


def seal_for(bind: Engine | Connection) -> AuditSeal:
    """The seal of the database behind ``bind``, from the settings (``FANZHA_AUDIT_KEY``, ``FANZHA_HOME``)."""
    settings = get_settings()
    name = database_name(bind)
    cache_key = (name, settings.home, settings.audit_key, settings.audit_checkpoint_every)
    with _seals_lock:
        seal = _seals.get(cache_key)
        if seal is None:
            key = settings.audit_key or home_secret(settings.home / "audit_key", instead="FANZHA_AUDIT_KEY")
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
            path = settings.home / "audit" / f"checkpoints-{digest}.jsonl"
            seal = _seals[cache_key] = AuditSeal(key, path, every=settings.audit_checkpoint_every)
        return seal


def track_tail(session: Session, seal: AuditSeal, count: int, head: str) -> None:
    """Remember the chain's new tail on ``session``; the seal hears of it once the session commits."""
    session.info[_TAIL] = (seal, count, head)
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    tail = session.info.pop(_TAIL, None)
    if tail is not None:
        seal, count, head = tail
        try:
            seal.committed(count, head)
        except OSError:
            logger.exception("audit checkpoint not written to %s", seal.path)


def _after_rollback(session: Session) -> None:
    session.info.pop(_TAIL, None)
