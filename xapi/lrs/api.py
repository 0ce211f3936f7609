"""The Statement Resource, /xapi/statements (Communication §2.1): PUT, POST, GET and HEAD.

Thin views: parse the request, call ingest (writes) or the query module (reads), commit,
answer. Every response carries X-Experience-API-Consistent-Through (§2.1.3.s2.b5).
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from flask import Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import http_date, parse_options_header

from xapi.lrs import auth, formats, jsontext, multipart, query, storage
from xapi.lrs.http import BadRequest, NotFound, PayloadTooLarge, bp, db_session, xapi_version
from xapi.lrs.ingest import IngestResult, ingest_batch

CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
JSON_TYPE = "application/json"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@bp.after_request
def _consistent_through(response: Response) -> Response:
    """Every Statement Resource response says up to when its view of the store is complete."""
    if request.endpoint != "xapi.statements":
        return response
    moment = g.pop("xapi_consistent_through", None)
    if moment is None:
        session = db_session()
        session.rollback()  # a failed request may have left the transaction aborted
        try:
            moment = storage.consistent_through(session)
        except SQLAlchemyError:  # the database itself is failing: answer without the header
            return response
        finally:
            session.rollback()
    response.headers[CONSISTENT_THROUGH] = _iso(moment)
    return response


@bp.route("/statements", methods=["GET", "HEAD", "PUT", "POST"], endpoint="statements")
def statements():
    if request.method in ("GET", "HEAD"):
        return _get()
    if request.method == "PUT":
        return _put()
    return _post()


def _put():
    principal = auth.require(db_session(), "statements/write")
    unknown = sorted(set(request.args) - {"statementId"})
    if unknown:
        raise BadRequest(f"Unknown parameter(s) for PUT statements: {', '.join(unknown)}")
    if "statementId" not in request.args:
        raise BadRequest("PUT statements requires the statementId parameter")
    statement_id = query.parse_single(request.args).statement_id
    data, attachments = _read_body()
    if not isinstance(data, dict):
        raise BadRequest("PUT statements takes one statement object")
    if "id" in data and str(data["id"]).lower() != statement_id:
        raise BadRequest(f"The statement id {data['id']} does not match statementId {statement_id}")
    data = {**data, "id": data.get("id", statement_id)}
    _store([data], attachments, principal)
    return Response(status=204)


def _post():
    principal = auth.require(db_session(), "statements/write")
    if request.args:
        raise BadRequest(f"Unknown parameter(s) for POST statements: {', '.join(sorted(request.args))}")
    data, attachments = _read_body()
    batch = data if isinstance(data, list) else [data]
    if not batch:
        raise BadRequest("The batch holds no statement")
    result = _store(batch, attachments, principal)
    if result.all_existed:
        # §2.1.2 (2.0: 4.1.6.1 POST): for a statement whose id is stored already the LRS answers
        # 409 Conflict or 204 No Content and changes nothing; equivalent ones get 204 here. A
        # batch with any new statement is stored and answered 200 with every id, as usual.
        return Response(status=204)
    return Response(json.dumps(result.ids), status=200, mimetype=JSON_TYPE)


def _store(batch: list, attachments: dict[str, bytes] | None, principal: auth.Principal) -> IngestResult:
    session = db_session()
    result = ingest_batch(session, batch, principal.authority, xapi_version(), attachments,
                          client_id=principal.client_id, may_define=principal.allows("define"), standalone=True)
    if not result.committed:  # a write made alone (storage.py, "One round trip") is already
        session.commit()  # acknowledged only once committed
    if result.consistent_through is not None:
        g.xapi_consistent_through = result.consistent_through
    return result


def _read_body() -> tuple[object, dict[str, bytes] | None]:
    """The statements and the attachment parts (None for a JSON request), checked against Content-Type."""
    limit = current_app.config["LRS_MAX_REQUEST_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The request is larger than this LRS accepts ({limit} bytes)")
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request is larger than this LRS accepts ({limit} bytes)")
    mimetype = parse_options_header(request.headers.get("Content-Type", ""))[0].lower()
    if mimetype == JSON_TYPE:
        return _parse_json(body), None
    if mimetype == "multipart/mixed":
        try:
            parsed = multipart.parse_multipart(body, request.headers["Content-Type"])
        except multipart.MultipartError as exc:
            raise BadRequest(f"Invalid multipart/mixed body: {exc}") from None
        parts = {sha2: content for sha2, (_, content) in parsed.attachments.items()}
        return _parse_json(parsed.statements_json), parts
    raise BadRequest(f"Statements must be sent as {JSON_TYPE} or multipart/mixed, "
                     f"not {mimetype or 'a body without Content-Type'}")


def _parse_json(body: bytes) -> object:
    try:
        return jsontext.loads(body)
    except jsontext.InvalidJson as exc:
        raise BadRequest(f"The body is not valid UTF-8 JSON although its Content-Type says JSON: {exc}") from None


def _get():
    session = db_session()
    principal = auth.require(session, "statements/read")
    mine = principal.client_id if principal.reads_only_own else None
    # Before any other query of this transaction: see storage.consistent_through.
    through = g.xapi_consistent_through = storage.consistent_through(session)
    if "more" in request.args:
        return _page(session, query.parse_more(request.args, current_app.config["SECRET_KEY"]), mine)
    unknown = sorted(set(request.args) - query.FILTER_PARAMS - query.SINGLE_PARAMS)
    if unknown:
        raise BadRequest(f"Unknown parameter(s) for GET statements: {', '.join(unknown)} "
                         "(names are case-sensitive)")
    if query.SINGLE_PARAMS & set(request.args):
        return _single(session, query.parse_single(request.args), mine)
    parsed = query.parse_query(request.args, xapi_version(), current_app.config["LRS_STATEMENTS_LIMIT"])
    return _page(session, query.resolve_bounds(parsed, xapi_version(), through), mine)


def _single(session, single: query.SingleQuery, mine: int | None):
    row = query.fetch_single(session, single, mine)
    if row is None:
        kind = "voided statement" if single.voided else "statement"
        raise NotFound(f"No {kind} with id {single.statement_id}")
    statement_json = _formatted(session, [row.body], single.format)[0]
    response = _respond(statement_json, single.attachments, [row])
    response.headers["Last-Modified"] = http_date(storage.aware(row.stored))
    return response


def _page(session, parsed: query.StatementQuery, mine: int | None):
    rows = query.fetch_page(session, parsed, mine)
    more = ""
    if len(rows) > parsed.limit:
        rows = rows[:parsed.limit]
        cursor = (storage.aware(rows[-1].stored), rows[-1].seq)
        token = query.more_token(current_app.config["SECRET_KEY"], replace(parsed, cursor=cursor))
        more = f"{request.script_root}{current_app.extensions['xapi']['url_prefix']}/statements?more={token}"
    statements_json = ",".join(_formatted(session, [row.body for row in rows], parsed.format))
    body = f'{{"statements":[{statements_json}],"more":{json.dumps(more)}}}'
    response = _respond(body, parsed.attachments, rows)
    if rows:
        response.headers["Last-Modified"] = http_date(max(storage.aware(row.stored) for row in rows))
    return response


def _formatted(session, bodies: list[str], format_name: str) -> list[str]:
    """Statement JSON texts in the requested format; ``exact`` is the stored text untouched."""
    if format_name == "exact":
        return bodies
    statements = [json.loads(body) for body in bodies]
    if format_name == "ids":
        views = [formats.ids_statement(statement) for statement in statements]
    else:
        languages = [value for value, _ in request.accept_languages]
        views = formats.canonical_statements(session, statements, languages)
    return [json.dumps(view, ensure_ascii=False, separators=(",", ":")) for view in views]


def _respond(body: str, with_attachments: bool, rows: list) -> Response:
    """JSON, or multipart/mixed with the attachments of ``rows`` when asked (§2.1.3.s2.b6/b7)."""
    json_bytes = body.encode("utf-8")
    if not with_attachments:
        return Response(json_bytes, status=200, mimetype=JSON_TYPE)
    wanted = [row for row in rows if row.has_attachments]
    triples = []
    if wanted:
        metadata = [a for row in wanted for a in _attachments_of(json.loads(row.body))]
        contents = storage.load_attachments(db_session(), {a["sha2"].lower() for a in metadata})
        triples = [(contents[sha2][0], sha2, contents[sha2][1])
                   for sha2 in dict.fromkeys(a["sha2"].lower() for a in metadata) if sha2 in contents]
    payload, content_type = multipart.build_multipart(json_bytes, triples)
    return Response(payload, status=200, content_type=content_type)


def _attachments_of(statement: dict) -> list[dict]:
    found = list(statement.get("attachments") or ())
    if statement["object"].get("objectType") == "SubStatement":
        found += statement["object"].get("attachments") or ()
    return found
