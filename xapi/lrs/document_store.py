"""Storage of documents (state, activity and agent profiles) with optimistic concurrency.

Communication §2.2 (documents, JSON merge), §3.1 (ETags and preconditions).

Every write is a compare-and-swap: the row is read, the preconditions are checked against it,
and the change is written with ``UPDATE/DELETE ... WHERE id = :id AND etag = :read_etag`` (or an
INSERT that the unique ``key`` protects). When another writer got in between, the row count is 0
(or the INSERT hits the unique key) and the whole decision is taken again on fresh data, so a
precondition is always checked against the version that is actually replaced and no update is
ever lost. On PostgreSQL the read also takes ``FOR UPDATE``, so competing writers queue instead
of retrying; SQLite serialises writers itself. Each function commits once, on success.
"""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.http import parse_options_header

from xapi.lrs import jsontext
from xapi.lrs.canonical import digest
from xapi.lrs.document_models import LrsDocument
from xapi.lrs.http import BadRequest, Conflict, PreconditionFailed, ServiceUnavailable, XapiError
from xapi.lrs.models import utcnow
from xapi.lrs.storage import utc

KINDS = ("state", "activity_profile", "agent_profile")
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Far more than contention ever needs: with FOR UPDATE (PostgreSQL) or serialised writers
# (SQLite) a retry happens only when a row appeared or vanished between read and write.
MAX_ATTEMPTS = 50

BUSY_MESSAGE = "The document is being changed by many writers at once; try again"
CONFLICT_MESSAGE = (
    "This document already exists and the request has no If-Match or If-None-Match header. "
    "Check the current state of the document with GET, then send the request again with "
    "If-Match set to the ETag you received, so that no one else's change is overwritten."
)

MISSING_PRECONDITION_MESSAGE = (
    "A PUT of a profile document needs a precondition header: send "
    "If-None-Match: * to create the document, or If-Match with the ETag of the version you read "
    "to replace it. Nothing was stored."
)


class PutRule(enum.Enum):
    """When a PUT without If-Match / If-None-Match is refused (Communication §3.1)."""

    OPTIONAL = "optional"  # never (1.0.x State)
    FOR_EXISTING = "for_existing"  # 409 when the document exists
    ALWAYS = "always"  # 409 when it exists, 400 when it does not (profiles)


@dataclass(frozen=True)
class Address:
    """Names one document (``document_id`` set) or the set of documents of one scope."""

    kind: str
    activity_id: str | None
    agent_key: str | None
    registration: str | None = None
    document_id: str | None = None

    @property
    def scope(self) -> str:
        return digest(self.kind, self.activity_id, self.agent_key)

    @property
    def key(self) -> str:
        return digest(self.kind, self.activity_id, self.agent_key, self.registration, self.document_id)


@dataclass(frozen=True)
class Preconditions:
    """Parsed ``If-Match`` / ``If-None-Match``: None when the header is absent."""

    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class StoredDocument:
    content: bytes
    content_type: str
    etag: str
    updated: datetime


def parse_etags(raw: str | None) -> tuple[str, ...] | None:
    """``"a", W/"b"`` -> ("a", "b"); ``*`` -> ("*",). Unquoted values are taken as they are."""
    if raw is None:
        return None
    tags = []
    for part in raw.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return tuple(tag for tag in tags if tag)


def compute_etag(content: bytes) -> str:
    """§3.1.s4.b2: the SHA-1 of the content, lowercase hex."""
    return hashlib.sha1(content).hexdigest()


def is_json(content_type: str | None) -> bool:
    return parse_options_header(content_type or "")[0].lower() == "application/json"


def get_document(session: Session, address: Address) -> StoredDocument | None:
    row = session.execute(
        select(LrsDocument.content, LrsDocument.content_type, LrsDocument.etag, LrsDocument.updated)
        .where(LrsDocument.key == address.key)
    ).first()
    if row is None:
        return None
    return StoredDocument(bytes(row.content), row.content_type, row.etag, utc(row.updated))


def list_document_ids(session: Session, address: Address, since: datetime | None) -> tuple[list[str], datetime | None]:
    """Ids of the documents of a scope (State: of one registration when given), newest change last.

    Returns the ids and the time of the most recent change among them (for Last-Modified).
    """
    query = select(LrsDocument.document_id, LrsDocument.updated).where(LrsDocument.scope == address.scope)
    query = _with_registration(query, address)
    if since is not None:
        query = query.where(LrsDocument.updated > since.astimezone(timezone.utc))
    ids: list[str] = []
    latest: datetime | None = None
    for document_id, updated in session.execute(query.order_by(LrsDocument.updated, LrsDocument.id)):
        if document_id not in ids:  # the same stateId may exist under several registrations
            ids.append(document_id)
        latest = utc(updated)
    return ids, latest


def _with_registration(query, address: Address):
    if address.kind == "state" and address.registration is not None:
        return query.where(LrsDocument.registration == address.registration)
    return query


def put_document(session: Session, address: Address, content: bytes, content_type: str | None,
                 preconditions: Preconditions, rule: PutRule) -> None:
    """Store a document, replacing any previous one (§2.2, §3.1 PUT rules).

    A body sent as ``application/json`` must be valid JSON (any JSON value): 400 otherwise,
    checked before anything is read or written. Without a precondition header, ``rule`` says
    whether the PUT is refused: 409 over an existing document, 400 (``ALWAYS``) for a new one.
    """
    content_type = content_type or DEFAULT_CONTENT_TYPE
    if is_json(content_type):
        _parse_json(content, "The document", "; it cannot be stored")
    bare = not preconditions.present

    def replacement(current) -> tuple[bytes, str]:
        if current is None:
            if bare and rule is PutRule.ALWAYS:
                raise BadRequest(MISSING_PRECONDITION_MESSAGE)
            return content, content_type
        if bare and rule is not PutRule.OPTIONAL:
            raise Conflict(CONFLICT_MESSAGE)
        return content, content_type

    _write(session, address, preconditions, replacement)


def post_document(session: Session, address: Address, content: bytes, content_type: str | None,
                  preconditions: Preconditions) -> None:
    """Create a document, or merge a JSON object into an existing JSON document (§2.2.s7, s8).

    A body sent as ``application/json`` must be valid JSON, whether or not the document exists
    yet (400, nothing stored); merging into an existing document also needs a JSON object. An
    empty body is 400 (ADL suite XAPI-00314): there is nothing to merge, and a client that
    means to store an empty document can PUT it.
    """
    content_type = content_type or DEFAULT_CONTENT_TYPE
    if is_json(content_type):
        _parse_json(content, "The posted document", "; it can be neither stored nor merged")
    if not content:
        raise BadRequest("The POST has no document in its body; to store an empty document, use PUT")
    _write(session, address, preconditions,
           lambda current: (content, content_type) if current is None
           else (_merge(current, content, content_type), "application/json"))


def _write(session: Session, address: Address, preconditions: Preconditions, decide) -> None:
    """Write ``decide(current)`` — the new (content, content type) — in place of ``current``.

    ``current`` is the stored row or None when the document is absent (then the result is
    inserted). ``decide`` may raise an XapiError, which rolls back (releasing the row lock) and
    answers the request.
    """
    for _ in range(MAX_ATTEMPTS):
        current = _read_for_update(session, address)
        _check_preconditions(session, preconditions, current)
        try:
            new_content, new_type = decide(current)
        except XapiError:
            session.rollback()
            raise
        if current is None:
            if _insert(session, address, new_content, new_type):
                return
            continue
        if _swap(session, current, new_content, new_type):
            return
    raise ServiceUnavailable(BUSY_MESSAGE)


def delete_document(session: Session, address: Address, preconditions: Preconditions) -> None:
    """Delete one document; deleting a document that does not exist is not an error."""
    for _ in range(MAX_ATTEMPTS):
        current = _read_for_update(session, address)
        _check_preconditions(session, preconditions, current)
        if current is None:
            session.rollback()
            return
        result = session.execute(delete(LrsDocument).where(
            LrsDocument.id == current.id, LrsDocument.etag == current.etag))
        if result.rowcount == 1:
            session.commit()
            return
        session.rollback()
    raise ServiceUnavailable(BUSY_MESSAGE)


def delete_documents(session: Session, address: Address) -> None:
    """State Resource §2.3.s5: delete every document of the scope (one registration when given)."""
    session.execute(_with_registration(delete(LrsDocument).where(LrsDocument.scope == address.scope), address))
    session.commit()


def _read_for_update(session: Session, address: Address):
    return session.execute(
        select(LrsDocument.id, LrsDocument.etag, LrsDocument.content, LrsDocument.content_type)
        .where(LrsDocument.key == address.key).with_for_update()
    ).first()


def _check_preconditions(session: Session, preconditions: Preconditions, current) -> None:
    """RFC 7232 §3.1, §3.2 as §3.1 of the specification asks; 412 changes nothing."""
    failure: str | None = None
    if preconditions.if_match is not None:
        if current is None:
            failure = "If-Match was given but the document does not exist"
        elif "*" not in preconditions.if_match and current.etag not in preconditions.if_match:
            failure = "If-Match does not match the document's current ETag: it was changed since you read it"
    if failure is None and preconditions.if_none_match is not None and current is not None:
        if "*" in preconditions.if_none_match or current.etag in preconditions.if_none_match:
            failure = "If-None-Match was given but the document exists (or has that ETag)"
    if failure:
        session.rollback()  # ends the transaction and releases the row lock taken by the read
        raise PreconditionFailed(failure)


def _insert(session: Session, address: Address, content: bytes, content_type: str) -> bool:
    try:
        session.execute(insert(LrsDocument).values(
            kind=address.kind, key=address.key, scope=address.scope, activity_id=address.activity_id,
            agent_key=address.agent_key, registration=address.registration,
            document_id=address.document_id, content=content, content_type=content_type,
            etag=compute_etag(content), updated=utcnow(),
        ))
        session.commit()
        return True
    except IntegrityError:  # created by another writer since we looked: decide again
        session.rollback()
        return False


def _swap(session: Session, current, content: bytes, content_type: str) -> bool:
    result = session.execute(
        update(LrsDocument).where(LrsDocument.id == current.id, LrsDocument.etag == current.etag)
        .values(content=content, content_type=content_type, etag=compute_etag(content), updated=utcnow())
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    return False


def _merge(current, posted: bytes, posted_type: str) -> bytes:
    """§2.2.s7: set each top-level property of the posted object on the stored object."""
    if not is_json(current.content_type) or not is_json(posted_type):
        raise BadRequest("POST can merge only an application/json document into an application/json "
                         "document; use PUT to replace this document")
    stored = _json_object(bytes(current.content), "The stored document")
    incoming = _json_object(posted, "The posted document")
    stored.update(incoming)
    return json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _parse_json(content: bytes, what: str, consequence: str = "") -> object:
    """The JSON value of a body whose Content-Type is application/json, else 400 (§1.5, §3.2.s2.b1)."""
    try:
        return jsontext.loads(content)
    except jsontext.InvalidJson as exc:
        raise BadRequest(f"{what} is not valid UTF-8 JSON ({exc}), although its Content-Type is "
                         f"application/json{consequence}") from None


def _json_object(content: bytes, what: str) -> dict:
    value = _parse_json(content, what, ", so it cannot be merged")
    if not isinstance(value, dict):
        raise BadRequest(f"{what} is not a JSON object, so it cannot be merged; use PUT to store "
                         "other JSON values")
    return value
