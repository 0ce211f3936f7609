"""Strict JSON parsing of request bodies (xapi/lrs/jsontext.py): RFC 8259 JSON that can be stored.

Data §2.2 / Communication §1.5: statements and JSON documents are JSON; the LRS answers 400 for
anything else, and never stores a value other than the one sent.
"""
from __future__ import annotations

import pytest

from xapi.lrs import jsontext


@pytest.mark.parametrize("text, value", [
    (b'{"a": 1, "b": [true, null, 1.5, "Vi\xe1\xbb\x87t"]}', {"a": 1, "b": [True, None, 1.5, "Việt"]}),
    (b'"\\ud83d\\ude00"', "\U0001F600"),  # a surrogate pair is one character
    (b"[18446744073709551615, -9223372036854775808]", [2 ** 64 - 1, -(2 ** 63)]),
    (b"123456789012345678901234567890", 123456789012345678901234567890),  # beyond 64 bits: exact
    (b'{"x": [18446744073709551616, -18446744073709551617]}', {"x": [2 ** 64, -(2 ** 64 + 1)]}),  # 20 digits
    (b'{"n": 100000000000000000000000.5}', {"n": float("100000000000000000000000.5")}),
    ("{\"text\": \"Tiếng Việt\"}", {"text": "Tiếng Việt"}),
])
def test_json_values_are_parsed_exactly(text, value):
    assert jsontext.loads(text) == value


@pytest.mark.parametrize("text", [
    b'{"a": NaN}', b"[Infinity]", b"-Infinity",        # not JSON numbers
    b"1e400", b"[1e400, 123456789012345678901234]",   # beyond a double, on both parsing paths
    b'"\\ud800"', b'"\\udc00 12345678901234567890"',  # lone surrogates, on both parsing paths
    b'{"a": 1', b"", b"\xff\xfe", b"{'a': 1}",        # not JSON, not UTF-8
])
def test_what_is_not_storable_json_is_refused_with_a_reason(text):
    with pytest.raises(jsontext.InvalidJson) as raised:
        jsontext.loads(text)
    assert str(raised.value)
