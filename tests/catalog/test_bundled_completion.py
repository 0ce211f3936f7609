"""Every module of every bundled course can be completed by a student through HTTP (issue 7).

For each course in courses/: import it, a teacher assigns the whole course to a class through the
assign form, then a student opens every module in order, confirms each page and submits each quiz
with the right answers. The answers are derived from the quiz definition stored by the import; the
form fields come from the quiz form the plugin renders (fields named ``q-<question>`` and
``q-<question>-<pair or item>``), so the test checks that the form offers every value the grader
expects. Nothing is written per course. Runs in Vietnamese (the default) and in English, so the
accepted short answers and the number formats of both languages are exercised.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from lms.catalog.packages import bundled_courses_root, find_packages
from tests.accounts.factories import login
from tests.learn.helpers import text_of

PACKAGES = find_packages(bundled_courses_root())


class QuizForm(HTMLParser):
    """The answer fields of the rendered quiz form: name -> kind and the values it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict] = {}
        self._select: str | None = None
        self._in_quiz = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and "quiz" in (a.get("class") or "").split():
            self._in_quiz = True
        if not self._in_quiz:
            return
        if tag == "input" and a.get("type") not in ("hidden", "submit") and a.get("name"):
            field = self.fields.setdefault(a["name"], {"kind": a.get("type", "text"), "options": []})
            if a.get("value") is not None:
                field["options"].append(a["value"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields[a["name"]] = {"kind": "select", "options": []}
        elif tag == "option" and self._select and a.get("value"):
            self.fields[self._select]["options"].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_quiz = False


def typed_number(value: float, locale: str) -> str:
    """The number as a learner of ``locale`` writes it: vi 2.400.000 and 3,5; en 2,400,000 and 3.5."""
    group, decimal = (".", ",") if locale == "vi" else (",", ".")
    whole, _dot, fraction = f"{abs(value):.6f}".rstrip("0").rstrip(".").partition(".")
    text = f"{int(whole):,}".replace(",", group) + (decimal + fraction if fraction else "")
    return ("-" if value < 0 else "") + text


def right_answers(questions: list[dict], fields: dict[str, dict], locale: str) -> dict[str, list[str]]:
    """The correct form data for every question, each value checked against what the form offers."""
    data: dict[str, list[str]] = {}

    def put(name: str, values: list[str], kinds: tuple[str, ...]) -> None:
        assert name in fields, f"the form has no field {name}"
        assert fields[name]["kind"] in kinds, (name, fields[name]["kind"])
        if fields[name]["kind"] in ("radio", "checkbox", "select"):
            assert set(values) <= set(fields[name]["options"]), (name, values, fields[name]["options"])
        data[name] = values

    for q in questions:
        name = f"q-{q['id']}"
        kind = q["type"]
        if kind == "single":
            put(name, [c["id"] for c in q["choices"] if c["correct"]], ("radio",))
        elif kind == "multiple":
            put(name, [c["id"] for c in q["choices"] if c["correct"]], ("checkbox",))
        elif kind == "truefalse":
            put(name, ["true" if q["answer"] else "false"], ("radio",))
        elif kind == "short":
            put(name, [q["answers"][locale][0]], ("text",))
        elif kind == "numeric":
            put(name, [typed_number(q["answer"], locale)], ("text",))
        elif kind == "matching":  # each source's select offers the targets, valued by their pair id
            for pair in q["pairs"]:
                put(f"{name}-{pair['id']}", [pair["id"]], ("select",))
        elif kind == "ordering":  # items are listed in the right order; each gets its position
            for position, item in enumerate(q["items"], start=1):
                put(f"{name}-{item['id']}", [str(position)], ("select",))
        else:
            raise AssertionError(f"no right answer known for a {kind} question")
    assert set(data) == set(fields), f"unanswered fields: {set(fields) - set(data)}"
    return data


def _assign_whole_course(client, world, course_id: int) -> int:
    from sqlalchemy import select

    from lms.extensions import db
    from lms.teach.models import Assignment

    assert login(client, world.usernames["own_teacher"]).status_code == 302
    response = client.post(f"/teach/classes/{world.class_a_id}/assign",
                           data={"course_id": str(course_id), "opens_on": "2020-01-01", "due_on": "2099-12-31"})
    assert response.status_code == 302, text_of(response)
    client.post("/logout")
    return db.session.scalar(select(Assignment.id).where(Assignment.course_id == course_id))


def _walk_module(client, url: str, module, locale: str) -> None:
    opened = client.get(url)
    assert opened.status_code == 200, f"{module.key}: {opened.status_code} {opened.headers.get('Location')}"
    if module.type == "page":
        assert client.post(url, data={"action": "done"}).status_code == 302
        return
    parser = QuizForm()
    parser.feed(opened.get_data(as_text=True))
    data = right_answers(module.content["questions"], parser.fields, locale)
    submitted = client.post(url, data={"action": "submit", **data})
    assert submitted.status_code == 302, text_of(submitted)
    review = text_of(client.get(url))
    assert 'class="quiz-result passed"' in review, f"{module.key} not passed:\n{review[review.find('<main'):]}"
    assert 'class="wrong"' not in review, f"{module.key}: a question was graded wrong"
    assert client.post(url, data={"action": "leave"}).status_code == 302


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("folder", PACKAGES, ids=[p.name for p in PACKAGES])
def test_every_module_of_the_course_can_be_completed(client, world, folder, locale):
    """Issue 7: every module of every bundled course can be completed, and then the course is completed."""
    from sqlalchemy import select

    from lms.catalog.models import Course
    from lms.catalog.services import import_course_directory
    from lms.extensions import db
    from lms.learn.models import Enrolment, ModuleProgress

    report = import_course_directory(folder)
    assert report.ok, str(report)
    course = db.session.scalar(select(Course).where(Course.slug == folder.name))
    modules = list(course.active_modules)
    known = {"page", "quiz"}
    assert {m.type for m in modules} <= known, "a new activity type needs its way through this test"
    assignment_id = _assign_whole_course(client, world, course.id)

    assert login(client, world.student_username).status_code == 302
    client.get(f"/learn/?lang={locale}")
    for module in modules:
        _walk_module(client, f"/learn/assignments/{assignment_id}/modules/{module.id}", module, locale)

    overview = text_of(client.get(f"/learn/assignments/{assignment_id}?lang=vi"))
    assert f"Đã hoàn thành {len(modules)} trên {len(modules)} học phần" in overview
    db.session.expire_all()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                          Enrolment.user_id == world.user_ids["student"]))
    statuses = {row.module_id: row.status for row in
                db.session.scalars(select(ModuleProgress).where(ModuleProgress.enrolment_id == enrolment.id))}
    assert statuses == {m.id: "completed" for m in modules}
    assert enrolment.completed_at is not None


def test_a_wrong_answer_makes_the_walk_fail(client, world):
    """The check above can fail: one wrong answer in a quiz leaves it not passed (a failed review)."""
    from sqlalchemy import select

    from lms.catalog.models import Course
    from lms.catalog.services import import_course_directory
    from lms.extensions import db

    folder = PACKAGES[0]
    assert import_course_directory(folder).ok
    course = db.session.scalar(select(Course).where(Course.slug == folder.name))
    quiz = next(m for m in course.active_modules if m.type == "quiz")
    assignment_id = _assign_whole_course(client, world, course.id)
    login(client, world.student_username)
    for module in course.active_modules:
        if module.id == quiz.id:
            break
        _walk_module(client, f"/learn/assignments/{assignment_id}/modules/{module.id}", module, "vi")
    url = f"/learn/assignments/{assignment_id}/modules/{quiz.id}"
    parser = QuizForm()
    parser.feed(client.get(url).get_data(as_text=True))
    data = right_answers(quiz.content["questions"], parser.fields, "vi")
    wrong = {name: [] for name in data}  # nothing answered but one field: below any pass mark
    first = next(iter(data))
    wrong[first] = data[first]
    client.post(url, data={"action": "submit", **wrong})
    review = text_of(client.get(url))
    assert 'class="quiz-result failed"' in review and 'class="wrong"' in review
