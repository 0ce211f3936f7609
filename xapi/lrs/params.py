"""Query parameters of the document, Agents and Activities resources: presence, type, format.

Communication §3.2.s3.b7/b8: a parameter the resource does not know (including a known one in
other letter case) is 400. The values are checked with the data-model validators of
``xapi.schemas`` so that a parameter is held to the same rules as the property it names.
"""
from __future__ import annotations

from datetime import datetime

from flask import request

from xapi.lrs import jsontext
from xapi.lrs.http import BadRequest, xapi_version
from xapi.schemas import StatementValidationError, parse_timestamp, validate_agent, validate_iri, validate_uuid


def read_params(allowed: set[str], required: set[str]) -> dict[str, str]:
    """The query parameters of the request, each given once, none unknown, the required present."""
    args = request.args
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise BadRequest(f"Unknown parameter(s) {', '.join(unknown)}; this resource accepts "
                         f"{', '.join(sorted(allowed))} (names are case-sensitive)")
    repeated = sorted(name for name in args if len(args.getlist(name)) > 1)
    if repeated:
        raise BadRequest(f"Parameter(s) given more than once: {', '.join(repeated)}")
    missing = sorted(required - set(args))
    if missing:
        raise BadRequest(f"Missing required parameter(s): {', '.join(missing)}")
    return {name: args[name] for name in args}


def activity_id_param(value: str, name: str = "activityId") -> str:
    return _checked(validate_iri, value, name)


def registration_param(value: str | None) -> str | None:
    return None if value is None else _checked(validate_uuid, value, "registration").lower()


def agent_param(value: str, name: str = "agent") -> dict:
    """The JSON Agent (or identified Group) of an ``agent`` parameter (§2.3, §2.4, §2.6)."""
    try:
        data = jsontext.loads(value)
    except ValueError:
        raise BadRequest(f"{name} must be an Agent object in JSON, e.g. "
                         '{"objectType": "Agent", "mbox": "mailto:learner@example.org"}') from None
    if not isinstance(data, dict):
        raise BadRequest(f"{name} must be a JSON object (an Agent)")
    try:
        agent = validate_agent(data, xapi_version())
    except StatementValidationError as exc:
        raise BadRequest(f"{name} is not a valid Agent: {exc}") from None
    if not any(key in agent for key in ("mbox", "mbox_sha1sum", "openid", "account")):
        raise BadRequest(f"{name} must identify one agent (mbox, mbox_sha1sum, openid or account)")
    return agent


def since_param(value: str | None) -> datetime | None:
    return None if value is None else _checked(parse_timestamp, value, "since", with_version=True)


def document_id_param(value: str, name: str) -> str:
    if value == "":
        raise BadRequest(f"{name} must not be empty")
    return value


def _checked(check, value: str, name: str, with_version: bool = False):
    try:
        if with_version:
            return check(value, xapi_version(), name)
        return check(value, name)
    except StatementValidationError as exc:
        raise BadRequest(str(exc)) from None
