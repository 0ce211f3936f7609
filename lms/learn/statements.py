"""LMS events -> xAPI statements (built with ``tincan``), written through the LRS ingest function.

Actor: an ``account`` (homePage = site URL, name = the user's opaque public id); names and
e-mail addresses only when ``LRS_EXPOSE_LEARNER_IDENTITY`` is on. Object: the module (or
question, or course) with a bilingual definition. Context: registration = the enrolment,
parent = the module for question statements and the course for module statements, grouping =
the course, category = our profile, language and platform. Statement ids are UUIDv5 of site,
learner, module, attempt and event, so a retried request can never record an action twice.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tincan import (Activity, ActivityDefinition, Agent, AgentAccount, Context, ContextActivities, Extensions,
                    Result, Score, Statement, Verb)

from xapi import vocabulary as vocab

# Namespace of our statement ids (UUIDv5 of the site URL and the event's parts).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, vocab.PROFILE_IRI)


def statement_id(site_url: str, learner: str, object_iri: str, attempt: int | str, event: str) -> str:
    """Deterministic statement id: the same event always gets the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, "|".join([site_url, learner, object_iri, str(attempt), event])))


@dataclass(frozen=True)
class Learner:
    """The facts about a learner a statement may carry."""

    public_id: str
    name: str = ""
    email: str | None = None


@dataclass(frozen=True)
class ActivityRef:
    """An object or context activity: IRI, bilingual name, type IRI, optional extra definition keys."""

    iri: str
    name: dict[str, str]
    type: str
    description: dict[str, str] | None = None


class StatementBuilder:
    """Builds the statements of one learner in one course registration, at one moment."""

    def __init__(self, site_url: str, learner: Learner, registration: str, course: ActivityRef,
                 locale: str, timestamp: datetime, expose_identity: bool = False) -> None:
        self.site_url = site_url.rstrip("/")
        self.learner = learner
        self.registration = registration
        self.course = course
        self.language = vocab.LANGUAGE_TAGS.get(locale, "vi-VN")
        self.timestamp = timestamp
        self.expose_identity = expose_identity

    def actor(self) -> Agent:
        agent = Agent(account=AgentAccount(home_page=self.site_url, name=self.learner.public_id))
        if self.expose_identity and self.learner.name:
            agent.name = self.learner.name
        return agent

    @staticmethod
    def activity(ref: ActivityRef, definition: dict[str, Any] | None = None) -> Activity:
        data: dict[str, Any] = {"name": vocab.language_map(ref.name), "type": ref.type}
        if ref.description:
            data["description"] = vocab.language_map(ref.description)
        if definition:
            data.update(definition)
        return Activity(id=ref.iri, definition=ActivityDefinition(data))

    def context(self, parent: ActivityRef | None, extensions: dict[str, Any] | None = None,
                grouping: bool = True) -> Context:
        profile = Activity(id=vocab.PROFILE_IRI, definition=ActivityDefinition(type=vocab.ACTIVITY_TYPES["profile"]))
        activities = ContextActivities(category=[profile])
        if grouping:
            activities.grouping = [Activity(id=self.course.iri)]
        if parent is not None:
            activities.parent = [Activity(id=parent.iri)]
        context = Context(registration=uuid.UUID(self.registration), language=self.language,
                          platform=vocab.PLATFORM, context_activities=activities)
        if extensions:
            context.extensions = Extensions(extensions)
        return context

    def build(self, verb_name: str, obj: ActivityRef, event_key: tuple[int | str, str], *,
              parent: ActivityRef | None = None, result: Result | None = None,
              definition: dict[str, Any] | None = None, extensions: dict[str, Any] | None = None) -> dict:
        """One statement as a dict ready for ingest; ``event_key`` = (attempt or session, event name)."""
        verb_iri = vocab.verb(verb_name)
        statement = Statement(
            id=uuid.UUID(statement_id(self.site_url, self.learner.public_id, obj.iri, *event_key)),
            actor=self.actor(), verb=Verb(id=verb_iri, display=vocab.VERBS[verb_iri]),
            object=self.activity(obj, definition),
            context=self.context(parent, extensions, grouping=obj.iri != self.course.iri),
            timestamp=self.timestamp,
        )
        if result is not None:
            statement.result = result
        data = json.loads(statement.to_json("1.0.3"))
        data.pop("version", None)  # the LRS sets the version
        return data


def score_result(raw: float, maximum: float, success: bool | None = None, completion: bool | None = None,
                 response: str | None = None) -> Result:
    """A Result with a score (scaled = raw / max) and the optional success, completion and response."""
    result = Result(score=Score(raw=raw, min=0, max=maximum, scaled=round(raw / maximum, 4) if maximum else 0))
    if success is not None:
        result.success = success
    if completion is not None:
        result.completion = completion
    if response is not None:
        result.response = response
    return result


def answer_result(correct: bool, response: str, points: float) -> Result:
    result = Result(success=correct, response=response)
    if points:
        result.score = Score(raw=points if correct else 0, min=0, max=points)
    return result


def progress_result(percent: int, completed: bool) -> Result:
    result = Result(completion=completed)
    result.extensions = Extensions({vocab.EXT_PROGRESS: percent})
    return result


def write(session: Any, statements: list[dict], authority: dict) -> list[str]:
    """Store ``statements`` through the LRS ingest function, in the caller's transaction (no commit)."""
    from xapi.lrs.ingest import ingest

    if not statements:
        return []
    return ingest(session, statements, authority=authority, version="1.0.3")
