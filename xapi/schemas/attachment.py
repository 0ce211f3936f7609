"""Attachments (xAPI 1.0.3 Data §2.4.11; IEEE 9274.1.1): metadata of attached files."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from .base import Field, StrictSchema
from .common import MEDIA_TYPE_RE, SHA2_HEX_RE
from .field_types import Iri, LanguageMap, NonNegativeInteger


class MediaType(Field):
    """An Internet Media Type (RFC 2046 / RFC 6838), e.g. ``application/pdf``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or MEDIA_TYPE_RE.match(value) is None:
            raise ValidationError("Must be an Internet Media Type such as 'application/pdf'.")
        return value


class Sha2Hex(Field):
    """The hex digest of a SHA-2 hash (224, 256, 384 or 512 bits) of the attachment data."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or SHA2_HEX_RE.match(value) is None:
            raise ValidationError("Must be the hex digest of a SHA-2 hash (56, 64, 96 or 128 hex digits).")
        return value


class AttachmentSchema(StrictSchema):
    """Data §2.4.11 table: usageType, display, contentType, length, sha2 required."""

    usageType = Iri(required=True)
    display = LanguageMap(required=True)
    description = LanguageMap()
    contentType = MediaType(required=True)
    length = NonNegativeInteger(required=True)
    sha2 = Sha2Hex(required=True)
    fileUrl = Iri()


ATTACHMENT = AttachmentSchema()
