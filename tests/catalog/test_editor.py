"""The course editor in the web interface: create a course, a page and a quiz, edit, export, import."""
from __future__ import annotations

import io
import zipfile

from tests.accounts.factories import login
from tests.learn.helpers import COURSE_DIR as FIXTURE
from tests.learn.helpers import text_of


def _new_course(client) -> int:
    response = client.post("/catalog/new", data={"slug": "my-course", "title_vi": "Khoá của tôi", "title_en": "My course",
                                                 "summary_vi": "Tóm tắt", "summary_en": "Summary"})
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_teacher_writes_a_course_and_exports_it(client, world, runner, tmp_path):
    login(client, world.usernames["own_teacher"])
    course_id = _new_course(client)
    form = client.get(f"/catalog/{course_id}/modules/new/page")
    assert 'name="file:module-1.vi.md"' in form.get_data(as_text=True)
    saved = client.post(f"/catalog/{course_id}/modules/new/page", data={
        "key": "intro", "title_vi": "Giới thiệu", "title_en": "Introduction",
        "settings": 'content = "intro"\npractice = false\n',
        "file:intro.vi.md": "# Xin chào\n\nBài học đầu tiên.", "file:intro.en.md": "# Hello\n\nThe first lesson."})
    assert saved.status_code == 302, text_of(saved)
    questions = (FIXTURE / "portal-quiz.toml").read_text(encoding="utf-8")
    saved = client.post(f"/catalog/{course_id}/modules/new/quiz", data={
        "key": "check", "title_vi": "Kiểm tra", "title_en": "Check", "requires_previous": "1",
        "settings": 'questions = "check.toml"\npass_mark = 0.8\n', "file:check.toml": questions})
    assert saved.status_code == 302, text_of(saved)
    page = text_of(client.get(f"/catalog/{course_id}"))
    assert "Giới thiệu" in page and "Kiểm tra" in page and "1.0.2" in page

    export = client.get(f"/catalog/{course_id}/export.zip")
    assert export.status_code == 200 and export.mimetype == "application/zip"
    zipfile.ZipFile(io.BytesIO(export.data)).extractall(tmp_path)
    from lms.cli import cli

    validated = runner.invoke(cli, ["courses", "validate", str(tmp_path / "my-course")])
    assert validated.exit_code == 0 and "my-course: ok (2 modules)" in validated.output, validated.output
    imported = runner.invoke(cli, ["courses", "import", str(tmp_path / "my-course")])
    assert "course my-course 1.0.2: updated" in imported.output


def test_bad_module_is_refused_with_the_plugin_problems(client, world):
    login(client, world.usernames["own_teacher"])
    course_id = _new_course(client)
    response = client.post(f"/catalog/{course_id}/modules/new/quiz", data={
        "key": "Bad Key", "title_vi": "Kiểm tra", "title_en": "",
        "settings": 'questions = "check.toml"\npass_mark = 3\n', "file:check.toml": "[[questions]]\nid = 1\n"})
    body = text_of(response)
    assert response.status_code == 400 and "Vui lòng sửa các lỗi sau:" in body
    assert "id: lowercase letters" in body and "title: both" in body and "pass_mark" in body
    response = client.post(f"/catalog/{course_id}/modules/new/quiz", data={
        "key": "check", "title_vi": "Kiểm tra", "title_en": "Check",
        "settings": 'questions = "check.toml"\n', "file:check.toml": "[[questions]]\nid = 1\n"})
    assert response.status_code == 400 and "check.toml:2: questions[0].id" in text_of(response)
    from lms.catalog.models import CourseModule
    from lms.extensions import db

    assert db.session.query(CourseModule).count() == 0


def test_only_the_author_and_admins_edit_and_packages_are_read_only(client, world, runner):
    from lms.cli import cli

    login(client, world.usernames["own_teacher"])
    course_id = _new_course(client)
    client.post("/logout")
    login(client, world.usernames["other_teacher"])
    assert client.get(f"/catalog/{course_id}").status_code == 403
    assert client.get(f"/catalog/{course_id}/export.zip").status_code == 200
    client.post("/logout")
    login(client, world.usernames["admin"])
    assert client.get(f"/catalog/{course_id}").status_code == 200
    runner.invoke(cli, ["courses", "import", str(FIXTURE)])
    from tests.learn.helpers import course

    assert client.get(f"/catalog/{course().id}").status_code == 403  # imported packages change as files
    client.post("/logout")
    login(client, world.student_username)
    assert client.get("/catalog/").status_code == 403
