"""The quiz plugin: validates and loads a questions file, renders the form and the review, grades."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from lms.activities.base import ActivityType, LearnerState, ModuleView, Outcome, Problem
from lms.activities.quiz import grading
from lms.activities.quiz.questions import check_questions_file
from lms.activities.tomlfile import read_toml
from xapi.vocabulary import ADL_ACTIVITIES, ADL_VERBS


class QuizSettings(Schema):
    """``[modules.settings]`` of a quiz."""

    questions = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_/-]+\.toml$",
                                                                       error="must name a .toml file in the course folder"))
    pass_mark = fields.Float(load_default=0.7, validate=validate.Range(min=0, max=1, min_inclusive=False))
    max_attempts = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    shuffle = fields.Boolean(load_default=True)


class QuizActivity(ActivityType):
    """A graded quiz. Completion: passed (score >= pass mark) in any attempt."""

    name = "quiz"
    version = "1.0.0"
    title = {"vi": "Bài kiểm tra", "en": "Quiz"}
    xapi_activity_type = ADL_ACTIVITIES + "assessment"
    verbs = [ADL_VERBS + v for v in ("launched", "initialized", "attempted", "answered", "scored", "passed",
                                     "failed", "completed", "terminated")]
    settings_schema = QuizSettings
    template_folder = Path(__file__).parent / "templates"
    features = frozenset({"grade", "attempts", "review", "shuffle", "interactions"})

    def new_module_settings(self, key: str) -> dict[str, Any]:
        return {"questions": f"{key}.toml", "pass_mark": 0.7, "max_attempts": 0, "shuffle": True}

    def validate_package(self, module_dir: Path, settings: dict[str, Any]) -> list[Problem]:
        file, problems = read_toml(module_dir / settings["questions"], settings["questions"])
        if file is None:
            return problems
        return check_questions_file(file)[1]

    def load_content(self, module_dir: Path, settings: dict[str, Any]) -> dict[str, Any]:
        file, problems = read_toml(module_dir / settings["questions"], settings["questions"])
        if file is None or problems:
            raise ValueError("; ".join(str(p) for p in problems))
        questions, problems = check_questions_file(file)
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return {"questions": questions}

    def export_files(self, settings: dict[str, Any], content: dict[str, Any]) -> dict[str, bytes]:
        from lms.activities.quiz.export import questions_toml

        return {settings["questions"]: questions_toml(content.get("questions", [])).encode("utf-8")}

    def max_attempts(self, settings: dict[str, Any]) -> int:
        return int(settings.get("max_attempts", 0))

    def start_attempt(self, module: ModuleView, seed: int) -> dict[str, Any]:
        return grading.new_attempt_state(module.content["questions"], module.settings.get("shuffle", True), seed)

    def handle_submission(self, module: ModuleView, form: dict[str, list[str]],
                          attempt_state: dict[str, Any], locale: str) -> Outcome:
        return grading.grade(module.content["questions"], form, attempt_state, locale,
                             module.settings.get("pass_mark", 0.7))

    def completion_rule(self, progress: dict[str, Any]) -> bool:
        return bool(progress.get("passed"))

    def interaction_definitions(self, module: ModuleView) -> dict[str, dict[str, Any]]:
        return {q["id"]: grading.interaction_definition(q) for q in module.content["questions"]}

    def render(self, module: ModuleView, learner_state: LearnerState, locale: str) -> str:
        questions = {q["id"]: q for q in module.content["questions"]}
        review = None
        if learner_state.last_outcome and not learner_state.attempt_state:
            review = self._review(questions, learner_state, locale)
        shown = self._displayed(questions, learner_state.attempt_state) if learner_state.attempt_state else []
        return render_template("activity_quiz/view.html", module=module, state=learner_state, locale=locale,
                               questions=shown, review=review, total=len(questions),
                               pass_percent=round(module.settings.get("pass_mark", 0.7) * 100),
                               max_attempts=self.max_attempts(module.settings))

    @staticmethod
    def _displayed(questions: dict[str, dict], state: dict[str, Any]) -> list[dict]:
        """The questions of the open attempt in its order, with choices/targets/items in its order."""
        shown = []
        for qid in state.get("order", []):
            q = questions.get(qid)
            if q is None:
                continue
            entry = {"q": q}
            if q["type"] in ("single", "multiple"):
                by_id = {c["id"]: c for c in q["choices"]}
                entry["choices"] = [by_id[c] for c in state["choices"].get(qid, by_id) if c in by_id]
            elif q["type"] == "matching":
                by_id = {p["id"]: p for p in q["pairs"]}
                entry["targets"] = [by_id[p] for p in state["targets"].get(qid, by_id) if p in by_id]
            elif q["type"] == "ordering":
                by_id = {i["id"]: i for i in q["items"]}
                entry["items"] = [by_id[i] for i in state["items"].get(qid, by_id) if i in by_id]
            shown.append(entry)
        return shown

    def _review(self, questions: dict[str, dict], learner_state: LearnerState, locale: str) -> dict[str, Any]:
        outcome = learner_state.last_outcome or {}
        show_answers = bool(outcome.get("success")) or not learner_state.can_attempt
        rows = []
        for result in outcome.get("questions", []):
            q = questions.get(result["question_id"])
            if q is None:
                continue
            rows.append({"q": q, "correct": result["correct"], "feedback": result["feedback"],
                         "choice_feedback": result.get("details", {}).get("choice_feedback", []),
                         "response": describe_response(q, result["response"], locale),
                         "answer": describe_answer(q, locale) if show_answers else None})
        return {"rows": rows, "outcome": outcome}


def _texts(entries: list[dict], ids: list[str], key: str, locale: str) -> list[str]:
    by_id = {e["id"]: e for e in entries}
    return [by_id[i][key][locale] for i in ids if i in by_id]


def describe_response(q: dict, response: str, locale: str) -> str:
    """The learner's answer in words, for the review."""
    if not response:
        return _("(no answer)")
    kind = q["type"]
    if kind in ("single", "multiple"):
        return "; ".join(_texts(q["choices"], response.split("[,]"), "text", locale))
    if kind == "truefalse":
        return _("True") if response == "true" else _("False")
    if kind == "ordering":
        return " → ".join(_texts(q["items"], response.split("[,]"), "text", locale))
    if kind == "matching":
        by_id = {p["id"]: p for p in q["pairs"]}
        parts = []
        for pair in response.split("[,]"):
            source, _sep, target = pair.partition("[.]")
            target = target.removesuffix("_t")
            if source in by_id and target in by_id:
                parts.append(f"{by_id[source]['source'][locale]} = {by_id[target]['target'][locale]}")
        return "; ".join(parts)
    if kind == "numeric" and grading.PLAIN_NUMBER.match(response):
        return grading.display_number(float(response), locale)
    return response


def describe_answer(q: dict, locale: str) -> str:
    """The correct answer in words, shown once the learner passed or has no attempt left."""
    kind = q["type"]
    if kind in ("single", "multiple"):
        return "; ".join(c["text"][locale] for c in q["choices"] if c["correct"])
    if kind == "truefalse":
        return _("True") if q["answer"] else _("False")
    if kind == "short":
        return q["answers"].get(locale, q["answers"]["vi"])[0]
    if kind == "numeric":
        tolerance = f" (± {grading.display_number(q['tolerance'], locale)})" if q["tolerance"] else ""
        return grading.display_number(q["answer"], locale) + tolerance
    if kind == "matching":
        return "; ".join(f"{p['source'][locale]} = {p['target'][locale]}" for p in q["pairs"])
    return " → ".join(i["text"][locale] for i in q["items"])
