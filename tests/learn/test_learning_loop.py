"""The whole learning loop through HTTP: roster, assignment, page, quiz fail + retry + pass, gradebook, LRS."""
from __future__ import annotations

import csv
import io

from tests.accounts.factories import login
from tests.learn.helpers import (COURSE_IRI, RIGHT_ANSWERS, WRONG_ANSWERS, form_data, import_fixture_course, lrs_reader,
                           module_ids, statements_of, text_of, verbs)


def _assign_through_form(client, world) -> int:
    from sqlalchemy import select

    from tests.learn.helpers import course
    from lms.teach.models import Assignment

    course_id = course().id
    page = client.get(f"/teach/classes/{world.class_a_id}/assign?course_id={course_id}")
    assert page.status_code == 200 and "portal-quiz" in page.get_data(as_text=True)
    response = client.post(f"/teach/classes/{world.class_a_id}/assign", data={
        "course_id": str(course_id), "modules": ["portal", "portal-quiz"], "opens_on": "2020-01-01",
        "due_on": "2099-12-31"})
    assert response.status_code == 302, text_of(response)
    from lms.extensions import db

    return db.session.scalar(select(Assignment.id).where(Assignment.class_id == world.class_a_id))


def test_whole_loop_through_http(app, client, world):
    """Issue 6 acceptance: roster -> assignment -> page -> quiz failed, retried, passed -> gradebook and LRS."""
    import_fixture_course()
    ids = module_ids()

    # The teacher imports a roster and assigns the page and the quiz.
    assert login(client, world.usernames["own_teacher"]).status_code == 302
    roster = client.post(f"/classes/{world.class_a_id}/roster", data={"csv_text": "Đỗ Thị Mai\nLê Văn Nam\n"})
    assert roster.status_code in (200, 302)
    assignment_id = _assign_through_form(client, world)
    client.post("/logout")

    # The student sees the assignment, not started.
    assert login(client, world.student_username).status_code == 302
    listing = text_of(client.get("/learn/"))
    assert "Kiến thức công dân số cơ bản" in listing and "Chưa bắt đầu" in listing

    # The quiz is locked until the page is read.
    locked = client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}")
    assert locked.status_code == 302
    page = client.get(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Cổng dịch vụ công quốc gia" in body
    assert "<script>" not in body and "/learn/courses/" in body
    done = client.post(f"/learn/assignments/{assignment_id}/modules/{ids['portal']}", data={"action": "done"})
    assert done.headers["Location"].endswith(f"/modules/{ids['portal-quiz']}")

    # The quiz: fail, retry, pass.
    quiz_url = f"/learn/assignments/{assignment_id}/modules/{ids['portal-quiz']}"
    assert "q-order-login" in client.get(quiz_url).get_data(as_text=True)
    failed_post = client.post(quiz_url, data=form_data(WRONG_ANSWERS))
    assert failed_post.status_code == 302, text_of(failed_post)[-3000:]
    review = text_of(client.get(quiz_url))
    assert "Chưa đạt" in review and "Làm lại" in review, review[review.find("<main"):]
    assert "Thủ đô là Hà Nội." in review  # per-question feedback
    client.post(quiz_url, data={"action": "retry"})
    client.post(quiz_url, data=form_data(RIGHT_ANSWERS))
    passed = text_of(client.get(quiz_url))
    assert "Đạt" in passed and "100%" in passed
    client.post(quiz_url, data={"action": "leave"})
    assert "Hoàn thành" in text_of(client.get("/learn/"))
    student_id = world.user_ids["student"]
    client.post("/logout")

    # The gradebook shows it, in the page and in the CSV.
    assert login(client, world.usernames["own_teacher"]).status_code == 302
    book = text_of(client.get(f"/teach/assignments/{assignment_id}"))
    assert world.student_name in book and "Mai" in book
    export = client.get(f"/teach/assignments/{assignment_id}/gradebook.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    mine = next(r for r in rows if r["username"] == world.student_username)
    assert mine["status"] == "completed" and mine["progress_percent"] == "100"
    assert mine["portal-quiz:best_score_percent"] == "100" and mine["portal-quiz:attempts"] == "2"
    assert len(rows) == 3

    # The LRS has the statements, in order.
    from lms.accounts.models import User
    from lms.extensions import db

    public_id = db.session.get(User, student_id).public_id
    statements = statements_of(client, lrs_reader(client), public_id)
    expected = (["launched", "initialized", "experienced", "completed", "progressed", "terminated"]
                + ["launched", "initialized", "attempted"] + ["answered"] * 7 + ["scored", "failed"]
                + ["attempted"] + ["answered"] * 7 + ["scored", "passed", "completed", "progressed", "completed",
                                                      "terminated"])
    assert verbs(statements) == expected
    registrations = {s["context"]["registration"] for s in statements}
    assert len(registrations) == 1
    assert statements[-2]["object"]["id"] == COURSE_IRI
    failed = statements[statements.index(next(s for s in statements if s["verb"]["id"].endswith("failed")))]
    assert failed["result"]["success"] is False and failed["result"]["score"]["raw"] == 1
