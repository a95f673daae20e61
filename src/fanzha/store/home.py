"""Secrets kept in ``FANZHA_HOME``, outside every database: the token signing key and the audit key.

A secret is made once (random, mode 0600) and then read by every process on that home, so workers and restarts
agree on it; a file that others may read is refused.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

_known: dict[Path, str] = {}
_lock = threading.Lock()


def home_secret(path: Path, *, instead: str) -> str:
    """The secret kept at ``path``, made on first use; ``instead`` names the setting that would replace it.

    Made in a private temporary file and linked into place, so two processes starting together agree on one.
    """
    path = path.absolute()
    with _lock:
        if path in _known:
            return _known[path]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)
                logger.warning("%s is not set: using the key made in %s", instead, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        if path.stat().st_mode & 0o077:
            raise PermissionError(f"{path} may be read by others: chmod 600 it or set {instead}")
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise ValueError(f"{path} holds no key of at least 32 characters: delete it to make a new one")
        _known[path] = key
        return key


def forget_home_secrets() -> None:
    """Read every home secret afresh from now on (as a new process would)."""
    with _lock:
        _known.clear()
