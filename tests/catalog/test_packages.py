"""Course packages: the validator reports every problem with file and line; `lms courses validate`."""
from __future__ import annotations

from pathlib import Path

from lms.catalog.packages import bundled_courses_root, find_packages
from tests.learn.helpers import COURSE_DIR as FIXTURE


def _validate(runner, path: Path):
    from lms.cli import cli

    return runner.invoke(cli, ["courses", "validate", str(path)])


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the file; returns the 1-based line of the change."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_fixture_package_is_valid(runner):
    result = _validate(runner, FIXTURE)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "civic-basics: ok (2 modules)"


def test_every_problem_is_reported_with_file_and_line(runner, package):
    manifest = package / "course.toml"
    version_line = _edit(manifest, 'version = "1.0.0"', 'version = "one"')
    title_line = _edit(manifest, 'title = { vi = "Cổng dịch vụ công", en = "The public service portal" }',
                       'title = { vi = "Cổng dịch vụ công" }')
    type_line = _edit(manifest, 'type = "quiz"', 'type = "essay"')
    groups_line = _edit(manifest, 'target_groups = ["pupils", "citizens"]', 'target_groups = ["pupils", "aliens"]')
    (package / "portal.en.md").unlink()
    result = _validate(runner, package)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"civic-basics/course.toml:{version_line}: version: version must look like 1.0.0" in lines
    assert f"civic-basics/course.toml:{title_line}: modules[0].title: missing or empty 'en' text" in lines
    assert any(line.startswith(f"civic-basics/course.toml:{type_line}: modules[1].type: type 'essay' is not an "
                               "installed activity") for line in lines)
    assert f"civic-basics/course.toml:{groups_line}: target_groups: 'aliens' is not one of pupils, youth, citizens, " \
           "village-heads, officials, civil-servants" in lines
    assert "civic-basics/portal.en.md: the en text of this page is missing" in lines


def test_settings_errors_point_at_the_settings_line(runner, package):
    line = _edit(package / "course.toml", "pass_mark = 0.7", "pass_mark = 1.5")
    result = _validate(runner, package)
    assert f"civic-basics/course.toml:{line}: modules[1].settings.pass_mark: pass_mark:" in result.output


def test_structure_rules(runner, package):
    manifest = package / "course.toml"
    _edit(manifest, 'slug = "civic-basics"', 'slug = "other-name"')
    _edit(manifest, 'id = "portal-quiz"', 'id = "portal"')
    _edit(manifest, "requires_previous = false", "requires_previous = true")
    (package / "media" / "notes.exe").write_bytes(b"MZ")
    output = _validate(runner, package).output
    assert "slug 'other-name' differs from the folder name 'civic-basics'" in output
    assert "duplicate module id 'portal'" in output
    assert "the first module has no previous module" in output
    assert "civic-basics/media/notes.exe: this kind of file is not allowed in media/" in output


def test_syntax_error_gives_the_line(runner, package):
    (package / "course.toml").write_text('id = "x"\nslug = \n', encoding="utf-8")
    result = _validate(runner, package)
    assert result.exit_code == 1 and "civic-basics/course.toml:2: TOML syntax error" in result.output


def test_folder_of_packages_and_missing_packages(runner, tmp_path, package):
    result = _validate(runner, tmp_path)
    assert result.exit_code == 0 and "civic-basics: ok" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _validate(runner, empty).exit_code == 1


def test_bundled_courses_root_is_the_courses_package():
    import courses

    assert bundled_courses_root() == Path(courses.__file__).parent
    assert all((p / "course.toml").is_file() for p in find_packages(bundled_courses_root()))
