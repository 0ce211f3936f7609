"""Alternate request syntax (Communication §1.3): required for 1.0.3, absent for 2.0.0."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.document_helpers import ACTIVITY, AGENT, LrsCaller, basic, make_credential, state_params

FORM = "application/x-www-form-urlencoded"


@pytest.fixture()
def credential(db):
    return make_credential(db)


def _form(credential, version="1.0.3", **fields) -> dict:
    form = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark",
            "Authorization": basic(*credential), "X-Experience-API-Version": version}
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


def _send(client, method: str, form: dict, query: str | None = None, headers: dict | None = None):
    return client.post(f"/xapi/activities/state?{query or urlencode({'method': method})}",
                       data=urlencode(form), content_type=FORM, headers=headers or {})


def test_put_get_delete_through_form_fields(client, credential):
    """§1.3.s3.b1-b7, b13-b15: method in the query; content, headers and parameters as form fields."""
    put = _send(client, "PUT", _form(credential, content='{"trang": 3}', **{"Content-Type": "application/json"}))
    assert put.status_code == 204, put.data
    ordinary = LrsCaller(client, *credential)
    assert ordinary.get("/activities/state", state_params()).get_json() == {"trang": 3}
    got = _send(client, "GET", _form(credential))
    assert got.status_code == 200 and got.get_json() == {"trang": 3}
    assert got.headers["ETag"]
    assert _send(client, "DELETE", _form(credential)).status_code == 204
    assert ordinary.get("/activities/state", state_params()).status_code == 404


def test_content_is_utf8_text_with_the_form_content_type(client, credential):
    """§1.3.s3.b5, b10: the content is a UTF-8 string of the type named by the Content-Type field."""
    _send(client, "PUT", _form(credential, content="Tiếng Việt có dấu", **{"Content-Type": "text/plain"}))
    response = LrsCaller(client, *credential).get("/activities/state", state_params())
    assert response.data == "Tiếng Việt có dấu".encode("utf-8")
    assert response.headers["Content-Type"] == "text/plain"


def test_if_match_form_field_is_a_header(client, credential):
    LrsCaller(client, *credential).put("/activities/state", state_params(), {"v": 1})
    response = _send(client, "PUT", _form(credential, content='{"v": 2}', **{"If-Match": '"nope"'}))
    assert response.status_code == 412


def test_authorization_form_field_is_checked(client, credential):
    response = _send(client, "GET", _form(credential, Authorization=basic(credential[0], "wrong")))
    assert response.status_code == 401


def test_version_form_field_is_the_header_even_with_a_real_header(client, credential):
    """§1.3.s3.b7 (XAPI-00336 suite case): "The LRS MUST treat the form parameters listed above as
    header parameters." A form field X-Experience-API-Version=0.8 is the request's version, so a
    real 1.0.3 header next to it does not make the request acceptable: 400, nothing stored."""
    form = _form(credential, content='{"a": 1}', **{"X-Experience-API-Version": "0.8"})
    response = _send(client, "PUT", form, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 400
    assert "form field" in response.get_json()["error"]["message"]
    assert LrsCaller(client, *credential).get("/activities/state", state_params()).status_code == 404


def test_unsupported_version_form_field_alone_is_400(client, credential):
    """§1.3.s3.b7 with 1.0.3 §3.3.s3.b4: a version before 1.0.0, given as a form field, is 400."""
    response = _send(client, "PUT", _form(credential, content='{"a": 1}', **{"X-Experience-API-Version": "0.8"}))
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_same_value_as_form_field_and_real_header_is_accepted(client, credential):
    """§1.3.s3.b7: a real header that repeats its form field names one value, not two."""
    form = _form(credential, content='{"a": 1}')
    response = _send(client, "PUT", form, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 204


@pytest.mark.parametrize("query", ["method=PUT&stateId=bookmark", "method=PATCH"])
def test_bad_query_string_is_400(client, credential, query):
    """§1.3.s3.b3: no query parameter other than method."""
    response = _send(client, "PUT", _form(credential, content="{}"), query=query)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_not_issued_as_post_is_400(client, credential):
    response = client.get(f"/xapi/activities/state?method=POST&{urlencode(_form(credential))}",
                          headers={"Authorization": basic(*credential), "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 400


def test_body_that_is_not_a_form_is_400(client, credential):
    response = client.post("/xapi/activities/state?method=PUT", data=json.dumps(_form(credential)),
                           content_type="application/json",
                           headers={"Authorization": basic(*credential), "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 400


def test_xapi_2_has_no_alternate_syntax(client, credential):
    """IEEE 9274.1.1 removed §1.3: such a request is refused with 400 and stores nothing."""
    response = _send(client, "PUT", _form(credential, version="2.0.0", content='{"a": 1}'))
    assert response.status_code == 400
    assert "2.0" in response.get_json()["error"]["message"]
    header_version = _send(client, "PUT", _form(credential, version=None, content='{"a": 1}'),
                           headers={"X-Experience-API-Version": "2.0.0"})
    assert header_version.status_code == 400
    assert LrsCaller(client, *credential).get("/activities/state", state_params()).status_code == 404


def test_post_method_get_without_any_body_is_an_empty_form(client, credential):
    """§1.3 (ADL 1.0.3 suite, "map form parameters ... to HTTP Headers", 7.8.b): POST ?method=GET
    with no body and the headers sent as headers reads the resource; a body that is not a form
    is still 400 (test above)."""
    headers = {"Authorization": basic(*credential), "X-Experience-API-Version": "1.0.3"}
    response = client.post("/xapi/statements?method=GET", headers=headers)
    assert response.status_code == 200, response.data
    assert set(response.get_json()) == {"statements", "more"}
