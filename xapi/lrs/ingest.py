"""The one write path of the LRS: validate, enrich, apply conflict and voiding rules, store.

HTTP clients (xapi/lrs/api.py) and the LMS (lms/learn) both call :func:`ingest_batch` (the LMS
through :func:`ingest`), inside the caller's transaction: it flushes but does not commit, so
an LMS progress row and its statement are committed together. It raises the exceptions of
xapi/lrs/http.py (400, 409), which the HTTP layer turns into JSON errors; nothing is written
when it raises.

The one exception to "does not commit": an HTTP write marked ``standalone`` (nothing else to
commit with it) of statements that refer to no other may be committed on PostgreSQL by its
only query, before this returns (storage.py, "One round trip"). The caller still commits, as
for every other write.

A write costs one query on that path, two or three on the others, before the caller's commit
(storage.py explains the ordering design: concurrent writers on PostgreSQL, no global lock).
On SQLite, and on PostgreSQL for a batch with a StatementRef, it holds a lock until the caller
commits, so the caller should commit soon after calling it.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson
from sqlalchemy.orm import Session

from xapi.lrs import canonical, canonical_memory, keys, multipart, signatures, storage
from xapi.lrs.equivalence import equivalent
from xapi.lrs.http import BadRequest, Conflict
from xapi.schemas import StatementValidationError, parse_timestamp, validate_statements
from xapi.schemas.verb import VOIDED

# Stored bodies are encoded with orjson (a fifth of the CPU of the standard encoder: ~8 against
# ~39 µs for a 1.4 KB statement, a tenth of a batch write's worker time). The standard encoder
# takes what orjson refuses: integers beyond 64 bits, strings with lone surrogates.
# Statements come from a JSON parser, so they cannot contain cycles (no check needed).
_BODY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def encode_body(statement: dict) -> str:
    """Compact UTF-8 JSON text of a statement, as stored."""
    try:
        return orjson.dumps(statement).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _BODY_ENCODER.encode(statement)


DEFAULT_STATEMENT_VERSION = {"1.0.3": "1.0.0", "2.0.0": "2.0.0"}
# How far keys are inherited along a chain of StatementRefs (a targets b targets c ...).
_MAX_REF_DEPTH = 32


@dataclass
class Prepared:
    """One received statement, validated and enriched, waiting for its seq and stored time."""

    statement_id: str          # lowercase, the unique key
    received: dict             # as validated, for the equivalence check
    statement: dict            # enriched (id, authority, version, contextActivities as arrays)
    keys: set[keys.Key]
    ref_target: str | None
    voiding: bool
    timestamp: datetime | None
    inherited: set[keys.Key] = field(default_factory=set)


@dataclass(frozen=True)
class IngestResult:
    ids: list[str]
    # Consistent-Through for the response (storage.py); None if every statement existed.
    consistent_through: datetime | None
    # Committed already (a ``standalone`` write made alone): the caller has nothing to commit.
    committed: bool = False
    # Every statement of the batch was stored already (equivalent ones): nothing was written.
    all_existed: bool = False


def ingest(session: Session, statements: list[dict], authority: dict, version: str = "1.0.3",
           attachments: dict[str, bytes] | None = None, *, client_id: int | None = None,
           may_define: bool = True) -> list[str]:
    """Store statements; returns their ids in the order given. Flushes, does not commit.

    ``attachments`` is the sha2 -> content of a multipart request (None for a JSON request);
    ``client_id`` the LRS credential that sends them (None for the LMS itself); ``may_define``
    whether they may change canonical Activity definitions (the ``define`` scope).
    """
    return ingest_batch(session, statements, authority, version, attachments,
                        client_id=client_id, may_define=may_define).ids


def ingest_batch(session: Session, statements: list[dict], authority: dict, version: str = "1.0.3",
                 attachments: dict[str, bytes] | None = None, *, client_id: int | None = None,
                 may_define: bool = True, standalone: bool = False) -> IngestResult:
    """:func:`ingest`, also returning the Consistent-Through time for the HTTP response.

    ``standalone``: the write is a transaction of its own (the caller has nothing else to
    commit with it and commits right after). On PostgreSQL it may then be committed before
    this returns, in one round trip (storage.py, "One round trip"); the caller's commit is
    still needed for the other paths.
    """
    validated = _validate(statements, version)
    parts = None if attachments is None else {sha2.lower(): content for sha2, content in attachments.items()}
    _check_attachments(validated, parts, version)
    prepared = [_prepare(statement, authority, version) for statement in validated]
    _reject_duplicate_ids(prepared)
    found = canonical.found_in(p.statement for p in prepared)
    ids = [p.statement_id for p in prepared]
    with_refs = any(p.ref_target for p in prepared)
    if not with_refs and storage.writes_in_one_step(session):
        written = _write_in_one_step(session, prepared, found, client_id, parts, may_define, standalone)
        if written is not None:
            session.flush()
            return written
    start = storage.begin_write(session, ids, with_refs, list(found.activities), list(found.agents))
    new = _without_existing(start.existing, prepared)
    through = None
    all_existed = not new
    if new:
        if len(new) < len(prepared):  # the canonical rows follow the new statements only
            found = canonical.found_in(p.statement for p in new)
        plan = _plan(session, new, start, client_id, parts)
        plan.canonical = canonical.plan_writes(found, start.activities, start.agents, may_define)
        outcome = storage.finish_write(session, plan)
        if storage.writes_in_one_step(session):
            canonical_memory.remember(plan.canonical.activity_texts())
        all_existed = _check_raced(session, outcome.skipped, new)
        through = outcome.consistent_through
    session.flush()
    return IngestResult(ids=[p.statement["id"] for p in prepared], consistent_through=through,
                        all_existed=all_existed)


def _write_in_one_step(session: Session, prepared: list[Prepared], found: canonical.Found,
                       client_id: int | None, parts: dict[str, bytes] | None, may_define: bool,
                       standalone: bool) -> IngestResult | None:
    """PostgreSQL, statements that refer to no other: one statement looks up and inserts them
    (storage.insert_new). Returns the result, or None when nothing was written (a statement is
    stored under one of the ids, or one refers to them, or a canonical row is not as this
    process remembered it): the caller then goes the general way.

    When the write changes no canonical row (predicted from :mod:`canonical_memory`), has no
    attachment and is ``standalone``, it commits alone: nothing follows it.
    """
    expected = _unchanged_activities(found, may_define) if standalone and not parts else None
    batch = _new_statements(prepared, client_id, found)
    batch.expected_activities = expected
    attempt = storage.insert_new(session, batch, alone_if_possible=expected is not None)
    canonical_memory.remember(attempt.activities)
    if attempt.outcome is None:
        return None
    raced_all = False  # a concurrent writer stored every statement first (equivalent ones)
    if not attempt.alone:
        writes = canonical.plan_writes(found, {key: canonical_memory.decode(text)
                                               for key, text in attempt.activities.items()}, {}, may_define)
        storage.write_extras(session, _attachment_rows(prepared, parts) if parts else {}, writes)
        canonical_memory.remember(writes.activity_texts())
        raced_all = _check_raced(session, attempt.outcome.skipped, prepared)
    return IngestResult(ids=[p.statement["id"] for p in prepared],
                        consistent_through=attempt.outcome.consistent_through, committed=attempt.alone,
                        all_existed=raced_all)


def _unchanged_activities(found: canonical.Found, may_define: bool) -> list[str | None] | None:
    """The stored texts of the batch's activity rows if the write would change none of them
    (as far as this process remembers them), else None."""
    recalled = canonical_memory.recall(list(found.activities))
    if recalled is None:
        return None
    activities, texts = recalled
    if canonical.plan_writes(found, activities, {}, may_define).changes_activities():
        return None
    return texts


def _new_statements(prepared: list[Prepared], client_id: int | None,
                    found: canonical.Found) -> storage.NewStatements:
    """The batch for storage.insert_new: bodies without ``stored`` (the database adds it)."""
    keys_of_batch: list[tuple[str, str, int]] = []
    for position, item in enumerate(prepared, start=1):
        keys_of_batch += [(kind, value, position) for kind, value in keys.stored_keys(item.keys)]
    agents = sorted(found.agents.items())
    return storage.NewStatements(
        statement_ids=[item.statement_id for item in prepared],
        timestamps=[item.timestamp for item in prepared],
        verb_ids=[item.statement["verb"]["id"] for item in prepared],
        has_attachments=[bool(_statement_attachments(item.statement)) for item in prepared],
        bodies=[encode_body(item.statement) for item in prepared],
        keys=keys_of_batch, client_id=client_id, activity_keys=list(found.activities),
        agent_keys=[key for key, _ in agents],
        agent_ifis=[canonical_memory.encode(ifi) for _, (ifi, _) in agents],
        agent_names=[canonical_memory.encode(names) for _, (_, names) in agents])


def _validate(statements: object, version: str) -> list[dict]:
    try:
        return validate_statements(statements, version)
    except StatementValidationError as exc:
        raise BadRequest(f"Invalid statement: {exc}") from None


def _statement_attachments(statement: dict) -> list[dict]:
    found = list(statement.get("attachments") or ())
    target = statement["object"]
    if target.get("objectType") == "SubStatement":
        found += target.get("attachments") or ()
    return found


def _check_attachments(statements: list[dict], parts: dict[str, bytes] | None, version: str) -> None:
    """Communication §1.5.2 and Data §2.6: every attachment has data or a fileUrl; signatures check."""
    if parts is None:
        for index, statement in enumerate(statements):
            for attachment in _statement_attachments(statement):
                if "fileUrl" not in attachment:
                    raise BadRequest(f"[{index}].attachments: an attachment without fileUrl must be sent "
                                     "as a part of a multipart/mixed request")
    else:
        try:
            multipart.check_references(statements, parts)
        except multipart.MultipartError as exc:
            raise BadRequest(str(exc)) from None
    for index, statement in enumerate(statements):
        for attachment in signatures.signature_attachments(statement):
            jws = (parts or {}).get(attachment["sha2"].lower())
            if jws is None:
                raise BadRequest(f"[{index}]: a signed statement must carry its JWS signature as a "
                                 "multipart/mixed part")
            try:
                signatures.verify_signature(statement, jws, version)
            except signatures.SignatureError as exc:
                raise BadRequest(f"[{index}]: invalid signature: {exc}") from None


def _prepare(received: dict, authority: dict, version: str) -> Prepared:
    """Fill what the LRS sets (Data §2.4): id, authority, version; arrays for contextActivities."""
    statement = dict(received)
    if "id" not in statement:  # no uuid4() (a system call) for the statements that bring their id
        statement["id"] = str(uuid.uuid4())
    statement["authority"] = authority
    statement.setdefault("version", DEFAULT_STATEMENT_VERSION[version])
    statement.pop("stored", None)
    _context_activities_as_arrays(statement)
    if statement["object"].get("objectType") == "SubStatement":
        statement["object"] = dict(statement["object"])
        _context_activities_as_arrays(statement["object"])
    timestamp = None
    if "timestamp" in statement:
        try:
            timestamp = storage.utc(parse_timestamp(statement["timestamp"], version, "timestamp"))
        except StatementValidationError as exc:
            raise BadRequest(f"Invalid statement: {exc}") from None
    return Prepared(statement_id=statement["id"].lower(), received=received, statement=statement,
                    keys=keys.statement_keys(statement), ref_target=keys.ref_target(statement),
                    voiding=statement["verb"]["id"] == VOIDED, timestamp=timestamp)


def _context_activities_as_arrays(part: dict) -> None:
    """Data §2.4.6.2.s4.b3: every contextActivities value is returned as an array."""
    context = part.get("context")
    if not context or "contextActivities" not in context:
        return
    part["context"] = dict(context)
    part["context"]["contextActivities"] = {
        key: value if isinstance(value, list) else [value]
        for key, value in context["contextActivities"].items()
    }


def _reject_duplicate_ids(prepared: list[Prepared]) -> None:
    """Communication §2.1.2.s2.b6: a batch with the same id twice is 400."""
    seen: set[str] = set()
    for index, item in enumerate(prepared):
        if item.statement_id in seen:
            raise BadRequest(f"[{index}].id: the statement id {item.statement_id} appears twice in the batch")
        seen.add(item.statement_id)


def _without_existing(existing: dict[str, storage.StoredRow], prepared: list[Prepared]) -> list[Prepared]:
    """Drop statements already stored and equivalent; 409 if one differs (Communication §2.1.1.s2)."""
    new = []
    for item in prepared:
        if item.statement_id not in existing:
            new.append(item)
        else:
            _check_equivalent(existing[item.statement_id][3], item)
    return new


def _check_equivalent(stored_body: str, item: Prepared) -> None:
    if not equivalent(json.loads(stored_body), item.received):
        raise Conflict(f"A different statement with id {item.statement_id} is already stored; "
                       "statements are immutable")


def _check_raced(session: Session, skipped: set[str], new: list[Prepared]) -> bool:
    """Statements a concurrent writer stored first (storage.py): equivalent, or 409.

    Returns True when that writer stored every one of ``new`` (this write added nothing).
    """
    if not skipped:
        return False
    existing = storage.existing_statements(session, skipped)
    for item in new:
        if item.statement_id in skipped:
            _check_equivalent(existing[item.statement_id][3], item)
    return all(item.statement_id in skipped for item in new)


def _plan(session: Session, new: list[Prepared], start: storage.WriteStart, client_id: int | None,
          parts: dict[str, bytes] | None) -> storage.WritePlan:
    """The rows of the second round trip, with the voiding and StatementRef rules applied."""
    known = _known_targets(session, new)
    _check_voiding(new, known)
    _inherit_keys(new, known)
    earlier = _earlier_referrers(session, new, start.referrers)
    voided_now = {p.ref_target for p in new if p.voiding and p.ref_target}
    voided_now |= {target for _, _, _, target, voiding in earlier if voiding}
    rows, index_rows = _rows(new, start.stored, start.seqs, voided_now)
    return storage.WritePlan(rows=rows, index_rows=index_rows, stored=start.stored, client_id=client_id,
                             voided=voided_now - {p.statement_id for p in new},
                             extra_index_rows=_propagated_keys(new, earlier),
                             attachments=_attachment_rows(new, parts) if parts else {})


def _known_targets(session: Session, new: list[Prepared]) -> dict[str, tuple[set[keys.Key], str | None, bool]]:
    """id -> (own keys, its ref target, voiding) for every statement reachable through StatementRefs."""
    known = {p.statement_id: (p.keys, p.ref_target, p.voiding) for p in new}
    pending = {p.ref_target for p in new if p.ref_target} - set(known)
    for _ in range(_MAX_REF_DEPTH):
        if not pending:
            break
        found = storage.existing_statements(session, pending)
        for statement_id, (_, _, _, body, voiding) in found.items():
            stored = json.loads(body)
            known[statement_id] = (keys.statement_keys(stored), keys.ref_target(stored), voiding)
        pending = {ref for _, ref, _ in (known[i] for i in found) if ref} - set(known)
    return known


def _check_voiding(new: list[Prepared], known: dict) -> None:
    """Data §2.3.2: a voiding statement cannot itself be voided."""
    for item in new:
        if item.voiding and item.ref_target in known and known[item.ref_target][2]:
            raise BadRequest(f"Statement {item.statement_id} voids {item.ref_target}, which is itself a "
                             "voiding statement; a voiding statement cannot be voided")


def _chain_keys(statement_id: str, known: dict) -> set[keys.Key]:
    """The keys of a statement plus those of every statement it (transitively) refers to."""
    collected: set[keys.Key] = set()
    seen: set[str] = set()
    current: str | None = statement_id
    while current and current in known and current not in seen:
        seen.add(current)
        own, current, _ = known[current]
        collected |= own
    return collected


def _inherit_keys(new: list[Prepared], known: dict) -> None:
    """Communication §2.1.3.s3: a statement targeting another matches that one's filters too."""
    for item in new:
        if item.ref_target:
            item.inherited = _chain_keys(item.ref_target, known) - item.keys


def _earlier_referrers(session: Session, new: list[Prepared],
                       first_level: list[storage.Referrer]) -> list[storage.Referrer]:
    """Stored statements that refer to the new ones (they arrived first), transitively.

    ``first_level`` are the direct referrers, already read in the write's first round trip.
    """
    new_ids = {p.statement_id for p in new}
    rows = [row for row in first_level if row[3] in new_ids]
    found: list[storage.Referrer] = []
    seen = set(new_ids)
    for _ in range(_MAX_REF_DEPTH):
        rows = [row for row in rows if row[2] not in seen]
        if not rows:
            break
        found += rows
        frontier = {row[2] for row in rows}
        seen |= frontier
        rows = storage.referrers(session, frontier)
    return found


def _propagated_keys(new: list[Prepared], earlier: list[storage.Referrer]) -> list[tuple[str, str, datetime, int]]:
    """Index rows that give earlier referrers the keys of the statements that just arrived."""
    gained: dict[str, set[keys.Key]] = {p.statement_id: p.keys | p.inherited for p in new}
    rows: list[tuple[str, str, datetime, int]] = []
    for seq, stored, statement_id, target, _ in earlier:  # in frontier order: a target's gain is known first
        gained[statement_id] = gained.get(target, set())
        rows += [(kind, value, stored, seq) for kind, value in keys.stored_keys(gained[statement_id])]
    return rows


def _rows(new: list[Prepared], stored: datetime, seqs: list[int],
          voided: set[str]) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """lrs_statement rows and (kind, value, seq) filter keys; seq follows the order received."""
    stored_text = stored.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows: list[dict] = []
    index_rows: list[tuple[str, str, int]] = []
    for item, seq in zip(new, seqs):
        item.statement["stored"] = stored_text
        if item.timestamp is None:
            item.statement["timestamp"] = stored_text  # Data §2.4.7.s3.b2
        rows.append({
            "seq": seq, "statement_id": item.statement_id,
            "timestamp": item.timestamp or stored, "verb_id": item.statement["verb"]["id"],
            "voided": item.statement_id in voided and not item.voiding, "voiding": item.voiding,
            "ref_target": item.ref_target, "has_attachments": bool(_statement_attachments(item.statement)),
            "body": encode_body(item.statement),
        })
        index_rows += [(kind, value, seq) for kind, value in keys.stored_keys(item.keys | item.inherited)]
    return rows, index_rows


def _attachment_rows(new: list[Prepared], parts: dict[str, bytes]) -> dict[str, tuple[str, bytes]]:
    """sha2 -> (content type from the statement's attachment object, content)."""
    found: dict[str, tuple[str, bytes]] = {}
    for item in new:
        for attachment in _statement_attachments(item.statement):
            sha2 = attachment["sha2"].lower()
            if sha2 in parts:
                found.setdefault(sha2, (attachment["contentType"], parts[sha2]))
    return found
