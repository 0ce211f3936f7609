"""Statement References (xAPI 1.0.3 Data §2.4.4.3; IEEE 9274.1.1): a pointer by id."""
from __future__ import annotations

from .base import StrictSchema
from .field_types import Constant, Uuid


class StatementRefSchema(StrictSchema):
    """Data §2.4.4.3: objectType MUST be "StatementRef"; ``id`` is the UUID of a Statement."""

    objectType = Constant("StatementRef", required=True)
    id = Uuid(required=True)


STATEMENT_REF = StatementRefSchema()
