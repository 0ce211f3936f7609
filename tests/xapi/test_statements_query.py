"""GET Statements: every filter, formats, ordering, limits, paging and HEAD (Communication §2.1.3)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from tests.xapi.conftest import sample_statement

VERSIONS = ("1.0.3", "2.0.0")
LAN = {"objectType": "Agent", "mbox": "mailto:lan@example.vn"}
MINH = {"objectType": "Agent", "account": {"homePage": "https://congdanso.example", "name": "u-42"}}
TEACHER = {"objectType": "Agent", "mbox": "mailto:co.hoa@example.vn"}
CLASS_GROUP = {"objectType": "Group", "name": "7A", "member": [MINH, {"mbox": "mailto:binh@example.vn"}]}
COURSE = "https://congdanso.example/xapi/courses/c1"
MODULE = COURSE + "/modules/m1"
QUIZ = COURSE + "/modules/quiz"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [statement["id"] for statement in response.get_json()["statements"]]


@pytest.fixture()
def corpus(xapi_client):
    """Six statements covering actors, groups, objects, contexts and a SubStatement; name -> id."""
    registration = str(uuid.uuid4())
    statements = {
        "lan_module": sample_statement(actor=LAN, context={
            "registration": registration, "instructor": TEACHER,
            "contextActivities": {"parent": [{"id": COURSE}]}}),
        "minh_quiz": sample_statement(actor=MINH, verb={"id": ANSWERED}, object={"id": QUIZ}),
        "group_module": sample_statement(actor=CLASS_GROUP),
        "teacher_mentors_lan": sample_statement(actor=TEACHER, verb={"id": "http://example.com/verbs/mentored"},
                                                object=LAN),
        "sub": sample_statement(actor=TEACHER, verb={"id": "http://example.com/verbs/planned"}, object={
            "objectType": "SubStatement", "actor": MINH, "verb": {"id": ANSWERED}, "object": {"id": QUIZ},
            "context": {"contextActivities": {"grouping": [{"id": COURSE}]}}}),
        "team": sample_statement(actor=LAN, verb={"id": ANSWERED}, object={"id": QUIZ},
                                 context={"team": {"objectType": "Group", "mbox": "mailto:team7a@example.vn"}}),
    }
    ids = {}
    for name, statement in statements.items():
        response = xapi_client.post("/statements", json=statement)
        assert response.status_code == 200, response.get_data(as_text=True)
        ids[name] = response.get_json()[0]
    ids["registration"] = registration
    return ids


def query(client, **params) -> set[str]:
    return set(ids_of(client.get("/statements", query_string=params)))


@pytest.mark.parametrize("version", VERSIONS)
def test_agent_filter_matches_actor_object_and_group_members(xapi_client, corpus, version):
    """§2.1.3 agent: the Agent or Group is the Actor or Object; Groups match through their members."""
    client = xapi_client.with_version(version)
    assert query(client, agent=json.dumps(LAN)) == {corpus["lan_module"], corpus["teacher_mentors_lan"], corpus["team"]}
    assert query(client, agent=json.dumps(MINH)) == {corpus["minh_quiz"], corpus["group_module"]}
    assert query(client, agent=json.dumps({"mbox": "mailto:lan@EXAMPLE.vn"})) == query(client, agent=json.dumps(LAN))


def test_related_agents_adds_authority_instructor_team_and_substatement(xapi_client, corpus):
    """§2.1.3 related_agents: Actor, Object, Authority, Instructor, Team, or those of a SubStatement."""
    teacher = query(xapi_client, agent=json.dumps(TEACHER), related_agents="true")
    assert teacher == {corpus["lan_module"], corpus["teacher_mentors_lan"], corpus["sub"]}
    assert corpus["sub"] in query(xapi_client, agent=json.dumps(MINH), related_agents="true")
    assert corpus["sub"] not in query(xapi_client, agent=json.dumps(MINH))
    team = query(xapi_client, agent=json.dumps({"objectType": "Group", "mbox": "mailto:team7a@example.vn"}),
                 related_agents="true")
    assert team == {corpus["team"]}
    authority = query(xapi_client, agent=json.dumps(xapi_client.authority), related_agents="true")
    assert len(authority) == 6
    assert query(xapi_client, agent=json.dumps(xapi_client.authority)) == set()


def test_activity_verb_and_registration_filters(xapi_client, corpus):
    """§2.1.3 activity (object only), verb, registration."""
    assert query(xapi_client, activity=QUIZ) == {corpus["minh_quiz"], corpus["team"]}
    assert query(xapi_client, verb=ANSWERED) == {corpus["minh_quiz"], corpus["team"]}
    assert query(xapi_client, registration=corpus["registration"].upper()) == {corpus["lan_module"]}
    assert query(xapi_client, activity=COURSE) == set()


def test_related_activities_adds_context_and_substatement(xapi_client, corpus):
    """§2.1.3 related_activities: Object, context activities, or those of a SubStatement."""
    assert query(xapi_client, activity=COURSE, related_activities="true") == {corpus["lan_module"], corpus["sub"]}
    assert query(xapi_client, activity=QUIZ, related_activities="true") == {
        corpus["minh_quiz"], corpus["team"], corpus["sub"]}


def test_filters_combine_with_and(xapi_client, corpus):
    """§2.1.3: every given filter must match."""
    assert query(xapi_client, agent=json.dumps(LAN), verb=ANSWERED) == {corpus["team"]}
    assert query(xapi_client, agent=json.dumps(MINH), activity=QUIZ, verb=ANSWERED) == {corpus["minh_quiz"]}


def test_since_until_are_on_stored_exclusive_and_inclusive(xapi_client):
    """§2.1.3 since (exclusive) and until (inclusive) compare with stored."""
    first = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    time.sleep(0.01)
    second = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    stored_first = xapi_client.get("/statements", query_string={"statementId": first}).get_json()["stored"]
    assert ids_of(xapi_client.get("/statements", query_string={"since": stored_first})) == [second]
    assert ids_of(xapi_client.get("/statements", query_string={"until": stored_first})) == [first]
    assert ids_of(xapi_client.get("/statements", query_string={"since": "2000-01-01T00:00:00Z"})) == [second, first]
    assert ids_of(xapi_client.get("/statements", query_string={"until": "2000-01-01T00:00:00Z"})) == []
    bad = xapi_client.get("/statements", query_string={"since": "yesterday"})
    assert bad.status_code == 400


def test_since_with_a_time_zone_offset_is_the_same_instant(xapi_client):
    """Data §4.5: a Timestamp with an offset names the same instant as its UTC form."""
    statement_id = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    stored = xapi_client.get("/statements", query_string={"statementId": statement_id}).get_json()["stored"]
    instant = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    hanoi = instant.astimezone(timezone(timedelta(hours=7))) - timedelta(microseconds=1)
    assert ids_of(xapi_client.get("/statements", query_string={"since": hanoi.isoformat()})) == [statement_id]
    assert ids_of(xapi_client.get("/statements", query_string={"until": hanoi.isoformat()})) == []


def test_order_limit_and_more_paging(xapi_client):
    """§2.1.3: newest stored first unless ascending=true; limit; ``more`` is a relative IRL (Data §2.5)."""
    ids = [xapi_client.post("/statements", json=sample_statement()).get_json()[0] for _ in range(5)]
    assert ids_of(xapi_client.get("/statements")) == ids[::-1]
    assert ids_of(xapi_client.get("/statements", query_string={"ascending": "true"})) == ids
    collected, path = [], "/xapi/statements?limit=2&ascending=true"
    while path:
        assert path.startswith("/xapi/statements")
        page = xapi_client.get(path[len("/xapi"):])
        assert page.status_code == 200
        collected += [s["id"] for s in page.get_json()["statements"]]
        path = page.get_json()["more"]
    assert collected == ids
    assert xapi_client.get("/statements", query_string={"limit": "0"}).get_json()["more"] == ""
    assert xapi_client.get("/statements", query_string={"limit": "-1"}).status_code == 400


def test_limit_zero_means_the_server_maximum(app, xapi_client):
    """§2.1.3 limit: 0 returns the maximum the server allows."""
    app.config["LRS_STATEMENTS_LIMIT"] = 3
    try:
        xapi_client.post("/statements", json=[sample_statement() for _ in range(4)])
        page = xapi_client.get("/statements", query_string={"limit": "0"}).get_json()
        assert len(page["statements"]) == 3 and page["more"]
    finally:
        app.config["LRS_STATEMENTS_LIMIT"] = 500


def test_forged_more_link_is_400(xapi_client):
    """Data §2.5: the more IRL is the LRS's own; a damaged one is a bad request, not a 500."""
    assert xapi_client.get("/statements", query_string={"more": "abc.def"}).status_code == 400
    assert xapi_client.get("/statements", query_string={"more": "x", "verb": ANSWERED}).status_code == 400


def test_empty_result_is_200_with_empty_array(xapi_client):
    """§2.1.3.s2.b4: no match is still 200 with an empty statements array."""
    response = xapi_client.get("/statements", query_string={"verb": "http://example.com/none"})
    assert response.status_code == 200
    assert response.get_json() == {"statements": [], "more": ""}


def test_single_statement_parameters_rules(xapi_client):
    """§2.1.3.s2.b1/b2: not both ids; with an id only format and attachments are allowed."""
    statement_id = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    both = {"statementId": statement_id, "voidedStatementId": statement_id}
    assert xapi_client.get("/statements", query_string=both).status_code == 400
    extra = {"statementId": statement_id, "verb": ANSWERED}
    assert xapi_client.get("/statements", query_string=extra).status_code == 400
    ok = {"statementId": statement_id, "format": "ids", "attachments": "false"}
    assert xapi_client.get("/statements", query_string=ok).status_code == 200
    assert xapi_client.get("/statements", query_string={"statementId": "nope"}).status_code == 400
    assert xapi_client.get("/statements", query_string={"statementId": str(uuid.uuid4())}).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_format_ids_keeps_only_identifiers(xapi_client, corpus, version):
    """§2.1.3 format=ids: minimum information for Agents, Activities, Verbs; groups lose members."""
    client = xapi_client.with_version(version)
    group = client.get("/statements", query_string={"statementId": corpus["group_module"], "format": "ids"})
    statement = group.get_json()
    assert statement["actor"] == {"objectType": "Group", "member": [
        {"objectType": "Agent", "account": MINH["account"]}, {"mbox": "mailto:binh@example.vn"}]}
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/experienced"}
    assert statement["object"] == {"id": MODULE}  # an Activity is identified by its id alone
    assert "name" not in statement["authority"]
    lan = client.get("/statements", query_string={"statementId": corpus["lan_module"], "format": "ids"}).get_json()
    assert lan["context"]["instructor"] == TEACHER
    assert lan["context"]["contextActivities"]["parent"] == [{"id": COURSE}]


@pytest.mark.parametrize("version", VERSIONS)
def test_format_ids_inside_a_substatement(xapi_client, version):
    """§2.1.3 format=ids (XAPI-00171): "If ids, only include minimum information necessary in
    Agent, Activity, Verb and Group Objects to identify them." An Activity keeps only its id, at
    every level (object and context of the statement and of its SubStatement); a Group keeps its
    objectType next to its IFI, which is what tells it from an Agent; a SubStatement and a
    StatementRef keep their objectType, without which they are not one."""
    client = xapi_client.with_version(version)
    group = {"objectType": "Group", "name": "7A", "mbox": "mailto:lop7a@example.vn"}
    statement = sample_statement(
        id=str(uuid.uuid4()),
        object={"objectType": "SubStatement", "actor": group,
                "verb": {"id": ANSWERED, "display": {"vi": "đã trả lời"}},
                "object": {"objectType": "Activity", "id": QUIZ,
                           "definition": {"name": {"vi": "Bài kiểm tra"}}},
                "context": {"contextActivities": {"parent": [{"objectType": "Activity", "id": COURSE}]},
                            "statement": {"objectType": "StatementRef", "id": str(uuid.uuid4())}}},
        context={"contextActivities": {"grouping": [{"objectType": "Activity", "id": COURSE,
                                                     "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}]}})
    assert client.post("/statements", json=statement).status_code == 200
    for params in ({"statementId": statement["id"], "format": "ids"}, {"format": "ids"}):
        response = client.get("/statements", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        shown = body if "statementId" in params else next(s for s in body["statements"] if s["id"] == statement["id"])
        sub = shown["object"]
        assert sub["objectType"] == "SubStatement"
        assert sub["actor"] == {"objectType": "Group", "mbox": "mailto:lop7a@example.vn"}
        assert sub["verb"] == {"id": ANSWERED}
        assert sub["object"] == {"id": QUIZ}
        assert sub["context"]["contextActivities"]["parent"] == [{"id": COURSE}]
        assert sub["context"]["statement"] == statement["object"]["context"]["statement"]
        assert shown["context"]["contextActivities"]["grouping"] == [{"id": COURSE}]


def test_format_exact_returns_the_statement_as_stored(xapi_client):
    """§2.1.3 format=exact (default): objects exactly as received."""
    statement = sample_statement(id=str(uuid.uuid4()))
    xapi_client.post("/statements", json=statement)
    exact = xapi_client.get("/statements", query_string={"statementId": statement["id"], "format": "exact"})
    returned = exact.get_json()
    for key in ("actor", "verb", "object"):
        assert returned[key] == statement[key]


def test_format_canonical_uses_the_canonical_definition_in_one_language(xapi_client):
    """§2.1.3 format=canonical and §2.1.3.s4: canonical definitions, one language per map (Accept-Language)."""
    first = sample_statement(id=str(uuid.uuid4()))
    xapi_client.post("/statements", json=first)
    later = sample_statement(object={"id": first["object"]["id"], "definition": {
        "name": {"en-US": "Module one", "vi": "Học phần một"}, "description": {"vi": "Mô tả"}}})
    xapi_client.post("/statements", json=later)
    params = {"statementId": first["id"], "format": "canonical"}
    vietnamese = xapi_client.get("/statements", query_string=params, headers={"Accept-Language": "vi, en;q=0.5"})
    definition = vietnamese.get_json()["object"]["definition"]
    assert definition == {"name": {"vi": "Học phần một"}, "description": {"vi": "Mô tả"}}
    english = xapi_client.get("/statements", query_string=params, headers={"Accept-Language": "en"})
    assert english.get_json()["object"]["definition"]["name"] == {"en-US": "Module one"}
    assert english.get_json()["verb"]["display"] == {"en-US": "experienced"}
    assert english.get_json()["actor"] == first["actor"]


def test_bad_filter_values_are_400(xapi_client):
    """Data §2.2.s4.b4: parameters are validated like the statement properties they name."""
    for params in ({"agent": "{not json"}, {"agent": json.dumps({"name": "no ifi"})}, {"verb": "not an iri"},
                   {"registration": "123"}, {"ascending": "yes"}, {"format": "full"}, {"limit": "ten"},
                   {"related_agents": "1"}, {"activity": "relative/path"}):
        response = xapi_client.get("/statements", query_string=params)
        assert response.status_code == 400, params
        assert response.is_json


def test_head_answers_like_get_without_body(xapi_client):
    """Communication §1.1: HEAD is answered as GET, without the body."""
    statement_id = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    for params in ({}, {"statementId": statement_id}):
        head = xapi_client.head("/statements", query_string=params)
        assert head.status_code == 200
        assert head.get_data() == b""
        assert "X-Experience-API-Consistent-Through" in head.headers and "Last-Modified" in head.headers
    assert xapi_client.head("/statements", query_string={"statementId": str(uuid.uuid4())}).status_code == 404


def test_last_modified_matches_stored(xapi_client):
    """§2.1.3.s2.b8: Last-Modified matches the stored time of the statement."""
    statement_id = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    response = xapi_client.get("/statements", query_string={"statementId": statement_id})
    stored = datetime.fromisoformat(response.get_json()["stored"].replace("Z", "+00:00"))
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == stored.replace(microsecond=0)


def _paged_ids(client, **params) -> list[str]:
    """Every statement id of a query, following ``more`` links."""
    collected, page = [], client.get("/statements", query_string=params)
    while True:
        collected += ids_of(page)
        more = page.get_json()["more"]
        if not more:
            return collected
        page = client.get(more[len("/xapi"):])


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_related_filters_page_through_direct_and_related_matches_in_order(xapi_client, ascending):
    """§2.1.3 related_agents / related_activities: statements where the agent (activity) is the
    actor or object and those where it is only related, interleaved in stored order, each once,
    also across ``more`` pages (Data §2.5)."""
    as_actor = {"actor": TEACHER, "object": {"id": COURSE}}
    as_instructor = {"actor": LAN, "object": {"id": QUIZ},
                     "context": {"instructor": TEACHER, "contextActivities": {"parent": [{"id": COURSE}]}}}
    ids = [xapi_client.post("/statements", json=sample_statement(**(as_actor if i % 2 else as_instructor)))
           .get_json()[0] for i in range(5)]
    expected = ids if ascending == "true" else ids[::-1]
    for params in ({"agent": json.dumps(TEACHER), "related_agents": "true"},
                   {"activity": COURSE, "related_activities": "true"}):
        assert _paged_ids(xapi_client, limit=2, ascending=ascending, **params) == expected
        # Second filter: the related kinds are also matched by a probe.
        assert _paged_ids(xapi_client, limit=2, ascending=ascending, verb=sample_statement()["verb"]["id"],
                          **params) == expected
    assert query(xapi_client, agent=json.dumps(TEACHER)) == set(ids[1::2])
    assert query(xapi_client, activity=COURSE) == set(ids[1::2])


def test_a_statement_ref_found_through_two_kinds_is_returned_once(xapi_client):
    """§2.1.3.s3: a statement referring to another matches the target's filters too; when the
    agent is its actor and the target's instructor (the key arrives later, with the target), it is
    still listed once."""
    target_id = str(uuid.uuid4())
    referrer = sample_statement(actor=TEACHER, verb={"id": "http://example.com/verbs/reviewed"},
                                object={"objectType": "StatementRef", "id": target_id})
    referrer_id = ids_of_post(xapi_client, referrer)
    ids_of_post(xapi_client, sample_statement(id=target_id, actor=LAN, context={"instructor": TEACHER}))
    found = ids_of(xapi_client.get("/statements", query_string={"agent": json.dumps(TEACHER),
                                                                "related_agents": "true"}))
    assert found == [target_id, referrer_id]


def test_a_related_key_is_not_stored_again_for_a_direct_match(db, xapi_client):
    """Storage: the actor and the object activity are stored once each (as direct keys), not
    again as related keys; the related filters still find them (tests above)."""
    statement_id = ids_of_post(xapi_client, sample_statement(actor=LAN, object={"id": QUIZ}, context={
        "contextActivities": {"parent": [{"id": COURSE}]}}))
    with db.engine.connect() as connection:
        kinds = sorted(connection.exec_driver_sql(
            "SELECT i.kind FROM lrs_statement_index AS i JOIN lrs_statement AS s ON s.seq = i.statement_seq "
            "WHERE s.statement_id = '" + statement_id + "'").scalars())
    # verb, agent (LAN), related agent (the authority), activity (QUIZ), related activity (COURSE)
    assert kinds == ["A", "T", "a", "t", "v"]


def ids_of_post(client, statement: dict) -> str:
    response = client.post("/statements", json=statement)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[0]
