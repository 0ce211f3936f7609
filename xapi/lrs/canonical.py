"""What the LRS knows of Activities and Agents beyond single statements: canonical definitions, names.

Communication §2.4 (Agents Resource: a Person object) and §2.5 (Activities Resource: the
canonical definition), Data §2.4.4.1 (the LRS SHOULD update its canonical definition from the
statements of Learning Record Providers that have the authority to do so: the ``define`` scope).

The statement ingest keeps these tables up to date within its own queries: it asks
:func:`found_in` which keys a batch names, reads their rows with the statements it looks up
(storage.py), gets the inserts and updates from :func:`plan_writes`, and stores them with the
statements. Rows are inserted with ON CONFLICT DO NOTHING and updated in key order, so
concurrent writers never fail on each other and cannot deadlock here. On PostgreSQL the
agents' names are merged by the database itself (the function ``lrs_merge_agents``, the same
rule as :func:`plan_writes`), so a learner's first statement costs no query of its own.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from xapi.lrs.document_models import LrsActivity, LrsAgent
from xapi.lrs.models import utcnow
from xapi.lrs.storage import CanonicalWrites
from xapi.schemas.agent import IFI_KEYS

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


@dataclass
class Found:
    """The activities and agents one batch of statements names."""

    activities: dict[str, tuple[str, dict | None]]   # key -> (activity id, merged definition in the batch)
    agents: dict[str, tuple[dict, list[str]]]        # key -> (IFI, names seen in the batch)


def found_in(statements: Iterable[dict]) -> Found:
    """Every activity (with its definitions merged in statement order) and agent the statements name."""
    activities: dict[str, tuple[str, dict | None]] = {}
    agents: dict[str, tuple[dict, list[str]]] = {}
    for statement in statements:
        for kind, value in _walk_statement(statement):
            if kind == "activity":
                _add_activity(activities, value)
            else:
                _add_agent(agents, value)
    return Found(activities=activities, agents=agents)


def _add_activity(found: dict, activity: dict) -> None:
    key = id_key(activity["id"])
    definition = activity.get("definition")
    if key not in found:
        found[key] = (activity["id"], definition)
    elif definition and definition != found[key][1]:
        previous = found[key][1]
        found[key] = (activity["id"], merge_definition(previous, definition) if previous else definition)


def _add_agent(found: dict, agent: dict) -> None:
    key = id_key(agent_key(agent))
    if key not in found:
        found[key] = (agent_ifi(agent), [])
    name = agent.get("name")
    names = found[key][1]
    if isinstance(name, str) and name and name not in names:
        names.append(name)


@lru_cache(maxsize=8192)
def id_key(text: str) -> str:
    """:func:`digest` of one identifier; the same IRIs come again and again, so it is cached."""
    return digest(text)


def plan_writes(found: Found, activities: dict[str, dict | None], agents: dict[str, list],
                may_define: bool) -> CanonicalWrites:
    """Inserts and updates that bring the stored rows (``activities``, ``agents``) up to date.

    On PostgreSQL the agents' rows are brought up to date by the database itself, from
    ``agents_seen`` (storage.py: the function ``lrs_merge_agents``, the same rule).

    ``may_define``: the credential has the ``define`` scope (or ``all``); without it activity
    ids are recorded but their definitions are not changed (Communication §4.2 scope "define").
    """
    now = utcnow()
    writes = CanonicalWrites()
    for key in sorted(found.activities):
        activity_id, definition = found.activities[key]
        if key not in activities:
            writes.activity_inserts.append({"key": key, "activity_id": activity_id,
                                            "definition": definition if may_define else None, "updated": now})
        elif may_define and definition:
            merged = merge_definition(activities[key], definition)
            if merged != activities[key]:
                writes.activity_updates.append({"key": key, "definition": merged, "updated": now})
    for key in sorted(found.agents):
        ifi, names = found.agents[key]
        writes.agents_seen.append((key, ifi, names))
        if key not in agents:
            writes.agent_inserts.append({"key": key, "ifi": ifi, "names": names, "updated": now})
            continue
        known = list(agents[key] or [])
        added = [name for name in names if name not in known]
        if added:
            writes.agent_updates.append({"key": key, "names": known + added, "updated": now})
    return writes


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


def activity_object(session: Session, activity_id: str) -> dict:
    """The Activity object the Activities Resource returns; a bare one when nothing is known (§2.5)."""
    definition = session.scalar(select(LrsActivity.definition).where(LrsActivity.key == id_key(activity_id)))
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
