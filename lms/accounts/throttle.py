"""Login throttling kept in the database: strict per account, generous per IP address.

A school lab puts about forty pupils behind one address, so the address limit counts only
failures and is high; guessing one account's password is stopped by the per-account lock,
which grows exponentially from the fifth failure and never exceeds a few minutes (so an
attacker cannot lock a pupil out for long).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import LoginThrottle, as_utc, utcnow
from lms.extensions import db

DEFAULTS = {
    "LOGIN_FREE_FAILURES": 5,          # per account, before the lock starts
    "LOGIN_BASE_LOCK_SECONDS": 30,     # first lock; doubles with each further failure
    "LOGIN_MAX_LOCK_SECONDS": 900,
    "LOGIN_IP_MAX_FAILURES": 100,      # per address and window
    "LOGIN_WINDOW_SECONDS": 900,
}


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


@dataclass(frozen=True)
class Verdict:
    """Whether a login attempt may be checked at all, and for how long it must wait if not."""

    allowed: bool
    retry_after: int = 0


def account_key(user_id: int | None, identifier: str) -> str:
    # Unknown names are counted too, so refusing them looks the same as refusing real accounts.
    return f"user:{user_id}" if user_id is not None else f"name:{identifier.strip().lower()[:180]}"


def ip_key(ip_address: str) -> str:
    return f"ip:{ip_address or 'unknown'}"


def _row(key: str) -> LoginThrottle | None:
    return db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))


def _seconds_until(moment: datetime | None, now: datetime) -> int:
    if moment is None:
        return 0
    return max(0, int((as_utc(moment) - now).total_seconds() + 0.999))


def check(account: str, ip: str) -> Verdict:
    """May this attempt go ahead? Refused while the account is locked or the address is over its limit."""
    now = utcnow()
    account_row = _row(account)
    wait = _seconds_until(account_row.locked_until, now) if account_row else 0
    ip_row = _row(ip)
    if ip_row and ip_row.failures >= _setting("LOGIN_IP_MAX_FAILURES"):
        window_end = as_utc(ip_row.window_started_at) + timedelta(seconds=_setting("LOGIN_WINDOW_SECONDS"))
        wait = max(wait, _seconds_until(window_end, now))
    return Verdict(allowed=wait == 0, retry_after=wait)


def _lock_seconds(failures: int) -> int:
    over = failures - _setting("LOGIN_FREE_FAILURES")
    if over < 0:
        return 0
    return min(_setting("LOGIN_BASE_LOCK_SECONDS") * 2 ** min(over, 20), _setting("LOGIN_MAX_LOCK_SECONDS"))


def _count_failure(key: str, lock: bool, now: datetime) -> None:
    row = _row(key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=now)
        db.session.add(row)
    elif as_utc(row.window_started_at) + timedelta(seconds=_setting("LOGIN_WINDOW_SECONDS")) < now \
            and _seconds_until(row.locked_until, now) == 0:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if lock:
        seconds = _lock_seconds(row.failures)
        row.locked_until = now + timedelta(seconds=seconds) if seconds else None


def record_failure(account: str, ip: str) -> None:
    """Count a wrong password against the account and the address (committed at once)."""
    for attempt in range(2):
        now = utcnow()
        try:
            _count_failure(account, lock=True, now=now)
            _count_failure(ip, lock=False, now=now)
            db.session.commit()
            return
        except IntegrityError:
            # Another worker created the same row a moment ago: count again on top of it.
            db.session.rollback()
            if attempt:
                raise


def record_success(account: str) -> None:
    """A correct password clears the account's count (not the address's: that would reward guessing)."""
    row = _row(account)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
