"""Statements with attachments in ``multipart/mixed`` bodies (Communication §1.5.2, Data §2.4.11).

The parser works on the raw bytes: it finds the RFC 2046 delimiters with ``bytes.find``
and slices the parts out, so attachment content comes back byte for byte (the ``email``
package would rewrite line endings and decode transfer encodings). Only what the xAPI
specification allows is accepted: CRLF line endings, the statements as the first part
with type ``application/json``, and every other part with ``X-Experience-API-Hash`` and
``Content-Transfer-Encoding: binary`` whose hash matches the content.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from werkzeug.http import parse_options_header

CRLF = b"\r\n"

# SHA-2 digests by the length of their hex form (Communication §1.5.2.s4.b4: SHA-256, -384 or -512).
_SHA2_BY_HEX_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
_HEX = re.compile(r"[0-9a-fA-F]+")
# RFC 2046 §5.1.1: 1 to 70 characters from bcharsnospace and space, not ending with a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_MAX_HEADER_BYTES = 8192


class MultipartError(ValueError):
    """The body is not a valid xAPI multipart/mixed request; the message says what is wrong."""


@dataclass
class MultipartRequest:
    """A parsed request: the statements' JSON and the attachment contents by SHA-2."""

    statements_json: bytes
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class _Part:
    headers: dict[str, str]
    content: bytes


def sha2_hex(content: bytes, like: str = "") -> str:
    """The SHA-2 hex digest of ``content``, of the same length as ``like`` (SHA-256 by default)."""
    algorithm = _SHA2_BY_HEX_LENGTH.get(len(like), "sha256")
    return hashlib.new(algorithm, content).hexdigest()


def is_multipart(content_type: str | None) -> bool:
    """True when a Content-Type header names ``multipart/mixed``."""
    return parse_options_header(content_type or "")[0].lower() == "multipart/mixed"


def parse_multipart(body: bytes, content_type: str) -> MultipartRequest:
    """Split an xAPI ``multipart/mixed`` body into the statements JSON and checked attachments.

    Raises MultipartError for anything Communication §1.5.2 does not allow.
    """
    boundary = _boundary_from(content_type)
    parts = _split_parts(body, boundary)
    if not parts:
        raise MultipartError("The multipart body has no parts; the first part must hold the statements")
    first, rest = parts[0], parts[1:]
    first_type = parse_options_header(first.headers.get("content-type", ""))[0].lower()
    if first_type != "application/json":
        raise MultipartError("The first part of a multipart/mixed request must have Content-Type "
                             f"application/json (it has {first.headers.get('content-type') or 'none'})")
    attachments: dict[str, tuple[str, bytes]] = {}
    for number, part in enumerate(rest, start=2):
        sha2 = _checked_attachment_hash(part, number)
        part_type = part.headers.get("content-type", "application/octet-stream")
        attachments.setdefault(sha2, (part_type, part.content))
    return MultipartRequest(statements_json=first.content, attachments=attachments)


def build_multipart(json_bytes: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """Build a ``multipart/mixed`` body from statements JSON and (content type, sha2, content) triples.

    Returns the body and the Content-Type header value. An attachment used twice (same
    sha2) is sent once (Communication §1.5.2.s2.b2.b5).
    """
    unique: dict[str, tuple[str, bytes]] = {}
    for content_type, sha2, content in attachments:
        unique.setdefault(sha2.lower(), (content_type, content))
    boundary = _fresh_boundary([json_bytes, *(content for _, content in unique.values())])
    delimiter = b"--" + boundary.encode("ascii")
    chunks = [delimiter, CRLF, b"Content-Type: application/json", CRLF, CRLF, json_bytes]
    for sha2, (content_type, content) in unique.items():
        chunks += [CRLF, delimiter, CRLF,
                   b"Content-Type: ", content_type.encode("latin-1"), CRLF,
                   b"Content-Transfer-Encoding: binary", CRLF,
                   b"X-Experience-API-Hash: ", sha2.encode("ascii"), CRLF, CRLF, content]
    chunks += [CRLF, delimiter, b"--", CRLF]
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'


def check_references(statements: list[dict] | dict, attachments: Mapping[str, Any]) -> None:
    """Check that statements and attachment parts match one to one by SHA-2.

    Communication §1.5.2.s3.b5: an attachment without ``fileUrl`` must have a part. A part
    that no statement references is refused too: the LRS would store data nobody can reach.
    """
    if isinstance(statements, dict):
        statements = [statements]
    parts = {sha2.lower() for sha2 in attachments}
    referenced: set[str] = set()
    for index, statement in enumerate(statements):
        for attachment in _statement_attachments(statement):
            sha2 = str(attachment.get("sha2", "")).lower()
            referenced.add(sha2)
            if sha2 not in parts and not attachment.get("fileUrl"):
                raise MultipartError(
                    f"statements[{index}]: the attachment with sha2 {sha2} has no fileUrl and "
                    "no multipart part with that X-Experience-API-Hash")
    extra = sorted(parts - referenced)
    if extra:
        raise MultipartError(f"The multipart part with X-Experience-API-Hash {extra[0]} is not "
                             "referenced by any attachment of the statements")


def _statement_attachments(statement: Any) -> Iterable[Mapping[str, Any]]:
    """Attachments of a statement and of its SubStatement object, if any (validation is done before)."""
    if not isinstance(statement, Mapping):
        return
    yield from _attachment_list(statement)
    target = statement.get("object")
    if isinstance(target, Mapping) and target.get("objectType") == "SubStatement":
        yield from _attachment_list(target)


def _attachment_list(holder: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    attachments = holder.get("attachments")
    return [a for a in attachments if isinstance(a, Mapping)] if isinstance(attachments, list) else []


def _boundary_from(content_type: str) -> bytes:
    mimetype, options = parse_options_header(content_type or "")
    if mimetype.lower() != "multipart/mixed":
        raise MultipartError(f"Expected Content-Type multipart/mixed, got {content_type!r}")
    boundary = options.get("boundary")
    if not boundary:
        raise MultipartError("The multipart/mixed Content-Type has no boundary parameter")
    if not _BOUNDARY.fullmatch(boundary):
        raise MultipartError(f"The multipart boundary {boundary!r} is not valid (RFC 2046 §5.1.1)")
    return boundary.encode("ascii")


def _split_parts(body: bytes, boundary: bytes) -> list[_Part]:
    """RFC 2046 §5.1.1: preamble, parts separated by CRLF--boundary, close delimiter, epilogue."""
    dash = b"--" + boundary
    delimiter = CRLF + dash
    position = 0 if body.startswith(dash) else body.find(delimiter)
    if position < 0:
        raise MultipartError("The multipart body does not contain the boundary given in Content-Type")
    position = body.index(dash, position) + len(dash)
    parts: list[_Part] = []
    while True:
        if body.startswith(b"--", position):
            return parts  # close delimiter; anything after it is the epilogue
        position = _skip_delimiter_line(body, position)
        end = body.find(delimiter, position)
        if end < 0:
            raise MultipartError("The multipart body ends without the closing boundary "
                                 f"--{boundary.decode('ascii')}--")
        parts.append(_parse_part(body[position:end], len(parts) + 1))
        position = end + len(delimiter)


def _skip_delimiter_line(body: bytes, position: int) -> int:
    """After a boundary only transport padding (spaces, tabs) may come before the CRLF."""
    line_end = body.find(CRLF, position)
    if line_end < 0 or body[position:line_end].strip(b" \t"):
        raise MultipartError("A multipart boundary line must end with CRLF (lines end with \\r\\n)")
    return line_end + 2


def _parse_part(raw: bytes, number: int) -> _Part:
    if raw.startswith(CRLF):
        return _Part(headers={}, content=raw[2:])
    header_end = raw.find(CRLF + CRLF)
    if header_end < 0 or header_end > _MAX_HEADER_BYTES:
        raise MultipartError(f"Part {number} has no blank CRLF line ending its headers")
    return _Part(headers=_parse_headers(raw[:header_end], number), content=raw[header_end + 4:])


def _parse_headers(block: bytes, number: int) -> dict[str, str]:
    """Header names are case-insensitive (stored lower case); folded lines are joined."""
    try:
        text = block.decode("ascii")
    except UnicodeDecodeError:
        raise MultipartError(f"Part {number} has non-ASCII bytes in its headers") from None
    headers: dict[str, str] = {}
    last = ""
    for line in text.split("\r\n"):
        if "\n" in line or "\r" in line:
            raise MultipartError(f"Part {number}: header lines must end with CRLF")
        if line[:1] in (" ", "\t") and last:
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or name != name.strip():
            raise MultipartError(f"Part {number} has a malformed header line {line!r}")
        last = name.lower()
        headers[last] = value.strip()
    return headers


def _checked_attachment_hash(part: _Part, number: int) -> str:
    """Communication §1.5.2.s2.b2.b3-b4: hash and binary transfer encoding, and the hash must match."""
    declared = part.headers.get("x-experience-api-hash", "")
    if not declared:
        raise MultipartError(f"Attachment part {number} has no X-Experience-API-Hash header")
    if not _HEX.fullmatch(declared) or len(declared) not in _SHA2_BY_HEX_LENGTH:
        raise MultipartError(f"Attachment part {number}: X-Experience-API-Hash {declared!r} is not "
                             "a SHA-2 hex digest")
    encoding = part.headers.get("content-transfer-encoding")
    if encoding is None:
        raise MultipartError(f"Attachment part {number} has no Content-Transfer-Encoding header "
                             "(it must be binary)")
    if encoding.lower() != "binary":
        raise MultipartError(f"Attachment part {number}: Content-Transfer-Encoding must be binary, "
                             f"not {encoding!r}")
    actual = sha2_hex(part.content, declared)
    if actual != declared.lower():
        raise MultipartError(f"Attachment part {number}: X-Experience-API-Hash {declared} does not "
                             f"match the content (its hash is {actual})")
    return actual


def _fresh_boundary(contents: list[bytes]) -> str:
    """A random boundary that occurs in none of the parts (RFC 2046 requires it)."""
    while True:
        boundary = "xapi-" + secrets.token_hex(16)
        marker = boundary.encode("ascii")
        if not any(marker in content for content in contents):
            return boundary
