"""Attachments (xAPI 1.0.3 Data §2.4.11; IEEE 9274.1.1): metadata of attached files."""
from __future__ import annotations

from .base import StrictSchema
from .common import MEDIA_TYPE_RE, SHA2_HEX_RE
from .field_types import Iri, LanguageMap, NonNegativeInteger, Pattern


class MediaType(Pattern):
    """An Internet Media Type (RFC 2046 / RFC 6838), e.g. ``application/pdf``."""

    regex = MEDIA_TYPE_RE
    message = "Must be an Internet Media Type such as 'application/pdf'."


class Sha2Hex(Pattern):
    """The hex digest of a SHA-2 hash (224, 256, 384 or 512 bits) of the attachment data."""

    regex = SHA2_HEX_RE
    message = "Must be the hex digest of a SHA-2 hash (56, 64, 96 or 128 hex digits)."


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
