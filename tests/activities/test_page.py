"""The page plugin through the plugin contract: package check, content, sanitised rendering, completion."""
from __future__ import annotations

import shutil

from lms.activities.base import LearnerState, ModuleView
from lms.activities.page import PageActivity
from tests.learn.helpers import COURSE_DIR as FIXTURE


def _view(content: dict, practice: bool = False) -> ModuleView:
    return ModuleView("https://x/modules/p", "p", {"vi": "Trang", "en": "Page"},
                      {"content": "portal", "practice": practice}, content)


def test_settings_schema_defaults_and_errors():
    plugin = PageActivity()
    assert plugin.load_settings({"content": "portal"}) == {"content": "portal", "practice": False}
    import pytest
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        plugin.load_settings({"content": "../etc/passwd"})
    with pytest.raises(ValidationError):
        plugin.load_settings({"content": "a", "colour": "red"})


def test_validate_package_names_file_and_line(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(FIXTURE, folder)
    plugin = PageActivity()
    settings = {"content": "portal", "practice": False}
    assert plugin.validate_package(folder, settings) == []
    (folder / "media" / "portal.svg").unlink()
    (folder / "portal.en.md").write_text("# Title\n\n![x](pictures/a.png)\n", encoding="utf-8")
    problems = [str(p) for p in plugin.validate_package(folder, settings)]
    assert "portal.vi.md:5: media/portal.svg does not exist in the course folder" in problems
    assert "portal.en.md:3: image 'pictures/a.png' must be in media/ (media/name.svg)" in problems
    (folder / "portal.vi.md").unlink()
    assert "portal.vi.md: the vi text of this page is missing" in [str(p) for p in plugin.validate_package(folder, settings)]


def test_render_is_sanitised_and_points_media_to_the_course(app):
    plugin = PageActivity()
    content = plugin.load_content(FIXTURE, {"content": "portal"})
    assert plugin.media_paths(content) == {"media/portal.svg", "media/form.txt"}
    state = LearnerState(locale="vi", form_action="/learn/x", media_url="/learn/courses/7")
    with app.test_request_context("/"):
        html = plugin.render(_view(content), state, "vi")
    assert "<h1>Cổng dịch vụ công quốc gia</h1>" in html
    assert '<img alt="Sơ đồ cổng dịch vụ công" src="/learn/courses/7/media/portal.svg">' in html
    assert "<table>" in html and "<script>" not in html and "alert" not in html
    assert 'href="/learn/courses/7/media/form.txt"' in html
    assert 'action="/learn/x"' in html and "Tôi đã đọc xong trang này" in html
    with app.test_request_context("/?lang=en"):
        assert "The national public service portal" in plugin.render(_view(content), state, "en")


def test_links_to_scripts_are_removed(app):
    content = {"markdown": {"vi": "[x](javascript:alert(1)) <img src=x onerror=alert(1)>", "en": "x"}}
    with app.test_request_context("/"):
        html = PageActivity().render(_view(content), LearnerState(locale="vi"), "vi")
    assert "javascript:" not in html and "onerror" not in html


def test_submission_and_completion_rule():
    plugin = PageActivity()
    outcome = plugin.handle_submission(_view({}), {}, {}, "vi")
    assert outcome.is_valid and outcome.completion is True and outcome.score_scaled is None
    assert plugin.completion_rule({"acknowledged": False}) is False
    assert plugin.completion_rule({"acknowledged": True}) is True


def test_practice_page_asks_to_confirm_the_task(app):
    with app.test_request_context("/"):
        html = PageActivity().render(_view({"markdown": {"vi": "x"}}, practice=True), LearnerState(locale="vi"), "vi")
    assert "Tôi đã làm xong bài thực hành này" in html


def test_export_files_round_trip():
    plugin = PageActivity()
    content = plugin.load_content(FIXTURE, {"content": "portal"})
    files = plugin.export_files({"content": "portal"}, content)
    assert files["portal.vi.md"] == (FIXTURE / "portal.vi.md").read_bytes()


def test_leading_heading_equal_to_the_module_title_is_not_repeated():
    from lms.activities.page.markdown_render import without_repeated_title

    assert without_repeated_title("# Cửa sổ\n\nMở cửa sổ.", "Cửa sổ") == "\nMở cửa sổ."
    assert without_repeated_title("# Khác\n\nMở.", "Cửa sổ") == "# Khác\n\nMở."
    assert without_repeated_title("Mở.\n# Cửa sổ", "Cửa sổ") == "Mở.\n# Cửa sổ"
