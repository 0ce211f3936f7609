"""The player: access, locks, attempts, resume, retried requests, statements (ids, actor, context)."""
from __future__ import annotations

from datetime import timedelta

from tests.accounts.factories import login
from tests.learn.helpers import (COURSE_IRI, RIGHT_ANSWERS, WRONG_ANSWERS, assign, form_data, import_fixture_course,
                           lrs_reader, module_ids, statements_of, text_of, verbs)


def _setup(world, **kwargs):
    import_fixture_course()
    assignment = assign(world.class_a_id, **kwargs)
    return assignment.id, module_ids()


def _public_id(world) -> str:
    from lms.accounts.models import User
    from lms.extensions import db

    return db.session.get(User, world.user_ids["student"]).public_id


def _read_page(client, assignment_id, ids):
    client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}")
    client.post(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}", data={"action": "done"})


def test_only_students_of_the_class_may_play(client, world):
    assignment_id, ids = _setup(world)
    url = f"/learn/assignments/{assignment_id}/modules/{ids['portal']}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(client, world.usernames["other_student"])
    assert client.get(url).status_code == 403
    assert client.get(f"/learn/assignments/{assignment_id}").status_code == 403
    assert "Kiến thức công dân số" not in text_of(client.get("/learn/"))
    client.post("/logout")
    login(client, world.usernames["own_teacher"])
    assert client.get(url).status_code == 403
    assert client.get("/learn/assignments/9999").status_code == 403


def test_unknown_assignment_or_module_is_404(client, world):
    assignment_id, ids = _setup(world, module_keys=["portal"])
    login(client, world.student_username)
    assert client.get("/learn/assignments/9999").status_code == 404
    assert client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}").status_code == 404


def test_assignment_not_open_yet(client, world):
    assignment_id, ids = _setup(world, opens_in=timedelta(days=1))
    login(client, world.student_username)
    assert "Kiến thức công dân số" not in text_of(client.get("/learn/"))
    response = client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}", follow_redirects=True)
    assert "Bài được giao này chưa mở." in text_of(response)


def test_locked_module_explains_why(client, world):
    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    response = client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}", follow_redirects=True)
    assert "Hãy hoàn thành học phần trước đó trước." in text_of(response)
    overview = text_of(client.get(f"/learn/assignments/{assignment_id}"))
    assert "đang khoá" in overview


def test_resume_where_the_student_left_off(client, world):
    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    listing = text_of(client.get("/learn/"))
    assert f"/modules/{ids['portal']}\">Bắt đầu" in listing
    _read_page(client, assignment_id, ids)
    client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}")
    listing = text_of(client.get("/learn/"))
    assert f"/modules/{ids['portal-quiz']}\">Tiếp tục" in listing and "Đang học" in listing and "50%" in listing


def test_attempts_limit(client, world):
    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    _read_page(client, assignment_id, ids)
    quiz = f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}"
    client.get(quiz)
    for attempt in range(3):
        client.post(quiz, data=form_data(WRONG_ANSWERS))
        client.post(quiz, data={"action": "retry"})
    page = text_of(client.get(quiz))
    assert "Bạn đã dùng hết số lần làm bài." in page and "Đáp án đúng" in page
    refused = client.post(quiz, data={"action": "retry"}, follow_redirects=True)
    assert "Bạn đã dùng hết số lần làm bài." in text_of(refused)
    from lms.extensions import db
    from lms.learn.models import ModuleProgress

    progress = db.session.query(ModuleProgress).filter_by(module_id=ids["portal-quiz"]).one()
    assert progress.attempts == 3 and progress.status == "in_progress" and progress.passed is False


def test_retried_requests_record_once(client, world):
    """Deterministic statement ids and per-attempt state: a repeated request never records twice."""
    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    _read_page(client, assignment_id, ids)
    client.post(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}", data={"action": "done"})
    quiz = f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}"
    client.get(quiz)
    client.get(quiz)  # a reload: same session, same attempt
    client.post(quiz, data=form_data(RIGHT_ANSWERS))
    client.post(quiz, data=form_data(RIGHT_ANSWERS))  # the browser sent it again
    statements = statements_of(client, lrs_reader(client), _public_id(world))
    assert verbs(statements).count("launched") == 2 and verbs(statements).count("attempted") == 1
    assert verbs(statements).count("answered") == 7 and verbs(statements).count("passed") == 1
    assert len({s["id"] for s in statements}) == len(statements)
    from lms.extensions import db
    from lms.learn.models import ModuleProgress

    assert db.session.query(ModuleProgress).filter_by(module_id=ids["portal-quiz"]).one().attempts == 1


def test_statement_shape(client, world):
    """Actor is an opaque account; object, context (registration, parent, grouping, category) as profiled."""
    from lms.learn.statements import statement_id
    from xapi import vocabulary

    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    _read_page(client, assignment_id, ids)
    client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}")
    client.post(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}", data=form_data(RIGHT_ANSWERS))
    public_id = _public_id(world)
    statements = statements_of(client, lrs_reader(client), public_id)
    launched = statements[0]
    assert launched["actor"] == {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": public_id}}
    module_iri = f"{COURSE_IRI}/modules/portal"
    assert launched["object"]["id"] == module_iri
    assert launched["object"]["definition"]["name"] == {"vi-VN": "Cổng dịch vụ công", "en-US": "The public service portal"}
    assert launched["id"] == statement_id("http://lms.test", public_id, module_iri, "s1", "launched")
    context = launched["context"]
    assert context["language"] == "vi-VN" and context["platform"] == "Công dân số"
    assert context["contextActivities"]["parent"][0]["id"] == COURSE_IRI
    assert context["contextActivities"]["grouping"][0]["id"] == COURSE_IRI
    assert context["contextActivities"]["category"][0]["id"] == vocabulary.PROFILE_IRI
    answered = next(s for s in statements if s["verb"]["id"].endswith("/answered")
                    and s["object"]["id"].endswith("/q-match"))
    assert answered["object"]["definition"]["interactionType"] == "matching"
    assert answered["result"]["success"] is True and answered["result"]["response"] == "p1[.]p1_t[,]p2[.]p2_t"
    assert answered["result"]["score"]["raw"] == 1
    assert answered["context"]["contextActivities"]["parent"][0]["id"] == f"{COURSE_IRI}/modules/portal-quiz"
    scored = next(s for s in statements if s["verb"]["id"].endswith("/scored"))
    assert scored["result"]["score"]["scaled"] == 1
    for statement in statements:
        assert statement["verb"]["id"] in vocabulary.VERBS
        assert "name" not in statement["actor"] and "mbox" not in statement["actor"]


def test_identity_only_when_the_admin_turns_it_on(app, client, world):
    assignment_id, ids = _setup(world)
    app.config["LRS_EXPOSE_LEARNER_IDENTITY"] = True
    try:
        login(client, world.student_username)
        client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}")
    finally:
        app.config["LRS_EXPOSE_LEARNER_IDENTITY"] = False
    statements = statements_of(client, lrs_reader(client), _public_id(world))
    assert statements[0]["actor"]["name"] == world.student_name


def test_english_interface_records_english_language(client, world):
    assignment_id, ids = _setup(world)
    login(client, world.student_username)
    page = client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}?lang=en")
    assert "The national public service portal" in text_of(page) and "I have read this page" in text_of(page)
    statements = statements_of(client, lrs_reader(client), _public_id(world))
    assert statements[0]["context"]["language"] == "en-US"


def test_course_media_is_served_safely(client, world):
    assignment_id, ids = _setup(world)
    from tests.learn.helpers import course

    url = f"/learn/courses/{course().id}/media/portal.svg"
    assert client.get(url).status_code == 302
    login(client, world.student_username)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    download = client.get(f"/learn/courses/{course().id}/media/form.txt")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/learn/courses/{course().id}/media/none.png").status_code == 404
