"""Another LMS talks to this LRS with the `tincan` Python client (RemoteLRS) over a live server.

Known defects of tincan 1.0.0 that are worked around here, in the test only:
- ``retrieve_state``/``retrieve_*_profile`` look for ``"etag" in response.getheaders()``, a list
  of (name, value) pairs, so the ETag of a retrieved document is never set; the test copies it
  from the HTTP response (``lrs_response.response.getheader("ETag")``) as a fixed client would.
- ``save_state`` sends its PUT twice, so a state update with If-Match would fail on the second
  send; state is updated without a precondition, which 1.0.3 allows for the State Resource.
- Document content is turned into a ``str`` and http.client sends it as Latin-1, so tincan cannot
  send document text outside Latin-1 (Vietnamese text fails before it leaves the client); the
  documents here are ASCII. Statements are JSON with escaped non-ASCII text and are not affected.
- ``about()`` rejects any version outside 1.0.x. It sends ``X-Experience-API-Version: 1.0.3``,
  and the About resource answers a 1.0.x request with the 1.0.x versions only (xapi/lrs/http.py),
  so the call works; without a header or with 2.0.0 the LRS lists "2.0.0" too.
- ``save_activity_profile``/``save_agent_profile`` create a profile with a PUT that has neither
  If-Match nor If-None-Match, which such a request must carry (400 otherwise, as ADL's
  conformance suite expects). The partner LMS's credential is therefore created the way an admin
  would for such a client, with ``bare_profile_put`` (``lms lrs client create --bare-profile-put``);
  ``test_default_credential_refuses_a_bare_profile_put`` shows what happens without it.
tincan speaks xAPI 1.0.x only (Version.supported), so this exercises the 1.0.3 side.
"""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.document_helpers import ACTIVITY, make_credential

tincan = pytest.importorskip("tincan")


def _etag(lrs_response) -> str:
    return lrs_response.response.getheader("ETag")


@pytest.fixture()
def remote(db, live_server):
    from tincan import RemoteLRS

    key, secret = make_credential(db, name="other LMS", bare_profile_put=True)
    return RemoteLRS(endpoint=f"{live_server}/xapi/", version="1.0.3", username=key, password=secret)


def _agent():
    from tincan import Agent

    return Agent(name="Nguyễn Văn An", mbox="mailto:an@example.edu.vn")


def test_statements_saved_and_retrieved(remote):
    from tincan import Activity, ActivityDefinition, LanguageMap, Statement, StatementList, Verb

    verb = Verb(id="http://adlnet.gov/expapi/verbs/completed", display=LanguageMap({"en-US": "completed"}))
    activity = Activity(id=ACTIVITY, definition=ActivityDefinition(name=LanguageMap({"vi": "Bài một"})))
    one = Statement(id=str(uuid.uuid4()), actor=_agent(), verb=verb, object=activity)
    saved = remote.save_statement(one)
    assert saved.success, saved.data
    batch = StatementList([Statement(actor=_agent(), verb=verb, object=activity) for _ in range(3)])
    saved_batch = remote.save_statements(batch)
    assert saved_batch.success, saved_batch.data
    fetched = remote.retrieve_statement(one.id)
    assert fetched.success
    assert fetched.content.id == one.id
    assert fetched.content.object.id == ACTIVITY
    queried = remote.query_statements({"agent": _agent(), "verb": verb, "limit": 10})
    assert queried.success
    assert {s.id for s in queried.content.statements} >= {one.id} | {s.id for s in batch}


def test_state_saved_retrieved_updated_and_deleted(remote):
    from tincan import Activity
    from tincan.documents import StateDocument

    document = StateDocument(id="bookmark", activity=Activity(id=ACTIVITY), agent=_agent(),
                             content=bytearray(b'{"page": 3}'), content_type="application/json")
    assert remote.save_state(document).success
    assert remote.retrieve_state_ids(Activity(id=ACTIVITY), _agent()).content == ["bookmark"]
    fetched = remote.retrieve_state(Activity(id=ACTIVITY), _agent(), "bookmark")
    assert fetched.success and bytes(fetched.content.content) == b'{"page": 3}'
    # No If-Match: save_state sends the PUT twice, so the second would fail its precondition.
    fetched.content.content = bytearray(b'{"page": 4}')
    assert remote.save_state(fetched.content).success
    assert bytes(remote.retrieve_state(Activity(id=ACTIVITY), _agent(), "bookmark").content.content) == b'{"page": 4}'
    assert remote.clear_state(Activity(id=ACTIVITY), _agent()).success
    assert remote.retrieve_state_ids(Activity(id=ACTIVITY), _agent()).content == []


def test_activity_profile_round_trip_with_etag(remote):
    from tincan import Activity
    from tincan.documents import ActivityProfileDocument

    profile = ActivityProfileDocument(id="settings", activity=Activity(id=ACTIVITY),
                                      content=bytearray(b"cai dat: 1"), content_type="text/plain")
    assert remote.save_activity_profile(profile).success
    assert remote.retrieve_activity_profile_ids(Activity(id=ACTIVITY)).content == ["settings"]
    fetched = remote.retrieve_activity_profile(Activity(id=ACTIVITY), "settings")
    assert bytes(fetched.content.content) == b"cai dat: 1"
    # Without the ETag the LRS refuses to overwrite (409); with it the update goes through.
    fetched.content.content = bytearray(b"v2")
    assert remote.save_activity_profile(fetched.content).response.status == 409
    fetched.content.etag = _etag(fetched)
    assert remote.save_activity_profile(fetched.content).success
    refetched = remote.retrieve_activity_profile(Activity(id=ACTIVITY), "settings")
    refetched.content.etag = _etag(refetched)
    assert remote.delete_activity_profile(refetched.content).success
    assert remote.retrieve_activity_profile_ids(Activity(id=ACTIVITY)).content == []


def test_agent_profile_round_trip(remote):
    from tincan.documents import AgentProfileDocument

    profile = AgentProfileDocument(id="preferences", agent=_agent(), content=bytearray(b'{"lang": "vi"}'),
                                   content_type="application/json")
    assert remote.save_agent_profile(profile).success
    assert remote.retrieve_agent_profile_ids(_agent()).content == ["preferences"]
    fetched = remote.retrieve_agent_profile(_agent(), "preferences")
    assert bytes(fetched.content.content) == b'{"lang": "vi"}'
    fetched.content.etag = _etag(fetched)
    assert remote.delete_agent_profile(fetched.content).success
    assert remote.retrieve_agent_profile(_agent(), "preferences").response.status == 404


def test_default_credential_refuses_a_bare_profile_put(db, live_server):
    """Without bare_profile_put, tincan's header-less PUT creating a profile is 400 and stores nothing."""
    from tincan import RemoteLRS
    from tincan.documents import AgentProfileDocument

    key, secret = make_credential(db, name="strict LMS")
    strict = RemoteLRS(endpoint=f"{live_server}/xapi/", version="1.0.3", username=key, password=secret)
    profile = AgentProfileDocument(id="preferences", agent=_agent(), content=bytearray(b'{"lang": "vi"}'),
                                   content_type="application/json")
    saved = strict.save_agent_profile(profile)
    assert saved.response.status == 400
    body = saved.data.decode("utf-8") if isinstance(saved.data, bytes) else saved.data
    assert "If-None-Match: *" in body
    assert strict.retrieve_agent_profile(_agent(), "preferences").response.status == 404


def test_about_works_for_a_1_0_x_client(remote):
    """1.0.3 §2.8.s5.b1.b1 (XAPI-00316): to a 1.0.x client the "version" values are 0.9, 0.95 and
    1.0.x; tincan checks that and rejects anything else, so a 1.0.3 About answer lists the 1.0.x
    versions only."""
    response = remote.about()
    assert response.success, response.data
    assert response.content.version == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]
