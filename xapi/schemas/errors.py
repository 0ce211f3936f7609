"""The one error type of statement validation, and its JSON path built from marshmallow messages."""
from __future__ import annotations

from typing import Any


class StatementValidationError(ValueError):
    """A value breaks a rule of the xAPI data model; ``path`` says where, ``message`` says why.

    ``str(exc)`` is ``"<path>: <message>"`` so the LRS can answer 400 with it as is.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def first_error(messages: Any, root: str) -> StatementValidationError:
    """Turn marshmallow's nested ``messages`` into one error at the path of the first problem.

    Marshmallow nests errors by field name (dict keys) and list index (int keys); a schema-wide
    error sits under ``_schema``. Field names given to ``ValidationError(field_name=...)`` may
    already be dotted paths relative to the schema that raised them.
    """
    path = root
    while isinstance(messages, dict) and messages:
        key, messages = next(iter(messages.items()))
        path = _join(path, key)
    while isinstance(messages, list) and messages:
        messages = messages[0]
        while isinstance(messages, dict) and messages:  # a list of nested errors
            key, messages = next(iter(messages.items()))
            path = _join(path, key)
    return StatementValidationError(path or "statement", str(messages))


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key == "_schema":
        return path
    return f"{path}.{key}" if path else str(key)
