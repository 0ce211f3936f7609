"""The documentation covers what operators need: every LMS_* setting is documented."""
from __future__ import annotations

from lms.config import SETTINGS


def test_every_setting_is_documented(project_root):
    text = (project_root / "docs" / "content" / "configuration.md").read_text(encoding="utf-8")
    missing = [f"LMS_{key}" for key in SETTINGS if f"`LMS_{key}`" not in text]
    assert missing == []


def test_readme_has_exactly_two_setup_commands(project_root):
    text = (project_root / "README.md").read_text(encoding="utf-8")
    assert text.count("```sh") == 2
    assert "lms demo" in text and "pytest" in text


def test_ci_runs_the_readme_test_command(project_root):
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    ci = (project_root / ".ci" / "run").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0].strip() for part in readme.split("```sh")[1:]]
    test_command = blocks[1]
    assert f'TEST_COMMAND="{test_command}"' in ci
