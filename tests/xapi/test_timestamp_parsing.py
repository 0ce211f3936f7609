"""parse_timestamp's fast path (datetime.fromisoformat) agrees with the full ISO 8601 rules.

Data §4.5 (1.0.3) and IEEE 9274.1.1 (2.0.0) timestamps; the fast path only takes the usual
shape and must give the same instant, or the same refusal, as the full rules.
"""
from __future__ import annotations

import itertools

import pytest

from xapi.schemas import StatementValidationError, common

YEARS = (1, 1970, 2026, 9999)
DATES = ("02-28", "02-29", "02-30", "12-31", "13-01", "00-10")
TIMES = ("00:00:00", "23:59:59", "24:00:00", "12:60:00", "23:59:60", "25:00:00")
FRACTIONS = ("", ".1", ".123", ".123456", ".1234567")
ZONES = ("Z", "+00:00", "-00:00", "+07:00", "-12:30", "+23:59", "-05:60", "+24:00", "")


def _full_rules(value: str, version: str):
    """The slow path alone: regex parts, zone and datetime building (no fast path)."""
    match = common.TIMESTAMP_EXTENDED_RE.match(value)
    if match is None:
        return "refused"
    parts = match.groupdict()
    try:
        return common._build_datetime(parts, common._zone(parts, version, "timestamp"))
    except (StatementValidationError, ValueError, OverflowError):
        return "refused"


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_fast_path_gives_the_same_instant_or_refusal_as_the_full_rules(version):
    checked = 0
    for year, date, time, fraction, zone in itertools.product(YEARS, DATES, TIMES, FRACTIONS, ZONES):
        value = f"{year:04d}-{date}T{time}{fraction}{zone}"
        try:
            got = common.parse_timestamp(value, version, "timestamp")
        except StatementValidationError:
            got = "refused"
        assert got == _full_rules(value, version), value
        checked += 1
    assert checked == len(YEARS) * len(DATES) * len(TIMES) * len(FRACTIONS) * len(ZONES)


def test_usual_shapes_take_the_fast_path():
    for value in ("2026-11-29T08:30:00Z", "2026-11-29T08:30:00.123Z", "2026-11-29T15:30:00.123456+07:00"):
        assert common._COMMON_TIMESTAMP_RE.match(value), value
    assert common.parse_timestamp("2026-11-29T15:30:00.5+07:00", "2.0.0", "t").isoformat() == \
        "2026-11-29T08:30:00.500000+00:00"
