"""Agents Resource (Communication §2.4) and Activities Resource (§2.5), fed by stored statements.

Statements are written through ``xapi.lrs.ingest.ingest`` (the one write path of the LRS, which
the Statement Resource and the LMS both use), then read back over HTTP.
"""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.document_helpers import ACTIVITY, AGENT

AUTHORITY = {"objectType": "Agent", "name": "test", "account": {"homePage": "http://lms.test", "name": "t"}}


def _statement(activity: dict, actor: dict = AGENT, **extra) -> dict:
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": activity,
    }
    statement.update(extra)
    return statement


def _store(db, statements: list[dict], may_define: bool = True) -> None:
    from xapi.lrs.ingest import ingest

    ingest(db.session, statements, AUTHORITY, "1.0.3", may_define=may_define)
    db.session.commit()


def test_unknown_activity_is_returned_bare(lrs):
    """§2.5.s2.b1: without a canonical definition the LRS still returns an Activity object."""
    response = lrs.get("/activities", {"activityId": ACTIVITY + "/unknown"})
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Activity", "id": ACTIVITY + "/unknown"}
    assert response.headers["ETag"]


def test_activity_definition_comes_from_statements_and_is_updated(lrs, db):
    """§2.5 and Data §2.4.4.1: the canonical definition follows the statements; language maps merge."""
    first = {"id": ACTIVITY, "definition": {"name": {"vi": "Bài một"},
                                            "type": "http://adlnet.gov/expapi/activities/lesson"}}
    later = {"id": ACTIVITY, "definition": {"name": {"en": "Lesson one"}, "description": {"en": "Intro"}}}
    _store(db, [_statement(first)])
    _store(db, [_statement(later)])
    activity = lrs.get("/activities", {"activityId": ACTIVITY}).get_json()
    assert activity == {"objectType": "Activity", "id": ACTIVITY, "definition": {
        "name": {"vi": "Bài một", "en": "Lesson one"}, "description": {"en": "Intro"},
        "type": "http://adlnet.gov/expapi/activities/lesson"}}


def test_context_activities_and_substatement_objects_are_known(lrs, db):
    parent = {"id": ACTIVITY + "/parent", "definition": {"name": {"vi": "Khoá học"}}}
    inner = {"id": ACTIVITY + "/inner", "definition": {"name": {"en": "Inner"}}}
    substatement = {"objectType": "SubStatement", "actor": AGENT,
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}, "object": inner}
    _store(db, [_statement(substatement, context={"contextActivities": {"parent": [parent]}})])
    assert lrs.get("/activities", {"activityId": parent["id"]}).get_json()["definition"] == parent["definition"]
    assert lrs.get("/activities", {"activityId": inner["id"]}).get_json()["definition"] == inner["definition"]


def test_without_define_scope_definitions_are_not_changed(lrs, db):
    """§4.2 scope "define": without it the ids are kept but the canonical definition is not changed."""
    _store(db, [_statement({"id": ACTIVITY, "definition": {"name": {"vi": "Gốc"}}})])
    _store(db, [_statement({"id": ACTIVITY, "definition": {"name": {"vi": "Sửa"}}})], may_define=False)
    assert lrs.get("/activities", {"activityId": ACTIVITY}).get_json()["definition"] == {"name": {"vi": "Gốc"}}


def test_person_for_unknown_agent_holds_the_given_agent(lrs):
    """§2.4.s3.b3: with nothing known the Person holds the requested Agent's information."""
    agent = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": "42"}, "name": "An"}
    response = lrs.get("/agents", {"agent": agent})
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Person", "name": ["An"],
                                   "account": [{"homePage": "http://lms.test", "name": "42"}]}


def test_person_combines_names_seen_with_the_same_identifier(lrs, db):
    """§2.4.s5: every array lists what is known for the agent; each property occurs once."""
    _store(db, [_statement({"id": ACTIVITY}, actor={"mbox": AGENT["mbox"], "name": "Hoc Sinh"}),
                _statement({"id": ACTIVITY}, actor={"mbox": AGENT["mbox"], "name": "Học Sinh A"})])
    _store(db, [_statement({"id": ACTIVITY}, actor={"mbox": "mailto:khac@example.org", "name": "Người khác"})])
    person = lrs.get("/agents", {"agent": {"mbox": AGENT["mbox"]}}).get_json()
    assert person == {"objectType": "Person", "name": ["Hoc Sinh", "Học Sinh A"], "mbox": [AGENT["mbox"]]}


def test_names_seen_in_later_writes_are_appended_once_in_order(lrs, db, xapi_client):
    """§2.4.s5 over several writes, by every write path: the LMS's (in its transaction), an HTTP
    write made alone, and a write with a StatementRef (on PostgreSQL the database merges the
    names itself, storage.py "One round trip"; on SQLite the worker does)."""
    mbox = "mailto:nhieuten@example.vn"
    _store(db, [_statement({"id": ACTIVITY}, actor={"mbox": mbox, "name": "Lan"})])
    for name in ("Lan", "Nguyễn Thị Lan", "Lan"):  # the second POST may be made alone
        response = xapi_client.post("/statements", json=_statement({"id": ACTIVITY}, actor={"mbox": mbox, "name": name}))
        assert response.status_code == 200, response.get_data(as_text=True)
    first = xapi_client.get("/statements", query_string={"limit": 1}).get_json()["statements"][0]
    referring = _statement({"objectType": "StatementRef", "id": first["id"]}, actor={"mbox": mbox, "name": "Cô Lan"})
    assert xapi_client.post("/statements", json=referring).status_code == 200
    _store(db, [_statement({"id": ACTIVITY}, actor={"mbox": mbox})])  # no name: nothing to add
    person = lrs.get("/agents", {"agent": {"mbox": mbox}}).get_json()
    assert person == {"objectType": "Person", "name": ["Lan", "Nguyễn Thị Lan", "Cô Lan"], "mbox": [mbox]}


def test_group_members_are_known_agents(lrs, db):
    group = {"objectType": "Group", "name": "Lớp 6A", "member": [{"mbox": "mailto:ban@example.org", "name": "Bạn"}]}
    _store(db, [_statement({"id": ACTIVITY}, actor=group)])
    person = lrs.get("/agents", {"agent": {"mbox": "mailto:ban@example.org"}}).get_json()
    assert person["name"] == ["Bạn"]


@pytest.mark.parametrize("path, params", [
    ("/agents", {}),
    ("/agents", {"agent": "not JSON"}),
    ("/agents", {"agent": {"name": "no identifier"}}),
    ("/agents", {"agent": AGENT, "extra": "x"}),
    ("/activities", {}),
    ("/activities", {"activityId": "not an IRI"}),
    ("/activities", {"activityId": ACTIVITY, "activityid": ACTIVITY}),
])
def test_bad_parameters_are_400(lrs, path, params):
    response = lrs.get(path, params)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_both_resources_need_authentication(client, db):
    for path in ("/xapi/agents", "/xapi/activities"):
        assert client.get(path, headers={"X-Experience-API-Version": "1.0.3"}).status_code == 401
