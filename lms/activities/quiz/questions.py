"""The quiz questions file: validation (every problem with its line) and normalisation.

The normalised form is what the quiz stores with the module and grades against; it has the
same structure as the file, with defaults filled in (``points`` = 1, ``tolerance`` = 0).
"""
from __future__ import annotations

import re
from typing import Any

from lms.activities.base import Problem
from lms.activities.tomlfile import TomlFile, check_text_map

QUESTION_TYPES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_COMMON_KEYS = {"id", "type", "points", "prompt", "feedback_correct", "feedback_incorrect"}
_TYPE_KEYS = {
    "single": {"choices"}, "multiple": {"choices"}, "truefalse": {"answer"}, "short": {"answers"},
    "numeric": {"answer", "tolerance"}, "matching": {"pairs"}, "ordering": {"items"},
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_id(file: TomlFile, value: Any, path: str, seen: set[str], what: str, problems: list[Problem]) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        problems.append(file.problem(path, f"{what} id must be 1-40 letters, digits, '-' or '_'"))
        return str(value)
    if value in seen:
        problems.append(file.problem(path, f"duplicate {what} id {value!r}"))
    seen.add(value)
    return value


def _components(file: TomlFile, question: dict, key: str, path: str, texts: tuple[str, ...],
                problems: list[Problem]) -> list[dict]:
    """Choices, pairs or items: a list of tables each with an id and bilingual texts."""
    raw = question.get(key)
    if not isinstance(raw, list) or not raw:
        problems.append(file.problem(path, f"needs a list of [[questions.{key}]]"))
        return []
    seen: set[str] = set()
    result = []
    for number, entry in enumerate(raw):
        where = f"{path}.{key}[{number}]"
        if not isinstance(entry, dict):
            problems.append(file.problem(where, "must be a table"))
            continue
        item: dict[str, Any] = {"id": _check_id(file, entry.get("id"), f"{where}.id", seen, key[:-1], problems)}
        for text_key in texts:
            item[text_key] = check_text_map(file, entry.get(text_key), f"{where}.{text_key}", problems)
        if key == "choices":
            if not isinstance(entry.get("correct", False), bool):
                problems.append(file.problem(f"{where}.correct", "correct must be true or false"))
            item["correct"] = entry.get("correct") is True
            if "feedback" in entry:
                item["feedback"] = check_text_map(file, entry["feedback"], f"{where}.feedback", problems)
        allowed = {"id", *texts} | ({"correct", "feedback"} if key == "choices" else set())
        unknown = sorted(set(entry) - allowed)
        if unknown:
            problems.append(file.problem(where, f"unknown key(s) {', '.join(unknown)}"))
        result.append(item)
    return result


def _check_choices(file: TomlFile, question: dict, path: str, out: dict, problems: list[Problem]) -> None:
    out["choices"] = _components(file, question, "choices", path, ("text",), problems)
    correct = sum(1 for choice in out["choices"] if choice["correct"])
    if len(out["choices"]) < 2:
        problems.append(file.problem(path, "needs at least 2 choices"))
    if out["type"] == "single" and correct != 1:
        problems.append(file.problem(path, f"a single-choice question needs exactly one correct choice, has {correct}"))
    if out["type"] == "multiple" and correct < 1:
        problems.append(file.problem(path, "a multiple-choice question needs at least one correct choice"))


def _check_short(file: TomlFile, question: dict, path: str, out: dict, problems: list[Problem]) -> None:
    answers = question.get("answers")
    out["answers"] = {"vi": [], "en": []}
    if not isinstance(answers, dict):
        problems.append(file.problem(f"{path}.answers" if "answers" in question else path,
                                     "needs answers = { vi = [...], en = [...] }"))
        return
    for lang in ("vi", "en"):
        values = answers.get(lang)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            problems.append(file.problem(f"{path}.answers.{lang}" if lang in answers else f"{path}.answers",
                                         f"needs a non-empty list of accepted '{lang}' answers"))
            continue
        out["answers"][lang] = [v.strip() for v in values]


def _check_type_fields(file: TomlFile, question: dict, path: str, out: dict, problems: list[Problem]) -> None:
    kind = out["type"]
    if kind in ("single", "multiple"):
        _check_choices(file, question, path, out, problems)
    elif kind == "truefalse":
        if not isinstance(question.get("answer"), bool):
            problems.append(file.problem(f"{path}.answer", "a true/false question needs answer = true or false"))
        out["answer"] = question.get("answer") is True
    elif kind == "short":
        _check_short(file, question, path, out, problems)
    elif kind == "numeric":
        if not _number(question.get("answer")):
            problems.append(file.problem(f"{path}.answer", "a numeric question needs a number as answer"))
        tolerance = question.get("tolerance", 0)
        if not _number(tolerance) or tolerance < 0:
            problems.append(file.problem(f"{path}.tolerance", "tolerance must be a number >= 0"))
        out["answer"] = question.get("answer") if _number(question.get("answer")) else 0
        out["tolerance"] = tolerance if _number(tolerance) else 0
    elif kind == "matching":
        out["pairs"] = _components(file, question, "pairs", path, ("source", "target"), problems)
        if 0 < len(out["pairs"]) < 2:
            problems.append(file.problem(path, "a matching question needs at least 2 pairs"))
    elif kind == "ordering":
        out["items"] = _components(file, question, "items", path, ("text",), problems)
        if 0 < len(out["items"]) < 2:
            problems.append(file.problem(path, "an ordering question needs at least 2 items"))


def check_question(file: TomlFile, question: Any, path: str, seen: set[str], problems: list[Problem]) -> dict:
    """Validate one question table; returns its normalised form (valid only if no problem was added)."""
    if not isinstance(question, dict):
        problems.append(file.problem(path, "must be a [[questions]] table"))
        return {}
    out: dict[str, Any] = {"id": _check_id(file, question.get("id"), f"{path}.id", seen, "question", problems)}
    kind = question.get("type")
    if kind not in QUESTION_TYPES:
        problems.append(file.problem(f"{path}.type", f"type must be one of {', '.join(QUESTION_TYPES)}"))
        return out
    out["type"] = kind
    points = question.get("points", 1)
    if not _number(points) or points <= 0:
        problems.append(file.problem(f"{path}.points", "points must be a number > 0"))
    out["points"] = points if _number(points) and points > 0 else 1
    for key in ("prompt", "feedback_correct", "feedback_incorrect"):
        out[key] = check_text_map(file, question.get(key), f"{path}.{key}", problems)
    _check_type_fields(file, question, path, out, problems)
    unknown = sorted(set(question) - _COMMON_KEYS - _TYPE_KEYS[kind])
    if unknown:
        problems.append(file.problem(path, f"unknown key(s) for a {kind} question: {', '.join(unknown)}"))
    return out


def check_questions_file(file: TomlFile) -> tuple[list[dict], list[Problem]]:
    """Validate a whole questions file; returns the normalised questions and the problems."""
    problems: list[Problem] = []
    raw = file.data.get("questions")
    if not isinstance(raw, list) or not raw:
        return [], [file.problem("questions", "the file needs at least one [[questions]] table")]
    unknown = sorted(set(file.data) - {"questions"})
    if unknown:
        problems.append(file.problem(unknown[0], f"unknown top-level key(s) {', '.join(unknown)}"))
    seen: set[str] = set()
    questions = [check_question(file, q, f"questions[{i}]", seen, problems) for i, q in enumerate(raw)]
    return questions, problems
