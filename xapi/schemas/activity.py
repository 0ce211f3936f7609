"""Activities (xAPI 1.0.3 Data §2.4.4.1; IEEE 9274.1.1): the thing acted on."""
from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from .base import Object, StrictSchema
from .field_types import Constant, Extensions, Iri, LanguageMap, StringList
from .interaction import ComponentList, InteractionType, check_interaction


class ActivityDefinitionSchema(StrictSchema):
    """Data §2.4.4.1 table "Activity Definition": every property optional.

    moreInfo is an IRL; the interaction properties follow the rules in ``interaction.py``.
    An empty definition is accepted: Data §2.2.s2.b1 only says objects "SHOULD NOT" be empty,
    and the ADL conformance suite expects ``definition: {}`` to be stored (its old
    requirement to reject it was withdrawn, adlnet/lrs-conformance-test-suite#130).
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
        check_interaction(data)


class ActivitySchema(StrictSchema):
    """Data §2.4.4.1: objectType optional ("Activity"), ``id`` IRI required, definition optional."""

    objectType = Constant("Activity")
    id = Iri(required=True)
    definition = Object(ActivityDefinitionSchema())


# The one instance every place an Activity may appear uses, so they share cached Activities.
ACTIVITY = ActivitySchema()
