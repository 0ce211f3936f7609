"""SubStatements (xAPI 1.0.3 Data §2.4.4.3 s6-s8; IEEE 9274.1.1): a statement as an object.

objectType "SubStatement" is required; id, stored, version and authority are not allowed (unknown
keys here); its object cannot be another SubStatement. Otherwise it is validated as a Statement.
"""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validates_schema

from .activity import ActivitySchema
from .agent import AgentSchema, GroupSchema, agent_or_group
from .attachment import AttachmentSchema
from .base import OneOf, StrictSchema
from .common import V103, V200
from .field_types import Constant, ObjectList, Timestamp
from .context import ContextSchema103, ContextSchema200
from .result import ResultSchema
from .rules import check_cross_rules
from .statement_ref import StatementRefSchema
from .verb import VerbSchema


def substatement_object(**kwargs: Any) -> OneOf:
    """The object of a SubStatement: anything a Statement's object may be, except a SubStatement."""
    choices = {
        "Activity": ActivitySchema(),
        "Agent": AgentSchema(),
        "Group": GroupSchema(),
        "StatementRef": StatementRefSchema(),
    }
    return OneOf(choices, default="Activity", **kwargs)


class SubStatementSchema103(StrictSchema):
    """A 1.0.3 SubStatement."""

    objectType = Constant("SubStatement", required=True)
    actor = agent_or_group(required=True)
    verb = fields.Nested(VerbSchema, required=True)
    object = substatement_object(required=True)
    result = fields.Nested(ResultSchema)
    context = fields.Nested(ContextSchema103)
    timestamp = Timestamp(V103)
    attachments = ObjectList(AttachmentSchema())

    @validates_schema
    def _cross_rules(self, data: dict, **kwargs: Any) -> None:
        check_cross_rules(data)


class SubStatementSchema200(SubStatementSchema103):
    """A 2.0.0 SubStatement: 2.0 context and timestamps with a required time zone."""

    context = fields.Nested(ContextSchema200)
    timestamp = Timestamp(V200)
