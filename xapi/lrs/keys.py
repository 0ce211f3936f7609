"""The filter keys of a statement: what each GET filter of the Statement Resource can match.

Communication §2.1.3: ``agent`` matches the actor or object (a Group also through its
members), ``related_agents`` adds authority, instructor, team, context agents and the same
inside a SubStatement; ``activity`` matches an Activity object, ``related_activities`` adds the
context activities and the SubStatement's. Each key is a (kind, value) pair stored in
``lrs_statement_index``; the kinds are documented on :class:`xapi.lrs.models.StatementIndex`.
A related key (``A``, ``T``) is not stored when the statement has the direct key (``a``, ``t``)
of the same value; the related filters read both kinds (``MATCHED_KINDS``).
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

VERB, REGISTRATION, AGENT, RELATED_AGENT, ACTIVITY, RELATED_ACTIVITY = "v", "r", "a", "A", "t", "T"

# Longer values are stored as their SHA-256 so every key fits a B-tree entry on any database.
_MAX_VALUE_CHARS = 250

Key = tuple[str, str]


def index_value(value: str) -> str:
    """The stored form of a key value: itself, or ``#`` + SHA-256 when it is long."""
    if len(value) <= _MAX_VALUE_CHARS:
        return value
    return "#" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def agent_key(agent: dict) -> str | None:
    """A text key of an Agent's or identified Group's IFI; None for an anonymous Group.

    The domain of an e-mail address is case-insensitive (Data §2.3.1.b7), so it is lowercased.
    """
    if "mbox" in agent:
        local, _, domain = str(agent["mbox"]).rpartition("@")
        return f"mbox:{local}@{domain.lower()}" if local else f"mbox:{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"sha1:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    if "account" in agent:
        account = agent["account"]
        # An IRL never contains a space, so the first space separates homePage from name.
        return f"account:{account['homePage']} {account['name']}"
    return None


def _agent_keys(agent: dict | None) -> Iterator[str]:
    """The agent's own key and those of its group members."""
    if not isinstance(agent, dict):
        return
    key = agent_key(agent)
    if key:
        yield key
    for member in agent.get("member") or ():
        member_key = agent_key(member)
        if member_key:
            yield member_key


def _context_activities(context: dict) -> Iterator[str]:
    for value in (context.get("contextActivities") or {}).values():
        for activity in value if isinstance(value, list) else [value]:
            yield activity["id"]


def _context_agents(context: dict) -> Iterator[str]:
    yield from _agent_keys(context.get("instructor"))
    yield from _agent_keys(context.get("team"))
    for entry in context.get("contextAgents") or ():  # xAPI 2.0
        yield from _agent_keys(entry.get("agent"))
    for entry in context.get("contextGroups") or ():  # xAPI 2.0
        yield from _agent_keys(entry.get("group"))


def _object_keys(target: dict) -> tuple[list[str], list[str]]:
    """(agent keys, activity ids) of a statement's object that the plain filters match."""
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return [], [target["id"]]
    if kind in ("Agent", "Group"):
        return list(_agent_keys(target)), []
    return [], []


def statement_keys(statement: dict) -> set[Key]:
    """Every filter key of a validated statement (without those inherited through a StatementRef)."""
    keys: set[Key] = {(VERB, statement["verb"]["id"])}
    context = statement.get("context") or {}
    if "registration" in context:
        keys.add((REGISTRATION, context["registration"].lower()))
    target = statement["object"]
    agents, activities = _object_keys(target)
    direct_agents = [*_agent_keys(statement["actor"]), *agents]
    keys.update((AGENT, key) for key in direct_agents)
    keys.update((RELATED_AGENT, key) for key in direct_agents)
    keys.update((RELATED_AGENT, key) for key in _agent_keys(statement.get("authority")))
    keys.update((RELATED_AGENT, key) for key in _context_agents(context))
    keys.update((ACTIVITY, activity) for activity in activities)
    keys.update((RELATED_ACTIVITY, activity) for activity in activities)
    keys.update((RELATED_ACTIVITY, activity) for activity in _context_activities(context))
    if target.get("objectType") == "SubStatement":
        keys.update(_substatement_keys(target))
    return keys


def _substatement_keys(sub: dict) -> Iterator[Key]:
    """A SubStatement counts for related_agents and related_activities only."""
    context = sub.get("context") or {}
    agents, activities = _object_keys(sub["object"])
    for key in (*_agent_keys(sub["actor"]), *agents, *_context_agents(context)):
        yield RELATED_AGENT, key
    for activity in (*activities, *_context_activities(context)):
        yield RELATED_ACTIVITY, activity


def ref_target(statement: dict) -> str | None:
    """The id of the statement this one's object refers to (a StatementRef), lowercased."""
    target = statement["object"]
    if target.get("objectType") == "StatementRef":
        return target["id"].lower()
    return None


# The kinds a filter matches. A statement stores a related key only when it does not also
# have the direct key of the same value (an actor is an "a" key, not also an "A" key): about
# two rows fewer per statement; the related filters read both kinds.
MATCHED_KINDS: dict[str, tuple[str, ...]] = {
    VERB: (VERB,), REGISTRATION: (REGISTRATION,), AGENT: (AGENT,), ACTIVITY: (ACTIVITY,),
    RELATED_AGENT: (AGENT, RELATED_AGENT), RELATED_ACTIVITY: (ACTIVITY, RELATED_ACTIVITY),
}
_DIRECT_KIND = {RELATED_AGENT: AGENT, RELATED_ACTIVITY: ACTIVITY}


def stored_keys(keys: Iterable[Key]) -> set[Key]:
    """Keys in the form stored in the index: long values hashed, related keys that repeat a
    direct key of the same value left out (see MATCHED_KINDS)."""
    stored = {(kind, index_value(value)) for kind, value in keys}
    return {(kind, value) for kind, value in stored
            if kind not in _DIRECT_KIND or (_DIRECT_KIND[kind], value) not in stored}
