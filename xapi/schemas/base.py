"""The strict marshmallow base schema every xAPI object schema derives from."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

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


class OneOf(fields.Field):
    """An object loaded by the schema its ``objectType`` names; a missing type picks ``default``.

    ``choices`` maps objectType values to schema instances. Used where the spec lets a property
    hold several kinds of object (actor, object, authority, instructor).
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
        try:
            return schema.load(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
