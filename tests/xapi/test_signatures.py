"""Signed statements: JWS checks of Data §2.6 with real RSA keys and X.509 certificates."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from joserfc import jws as jose_jws
from joserfc.jwk import ECKey, OctKey, RSAKey

from xapi.lrs.signatures import SIGNATURE_USAGE, SignatureError, sign_statement, verify_signature

STATEMENT = {
    "id": "33cff416-e331-4c9d-969e-5373a1756120",
    "actor": {"mbox": "mailto:example@example.com", "name": "Example Learner", "objectType": "Agent"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
    "object": {"id": "https://example.com/activities/tax-return", "objectType": "Activity",
               "definition": {"name": {"en-US": "How to file a tax return", "vi-VN": "Khai thuế"}}},
    "result": {"duration": "PT1M2.345S"},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "team": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"},
                                                            {"mbox": "mailto:b@example.com"}]}},
    "timestamp": "2013-04-01T12:00:00Z",
}


def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def certificate(subject_key, common_name: str, issuer_key=None, issuer_name: str | None = None) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name or common_name)])
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(issuer_key or subject_key, hashes.SHA256()))


def b64_der(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.fixture(scope="module")
def keys():
    """A CA, a signer certified by it, and an unrelated key."""
    ca_key, signer_key, other_key = private_key(), private_key(), private_key()
    ca = certificate(ca_key, "Test CA")
    signer = certificate(signer_key, "Signer", ca_key, "Test CA")
    return {"ca_key": ca_key, "ca": ca, "signer_key": signer_key, "signer": signer, "other_key": other_key,
            "x5c": [b64_der(signer), b64_der(ca)]}


def signed(statement: dict, jws: bytes) -> dict:
    """The statement as the LRS receives it: with the signature attachment describing ``jws``."""
    result = copy.deepcopy(statement)
    result.setdefault("attachments", []).append({
        "usageType": SIGNATURE_USAGE, "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream", "length": len(jws), "sha2": hashlib.sha256(jws).hexdigest()})
    return result


def forged(header: dict, payload: dict, key) -> bytes:
    """A JWS made without our helper, for algorithms sign_statement refuses."""
    return jose_jws.serialize_compact(header, json.dumps(payload).encode(), key,
                                      algorithms=[header["alg"]]).encode()


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def hand_made(header: dict, payload: dict | bytes, key: rsa.RSAPrivateKey) -> bytes:
    """An RS256 JWS signed with cryptography directly, so the header can break joserfc's rules."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = b64url(json.dumps(header).encode()) + b"." + b64url(raw)
    return signing_input + b"." + b64url(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_good_signature_with_x5c_chain(keys, algorithm, version):
    """Data §2.6.s4.b4 and §2.6.s5.b3.b3: RS256/384/512 verified with the x5c certificate."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), algorithm, x5c=keys["x5c"])
    verify_signature(signed(STATEMENT, jws), jws, version)


def test_good_signature_without_x5c_checks_payload_only(keys):
    """Without a certificate the LRS cannot check the key, but still decodes and compares (§2.6.s5.b3)."""
    jws = sign_statement(STATEMENT, pem(keys["other_key"]))
    verify_signature(signed(STATEMENT, jws), jws, "1.0.3")
    changed = dict(STATEMENT, verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
    with pytest.raises(SignatureError, match="does not match the payload"):
        verify_signature(signed(changed, jws), jws, "1.0.3")


def test_lrs_assigned_properties_are_ignored(keys):
    """Data §2.3.1.b1: id, stored, authority, version and timestamp assigned by the LRS do not count."""
    unsigned = {k: v for k, v in STATEMENT.items() if k not in ("id", "timestamp")}
    jws = sign_statement(unsigned, pem(keys["signer_key"]), x5c=keys["x5c"])
    stored = signed(dict(unsigned, id="2f0b1e9c-9f51-4c39-8f1e-3a1b2c3d4e5f", timestamp="2024-01-01T00:00:00Z",
                         stored="2024-01-01T00:00:01Z", version="1.0.3",
                         authority={"mbox": "mailto:lrs@example.com"}), jws)
    verify_signature(stored, jws, "1.0.3")


def test_signed_id_must_match(keys):
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    other = dict(STATEMENT, id="2f0b1e9c-9f51-4c39-8f1e-3a1b2c3d4e5f")
    with pytest.raises(SignatureError, match="id"):
        verify_signature(signed(other, jws), jws, "1.0.3")


def test_serialisation_differences_allowed_by_the_comparison_rules(keys):
    """Data §2.3.1.b4, b5, b7: timestamp zone, group member order, case-insensitive parts."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    received = copy.deepcopy(STATEMENT)
    received["timestamp"] = "2013-04-01T19:00:00+07:00"
    received["context"]["team"]["member"].reverse()
    received["context"]["registration"] = received["context"]["registration"].upper()
    received["actor"]["mbox"] = "mailto:example@EXAMPLE.com"
    received["object"]["definition"]["name"] = {"EN-us": "How to file a tax return", "vi-vn": "Khai thuế"}
    verify_signature(signed(received, jws), jws, "1.0.3")


def test_duration_precision_depends_on_version(keys):
    """Data §2.3.1.b8 (1.0.3: duration compared as a string); IEEE 9274.1.1: only to 0.01 s."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    received = copy.deepcopy(STATEMENT)
    received["result"]["duration"] = "PT1M2.34S"
    verify_signature(signed(received, jws), jws, "2.0.0")
    with pytest.raises(SignatureError, match="result"):
        verify_signature(signed(received, jws), jws, "1.0.3")


def test_other_attachments_are_compared(keys):
    """The payload is the whole statement before the signature was added (Data §2.6.s4.b3)."""
    picture = {"usageType": "http://example.com/usage/photo", "display": {"en-US": "Photo"},
               "contentType": "image/png", "length": 3, "sha2": hashlib.sha256(b"png").hexdigest()}
    with_picture = dict(STATEMENT, attachments=[picture])
    jws = sign_statement(with_picture, pem(keys["signer_key"]), x5c=keys["x5c"])
    verify_signature(signed(with_picture, jws), jws, "1.0.3")
    with pytest.raises(SignatureError, match="attachments"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_tampered_payload_is_rejected(keys):
    """Data §2.6.s5.b3.b3: the signature must verify against the x5c certificate."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    header, _, signature = jws.split(b".")
    tampered_statement = dict(STATEMENT, verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    payload = base64.urlsafe_b64encode(json.dumps(tampered_statement).encode()).rstrip(b"=")
    tampered = b".".join([header, payload, signature])
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature(signed(tampered_statement, tampered), tampered, "1.0.3")


def test_payload_mismatch_is_rejected(keys):
    """Data §2.6.s5.b3.b2: the original statement must be logically equivalent to the received one."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    received = copy.deepcopy(STATEMENT)
    received["object"]["definition"]["name"]["en-US"] = "Something else"
    with pytest.raises(SignatureError, match="object"):
        verify_signature(signed(received, jws), jws, "2.0.0")


def test_signature_by_another_key_is_rejected(keys):
    jws = sign_statement(STATEMENT, pem(keys["other_key"]), x5c=keys["x5c"])
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


@pytest.mark.parametrize("algorithm", ["HS256", "none", "ES256", "PS256"])
def test_other_algorithms_are_rejected(algorithm):
    """Data §2.6.s4.b4: RS256, RS384 or RS512 only."""
    if algorithm == "HS256":
        jws = forged({"alg": "HS256"}, STATEMENT, OctKey.generate_key(256))
    elif algorithm == "ES256":
        jws = forged({"alg": "ES256"}, STATEMENT, ECKey.import_key(ec.generate_private_key(ec.SECP256R1())))
    elif algorithm == "PS256":
        jws = forged({"alg": "PS256"}, STATEMENT, RSAKey.import_key(private_key()))
    else:
        header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=")
        jws = header + b"." + base64.urlsafe_b64encode(json.dumps(STATEMENT).encode()).rstrip(b"=") + b"."
    with pytest.raises(SignatureError, match="not allowed"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_sign_statement_refuses_other_algorithms(keys):
    with pytest.raises(SignatureError, match="not allowed"):
        sign_statement(STATEMENT, pem(keys["signer_key"]), "HS256")


@pytest.mark.parametrize("jws, message", [
    (b"not a jws", "not a JWS Compact Serialization"),
    (b"a.b.c.d", "not a JWS Compact Serialization"),
    (b"!!!.e30.abc", "cannot be decoded"),
    (b'{"payload": "e30", "signatures": []}', "JSON Serialization"),
])
def test_malformed_jws_is_rejected(jws, message):
    """Data §2.6.s5.b1: malformed signatures are rejected with 400."""
    with pytest.raises(SignatureError, match=message):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_payload_that_is_not_a_statement_is_rejected(keys):
    key = RSAKey.import_key(keys["other_key"])
    for payload in (b"[1, 2]", b"\xff\xfe not json"):
        jws = jose_jws.serialize_compact({"alg": "RS256"}, payload, key).encode()
        with pytest.raises(SignatureError, match="payload"):
            verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_bad_x5c_is_rejected(keys):
    """RFC 7515 §4.1.6: x5c holds base64 DER certificates, each certified by the next."""
    cases = [
        ("not a list", "x5c"),
        ([], "non-empty list"),
        (["%%%not base64%%%"], r"x5c\[0\] is not a base64 DER"),
        ([base64.b64encode(b"not a certificate").decode()], r"x5c\[0\] is not a base64 DER"),
        # The chain in the wrong order: the CA did not get its certificate from the signer.
        ([keys["x5c"][1], keys["x5c"][0]], "does not verify"),
    ]
    for x5c, message in cases:
        jws = hand_made({"alg": "RS256", "x5c": x5c}, STATEMENT, keys["signer_key"])
        with pytest.raises(SignatureError, match=message):
            verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_hand_made_jws_verifies(keys):
    """The hand-made JWS of the x5c tests is a valid one when its header is valid."""
    jws = hand_made({"alg": "RS256", "x5c": keys["x5c"]}, STATEMENT, keys["signer_key"])
    verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_unknown_critical_header_is_rejected(keys):
    """RFC 7515 §4.1.11: a JWS with a crit extension the LRS does not understand is invalid."""
    jws = hand_made({"alg": "RS256", "crit": ["http://example.com/ext"], "http://example.com/ext": 1},
                    STATEMENT, keys["signer_key"])
    with pytest.raises(SignatureError, match="header"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_broken_certificate_chain_is_rejected(keys):
    """The spec lets the LRS validate the chain; a certificate not signed by the next one is refused."""
    stranger = certificate(keys["other_key"], "Stranger CA")
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=[keys["x5c"][0], b64_der(stranger)])
    with pytest.raises(SignatureError, match="chain is broken"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_non_rsa_certificate_is_rejected(keys):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=[b64_der(certificate(ec_key, "EC"))])
    with pytest.raises(SignatureError, match="RSA"):
        verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_signature_attachment_must_describe_the_jws(keys):
    """Data §2.6.s4.b1: the JWS is an attachment with the signature usageType and octet-stream type."""
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    with pytest.raises(SignatureError, match="no attachment with usageType"):
        verify_signature(STATEMENT, jws, "1.0.3")
    wrong_type = signed(STATEMENT, jws)
    wrong_type["attachments"][0]["contentType"] = "text/plain"
    with pytest.raises(SignatureError, match="contentType"):
        verify_signature(wrong_type, jws, "1.0.3")
    with pytest.raises(SignatureError, match="hash matches no sha2"):
        verify_signature(signed(STATEMENT, jws), jws + b"x", "1.0.3")


def test_odd_payload_shapes_are_mismatches_not_crashes(keys):
    """Whatever JSON object the payload holds, the answer is a clear SignatureError (a 400)."""
    key = keys["signer_key"]
    for payload in ({**STATEMENT, "attachments": "not a list"}, {**STATEMENT, "attachments": [1, None]},
                    {**STATEMENT, "actor": [[[[[]]]]]},
                    b'{"deep": ' + b"[" * 5000 + b"]" * 5000 + b"}", b'{"deep": ' + b"[" * 950 + b"]" * 950 + b"}"):
        jws = hand_made({"alg": "RS256", "x5c": keys["x5c"]}, payload, key)
        with pytest.raises(SignatureError):
            verify_signature(signed(STATEMENT, jws), jws, "1.0.3")


def test_caller_statement_is_not_changed(keys):
    jws = sign_statement(STATEMENT, pem(keys["signer_key"]), x5c=keys["x5c"])
    received = signed(dict(STATEMENT, stored="2024-01-01T00:00:00Z"), jws)
    before = copy.deepcopy(received)
    verify_signature(received, jws, "2.0.0")
    assert received == before
