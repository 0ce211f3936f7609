"""Signed statements: checking and making the JWS signature attachment (Data §2.6).

A signed statement carries a JWS (Compact Serialization, RS256/RS384/RS512) as an
attachment with usageType ``http://adlnet.gov/expapi/attachments/signature``. Its payload
is the statement as it was before the signature was added. The LRS must reject malformed
signatures (§2.6.s5): it decodes the JWS, checks the payload is logically equivalent to
the received statement (§2.3.1 comparison rules) and, when the header has an ``x5c``
certificate chain, verifies the signature with the first certificate and that each
certificate is signed by the next. Without ``x5c`` there is no key to check the signature
with; the structure and the payload are still checked. Certificate validity dates are not
checked: a signed statement is durable evidence and may be stored long after signing.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from xapi.lrs.multipart import sha2_hex

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = ("RS256", "RS384", "RS512")

# Properties the LRS may assign whatever the client sent (§2.3.1.b1): never compared.
_ALWAYS_IGNORED = ("stored", "authority", "version")
# Properties the LRS assigns only when missing: compared when the signed payload has them.
_IGNORED_WHEN_UNSIGNED = ("id", "timestamp")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LANGUAGE_MAP_KEYS = ("display", "name", "description")
_DURATION_SECONDS = re.compile(r"(\d+)(?:[.,](\d+))?S$")


class SignatureError(ValueError):
    """The signature of a statement is malformed or does not match it (answered with 400)."""


class _StatementJWSRegistry(jose_jws.JWSRegistry):
    """joserfc's limits are sized for tokens; an x5c chain and a whole statement are larger.

    The request size limit of the LRS bounds the whole body anyway.
    """

    max_header_length = 256 * 1024
    max_payload_length = 16 * 1024 * 1024
    max_signature_length = 4096


# Header names outside the IANA registry are allowed (RFC 7515 §4.3); only ``crit`` ones must be known.
_REGISTRY = _StatementJWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)


def signature_attachments(statement: dict) -> list[dict]:
    """The attachments of ``statement`` that carry a signature (usageType signature)."""
    attachments = statement.get("attachments")
    if not isinstance(attachments, list):
        return []
    return [a for a in attachments if isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE]


def _without_signature(statement: dict) -> dict:
    """A shallow copy of ``statement`` without its signature attachments (and no empty list)."""
    result = dict(statement)
    attachments = result.get("attachments")
    if isinstance(attachments, list):
        remaining = [a for a in attachments if not (isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE)]
        if remaining:
            result["attachments"] = remaining
        else:
            del result["attachments"]
    return result


def verify_signature(statement: dict, jws: bytes, version: str) -> None:
    """Check the JWS of a signed statement; raises SignatureError saying what is wrong.

    ``statement`` is the statement as received (the LRS-assigned id, stored, authority,
    version may already be set); ``jws`` is the content of its signature attachment;
    ``version`` is the xAPI version of the request ("1.0.3" or "2.0.0").
    """
    _check_signature_attachment(statement, jws)
    header, payload, signing = _decode_compact(jws)
    certificates = _certificate_chain(header)
    if certificates:
        _verify_with_certificate(signing, certificates[0])
        _check_chain(certificates)
    try:
        received = _comparable(statement, version)
        signed = _comparable(payload, version)
    except RecursionError:
        raise SignatureError("The JWS payload is nested too deeply to be a statement") from None
    for name in _IGNORED_WHEN_UNSIGNED:
        if name not in signed:
            received.pop(name, None)
    if received != signed:
        raise SignatureError("The statement does not match the payload of its JWS signature "
                             f"(different: {', '.join(_differences(received, signed))})")


def sign_statement(statement: dict, private_key_pem: bytes, algorithm: str = "RS256",
                   x5c: list[str] | None = None) -> bytes:
    """Sign ``statement`` (without any signature attachment) and return the compact JWS bytes."""
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"JWS algorithm {algorithm!r} is not allowed; use one of {', '.join(ALGORITHMS)}")
    unsigned = _without_signature(statement)
    header: dict[str, Any] = {"alg": algorithm}
    if x5c:
        header["x5c"] = list(x5c)
    payload = json.dumps(unsigned, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    key = RSAKey.import_key(private_key_pem)
    return jose_jws.serialize_compact(header, payload, key, registry=_REGISTRY).encode("ascii")


def _check_signature_attachment(statement: dict, content: bytes) -> None:
    """§2.6.s4.b1: the JWS is the content of a signature attachment of type octet-stream."""
    attachments = signature_attachments(statement)
    if not attachments:
        raise SignatureError(f"The statement has no attachment with usageType {SIGNATURE_USAGE}")
    matching = [a for a in attachments
                if sha2_hex(content, str(a.get("sha2", ""))) == str(a.get("sha2", "")).lower()]
    if not matching:
        raise SignatureError("The JWS is not the content of the statement's signature attachment "
                             "(its hash matches no sha2)")
    for attachment in matching:
        if attachment.get("contentType") != SIGNATURE_CONTENT_TYPE:
            raise SignatureError(f"A signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}, "
                                 f"not {attachment.get('contentType')!r}")


def _decode_compact(raw: bytes) -> tuple[dict, dict, jose_jws.CompactSignature]:
    """Split a JWS Compact Serialization; returns (header, payload statement, joserfc object)."""
    text = raw.strip()
    if text.startswith(b"{"):
        raise SignatureError("The signature uses JWS JSON Serialization; this LRS accepts only "
                             "JWS Compact Serialization (Data §2.6.s4.b2)")
    if text.count(b".") != 2:
        raise SignatureError("The signature is not a JWS Compact Serialization (three base64url "
                             "parts separated by dots)")
    try:
        signing = jose_jws.extract_compact(text, registry=_REGISTRY)
    except (JoseError, ValueError, TypeError) as exc:
        raise SignatureError(f"The JWS signature cannot be decoded: {exc}") from None
    header = signing.headers()
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"JWS algorithm {algorithm!r} is not allowed; a signed statement must use "
                             f"{', '.join(ALGORITHMS)} (Data §2.6.s4.b4)")
    try:
        _REGISTRY.check_header(header)
    except JoseError as exc:
        raise SignatureError(f"The JWS header is not valid: {exc}") from None
    if header.get("b64") is False:
        raise SignatureError("The JWS payload must be the base64url-encoded statement (b64=false is not allowed)")
    try:
        payload = json.loads(signing.payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SignatureError("The JWS payload is not a JSON statement (Data §2.6.s4.b3)") from None
    if not isinstance(payload, dict):
        raise SignatureError("The JWS payload must be a JSON object: the statement (Data §2.6.s4.b3)")
    return header, payload, signing


def _certificate_chain(header: dict) -> list[x509.Certificate]:
    """RFC 7515 §4.1.6: x5c is a non-empty list of base64 (not base64url) DER certificates."""
    if "x5c" not in header:
        return []
    chain = header["x5c"]
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        raise SignatureError("The JWS header x5c must be a non-empty list of base64 certificates")
    certificates = []
    for position, encoded in enumerate(chain):
        try:
            certificates.append(x509.load_der_x509_certificate(base64.b64decode(encoded, validate=True)))
        except (binascii.Error, ValueError):
            raise SignatureError(f"x5c[{position}] is not a base64 DER X.509 certificate") from None
    return certificates


def _verify_with_certificate(signing: jose_jws.CompactSignature, certificate: x509.Certificate) -> None:
    public_key = certificate.public_key()
    if not isinstance(public_key, RSAPublicKey):
        raise SignatureError("The x5c certificate does not hold an RSA key, so it cannot check an RS* signature")
    try:
        valid = jose_jws.validate_compact(signing, RSAKey.import_key(public_key), registry=_REGISTRY)
    except JoseError as exc:
        raise SignatureError(f"The JWS signature cannot be checked with the x5c certificate: {exc}") from None
    if not valid:
        raise SignatureError("The JWS signature does not verify with the first x5c certificate's public key")


def _check_chain(certificates: list[x509.Certificate]) -> None:
    """Each certificate must be issued and signed by the one after it (RFC 7515 §4.1.6 order)."""
    for position, (child, issuer) in enumerate(zip(certificates, certificates[1:])):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise SignatureError(f"x5c[{position}] is not signed by x5c[{position + 1}]: "
                                 "the certificate chain is broken") from None


def _comparable(statement: dict, version: str) -> dict:
    """A copy of the statement with the differences §2.3.1 tells us to ignore normalised away."""
    result = _without_signature(statement)
    for name in _ALWAYS_IGNORED:
        result.pop(name, None)
    return _normalise(result, version)


def _normalise(value: Any, version: str, key: str = "") -> Any:
    """Normalise serialisation details the comparison rules allow to differ.

    Timestamps compare as instants, group members as an unordered list, language tags,
    UUIDs and e-mail domains without case, and (xAPI 2.0) durations to 0.01 s. Extension
    values are left exactly as sent: their meaning belongs to the extension's owner.
    """
    if isinstance(value, list):
        items = [_normalise(item, version) for item in value]
        if key == "member":
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if not isinstance(value, dict):
        return _normalise_scalar(value, version, key)
    if key in _LANGUAGE_MAP_KEYS and all(isinstance(v, str) for v in value.values()):
        return {tag.lower(): text for tag, text in value.items()}
    return {name: item if name == "extensions" else _normalise(item, version, name)
            for name, item in value.items()}


def _normalise_scalar(value: Any, version: str, key: str) -> Any:
    if not isinstance(value, str):
        return value
    if key in ("timestamp", "stored"):
        return _instant(value)
    if key in ("id", "registration") and _UUID.fullmatch(value):
        return value.lower()
    if key == "mbox" and "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
    if key == "duration" and version.startswith("2."):
        return _duration_to_hundredths(value)
    return value


def _instant(value: str) -> Any:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return value
    return moment.timestamp() if moment.tzinfo else value


def _duration_to_hundredths(value: str) -> str:
    """IEEE 9274.1.1: precision beyond 0.01 s is not part of a duration comparison."""
    match = _DURATION_SECONDS.search(value)
    if not match:
        return value
    fraction = (match.group(2) or "").ljust(2, "0")[:2]
    return f"{value[:match.start()]}{int(match.group(1))}.{fraction}S"


def _differences(received: dict, signed: dict) -> list[str]:
    names = sorted(set(received) | set(signed))
    return [name for name in names if received.get(name) != signed.get(name)] or ["structure"]
