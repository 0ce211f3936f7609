"""multipart/mixed statements with attachments: parse, build, reference checks (Communication §1.5.2)."""
from __future__ import annotations

import hashlib
import json

import pytest

from xapi.lrs.multipart import (
    MultipartError,
    build_multipart,
    check_references,
    is_multipart,
    parse_multipart,
)

STATEMENT = {
    "actor": {"mbox": "mailto:sample.agent@example.com", "objectType": "Agent"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {"id": "http://www.example.com/tincan/activities/multipart"},
}


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attachment_of(content: bytes, content_type: str = "text/plain", **extra) -> dict:
    return {"usageType": "http://example.com/attachment-usage/test", "display": {"en-US": "A test"},
            "contentType": content_type, "length": len(content), "sha2": sha(content), **extra}


def raw_body(boundary: str, parts: list[tuple[list[str], bytes]], preamble: bytes = b"") -> bytes:
    """Assemble a body by hand, header lines as given, so tests can break any rule."""
    chunks = [preamble]
    for headers, content in parts:
        chunks.append(f"--{boundary}\r\n".encode() + "".join(f"{h}\r\n" for h in headers).encode()
                      + b"\r\n" + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def test_spec_example_is_accepted():
    """Communication §1.5.2.s6: the example of the specification (quoted boundary, no spaces after colons)."""
    boundary = "abcABC0123'()+_,-./:=?"
    text = b"here is a simple attachment"
    statement = dict(STATEMENT, attachments=[attachment_of(text, "text/plain; charset=ascii")])
    body = raw_body(boundary, [
        (["Content-Type:application/json"], json.dumps(statement, indent=4).encode()),
        (["Content-Type:text/plain", "Content-Transfer-Encoding:binary",
          f"X-Experience-API-Hash:{sha(text)}"], text),
    ], preamble=b"\r\n")
    parsed = parse_multipart(body, f'multipart/mixed; boundary="{boundary}"')
    assert json.loads(parsed.statements_json) == statement
    assert parsed.attachments == {sha(text): ("text/plain", text)}
    check_references([json.loads(parsed.statements_json)], parsed.attachments)


def test_round_trip_binary_content_byte_for_byte():
    """Communication §1.5.2.s6.b3: raw octets, no encoding; CRLF, LF, CR, NUL and dashes survive."""
    binary = bytes(range(256)) * 4 + b"\r\n\r\n--not-the-boundary\r\n\n\r" + b"\x00\xff\r\n"
    image = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256)))
    json_bytes = json.dumps([STATEMENT]).encode()
    body, content_type = build_multipart(json_bytes, [
        ("application/octet-stream", sha(binary), binary), ("image/png", sha(image), image)])
    assert is_multipart(content_type)
    parsed = parse_multipart(body, content_type)
    assert parsed.statements_json == json_bytes
    assert parsed.attachments[sha(binary)] == ("application/octet-stream", binary)
    assert parsed.attachments[sha(image)] == ("image/png", image)


def test_content_ending_in_crlf_keeps_it():
    """RFC 2046: the CRLF before a delimiter belongs to the delimiter, not to the content."""
    content = b"line\r\n"
    body, content_type = build_multipart(b"{}", [("text/plain", sha(content), content)])
    assert parse_multipart(body, content_type).attachments[sha(content)][1] == content


def test_same_attachment_is_sent_once():
    """Communication §1.5.2.s2.b2.b5: one copy of an attachment used by several statements."""
    content = b"shared"
    body, content_type = build_multipart(b"[]", [("text/plain", sha(content), content)] * 3)
    assert body.count(sha(content).encode()) == 1
    assert len(parse_multipart(body, content_type).attachments) == 1


def test_part_headers_are_case_insensitive():
    """RFC 2045/822: header field names are case-insensitive."""
    content = b"abc"
    body = raw_body("b1", [
        (["CONTENT-TYPE: Application/JSON; charset=utf-8"], b"{}"),
        (["content-type: text/plain", "CONTENT-TRANSFER-ENCODING: BINARY",
          f"x-experience-api-hash: {sha(content).upper()}"], content),
    ])
    parsed = parse_multipart(body, "Multipart/Mixed; Boundary=b1")
    assert parsed.attachments == {sha(content): ("text/plain", content)}


def test_sha384_and_sha512_hashes_are_checked():
    """Communication §1.5.2.s4.b4: SHA-256, SHA-384 or SHA-512."""
    content = b"data"
    for algorithm in ("sha384", "sha512"):
        digest = hashlib.new(algorithm, content).hexdigest()
        body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                              (["Content-Transfer-Encoding: binary", f"X-Experience-API-Hash: {digest}"],
                               content)])
        assert parse_multipart(body, "multipart/mixed; boundary=b").attachments[digest][1] == content


def test_wrong_hash_is_rejected():
    """Communication §1.5.2.s1.b4: attachments are matched by the SHA-2 of their raw data."""
    body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                          (["Content-Transfer-Encoding: binary", f"X-Experience-API-Hash: {sha(b'other')}"],
                           b"data")])
    with pytest.raises(MultipartError, match="does not match the content"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_missing_hash_header_is_rejected():
    """Communication §1.5.2.s2.b2.b3: X-Experience-API-Hash in each part after the first."""
    body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                          (["Content-Transfer-Encoding: binary"], b"data")])
    with pytest.raises(MultipartError, match="no X-Experience-API-Hash"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_malformed_hash_header_is_rejected():
    body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                          (["Content-Transfer-Encoding: binary", "X-Experience-API-Hash: xyz"], b"data")])
    with pytest.raises(MultipartError, match="not a SHA-2 hex digest"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_missing_content_transfer_encoding_is_rejected():
    """Communication §1.5.2.s2.b2.b4: Content-Transfer-Encoding binary in each attachment part."""
    body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                          ([f"X-Experience-API-Hash: {sha(b'data')}"], b"data")])
    with pytest.raises(MultipartError, match="no Content-Transfer-Encoding"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_other_content_transfer_encoding_is_rejected():
    body = raw_body("b", [(["Content-Type: application/json"], b"{}"),
                          (["Content-Transfer-Encoding: base64", f"X-Experience-API-Hash: {sha(b'data')}"],
                           b"data")])
    with pytest.raises(MultipartError, match="must be binary"):
        parse_multipart(body, "multipart/mixed; boundary=b")


@pytest.mark.parametrize("headers", [["Content-Type: text/plain"], []])
def test_first_part_must_be_json(headers):
    """Communication §1.5.2.s2.b2.b1 and b6: the first part holds the statements as application/json."""
    body = raw_body("b", [(headers, b"{}")])
    with pytest.raises(MultipartError, match="first part"):
        parse_multipart(body, "multipart/mixed; boundary=b")


@pytest.mark.parametrize("content_type, message", [
    ("multipart/mixed", "no boundary"),
    ("multipart/mixed; boundary=", "no boundary"),
    ("multipart/form-data; boundary=b", "Expected Content-Type multipart/mixed"),
    ("application/json", "Expected Content-Type multipart/mixed"),
    ("multipart/mixed; boundary=\"" + "x" * 71 + "\"", "not valid"),
])
def test_content_type_without_usable_boundary_is_rejected(content_type, message):
    """RFC 2046 §5.1.1: multipart/mixed requires a boundary of 1 to 70 characters."""
    body = raw_body("b", [(["Content-Type: application/json"], b"{}")])
    with pytest.raises(MultipartError, match=message):
        parse_multipart(body, content_type)


def test_boundary_not_in_body_is_rejected():
    body = raw_body("b", [(["Content-Type: application/json"], b"{}")])
    with pytest.raises(MultipartError, match="does not contain the boundary"):
        parse_multipart(body, "multipart/mixed; boundary=other")


def test_lf_line_endings_are_rejected():
    """Communication §1.5.2.s6.b4: the boundary is CRLF followed by -- and the boundary string."""
    body = b"--b\nContent-Type: application/json\n\n{}\n--b--\n"
    with pytest.raises(MultipartError):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_lf_inside_part_headers_is_rejected():
    body = b"--b\r\nContent-Type: application/json\nX-Other: 1\r\n\r\n{}\r\n--b--\r\n"
    with pytest.raises(MultipartError, match="CRLF"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_unterminated_body_is_rejected():
    body = b"--b\r\nContent-Type: application/json\r\n\r\n{}"
    with pytest.raises(MultipartError, match="closing boundary"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_malformed_header_line_is_rejected():
    body = raw_body("b", [(["Content-Type application/json"], b"{}")])
    with pytest.raises(MultipartError, match="malformed header"):
        parse_multipart(body, "multipart/mixed; boundary=b")


def test_several_statements_with_attachments():
    """Communication §1.5.2.s4.b2: several statements, some with attachments, in one POST."""
    first, second = b"first attachment", b"\x00second\r\n"
    statements = [
        dict(STATEMENT, attachments=[attachment_of(first)]),
        dict(STATEMENT),
        dict(STATEMENT, attachments=[attachment_of(second, "application/octet-stream"),
                                     attachment_of(b"remote", fileUrl="http://example.com/remote.txt")]),
    ]
    body, content_type = build_multipart(json.dumps(statements).encode(), [
        ("text/plain", sha(first), first), ("application/octet-stream", sha(second), second)])
    parsed = parse_multipart(body, content_type)
    assert json.loads(parsed.statements_json) == statements
    check_references(json.loads(parsed.statements_json), parsed.attachments)


def test_missing_part_is_rejected():
    """Communication §1.5.2.s3.b5: an attachment with no fileUrl and no matching part is refused."""
    statements = [dict(STATEMENT, attachments=[attachment_of(b"never sent")])]
    with pytest.raises(MultipartError, match=r"statements\[0\].*no multipart part"):
        check_references(statements, {})


def test_file_url_attachment_needs_no_part():
    """Communication §1.5.2.s3.b9: attachments with only a fileUrl are accepted."""
    check_references([dict(STATEMENT, attachments=[attachment_of(b"x", fileUrl="http://example.com/x")])], {})


def test_extra_part_is_rejected():
    """A part that no statement references is data nobody could ever retrieve."""
    with pytest.raises(MultipartError, match="not referenced"):
        check_references([dict(STATEMENT)], {sha(b"orphan"): ("text/plain", b"orphan")})


def test_substatement_attachments_are_references():
    content = b"in the substatement"
    sub = {"objectType": "SubStatement", **STATEMENT, "attachments": [attachment_of(content)]}
    check_references(dict(STATEMENT, object=sub), {sha(content): ("text/plain", content)})
    with pytest.raises(MultipartError):
        check_references(dict(STATEMENT, object=sub), {})


def test_large_attachment_parses_quickly():
    """Parsing is linear: a 20 MB attachment is found with one scan, not line by line."""
    import time

    content = (b"\r\n-" * 7_000_000)[:20_000_000]
    body, content_type = build_multipart(b"{}", [("application/octet-stream", sha(content), content)])
    started = time.perf_counter()
    parsed = parse_multipart(body, content_type)
    assert parsed.attachments[sha(content)][1] == content
    assert time.perf_counter() - started < 2.0
