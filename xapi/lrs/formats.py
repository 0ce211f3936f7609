"""The ``format`` parameter of GET Statements: ``ids`` and ``canonical`` views of stored statements.

Communication §2.1.3 (table row ``format``) and §2.1.3.s4 (language filtering). ``exact`` is the
stored JSON itself and never passes through here.
"""
from __future__ import annotations

from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from xapi.lrs.canonical import digest
from xapi.lrs.document_models import LrsActivity

_IFI = ("mbox", "mbox_sha1sum", "openid", "account")


def ids_statement(statement: dict) -> dict:
    """Only what identifies Agents, Groups, Activities and Verbs (anonymous groups keep members).

    §2.1.3 ``format``: "only include minimum information necessary in Agent, Activity, Verb and
    Group Objects to identify them". An Activity is identified by its ``id`` alone (objectType
    defaults to Activity), a Verb by its ``id``; Agents and Groups keep their IFI and objectType
    (which tells a Group from an Agent), anonymous Groups their members. StatementRefs and
    SubStatements keep objectType, which is required for them; this applies at every level.
    """
    result = _with_parts(statement, _ids_agent, _ids_activity)
    result["verb"] = {"id": statement["verb"]["id"]}
    if "authority" in statement:
        result["authority"] = _ids_agent(statement["authority"])
    return result


def _ids_agent(agent: dict) -> dict:
    result = {key: agent[key] for key in ("objectType", *_IFI) if key in agent}
    if not any(key in agent for key in _IFI):
        result["member"] = [_ids_agent(member) for member in agent.get("member") or ()]
    return result


def _ids_activity(activity: dict) -> dict:
    return {"id": activity["id"]}


def _with_parts(part: dict, agent_view: Callable[[dict], dict], activity_view: Callable[[dict], dict]) -> dict:
    """Apply the views to actor, object and context of a statement or SubStatement."""
    result = dict(part)
    result["actor"] = agent_view(part["actor"])
    target = part["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        result["object"] = activity_view(target)
    elif kind in ("Agent", "Group"):
        result["object"] = agent_view(target)
    elif kind == "SubStatement":
        sub = _with_parts(target, agent_view, activity_view)
        if agent_view is _ids_agent:
            sub["verb"] = {"id": target["verb"]["id"]}
        result["object"] = sub
    if "context" in part:
        result["context"] = _context(part["context"], agent_view, activity_view)
    return result


def _context(context: dict, agent_view, activity_view) -> dict:
    result = dict(context)
    for key in ("instructor", "team"):
        if key in context:
            result[key] = agent_view(context[key])
    if "contextActivities" in context:
        result["contextActivities"] = {name: [activity_view(a) for a in activities]
                                       for name, activities in context["contextActivities"].items()}
    if "contextAgents" in context:
        result["contextAgents"] = [{**entry, "agent": agent_view(entry["agent"])} for entry in context["contextAgents"]]
    if "contextGroups" in context:
        result["contextGroups"] = [{**entry, "group": agent_view(entry["group"])} for entry in context["contextGroups"]]
    return result


def canonical_statements(session: Session, statements: list[dict], languages: list[str]) -> list[dict]:
    """Activities with the LRS's canonical definition, one language per language map (§2.1.3.s4)."""
    definitions = _canonical_definitions(session, _activity_ids(statements))

    def activity_view(activity: dict) -> dict:
        result = dict(activity)
        definition = definitions.get(activity["id"]) or activity.get("definition")
        if definition:
            result["definition"] = _filter_definition(definition, languages)
        return result

    def verb_view(part: dict) -> dict:
        verb = dict(part["verb"])
        if "display" in verb:
            verb["display"] = pick_language(verb["display"], languages)
        return verb

    result = []
    for statement in statements:
        view = _with_parts(statement, lambda agent: agent, activity_view)
        view["verb"] = verb_view(statement)
        if view["object"].get("objectType") == "SubStatement":
            view["object"]["verb"] = verb_view(statement["object"])
        result.append(view)
    return result


def _activity_ids(statements: Iterable[dict]) -> set[str]:
    found: set[str] = set()

    def collect(activity: dict) -> dict:
        found.add(activity["id"])
        return activity

    for statement in statements:
        _with_parts(statement, lambda agent: agent, collect)
    return found


def _canonical_definitions(session: Session, activity_ids: set[str]) -> dict[str, dict]:
    if not activity_ids:
        return {}
    by_key = {digest(activity_id): activity_id for activity_id in activity_ids}
    rows = session.execute(select(LrsActivity.key, LrsActivity.definition).where(LrsActivity.key.in_(list(by_key))))
    return {by_key[key]: definition for key, definition in rows if definition}


def _filter_definition(definition: dict, languages: list[str]) -> dict:
    result = dict(definition)
    for key in ("name", "description"):
        if isinstance(definition.get(key), dict):
            result[key] = pick_language(definition[key], languages)
    for key in ("choices", "scale", "source", "target", "steps"):
        if isinstance(definition.get(key), list):
            result[key] = [{**component, "description": pick_language(component["description"], languages)}
                           if isinstance(component.get("description"), dict) else component
                           for component in definition[key]]
    return result


def pick_language(language_map: dict, languages: list[str]) -> dict:
    """One entry of a language map, chosen by the client's languages (best first).

    RFC 2616 §14.4 matching, applied to each map (§2.1.3.s4.b5): an exact tag first, then a tag
    that the wanted one is a prefix of (``en`` matches ``en-US``), then ``*``; else the first entry.
    """
    if len(language_map) <= 1:
        return dict(language_map)
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted == "*":
            break
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for candidate, key in lowered.items():
            if candidate.startswith(wanted + "-") or wanted.startswith(candidate + "-"):
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}
