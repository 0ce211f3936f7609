"""Every text of every bundled course exists in Vietnamese and in English (issue 7).

The package validator already refuses a text in one language only (``check_text_map``, the page
plugin's file checks, the quiz's ``answers`` check), and tests/catalog/test_bundled.py runs it on
every bundled course. This file adds (1) an independent walk over the course files, so a
regression in the validator cannot let a one-language text through unnoticed, and (2) broken
copies of a real course, one per kind of text, showing that both the validator and the walk catch
each case: course title, summary, objectives, module titles, page files (missing or empty),
question prompts, choices, per-choice feedback, feedback, short answers, matching pairs and
ordering items.
"""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from lms.catalog.packages import bundled_courses_root, find_packages

PACKAGES = find_packages(bundled_courses_root())
LANGS = ("vi", "en")
# The texts every table of the format must have, by kind of table.
COURSE_TEXTS = ("title", "summary")
MODULE_TEXTS = ("title",)
QUESTION_TEXTS = ("prompt", "feedback_correct", "feedback_incorrect")
PART_TEXTS = {"choices": ("text",), "pairs": ("source", "target"), "items": ("text",)}


def _text_map(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: not a {{vi, en}} text")
        return
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: no {lang} text")


def _questions(path: Path, problems: list[str]) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for number, q in enumerate(data.get("questions", [])):
        where = f"{path.name} questions[{number}] ({q.get('id')})"
        for key in QUESTION_TEXTS:
            _text_map(q.get(key), f"{where}.{key}", problems)
        for part, keys in PART_TEXTS.items():
            for index, entry in enumerate(q.get(part, [])):
                for key in keys:
                    _text_map(entry.get(key), f"{where}.{part}[{index}].{key}", problems)
                if "feedback" in entry:
                    _text_map(entry["feedback"], f"{where}.{part}[{index}].feedback", problems)
        if q.get("type") == "short":
            answers = q.get("answers") or {}
            for lang in LANGS:
                values = answers.get(lang)
                if not values or not all(isinstance(v, str) and v.strip() for v in values):
                    problems.append(f"{where}.answers: no {lang} answer")


def _page(folder: Path, stem: str, problems: list[str]) -> None:
    texts = {}
    for lang in LANGS:
        path = folder / f"{stem}.{lang}.md"
        texts[lang] = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        if not texts[lang]:
            problems.append(f"{path.name}: missing or empty")
    if texts["vi"] and texts["vi"] == texts["en"]:
        problems.append(f"{stem}: the vi and en pages are the same text (not translated)")


def one_language_texts(folder: Path) -> list[str]:
    """Every text of the course package in ``folder`` that lacks one of the two languages."""
    problems: list[str] = []
    manifest = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    for key in COURSE_TEXTS:
        _text_map(manifest.get(key), f"course.toml {key}", problems)
    if not manifest.get("objectives"):
        problems.append("course.toml: no objectives")
    for number, objective in enumerate(manifest.get("objectives", [])):
        _text_map(objective, f"course.toml objectives[{number}]", problems)
    for number, module in enumerate(manifest.get("modules", [])):
        where = f"course.toml modules[{number}] ({module.get('id')})"
        for key in MODULE_TEXTS:
            _text_map(module.get(key), f"{where}.{key}", problems)
        settings = module.get("settings", {})
        if module.get("type") == "page":
            _page(folder, settings["content"], problems)
        elif module.get("type") == "quiz":
            _questions(folder / settings["questions"], problems)
        else:
            problems.append(f"{where}: unknown module type {module.get('type')!r}: teach this test its texts")
    return problems


@pytest.mark.parametrize("folder", PACKAGES, ids=[p.name for p in PACKAGES])
def test_every_text_of_the_bundled_course_is_in_both_languages(folder):
    assert one_language_texts(folder) == []


def _validator_problems(app, folder: Path) -> list[str]:
    from lms.catalog.packages import read_package

    with app.app_context():
        return [str(p) for p in read_package(folder, app.extensions["lms.activities"]).problems]


def _blank_en(path: Path, key: str, after: str = "") -> None:
    """Remove the English text of the first ``key`` (below the first ``after`` header line, if given):
    ``key = { vi = "...", en = "..." }`` loses its en part; an ``en = "..."`` line (of ``[[objectives]]`` or
    a ``[key]`` sub-table) becomes empty."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not after and f"[{key}]\n" in lines:  # the sub-table form: [summary] then vi = ... / en = ...
        after, key = f"[{key}]", "en"
    start = next((n for n, line in enumerate(lines) if line.strip() == after), None) if after else 0
    assert start is not None, f"no {after} in {path.name}: the course changed, pick another text"
    for number in range(start, len(lines)):
        stripped = lines[number].strip()
        if key == "en" and stripped.startswith('en = "'):
            lines[number] = 'en = ""\n'
            break
        if stripped.startswith(f"{key} = {{") and ", en = " in stripped:
            lines[number] = lines[number][: lines[number].index(", en = ")] + " }\n"
            break
    else:
        raise AssertionError(f"no inline {key} text in {path.name}: the course changed, pick another text")
    path.write_text("".join(lines), encoding="utf-8")


def _quiz_with(folder: Path, marker: str) -> Path:
    """The first questions file of the course that contains ``marker``."""
    for path in sorted(folder.glob("*.toml")):
        if path.name != "course.toml" and marker in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no questions file with {marker!r}")


def _page_stem(folder: Path) -> str:
    manifest = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    return next(m["settings"]["content"] for m in manifest["modules"] if m["type"] == "page")


def _short_answers_vi_only(folder: Path) -> None:
    path = _quiz_with(folder, 'type = "short"')
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if line.startswith("answers = {") and ", en = [" in line)
    lines[number] = lines[number][: lines[number].index(", en = [")] + " }\n"
    path.write_text("".join(lines), encoding="utf-8")


BREAKS = {
    "course title": lambda f: _blank_en(f / "course.toml", "title"),
    "course summary": lambda f: _blank_en(f / "course.toml", "summary"),
    "objective": lambda f: _blank_en(f / "course.toml", "en", after="[[objectives]]"),
    "module title": lambda f: _blank_en(f / "course.toml", "title", after="[[modules]]"),
    "missing English page": lambda f: (f / f"{_page_stem(f)}.en.md").unlink(),
    "empty Vietnamese page": lambda f: (f / f"{_page_stem(f)}.vi.md").write_text("  \n", encoding="utf-8"),
    "question prompt": lambda f: _blank_en(_quiz_with(f, "prompt = {"), "prompt"),
    "choice text": lambda f: _blank_en(_quiz_with(f, "[[questions.choices]]"), "text", after="[[questions.choices]]"),
    "choice feedback": lambda f: _blank_en(_quiz_with(f, "  feedback = {"), "feedback"),
    "feedback": lambda f: _blank_en(_quiz_with(f, "feedback_incorrect = {"), "feedback_incorrect"),
    "short answers": _short_answers_vi_only,
    "matching pair": lambda f: _blank_en(_quiz_with(f, "[[questions.pairs]]"), "target", after="[[questions.pairs]]"),
    "ordering item": lambda f: _blank_en(_quiz_with(f, "[[questions.items]]"), "text", after="[[questions.items]]"),
}


def _course_with_every_kind() -> Path:
    """A bundled course that has every kind of text the breaks above need."""
    markers = ('type = "short"', "[[questions.pairs]]", "[[questions.items]]", "  feedback = {", "answers = {")
    for folder in PACKAGES:
        texts = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.toml"))
        if all(marker in texts for marker in markers):
            return folder
    raise AssertionError("no bundled course has short, matching and ordering questions and choice feedback")


@pytest.mark.parametrize("kind", list(BREAKS))
def test_a_text_in_one_language_only_is_caught(app, tmp_path, kind):
    """Make it fail: a copy of a real course with one text in one language only is refused by the
    validator (what `lms courses validate`, the import and test_bundled.py run) and by the walk above."""
    source = _course_with_every_kind()
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    assert _validator_problems(app, folder) == [] and one_language_texts(folder) == []
    BREAKS[kind](folder)
    problems = _validator_problems(app, folder)
    assert problems, f"the validator accepted a course with a one-language {kind}"
    assert any("'en'" in p or "en text" in p or "empty" in p for p in problems), problems
    assert one_language_texts(folder), f"the walk missed the one-language {kind}"


def test_an_untranslated_page_copy_is_caught(tmp_path):
    """A page whose English file is the Vietnamese text copied over counts as one language only."""
    source = _course_with_every_kind()
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    stem = _page_stem(folder)
    shutil.copyfile(folder / f"{stem}.vi.md", folder / f"{stem}.en.md")
    assert any("not translated" in p for p in one_language_texts(folder))
