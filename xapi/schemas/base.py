"""The strict base schema and the base fields (plain and object-valued) of every xAPI schema."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from . import memo


class Field(fields.Field):
    """The base of this package's fields: marshmallow's Field without the empty validator chain.

    No field here takes ``validate=``; marshmallow would still build an ``And()`` of no
    validators for every value it loads.
    """

    def _validate(self, value: Any) -> None:
        if self.validators:
            super()._validate(value)


class StrictSchema(Schema):
    """Unknown keys are errors (Data §2.2 s4.b1.b7: keys not allowed by the spec are rejected).

    Keys are case-sensitive, so ``Actor`` is an unknown key, not ``actor``. Null values are
    refused because no field allows None (Data §2.2 s4.b1.b1).
    """

    class Meta:
        unknown = RAISE

    error_messages = {  # noqa: RUF012 (marshmallow reads this class attribute)
        "type": "Must be a JSON object.",
        "unknown": "Unknown property: the xAPI specification does not define it here.",
    }
    # Fields the cache checks on their own (see ``memo.load``): values that change in nearly
    # every statement. Each must be optional, and no schema validator may read it.
    checked_apart: frozenset[str] = frozenset()


def load_nested(schema: Schema, value: Any) -> Any:
    """``memo.load`` for a field: the schema's errors are raised again to nest under the field."""
    try:
        return memo.load(schema, value)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


def load_list(schema: Schema, items: list) -> list:
    """Each item loaded through the cache; the first error is raised under the item's index."""
    result = []
    for index, item in enumerate(items):
        try:
            result.append(memo.load(schema, item))
        except ValidationError as exc:
            raise ValidationError({index: exc.messages}) from None
    return result


class Object(Field):
    """A nested object loaded by ``schema`` through the cache; errors nest under the field name.

    It fails like ``fields.Nested(schema)`` (a value that is not an object gets the schema's
    "type" message at the field's path); a valid object is returned as given (``memo.load``).
    """

    def __init__(self, schema: Schema, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schema = schema

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        return load_nested(self.schema, value)


class OneOf(Field):
    """An object loaded by the schema its ``objectType`` names; a missing type picks ``default``.

    ``choices`` maps objectType values to schema instances; the object is loaded through the
    cache. Used where the spec lets a property hold several kinds of object (actor, object,
    authority, instructor).
    """

    def __init__(self, choices: dict[str, Schema], default: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices
        self.default = default

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Must be a JSON object.")
        kind = value.get("objectType", self.default)
        schema = self.choices.get(kind) if isinstance(kind, str) else None
        if schema is None:
            names = ", ".join(repr(name) for name in self.choices)
            if kind is None:
                raise ValidationError({"objectType": [f"Required here; one of {names}."]})
            raise ValidationError({"objectType": [f"Must be one of {names}."]})
        return load_nested(schema, value)
