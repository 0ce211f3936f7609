"""The course editor's work: courses and modules written in the web interface, checked by their plugins.

A module is edited as the files its plugin would read from a package (``export_files``), so the
editor needs no plugin-specific code: saving writes the files to a temporary folder and runs the
plugin's own ``validate_package`` and ``load_content``, exactly as an import would. Every save
raises the patch version, so an exported package imports as an update.
"""
from __future__ import annotations

import io
import re
import tempfile
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select

from lms.activities.registry import activities, get_activity
from lms.activities.tomlwrite import dumps
from lms.catalog.export import package_files
from lms.catalog.models import Course, CourseModule, utcnow
from lms.catalog.packages import parse_version
from lms.extensions import db

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class EditorError(ValueError):
    """The edit cannot be saved; ``problems`` are shown to the author."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def can_edit(user: object, course: Course) -> bool:
    """Courses written in the editor: their author and admins. Imported packages are edited as files."""
    if getattr(user, "role", None) not in ("admin", "manager", "teacher") or course.source != "editor":
        return False
    return user.role == "admin" or course.created_by_id == user.id


def _texts(vi: str, en: str, what: str, problems: list[str]) -> dict[str, str]:
    if not vi.strip() or not en.strip():
        problems.append(f"{what}: both the Vietnamese and the English text are needed")
    return {"vi": vi.strip(), "en": en.strip()}


def _bump(course: Course) -> None:
    major, minor, patch = parse_version(course.version)
    course.version = f"{major}.{minor}.{patch + 1}"
    course.content_hash = ""
    course.updated_at = utcnow()


def create_course(user: object, slug: str, title: dict[str, str], summary: dict[str, str]) -> Course:
    problems: list[str] = []
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        problems.append("slug: lowercase letters, digits and hyphens only")
    elif db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        problems.append("slug: another course already uses it")
    title = _texts(title.get("vi", ""), title.get("en", ""), "title", problems)
    summary = _texts(summary.get("vi", ""), summary.get("en", ""), "summary", problems)
    if problems:
        raise EditorError(problems)
    site = current_app.config["SITE_URL"].rstrip("/")
    course = Course(iri=f"{site}/xapi/courses/{slug}", slug=slug, version="1.0.0", title=title, summary=summary,
                    objectives=[], target_groups=[], digcomp=[], vn_skills=[], tags=[], estimated_minutes=0,
                    source="editor", content_hash="", created_by_id=user.id)
    db.session.add(course)
    db.session.commit()
    return course


def update_course(course: Course, title: dict[str, str], summary: dict[str, str]) -> None:
    problems: list[str] = []
    course.title = _texts(title.get("vi", ""), title.get("en", ""), "title", problems)
    course.summary = _texts(summary.get("vi", ""), summary.get("en", ""), "summary", problems)
    if problems:
        db.session.rollback()
        raise EditorError(problems)
    _bump(course)
    db.session.commit()


def module_files(module_type: str, settings: dict, content: dict) -> dict[str, str]:
    """The module's files as text, for the editor's text areas."""
    files = get_activity(module_type).export_files(settings, content)
    return {name: data.decode("utf-8") for name, data in files.items()}


def settings_text(settings: dict) -> str:
    return dumps(settings)


def _load_settings(module_type: str, text: str, problems: list[str]) -> dict | None:
    try:
        return get_activity(module_type).load_settings(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"settings: {exc}")
    except ValidationError as exc:
        problems.append(f"settings: {exc.messages}")
    return None


def _check_files(module_type: str, settings: dict, files: dict[str, str], problems: list[str]) -> dict | None:
    plugin = get_activity(module_type)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts:
                problems.append(f"{name}: not a file name inside the course")
                return None
            target = Path(folder) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
        found = plugin.validate_package(Path(folder), settings)
        if found:
            problems.extend(str(p) for p in found)
            return None
        return plugin.load_content(Path(folder), settings)


def save_module(course: Course, module: CourseModule | None, module_type: str, key: str, title: dict[str, str],
                requires_previous: bool, settings_source: str, files: dict[str, str]) -> CourseModule:
    """Create or change a module after its plugin accepted the settings and files; commits once."""
    problems: list[str] = []
    if module_type not in activities():
        raise EditorError([f"type: {module_type!r} is not an installed activity"])
    key = key.strip()
    if not _SLUG.match(key):
        problems.append("id: lowercase letters, digits and hyphens only")
    elif any(m.key == key and m is not module for m in course.modules):
        problems.append("id: another module of this course uses it")
    title = _texts(title.get("vi", ""), title.get("en", ""), "title", problems)
    settings = _load_settings(module_type, settings_source, problems)
    content = _check_files(module_type, settings, files, problems) if settings is not None else None
    if problems or content is None:
        raise EditorError(problems)
    if module is None:
        module = CourseModule(position=len(course.modules))
        course.modules.append(module)
    module.key, module.type, module.title, module.settings, module.content = key, module_type, title, settings, content
    module.requires_previous = requires_previous and module.position > 0
    module.retired = False
    _bump(course)
    db.session.commit()
    return module


def export_zip(course: Course) -> bytes:
    """The course as a zip of its package folder (``<slug>/course.toml`` ...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(package_files(course).items()):
            archive.writestr(f"{course.slug}/{name}", data)
    return buffer.getvalue()
