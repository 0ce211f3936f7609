"""SubStatements (xAPI 1.0.3 Data §2.4.4.3 s6-s8; IEEE 9274.1.1): a statement as an object.

objectType "SubStatement" is required; id, stored, version and authority are not allowed (unknown
keys here); its object cannot be another SubStatement. Otherwise it is validated as a Statement.
"""
from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from .activity import ACTIVITY
from .agent import AGENT, GROUP, agent_or_group
from .attachment import ATTACHMENT
from .base import Object, OneOf, StrictSchema
from .common import V103, V200
from .context import CONTEXTS
from .field_types import Constant, ObjectList, Timestamp
from .result import RESULT
from .rules import check_cross_rules
from .statement_ref import STATEMENT_REF
from .verb import VERB


# The object of a SubStatement: anything a Statement's object may be, except a SubStatement.
OBJECT_CHOICES = {
    "Activity": ACTIVITY,
    "Agent": AGENT,
    "Group": GROUP,
    "StatementRef": STATEMENT_REF,
}


class SubStatementSchema103(StrictSchema):
    """A 1.0.3 SubStatement."""

    objectType = Constant("SubStatement", required=True)
    actor = agent_or_group(required=True)
    verb = Object(VERB, required=True)
    object = OneOf(OBJECT_CHOICES, default="Activity", required=True)
    result = Object(RESULT)
    context = Object(CONTEXTS[V103])
    timestamp = Timestamp(V103)
    attachments = ObjectList(ATTACHMENT)

    @validates_schema
    def _cross_rules(self, data: dict, **kwargs: Any) -> None:
        check_cross_rules(data)


class SubStatementSchema200(SubStatementSchema103):
    """A 2.0.0 SubStatement: 2.0 context and timestamps with a required time zone."""

    context = Object(CONTEXTS[V200])
    timestamp = Timestamp(V200)


SUBSTATEMENTS = {V103: SubStatementSchema103(), V200: SubStatementSchema200()}
