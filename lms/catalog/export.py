"""Writing a course from the database back to a package folder (the format `lms courses import` reads)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lms.activities.registry import get_activity
from lms.activities.tomlwrite import dumps
from lms.catalog.models import Course, CourseAsset
from lms.extensions import db


def manifest_toml(course: Course) -> str:
    """The course.toml text of ``course`` (active modules only)."""
    data = {
        "id": course.iri, "slug": course.slug, "version": course.version,
        "estimated_minutes": course.estimated_minutes, "target_groups": course.target_groups or [],
        "digcomp": course.digcomp or [], "vn_skills": course.vn_skills or [], "tags": course.tags or [],
        "title": course.title, "summary": course.summary, "objectives": course.objectives or [],
        "modules": [
            {"id": m.key, "type": m.type, "title": m.title, "estimated_minutes": m.estimated_minutes,
             "requires_previous": m.requires_previous, "settings": m.settings or {}}
            for m in course.active_modules
        ],
    }
    if not data["objectives"]:
        del data["objectives"]
    return dumps(data)


def package_files(course: Course) -> dict[str, bytes]:
    """Every file of the package: course.toml, each module's files, media."""
    files = {"course.toml": manifest_toml(course).encode("utf-8")}
    for module in course.active_modules:
        files.update(get_activity(module.type).export_files(module.settings or {}, module.content or {}))
    for asset in db.session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id)):
        files[asset.path] = asset.data
    return files


def export_course(course: Course, target: Path) -> Path:
    """Write the package into ``target/<slug>`` and return that folder."""
    folder = Path(target) / course.slug
    for relative, data in package_files(course).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def export_course_by_slug(slug: str, target: Path) -> Path:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise LookupError(f"no course with slug {slug!r}")
    return export_course(course, target)
