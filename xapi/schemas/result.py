"""The Result (xAPI 1.0.3 Data §2.4.5; IEEE 9274.1.1): the measured outcome."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from .base import Object, StrictSchema
from .field_types import Boolean, Duration, Extensions, Number, String


class ScoreSchema(StrictSchema):
    """Data §2.4.5.1 Score: scaled in [-1, 1]; raw between min and max; min less than max."""

    scaled = Number()
    raw = Number()
    min = Number()
    max = Number()

    @validates_schema
    def _ranges(self, data: dict, **kwargs: Any) -> None:
        scaled, raw = data.get("scaled"), data.get("raw")
        low, high = data.get("min"), data.get("max")
        if scaled is not None and not -1 <= scaled <= 1:
            raise ValidationError("Must be between -1 and 1 inclusive.", "scaled")
        if low is not None and high is not None and not low < high:
            raise ValidationError("Must be greater than 'min'.", "max")
        if raw is not None and low is not None and raw < low:
            raise ValidationError("Must not be less than 'min'.", "raw")
        if raw is not None and high is not None and raw > high:
            raise ValidationError("Must not be greater than 'max'.", "raw")


class ResultSchema(StrictSchema):
    """Data §2.4.5: score, success, completion, response, duration, extensions; all optional."""

    # Responses, durations and extension values change from statement to statement.
    checked_apart = frozenset({"response", "duration", "extensions"})

    score = Object(ScoreSchema())
    success = Boolean()
    completion = Boolean()
    response = String()
    duration = Duration()
    extensions = Extensions()


RESULT = ResultSchema()
