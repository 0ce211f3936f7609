"""Shared value types of the xAPI data model: IRIs, UUIDs, language tags, timestamps, durations.

xAPI 1.0.3 Data §4 (Special Data Types and Rules); IEEE 9274.1.1 (xAPI 2.0) keeps these
types and makes a time zone mandatory in timestamps. Every validator returns the value it was
given, unchanged: the LRS stores exactly what the client sent.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from .errors import StatementValidationError

V103 = "1.0.3"
V200 = "2.0.0"
VERSIONS = (V103, V200)

# --- IRIs (RFC 3987 §2.2), built from the ABNF so that the regex is readable and compiled once ---
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = f"A-Za-z0-9\\-._~{_UCSCHAR}"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_IPCHAR = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_USERINFO = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_REG_NAME = f"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]"
_AUTHORITY = f"(?:(?P<userinfo>{_USERINFO})@)?(?P<host>{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_SEGMENT = f"{_IPCHAR}*"
_SEGMENT_NZ = f"{_IPCHAR}+"
_HIER_PART = (
    f"(?://{_AUTHORITY}(?:/{_SEGMENT})*"  # "//" iauthority ipath-abempty
    f"|/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"  # ipath-absolute
    f"|{_SEGMENT_NZ}(?:/{_SEGMENT})*"  # ipath-rootless
    "|)"  # ipath-empty
)
_QUERY = f"(?:{_IPCHAR}|[/?{_IPRIVATE}])*"
_FRAGMENT = f"(?:{_IPCHAR}|[/?])*"
IRI_RE = re.compile(
    f"(?P<scheme>[A-Za-z][A-Za-z0-9+\\-.]*):{_HIER_PART}(?:\\?{_QUERY})?(?:#{_FRAGMENT})?\\Z"
)
# RFC 7230 §2.7.1: an http(s) URI with an empty host is invalid, so such an IRL cannot be followed.
_NEEDS_HOST = {"http", "https"}

UUID_RE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z")

# --- Language tags: RFC 5646 §2.1 ABNF (well-formedness), case-insensitive, plus the validity
# rules of §2.2 that need no registry (see ``language_tag_problem``) ---
_LANGTAG_RE = re.compile(
    r"(?P<language>[a-z]{2,3}(?P<extlang>(?:-[a-z]{3}){0,3})|[a-z]{4}|[a-z]{5,8})"  # language ["-" extlang]
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"  # variants
    r"(?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)"  # extensions (singleton other than x)
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    r"\Z",
    re.IGNORECASE,
)
_PRIVATEUSE_RE = re.compile(r"x(?:-[a-z0-9]{1,8})+\Z", re.IGNORECASE)
# RFC 5646 §2.1 "grandfathered": irregular tags and the regular ones (which the langtag rule
# would read with reserved extlang positions, e.g. zh-min-nan). Compared in lowercase.
_GRANDFATHERED = frozenset({
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
    "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de",
    "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan",
    "zh-xiang",
})

# --- Timestamps: ISO 8601 date and time, extended (2024-05-01T08:30:00Z) or basic (20240501T083000Z)
# format. RFC 3339 (which the spec recommends) also allows a space or "t" between date and time
# and a lowercase "z"; the ADL conformance suite expects "2008-09-15 15:53:00.601+00:00" accepted.
_ZONE = r"(?P<tz>[Zz]|(?P<sign>[+-])(?P<tzh>\d{2})(?::?(?P<tzm>\d{2}))?)?"
_FRACTION = r"(?:[.,](?P<fraction>\d+))?"
TIMESTAMP_EXTENDED_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt ]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})" + _FRACTION + r")?" + _ZONE + r"\Z"
)
# What nearly every client sends ('2026-11-29T08:30:00.123Z', '...+07:00'): the fast path of
# parse_timestamp, for which datetime.fromisoformat gives the same result as the full rules.
_COMMON_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?:\d{3}|\d{6}))?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)\Z")
TIMESTAMP_BASIC_RE = re.compile(
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2})(?P<minute>\d{2})(?:(?P<second>\d{2})" + _FRACTION + r")?" + _ZONE + r"\Z"
)

# --- Durations: ISO 8601:2004 §4.4.3.2 (the alternative format of §4.4.3.3 is not allowed) ---
_NUM = r"\d+(?:[.,]\d+)?"
DURATION_RE = re.compile(
    f"P(?:(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?"
    f"|{_NUM}W)\\Z"
)
_DURATION_NUMBER_RE = re.compile(_NUM)

MBOX_RE = re.compile(r"mailto:[^@\s]+@[^@\s]+\Z")
SHA1_HEX_RE = re.compile(r"[0-9A-Fa-f]{40}\Z")
# Sizes of the SHA-2 family in hex digits: SHA-224, SHA-256, SHA-384, SHA-512.
SHA2_HEX_RE = re.compile(r"(?:[0-9A-Fa-f]{56}|[0-9A-Fa-f]{64}|[0-9A-Fa-f]{96}|[0-9A-Fa-f]{128})\Z")
# RFC 6838 §4.2 restricted names, RFC 2045 §5.1 parameters (token or quoted string).
_TOKEN = r"[A-Za-z0-9!#$&^_.+\-]{1,127}"
_PARAM = r"""\s*;\s*[A-Za-z0-9!#$%&'*+\-.^_`|~]+=(?:[A-Za-z0-9!#$%&'*+\-.^_`|~]+|"(?:[^"\\]|\\.)*")"""
MEDIA_TYPE_RE = re.compile(f"{_TOKEN}/{_TOKEN}(?:{_PARAM})*\\s*\\Z")


def _fail(path: str, message: str) -> StatementValidationError:
    return StatementValidationError(path, message)


def validate_iri(value: object, path: str) -> str:
    """An absolute IRI (RFC 3987 §2.2 ``IRI``): a scheme, no spaces, valid percent-encoding.

    Data §4.3 and §2.2 s4.b1.b4/b8: values that are not IRIs, or IRIs without a scheme, are refused.
    """
    message = iri_problem(value)
    if message:
        raise _fail(path, message)
    return value  # type: ignore[return-value]


def iri_problem(value: object) -> str | None:
    """Why ``value`` is not an absolute IRI, or None when it is one."""
    if not isinstance(value, str):
        return "Must be a string holding an absolute IRI."
    match = IRI_RE.match(value)
    if match is None:
        return f"Not an absolute IRI (RFC 3987): {value!r}."
    if match.group("scheme").lower() in _NEEDS_HOST and not match.group("host"):
        return f"An {match.group('scheme')} IRI needs a host: {value!r}."
    return None


def validate_uuid(value: object, path: str) -> str:
    """A UUID in its RFC 4122 string form ``8-4-4-4-12`` hex digits (Data §4.4, §2.4.1)."""
    if not isinstance(value, str) or UUID_RE.match(value) is None:
        raise _fail(path, "Must be a UUID string such as 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0'.")
    return value


def validate_language_tag(value: object, path: str) -> str:
    """A valid RFC 5646 language tag (Data §4.2 Language Maps, §2.4.6 context.language)."""
    message = language_tag_problem(value)
    if message:
        raise _fail(path, message)
    return value  # type: ignore[return-value]


def language_tag_problem(value: object) -> str | None:
    """Why ``value`` is not a valid RFC 5646 language tag, or None when it is one.

    Data §2.2 s3.b2 and s4.b2: language map keys are valid RFC 5646 tags; the sequence of subtag
    lengths must follow the RFC 5646 §2.1 ABNF. The §2.2 rules that need no registry are checked
    too: a 4-letter primary language subtag is reserved (§2.2.1), the second and third extlang
    positions are permanently reserved (§2.2.2), and a tag repeating a variant (§2.2.5) or an
    extension singleton (§2.2.6) is not valid (§2.2.9). Private use subtags are free (§2.2.7).
    """
    if not isinstance(value, str):
        return "Must be a string holding an RFC 5646 language tag."
    if len(value) > _CACHED_TAG_LENGTH:
        return _tag_problem.__wrapped__(value)
    return _tag_problem(value)


# Tags longer than this are checked each time, so the cache stays small (real tags are short).
_CACHED_TAG_LENGTH = 64


@lru_cache(maxsize=4096)
def _tag_problem(tag: str) -> str | None:
    """``language_tag_problem`` for a string; cached, as the same few tags come again and again."""
    lowered = tag.lower()
    if lowered in _GRANDFATHERED or _PRIVATEUSE_RE.match(tag):
        return None
    match = _LANGTAG_RE.match(tag)
    if match is None:
        return f"Not a valid RFC 5646 language tag: {tag!r}."
    if len(match.group("language")) == 4:
        return f"Not a valid RFC 5646 language tag: {tag!r} (4-letter language subtags are reserved)."
    if (match.group("extlang") or "").count("-") > 1:
        return f"Not a valid RFC 5646 language tag: {tag!r} (only one extended language subtag is allowed)."
    variants = match.group("variants").lower().split("-")[1:]
    if len(set(variants)) != len(variants):
        return f"Not a valid RFC 5646 language tag: {tag!r} (a variant subtag is repeated)."
    # Extension subtags have 2-8 characters, so the 1-character subtags are the singletons.
    singletons = [part for part in match.group("extensions").lower().split("-") if len(part) == 1]
    if len(set(singletons)) != len(singletons):
        return f"Not a valid RFC 5646 language tag: {tag!r} (an extension singleton is repeated)."
    return None


def parse_timestamp(value: str, version: str, path: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware datetime in UTC.

    Data §4.5 (1.0.3): ISO 8601, precision kept to milliseconds; a timestamp without a time
    zone is read as UTC. RFC 3339 §4.3: "-00:00" means "offset unknown", so it is refused.
    IEEE 9274.1.1 (2.0.0): a time zone offset is required.
    """
    if not isinstance(value, str):
        raise _fail(path, "Must be an ISO 8601 timestamp string.")
    if _COMMON_TIMESTAMP_RE.match(value) and not value.endswith("-00:00"):
        try:  # the usual shape, parsed in C; anything unusual takes the full path below
            return datetime.fromisoformat(value).astimezone(timezone.utc)
        except (ValueError, OverflowError):  # hour 24, second 60, a date out of range
            pass
    match = TIMESTAMP_EXTENDED_RE.match(value) or TIMESTAMP_BASIC_RE.match(value)
    if match is None:
        raise _fail(path, f"Not an ISO 8601 timestamp such as '2024-05-01T08:30:00.000Z': {value!r}.")
    parts = match.groupdict()
    zone = _zone(parts, version, path)
    try:
        return _build_datetime(parts, zone)
    except (ValueError, OverflowError):  # day 31 of February, or beyond datetime's years 1-9999
        raise _fail(path, f"Not a real date and time: {value!r}.") from None


def _zone(parts: dict[str, Any], version: str, path: str) -> timezone:
    if parts["tz"] is None:
        if version == V200:
            raise _fail(path, "A timestamp must include a time zone offset (xAPI 2.0).")
        return timezone.utc
    if parts["tz"] in ("Z", "z"):
        return timezone.utc
    hours, minutes = int(parts["tzh"]), int(parts["tzm"] or 0)
    if hours > 23 or minutes > 59:
        raise _fail(path, "The time zone offset is out of range.")
    if parts["sign"] == "-" and hours == 0 and minutes == 0:
        raise _fail(path, "The offset '-00:00' is not allowed (RFC 3339: unknown local offset).")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if parts["sign"] == "-" else offset)


def _build_datetime(parts: dict[str, Any], zone: timezone) -> datetime:
    hour, second = int(parts["hour"]), int(parts["second"] or 0)
    fraction = parts["fraction"] or ""
    micro = int((fraction + "000000")[:6]) if fraction else 0
    # ISO 8601 allows 24:00:00 (end of day) and RFC 3339 a leap second 60; datetime has neither.
    extra = timedelta()
    if hour == 24 and int(parts["minute"]) == 0 and second == 0 and micro == 0:
        hour, extra = 0, timedelta(days=1)
    if second == 60:
        second, extra = 59, timedelta(seconds=1)
    moment = datetime(
        int(parts["year"]), int(parts["month"]), int(parts["day"]),
        hour, int(parts["minute"]), second, micro, tzinfo=zone,
    )
    return (moment + extra).astimezone(timezone.utc)


def validate_duration(value: str, path: str) -> str:
    """An ISO 8601 duration in the ``PnYnMnDTnHnMnS`` or ``PnW`` format (Data §4.6).

    ISO 8601:2004 §4.4.3.2: at least one component; only the last one may have a fraction.
    """
    if not isinstance(value, str) or DURATION_RE.match(value) is None or value in ("P", "PT"):
        raise _fail(path, f"Not an ISO 8601 duration such as 'PT1H30M5.25S': {value!r}.")
    numbers = _DURATION_NUMBER_RE.findall(value)
    if any(not number.isdigit() for number in numbers[:-1]):
        raise _fail(path, f"Only the last component of a duration may have a fraction: {value!r}.")
    return value
