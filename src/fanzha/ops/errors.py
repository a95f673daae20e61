"""Errors of the operations room: each names the object, its state and what was asked of it."""

from __future__ import annotations


class OpsError(Exception):
    """Base of the operations errors."""


class IllegalTransitionError(OpsError):
    """An action that the object's current state does not allow (e.g. closing a task still in progress)."""


class NotPermittedError(OpsError):
    """An actor whose role or unit may not take this action on this object."""


class InvalidOperationError(OpsError, ValueError):
    """Arguments that do not fit the object (a result amount of the wrong kind, an unknown unit, …)."""
