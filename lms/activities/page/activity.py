"""The page plugin: shows a Markdown lesson (vi/en) and completes when the learner confirms reading it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import render_template
from marshmallow import Schema, fields, validate
from markupsafe import Markup

from lms.activities.base import ActivityType, LearnerState, ModuleView, Outcome, Problem
from lms.activities.media import MEDIA_PATH, content_type_for, media_references
from lms.activities.page.markdown_render import render_markdown, without_repeated_title
from xapi.vocabulary import ADL_ACTIVITIES, ADL_VERBS

LOCALES = ("vi", "en")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


class PageSettings(Schema):
    """``[modules.settings]`` of a page: the content file stem and the practice flag."""

    content = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$",
                                                                     error="must be a file name stem such as 'desktop'"))
    practice = fields.Boolean(load_default=False)


class PageActivity(ActivityType):
    """A lesson page. Completion: the learner presses "I have read this" (or "I did this practice")."""

    name = "page"
    version = "1.0.0"
    title = {"vi": "Trang bài học", "en": "Lesson page"}
    xapi_activity_type = ADL_ACTIVITIES + "lesson"
    verbs = [ADL_VERBS + v for v in ("launched", "initialized", "experienced", "completed", "terminated")]
    settings_schema = PageSettings
    template_folder = Path(__file__).parent / "templates"
    features = frozenset({"media"})

    def _files(self, settings: dict[str, Any]) -> dict[str, str]:
        return {lang: f"{settings['content']}.{lang}.md" for lang in LOCALES}

    def new_module_settings(self, key: str) -> dict[str, Any]:
        return {"content": key, "practice": False}

    def validate_package(self, module_dir: Path, settings: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        for lang, name in self._files(settings).items():
            path = module_dir / name
            if not path.is_file():
                problems.append(Problem(name, 0, f"the {lang} text of this page is missing"))
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(Problem(name, 0, "not UTF-8 text"))
                continue
            if not text.strip():
                problems.append(Problem(name, 0, "the page is empty"))
            problems.extend(self._check_links(module_dir, name, text))
        return problems

    def _check_links(self, module_dir: Path, name: str, text: str) -> list[Problem]:
        problems = []
        for number, line in enumerate(text.splitlines(), start=1):
            for target in media_references(line):
                if not MEDIA_PATH.match(target) or ".." in target:
                    problems.append(Problem(name, number, f"bad media path {target!r}"))
                elif content_type_for(target) is None:
                    problems.append(Problem(name, number, f"media type of {target!r} is not allowed"))
                elif not (module_dir / target).is_file():
                    problems.append(Problem(name, number, f"{target} does not exist in the course folder"))
            for target in _IMAGE.findall(line):
                if not target.startswith(("media/", "https://", "http://")):
                    problems.append(Problem(name, number, f"image {target!r} must be in media/ (media/name.svg)"))
        return problems

    def load_content(self, module_dir: Path, settings: dict[str, Any]) -> dict[str, Any]:
        return {"markdown": {lang: (module_dir / name).read_text(encoding="utf-8")
                             for lang, name in self._files(settings).items()}}

    def export_files(self, settings: dict[str, Any], content: dict[str, Any]) -> dict[str, bytes]:
        texts = content.get("markdown", {})
        return {name: texts.get(lang, "").encode("utf-8") for lang, name in self._files(settings).items()}

    def media_paths(self, content: dict[str, Any]) -> set[str]:
        paths: set[str] = set()
        for text in content.get("markdown", {}).values():
            paths |= media_references(text)
        return paths

    def html(self, module: ModuleView, locale: str, media_url: str) -> Markup:
        texts = module.content.get("markdown", {})
        text = texts.get(locale) or texts.get("vi") or ""
        title = module.title.get(locale) or module.title.get("vi") or ""
        return Markup(render_markdown(without_repeated_title(text, title), media_url))

    def render(self, module: ModuleView, learner_state: LearnerState, locale: str) -> str:
        return render_template("activity_page/view.html", module=module, state=learner_state,
                               body=self.html(module, locale, learner_state.media_url),
                               practice=module.settings.get("practice", False))

    def handle_submission(self, module: ModuleView, form: dict[str, list[str]],
                          attempt_state: dict[str, Any], locale: str) -> Outcome:
        return Outcome(completion=True, response={"acknowledged": True})

    def completion_rule(self, progress: dict[str, Any]) -> bool:
        return bool(progress.get("acknowledged"))
