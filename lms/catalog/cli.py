"""`lms courses ...` (validate, import, list, export) and `lms activities list`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("courses", help="Course packages: validate, import, list, export.")
def courses_group() -> None:
    """Course package commands."""


def _found_or_exit(found: list, path: Path) -> list:
    """``found`` (one entry per package under ``path``); exit 1 with a message when there is none."""
    if not found:
        click.echo(f"no course.toml found in {path} or its sub-folders", err=True)
        sys.exit(1)
    return found


@courses_group.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def validate_command(path: Path) -> None:
    """Check a package (or a folder of packages) and print every problem with file and line."""
    from lms.catalog.services import validate_directory

    packages = _found_or_exit(validate_directory(path), path)
    bad = 0
    for package in packages:
        if package.valid:
            click.echo(f"{package.folder.name}: ok ({len(package.modules)} modules)")
            continue
        bad += 1
        for problem in package.problems:
            click.echo(f"{package.folder.name}/{problem}")
    if bad:
        click.echo(f"{bad} of {len(packages)} package(s) have problems", err=True)
        sys.exit(1)


@courses_group.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Import a package or every package in a folder; unchanged packages are left as they are."""
    from lms.catalog.services import import_all

    reports = _found_or_exit(import_all(path), path)
    for report in reports:
        click.echo(str(report))
    if not all(report.ok for report in reports):
        sys.exit(1)


@courses_group.command("list")
@with_appcontext
def list_command() -> None:
    """The courses in the database."""
    from sqlalchemy import select

    from lms.catalog.models import Course
    from lms.extensions import db

    for course in db.session.scalars(select(Course).order_by(Course.slug)):
        click.echo(f"{course.slug}  {course.version}  {len(course.active_modules)} modules  {course.text('title', 'en')}")


@courses_group.command("export")
@click.argument("slug")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(slug: str, target: Path) -> None:
    """Write the course SLUG as a package folder TARGET/SLUG that `lms courses import` accepts."""
    from lms.catalog.export import export_course_by_slug

    try:
        folder = export_course_by_slug(slug, target)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported to {folder}")


@click.group("activities", help="Activity plugins.")
def activities_group() -> None:
    """Activity plugin commands."""


@activities_group.command("list")
@with_appcontext
def list_activities() -> None:
    """The loaded activity plugins: name, version, xAPI activity type and title."""
    from lms.activities.registry import activities

    for name, plugin in sorted(activities().items()):
        click.echo(f"{name}  {plugin.version}  {plugin.xapi_activity_type}  {plugin.title['en']} / {plugin.title['vi']}")


commands = [courses_group, activities_group]
