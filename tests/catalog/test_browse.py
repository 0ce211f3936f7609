"""The catalogue as teachers browse it (issue 7): filter by target group, a course's page, assigning from it."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.catalog.packages import bundled_courses_root
from tests.accounts.factories import login
from tests.learn.helpers import course, import_fixture_course, text_of

BUNDLED = bundled_courses_root()


def _import(*slugs: str) -> None:
    from lms.catalog.services import import_course_directory

    for slug in slugs:
        report = import_course_directory(BUNDLED / slug)
        assert report.ok, str(report)


def _cards(body: str) -> str:
    """The part of the list page that holds the course cards (the filter links name every group)."""
    return body[body.index('class="cards"'):]


def test_teacher_filters_the_catalogue_by_target_group(client, world):
    """Issue 7: a teacher filters the catalogue by target group with plain links (no JavaScript)."""
    import_fixture_course()
    _import("ubuntu-basics", "documents-online-officials")
    login(client, world.usernames["own_teacher"])
    everything = client.get("/catalog/")
    body = text_of(everything)
    assert everything.status_code == 200 and "<script" not in body
    for title in ("Kiến thức công dân số cơ bản", "Máy tính và Ubuntu cơ bản", "Quản lý văn bản điện tử"):
        assert title in _cards(body)
    assert 'href="/catalog/?group=village-heads"' in body and "Trưởng thôn, tổ trưởng dân phố (1)" in body
    assert "Học sinh (2)" in body and "Công chức, viên chức (1)" in body and "Tất cả (3)" in body

    pupils = text_of(client.get("/catalog/?group=pupils"))
    assert "Máy tính và Ubuntu cơ bản" in _cards(pupils) and "Kiến thức công dân số cơ bản" in _cards(pupils)
    assert "Quản lý văn bản điện tử" not in _cards(pupils)
    assert 'aria-current="page">Học sinh (2)' in pupils

    servants = text_of(client.get("/catalog/?group=civil-servants&lang=en"))
    assert "Managing documents online (for officials)" in _cards(servants)
    assert "Computer and Ubuntu basics" not in _cards(servants)
    assert "Civil servants (1)" in servants and "Course catalogue" in servants

    youth = text_of(client.get("/catalog/?group=youth&lang=vi"))
    assert "Chưa có khoá học nào dành cho đối tượng này." in youth and "Thanh niên (0)" in youth


def test_unknown_group_is_a_readable_error(client, world):
    import_fixture_course()
    login(client, world.usernames["manager"])
    response = client.get("/catalog/?group=astronauts")
    body = text_of(response)
    assert response.status_code == 400 and "Không có đối tượng “astronauts”" in body
    assert "Kiến thức công dân số cơ bản" in _cards(body)


def test_course_page_shows_everything_before_assigning(client, world):
    """Issue 7: summary, objectives, estimated time, groups, DigComp 2.2 competences and modules
    (title, type, minutes, practice tasks marked), in the interface language."""
    _import("ubuntu-basics")
    login(client, world.usernames["own_teacher"])
    response = client.get("/catalog/courses/ubuntu-basics")
    body = text_of(response)
    assert response.status_code == 200 and "<script" not in body
    assert "Làm quen với máy tính chạy Ubuntu" in body  # summary
    assert "Đăng nhập, mở ứng dụng, làm việc với cửa sổ" in body  # an objective
    assert "2 giờ 30 phút" in body  # estimated_minutes = 150
    assert "Học sinh" in body and "Trưởng thôn, tổ trưởng dân phố" in body and "Công chức, viên chức" not in body
    assert "<strong>1.3</strong> Quản lý dữ liệu, thông tin và nội dung số" in body
    assert "<strong>4.1</strong> Bảo vệ thiết bị" in body and "An toàn" in body
    from lms.catalog.models import Course
    from lms.extensions import db
    from sqlalchemy import select

    ubuntu = db.session.scalar(select(Course).where(Course.slug == "ubuntu-basics"))
    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    assert len(rows) == len(ubuntu.active_modules)
    for row, module in zip(rows, ubuntu.active_modules):
        assert module.title["vi"] in row
        assert ("Thực hành" in row) is bool(module.settings.get("practice")), module.key
        assert ("Bài kiểm tra" if module.type == "quiz" else "Trang bài học") in row
        if module.estimated_minutes:
            assert f"{module.estimated_minutes} phút" in row
    assert any(m.settings.get("practice") for m in ubuntu.active_modules)

    english = text_of(client.get("/catalog/courses/ubuntu-basics?lang=en"))
    assert "Computer and Ubuntu basics" in english and "2 h 30 min" in english and "Learning objectives" in english
    assert "Protecting devices" in english and "Practice task" in english and "Pupils" in english
    assert "Assign to a class" in english


def test_assign_action_leads_to_the_assign_form_with_the_course_chosen(client, world):
    """Issue 7: "Assign to a class" opens the existing assign form with the course pre-selected."""
    import_fixture_course()
    login(client, world.usernames["own_teacher"])
    page = text_of(client.get("/catalog/courses/civic-basics"))
    assert f'<option value="{world.class_a_id}">{world.class_a_name}</option>' in page
    assert f'value="{world.class_b_id}"' not in page  # not this teacher's class
    response = client.get(f"/catalog/courses/civic-basics/assign?class_id={world.class_a_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/teach/classes/{world.class_a_id}/assign?course_id={course().id}")
    form = text_of(client.get(response.headers["Location"]))
    assert 'name="course_id" value="%d"' % course().id in form

    missing = client.get("/catalog/courses/civic-basics/assign")
    assert missing.status_code == 302 and missing.headers["Location"].endswith("/catalog/courses/civic-basics#assign")
    assert "Hãy chọn một lớp." in text_of(client.get("/catalog/courses/civic-basics"))
    assert client.get("/catalog/courses/civic-basics/assign?class_id=abc").status_code == 302
    assert client.get(f"/catalog/courses/civic-basics/assign?class_id={world.class_b_id}").status_code == 403
    assert client.get("/catalog/courses/no-such-course").status_code == 404
    assert client.get(f"/catalog/courses/no-such-course/assign?class_id={world.class_a_id}").status_code == 404


def test_teacher_without_a_class_is_told_how_to_get_one(client, world):
    from lms.accounts import services

    import_fixture_course()
    services.create_user("giaovienmoi", "correct-horse-7", "teacher", full_name="Giáo Viên Mới",
                         must_change_password=False)
    from lms.extensions import db

    db.session.commit()
    login(client, "giaovienmoi")
    page = text_of(client.get("/catalog/courses/civic-basics"))
    assert "Bạn chưa có lớp nào để giao khoá học này." in page and 'href="/classes/new"' in page


def test_editor_functions_stay_reachable(client, world):
    import_fixture_course()
    login(client, world.usernames["own_teacher"])
    listing = text_of(client.get("/catalog/"))
    assert 'href="/catalog/manage"' in listing
    manage = text_of(client.get("/catalog/manage"))
    assert "Quản lý khoá học" in manage and 'href="/catalog/new"' in manage
    assert f'href="/catalog/{course().id}/export.zip"' in manage and 'href="/catalog/courses/civic-basics"' in manage
    created = client.post("/catalog/new", data={"slug": "my-course", "title_vi": "Khoá của tôi", "title_en": "Mine",
                                                "summary_vi": "Tóm tắt", "summary_en": "Summary"})
    assert created.status_code == 302
    page = text_of(client.get("/catalog/courses/my-course"))  # an editor course: no groups, no modules yet
    assert "Khoá học này chưa có học phần nào." in page and ">Sửa</a>" in page


def test_every_catalogue_message_has_a_vietnamese_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "lms" / "catalog"
    with (folder / "translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id for m in read_po(handle, locale="vi") if m.id and m.string and not m.fuzzy}
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    found = {message if isinstance(message, str) else message[0] for _f, _l, message, _c, _x in extract_from_dir(
        str(folder), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")], keywords=keywords)}
    assert sorted(found - translated - {""}) == []


@pytest.mark.parametrize("code", ["1.1", "2.3", "3.4", "4.4", "5.4"])
def test_digcomp_names_cover_the_framework(app, code):
    from lms.catalog.labels import DIGCOMP_COMPETENCES, digcomp_area_label, digcomp_label

    assert len(DIGCOMP_COMPETENCES) == 21
    with app.test_request_context("/?lang=en"):
        assert digcomp_label(code) and digcomp_area_label(code)
        assert digcomp_label("9.9") == ""


def test_login_form_autofocus_is_rendered_only_when_true(client, world):
    """The shared form field macro: no autofocus="None"; the focus goes to the field to fill in."""
    first = client.get("/login").get_data(as_text=True)
    assert 'autofocus="None"' not in first and first.count("autofocus") == 1
    assert first.index("autofocus") < first.index('name="password"')
    retry = client.post("/login", data={"identifier": world.student_username, "password": "wrong"})
    body = retry.get_data(as_text=True)
    assert "autofocus=\"" not in body and body.count("autofocus") == 1
    assert body.index("autofocus") > body.index('name="identifier"')
