"""Teachers assign courses to classes; students see status; the gradebook and its CSV."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from tests.accounts.factories import login
from tests.learn.helpers import assign, course, import_fixture_course, module_ids, text_of


def _count() -> int:
    from lms.extensions import db
    from lms.teach.models import Assignment

    return db.session.scalar(select(func.count()).select_from(Assignment))


def test_teacher_chooses_course_then_modules(client, world):
    import_fixture_course()
    login(client, world.usernames["own_teacher"])
    first = text_of(client.get(f"/teach/classes/{world.class_a_id}/assign"))
    assert "1. Chọn khoá học" in first and "Kiến thức công dân số cơ bản" in first
    second = text_of(client.get(f"/teach/classes/{world.class_a_id}/assign?course_id={course().id}"))
    assert 'value="portal-quiz"' in second and "Hạn nộp (không bắt buộc)" in second
    response = client.post(f"/teach/classes/{world.class_a_id}/assign",
                           data={"course_id": course().id, "modules": ["portal-quiz"], "opens_on": "2024-01-01"})
    assert response.status_code == 302 and _count() == 1
    listing = text_of(client.get("/teach/"))
    assert "Lớp Hoa Cúc" in listing and "Sổ điểm" in listing


def test_bad_dates_and_course_are_refused_with_a_message(client, world):
    import_fixture_course()
    login(client, world.usernames["own_teacher"])
    url = f"/teach/classes/{world.class_a_id}/assign"
    late = client.post(url, data={"course_id": course().id, "opens_on": "2024-05-01", "due_on": "2024-04-01"})
    assert late.status_code == 400 and "Hạn nộp phải là một ngày hợp lệ sau ngày mở." in text_of(late)
    nonsense = client.post(url, data={"course_id": course().id, "opens_on": "tomorrow"})
    assert nonsense.status_code == 400 and "Hãy chọn ngày mở hợp lệ." in text_of(nonsense)
    missing = client.post(url, data={"course_id": "999", "opens_on": "2024-05-01"})
    assert missing.status_code == 400 and "Hãy chọn một khoá học." in text_of(missing)
    unknown_module = client.post(url, data={"course_id": course().id, "opens_on": "2024-05-01", "modules": ["nope"]})
    assert unknown_module.status_code == 400 and "Học phần không tồn tại" in text_of(unknown_module)
    assert _count() == 0


def test_status_overdue_and_completed(client, world):
    import_fixture_course()
    assign(world.class_a_id, module_keys=["portal"], opens_in=-timedelta(days=10), due_in=-timedelta(days=1))
    login(client, world.student_username)
    listing = text_of(client.get("/learn/"))
    assert "Quá hạn" in listing
    from lms.extensions import db
    from lms.teach.models import Assignment

    assignment_id = db.session.scalar(select(Assignment.id))
    module = module_ids()["portal"]
    client.get(f"/learn/assignments/{assignment_id}/modules/{module}")
    client.post(f"/learn/assignments/{assignment_id}/modules/{module}", data={"action": "done"})
    listing = text_of(client.get("/learn/"))
    assert "Hoàn thành" in listing and "100%" in listing and "Quá hạn" not in listing


def test_gradebook_lists_every_student_with_scores(client, world):
    from tests.learn.helpers import RIGHT_ANSWERS, form_data

    import_fixture_course()
    assignment = assign(world.class_a_id)
    ids = module_ids()
    login(client, world.student_username)
    base = f"/learn/assignments/{assignment.id}/modules/"
    client.get(base + str(ids["portal"]))
    client.post(base + str(ids["portal"]), data={"action": "done"})
    client.get(base + str(ids["portal-quiz"]))
    client.post(base + str(ids["portal-quiz"]), data=form_data(RIGHT_ANSWERS))
    client.post("/logout")
    login(client, world.usernames["own_teacher"])
    page = text_of(client.get(f"/teach/assignments/{assignment.id}"))
    assert world.student_name in page and "100%" in page and "1 lần làm bài" in page
    export = client.get(f"/teach/assignments/{assignment.id}/gradebook.csv")
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["username", "full_name", "status", "progress_percent", "portal:status",
                       "portal:best_score_percent", "portal:attempts", "portal-quiz:status",
                       "portal-quiz:best_score_percent", "portal-quiz:attempts"]
    assert rows[1] == [world.student_username, world.student_name, "completed", "100", "completed", "", "0",
                       "completed", "100", "1"]


def test_csv_neutralises_formulas(db, world):
    from lms.accounts.models import User
    from lms.teach.services import gradebook, gradebook_csv

    import_fixture_course()
    assignment = assign(world.class_a_id)
    db.session.get(User, world.user_ids["student"]).full_name = "=HYPERLINK(\"x\")"
    db.session.commit()
    assert "'=HYPERLINK" in gradebook_csv(gradebook(assignment), "vi")


def test_demo_assignment(db, world):
    from lms.accounts.models import SchoolClass, User
    from lms.teach.demo import build_demo_assignment

    school_class = db.session.get(SchoolClass, world.class_a_id)
    teacher = db.session.get(User, world.user_ids["own_teacher"])
    assert "No course is installed" in build_demo_assignment(school_class, teacher)
    import_fixture_course()
    assert build_demo_assignment(school_class, teacher).startswith("Assigned the course civic-basics")
    assert _count() == 1
