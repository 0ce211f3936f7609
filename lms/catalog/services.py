"""Importing course packages into the database: idempotent, versioned, all-or-nothing.

Re-importing an unchanged package changes nothing. A newer version updates the course in
place: modules are matched by their stable id, so learners keep their progress on every module
that still exists; modules the new version dropped are retired (hidden, history kept). An older
version than the one installed is refused.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from lms.activities.base import ActivityType, Problem
from lms.activities.registry import activities
from lms.catalog.models import Course, CourseAsset, CourseModule, utcnow
from lms.catalog.packages import Package, find_packages, package_hash, parse_version, read_package
from lms.extensions import db


@dataclass
class ImportReport:
    """What importing one package did: status is created, updated, unchanged, refused or invalid."""

    folder: str
    status: str
    slug: str = ""
    version: str = ""
    message: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("created", "updated", "unchanged")

    def __str__(self) -> str:
        name = self.slug or self.folder
        line = f"course {name} {self.version}: {self.status}".rstrip()
        if self.message:
            line += f" ({self.message})"
        return "\n".join([line, *(f"  {p}" for p in self.problems)])


def validate_directory(path: Path, registry: dict[str, ActivityType] | None = None) -> list[Package]:
    """Read and validate every package at ``path`` (one package or a folder of packages)."""
    registry = activities() if registry is None else registry
    return [read_package(folder, registry) for folder in find_packages(path)]


def import_all(root: Path) -> list[ImportReport]:
    """Import every package under ``root``; each package is its own transaction."""
    return [import_course_directory(folder) for folder in find_packages(root)]


def import_course_directory(path: Path) -> ImportReport:
    """Validate and import the package in ``path``; nothing is written when it has a problem."""
    path = Path(path)
    registry = activities()
    package = read_package(path, registry)
    if not package.valid:
        return ImportReport(path.name, "invalid", package.manifest.get("slug") or "",
                            str(package.manifest.get("version") or ""), problems=package.problems)
    manifest = package.manifest
    digest = package_hash(path)
    course = db.session.scalar(select(Course).where(Course.iri == manifest["iri"]))
    report = _check_against_installed(path, course, manifest, digest)
    if report is not None:
        return report
    try:
        created = course is None
        course = course or Course(iri=manifest["iri"], source="package")
        if created:
            db.session.add(course)
        _apply_manifest(course, manifest, digest)
        _apply_modules(course, package, registry)
        _apply_media(course, package)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportReport(path.name, "created" if created else "updated", manifest["slug"], manifest["version"])


def _check_against_installed(path: Path, course: Course | None, manifest: dict, digest: str) -> ImportReport | None:
    """A report when the package must not be imported (same content, older version, slug taken)."""
    slug, version = manifest["slug"], manifest["version"]
    clash = db.session.scalar(select(Course).where(Course.slug == slug, Course.iri != manifest["iri"]))
    if clash is not None:
        return ImportReport(path.name, "refused", slug, version,
                            f"slug {slug!r} already belongs to the course {clash.iri}")
    if course is None:
        return None
    if course.content_hash == digest:
        return ImportReport(path.name, "unchanged", slug, version)
    if parse_version(version) < parse_version(course.version):
        return ImportReport(path.name, "refused", slug, version,
                            f"version {course.version} is installed; a package may not go back")
    return None


def _apply_manifest(course: Course, manifest: dict, digest: str) -> None:
    for key in ("slug", "version", "title", "summary", "objectives", "estimated_minutes", "target_groups",
                "digcomp", "vn_skills", "tags"):
        setattr(course, key, manifest[key])
    course.content_hash = digest
    course.updated_at = utcnow()


def _apply_modules(course: Course, package: Package, registry: dict[str, ActivityType]) -> None:
    existing = {m.key: m for m in course.modules}
    wanted = set()
    for data in package.modules:
        module = existing.get(data["key"])
        if module is None:
            module = CourseModule(key=data["key"])
            course.modules.append(module)
        wanted.add(data["key"])
        for key in ("position", "type", "title", "estimated_minutes", "requires_previous", "settings"):
            setattr(module, key, data[key])
        module.content = registry[data["type"]].load_content(package.folder, data["settings"])
        module.retired = False
    for key, module in existing.items():
        if key not in wanted:
            module.retired = True
            module.position = 10_000 + module.position


def _apply_media(course: Course, package: Package) -> None:
    assets = {a.path: a for a in db.session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id))} \
        if course.id else {}
    for relative, content_type in package.media.items():
        data = (package.folder / relative).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        asset = assets.pop(relative, None)
        if asset is None:
            db.session.add(CourseAsset(course=course, path=relative, content_type=content_type,
                                       sha256=digest, data=data))
        elif asset.sha256 != digest:
            asset.data, asset.sha256, asset.content_type = data, digest, content_type
    for asset in assets.values():
        db.session.delete(asset)
