"""The Context (xAPI 1.0.3 Data §2.4.6; IEEE 9274.1.1): what else was going on.

xAPI 2.0 adds ``contextAgents`` and ``contextGroups``; a 1.0.3 statement may not use them.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from .activity import ACTIVITY
from .agent import AGENT, GROUP, agent_or_group
from .base import Field, Object, StrictSchema, load_list, load_nested
from .common import V103, V200
from .field_types import Constant, Extensions, IriList, LanguageTag, ObjectList, String, Uuid
from .statement_ref import STATEMENT_REF


class ActivityOrList(Field):
    """Data §2.4.6.2: one Activity object or an array of them, kept in the form given."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict | list:
        if isinstance(value, dict):
            return load_nested(ACTIVITY, value)
        if not isinstance(value, list):
            raise ValidationError("Must be an Activity object or an array of Activity objects.")
        return load_list(ACTIVITY, value)


class ContextActivitiesSchema(StrictSchema):
    """Data §2.4.6.2: the keys are parent, grouping, category and other; nothing else.

    An empty object is accepted: Data §2.2.s2.b1 only says objects "SHOULD NOT" be empty, and
    the ADL conformance suite dropped its old requirement XAPI-00095 (reject an empty
    contextActivities) in 2017 (adlnet/lrs-conformance-test-suite#128).
    """

    parent = ActivityOrList()
    grouping = ActivityOrList()
    category = ActivityOrList()
    other = ActivityOrList()


class ContextAgentSchema(StrictSchema):
    """IEEE 9274.1.1 context.contextAgents: objectType "contextAgent", an Agent, relevantTypes."""

    objectType = Constant("contextAgent", required=True)
    agent = Object(AGENT, required=True)
    relevantTypes = IriList(non_empty=True)


class ContextGroupSchema(StrictSchema):
    """IEEE 9274.1.1 context.contextGroups: objectType "contextGroup", a Group, relevantTypes."""

    objectType = Constant("contextGroup", required=True)
    group = Object(GROUP, required=True)
    relevantTypes = IriList(non_empty=True)


class ContextSchema103(StrictSchema):
    """Data §2.4.6 (1.0.3): all properties optional; revision and platform only for Activities.

    The Activity-only rule needs the statement's object, so the statement schema checks it.
    """

    # Registrations, referenced statements and extension values change from statement to statement.
    checked_apart = frozenset({"registration", "statement", "extensions"})

    registration = Uuid()
    instructor = agent_or_group()
    team = Object(GROUP)
    contextActivities = Object(ContextActivitiesSchema())
    revision = String()
    platform = String()
    language = LanguageTag()
    statement = Object(STATEMENT_REF)
    extensions = Extensions()


class ContextSchema200(ContextSchema103):
    """IEEE 9274.1.1: the 1.0.3 context plus contextAgents and contextGroups."""

    contextAgents = ObjectList(ContextAgentSchema())
    contextGroups = ObjectList(ContextGroupSchema())


CONTEXTS = {V103: ContextSchema103(), V200: ContextSchema200()}
