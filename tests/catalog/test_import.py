"""Importing packages: idempotent, versioned (progress kept on modules that remain), all-or-nothing."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.catalog.models import Course, CourseAsset, CourseModule


def _import(runner, path: Path):
    from lms.cli import cli

    return runner.invoke(cli, ["courses", "import", str(path)])


def _set_version(package: Path, version: str) -> None:
    manifest = package / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('version = "1.0.0"', f'version = "{version}"'),
                        encoding="utf-8")


def test_import_creates_then_is_idempotent(runner, db, package):
    first = _import(runner, package)
    assert first.exit_code == 0 and first.output.strip() == "course civic-basics 1.0.0: created"
    again = _import(runner, package)
    assert again.output.strip() == "course civic-basics 1.0.0: unchanged"
    course = db.session.scalar(select(Course))
    assert [m.key for m in course.modules] == ["portal", "portal-quiz"]
    assert course.modules[1].content["questions"][0]["id"] == "q-single"
    assert db.session.scalar(select(func.count()).select_from(CourseAsset)) == 2
    assert course.modules[0].iri == "https://congdanso.edu.vn/xapi/courses/civic-basics/modules/portal"


def test_new_version_keeps_progress_on_remaining_modules(runner, db, package, world):
    from lms.extensions import db as _db
    from lms.learn.models import Enrolment, ModuleProgress

    _import(runner, package)
    course = _db.session.scalar(select(Course))
    page_id = course.modules[0].id
    enrolment = Enrolment(user_id=world.user_ids["student"], course_id=course.id)
    _db.session.add(enrolment)
    _db.session.flush()
    _db.session.add(ModuleProgress(enrolment_id=enrolment.id, module_id=page_id, status="completed",
                                   acknowledged=True))
    _db.session.commit()

    # Version 1.1.0 drops the quiz, renames the page and adds a new page.
    manifest = package / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text[: text.index('[[modules]]\nid = "portal-quiz"')].replace('version = "1.0.0"', 'version = "1.1.0"')
    text = text.replace('title = { vi = "Cổng dịch vụ công", en = "The public service portal" }',
                        'title = { vi = "Cổng DVC", en = "The portal" }')
    text += '\n[[modules]]\nid = "extra"\ntype = "page"\ntitle = { vi = "Thêm", en = "Extra" }\n' \
            '[modules.settings]\ncontent = "portal"\n'
    manifest.write_text(text, encoding="utf-8")
    result = _import(runner, package)
    assert result.output.strip() == "course civic-basics 1.1.0: updated", result.output

    _db.session.expire_all()
    course = _db.session.scalar(select(Course))
    assert course.version == "1.1.0"
    assert [m.key for m in course.active_modules] == ["portal", "extra"]
    assert course.active_modules[0].id == page_id and course.active_modules[0].title["en"] == "The portal"
    retired = _db.session.scalar(select(CourseModule).where(CourseModule.key == "portal-quiz"))
    assert retired.retired is True
    progress = _db.session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == page_id))
    assert progress.status == "completed"


def test_older_version_is_refused(runner, db, package):
    _set_version(package, "2.0.0")
    _import(runner, package)
    _set_version(package, "1.0.0")  # 2.0.0 -> 1.0.0 in the file
    (package / "course.toml").write_text((package / "course.toml").read_text(encoding="utf-8")
                                         .replace('version = "2.0.0"', 'version = "1.5.0"'), encoding="utf-8")
    result = _import(runner, package)
    assert result.exit_code == 1
    assert "course civic-basics 1.5.0: refused (version 2.0.0 is installed; a package may not go back)" in result.output


def test_invalid_package_writes_nothing(runner, db, package):
    (package / "portal-quiz.toml").write_text("[[questions]]\nid = 1\n", encoding="utf-8")
    result = _import(runner, package)
    assert result.exit_code == 1 and "invalid" in result.output and "portal-quiz.toml:2" in result.output
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_slug_taken_by_another_course_is_refused(runner, db, package, tmp_path):
    _import(runner, package)
    manifest = package / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("courses/civic-basics", "courses/civic-other"),
                        encoding="utf-8")
    result = _import(runner, package)
    assert "refused (slug 'civic-basics' already belongs to the course" in result.output


def test_export_is_accepted_by_import(runner, db, package, tmp_path):
    """A course written back as a package validates and imports as unchanged content."""
    from lms.catalog.packages import read_package
    from lms.cli import cli
    from lms.activities.registry import activities

    _import(runner, package)
    target = tmp_path / "export"
    result = runner.invoke(cli, ["courses", "export", "civic-basics", str(target)])
    assert result.exit_code == 0, result.output
    exported = read_package(target / "civic-basics", activities())
    assert exported.problems == []
    original = read_package(package, activities())
    assert exported.manifest == original.manifest and exported.modules == original.modules
    assert (target / "civic-basics" / "media" / "portal.svg").read_bytes() == (package / "media" / "portal.svg").read_bytes()
