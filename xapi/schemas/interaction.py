"""Interaction Activities (xAPI 1.0.3 Data §2.4.4.1 s6-s16; IEEE 9274.1.1).

s13: Interaction Activities MUST have a valid interactionType; the LRS MAY reject the other
interaction properties when they do not fit that type, and this LRS does: component lists are
allowed only for the types of the table in s15 (choices: choice, sequencing; scale: likert;
source and target: matching; steps: performance). s16: component ids are distinct in a list.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from .base import Field, StrictSchema
from .field_types import LanguageMap, String

INTERACTION_TYPES = (
    "true-false", "choice", "fill-in", "long-fill-in", "matching",
    "performance", "sequencing", "likert", "numeric", "other",
)
INTERACTION_KEYS = ("correctResponsesPattern", "choices", "scale", "source", "target", "steps")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
ALLOWED_COMPONENTS: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}


class InteractionType(Field):
    """One of the ten interaction types, with the exact case (Data §2.2 s4.b1.b6)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or value not in INTERACTION_TYPES:
            raise ValidationError(f"Must be one of: {', '.join(INTERACTION_TYPES)}.")
        return value


class InteractionComponentSchema(StrictSchema):
    """Data §2.4.4.1 s15: ``id`` (string) required, ``description`` a Language Map.

    s16: ids SHOULD NOT contain whitespace; that is advice, so such ids are accepted.
    """

    id = String(required=True)
    description = LanguageMap()


class ComponentList(Field):
    """An array of Interaction Components whose ids MUST be distinct within the array."""

    schema = InteractionComponentSchema()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError("Must be an array of interaction components.")
        seen: set[str] = set()
        result = []
        for index, item in enumerate(value):
            try:
                component = self.schema.load(item)
            except ValidationError as exc:
                raise ValidationError({index: exc.messages}) from None
            if component["id"] in seen:
                raise ValidationError({index: {"id": [f"Duplicate component id {component['id']!r}."]}})
            seen.add(component["id"])
            result.append(component)
        return result


def check_interaction(definition: dict) -> None:
    """Raise ValidationError (at the offending key) for the first interaction rule ``definition`` breaks."""
    kind = definition.get("interactionType")
    if kind is None:
        for key in INTERACTION_KEYS:
            if key in definition:
                raise ValidationError(f"'{key}' is only allowed in an interaction with an 'interactionType'.", key)
        return
    allowed = ALLOWED_COMPONENTS.get(kind, ())
    for key in COMPONENT_LISTS:
        if key in definition and key not in allowed:
            raise ValidationError(f"'{key}' is not allowed for interactionType {kind!r}.", key)
