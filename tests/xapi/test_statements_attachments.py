"""Attachments and signed statements on the Statement Resource (Communication §1.5.2, Data §2.4.11, §2.6)."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.xapi.conftest import sample_statement
from xapi.lrs.multipart import build_multipart, parse_multipart
from xapi.lrs.signatures import SIGNATURE_USAGE, sign_statement

VERSIONS = ("1.0.3", "2.0.0")
CERTIFICATE_USAGE = "https://congdanso.example/xapi/attachments/certificate"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\r\n--not-a-boundary\r\n" + bytes(range(256))


def attachment(content: bytes, content_type: str = "image/png", usage: str = CERTIFICATE_USAGE, **extra) -> dict:
    return {"usageType": usage, "display": {"en-US": "Certificate"}, "contentType": content_type,
            "length": len(content), "sha2": hashlib.sha256(content).hexdigest(), **extra}


def post_multipart(client, statements, parts: list[tuple[str, str, bytes]]):
    body, content_type = build_multipart(json.dumps(statements).encode(), parts)
    return client.post("/statements", data=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize("version", VERSIONS)
def test_multipart_round_trip_byte_for_byte(xapi_client, version):
    """§1.5.2: a statement with an attachment part is stored; attachments=true returns it as multipart/mixed."""
    client = xapi_client.with_version(version)
    statement = sample_statement(id=str(uuid.uuid4()), attachments=[attachment(PNG)])
    response = post_multipart(client, [statement], [("image/png", attachment(PNG)["sha2"], PNG)])
    assert response.status_code == 200, response.get_data(as_text=True)
    returned = client.get("/statements", query_string={"statementId": statement["id"], "attachments": "true"})
    assert returned.status_code == 200
    assert returned.mimetype == "multipart/mixed"
    parsed = parse_multipart(returned.get_data(), returned.headers["Content-Type"])
    assert parsed.attachments == {attachment(PNG)["sha2"]: ("image/png", PNG)}
    page = client.get("/statements", query_string={"attachments": "true"})
    assert parse_multipart(page.get_data(), page.headers["Content-Type"]).attachments[attachment(PNG)["sha2"]][1] == PNG
    plain = client.get("/statements", query_string={"statementId": statement["id"]})
    assert plain.mimetype == "application/json"  # §2.1.3.s2.b7: attachments=false sends no raw data


def test_same_attachment_in_two_statements_is_sent_once(xapi_client):
    """§1.5.2.s2.b2.b5: one copy of an attachment used by several statements of a batch."""
    shared = attachment(PNG)
    statements = [sample_statement(attachments=[shared]), sample_statement(attachments=[shared])]
    assert post_multipart(xapi_client, statements, [("image/png", shared["sha2"], PNG)]).status_code == 200
    page = xapi_client.get("/statements", query_string={"attachments": "true"})
    assert page.get_data().count(b"X-Experience-API-Hash") == 1


def test_missing_part_is_400_and_stores_nothing(xapi_client):
    """§1.5.2.s3.b5: an attachment with neither fileUrl nor a matching part is rejected."""
    statement = sample_statement(attachments=[attachment(PNG)])
    assert post_multipart(xapi_client, [statement], []).status_code == 400
    assert xapi_client.get("/statements").get_json()["statements"] == []


def test_part_that_no_statement_references_is_400(xapi_client):
    """§1.5.2: every part after the first is the raw data of an attachment of the statements."""
    other = b"unreferenced"
    response = post_multipart(xapi_client, [sample_statement()],
                              [("text/plain", hashlib.sha256(other).hexdigest(), other)])
    assert response.status_code == 400


def test_part_whose_hash_does_not_match_is_400(xapi_client):
    """§1.5.2.s1.b4: parts are matched by the SHA-2 of their content."""
    statement = sample_statement(attachments=[attachment(PNG)])
    body = (b"--b\r\nContent-Type: application/json\r\n\r\n" + json.dumps(statement).encode()
            + b"\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n"
            b"X-Experience-API-Hash: " + attachment(PNG)["sha2"].encode() + b"\r\n\r\ntampered\r\n--b--\r\n")
    response = xapi_client.post("/statements", data=body, headers={"Content-Type": "multipart/mixed; boundary=b"})
    assert response.status_code == 400


def test_json_request_needs_file_url_for_every_attachment(xapi_client):
    """§1.5.1 and §1.5.2.s2.b1: application/json batches are accepted when every attachment has a fileUrl."""
    with_url = attachment(PNG, fileUrl="https://files.example/cert.png")
    assert xapi_client.post("/statements", json=sample_statement(attachments=[with_url])).status_code == 200
    without = xapi_client.post("/statements", json=sample_statement(attachments=[attachment(PNG)]))
    assert without.status_code == 400


def test_multipart_without_attachments_is_accepted(xapi_client):
    """§1.5.2.s3.b8: multipart/mixed batches without attachment objects are accepted."""
    assert post_multipart(xapi_client, [sample_statement()], []).status_code == 200


def test_file_url_only_attachment_in_attachments_response(xapi_client):
    """Statements whose attachments are only referenced by fileUrl come back without parts."""
    with_url = attachment(PNG, fileUrl="https://files.example/cert.png")
    statement_id = xapi_client.post("/statements", json=sample_statement(attachments=[with_url])).get_json()[0]
    response = xapi_client.get("/statements", query_string={"statementId": statement_id, "attachments": "true"})
    parsed = parse_multipart(response.get_data(), response.headers["Content-Type"])
    assert parsed.attachments == {}


@pytest.fixture(scope="module")
def signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cong dan so test signer")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]


def _signed_request(client, statement: dict, jws: bytes):
    signature = attachment(jws, "application/octet-stream", SIGNATURE_USAGE)
    signed = dict(statement, attachments=[signature])
    return post_multipart(client, [signed], [("application/octet-stream", signature["sha2"], jws)])


@pytest.mark.parametrize("version", VERSIONS)
def test_signed_statement_with_valid_signature_is_stored(xapi_client, signer, version):
    """Data §2.6: a JWS (RS256, x5c) whose payload is the statement is accepted."""
    statement = sample_statement(id=str(uuid.uuid4()), timestamp="2024-05-01T10:00:00Z")
    jws = sign_statement(statement, signer[0], "RS256", x5c=signer[1])
    response = _signed_request(xapi_client.with_version(version), statement, jws)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_signed_statement_whose_payload_differs_is_400(xapi_client, signer):
    """Data §2.6.s5.b1/b3: the signed serialisation must be equivalent to the received statement."""
    statement = sample_statement(id=str(uuid.uuid4()), timestamp="2024-05-01T10:00:00Z")
    jws = sign_statement(statement, signer[0], "RS256", x5c=signer[1])
    tampered = dict(statement, verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    response = _signed_request(xapi_client, tampered, jws)
    assert response.status_code == 400
    assert "signature" in response.get_json()["error"]["message"]
    assert xapi_client.get("/statements").get_json()["statements"] == []


def test_malformed_signature_is_400(xapi_client):
    """Data §2.6.s5.b1: malformed signatures are rejected with 400."""
    response = _signed_request(xapi_client, sample_statement(), b"not-a-jws")
    assert response.status_code == 400
