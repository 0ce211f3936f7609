"""Agents and Groups (xAPI 1.0.3 Data §2.4.2 Actor; IEEE 9274.1.1): who did it.

An Agent has exactly one Inverse Functional Identifier (IFI): mbox, mbox_sha1sum, openid or
account. A Group is anonymous (no IFI, a member list) or identified (one IFI, members optional);
its members are Agents, never Groups.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from .base import Field, Object, OneOf, StrictSchema
from .common import MBOX_RE, SHA1_HEX_RE, iri_problem
from .field_types import Constant, Iri, ObjectList, Pattern, String

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


class Mbox(Pattern):
    """Data §2.4.2.3: ``mailto:`` followed by an email address, as an IRI."""

    regex = MBOX_RE
    message = "Must be a 'mailto:' IRI with an email address, e.g. 'mailto:an@example.org'."

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if iri_problem(super()._deserialize(value, attr, data)):
            raise ValidationError(self.message)
        return value


class Sha1Hex(Pattern):
    """Data §2.4.2.3: the hex-encoded SHA1 hash of a mailto IRI (40 hex digits)."""

    regex = SHA1_HEX_RE
    message = "Must be the 40 hex digits of a SHA1 hash."


class OpenId(Field):
    """Data §2.4.2.3: an openID as a URI, that is an absolute IRI of ASCII characters only."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        message = iri_problem(value)
        if message:
            raise ValidationError(message)
        if not value.isascii():
            raise ValidationError("An openid is a URI: non-ASCII characters must be percent-encoded.")
        return value


class AccountSchema(StrictSchema):
    """Data §2.4.2.4 Account Object: homePage (IRL) and name, both required."""

    homePage = Iri(required=True)
    name = String(required=True)


class _Identified(StrictSchema):
    """The fields Agents and Groups share: a name and the four IFIs."""

    name = String()
    mbox = Mbox()
    mbox_sha1sum = Sha1Hex()
    openid = OpenId()
    account = Object(AccountSchema())


def ifi_count(data: dict) -> int:
    """How many Inverse Functional Identifiers an Agent or Group object carries."""
    return sum(1 for key in IFI_KEYS if key in data)


class AgentSchema(_Identified):
    """Data §2.4.2.1: objectType optional ("Agent"); exactly one IFI MUST be used."""

    objectType = Constant("Agent")

    @validates_schema
    def _one_ifi(self, data: dict, **kwargs: Any) -> None:
        count = ifi_count(data)
        if count != 1:
            found = "none" if count == 0 else f"{count}"
            raise ValidationError(
                f"An Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found {found})."
            )


# The instances every place an Agent or Group may appear uses, so they share cached objects.
AGENT = AgentSchema()


class GroupSchema(_Identified):
    """Data §2.4.2.2: objectType "Group" required; anonymous Groups MUST list members.

    An identified Group uses exactly one IFI; "member" holds Agents only (never Groups).
    """

    objectType = Constant("Group", required=True)
    member = ObjectList(AGENT)

    @validates_schema
    def _ifi_or_members(self, data: dict, **kwargs: Any) -> None:
        count = ifi_count(data)
        if count > 1:
            raise ValidationError(f"A Group must not have more than one IFI (found {count}).")
        if count == 0 and "member" not in data:
            raise ValidationError("An anonymous Group (no IFI) must have a 'member' list.", "member")


GROUP = GroupSchema()


def agent_or_group(**kwargs: Any) -> OneOf:
    """A field holding an Agent (the default when objectType is absent) or a Group."""
    return OneOf({"Agent": AGENT, "Group": GROUP}, default="Agent", **kwargs)


class AuthoritySchemaGroup(GroupSchema):
    """Data §2.4.9 s3.b1: a Group authority (3-legged OAuth) is a pair of Agents, nothing more.

    "Authority MUST be an Agent, except in 3-legged OAuth, where it MUST be a Group with two
    Agents. The two Agents represent an application and user together." The Group only pairs
    them, so it is anonymous: an IFI on it is rejected (ADL conformance requirements XAPI-00024
    "should fail statement authority identified group" and XAPI-00098 "Statement authority shall
    only be an anonymous group with two members").
    """

    @validates_schema
    def _anonymous_pair(self, data: dict, **kwargs: Any) -> None:
        for key in IFI_KEYS:
            if key in data:
                raise ValidationError(
                    "An authority Group must be anonymous (two Agents, no mbox, mbox_sha1sum, "
                    "openid or account on the Group).",
                    key,
                )
        if len(data.get("member", [])) != 2:
            raise ValidationError("An authority Group must have exactly two Agent members.", "member")


AUTHORITY_GROUP = AuthoritySchemaGroup()


def authority(**kwargs: Any) -> OneOf:
    """The ``authority`` field: an Agent, or a Group of two Agents (three-legged OAuth)."""
    return OneOf({"Agent": AGENT, "Group": AUTHORITY_GROUP}, default="Agent", **kwargs)
