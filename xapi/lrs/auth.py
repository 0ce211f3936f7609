"""LRS credentials: creation, rotation, revocation, HTTP Basic authentication and scopes.

Communication §4 (security): every request is authenticated. Secrets are 256-bit random
tokens, so storing their SHA-256 is safe against guessing and lets a request be checked in
constant time in microseconds, with no slow password hash on the hot path.

Each worker process remembers a successful check for ``CACHE_SECONDS`` (keyed by the key and
the SHA-256 of the secret given, never the secret itself), so a busy client costs no query
per request. Rotating or revoking a credential takes effect at once in the process that does
it and within ``CACHE_SECONDS`` in the others; failed checks are never remembered.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from xapi.lrs.http import Forbidden, Unauthorized
from xapi.lrs.models import LrsClient, utcnow

SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "all/read",
    "all",
    "state",
    "profile",
    "define",
)

# Which granted scopes allow each action the LRS checks.
ALLOWED_BY = {
    "statements/write": {"statements/write", "all"},
    "statements/read": {"statements/read", "statements/read/mine", "all/read", "all"},
    "state": {"state", "all"},
    "state/read": {"state", "all/read", "all"},
    "profile": {"profile", "all"},
    "profile/read": {"profile", "all/read", "all"},
    "define": {"define", "all"},
    "read": {"all/read", "all", "statements/read", "statements/read/mine", "state", "profile"},
}

_REALM = 'Basic realm="xAPI LRS"'

# How long a worker trusts a successful credential check (see the module docstring).
CACHE_SECONDS = 5.0
_CACHE_MAX_ENTRIES = 1000


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    client_id: int
    key: str
    name: str
    scopes: frozenset[str]
    authority: dict
    allowed_origins: tuple[str, ...]
    bare_profile_put: bool = False

    def allows(self, action: str) -> bool:
        return bool(self.scopes & ALLOWED_BY[action])

    @property
    def reads_only_own(self) -> bool:
        """True when the caller may read only statements it wrote itself (statements/read/mine)."""
        return not (self.scopes & {"statements/read", "all/read", "all"})


def _digest(secret: str) -> str:
    return "sha256$" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def default_authority(name: str, key: str, home_page: str) -> dict:
    """The Agent that stands for a credential in the ``authority`` of the statements it writes."""
    return {"objectType": "Agent", "name": name, "account": {"homePage": home_page, "name": key}}


def create_client(session: Session, name: str, scopes: list[str], home_page: str,
                  allowed_origins: list[str] | None = None, is_system: bool = False,
                  bare_profile_put: bool = False) -> tuple[LrsClient, str]:
    """Create a credential; returns the row and the secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("a credential needs a name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError("a credential needs at least one scope")
    key = secrets.token_hex(10)
    secret = secrets.token_urlsafe(32)
    client = LrsClient(
        name=name, key=key, secret_digest=_digest(secret), scopes=sorted(set(scopes)),
        authority=default_authority(name, key, home_page), allowed_origins=list(allowed_origins or []),
        is_system=is_system, revoked=False, bare_profile_put=bare_profile_put,
    )
    session.add(client)
    session.flush()
    return client, secret


def rotate_secret(session: Session, key: str) -> str:
    """Give a credential a new secret; the old one stops working (other workers: CACHE_SECONDS)."""
    client = _get_active(session, key)
    secret = secrets.token_urlsafe(32)
    client.secret_digest = _digest(secret)
    session.flush()
    _CACHE.forget(key)
    return secret


def revoke_client(session: Session, key: str) -> LrsClient:
    """Revoke a credential; it stops working at once here and within CACHE_SECONDS in other workers."""
    client = _get_active(session, key)
    client.revoked = True
    client.revoked_at = utcnow()
    session.flush()
    _CACHE.forget(key)
    return client


def list_clients(session: Session, include_revoked: bool = False) -> list[LrsClient]:
    query = select(LrsClient).order_by(LrsClient.id)
    if not include_revoked:
        query = query.where(LrsClient.revoked.is_(False))
    return list(session.scalars(query))


def _get_active(session: Session, key: str) -> LrsClient:
    client = session.scalar(select(LrsClient).where(LrsClient.key == key))
    if client is None or client.revoked:
        raise LookupError(f"no active credential with key {key!r}")
    return client


def principal_for(client: LrsClient) -> Principal:
    return Principal(
        client_id=client.id, key=client.key, name=client.name, scopes=frozenset(client.scopes or ()),
        authority=dict(client.authority), allowed_origins=tuple(client.allowed_origins or ()),
        bare_profile_put=bool(client.bare_profile_put),
    )


def check_basic(session: Session, header: str | None) -> Principal:
    """Authenticate an ``Authorization: Basic`` header; raises Unauthorized."""
    if not header or not header[:6].lower() == "basic ":
        raise Unauthorized("Authentication required: HTTP Basic with an LRS key and secret",
                           {"WWW-Authenticate": _REALM})
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        key, secret = decoded.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unauthorized("Malformed Basic credentials", {"WWW-Authenticate": _REALM}) from None
    given = _digest(secret)
    database = session.get_bind()  # the engine: credentials of one database are not another's
    principal = _CACHE.get(database, key, given)
    if principal is not None:
        return principal
    client = session.scalar(select(LrsClient).where(LrsClient.key == key))
    expected = client.secret_digest if client is not None else _digest(secrets.token_hex(8))
    valid = hmac.compare_digest(expected, given)
    if client is None or not valid or client.revoked:
        raise Unauthorized("Invalid or revoked credentials", {"WWW-Authenticate": _REALM})
    principal = principal_for(client)
    _CACHE.put(database, key, given, principal)
    return principal


class _PrincipalCache:
    """Successful credential checks of this process, trusted for CACHE_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[object, str, str], tuple[float, Principal]] = {}

    def get(self, database: object, key: str, digest: str) -> Principal | None:
        entry = self._entries.get((database, key, digest))
        if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
            return None
        return entry[1]

    def put(self, database: object, key: str, digest: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= _CACHE_MAX_ENTRIES:
                self._entries.clear()  # crude but bounded: entries are cheap to make again
            self._entries[(database, key, digest)] = (time.monotonic(), principal)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if k[1] != key}


_CACHE = _PrincipalCache()


def authenticate(session: Session) -> Principal:
    """Authenticate the current request once and keep the result on ``g``."""
    principal = g.get("xapi_principal")
    if principal is None:
        principal = check_basic(session, request.headers.get("Authorization"))
        g.xapi_principal = principal
    return principal


def require(session: Session, action: str) -> Principal:
    """Authenticate and check that the credential's scopes allow ``action`` (a key of ALLOWED_BY)."""
    principal = authenticate(session)
    if not principal.allows(action):
        raise Forbidden(f"This credential's scopes ({', '.join(sorted(principal.scopes))}) "
                        f"do not allow {action}")
    return principal
