"""Activities (xAPI 1.0.3 Data §2.4.4.1; IEEE 9274.1.1): the thing acted on."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from .base import Object, StrictSchema
from .field_types import Constant, Extensions, Iri, LanguageMap, StringList
from .interaction import ComponentList, InteractionType, check_interaction


class ActivityDefinitionSchema(StrictSchema):
    """Data §2.4.4.1 table "Activity Definition": each property optional, but not all absent.

    moreInfo is an IRL; the interaction properties follow the rules in ``interaction.py``.
    An empty definition is rejected: ADL conformance requirement "An Activity Definition contains
    at least one of the following properties: name, description, type, moreInfo, interactionType,
    or extensions" (Data 2.4.4.1.s2). The interaction lists need an interactionType, so any
    non-empty definition that passes ``check_interaction`` has one of those six.
    """

    name = LanguageMap()
    description = LanguageMap()
    type = Iri()
    moreInfo = Iri()
    extensions = Extensions()
    interactionType = InteractionType()
    correctResponsesPattern = StringList()
    choices = ComponentList()
    scale = ComponentList()
    source = ComponentList()
    target = ComponentList()
    steps = ComponentList()

    @validates_schema
    def _interaction_rules(self, data: dict, **kwargs: Any) -> None:
        if not data:
            raise ValidationError(
                "An Activity Definition must not be empty: use at least one of name, description, "
                "type, moreInfo, interactionType, extensions, or leave 'definition' out."
            )
        check_interaction(data)


class ActivitySchema(StrictSchema):
    """Data §2.4.4.1: objectType optional ("Activity"), ``id`` IRI required, definition optional."""

    objectType = Constant("Activity")
    id = Iri(required=True)
    definition = Object(ActivityDefinitionSchema())


# The one instance every place an Activity may appear uses, so they share cached Activities.
ACTIVITY = ActivitySchema()
