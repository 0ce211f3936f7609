"""Statement comparison: is a received statement the same as the one stored under its id?

Data §2.3.1 (Statement Comparison Requirements): differences that the exceptions to
immutability could cause are ignored — the LRS-assigned id, authority, stored, timestamp and
version, Activity definitions, Verb displays, the serialisation of timestamps, the order of
Group members, the case of an e-mail domain, and the single-object form of context
activities. Every other difference counts, so the LRS answers 409 Conflict.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

_LRS_ASSIGNED = ("stored", "authority", "version")


def equivalent(stored: dict, received: dict) -> bool:
    """True when ``received`` is the same statement as ``stored`` under the rules above."""
    left, right = _comparable(stored), _comparable(received)
    if "timestamp" not in received:
        left.pop("timestamp", None)  # the LRS filled it in from stored
    return left == right


def _comparable(statement: dict) -> dict:
    result = {key: value for key, value in statement.items() if key not in _LRS_ASSIGNED}
    return _statement_part(result)


def _statement_part(part: dict) -> dict:
    """Normalise a statement or SubStatement."""
    result = dict(part)
    result["actor"] = _agent(part["actor"])
    result["verb"] = {"id": part["verb"]["id"]}
    result["object"] = _object(part["object"])
    if "timestamp" in part:
        result["timestamp"] = _instant(part["timestamp"])
    if "context" in part:
        result["context"] = _context(part["context"])
    if "id" in part:
        result["id"] = part["id"].lower()
    return result


def _object(target: dict) -> dict:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": target["id"]}
    if kind in ("Agent", "Group"):
        return _agent(target)
    if kind == "StatementRef":
        return {"objectType": "StatementRef", "id": target["id"].lower()}
    return _statement_part(target)


def _agent(agent: dict) -> dict:
    result = dict(agent)
    result.setdefault("objectType", "Agent")
    if "mbox" in agent:
        local, _, domain = agent["mbox"].rpartition("@")
        result["mbox"] = f"{local}@{domain.lower()}"
    if "mbox_sha1sum" in agent:
        result["mbox_sha1sum"] = agent["mbox_sha1sum"].lower()
    if "member" in agent:
        members = [_agent(member) for member in agent["member"]]
        result["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return result


def _context(context: dict) -> dict:
    result = dict(context)
    if "registration" in context:
        result["registration"] = context["registration"].lower()
    if "contextActivities" in context:
        result["contextActivities"] = {
            key: [{"id": activity["id"]} for activity in (value if isinstance(value, list) else [value])]
            for key, value in context["contextActivities"].items()
        }
    for key in ("instructor", "team"):
        if key in context:
            result[key] = _agent(context[key])
    if "statement" in context:
        result["statement"] = {"objectType": "StatementRef", "id": context["statement"]["id"].lower()}
    return result


def _instant(value: Any) -> Any:
    """A timestamp as a point in time (its serialisation is not part of the statement)."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return value
