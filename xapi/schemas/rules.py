"""Rules that tie a statement's parts together, shared by Statements and SubStatements.

xAPI 1.0.3 Data §2.4.6 s4 (revision, platform) and §2.3.2 s2 (voiding); a SubStatement
"MUST be validated as a Statement" (Data §2.4.4.3 s8.b2), so it follows them too.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from .verb import VOIDED


def object_type(statement: dict) -> str:
    """The objectType of a loaded statement's object ("Activity" when absent)."""
    return statement["object"].get("objectType", "Activity")


def check_cross_rules(statement: dict) -> None:
    """Raise ValidationError (with a dotted field name) for the first rule broken."""
    kind = object_type(statement)
    context: dict[str, Any] = statement.get("context", {})
    if kind != "Activity":
        for key in ("revision", "platform"):
            if key in context:
                raise ValidationError(
                    f"'{key}' may only be used when the statement's object is an Activity.",
                    f"context.{key}",
                )
    if statement["verb"]["id"] == VOIDED and kind != "StatementRef":
        raise ValidationError("A voiding statement's object must be a StatementRef.", "object.objectType")
