"""The Verb (xAPI 1.0.3 Data §2.4.3; IEEE 9274.1.1): an IRI and an optional display map."""
from __future__ import annotations

from .base import StrictSchema
from .field_types import Iri, LanguageMap

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class VerbSchema(StrictSchema):
    """Data §2.4.3: ``id`` (IRI) is required; ``display`` is a Language Map."""

    id = Iri(required=True)
    display = LanguageMap()


VERB = VerbSchema()
