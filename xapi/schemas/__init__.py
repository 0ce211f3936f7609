"""xAPI data model validation (marshmallow), one module per spec object.

The public interface the LRS calls. Every function raises ``StatementValidationError`` whose
``path`` points at the offending value (``actor.mbox``, ``[2].result.score.scaled``).
Versions are "1.0.3" (xAPI 1.0.3) and "2.0.0" (IEEE 9274.1.1). Sub-objects already found valid
are remembered per process (``memo.py``), which changes speed, never verdicts or errors.
"""
from __future__ import annotations

from marshmallow import ValidationError

from .agent import agent_or_group, ifi_count
from .base import StrictSchema
from .common import (
    VERSIONS,
    parse_timestamp,
    validate_duration,
    validate_iri,
    validate_language_tag,
    validate_uuid,
)
from .errors import StatementValidationError, first_error
from .statement import load_statement

__all__ = [
    "StatementValidationError",
    "parse_timestamp",
    "validate_agent",
    "validate_duration",
    "validate_iri",
    "validate_language_tag",
    "validate_statement",
    "validate_statements",
    "validate_uuid",
]


def validate_statement(data: object, version: str) -> dict:
    """Validate one statement; return it as a new dict with the same content.

    Nested objects are not copied: the result holds the very actor, verb, object... passed in.
    """
    return _statement(data, version, "")


def validate_statements(data: object, version: str) -> list[dict]:
    """Validate one statement (an object) or a batch (an array); paths of a batch start ``[i]``."""
    if isinstance(data, dict):
        return [_statement(data, version, "")]
    if not isinstance(data, list):
        raise StatementValidationError("statements", "Must be a statement object or an array of statements.")
    return [_statement(item, version, f"[{index}]") for index, item in enumerate(data)]


def _statement(data: object, version: str, root: str) -> dict:
    _check_version(version)
    try:
        return load_statement(data, version)
    except ValidationError as exc:
        raise first_error(exc.messages, root) from None


class _AgentHolder(StrictSchema):
    """Wraps an agent so it is checked by the same field the statement's actor uses."""

    agent = agent_or_group(required=True)


_AGENT_HOLDER = _AgentHolder()


def validate_agent(data: object, version: str) -> dict:
    """Validate an Agent or an identified Group (the ``agent`` parameter of the document APIs).

    Communication §2.3 and §2.6: the parameter identifies one person or Group, so an anonymous
    Group (no IFI) cannot be used.
    """
    _check_version(version)
    try:
        agent = _AGENT_HOLDER.load({"agent": data})["agent"]
    except ValidationError as exc:
        raise first_error(exc.messages, "") from None
    if ifi_count(agent) == 0:  # the schema only lets an anonymous Group through without an IFI
        raise StatementValidationError("agent", "An anonymous Group cannot identify an agent; use an IFI.")
    return agent


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise ValueError(f"Unsupported xAPI version {version!r}; use one of {VERSIONS}")
