"""What the LRS knows of Activities and Agents beyond single statements: canonical definitions, names.

Communication §2.4 (Agents Resource: a Person object) and §2.5 (Activities Resource: the
canonical definition), Data §2.4.4.1 (the LRS SHOULD update its canonical definition from the
statements of Learning Record Providers that have the authority to do so: the ``define`` scope).

The statement ingest calls :func:`record_statements` inside its own transaction. It costs two
queries and at most two bulk writes per batch, and it never fails on a race with another writer:
rows are inserted with ON CONFLICT DO NOTHING and updated in a fixed (key) order.
"""
from __future__ import annotations

import hashlib
import json
from typing import Iterable, Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xapi.lrs.document_models import LrsActivity, LrsAgent
from xapi.lrs.models import utcnow

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
LANGUAGE_MAP_KEYS = ("name", "description")


def agent_ifi(agent: dict) -> dict:
    """The Inverse Functional Identifier of a validated Agent or identified Group, alone."""
    for key in IFI_KEYS:
        if key in agent:
            value = agent[key]
            if key == "account":
                return {"account": {"homePage": value["homePage"], "name": value["name"]}}
            return {key: value}
    raise ValueError("the agent has no inverse functional identifier")


def agent_key(agent: dict) -> str:
    """A stable text key of an agent's IFI, e.g. ``mbox:mailto:a@b.c`` or ``account:<home>|<name>``.

    The name and objectType are not part of it: the specification identifies an Agent by its IFI.
    """
    ifi = agent_ifi(agent)
    kind, value = next(iter(ifi.items()))
    if kind == "account":
        return f"account:{value['homePage']}|{value['name']}"
    return f"{kind}:{value}"


def digest(*parts: str | None) -> str:
    """SHA-256 of several text parts, unambiguous whatever the parts contain."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def merge_definition(current: dict | None, incoming: dict) -> dict:
    """The new canonical definition: incoming properties replace the old ones, language maps merge.

    A provider that sends only ``name: {"en": ...}`` must not erase the Vietnamese name another
    statement gave, so ``name`` and ``description`` are merged language by language.
    """
    merged = dict(current or {})
    for key, value in incoming.items():
        if key in LANGUAGE_MAP_KEYS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def record_statements(session: Session, statements: Iterable[dict], may_define: bool) -> None:
    """Update canonical activities and known agents from validated statements (no commit).

    ``may_define``: the credential has the ``define`` scope (or ``all``); without it activity
    ids are recorded but their definitions are not changed (Communication §4.2 scope "define").
    """
    statements = list(statements)
    _record_activities(session, _activities_in(statements), may_define)
    _record_agents(session, _agents_in(statements))


def _walk_statement(statement: dict) -> Iterator[tuple[str, dict]]:
    """Yield ("activity" | "agent", object) for every activity and agent a statement names."""
    for part in (statement, statement.get("object") if _is_substatement(statement.get("object")) else None):
        if not part:
            continue
        yield from _walk_actor(part.get("actor"))
        target = part.get("object") or {}
        if target.get("objectType", "Activity") == "Activity" and "id" in target:
            yield "activity", target
        elif target.get("objectType") in ("Agent", "Group"):
            yield from _walk_actor(target)
        context = part.get("context") or {}
        for activities in (context.get("contextActivities") or {}).values():
            for activity in activities if isinstance(activities, list) else [activities]:
                yield "activity", activity
        yield from _walk_actor(context.get("instructor"))
        yield from _walk_actor(context.get("team"))


def _is_substatement(target: object) -> bool:
    return isinstance(target, dict) and target.get("objectType") == "SubStatement"


def _walk_actor(actor: dict | None) -> Iterator[tuple[str, dict]]:
    if not actor:
        return
    if any(key in actor for key in IFI_KEYS):
        yield "agent", actor
    for member in actor.get("member") or []:
        yield "agent", member


def _activities_in(statements: list[dict]) -> dict[str, tuple[str, dict | None]]:
    """key -> (activity id, merged definition seen in this batch, in statement order)."""
    found: dict[str, tuple[str, dict | None]] = {}
    for statement in statements:
        for kind, value in _walk_statement(statement):
            if kind != "activity":
                continue
            key = digest(value["id"])
            previous = found.get(key, (value["id"], None))[1]
            definition = value.get("definition")
            merged = merge_definition(previous, definition) if definition else previous
            found[key] = (value["id"], merged)
    return found


def _agents_in(statements: list[dict]) -> dict[str, tuple[dict, list[str]]]:
    """key -> (IFI, names seen in this batch)."""
    found: dict[str, tuple[dict, list[str]]] = {}
    for statement in statements:
        for kind, value in _walk_statement(statement):
            if kind != "agent":
                continue
            key = digest(agent_key(value))
            ifi, names = found.setdefault(key, (agent_ifi(value), []))
            name = value.get("name")
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    return found


def _insert_ignoring_conflicts(session: Session, model: type, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING on PostgreSQL and SQLite."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def _record_activities(session: Session, found: dict[str, tuple[str, dict | None]], may_define: bool) -> None:
    if not found:
        return
    now = utcnow()
    existing = dict(session.execute(
        select(LrsActivity.key, LrsActivity.definition).where(LrsActivity.key.in_(list(found)))
    ).all())
    new_rows = [
        {"key": key, "activity_id": activity_id, "definition": definition if may_define else None, "updated": now}
        for key, (activity_id, definition) in sorted(found.items()) if key not in existing
    ]
    _insert_ignoring_conflicts(session, LrsActivity, new_rows)
    if not may_define:
        return
    for key in sorted(found):
        definition = found[key][1]
        if key not in existing or not definition:
            continue
        merged = merge_definition(existing[key], definition)
        if merged != existing[key]:
            session.execute(update(LrsActivity).where(LrsActivity.key == key)
                            .values(definition=merged, updated=now))


def _record_agents(session: Session, found: dict[str, tuple[dict, list[str]]]) -> None:
    if not found:
        return
    now = utcnow()
    existing = dict(session.execute(
        select(LrsAgent.key, LrsAgent.names).where(LrsAgent.key.in_(list(found)))
    ).all())
    new_rows = [{"key": key, "ifi": ifi, "names": names, "updated": now}
                for key, (ifi, names) in sorted(found.items()) if key not in existing]
    _insert_ignoring_conflicts(session, LrsAgent, new_rows)
    for key in sorted(found):
        if key not in existing:
            continue
        known = list(existing[key] or [])
        added = [name for name in found[key][1] if name not in known]
        if added:
            session.execute(update(LrsAgent).where(LrsAgent.key == key)
                            .values(names=known + added, updated=now))


def activity_object(session: Session, activity_id: str) -> dict:
    """The Activity object the Activities Resource returns; a bare one when nothing is known (§2.5)."""
    definition = session.scalar(select(LrsActivity.definition).where(LrsActivity.key == digest(activity_id)))
    activity: dict = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def person_object(session: Session, agent: dict) -> dict:
    """The Person object of the Agents Resource for one agent (Communication §2.4).

    Every array holds what is known for the agent's IFI: the identifier itself and every name
    seen with it in statements, plus the name given in the request.
    """
    ifi = agent_ifi(agent)
    names = list(session.scalar(select(LrsAgent.names).where(LrsAgent.key == digest(agent_key(agent)))) or [])
    if isinstance(agent.get("name"), str) and agent["name"] not in names:
        names.insert(0, agent["name"])
    person: dict = {"objectType": "Person"}
    if names:
        person["name"] = names
    kind, value = next(iter(ifi.items()))
    person[kind] = [value]
    return person
