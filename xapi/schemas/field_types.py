"""marshmallow fields for the xAPI value types; each checks its value and returns it as given.

The rules live in ``common.py`` (Data §4); these wrappers turn its errors into marshmallow ones
so that the schema modules can declare ``id = Iri(required=True)`` like the spec tables do.
"""
from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import ValidationError

from .base import Field, load_list
from .common import (
    iri_problem,
    language_tag_problem,
    parse_timestamp,
    validate_duration,
    validate_language_tag,
    validate_uuid,
)
from .errors import StatementValidationError


class String(Field):
    """A JSON string; numbers, booleans and objects are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("Must be a string.")
        return value


class Boolean(Field):
    """A JSON boolean: ``true`` or ``false``, never ``"true"`` or ``1``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be a JSON boolean (true or false).")
        return value


class Number(Field):
    """A finite JSON number; booleans and numeric strings are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Must be a JSON number.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("Must be a finite number.")
        return value


class NonNegativeInteger(Field):
    """A JSON integer >= 0 (``3.0`` is accepted: JSON does not tell integers from decimals)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Must be a JSON integer.")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise ValidationError("Must be a whole number.")
        if value < 0:
            raise ValidationError("Must not be negative.")
        return value


class Constant(Field):
    """A string that must equal one fixed value, such as ``objectType: "Agent"``."""

    def __init__(self, expected: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expected = expected

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if value != self.expected or not isinstance(value, str):
            raise ValidationError(f"Must be {self.expected!r}.")
        return value


class Iri(Field):
    """An absolute IRI (Data §4.3)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        message = iri_problem(value)
        if message:
            raise ValidationError(message)
        return value


class _Checked(Field):
    """A value checked by a ``common`` validator (``check``); its message becomes the field error."""

    def check(self, value: Any, path: str) -> object:
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            self.check(value, attr or "")
        except StatementValidationError as exc:
            raise ValidationError(exc.message) from None
        return value


class Uuid(_Checked):
    """A UUID string (Data §4.4)."""

    check = staticmethod(validate_uuid)


class LanguageTag(_Checked):
    """An RFC 5646 language tag."""

    check = staticmethod(validate_language_tag)


class Pattern(Field):
    """A string the compiled ``regex`` matches; anything else fails with ``message``."""

    regex: re.Pattern[str]
    message: str

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or self.regex.match(value) is None:
            raise ValidationError(self.message)
        return value


class LanguageMap(Field):
    """Data §4.2: a JSON object whose keys are RFC 5646 tags and whose values are strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Must be a language map: an object of language tag -> string.")
        errors: dict[str, list[str]] = {}
        for tag, text in value.items():
            problem = language_tag_problem(tag)
            if problem:
                errors[tag] = [problem]
            elif not isinstance(text, str):
                errors[tag] = ["Must be a string."]
        if errors:
            raise ValidationError(errors)
        return value


class Extensions(Field):
    """Data §4.1 s3: keys MUST be IRIs; the LRS MUST NOT reject on values (null included)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Must be an object whose keys are IRIs.")
        for key in value:
            message = iri_problem(key)
            if message:
                raise ValidationError({key: [f"Extension keys must be absolute IRIs. {message}"]})
        return value


class Timestamp(_Checked):
    """An ISO 8601 timestamp, checked by the rules of ``version``; the string is kept as sent."""

    def __init__(self, version: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = version

    def check(self, value: Any, path: str) -> object:
        return parse_timestamp(value, self.version, path)


class Duration(_Checked):
    """An ISO 8601 duration (Data §4.6)."""

    check = staticmethod(validate_duration)


class ObjectList(Field):
    """A JSON array of objects, each loaded by ``schema``; errors keep the element index."""

    def __init__(self, schema: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schema = schema

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError("Must be an array.")
        return load_list(self.schema, value)


class IriList(Field):
    """A JSON array of absolute IRIs."""

    def __init__(self, non_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.non_empty = non_empty

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError("Must be an array of IRIs.")
        if self.non_empty and not value:
            raise ValidationError("Must not be empty.")
        for index, item in enumerate(value):
            message = iri_problem(item)
            if message:
                raise ValidationError({index: [message]})
        return value


class StringList(Field):
    """A JSON array of strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError("Must be an array of strings.")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise ValidationError({index: ["Must be a string."]})
        return value
