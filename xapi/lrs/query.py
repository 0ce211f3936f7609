"""GET Statements: parameters, the keyset query over the filter index, and ``more`` tokens.

Communication §2.1.3. Every filter is a lookup of (kind, value) in ``lrs_statement_index``,
read in (stored, seq) order from its primary key, newest first, with since/until and the
paging cursor as bounds of that same index range; further filters are probes on the full
key. Without a filter the (stored, seq) index of the statement table is read the same way.
A related filter reads two kinds (keys.MATCHED_KINDS): two such ranges, merged.
Pages continue from the last (stored, seq) (keyset paging: no OFFSET, no COUNT).

The first page freezes its upper bound at the Consistent-Through time T of its request
(storage.py): every statement with ``stored <= T`` is already committed and no other can
appear later. A ``more`` token carries the query, that frozen bound and the cursor, signed
with the app secret, so every page of one paging session comes from the same set of
statements: none is skipped or repeated while writers are active, and statements voided
meanwhile drop out (Data §2.5.s3.b4).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, literal, select, tuple_
from sqlalchemy.orm import Session

from xapi.lrs import jsontext, keys, storage
from xapi.lrs.http import BadRequest
from xapi.lrs.models import Statement, StatementIndex
from xapi.schemas import StatementValidationError, parse_timestamp, validate_agent, validate_iri, validate_uuid

FILTER_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents",
                 "since", "until", "limit", "format", "attachments", "ascending"}
SINGLE_PARAMS = {"statementId", "voidedStatementId"}
FORMATS = ("exact", "ids", "canonical")
# Data §2.5.s3.b1 asks for at least 24 hours; a week leaves room for slow consumers.
MORE_MAX_AGE_SECONDS = 7 * 24 * 3600
# Filters drive the query in this order: the most selective first.
_DRIVE_ORDER = (keys.REGISTRATION, keys.AGENT, keys.ACTIVITY, keys.RELATED_AGENT,
                keys.RELATED_ACTIVITY, keys.VERB)

_S = Statement.__table__
_I = StatementIndex.__table__


@dataclass
class StatementQuery:
    """A parsed GET Statements query (everything a ``more`` token must carry)."""

    filters: list[tuple[str, str]] = field(default_factory=list)   # stored (kind, value) keys
    since: str | None = None
    until: str | None = None
    limit: int = 0
    format: str = "exact"
    attachments: bool = False
    ascending: bool = False
    low: datetime | None = None     # stored > low (from since)
    high: datetime | None = None    # stored <= high (until, and the first page's Consistent-Through)
    cursor: tuple[datetime, int] | None = None   # (stored, seq) of the last statement returned


@dataclass(frozen=True)
class SingleQuery:
    statement_id: str
    voided: bool
    format: str
    attachments: bool


def _one(args, name: str) -> str:
    values = args.getlist(name)
    if len(values) != 1:
        raise BadRequest(f"The parameter {name} is given {len(values)} times")
    return values[0]


def _boolean(args, name: str) -> bool:
    if name not in args:
        return False
    value = _one(args, name)
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false (as in JSON), not {value!r}")
    return value == "true"


def _format(args) -> str:
    value = _one(args, "format") if "format" in args else "exact"
    if value not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {value!r}")
    return value


def _checked(function, value: str, name: str):
    try:
        return function(value, name)
    except StatementValidationError as exc:
        raise BadRequest(f"Invalid parameter {exc}") from None


def parse_single(args) -> SingleQuery:
    """statementId or voidedStatementId: only format and attachments may come with it (§2.1.3.s2)."""
    present = SINGLE_PARAMS & set(args)
    if len(present) == 2:
        raise BadRequest("statementId and voidedStatementId cannot be used together")
    name = present.pop()
    others = sorted(set(args) - {name, "format", "attachments"})
    if others:
        raise BadRequest(f"{name} can only be combined with format and attachments, not {', '.join(others)}")
    statement_id = _checked(validate_uuid, _one(args, name), name).lower()
    return SingleQuery(statement_id=statement_id, voided=name == "voidedStatementId",
                       format=_format(args), attachments=_boolean(args, "attachments"))


def parse_query(args, version: str, max_limit: int) -> StatementQuery:
    """Parse and validate the filter parameters of GET Statements."""
    for name in FILTER_PARAMS & set(args):
        _one(args, name)
    query = StatementQuery(format=_format(args), attachments=_boolean(args, "attachments"),
                           ascending=_boolean(args, "ascending"))
    if "agent" in args:
        kind = keys.RELATED_AGENT if _boolean(args, "related_agents") else keys.AGENT
        query.filters.append((kind, _agent_param(args["agent"], version)))
    elif "related_agents" in args:
        _boolean(args, "related_agents")
    if "activity" in args:
        kind = keys.RELATED_ACTIVITY if _boolean(args, "related_activities") else keys.ACTIVITY
        query.filters.append((kind, _checked(validate_iri, args["activity"], "activity")))
    elif "related_activities" in args:
        _boolean(args, "related_activities")
    if "verb" in args:
        query.filters.append((keys.VERB, _checked(validate_iri, args["verb"], "verb")))
    if "registration" in args:
        query.filters.append((keys.REGISTRATION, _checked(validate_uuid, args["registration"], "registration").lower()))
    query.filters = sorted(((kind, keys.index_value(value)) for kind, value in query.filters),
                           key=lambda f: _DRIVE_ORDER.index(f[0]))
    for name in ("since", "until"):
        if name in args:
            _checked(lambda value, path: parse_timestamp(value, version, path), args[name], name)
            setattr(query, name, args[name])
    query.limit = _limit(args, max_limit)
    return query


def _agent_param(raw: str, version: str) -> str:
    try:
        data = jsontext.loads(raw)
    except ValueError:
        raise BadRequest("The agent parameter must be an Agent or identified Group as JSON") from None
    try:
        agent = validate_agent(data, version)
    except StatementValidationError as exc:
        raise BadRequest(f"Invalid agent parameter: {exc}") from None
    key = keys.agent_key(agent)
    if key is None:
        raise BadRequest("The agent parameter needs an inverse functional identifier")
    return key


def _limit(args, max_limit: int) -> int:
    if "limit" not in args:
        return max_limit
    raw = args["limit"]
    if not raw.isdigit():
        raise BadRequest(f"limit must be a non-negative integer, not {raw!r}")
    value = int(raw)
    return max_limit if value == 0 or value > max_limit else value  # 0: the server maximum


def resolve_bounds(query: StatementQuery, version: str, through: datetime) -> StatementQuery:
    """Turn since/until into stored bounds, and freeze the upper bound at Consistent-Through."""
    low, high = None, through
    if query.since is not None:
        low = storage.utc(parse_timestamp(query.since, version, "since"))
    if query.until is not None:
        high = min(high, storage.utc(parse_timestamp(query.until, version, "until")))
    return replace(query, low=low, high=storage.utc(high))


def fetch_page(session: Session, query: StatementQuery, client_id: int | None) -> list:
    """Rows (seq, body, stored, has_attachments) of one page plus one more row if there is more.

    A related filter matches two kinds (keys.MATCHED_KINDS). As the first filter it drives one
    ordered, limited range read per kind, and the page is the newest of their union: each
    read stays a range of the primary key. UNION (not ALL) removes a statement found through
    both kinds (a StatementRef's inherited keys can repeat one of its own under the other kind).
    """
    columns = (_S.c.seq, _S.c.body, _S.c.stored, _S.c.has_attachments)
    driver_kinds = keys.MATCHED_KINDS[query.filters[0][0]] if query.filters else (None,)
    if len(driver_kinds) == 1:
        return list(session.execute(_page_select(query, client_id, driver_kinds[0], columns)))
    # The union compares (stored, seq) only; the bodies are read for the page's rows alone.
    reads = [_page_select(query, client_id, kind, (_S.c.seq, _S.c.stored)).subquery().select()
             for kind in driver_kinds]
    found = reads[0].union(*reads[1:]).subquery()
    order = ((found.c.stored.asc(), found.c.seq.asc()) if query.ascending
             else (found.c.stored.desc(), found.c.seq.desc()))
    page = select(*columns).select_from(found.join(_S, _S.c.seq == found.c.seq))
    return list(session.execute(page.order_by(*order).limit(query.limit + 1)))


def _page_select(query: StatementQuery, client_id: int | None, driver_kind: str | None, columns: tuple):
    """One ordered, limited read of a page, driven by the first filter's ``driver_kind``."""
    if query.filters:
        first_value = query.filters[0][1]
        driver = _I.alias("drive")
        stored, seq = driver.c.stored, driver.c.statement_seq
        statement = (select(*columns).select_from(driver.join(_S, _S.c.seq == seq))
                     .where(driver.c.kind == driver_kind, driver.c.value == first_value))
        for kind, value in query.filters[1:]:
            # A probe on the full primary key, written against the statement row: with both
            # columns from one table the planner uses both as index conditions (with one from
            # each of two tables it kept only one and filtered a whole verb's range).
            probe = _I.alias()
            kinds = keys.MATCHED_KINDS[kind]
            statement = statement.where(exists().where(probe.c.kind.in_(kinds) if len(kinds) > 1
                                                       else probe.c.kind == kinds[0],
                                                       probe.c.value == value,
                                                       probe.c.stored == _S.c.stored,
                                                       probe.c.statement_seq == _S.c.seq))
    else:
        stored, seq = _S.c.stored, _S.c.seq
        statement = select(*columns)
    statement = statement.where(_S.c.voided.is_(False))
    if client_id is not None:
        statement = statement.where(_S.c.client_id == client_id)
    if query.low is not None:
        statement = statement.where(stored > query.low)
    if query.high is not None:
        statement = statement.where(stored <= query.high)
    if query.cursor is not None:
        position = tuple_(stored, seq)
        bound = tuple_(literal(query.cursor[0], stored.type), literal(query.cursor[1], seq.type))
        statement = statement.where(position > bound if query.ascending else position < bound)
    order = (stored.asc(), seq.asc()) if query.ascending else (stored.desc(), seq.desc())
    return statement.order_by(*order).limit(query.limit + 1)


def fetch_single(session: Session, single: SingleQuery, client_id: int | None):
    """The row (seq, body, stored, has_attachments) of one statement, or None (§2.1.3, §2.1.4)."""
    statement = (select(_S.c.seq, _S.c.body, _S.c.stored, _S.c.has_attachments)
                 .where(_S.c.statement_id == single.statement_id, _S.c.voided.is_(single.voided)))
    if client_id is not None:
        statement = statement.where(_S.c.client_id == client_id)
    return session.execute(statement).first()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="xapi-statements-more")


def more_token(secret_key: str, query: StatementQuery) -> str:
    """The opaque token of the next page."""
    data = asdict(query)
    for name in ("low", "high"):
        data[name] = None if data[name] is None else data[name].isoformat()
    if query.cursor is not None:
        data["cursor"] = [storage.utc(query.cursor[0]).isoformat(), query.cursor[1]]
    return _serializer(secret_key).dumps(data)


def parse_more(args, secret_key: str) -> StatementQuery:
    """The query of a ``more`` link; 400 when it is forged, damaged or too old."""
    others = sorted(set(args) - {"more"})
    if others:
        raise BadRequest(f"A more link cannot be combined with other parameters ({', '.join(others)})")
    try:
        data = _serializer(secret_key).loads(_one(args, "more"), max_age=MORE_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise BadRequest("This more link has expired; run the query again") from None
    except BadSignature:
        raise BadRequest("This more link is not valid") from None
    data["filters"] = [tuple(item) for item in data["filters"]]
    for name in ("low", "high"):
        data[name] = None if data[name] is None else datetime.fromisoformat(data[name])
    if data["cursor"] is not None:
        data["cursor"] = (datetime.fromisoformat(data["cursor"][0]), data["cursor"][1])
    return StatementQuery(**data)
