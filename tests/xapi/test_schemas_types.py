"""The value types of xAPI Data §4 on their own: IRIs, UUIDs, language tags, timestamps, durations."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from xapi.schemas import (
    StatementValidationError,
    parse_timestamp,
    validate_duration,
    validate_iri,
    validate_language_tag,
    validate_uuid,
)

UTC = timezone.utc


@pytest.mark.parametrize("iri", [
    "http://adlnet.gov/expapi/verbs/completed",
    "https://congdanso.example.vn/khoá-học/bài-1?phần=2#câu-3",
    "urn:uuid:6d9a1c2e-3b4f-4a5b-9c8d-7e6f5a4b3c2d",
    "mailto:an@example.vn",
    "https://[2001:db8::1]:8443/x",
    "https://user@example.vn/%E1%BA%A1",
    "tag:example.vn,2024:x",
])
def test_valid_iris(iri: str) -> None:
    """Data §4.3 / RFC 3987: absolute IRIs with a scheme, Unicode allowed."""
    assert validate_iri(iri, "verb.id") == iri


@pytest.mark.parametrize("value", [
    "", "not an iri", "example.vn/x", "/relative/path", "#fragment", "1http://x.vn", "http:///x",
    "https://example.vn/a b", "https://example.vn/%zz", "https://example.vn/<tag>", "https://example.vn/\n",
    None, 5, ["http://x.vn"],
])
def test_invalid_iris(value: object) -> None:
    """Data §2.2 s4.b1.b4 and s4.b1.b8: non-IRIs, the empty string and scheme-less values are refused."""
    with pytest.raises(StatementValidationError) as caught:
        validate_iri(value, "object.id")
    assert caught.value.path == "object.id"


@pytest.mark.parametrize("value", [
    "fd41c918-b88b-4b20-a0a5-a4c32391aaa0", "FD41C918-B88B-4B20-A0A5-A4C32391AAA0",
    "00000000-0000-0000-0000-000000000000", "12345678-1234-5678-1234-567812345678",
])
def test_valid_uuids(value: str) -> None:
    """Data §4.4: UUIDs in the standard string form, any version."""
    assert validate_uuid(value, "id") == value


@pytest.mark.parametrize("value", [
    "", "fd41c918b88b4b20a0a5a4c32391aaa0", "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}",
    "fd41c918-b88b-4b20-a0a5-a4c32391aaa", "gd41c918-b88b-4b20-a0a5-a4c32391aaa0", 12, None,
])
def test_invalid_uuids(value: object) -> None:
    """Data §4.4: anything but the 8-4-4-4-12 hex form is refused."""
    with pytest.raises(StatementValidationError):
        validate_uuid(value, "id")


@pytest.mark.parametrize("tag", [
    "vi", "vi-VN", "en-US", "zh-Hant-TW", "zh-cmn-Hans-CN", "sr-Latn-RS", "de-CH-1996", "es-419",
    "en-US-x-twain", "x-whatever", "i-klingon", "en-a-bbb-x-a-ccc", "tlh", "sgn-BE-FR", "EN-us",
])
def test_well_formed_language_tags(tag: str) -> None:
    """Data §2.2 s4.b2 / RFC 5646 §2.1: well-formed tags, case-insensitive."""
    assert validate_language_tag(tag, "context.language") == tag


@pytest.mark.parametrize("tag", [
    "", "e", "en_US", "en-", "-en", "en--US", "en-US-", "toolonglanguage", "en-x", "en-a",
    "en-US-toolongsubtag", "vi VN", "123", 5,
])
def test_malformed_language_tags(tag: object) -> None:
    """Data §2.2 s4.b2: the sequence of subtag lengths must follow RFC 5646."""
    with pytest.raises(StatementValidationError):
        validate_language_tag(tag, "context.language")


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-01T08:30:00.123+07:00", datetime(2024, 5, 1, 1, 30, 0, 123000, tzinfo=UTC)),
    ("2024-05-01T01:30:00Z", datetime(2024, 5, 1, 1, 30, tzinfo=UTC)),
    ("2008-09-15 15:53:00.601+00:00", datetime(2008, 9, 15, 15, 53, 0, 601000, tzinfo=UTC)),
    ("20240501T083000+0700", datetime(2024, 5, 1, 1, 30, tzinfo=UTC)),
    ("2024-05-01T08:30-05", datetime(2024, 5, 1, 13, 30, tzinfo=UTC)),
    ("2024-05-01T08:30:00.123456789Z", datetime(2024, 5, 1, 8, 30, 0, 123456, tzinfo=UTC)),
    ("2024-05-01T24:00:00Z", datetime(2024, 5, 2, tzinfo=UTC)),
    ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
])
def test_timestamps_parse_to_utc(value: str, expected: datetime) -> None:
    """Data §4.5: ISO 8601 timestamps; the result is an aware datetime in UTC."""
    for version in ("1.0.3", "2.0.0"):
        parsed = parse_timestamp(value, version, "timestamp")
        assert parsed == expected
        assert parsed.tzinfo == UTC


def test_timestamp_without_zone_depends_on_version() -> None:
    """Data §4.5 s1.b4 (1.0.3: zone SHOULD, read as UTC); IEEE 9274.1.1 (2.0.0: zone required)."""
    assert parse_timestamp("2024-05-01T08:30:00", "1.0.3", "t") == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    with pytest.raises(StatementValidationError, match="time zone"):
        parse_timestamp("2024-05-01T08:30:00", "2.0.0", "since")


@pytest.mark.parametrize("value", [
    "should fail", "01/011/2015", "2024-05-01", "2024-05-01T08:30:00-00:00", "2024-05-01T08:30:00-00",
    "2024-05-01T08:30:00-0000", "2024-02-30T00:00:00Z", "2024-05-01T25:00:00Z", "2024-05-01T08:30:00+24:00",
    "2024-05-01T08:30:00.Z", "2024-05-01T08:30:00ZZ", "0000-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00",
    "2024-05-01T08:30:00+07:00 ", 1714552200,
])
def test_invalid_timestamps(value: object) -> None:
    """Data §4.5 s1.b1 and RFC 3339 §4.3 (-00:00 means unknown offset)."""
    for version in ("1.0.3", "2.0.0"):
        with pytest.raises(StatementValidationError) as caught:
            parse_timestamp(value, version, "stored")
        assert caught.value.path == "stored"


@pytest.mark.parametrize("value", [
    "PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0S", "P1D", "PT1,5S", "P0.5Y",
])
def test_valid_durations(value: str) -> None:
    """Data §4.6 s1.b1: ISO 8601:2004 §4.4.3.2 durations."""
    assert validate_duration(value, "result.duration") == value


@pytest.mark.parametrize("value", [
    "", "P", "PT", "P1DT", "PA1H0M0S", "P4W1D", "P0003-06-04T12:30:05", "PT1.5H30M", "1H", "pt1h",
    "P1H", "PT-1S", "P1.S", 12345, None,
])
def test_invalid_durations(value: object) -> None:
    """Data §4.6 s1.b1: the alternative format and malformed durations are refused."""
    with pytest.raises(StatementValidationError):
        validate_duration(value, "result.duration")
