"""Writing the append-only audit log: who, when, from where, what, outcome; never a secret."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from sqlalchemy import Select, select

from lms.accounts.models import AUDIT_OUTCOMES, AuditLog, User
from lms.extensions import db

T = TypeVar("T")

# Keys that must never reach the log, whatever a caller passes in ``details``.
SECRET_WORDS = ("password", "secret", "token", "hash")


@dataclass(frozen=True)
class Origin:
    """Where a request came from (filled by the view from the request)."""

    ip_address: str = ""
    user_agent: str = ""


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (details or {}).items()
            if not any(word in key.lower() for word in SECRET_WORDS)}


def record(actor: User | None, action: str, origin: Origin, target: str = "", outcome: str = "ok",
           details: dict[str, Any] | None = None, commit: bool = True) -> AuditLog:
    """Append one entry; with ``commit=False`` it joins the caller's transaction."""
    if outcome not in AUDIT_OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    actor_user = actor if isinstance(actor, User) else None
    entry = AuditLog(
        actor_id=actor_user.id if actor_user else None,
        actor_username=actor_user.username if actor_user else "",
        ip_address=(origin.ip_address or "")[:64], user_agent=(origin.user_agent or "")[:300],
        action=action[:64], target=target[:200], outcome=outcome, details=_clean(details),
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


def recent(action: str | None = None, actor: str | None = None) -> Select:
    """The newest entries first, optionally only one action or one actor's username."""
    query = select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if actor:
        query = query.where(AuditLog.actor_username == actor.strip().lower())
    return query


def audited(actor: User | None, action: str, origin: Origin, target: str, work: Callable[[], T],
            details: dict[str, Any] | None = None) -> T:
    """Run ``work`` (which must not commit) and log it in the same transaction.

    When the work is refused (bad input: ValueError, including AccountError; or a missing object:
    LookupError) nothing of it is kept, the failure is logged, and the error goes on to the view.
    """
    try:
        result = work()
    except (ValueError, LookupError) as exc:
        db.session.rollback()
        reason = getattr(exc, "message", None) or str(exc)
        record(actor, action, origin, target, "failed", {**(details or {}), "reason": reason[:300]})
        raise
    record(actor, action, origin, target, "ok", details, commit=False)
    db.session.commit()
    return result
